import type { EcsEvent, Predicate, Scalar } from '../event/types.js';
import type { EqlQuery, EventFilter, Expr, Pipe, SourceSpan } from './ast.js';
import { failAt } from './compileError.js';
import type { ScalarReader } from './fieldPath.js';
import { scalarsOf } from '../event/fields.js';
import { compileCondition, EVENT_FILTER, toPredicate } from './operators/index.js';
import { FieldTypeTable } from '../fieldTypes/index.js';
import { checkJoinKeyTypes, fieldReader, joinKeyConversion } from './fieldTypes.js';

export interface EqlCompileOptions {
  /**
   * The field holding the event category (`X where ...`, SPEC §A.3); `event.category` unless the
   * rule sets `event_category_override`.
   */
  eventCategoryField?: string;
  /**
   * The index mapping the query runs against (README "### EQL and field types"): dates, ips,
   * numbers and booleans compare as their type, text without a keyword multi-field is refused.
   * Default: ECS and the integration fields (FieldTypeTable.builtin()); a field it does not
   * know compares as it always did.
   */
  fieldTypes?: FieldTypeTable;
}

/** `| head N` keeps the first N results, `| tail N` the last N (SPEC §A.9: the only pipes). */
export type CompiledPipe = { kind: 'head'; count: number } | { kind: 'tail'; count: number };

/**
 * A join key of a sequence or sample (SPEC §A.9). `read` returns every value of the key field;
 * `optional` (`?field`) allows an event without it (its key is then null). See `readJoinKey`.
 */
export interface JoinKey {
  text: string;
  optional: boolean;
  read: ScalarReader;
}

/** One query of a sequence: an event matches the step when `predicate` holds. */
export interface CompiledSequenceStep {
  predicate: Predicate;
  /** Sequence-level keys followed by this step's own `by` keys; the same count for every step. */
  keys: JoinKey[];
  /** `with runs=N`: the step must match N consecutive times (1 without the clause). */
  runs: number;
  /** `![q]`: the sequence matches only if no such event falls between its neighbours (needs maxspan). */
  missing: boolean;
}

export interface CompiledUntil {
  predicate: Predicate;
  keys: JoinKey[];
}

export interface CompiledSampleStep {
  predicate: Predicate;
  keys: JoinKey[];
}

/**
 * A compiled EQL query, ready for an engine. Single-event queries are a predicate; sequences and
 * samples are per-step predicates with join keys, the engine keeps their state (SPEC §A.9).
 */
export type CompiledEql =
  | { kind: 'event'; predicate: Predicate; pipes: CompiledPipe[] }
  | {
      kind: 'sequence';
      steps: CompiledSequenceStep[];
      until: CompiledUntil | null;
      /** `with maxspan`: the first and last events must be at most this far apart; null = unbounded. */
      maxspanMs: number | null;
      /** Number of join keys of every step (0 = no `by`). */
      keyCount: number;
      pipes: CompiledPipe[];
    }
  | { kind: 'sample'; steps: CompiledSampleStep[]; keyCount: number; pipes: CompiledPipe[] };

/**
 * The join key tuple of an event: the first value of each key, null for a missing optional key;
 * null overall when a required key is missing (SPEC §A.9: such an event is excluded).
 */
export function readJoinKey(keys: readonly JoinKey[], event: EcsEvent): Array<Scalar | null> | null {
  const out: Array<Scalar | null> = [];
  for (const key of keys) {
    const values = key.read(event);
    if (values.length === 0) {
      if (!key.optional) return null;
      out.push(null);
    } else out.push(values[0]!);
  }
  return out;
}

