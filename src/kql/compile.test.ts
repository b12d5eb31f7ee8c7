import { describe, expect, it } from 'vitest';
import type { EcsEvent } from '../event/types.js';
import { compileKql } from './compile.js';
import { parseKql } from './parse.js';

const matches = (query: string, event: EcsEvent, now?: number): boolean =>
  compileKql(parseKql(query), now === undefined ? {} : { now })(event);

// SPEC §E, every row, is tested through the bundled rule files in test/spec/edge-cases.test.ts.

describe('compileKql: matching (SPEC §B.3, §C)', () => {
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
      expect(matches('f:*', { f: value })).toBe(false);
    }
    expect(matches('f:*', { f: '' })).toBe(true);
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
    expect(matches('process:*', { process: { name: 'x' } })).toBe(true);
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

  it('merges a value list on one field without changing what it means', () => {
    const q = 'f:(a or b* or 3 or true or 10.0.0.0/8) or g:x';
    expect(matches(q, { f: 'a' })).toBe(true);
    expect(matches(q, { f: 'bee' })).toBe(true);
    expect(matches(q, { f: 3 })).toBe(true);
    expect(matches(q, { f: true })).toBe(true);
    expect(matches(q, { f: '10.9.9.9' })).toBe(true);
    expect(matches(q, { g: 'x' })).toBe(true);
    expect(matches(q, { f: 'c', g: 'y' })).toBe(false);
  });

  it('matches free text against any field at any depth', () => {
    const event = { a: { b: ['x', 'hello world'] }, n: 1 };
    expect(matches('"hello world"', event)).toBe(true);
    expect(matches('hello*', event)).toBe(true);
    expect(matches('1', event)).toBe(true);
    expect(matches('Hello*', event)).toBe(false);
  });

  it('expands wildcard field names against the event\'s own fields', () => {
    const event = { file: { hash: { sha256: 'abc' } }, 'file.hash.md5': 'def' };
    expect(matches('file.hash.*:*', event)).toBe(true);
    expect(matches('file.hash.*:def', event)).toBe(true);
    expect(matches('file.hash.*:zzz', event)).toBe(false);
    expect(matches('file.pe.*:*', event)).toBe(false);
    expect(matches('"file.hash.*":abc', event)).toBe(false);
  });

  it('evaluates a nested query inside each object, so both conditions need the same object', () => {
    const event = { deltas: [{ action: 'ADD', role: 'a' }, { action: 'REMOVE', role: 'b' }] };
    expect(matches('deltas:{ action:ADD and role:a }', event)).toBe(true);
    expect(matches('deltas:{ action:ADD and role:b }', event)).toBe(false);
    expect(matches('deltas:{ not action:ADD }', event)).toBe(true);
    expect(matches('missing:{ a:1 }', event)).toBe(false);
  });

  it('matches everything for the empty query and *:*', () => {
    expect(matches('', {})).toBe(true);
    expect(matches('*:*', {})).toBe(true);
  });

  it('never matches field:null', () => {
    expect(matches('f:null', { f: 'null' })).toBe(false);
    expect(matches('not f:null', { f: 'x' })).toBe(true);
  });
});

describe('compileKql: ranges (SPEC §B.3)', () => {
  it('compares strings lexicographically by code point', () => {
    expect(matches('f < b', { f: 'a' })).toBe(true);
    expect(matches('f < b', { f: 'c' })).toBe(false);
    expect(matches('f >= "10"', { f: '9' })).toBe(true);
    expect(matches('f > 5000', { f: '2024' })).toBe(false);
    expect(matches('f > "\uffff"', { f: '\u{1F600}' })).toBe(true);
  });

  it('compares ISO dates as dates, with missing parts rounded as Elasticsearch does', () => {
    const event = { '@timestamp': '2024-05-01T10:00:00Z' };
    expect(matches('@timestamp >= "2024-05-01"', event)).toBe(true);
    expect(matches('@timestamp > "2024-05-01"', event)).toBe(false);
    expect(matches('@timestamp <= 2024-05-01', event)).toBe(true);
    expect(matches('@timestamp < "2024-05-01T12:00:00+02:00"', event)).toBe(false);
    expect(matches('@timestamp > 1714557000000', event)).toBe(true);
  });

  it('evaluates date math once, relative to the compile-time now', () => {
    const now = Date.parse('2024-05-02T00:00:00Z');
    const event = { '@timestamp': '2024-05-01T10:00:00Z' };
    expect(matches('@timestamp >= now-1d', event, now)).toBe(true);
    expect(matches('@timestamp >= now-1h', event, now)).toBe(false);
    expect(matches('@timestamp >= now-1d/d', event, now)).toBe(true);
    expect(matches('@timestamp > now-1d/d', event, now)).toBe(false);
    expect(matches('@timestamp < "2024-04-30||+1d"', event, now)).toBe(false);
    expect(matches('@timestamp < now', { '@timestamp': Date.parse('2024-05-01T00:00:00Z') }, now)).toBe(true);
  });

  it('never matches booleans, missing fields or null bounds', () => {
    expect(matches('f > 0', { f: true })).toBe(false);
    expect(matches('f > 0', {})).toBe(false);
    expect(matches('f > null', { f: 1 })).toBe(false);
  });
});

describe('compileKql: hostile input', () => {
  it('treats event text and query text as data only', () => {
    const q = 'f:"); process.exit(1); ("';
    expect(matches(q, { f: '); process.exit(1); (' })).toBe(true);
    expect(matches('__proto__:*', JSON.parse('{"__proto__": {"x": 1}}'))).toBe(true);
    expect(matches('constructor:*', {})).toBe(false);
  });

  it('stays fast on wildcard patterns built to backtrack', () => {
    const predicate = compileKql(parseKql('f:*a*a*a*a*a*a*a*a*b'));
    const start = performance.now();
    expect(predicate({ f: 'a'.repeat(50_000) })).toBe(false);
    expect(performance.now() - start).toBeLessThan(1000);
  });
});
