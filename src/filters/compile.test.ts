import { describe, expect, it } from 'vitest';
import { FieldTypeTable, loadMapping } from '../fieldTypes/index.js';
import type { EcsEvent } from '../event/types.js';
import { ANY } from '../prefilter/needles.js';
import { compileFilters } from './compile.js';
import { parseRuleFilters } from './parse.js';

const NOW = Date.parse('2024-05-02T00:00:00Z');
const builtin = FieldTypeTable.builtin();
const mapped = FieldTypeTable.withMapping(
  loadMapping({
    mappings: {
      properties: {
        kw: { type: 'keyword', ignore_above: 5 },
        low: { type: 'keyword', normalizer: 'lowercase' },
        txt: { type: 'text' },
        flag: { type: 'boolean' },
        cat: { type: 'text' },
      },
    },
  }),
);

/** One filter (a DSL clause under `query`) compiled against `table`. */
function filter(query: object, options: { negate?: boolean; disabled?: boolean; table?: FieldTypeTable } = {}) {
  const compiled = compileFilters(parseRuleFilters([{ meta: { negate: options.negate ?? false, disabled: options.disabled ?? false }, query }]), {
    fieldTypes: options.table ?? builtin,
    now: NOW,
  });
  if (compiled === undefined) throw new Error('no filter compiled');
  return compiled;
}
const holds = (query: object, event: EcsEvent, options?: Parameters<typeof filter>[1]) => filter(query, options).predicate(event);

