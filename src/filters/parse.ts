import type { DslClause, DslValue, RangeBound, RuleFilter } from './ast.js';

/**
 * Reads `rule.filters` into typed filters, the way Kibana turns them into the rule's search
 * (kbn-es-query `es_query/from_filters.ts` `buildQueryFromFilters`, `migrate_filter.ts`,
 * `from_combined_filter.ts`, `filters/helpers/meta_filter.ts` `cleanFilter`):
 * - `meta.disabled: true` drops the filter; `meta.negate: true` puts it under `must_not`;
 * - the DSL body is `query` when the filter has one (its other top-level keys are dropped), else
 *   every top-level key but `meta` and `$state` (`exists`, `range`, `match_phrase`, … of older
 *   saved filters);
 * - `match` with `type: "phrase"` (the old phrase filter) is `match_phrase`;
 * - `meta.type: "combined"` ANDs or ORs the filters of `meta.params` (`meta.relation`).
 * Any clause or parameter lkm-scan cannot evaluate exactly is a FilterSyntaxError naming its path
 * (README "Rule filters" lists what is supported), never a silent guess.
 */
export class FilterSyntaxError extends Error {
  override readonly name = 'FilterSyntaxError';
  constructor(
    message: string,
    /** Where in `rule.filters`, as `[2].query.wildcard` (index of the filter, then the key path). */
    readonly path: string,
    /** Which filter of the list (0-based). */
    readonly index: number,
    /** The same path as keys and indexes (`[2, 'query', 'wildcard']`), to find its line in the TOML. */
    readonly segments: readonly (string | number)[] = [index],
  ) {
    super(message);
  }
}

type Table = Record<string, unknown>;

/** Hostile rule files may nest `bool` without end; Elasticsearch refuses deeper than 20 by default (`indices.query.bool.max_nested_depth`). */
const MAX_DEPTH = 20;

export function parseRuleFilters(raw: unknown): RuleFilter[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new FilterSyntaxError('must be an array of tables ([[rule.filters]])', '', 0, []);
  return raw.map((f, i) => parseFilter(f, new Reader(i, `[${i}]`, [i]), 0));
}

/** Tracks where in the filter list a value is, for messages. */
class Reader {
  constructor(
    readonly index: number,
    readonly path: string,
    readonly segments: readonly (string | number)[],
  ) {}
  at(key: string | number): Reader {
    const path = typeof key === 'number' ? `${this.path}[${key}]` : `${this.path}.${/^[A-Za-z0-9_$@-]+$/.test(key) ? key : JSON.stringify(key)}`;
    return new Reader(this.index, path, [...this.segments, key]);
  }
  fail(message: string): never {
    throw new FilterSyntaxError(message, this.path, this.index, this.segments);
  }
}

function parseFilter(raw: unknown, at: Reader, depth: number): RuleFilter {
  if (!isTable(raw)) return at.fail('must be a table (a Kibana filter object with `meta` and `query`)');
  const meta = raw.meta === undefined ? {} : raw.meta;
  if (!isTable(meta)) return at.at('meta').fail('must be a table');
  const negate = flag(meta, 'negate', at.at('meta'));
  const disabled = flag(meta, 'disabled', at.at('meta'));
  if (meta.type === 'combined') return { negate, disabled, clause: parseCombined(meta, at.at('meta'), depth) };
  return { negate, disabled, clause: parseClause(filterBody(raw, at), raw.query === undefined ? at : at.at('query'), depth) };
}

/** migrateFilter + translateToQuery: the DSL object Kibana sends for this filter. */
function filterBody(raw: Table, at: Reader): Table {
  if (raw.query !== undefined) {
    if (!isTable(raw.query)) return at.at('query').fail('must be a table holding one Query DSL clause');
    return raw.query;
  }
  const body: Table = {};
  for (const [key, value] of Object.entries(raw)) if (key !== 'meta' && key !== '$state') body[key] = value;
  return body;
}

