import { describe, expect, it } from 'vitest';
import { parseJson } from '../../event/json.js';
import type { EcsEvent } from '../../event/types.js';
import { ANY, defaultNeedles } from '../../prefilter/needles.js';
import { compileKql } from '../compile.js';
import { parseKql } from '../parse.js';
import { kqlCategories, kqlNeed } from './index.js';

const matches = (query: string, event: EcsEvent): boolean => compileKql(parseKql(query))(event);
const needles = (query: string): string[] | undefined => defaultNeedles(kqlNeed(parseKql(query)));

// SPEC §E, every row, is tested through the bundled rule files in test/spec/edge-cases.test.ts.

describe('field:value matches (SPEC §B.3, §C)', () => {
  it('any value of an array matches, and field:(a and b) holds on ["a","b"]', () => {
    const event = { tags: ['a', 'b'] };
    expect(matches('tags:b', event)).toBe(true);
    expect(matches('tags:(a and b)', event)).toBe(true);
    expect(matches('tags:(a and c)', event)).toBe(false);
    expect(matches('not tags:a', event)).toBe(false);
  });

  it('treats null, [] and [null] as missing: positive false, not true', () => {
    for (const value of [null, [], [null]]) {
      expect(matches('f:x', { f: value })).toBe(false);
      expect(matches('not f:x', { f: value })).toBe(true);
    }
  });

  it('matches booleans and their text both ways', () => {
    expect(matches('f:true', { f: true })).toBe(true);
    expect(matches('f:true', { f: 'true' })).toBe(true);
    expect(matches('f:"true"', { f: true })).toBe(true);
    expect(matches('f:true', { f: false })).toBe(false);
    expect(matches('f:false', { f: 'False' })).toBe(false);
  });

  it('matches numbers numerically and numeric text exactly', () => {
    expect(matches('process.pid:200', { process: { pid: 200 } })).toBe(true);
    expect(matches('process.pid:"200"', { process: { pid: 200 } })).toBe(true);
    expect(matches('process.pid:200', { process: { pid: '200' } })).toBe(true);
    expect(matches('process.pid:200.0', { process: { pid: 200 } })).toBe(true);
    expect(matches('process.pid:0x10', { process: { pid: 16 } })).toBe(false);
    expect(matches('process.pid:2*', { process: { pid: 200 } })).toBe(true);
  });

  it('never matches an object with a value', () => {
    expect(matches('process:x', { process: { name: 'x' } })).toBe(false);
  });

  it('matches a CIDR block against IPv4 and IPv6 addresses', () => {
    expect(matches('source.ip:10.0.0.0/8', { source: { ip: '10.1.2.3' } })).toBe(true);
    expect(matches('source.ip:"10.0.0.0/8"', { source: { ip: '11.1.2.3' } })).toBe(false);
    expect(matches('source.ip:(127.0.0.0/8 or "fe80::/10")', { source: { ip: 'fe80::1' } })).toBe(true);
    expect(matches('source.ip:"::1"', { source: { ip: '0:0:0:0:0:0:0:1' } })).toBe(true);
    expect(matches('source.ip:10.0.0.0/8', { source: { ip: 'not-an-ip' } })).toBe(false);
  });

  it('keeps an escaped star literal inside a wildcard pattern (SPEC §B.2)', () => {
    expect(matches('f:a\\*b*', { f: 'a*bcd' })).toBe(true);
    expect(matches('f:a\\*b*', { f: 'aXbcd' })).toBe(false);
  });

  it('keeps ? literal in unquoted values (SPEC §B.2)', () => {
    expect(matches('f:cmd?.exe', { f: 'cmd1.exe' })).toBe(false);
    expect(matches('f:cmd?.exe', { f: 'cmd?.exe' })).toBe(true);
  });

  it("expands wildcard field names against the event's own fields", () => {
    const event = { file: { hash: { sha256: 'abc' } }, 'file.hash.md5': 'def' };
    expect(matches('file.hash.*:def', event)).toBe(true);
    expect(matches('file.hash.*:zzz', event)).toBe(false);
    expect(matches('"file.hash.*":abc', event)).toBe(false);
  });

  it('never matches field:null', () => {
    expect(matches('f:null', { f: 'null' })).toBe(false);
    expect(matches('not f:null', { f: 'x' })).toBe(true);
  });
});

describe('field:value with hostile input', () => {
  it('treats event text and query text as data only', () => {
    const q = 'f:"); process.exit(1); ("';
    expect(matches(q, { f: '); process.exit(1); (' })).toBe(true);
  });

  it('stays fast on wildcard patterns built to backtrack', () => {
    const predicate = compileKql(parseKql('f:*a*a*a*a*a*a*a*a*b'));
    const start = performance.now();
    expect(predicate({ f: 'a'.repeat(50_000) })).toBe(false);
    expect(performance.now() - start).toBeLessThan(1000);
  });
});

