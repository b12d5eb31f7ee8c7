import { describe, expect, it } from 'vitest';
import { parseJson } from '../../event/json.js';
import type { EcsEvent } from '../../event/types.js';
import { ANY, defaultNeedles } from '../../prefilter/needles.js';
import { compileKql } from '../compile.js';
import { parseKql } from '../parse.js';
import { FieldQueryError, FieldTypeTable, parseMappingText } from '../../fieldTypes/index.js';
import { kqlCategories, kqlNeed, kqlRequirements } from './index.js';

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

  it('on an unmapped field, matches numbers numerically and numeric text exactly (dynamic mapping)', () => {
    expect(matches('custom.pid:200', { custom: { pid: 200 } })).toBe(true);
    expect(matches('custom.pid:"200"', { custom: { pid: 200 } })).toBe(true);
    expect(matches('custom.pid:200', { custom: { pid: '200' } })).toBe(true);
    expect(matches('custom.pid:200.0', { custom: { pid: 200 } })).toBe(true);
    expect(matches('custom.pid:0x10', { custom: { pid: 16 } })).toBe(false);
    expect(matches('custom.pid:2*', { custom: { pid: 200 } })).toBe(true);
  });

  it('on a long field (ECS process.pid), reads the value as a long and refuses what Elasticsearch refuses', () => {
    expect(matches('process.pid:200', { process: { pid: 200 } })).toBe(true);
    expect(matches('process.pid:"200"', { process: { pid: '200' } })).toBe(true);
    // A long query with a fraction matches nothing (NumberFieldMapper LONG.termQuery).
    expect(matches('process.pid:200.5', { process: { pid: 200 } })).toBe(false);
    expect(() => matches('process.pid:0x10', { process: { pid: 16 } })).toThrow(FieldQueryError);
    expect(() => matches('process.pid:2*', { process: { pid: 200 } })).toThrow(/wildcard queries/);
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

  it('compare exactly on typed fields: a long (ECS process.pid) and a keyword (ECS event.code) by its digits', () => {
    const ecs = (text: string) => parseJson(`{"process":{"pid":${text}},"event":{"code":${text}}}`) as EcsEvent;
    expect(matches('process.pid:9007199254740993', ecs('9007199254740993'))).toBe(true);
    expect(matches('process.pid:9007199254740993', ecs('9007199254740992'))).toBe(false);
    expect(matches('process.pid > 9007199254740992', ecs('9007199254740993'))).toBe(true);
    expect(matches('process.pid > 9007199254740992', ecs('9007199254740992'))).toBe(false);
    expect(matches('event.code:9007199254740993', ecs('9007199254740993'))).toBe(true);
    expect(matches('event.code:9007199254740993', ecs('9007199254740992'))).toBe(false);
    expect(matches('event.code:*0993', ecs('9007199254740993'))).toBe(true);
  });
});

