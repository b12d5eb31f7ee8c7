import { hasAnyValue } from '../event/fields.js';
import { allOf, anyOf } from '../event/predicates.js';
import type { Predicate } from '../event/types.js';
import { asciiFold, type StringMatcher } from '../event/wildcard.js';
import { analyze, compileRangeMatcher, compileTermMatcher, FieldQueryError, isPlainKeyword } from '../fieldTypes/index.js';
import type { FieldType, FieldTypeTable, ValueMatcher } from '../fieldTypes/index.js';
import { lowerCase } from '../fieldTypes/analysis.js';
import { compileTypedFieldClause } from '../kql/fieldAccess.js';
import type { ValueTest } from '../kql/fieldAccess.js';
import { ANY, and, exactStringNeed, or, type Need } from '../prefilter/needles.js';
import type { DslClause, DslValue, RuleFilter } from './ast.js';
import { compileLuceneWildcard, escapeLuceneWildcard } from './luceneWildcard.js';

/**
 * Rule filters compiled like the rule's query: a predicate over one event, the needles every
 * event it accepts has in its raw line (src/prefilter), and the `event.category` values it
 * implies (engine/dispatch.ts). Kibana ANDs the enabled filters with the query (`buildEsQuery`:
 * the query's clauses and the filters' sit side by side in one `bool`), a negated filter under
 * `must_not`; Elasticsearch answers each clause by the field's mapping, which src/fieldTypes
 * knows, and reads fields as KQL does (arrays: any element; dotted keys and objects alike; a
 * multi-field reads its parent's value).
 */
export interface CompiledFilters {
  predicate: Predicate;
  need: Need;
  /** undefined: the filters imply no category. */
  categories: readonly string[] | undefined;
}

export interface FilterCompileContext {
  fieldTypes: FieldTypeTable;
  /** `now` of date math in range bounds, epoch millis. */
  now: number;
}

/** The enabled filters as one condition; undefined when there are none (the query alone decides). */
export function compileFilters(filters: readonly RuleFilter[], ctx: FilterCompileContext): CompiledFilters | undefined {
  const enabled = filters.filter((f) => !f.disabled);
  if (enabled.length === 0) return undefined;
  const predicates = enabled.map((f) => {
    const p = compileClause(f.clause, ctx);
    return f.negate ? not(p) : p;
  });
  // A negated filter promises nothing about the line or the categories (it holds where the field is missing).
  const positive = enabled.filter((f) => !f.negate);
  let categories: readonly string[] | undefined;
  for (const f of positive) categories ??= clauseCategories(f.clause, ctx);
  return { predicate: allOf(predicates), need: and(positive.map((f) => clauseNeed(f.clause, ctx))), categories };
}

function not(p: Predicate): Predicate {
  return (event) => !p(event);
}

function compileClause(clause: DslClause, ctx: FilterCompileContext): Predicate {
  switch (clause.kind) {
    case 'matchAll':
      return () => true;
    case 'matchNone':
      return () => false;
    case 'bool': {
      const must = clause.must.map((c) => compileClause(c, ctx));
      const mustNot = clause.mustNot.map((c) => compileClause(c, ctx));
      const should = clause.should.map((c) => compileClause(c, ctx));
      const parts: Predicate[] = [...must];
      if (mustNot.length > 0) {
        const anyNot = anyOf(mustNot);
        parts.push((event) => !anyNot(event));
      }
      const k = clause.minimumShouldMatch;
      // More required than there are: a BooleanQuery that matches nothing.
      if (k > should.length) return () => false;
      if (k === 1) parts.push(anyOf(should));
      else if (k > 1) parts.push(atLeast(k, should));
      return allOf(parts);
    }
    case 'term':
      return field(clause.field, ctx, (type) => anyValue(clause.values.map((v) => termMatcher(type, v, clause.caseInsensitive, ctx))));
    case 'match':
      return field(clause.field, ctx, (type) => compileTermMatcher(type, text(clause.query), { phrase: clause.phrase, nowMs: ctx.now }));
    case 'wildcard': {
      const pattern = clause.from === 'prefix' ? `${escapeLuceneWildcard(clause.pattern)}*` : clause.pattern;
      return field(clause.field, ctx, (type) => wildcardMatcher(type, pattern, clause.caseInsensitive, clause.from));
    }
    case 'exists':
      return field(clause.field, ctx, () => valueExists);
    case 'range':
      return field(clause.field, ctx, (type) => {
        // One value must lie within every bound (a point range query on a multi-valued field).
        const bounds = clause.bounds.map((b) => compileRangeMatcher(type, b.operator, text(b.value), { nowMs: ctx.now }));
        return (v) => bounds.every((b) => b(v));
      });
  }
}