export function compileEql(query: EqlQuery, options: EqlCompileOptions = {}): CompiledEql {
  const categoryField = options.eventCategoryField ?? 'event.category';
  const fieldTypes = options.fieldTypes ?? FieldTypeTable.builtin();
  const filter = (f: EventFilter): Predicate => compileEventFilter(f, categoryField, fieldTypes);
  const compileJoinKey = (expr: Expr): JoinKey => joinKeyOf(expr, fieldTypes);
  switch (query.type) {
    case 'event':
      return { kind: 'event', predicate: filter(query.filter), pipes: compilePipes(query.pipes) };
    case 'sequence': {
      // A lone query repeated `with runs=N` is a sequence too (Elastic's rules use it).
      const eventCount = query.steps.reduce((n, s) => n + (s.runs ?? 1), 0);
      if (eventCount < 2) failAt(query, 'a sequence needs at least two [queries] (or one [query] with runs=N)');
      if (query.steps.every((s) => s.missing)) failAt(query, 'a sequence needs at least one query that is not a missing event ![...]');
      const missing = query.steps.find((s) => s.missing);
      if (missing !== undefined && query.maxspan === null) {
        failAt(missing, 'a missing event ![...] needs the sequence to have "with maxspan=..."');
      }
      const shared = query.by.map(compileJoinKey);
      const keyCount = shared.length + query.steps[0]!.by.length;
      const keysOf = (by: Expr[], where: { at: SourceSpan }): JoinKey[] => {
        const keys = [...shared, ...by.map(compileJoinKey)];
        if (keys.length !== keyCount) {
          failAt(where, `every query of a sequence needs the same number of join keys (${keyCount}), this one has ${keys.length}`);
        }
        return keys;
      };
      const steps = query.steps.map((s): CompiledSequenceStep => {
        if (s.runs !== null && (s.runs < 1 || s.runs > 100)) failAt(s, `runs must be between 1 and 100, not ${s.runs}`);
        return { predicate: filter(s.filter), keys: keysOf(s.by, s), runs: s.runs ?? 1, missing: s.missing };
      });
      const until = query.until === null ? null : { predicate: filter(query.until.filter), keys: keysOf(query.until.by, query.until) };
      checkJoinKeyTypes('Sequence', [...query.steps, ...(query.until === null ? [] : [query.until])].map((s) => [...query.by, ...s.by]), fieldTypes);
      return {
        kind: 'sequence',
        steps,
        until,
        maxspanMs: query.maxspan === null ? null : query.maxspan.ms,
        keyCount,
        pipes: compilePipes(query.pipes),
      };
    }
    case 'sample': {
      const shared = query.by.map(compileJoinKey);
      const keyCount = shared.length + query.steps[0]!.by.length;
      const steps = query.steps.map((s): CompiledSampleStep => {
        const keys = [...shared, ...s.by.map(compileJoinKey)];
        if (keys.length !== keyCount) {
          failAt(s, `every query of a sample needs the same number of join keys (${keyCount}), this one has ${keys.length}`);
        }
        return { predicate: filter(s.filter), keys };
      });
      checkJoinKeyTypes('Sample', query.steps.map((s) => [...query.by, ...s.by]), fieldTypes);
      return { kind: 'sample', steps, keyCount, pipes: compilePipes(query.pipes) };
    }
    case 'join':
      return failAt(query, "'join' is not supported by Elasticsearch EQL: use 'sequence' or 'sample'");
  }
}

function joinKeyOf(expr: Expr, fieldTypes: FieldTypeTable): JoinKey {
  if (expr.type !== 'field') return failAt(expr, 'a join key must be a field name');
  const raw = fieldReader(fieldTypes, expr);
  const read: ScalarReader = (event) => scalarsOf(raw(event));
  const convert = joinKeyConversion(fieldTypes, expr);
  return { text: expr.text, optional: expr.optional, read: convert === undefined ? read : (event) => convert(read(event)) };
}

function compilePipes(pipes: Pipe[]): CompiledPipe[] {
  return pipes.map((pipe): CompiledPipe => {
    if (pipe.name !== 'head' && pipe.name !== 'tail') {
      return failAt(pipe, `pipe '| ${pipe.name}' is not supported: Elasticsearch EQL has only '| head N' and '| tail N'`);
    }
    const arg = pipe.args[0];
    if (pipe.args.length !== 1 || arg === undefined || arg.type !== 'number' || typeof arg.value !== 'number' || !Number.isInteger(arg.value) || arg.value < 0) {
      return failAt(pipe, `'| ${pipe.name}' needs one non-negative integer, e.g. '| ${pipe.name} 10'`);
    }
    return { kind: pipe.name, count: arg.value };
  });
}

/** `category where condition` (SPEC §A.3), through its operator (operators/eventFilter.ts). */
function compileEventFilter(filter: EventFilter, categoryField: string, fieldTypes: FieldTypeTable): Predicate {
  return EVENT_FILTER.compile(filter, compileEqlCondition(filter.condition, { fieldTypes }), categoryField);
}

// ---------------------------------------------------------------- conditions

/** Compiles a `where` condition (without the category clause) to a predicate. */
export function compileEqlCondition(expr: Expr, options: EqlCompileOptions = {}): Predicate {
  const fieldTypes = options.fieldTypes ?? FieldTypeTable.builtin();
  return toPredicate(compileCondition(expr, fieldTypes), fieldTypes);
}