describe('field:value by field type (README "Field types")', () => {
  const kernel = 'Jan  5 10:00:00 host kernel: [123.4] evil: module verification failed: signature and/or required key missing - tainting kernel';

  it('matches an analysed text field (ECS message) by its words, case-folded', () => {
    expect(matches('message:segfault', { message: 'a.out[42]: SEGFAULT at 0 ip 00 sp 00 error 4' })).toBe(true);
    expect(matches('message:segfault', { message: 'segfaulted' })).toBe(false);
    expect(matches('message:(segfault and sshd)', { message: 'sshd[12]: segfault at 0' })).toBe(true);
    // Unquoted words are a `match`: any one of them will do.
    expect(matches('message:segfault sshd', { message: 'sshd[12] started' })).toBe(true);
  });

  it('matches a quoted value as a phrase: its words in order, inside one value', () => {
    const q = 'message:"module verification failed: signature and/or required key missing - tainting kernel"';
    expect(matches(q, { message: kernel })).toBe(true);
    expect(matches(q, { message: 'signature and/or required key missing - module verification failed: tainting kernel' })).toBe(false);
    expect(matches(q, { message: ['module verification failed: signature and/or', 'required key missing - tainting kernel'] })).toBe(false);
  });

  it('reads a multi-field from its parent: process.command_line.text analyses process.command_line', () => {
    expect(matches('process.command_line.text:bash', { process: { command_line: '/bin/BASH -c id' } })).toBe(true);
    expect(matches('process.command_line:bash', { process: { command_line: '/bin/BASH -c id' } })).toBe(false);
    expect(matches('process.name.caseless:sshd', { process: { name: 'SSHD' } })).toBe(true);
    expect(matches('process.command_line.text:*', { process: { command_line: 'x' } })).toBe(true);
  });

  it('keeps keywords exact and skips values beyond ignore_above 1024', () => {
    expect(matches('process.name:sshd', { process: { name: 'SSHD' } })).toBe(false);
    expect(matches('process.name:x*', { process: { name: 'x' + 'a'.repeat(1024) } })).toBe(false);
    expect(matches('process.name:x*', { process: { name: 'x' + 'a'.repeat(1023) } })).toBe(true);
  });

  it('merges an or of values on one analysed field into one read of the field', () => {
    expect(matches('message:(segfault or "general protection")', { message: 'traps: x General Protection fault' })).toBe(true);
    expect(matches('message:(segfault or "general protection")', { message: 'protection general' })).toBe(false);
  });

  it('follows a --mapping: a custom text field, and paths inside nested queries', () => {
    const fieldTypes = FieldTypeTable.withMapping(
      parseMappingText(JSON.stringify({ mappings: { properties: { app: { properties: { note: { type: 'text' } } } } } })),
    );
    const typed = (q: string, e: EcsEvent) => compileKql(parseKql(q), { fieldTypes })(e);
    expect(typed('app.note:disk', { app: { note: 'Disk full' } })).toBe(true);
    expect(matches('app.note:disk', { app: { note: 'Disk full' } })).toBe(false);
    expect(typed('app:{ note:disk }', { app: { note: 'Disk full' } })).toBe(true);
    expect(kqlNeed(parseKql('app.note:disk'), { fieldTypes, pathPrefix: '' })).toEqual(ANY);
  });
});

describe('field:value needles by field type', () => {
  it('gives no needle on analysed, normalised, numeric or ip fields: the line may spell the value otherwise', () => {
    for (const q of ['message:segfault', 'message:"general protection"', 'process.command_line.text:bash', 'process.name.caseless:sshd', 'process.pid:5', 'source.ip:"::1"', 'powershell.file.script_block_text:Invoke-Expression']) {
      expect(kqlNeed(parseKql(q)), q).toEqual(ANY);
    }
  });

  it('matches booleans on a boolean field and gives no needle for them', () => {
    expect(matches('aws.cloudtrail.read_only:true', { aws: { cloudtrail: { read_only: 'true' } } })).toBe(true);
    expect(matches('aws.cloudtrail.read_only:false', { aws: { cloudtrail: { read_only: true } } })).toBe(false);
    expect(kqlNeed(parseKql('aws.cloudtrail.read_only:true'))).toEqual(ANY);
  });

  it('gives the bare word for a boolean on a keyword, and no needle for null or a wildcard field name', () => {
    expect(needles('process.name:true')).toEqual(['true']);
    expect(matches('process.name:true', { process: { name: true } })).toBe(true);
    expect(kqlNeed(parseKql('process.name:null'))).toEqual(ANY);
    expect(kqlNeed(parseKql('process.*:sshd'))).toEqual(ANY);
    expect(needles('process.name:python*')).toEqual(['"python']);
  });

  it('lets a field-name pattern skip the fields whose type refuses the value', () => {
    const event = { source: { ip: '10.0.0.1', domain: '10.0.x' } };
    expect(matches('source.*:10.0.*', event)).toBe(true);
    expect(matches('source.*:10.1.*', event)).toBe(false);
  });

  it('on an ECS keyword, needs the quoted value unless a number or boolean could spell it', () => {
    expect(needles('process.name:sshd')).toEqual(['"sshd"']);
    expect(kqlNeed(parseKql('event.code:4624'))).toEqual(ANY);
    expect(needles('event.code:true')).toEqual(['true']);
    expect(matches('event.code:4624', JSON.parse('{"event": {"code": 4624}}') as EcsEvent)).toBe(true);
  });
});