function parseCombined(meta: Table, at: Reader, depth: number): DslClause {
  if (depth >= MAX_DEPTH) return at.fail(`nests filters deeper than ${MAX_DEPTH} levels`);
  const params = meta.params;
  if (!Array.isArray(params)) return at.at('params').fail('must be the list of filters a combined filter joins');
  const filters = params.map((p, i) => parseFilter(p, at.at('params').at(i), depth + 1)).filter((f) => !f.disabled);
  const relation = meta.relation === undefined ? 'AND' : meta.relation;
  if (relation === 'AND') return boolOfFilters(filters);
  if (relation === 'OR') return { kind: 'bool', must: [], mustNot: [], should: filters.map((f) => boolOfFilters([f])), minimumShouldMatch: 1 };
  return at.at('relation').fail(`is ${describe(relation)}; a combined filter joins its filters with "AND" or "OR"`);
}

/** buildQueryFromFilters: enabled filters under `filter`, negated ones under `must_not`. */
function boolOfFilters(filters: readonly RuleFilter[]): DslClause {
  const must = filters.filter((f) => !f.negate).map((f) => f.clause);
  const mustNot = filters.filter((f) => f.negate).map((f) => f.clause);
  return { kind: 'bool', must, mustNot, should: [], minimumShouldMatch: 0 };
}

function parseClause(body: unknown, at: Reader, depth: number): DslClause {
  if (!isTable(body)) return at.fail('must be a table holding one Query DSL clause');
  const keys = Object.keys(body);
  if (keys.length === 0) return at.fail('is empty: Elasticsearch refuses an empty query clause ("query malformed, empty clause found")');
  if (keys.length > 1) return at.fail(`holds ${keys.length} clauses (${keys.join(', ')}); a query object holds exactly one, join several with bool`);
  const type = keys[0]!;
  const value = body[type];
  const inner = at.at(type);
  switch (type) {
    case 'match_all':
      params(value, inner, ['boost', '_name']);
      return { kind: 'matchAll' };
    case 'match_none':
      params(value, inner, ['boost', '_name']);
      return { kind: 'matchNone' };
    case 'bool':
      return parseBool(value, inner, depth);
    case 'term':
      return parseTerm(value, inner);
    case 'terms':
      return parseTerms(value, inner);
    case 'match':
    case 'match_phrase':
      return parseMatch(value, inner, type === 'match_phrase');
    case 'wildcard':
      return parseWildcard(value, inner, 'wildcard');
    case 'prefix':
      return parseWildcard(value, inner, 'prefix');
    case 'exists': {
      const t = params(value, inner, ['field', 'boost', '_name']);
      return { kind: 'exists', field: fieldName(t.field, inner.at('field')) };
    }
    case 'range':
      return parseRange(value, inner);
    default:
      return inner.fail(`is a \`${type}\` query, which lkm-scan does not evaluate; supported: ${SUPPORTED.join(', ')}`);
  }
}

export const SUPPORTED = ['bool', 'term', 'terms', 'match', 'match_phrase', 'wildcard', 'prefix', 'exists', 'range', 'match_all', 'match_none'];

function parseBool(value: unknown, at: Reader, depth: number): DslClause {
  if (depth >= MAX_DEPTH) return at.fail(`nests bool deeper than ${MAX_DEPTH} levels`);
  const t = params(value, at, ['must', 'filter', 'should', 'must_not', 'minimum_should_match', 'boost', '_name', 'adjust_pure_negative']);
  const list = (key: string): DslClause[] => {
    const v = t[key];
    if (v === undefined) return [];
    // Elasticsearch takes one clause or an array of them.
    const items = Array.isArray(v) ? v : [v];
    return items.map((item, i) => parseClause(item, Array.isArray(v) ? at.at(key).at(i) : at.at(key), depth + 1));
  };
  const must = [...list('must'), ...list('filter')];
  const should = list('should');
  const mustNot = list('must_not');
  // BoolQueryBuilder: without must/filter, one should clause is required; with them, none.
  const fallback = should.length > 0 && must.length === 0 ? 1 : 0;
  const minimumShouldMatch = t.minimum_should_match === undefined ? fallback : minShouldMatch(t.minimum_should_match, should.length, at.at('minimum_should_match'));
  return { kind: 'bool', must, mustNot, should, minimumShouldMatch };
}