describe('filter clauses by field type (Elasticsearch semantics)', () => {
  it('term on a keyword is exact and case-sensitive; case_insensitive folds ASCII', () => {
    expect(holds({ term: { 'process.name': 'bash' } }, { process: { name: 'bash' } })).toBe(true);
    expect(holds({ term: { 'process.name': 'bash' } }, { process: { name: 'Bash' } })).toBe(false);
    expect(holds({ term: { 'process.name': { value: 'bash', case_insensitive: true } } }, { process: { name: 'BASH' } })).toBe(true);
    expect(holds({ term: { 'process.name': { value: 'é', case_insensitive: true } } }, { process: { name: 'É' } })).toBe(false);
  });

  it('term on text compares one indexed token, not the analysed value', () => {
    expect(holds({ term: { message: 'error' } }, { message: 'Disk ERROR on sda' })).toBe(true);
    expect(holds({ term: { message: 'ERROR' } }, { message: 'Disk ERROR on sda' })).toBe(false);
    expect(holds({ term: { message: 'disk error' } }, { message: 'Disk ERROR on sda' })).toBe(false);
  });

  it('term on numbers, ips and dates reads the value by the type; case_insensitive there is refused', () => {
    expect(holds({ term: { 'process.pid': 200 } }, { process: { pid: '200' } })).toBe(true);
    expect(holds({ term: { 'source.ip': '10.0.0.0/8' } }, { source: { ip: '10.1.2.3' } })).toBe(true);
    expect(holds({ term: { '@timestamp': '2024-05-01' } }, { '@timestamp': '2024-05-01T23:00:00Z' })).toBe(true);
    expect(() => filter({ term: { 'process.pid': { value: 1, case_insensitive: true } } })).toThrow(/does not support case_insensitive/);
  });

  it('terms is any of its values; keyword ignore_above and a lowercase normalizer apply', () => {
    expect(holds({ terms: { 'process.name': ['sh', 'bash'] } }, { process: { name: ['zsh', 'bash'] } })).toBe(true);
    expect(holds({ terms: { kw: ['abcdef'] } }, { kw: 'abcdef' }, { table: mapped })).toBe(false);
    expect(holds({ term: { low: 'ABC' } }, { low: 'aBc' }, { table: mapped })).toBe(true);
  });

  it('match analyses on text (any token) and is exact on a keyword; match_phrase wants the tokens in order', () => {
    expect(holds({ match: { message: 'disk failure' } }, { message: 'Disk ERROR' })).toBe(true);
    expect(holds({ match: { 'process.name': 'bash' } }, { process: { name: 'bash -c' } })).toBe(false);
    expect(holds({ match_phrase: { message: 'error disk' } }, { message: 'Disk ERROR' })).toBe(false);
    expect(holds({ match_phrase: { message: 'disk error' } }, { message: 'Disk ERROR' })).toBe(true);
    expect(holds({ match_phrase: { 'process.command_line.text': 'rm -rf' } }, { process: { command_line: 'sudo rm -rf /' } })).toBe(true);
  });

  it('wildcard on a keyword matches the whole value; on text each token, the pattern as written', () => {
    expect(holds({ wildcard: { 'file.path': { value: '?:\\\\Windows\\\\*', case_insensitive: true } } }, { file: { path: 'c:\\windows\\x' } })).toBe(true);
    expect(holds({ wildcard: { 'file.path': { value: '?:\\\\Windows\\\\*' } } }, { file: { path: 'c:\\windows\\x' } })).toBe(false);
    expect(holds({ wildcard: { txt: 'err*' } }, { txt: 'An ERROR here' }, { table: mapped })).toBe(true);
    expect(holds({ wildcard: { txt: 'ERR*' } }, { txt: 'An ERROR here' }, { table: mapped })).toBe(false);
    expect(holds({ wildcard: { txt: { value: 'ERR*', case_insensitive: true } } }, { txt: 'An ERROR here' }, { table: mapped })).toBe(true);
    expect(holds({ wildcard: { 'process.command_line': '*-enc *' } }, { process: { command_line: 'powershell -enc AAA' } })).toBe(true);
    expect(() => filter({ wildcard: { 'process.pid': '1*' } })).toThrow(/Can only use wildcard queries on keyword, text and wildcard fields/);
  });

  it('prefix is a literal prefix (its * and ? are text)', () => {
    expect(holds({ prefix: { 'file.path': '/tmp/' } }, { file: { path: '/tmp/x' } })).toBe(true);
    expect(holds({ prefix: { 'file.path': '/tm?' } }, { file: { path: '/tmp/x' } })).toBe(false);
    expect(holds({ prefix: { 'file.path': { value: '/TMP', case_insensitive: true } } }, { file: { path: '/tmp/x' } })).toBe(true);
  });

  it('exists: any value, an object with a value inside; null, [] and [null] are none', () => {
    const q = { exists: { field: 'user.name' } };
    expect(holds(q, { user: { name: '' } })).toBe(true);
    expect(holds(q, { 'user.name': 'x' })).toBe(true);
    expect(holds(q, { user: { name: null } })).toBe(false);
    expect(holds(q, { user: { name: [] } })).toBe(false);
    expect(holds(q, { user: { name: [null] } })).toBe(false);
    expect(holds(q, {})).toBe(false);
  });

  it('range: every bound on one value, by type (numbers, dates with date math, keywords by code point)', () => {
    expect(holds({ range: { 'process.pid': { gte: 10, lt: 20 } } }, { process: { pid: [5, 15] } })).toBe(true);
    expect(holds({ range: { 'process.pid': { gte: 10, lt: 20 } } }, { process: { pid: [5, 25] } })).toBe(false);
    expect(holds({ range: { '@timestamp': { gte: 'now-1d' } } }, { '@timestamp': '2024-05-01T12:00:00Z' })).toBe(true);
    expect(holds({ range: { '@timestamp': { gte: 'now-1d' } } }, { '@timestamp': '2024-04-30T12:00:00Z' })).toBe(false);
    expect(holds({ range: { 'process.name': { gt: 'b' } } }, { process: { name: 'c' } })).toBe(true);
  });

  it('reads fields as KQL does: arrays of objects, dotted keys, mixed forms', () => {
    const q = { term: { 'process.name': 'b' } };
    expect(holds(q, { process: [{ name: 'a' }, { name: 'b' }] })).toBe(true);
    expect(holds(q, { 'process.name': 'b' })).toBe(true);
    expect(holds(q, { process: { pid: 1 }, 'process.name': ['b'] })).toBe(true);
  });

  it('an unmapped field is read by each value\'s JSON type', () => {
    expect(holds({ term: { 'x.y': '5' } }, { x: { y: 5 } })).toBe(true);
    expect(holds({ term: { 'x.y': 'true' } }, { x: { y: true } })).toBe(true);
    expect(holds({ wildcard: { 'x.y': 'ab*' } }, { x: { y: 'abc' } })).toBe(true);
  });
});