describe('field:value categories by field type', () => {
  it('takes categories only from a keyword event.category', () => {
    const fieldTypes = FieldTypeTable.withMapping(parseMappingText(JSON.stringify({ mappings: { properties: { event: { properties: { category: { type: 'text' } } } } } })));
    expect(kqlCategories(parseKql('event.category:file'))).toEqual(['file']);
    expect(kqlCategories(parseKql('event.category:file'), { fieldTypes, pathPrefix: '' })).toBeUndefined();
  });
});

describe('field:value requirements (the rule index, engine/dispatch.ts)', () => {
  const req = (query: string, ctx?: Parameters<typeof kqlRequirements>[1]) => Object.fromEntries(kqlRequirements(parseKql(query), ctx));

  it('requires the exact value of a plain keyword, which only that string matches', () => {
    expect(req('process.name:sshd')).toEqual({ 'process.name': ['sshd'] });
    expect(req('process.name:"cmd.exe"')).toEqual({ 'process.name': ['cmd.exe'] });
    expect(matches('process.name:sshd', { process: { name: 'SSHD' } })).toBe(false);
  });

  it('requires nothing of a value a number or boolean could stand for, a pattern, or a null', () => {
    expect(req('event.code:4624')).toEqual({});
    expect(matches('event.code:4624', JSON.parse('{"event": {"code": 4624}}') as EcsEvent)).toBe(true);
    expect(req('process.name:true')).toEqual({});
    expect(req('process.name:ssh*')).toEqual({});
    expect(req('process.name:null')).toEqual({});
  });

  it('requires nothing of analysed text, a normalised keyword, a multi-field or a keyword with null_value', () => {
    expect(req('message:segfault')).toEqual({});
    expect(req('process.name.caseless:sshd')).toEqual({});
    const mapping = { mappings: { properties: { process: { properties: { name: { type: 'keyword', null_value: 'none' } } } } } };
    const fieldTypes = FieldTypeTable.withMapping(parseMappingText(JSON.stringify(mapping)));
    expect(req('process.name:none', { fieldTypes, pathPrefix: '' })).toEqual({});
  });

  it('on an unmapped field, requires a word but not an address, which other spellings match', () => {
    expect(req('custom.word:alpha')).toEqual({ 'custom.word': ['alpha'] });
    expect(req('custom.addr:"::1"')).toEqual({});
    expect(matches('custom.addr:"::1"', { custom: { addr: '0:0:0:0:0:0:0:1' } })).toBe(true);
  });
});

describe("a keyword's null_value (Elasticsearch indexes it in place of a JSON null)", () => {
  const mapping = { mappings: { properties: { process: { properties: { name: { type: 'keyword', null_value: 'NULL' } } } } } };
  const fieldTypes = FieldTypeTable.withMapping(parseMappingText(JSON.stringify(mapping)));
  const typed = (q: string, e: EcsEvent) => compileKql(parseKql(q), { fieldTypes })(e);

  it('matches a JSON null of the field by the null_value, and nothing else by it', () => {
    expect(typed('process.name:NULL', { process: { name: null } })).toBe(true);
    expect(typed('process.name:NULL', { process: { name: 'NULL' } })).toBe(true);
    expect(typed('process.name:NULL', { process: {} })).toBe(false);
    expect(typed('process.name:sshd', { process: { name: null } })).toBe(false);
    expect(typed('process.name:*', { process: { name: null } })).toBe(true);
  });

  it('gives no needle: the line holds `null`, not the null_value', () => {
    expect(kqlNeed(parseKql('process.name:NULL'), { fieldTypes, pathPrefix: '' })).toEqual(ANY);
  });
});