/**
 * `minimum_should_match` as Elasticsearch's `Queries.calculateMinShouldMatch` reads the simple
 * forms: an integer (`2`, `"2"`), a negative one (all but N), a percentage (`"75%"`, rounded
 * down; `"-25%"`). Conditional forms (`3<90%`) are refused.
 */
function minShouldMatch(value: unknown, optional: number, at: Reader): number {
  const text = typeof value === 'number' && Number.isInteger(value) ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  const m = text === undefined ? null : /^(-?)(\d+)(%?)$/.exec(text);
  if (m === null) return at.fail(`is ${describe(value)}; lkm-scan reads an integer ("2", "-1") or a percentage ("75%")`);
  const n = Number(m[2]);
  const count = m[3] === '%' ? Math.floor((optional * n) / 100) : n;
  const result = m[1] === '-' ? optional - count : count;
  return result < 0 ? 0 : result;
}

/** `{field: value}` or `{field: {<valueKey>: value, ...}}`: the one field and its parameters. */
function fieldAndParams(value: unknown, at: Reader, valueKey: string, allowed: string[]): { field: string; params: Table; at: Reader } {
  const t = isTable(value) ? value : at.fail('must be a table naming one field');
  const fields = Object.keys(t).filter((k) => k !== 'boost' && k !== '_name');
  if (fields.length !== 1) return at.fail(`must name exactly one field, found ${fields.length === 0 ? 'none' : fields.join(', ')}`);
  const name = fields[0]!;
  const inner = at.at(name);
  const v = t[name];
  const p = isTable(v) ? params(v, inner, [valueKey, 'boost', '_name', ...allowed]) : { [valueKey]: v };
  return { field: fieldName(name, at), params: p, at: inner };
}

function parseTerm(value: unknown, at: Reader): DslClause {
  const { field, params: p, at: inner } = fieldAndParams(value, at, 'value', ['case_insensitive']);
  return { kind: 'term', field, values: [scalar(p.value, inner.at('value'))], caseInsensitive: flag(p, 'case_insensitive', inner) };
}

function parseTerms(value: unknown, at: Reader): DslClause {
  const t = isTable(value) ? value : at.fail('must be a table naming one field and its list of values');
  const fields = Object.keys(t).filter((k) => k !== 'boost' && k !== '_name');
  if (fields.length !== 1) return at.fail(`must name exactly one field, found ${fields.length === 0 ? 'none' : fields.join(', ')}`);
  const name = fields[0]!;
  const list = t[name];
  if (!Array.isArray(list)) return at.at(name).fail('must be a list of values (a terms lookup from another index needs a live cluster)');
  return { kind: 'term', field: fieldName(name, at), values: list.map((v, i) => scalar(v, at.at(name).at(i))), caseInsensitive: false };
}

function parseMatch(value: unknown, at: Reader, phrase: boolean): DslClause {
  const { field, params: p, at: inner } = fieldAndParams(value, at, 'query', phrase ? ['slop', 'analyzer'] : ['operator', 'type', 'analyzer']);
  if (p.analyzer !== undefined) return inner.at('analyzer').fail("sets a search analyzer; lkm-scan analyses with the field's own");
  if (phrase && p.slop !== undefined && p.slop !== 0) return inner.at('slop').fail('must be 0: lkm-scan matches phrases exactly');
  if (!phrase && p.operator !== undefined && !(typeof p.operator === 'string' && p.operator.toLowerCase() === 'or')) {
    return inner.at('operator').fail(`is ${describe(p.operator)}; lkm-scan evaluates match with the default operator "or"`);
  }
  // migrate_filter.ts: the old phrase filter is `match` with `type: "phrase"`.
  const isPhrase = phrase || p.type === 'phrase';
  if (!phrase && p.type !== undefined && p.type !== 'phrase' && p.type !== 'boolean') return inner.at('type').fail(`is ${describe(p.type)}; expected "phrase"`);
  return { kind: 'match', field, query: scalar(p.query, inner.at('query')), phrase: isPhrase };
}