function atLeast(k: number, should: readonly Predicate[]): Predicate {
  return (event) => {
    let n = 0;
    for (let i = 0; i < should.length; i++) if (should[i]!(event) && ++n >= k) return true;
    return false;
  };
}

/** A clause on one field, typed by the mapping; a refusal names the field for the rule error. */
function field(name: string, ctx: FilterCompileContext, testFor: (type: FieldType) => ValueTest): Predicate {
  return compileTypedFieldClause({ kind: 'name', name, quoted: true }, { fieldTypes: ctx.fieldTypes, pathPrefix: '' }, (resolved) => testFor(resolved.type));
}

function anyValue(matchers: readonly ValueMatcher[]): ValueMatcher {
  return matchers.length === 1 ? matchers[0]! : (v) => matchers.some((m) => m(v));
}

/** The text Elasticsearch makes of a JSON literal: numbers and booleans by their JSON text. */
function text(v: DslValue): string {
  return typeof v === 'string' ? v : String(v);
}

function valueExists(value: unknown): boolean {
  return typeof value !== 'object' || hasAnyValue([value]);
}

/** What a string field makes of one event value: its keyword text, or nothing for objects. */
function scalarText(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

interface KeywordProfile {
  ignoreAbove: number | undefined;
  normalize: (s: string) => string;
}

/** Fields whose indexed term is the whole value: keyword (with its normaliser and ignore_above), wildcard, constant_keyword, the unmodelled types. */
function keywordProfile(type: FieldType): KeywordProfile | undefined {
  switch (type.type) {
    case 'keyword':
      return { ignoreAbove: type.ignoreAbove, normalize: type.normalizer === 'lowercase' ? lowerCase : (s) => s };
    case 'wildcard':
    case 'constant_keyword':
    case 'other':
      return { ignoreAbove: undefined, normalize: (s) => s };
    default:
      return undefined;
  }
}

/**
 * `term`: the value as indexed, not analysed (TermQueryBuilder). A keyword compares the whole
 * (normalised) value; `text` a single token, so `term: {message: "Error"}` finds nothing the
 * lowercasing analyser indexed; other types read the value by their type, as KQL does.
 * `case_insensitive` folds ASCII letters (AutomatonQueries.caseInsensitiveTermQuery) and exists for
 * string fields only.
 */
function termMatcher(type: FieldType, value: DslValue, caseInsensitive: boolean, ctx: FilterCompileContext): ValueMatcher {
  const wanted = text(value);
  const fold = caseInsensitive ? asciiFold : (s: string) => s;
  const kw = keywordProfile(type) ?? (type.type === 'dynamic' && caseInsensitive ? { ignoreAbove: undefined, normalize: (s: string) => s } : undefined);
  if (kw !== undefined) {
    const target = fold(kw.normalize(wanted));
    const limit = kw.ignoreAbove ?? Infinity;
    return (v) => {
      const s = scalarText(v);
      return s !== undefined && s.length <= limit && fold(kw.normalize(s)) === target;
    };
  }
  if (type.type === 'text' || type.type === 'match_only_text') {
    const analyzer = type.analyzer;
    const target = fold(wanted);
    return (v) => {
      const s = scalarText(v);
      return s !== undefined && analyze(analyzer, s, (token) => fold(token) === target);
    };
  }
  if (caseInsensitive) throw new FieldQueryError(`[term] query on a field of type [${typeLabel(type)}] does not support case_insensitive`);
  // Dynamic (each value by its JSON type), ip, date, numbers, boolean: what a match on the type does.
  return compileTermMatcher(type, wanted, { phrase: false, nowMs: ctx.now });
}

/**
 * `wildcard` and `prefix`: Lucene's pattern against the indexed terms (StringFieldType.wildcardQuery,
 * the pattern not analysed): a keyword's whole value (normalised like the pattern), each token of
 * a `text` value, an unmapped string; Elasticsearch refuses them on other types. Exception items'
 * `wildcard` entries are this query too (Kibana builds them as one), so they use it as well.
 */
export function wildcardMatcher(type: FieldType, pattern: string, caseInsensitive: boolean, from: 'wildcard' | 'prefix'): ValueMatcher {
  const kw = keywordProfile(type) ?? (type.type === 'dynamic' ? { ignoreAbove: undefined, normalize: (s: string) => s } : undefined);
  if (kw !== undefined) {
    const matches: StringMatcher = compileLuceneWildcard(kw.normalize(pattern), caseInsensitive);
    const limit = kw.ignoreAbove ?? Infinity;
    // An unmapped number or boolean is read by its JSON text (SPEC §C), as KQL does.
    return (v) => {
      const s = scalarText(v);
      return s !== undefined && s.length <= limit && matches(kw.normalize(s));
    };
  }
  switch (type.type) {
    case 'text':
    case 'match_only_text': {
      const matches = compileLuceneWildcard(pattern, caseInsensitive);
      const analyzer = type.analyzer;
      return (v) => {
        const s = scalarText(v);
        return s !== undefined && analyze(analyzer, s, (token) => matches(token));
      };
    }
    case 'object':
    case 'nested':
      return () => false;
    default:
      throw new FieldQueryError(`Can only use ${from} queries on keyword, text and wildcard fields - not on a field of type [${typeLabel(type)}]`);
  }
}

function typeLabel(type: FieldType): string {
  return type.type === 'other' || type.type === 'unindexed' ? type.esType : type.type;
}


/**
 * The need of a clause: case-sensitive `term`/`terms`/`match`/`match_phrase` of string values on
 * a field that holds them as written; `bool` combines its parts. Everything else (patterns,
 * ranges, exists, analysed or typed fields, `must_not`) promises no bytes: `ANY` is always safe.
 */
function clauseNeed(clause: DslClause, ctx: FilterCompileContext): Need {
  switch (clause.kind) {
    case 'bool': {
      const needs = clause.must.map((c) => clauseNeed(c, ctx));
      // Only when some should clause must hold: with none required, `should` promises nothing.
      if (clause.minimumShouldMatch >= 1) needs.push(or(clause.should.map((c) => clauseNeed(c, ctx))));
      return and(needs);
    }
    case 'term':
    case 'match': {
      if (clause.kind === 'term' && clause.caseInsensitive) return ANY;
      const values = clause.kind === 'term' ? clause.values : [clause.query];
      const { type } = ctx.fieldTypes.resolve(clause.field);
      // A plain keyword holds the query's text as the line's bytes; an unmapped string too (a number
      // value is a number in the line, and exactStringNeed gives no need for numeric text).
      if (!isPlainKeyword(type) && type.type !== 'dynamic') return ANY;
      // A keyword with a null_value matches a JSON null too, which the line writes as `null`.
      if (type.type === 'keyword' && type.nullValue !== undefined) return ANY;
      return or(values.map((v) => (typeof v === 'string' ? exactStringNeed(v) : ANY)));
    }
    default:
      return ANY;
  }
}

/** A category word the event's keyword `event.category` holds exactly (kql/nodes/is.ts). */
const PLAIN_CATEGORY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `event.category` values a clause requires: exact string clauses on a plain-keyword `event.category`, and `bool`'s must. */
function clauseCategories(clause: DslClause, ctx: FilterCompileContext): readonly string[] | undefined {
  switch (clause.kind) {
    case 'bool':
      for (const c of clause.must) {
        const found = clauseCategories(c, ctx);
        if (found !== undefined) return found;
      }
      return undefined;
    case 'term':
    case 'match': {
      if (clause.field !== 'event.category' || (clause.kind === 'term' && clause.caseInsensitive)) return undefined;
      const { type } = ctx.fieldTypes.resolve(clause.field);
      if (!(type.type === 'dynamic' || (type.type === 'keyword' && type.normalizer === undefined))) return undefined;
      const values = clause.kind === 'term' ? clause.values : [clause.query];
      const words: string[] = [];
      for (const v of values) {
        if (typeof v !== 'string' || !PLAIN_CATEGORY.test(v) || v === 'true' || v === 'false') return undefined;
        words.push(v);
      }
      return words;
    }
    default:
      return undefined;
  }
}
