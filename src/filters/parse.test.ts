import { describe, expect, it } from 'vitest';
import { describeFilter } from './describe.js';
import { FilterSyntaxError, parseRuleFilters } from './parse.js';

const wildcard = { wildcard: { 'file.path': { case_insensitive: true, value: '?:\\\\x\\\\*' } } };

describe('parseRuleFilters: the filter shapes of Kibana and the pack', () => {
  it('reads meta.negate / meta.disabled and the DSL under `query` (the pack\'s wildcard filters)', () => {
    expect(parseRuleFilters([{ meta: { negate: true }, query: wildcard }])).toEqual([
      { negate: true, disabled: false, clause: { kind: 'wildcard', field: 'file.path', pattern: '?:\\\\x\\\\*', caseInsensitive: true, from: 'wildcard' } },
    ]);
    expect(parseRuleFilters([{ meta: { disabled: true }, query: wildcard }])[0]).toMatchObject({ negate: false, disabled: true });
  });

  it('reads the DSL at the top level when there is no `query` (migrateFilter), ignoring $state and meta.key/type/params', () => {
    const filter = { $state: { store: 'appState' }, exists: { field: 'user_agent.original' }, meta: { negate: true, key: 'user_agent.original', type: 'exists', value: 'exists', params: { query: 'x' } } };
    expect(parseRuleFilters([filter])).toEqual([{ negate: true, disabled: false, clause: { kind: 'exists', field: 'user_agent.original' } }]);
  });

  it('drops other top-level keys when `query` is present', () => {
    expect(parseRuleFilters([{ query: { exists: { field: 'a' } }, range: { b: { gte: 1 } } }])[0]!.clause).toEqual({ kind: 'exists', field: 'a' });
  });

  it('turns the old phrase filter (match with type phrase) into match_phrase', () => {
    expect(parseRuleFilters([{ query: { match: { 'process.name': { query: 'bash', type: 'phrase' } } } }])[0]!.clause).toEqual({ kind: 'match', field: 'process.name', query: 'bash', phrase: true });
    expect(parseRuleFilters([{ match: { 'process.name': { query: 'bash', type: 'phrase' } } }])[0]!.clause).toMatchObject({ phrase: true });
  });

  it('reads term (short and long form), terms, prefix and range (new and old bounds)', () => {
    const clauses = parseRuleFilters([
      { query: { term: { 'event.category': 'process' } } },
      { query: { term: { 'user.name': { value: 'Bob', case_insensitive: true, boost: 2 } } } },
      { query: { terms: { 'process.name': ['a', 'b', 3] } } },
      { query: { prefix: { 'file.path': { value: '/tmp/' } } } },
      { query: { range: { 'process.pid': { gte: 10, lt: '20' } } } },
      { query: { range: { 'process.pid': { from: 1, to: 5, include_upper: false } } } },
    ]).map((f) => f.clause);
    expect(clauses).toEqual([
      { kind: 'term', field: 'event.category', values: ['process'], caseInsensitive: false },
      { kind: 'term', field: 'user.name', values: ['Bob'], caseInsensitive: true },
      { kind: 'term', field: 'process.name', values: ['a', 'b', 3], caseInsensitive: false },
      { kind: 'wildcard', field: 'file.path', pattern: '/tmp/', caseInsensitive: false, from: 'prefix' },
      { kind: 'range', field: 'process.pid', bounds: [{ operator: 'gte', value: 10 }, { operator: 'lt', value: '20' }] },
      { kind: 'range', field: 'process.pid', bounds: [{ operator: 'gte', value: 1 }, { operator: 'lt', value: 5 }] },
    ]);
  });

  it('reads bool with one clause or a list, and its minimum_should_match default and forms', () => {
    const bool = (b: object) => parseRuleFilters([{ query: { bool: b } }])[0]!.clause;
    const term = { term: { a: 'x' } };
    expect(bool({ should: [term, term] })).toMatchObject({ minimumShouldMatch: 1, should: [{ kind: 'term' }, { kind: 'term' }] });
    expect(bool({ filter: term, should: [term] })).toMatchObject({ minimumShouldMatch: 0, must: [{ kind: 'term' }] });
    expect(bool({ must_not: term })).toMatchObject({ mustNot: [{ kind: 'term' }] });
    expect(bool({ should: [term, term, term, term], minimum_should_match: '75%' })).toMatchObject({ minimumShouldMatch: 3 });
    expect(bool({ should: [term, term, term], minimum_should_match: -1 })).toMatchObject({ minimumShouldMatch: 2 });
    expect(bool({ should: [term, term], minimum_should_match: '2' })).toMatchObject({ minimumShouldMatch: 2 });
  });

  it('reads a combined filter: AND like the filter list, OR as should', () => {
    const params = [{ meta: {}, query: { term: { a: 'x' } } }, { meta: { negate: true }, query: { term: { b: 'y' } } }, { meta: { disabled: true }, query: { term: { c: 'z' } } }];
    expect(parseRuleFilters([{ meta: { type: 'combined', relation: 'AND', params } }])[0]!.clause).toEqual({
      kind: 'bool',
      must: [{ kind: 'term', field: 'a', values: ['x'], caseInsensitive: false }],
      mustNot: [{ kind: 'term', field: 'b', values: ['y'], caseInsensitive: false }],
      should: [],
      minimumShouldMatch: 0,
    });
    expect(parseRuleFilters([{ meta: { type: 'combined', relation: 'OR', params } }])[0]!.clause).toMatchObject({ kind: 'bool', minimumShouldMatch: 1, should: [{ kind: 'bool' }, { kind: 'bool' }] });
  });
});