function parseWildcard(value: unknown, at: Reader, from: 'wildcard' | 'prefix'): DslClause {
  const t = isTable(value) ? value : at.fail('must be a table naming one field');
  const fields = Object.keys(t).filter((k) => k !== 'boost' && k !== '_name');
  if (fields.length !== 1) return at.fail(`must name exactly one field, found ${fields.length === 0 ? 'none' : fields.join(', ')}`);
  const name = fields[0]!;
  const inner = at.at(name);
  const v = t[name];
  let p: Table;
  if (isTable(v)) {
    p = params(v, inner, from === 'wildcard' ? ['value', 'wildcard', 'case_insensitive', 'boost', '_name', 'rewrite'] : ['value', 'case_insensitive', 'boost', '_name', 'rewrite']);
  } else {
    p = { value: v };
  }
  // WildcardQueryBuilder takes the pattern as `value` or `wildcard`.
  const raw = p.value ?? p.wildcard;
  if (typeof raw !== 'string') return inner.at('value').fail(`must be a string, found ${describe(raw)}`);
  return { kind: 'wildcard', field: fieldName(name, at), pattern: raw, caseInsensitive: flag(p, 'case_insensitive', inner), from };
}

function parseRange(value: unknown, at: Reader): DslClause {
  const t = isTable(value) ? value : at.fail('must be a table naming one field');
  const fields = Object.keys(t).filter((k) => k !== 'boost' && k !== '_name');
  if (fields.length !== 1) return at.fail(`must name exactly one field, found ${fields.length === 0 ? 'none' : fields.join(', ')}`);
  const name = fields[0]!;
  const field = fieldName(name, at);
  const inner = at.at(name);
  if (!isTable(t[name])) return inner.fail('must be a table of bounds (gt, gte, lt, lte)');
  const p = params(t[name], inner, ['gt', 'gte', 'lt', 'lte', 'from', 'to', 'include_lower', 'include_upper', 'relation', 'format', 'time_zone', 'boost', '_name']);
  if (p.format !== undefined) return inner.at('format').fail("sets a date format; lkm-scan reads bounds with the field's own format (give the bound in it)");
  if (p.time_zone !== undefined) return inner.at('time_zone').fail('sets a time zone; give the bound with its offset instead (UTC when none)');
  if (p.relation !== undefined && !(typeof p.relation === 'string' && p.relation.toLowerCase() === 'intersects')) return inner.at('relation').fail('applies to range fields only, which lkm-scan does not model');
  const bounds: RangeBound[] = [];
  const bound = (operator: RangeBound['operator'], v: unknown, key: string) => {
    // A null bound is an open end (RangeQueryBuilder).
    if (v === undefined || v === null) return;
    bounds.push({ operator, value: scalar(v, inner.at(key)) });
  };
  for (const op of ['gt', 'gte', 'lt', 'lte'] as const) bound(op, p[op], op);
  // The old form: from/to with include_lower/include_upper (both default true).
  bound(flagOr(p, 'include_lower', true, inner) ? 'gte' : 'gt', p.from, 'from');
  bound(flagOr(p, 'include_upper', true, inner) ? 'lte' : 'lt', p.to, 'to');
  return { kind: 'range', field, bounds };
}

/** A table whose keys are all known: Elasticsearch refuses a clause with any other key ("[term] query does not support [x]"). */
function params(value: unknown, at: Reader, allowed: string[]): Table {
  if (value === undefined || value === null) return {};
  if (!isTable(value)) return at.fail(`must be a table, found ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) return at.at(key).fail(`is not a parameter lkm-scan knows here (expected ${allowed.join(', ')})`);
  }
  return value;
}

function fieldName(name: unknown, at: Reader): string {
  if (typeof name !== 'string' || name === '') return at.fail(`must name a field, found ${describe(name)}`);
  if (name.includes('*')) return at.fail(`names fields by a pattern ("${name}"); name one field`);
  return name;
}

function scalar(v: unknown, at: Reader): DslValue {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  return at.fail(`must be a string, number or boolean, found ${describe(v)}`);
}

function flag(t: Table, key: string, at: Reader): boolean {
  return flagOr(t, key, false, at);
}

function flagOr(t: Table, key: string, fallback: boolean, at: Reader): boolean {
  const v = t[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') return at.at(key).fail(`must be true or false, found ${describe(v)}`);
  return v;
}

function isTable(v: unknown): v is Table {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `"${v}"`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  return typeof v === 'object' ? 'a table' : typeof v;
}