describe('bool, negate and disabled', () => {
  const a = { term: { 'process.name': 'a' } };
  const b = { term: { 'user.name': 'b' } };
  it('must, must_not, should with minimum_should_match', () => {
    expect(holds({ bool: { must: [a], must_not: [b] } }, { process: { name: 'a' } })).toBe(true);
    expect(holds({ bool: { must: [a], must_not: [b] } }, { process: { name: 'a' }, user: { name: 'b' } })).toBe(false);
    expect(holds({ bool: { should: [a, b] } }, { user: { name: 'b' } })).toBe(true);
    expect(holds({ bool: { should: [a, b], minimum_should_match: 2 } }, { user: { name: 'b' } })).toBe(false);
    expect(holds({ bool: { should: [a, b], minimum_should_match: 3 } }, { process: { name: 'a' }, user: { name: 'b' } })).toBe(false);
    // With a filter clause, should is optional (minimum 0).
    expect(holds({ bool: { filter: [a], should: [b] } }, { process: { name: 'a' } })).toBe(true);
  });

  it('negate is must_not: true where the field is missing, false when any value matches', () => {
    const q = { term: { 'process.name': 'a' } };
    expect(holds(q, {}, { negate: true })).toBe(true);
    expect(holds(q, { process: { name: ['x', 'a'] } }, { negate: true })).toBe(false);
  });

  it('disabled filters are left out', () => {
    expect(compileFilters(parseRuleFilters([{ meta: { disabled: true }, query: { match_none: {} } }]), { fieldTypes: builtin, now: NOW })).toBeUndefined();
  });
});

describe('needles and categories of filters', () => {
  it('a positive exact term on a plain keyword gives its quoted text; terms an OR of them', () => {
    expect(filter({ term: { 'process.name': 'bash' } }).need).toEqual({ kind: 'lit', text: '"bash"' });
    expect(filter({ terms: { 'process.name': ['sh', 'bash'] } }).need).toEqual({ kind: 'or', of: [{ kind: 'lit', text: '"sh"' }, { kind: 'lit', text: '"bash"' }] });
  });

  it('no needle where the line may spell the value otherwise or the filter holds without it', () => {
    expect(filter({ term: { 'process.name': 'bash' } }, { negate: true }).need).toEqual(ANY);
    expect(filter({ term: { 'process.name': { value: 'bash', case_insensitive: true } } }).need).toEqual(ANY);
    expect(filter({ term: { 'process.name': '200' } }).need).toEqual(ANY);
    expect(filter({ match: { message: 'error' } }).need).toEqual(ANY);
    expect(filter({ term: { low: 'abc' } }, { table: mapped }).need).toEqual(ANY);
    expect(filter({ wildcard: { 'process.name': 'ba*' } }).need).toEqual(ANY);
    expect(filter({ bool: { should: [{ term: { 'process.name': 'a' } }], filter: [{ exists: { field: 'x' } }] } }).need).toEqual(ANY);
  });

  it('bool needs what its must clauses and its required should clauses need', () => {
    expect(filter({ bool: { must: [{ term: { 'process.name': 'a' } }], should: [{ term: { 'user.name': 'b' } }, { term: { 'user.name': 'c' } }], minimum_should_match: 1 } }).need).toEqual({
      kind: 'and',
      of: [{ kind: 'lit', text: '"a"' }, { kind: 'or', of: [{ kind: 'lit', text: '"b"' }, { kind: 'lit', text: '"c"' }] }],
    });
  });

  it('a positive term on a keyword event.category implies categories; a negated one or a text mapping does not', () => {
    expect(filter({ terms: { 'event.category': ['process', 'file'] } }).categories).toEqual(['process', 'file']);
    expect(filter({ bool: { filter: [{ match_phrase: { 'event.category': 'network' } }] } }).categories).toEqual(['network']);
    expect(filter({ term: { 'event.category': 'process' } }, { negate: true }).categories).toBeUndefined();
    const textCategory = FieldTypeTable.withMapping(loadMapping({ mappings: { properties: { event: { properties: { category: { type: 'text' } } } } } }));
    expect(filter({ term: { 'event.category': 'process' } }, { table: textCategory }).categories).toBeUndefined();
  });
});
