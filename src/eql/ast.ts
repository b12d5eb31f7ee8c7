/**
 * The typed AST produced by grammars/eql.peggy (Elasticsearch's EQL dialect, SPEC §A).
 * Every node carries `at`, its place in the query text, so that compile errors point at the offender.
 */
import type { DurationUnit } from '../time/duration.js';

/** Where a node sits in the query text: 0-based offset, 1-based line and column, length in characters. */
export interface SourceSpan {
  offset: number;
  line: number;
  column: number;
  length: number;
}

export type EqlQuery = EventQuery | SequenceQuery | SampleQuery | JoinQuery;

/** `category where condition` (SPEC §A.3). */
export interface EventQuery {
  type: 'event';
  filter: EventFilter;
  pipes: Pipe[];
  at: SourceSpan;
}

/** `sequence [by k...] [with maxspan=N] [q] [by ...] [with runs=N] ... [until [q]]` (SPEC §A.9). */
export interface SequenceQuery {
  type: 'sequence';
  by: Expr[];
  maxspan: MaxSpan | null;
  steps: SequenceStep[];
  until: UntilClause | null;
  pipes: Pipe[];
  at: SourceSpan;
}

export interface SequenceStep {
  filter: EventFilter;
  /** Per-step join keys; they follow the sequence-level `by` keys (SPEC §A.9). */
  by: Expr[];
  /** `with runs=N`: the step repeats N times; null when absent. */
  runs: number | null;
  /** `![q]`: a missing event, the sequence matches only if no such event occurs. */
  missing: boolean;
  at: SourceSpan;
}

export interface UntilClause {
  filter: EventFilter;
  by: Expr[];
  at: SourceSpan;
}

/** `sample [by k...] [q1] [by ...] [q2] ...` (SPEC §A.9): unordered, grouped per key. */
export interface SampleQuery {
  type: 'sample';
  by: Expr[];
  steps: SampleStep[];
  pipes: Pipe[];
  at: SourceSpan;
}

export interface SampleStep {
  filter: EventFilter;
  by: Expr[];
  at: SourceSpan;
}

/** Legacy `join`: in the grammar of Elasticsearch but rejected by its analyzer; parsed only to say so. */
export interface JoinQuery {
  type: 'join';
  by: Expr[];
  steps: SampleStep[];
  pipes: Pipe[];
  at: SourceSpan;
}

export interface MaxSpan {
  value: number;
  /** EQL's units: the shared table's, without weeks. */
  unit: Exclude<DurationUnit, 'w'>;
  ms: number;
  at: SourceSpan;
}

export type EventCategory = { kind: 'any' } | { kind: 'name'; name: string; at: SourceSpan };

export interface EventFilter {
  category: EventCategory;
  condition: Expr;
  at: SourceSpan;
}

/** `| name args...`; lower-cased name. Only `head` and `tail` compile (SPEC §A.9). */
export interface Pipe {
  name: string;
  args: Expr[];
  at: SourceSpan;
}

// ---------------------------------------------------------------- expressions

export type Expr =
  | AndExpr
  | OrExpr
  | NotExpr
  | CompareExpr
  | MatchExpr
  | InExpr
  | ArithmeticExpr
  | NegateExpr
  | CallExpr
  | FieldRef
  | Literal;

export type Literal = StringLiteral | NumberLiteral | BooleanLiteral | NullLiteral;

export interface AndExpr {
  type: 'and';
  operands: Expr[];
  at: SourceSpan;
}

export interface OrExpr {
  type: 'or';
  operands: Expr[];
  at: SourceSpan;
}

export interface NotExpr {
  type: 'not';
  operand: Expr;
  at: SourceSpan;
}

export type CompareOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface CompareExpr {
  type: 'compare';
  op: CompareOperator;
  left: Expr;
  right: Expr;
  at: SourceSpan;
}

export type MatchOperator = ':' | 'like' | 'like~' | 'regex' | 'regex~';

/** `left : p`, `left !: p`, `left like (p1, p2)`, ...: true when the left side matches any pattern. */
export interface MatchExpr {
  type: 'match';
  op: MatchOperator;
  /** `!:` — `not (left : patterns)`. */
  negated: boolean;
  left: Expr;
  patterns: Expr[];
  at: SourceSpan;
}

/** `value [not] in[~] (list...)`. */
export interface InExpr {
  type: 'in';
  caseInsensitive: boolean;
  negated: boolean;
  value: Expr;
  list: Expr[];
  at: SourceSpan;
}

export interface ArithmeticExpr {
  type: 'arithmetic';
  op: '+' | '-' | '*' | '/' | '%';
  left: Expr;
  right: Expr;
  at: SourceSpan;
}

export interface NegateExpr {
  type: 'negate';
  operand: Expr;
  at: SourceSpan;
}

/** A function call; `name` as written (matched case-insensitively), `~` suffix → caseInsensitive. */
export interface CallExpr {
  type: 'call';
  name: string;
  caseInsensitive: boolean;
  args: Expr[];
  at: SourceSpan;
}

/** A field path: name segments (backticks resolved) and `[N]` array indexes. */
export interface FieldRef {
  type: 'field';
  /** `?field` (SPEC §A.7): offline it reads like the plain field. */
  optional: boolean;
  path: Array<string | number>;
  /** The field as written in the query. */
  text: string;
  at: SourceSpan;
}

export interface StringLiteral {
  type: 'string';
  value: string;
  at: SourceSpan;
}

export interface NumberLiteral {
  type: 'number';
  /** A bigint for an integer beyond 2^53 that no number holds (event/exactNumber.ts). */
  value: number | bigint;
  /** Written with a `.` or an exponent: arithmetic on it is floating point (`7 / 2.0` is 3.5). */
  decimal: boolean;
  at: SourceSpan;
}

export interface BooleanLiteral {
  type: 'boolean';
  value: boolean;
  at: SourceSpan;
}

export interface NullLiteral {
  type: 'null';
  at: SourceSpan;
}

/** The value of a literal node; `null` for the null literal, `undefined` when `expr` is not a literal. */
export function literalOf(expr: Expr): string | number | bigint | boolean | null | undefined {
  switch (expr.type) {
    case 'string':
    case 'number':
    case 'boolean':
      return expr.value;
    case 'null':
      return null;
    default:
      return undefined;
  }
}

/**
 * The event filters of a query whose events matter: every step of a sequence or sample, missing
 * events and `until` included.
 */
export function eventFiltersOf(query: EqlQuery): EventFilter[] {
  switch (query.type) {
    case 'event':
      return [query.filter];
    case 'sequence':
      return [...query.steps.map((s) => s.filter), ...(query.until ? [query.until.filter] : [])];
    case 'sample':
    case 'join':
      return query.steps.map((s) => s.filter);
  }
}