describe('field:value needles (prefilter)', () => {
  it('takes keyword values, quoted or not, as JSON writes them', () => {
    const R2 = `host.os.type:linux and event.category:file and event.action:"opened-file" and file.path:"/proc/modules" and
not (process.name:(python* or chef-client) or process.executable:(/opt/eset/*/esets_eia or /opt/Elastic/Agent/*))`;
    expect(needles(R2)).toEqual(['"/proc/modules"']);
  });

  it('gives no needle for an address or block, which other spellings of the address match', () => {
    expect(needles('destination.ip:10.0.0.0/8')).toBeUndefined();
    expect(needles('destination.ip:"::1"')).toBeUndefined();
  });

  it('gives no needle for a value that reads as a number: JSON writes 50 as 5e1 or 50.0 too', () => {
    for (const q of ['f:50', 'f:"50"', 'f:5e1', 'f:-0.5', 'f:.5']) expect(kqlNeed(parseKql(q)), q).toEqual(ANY);
    // Text that no numeric field reads (spaces around it) only matches itself.
    expect(needles('f:" 50"')).toEqual(['" 50"']);
  });

  it('needs the bare word for a boolean, which JSON writes unquoted', () => {
    expect(needles('f:true')).toEqual(['true']);
    expect(needles('f:"false"')).toEqual(['false']);
    const event = JSON.parse('{"f": false}') as EcsEvent;
    expect(matches('f:"false"', event)).toBe(true);
  });

  it('turns a wildcard into its quoted prefix, middle pieces and quoted suffix', () => {
    expect(kqlNeed(parseKql('f:/opt/eset/*/esets_eia'))).toEqual({
      kind: 'and',
      of: [
        { kind: 'lit', text: '"/opt/eset/' },
        { kind: 'lit', text: '/esets_eia"' },
      ],
    });
    expect(kqlNeed(parseKql('f:*mid*'))).toEqual({ kind: 'lit', text: 'mid' });
    expect(kqlNeed(parseKql('f:python*'))).toEqual({ kind: 'lit', text: '"python' });
  });

  it('gives no needle for a wildcard that may match a number, whose text is not the line’s', () => {
    // `String(1e3)` is "1000", `String(5e-1)` "0.5", `String(1e21)` "1e+21", and 1e400 reads as Infinity.
    for (const q of ['f:1*', 'f:1000*', 'f:*0.5', 'f:*e+21', 'f:*e*', 'f:Inf*', 'f:*finity']) expect(kqlNeed(parseKql(q)), q).toEqual(ANY);
    expect(matches('f:1000*', JSON.parse('{"f": 1e3}') as EcsEvent)).toBe(true);
    expect(matches('f:Inf*', JSON.parse('{"f": 1e400}') as EcsEvent)).toBe(true);
  });

  it('keeps the bare pieces of a wildcard that may match true or false, which JSON writes unquoted', () => {
    expect(kqlNeed(parseKql('f:tr*ue'))).toEqual({ kind: 'and', of: [{ kind: 'lit', text: 'tr' }, { kind: 'lit', text: 'ue' }] });
    expect(matches('f:tr*ue', { f: true })).toBe(true);
  });

  it('writes needles the way JSON writes the value', () => {
    expect(needles('f:"C:\\\\temp \\"x\\""')).toEqual(['"C:\\\\temp \\"x\\""']);
  });
});

describe('field:value categories (dispatch)', () => {
  it('gives the category of event.category:word, and none for patterns or other fields', () => {
    expect(kqlCategories(parseKql('event.category:file'))).toEqual(['file']);
    expect(kqlCategories(parseKql('event.category:fi*'))).toBeUndefined();
    expect(kqlCategories(parseKql('event.type:file'))).toBeUndefined();
  });

  it('gives none for values KQL may read as a boolean, number or address', () => {
    for (const q of ['event.category:true', 'event.category:"false"', 'event.category:5', 'event.category:"10.0.0.1"']) {
      expect(kqlCategories(parseKql(q))).toBeUndefined();
    }
  });
});

// Integers beyond 2^53 compare as Elasticsearch's long compares them (README "Integers beyond 2^53").
describe('field:value on integers beyond 2^53', () => {
  const event = (text: string) => parseJson(`{"pid":${text}}`) as EcsEvent;
  it('matches the exact integer only, as a number or as numeric text', () => {
    expect(matches('pid:9007199254740993', event('9007199254740993'))).toBe(true);
    expect(matches('pid:9007199254740993', event('9007199254740992'))).toBe(false);
    expect(matches('pid:9007199254740992', event('9007199254740993'))).toBe(false);
    expect(matches('pid:"9007199254740993"', event('9007199254740993'))).toBe(true);
    expect(matches('pid:9007199254740993', event('"9007199254740993"'))).toBe(true);
    expect(matches('pid:(1 or 9007199254740993)', event('9007199254740993'))).toBe(true);
    expect(matches('pid:(1 or 9007199254740993)', event('9007199254740992'))).toBe(false);
    expect(matches('pid:90071992547409*', event('9007199254740993'))).toBe(true);
    expect(matches('pid:*0993', event('9007199254740993'))).toBe(true);
  });

  it('finds them by free text, and they exist', () => {
    expect(matches('9007199254740993', event('9007199254740993'))).toBe(true);
    expect(matches('9007199254740993', event('9007199254740992'))).toBe(false);
    expect(matches('pid:*', event('9007199254740993'))).toBe(true);
  });
});