describe('parseRuleFilters refuses what it cannot evaluate exactly, with the path', () => {
  const refused: Array<[filter: unknown, path: string, message: RegExp]> = [
    [{ query: { query_string: { query: 'x' } } }, '[0].query.query_string', /`query_string` query, which lkm-scan does not evaluate; supported: bool, term/],
    [{ query: { term: { a: { value: 'x', fuzziness: 2 } } } }, '[0].query.term.a.fuzziness', /not a parameter lkm-scan knows here/],
    [{ query: { term: { a: 'x' }, exists: { field: 'a' } } }, '[0].query', /holds 2 clauses/],
    [{ query: {} }, '[0].query', /empty/],
    [{ meta: {} }, '[0]', /empty/],
    [{ query: { exists: { field: 'file.*' } } }, '[0].query.exists.field', /pattern/],
    [{ query: { match_phrase: { a: { query: 'x y', slop: 2 } } } }, '[0].query.match_phrase.a.slop', /must be 0/],
    [{ query: { match: { a: { query: 'x y', operator: 'and' } } } }, '[0].query.match.a.operator', /"or"/],
    [{ query: { range: { '@timestamp': { gte: 'now-1d', format: 'epoch_millis' } } } }, '[0].query.range.@timestamp.format', /format/],
    [{ query: { terms: { a: { index: 'i', id: '1', path: 'p' } } } }, '[0].query.terms.a', /live cluster/],
    [{ query: { term: { a: null } } }, '[0].query.term.a.value', /string, number or boolean/],
    [{ query: { bool: { should: [{ term: { a: 'x' } }], minimum_should_match: '3<90%' } } }, '[0].query.bool.minimum_should_match', /integer/],
    [{ meta: { negate: 'yes' }, query: { match_all: {} } }, '[0].meta.negate', /true or false/],
    [{ meta: { type: 'combined', relation: 'XOR', params: [] } }, '[0].meta.relation', /"AND" or "OR"/],
    ['x', '[0]', /must be a table/],
  ];
  it.each(refused)('%j at %s', (filter, path, message) => {
    try {
      parseRuleFilters([filter]);
      expect.unreachable();
    } catch (e) {
      if (!(e instanceof FilterSyntaxError)) throw e;
      expect(e.path).toBe(path);
      expect(e.message).toMatch(message);
    }
  });

  it('bounds nesting (hostile rule files)', () => {
    let clause: object = { match_all: {} };
    for (let i = 0; i < 1000; i++) clause = { bool: { must: [clause] } };
    expect(() => parseRuleFilters([{ query: clause }])).toThrow(/deeper than 20/);
  });

  it('takes a missing list as none and refuses a list that is not one', () => {
    expect(parseRuleFilters(undefined)).toEqual([]);
    expect(() => parseRuleFilters({ query: {} })).toThrow(FilterSyntaxError);
  });
});

describe('describeFilter (rules show)', () => {
  it('says what each filter keeps or drops in one line', () => {
    const lines = parseRuleFilters([
      { meta: { negate: true }, query: wildcard },
      { meta: { disabled: true }, query: { terms: { 'process.name': ['a', 'b'] } } },
      { query: { bool: { filter: [{ exists: { field: 'x' } }], must_not: { range: { n: { gte: 1, lt: 5 } } }, should: [{ match_phrase: { m: 'p q' } }, { prefix: { f: '/tmp' } }], minimum_should_match: 1 } } },
    ]).map(describeFilter);
    expect(lines).toEqual([
      'NOT file.path wildcard "?:\\\\x\\\\*" (case-insensitive)',
      '(disabled) process.name terms ["a", "b"]',
      '(x exists AND NOT n >= 1 and < 5 AND any of (m match_phrase "p q"; f prefix "/tmp"))',
    ]);
  });
});
