/**
 * A rule's `filters` (Kibana filter objects), as lkm-scan understands them once parsed
 * (parse.ts). Kibana keeps a filter's Query DSL body and its `meta` apart: `meta.disabled` drops
 * the filter, `meta.negate` puts its query under `must_not`, and the body is Elasticsearch Query
 * DSL (kbn-es-query `es_query/from_filters.ts`). The types are plain data, so a rule that holds
 * them still serialises to JSON (the worker fingerprint, src/rules/shared.ts).
 */

/** A literal of a DSL clause as the JSON gave it. */
export type DslValue = string | number | boolean;

/** `gt`, `gte`, `lt`, `lte` with the bound as written (a number, a date, date math, a word). */
export interface RangeBound {
  operator: 'gt' | 'gte' | 'lt' | 'lte';
  value: DslValue;
}

/** One Query DSL clause lkm-scan evaluates. Every other clause type is refused at parse time. */
export type DslClause =
  | { kind: 'matchAll' }
  | { kind: 'matchNone' }
  /** `bool`: every `must` and `filter` clause, no `must_not` clause, at least `minimumShouldMatch` of `should`. */
  | { kind: 'bool'; must: DslClause[]; mustNot: DslClause[]; should: DslClause[]; minimumShouldMatch: number }
  /** `term` (one value) and `terms` (any of several): the value as indexed, not analysed. */
  | { kind: 'term'; field: string; values: DslValue[]; caseInsensitive: boolean }
  /** `match` (`phrase: false`) and `match_phrase`: the value is analysed by the field's search analyser. */
  | { kind: 'match'; field: string; query: DslValue; phrase: boolean }
  /** `wildcard` (Lucene syntax: `*`, `?`, `\` escapes) and `prefix` (kept as its wildcard: escaped text and `*`). */
  | { kind: 'wildcard'; field: string; pattern: string; caseInsensitive: boolean; from: 'wildcard' | 'prefix' }
  | { kind: 'exists'; field: string }
  | { kind: 'range'; field: string; bounds: RangeBound[] };

export type DslClauseKind = DslClause['kind'];

/** One filter of `rule.filters`: Kibana applies the enabled ones, a negated one under `must_not`. */
export interface RuleFilter {
  /** `meta.negate`: the rule keeps the events the clause rejects. */
  negate: boolean;
  /** `meta.disabled`: Kibana leaves the filter out of the search (kept so `rules show` can say so). */
  disabled: boolean;
  clause: DslClause;
  /** The 1-based line of the filter's `[[rule.filters]]` header in the rule file, when known. */
  line?: number;
}
