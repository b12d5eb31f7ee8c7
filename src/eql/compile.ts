import { compileFieldReader, hasAnyValue, isScalar, scalarText } from '../event/fields.js';
import type { EcsEvent, Predicate, Scalar } from '../event/types.js';
import { literalOf, type CallExpr, type EqlQuery, type EventFilter, type Expr, type Pipe, type SourceSpan } from './ast.js';
import {
  colonTest,
  equalsTest,
  likeTest,
  membershipTest,
  rangeTest,
  type LeafLiteral,
  type ValueTest,
} from './compare.js';
import { failAt, regexFailure } from './compileError.js';
import { checkCall, parseCidrLiteral } from './functions.js';
import { compileRawReader, compileScalarReader, type RawReader, type ScalarReader } from './fieldPath.js';
import { compileLuceneRegex } from './regex.js';
import { compileScriptPredicate } from './script.js';
import { bytesInCidr, parseIp } from '../event/cidr.js';
import { asciiFold } from '../event/wildcard.js';
import { allOf, anyOf } from '../event/predicates.js';

export interface EqlCompileOptions {
  /**
   * The field holding the event category (`X where ...`, SPEC §A.3); `event.category` unless the
   * rule sets `event_category_override`.
   */
  eventCategoryField?: string;
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
  const filter = (f: EventFilter): Predicate => compileEventFilter(f, categoryField);
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
      return { kind: 'sample', steps, keyCount, pipes: compilePipes(query.pipes) };
    }
    case 'join':
      return failAt(query, "'join' is not supported by Elasticsearch EQL: use 'sequence' or 'sample'");
  }
}

function compileJoinKey(expr: Expr): JoinKey {
  if (expr.type !== 'field') return failAt(expr, 'a join key must be a field name');
  return { text: expr.text, optional: expr.optional, read: compileScalarReader(expr) };
}

function compilePipes(pipes: Pipe[]): CompiledPipe[] {
  return pipes.map((pipe): CompiledPipe => {
    if (pipe.name !== 'head' && pipe.name !== 'tail') {
      return failAt(pipe, `pipe '| ${pipe.name}' is not supported: Elasticsearch EQL has only '| head N' and '| tail N'`);
    }
    const arg = pipe.args[0];
    if (pipe.args.length !== 1 || arg === undefined || arg.type !== 'number' || !Number.isInteger(arg.value) || arg.value < 0) {
      return failAt(pipe, `'| ${pipe.name}' needs one non-negative integer, e.g. '| ${pipe.name} 10'`);
    }
    return { kind: pipe.name, count: arg.value };
  });
}

/** `category where condition`: the category clause is case-sensitive, any element (SPEC §A.3). */
function compileEventFilter(filter: EventFilter, categoryField: string): Predicate {
  const condition = compileEqlCondition(filter.condition);
  if (filter.category.kind === 'any') return condition;
  const name = filter.category.name;
  const read = compileFieldReader(categoryField);
  const inCategory = (event: EcsEvent): boolean => {
    for (const v of read(event)) {
      if (v === name || (typeof v !== 'string' && (typeof v === 'number' || typeof v === 'boolean') && String(v) === name)) return true;
    }
    return false;
  };
  return (event) => inCategory(event) && condition(event);
}

// ---------------------------------------------------------------- conditions

/**
 * How Elasticsearch runs one part of a condition: as a Query DSL clause (two-valued: a leaf true
 * when any value of its field matches, `not` = must_not), or as a script (three-valued, SPEC §A.2).
 */
type Compiled = { kind: 'query'; test: Predicate } | { kind: 'script'; expr: Expr };

/** Compiles a `where` condition (without the category clause) to a predicate. */
export function compileEqlCondition(expr: Expr, _options: EqlCompileOptions = {}): Predicate {
  return toPredicate(compileBool(expr));
}

function toPredicate(c: Compiled): Predicate {
  return c.kind === 'query' ? c.test : compileScriptPredicate(c.expr);
}

const ALWAYS: Predicate = () => true;
const NEVER: Predicate = () => false;

function compileBool(expr: Expr): Compiled {
  switch (expr.type) {
    case 'and':
    case 'or': {
      const parts = expr.operands.map((o) => toPredicate(compileBool(o)));
      return { kind: 'query', test: expr.type === 'and' ? allOf(parts) : anyOf(parts) };
    }
    case 'not': {
      const inner = compileBool(expr.operand);
      if (inner.kind === 'script') return { kind: 'script', expr };
      const test = inner.test;
      return { kind: 'query', test: (event) => !test(event) };
    }
    case 'compare':
      return compileCompare(expr);
    case 'match':
      return compileMatch(expr);
    case 'in':
      return compileIn(expr);
    case 'call':
      return compileCall(expr);
    case 'field': {
      // A bare field as a condition is `field == true`.
      const read = compileRawReader(expr);
      return { kind: 'query', test: anyValue(read, (v) => v === true || v === 'true') };
    }
    case 'boolean':
      return { kind: 'query', test: expr.value ? ALWAYS : NEVER };
    case 'null':
      return { kind: 'query', test: NEVER };
    case 'string':
    case 'number':
    case 'arithmetic':
    case 'negate':
      return failAt(expr, 'expected a condition (a comparison, a boolean function or a boolean field) here, not a value');
  }
}

function referencesField(expr: Expr): boolean {
  switch (expr.type) {
    case 'field':
      return true;
    case 'and':
    case 'or':
      return expr.operands.some(referencesField);
    case 'not':
    case 'negate':
      return referencesField(expr.operand);
    case 'compare':
    case 'arithmetic':
      return referencesField(expr.left) || referencesField(expr.right);
    case 'match':
      return referencesField(expr.left) || expr.patterns.some(referencesField);
    case 'in':
      return referencesField(expr.value) || expr.list.some(referencesField);
    case 'call':
      return expr.args.some(referencesField);
    default:
      return false;
  }
}

/** SPEC §A.4: Elasticsearch rejects a comparison of a field with another field. */
function rejectFieldAgainstField(node: Expr, left: Expr, rights: readonly Expr[]): void {
  if (!referencesField(left)) return;
  const other = rights.find(referencesField);
  if (other === undefined) return;
  failAt(
    node,
    `cannot compare ${describeOperand(left)} with ${describeOperand(other)}: Elasticsearch EQL compares fields only with literal values`,
  );
}

function describeOperand(expr: Expr): string {
  return expr.type === 'field' ? `field '${expr.text}'` : 'an expression over a field';
}

/**
 * Any value of the field passes `test` (SPEC §A.1). Reads raw values and skips objects in the loop
 * rather than building a second array of scalars for every leaf of every event.
 */
function anyValue(read: RawReader, test: ValueTest): Predicate {
  return (event) => {
    const values = read(event);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (isScalar(v) && test(v)) return true;
    }
    return false;
  };
}

/** `f == null` is "missing" and `f != null` "exists" (SPEC §A.7); a non-field operand is a script. */
function nullCheck(node: Expr, operand: Expr, exists: boolean): Compiled {
  if (operand.type === 'field') {
    const read = compileRawReader(operand);
    return { kind: 'query', test: exists ? (e) => hasAnyValue(read(e)) : (e) => !hasAnyValue(read(e)) };
  }
  const nullLiteral: Expr = { type: 'null', at: node.at };
  return { kind: 'script', expr: { type: 'compare', op: exists ? '!=' : '==', left: operand, right: nullLiteral, at: node.at } };
}

const FLIPPED = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==', '!=': '!=' } as const;

function compileCompare(expr: Extract<Expr, { type: 'compare' }>): Compiled {
  rejectFieldAgainstField(expr, expr.left, [expr.right]);
  let { left, right, op } = expr;
  if (literalOf(left) !== undefined && literalOf(right) === undefined) {
    [left, right] = [right, left];
    op = FLIPPED[op];
  }
  const lit = literalOf(right);
  if (lit === null && (op === '==' || op === '!=')) return nullCheck(expr, left, op === '!=');
  if (left.type !== 'field' || lit === undefined || lit === null) return { kind: 'script', expr };
  const read = compileRawReader(left);
  switch (op) {
    case '==':
      return { kind: 'query', test: anyValue(read, equalsTest(lit, false)) };
    case '!=': {
      // SPEC §A.2: `a != b` is `not (a == b)` — true when the field is missing.
      const eq = anyValue(read, equalsTest(lit, false));
      return { kind: 'query', test: (e) => !eq(e) };
    }
    default:
      return { kind: 'query', test: anyValue(read, rangeTest(op, lit)) };
  }
}

function compileMatch(expr: Extract<Expr, { type: 'match' }>): Compiled {
  rejectFieldAgainstField(expr, expr.left, expr.patterns);
  let left = expr.left;
  let patterns = expr.patterns;
  // `"net.EXE" : original_file_name` reads as `original_file_name : "net.EXE"`.
  if (literalOf(left) !== undefined && patterns.length === 1 && literalOf(patterns[0]!) === undefined) {
    if (left.type === 'null' && expr.op === ':') return nullCheck(expr, patterns[0]!, expr.negated);
    [left, patterns] = [patterns[0]!, [left]];
  }
  if (expr.op === ':' && patterns.length === 1 && patterns[0]!.type === 'null') return nullCheck(expr, left, expr.negated);
  const literals = patterns.map(literalOf);
  if (left.type !== 'field' || !literals.every((l): l is LeafLiteral | null => l !== undefined)) {
    return { kind: 'script', expr: { ...expr, left, patterns } };
  }
  const read = compileRawReader(left);
  const tests: ValueTest[] = [];
  let orMissing = false;
  for (const [i, lit] of literals.entries()) {
    const pattern = patterns[i]!;
    if (lit === null) {
      if (expr.op !== ':') failAt(pattern, `'${expr.op}' needs string patterns, not null`);
      orMissing = true;
      continue;
    }
    tests.push(patternTest(expr.op, pattern, lit));
  }
  const one = tests.length === 1 ? tests[0]! : (v: Scalar) => tests.some((t) => t(v));
  const matches = anyValue(read, one);
  const positive: Predicate = orMissing ? (e) => !hasAnyValue(read(e)) || matches(e) : matches;
  return { kind: 'query', test: expr.negated ? (e) => !positive(e) : positive };
}

function patternTest(op: Extract<Expr, { type: 'match' }>['op'], pattern: Expr, lit: LeafLiteral): ValueTest {
  switch (op) {
    case ':':
      return colonTest(lit);
    case 'like':
    case 'like~':
      if (typeof lit !== 'string') return failAt(pattern, `'${op}' needs string patterns`);
      return likeTest(lit, op === 'like~');
    case 'regex':
    case 'regex~': {
      if (typeof lit !== 'string') return failAt(pattern, `'${op}' needs string patterns`);
      try {
        const m = compileLuceneRegex(lit, op === 'regex~');
        return (v) => m(scalarText(v));
      } catch (error) {
        return regexFailure(pattern, error);
      }
    }
  }
}

function compileIn(expr: Extract<Expr, { type: 'in' }>): Compiled {
  rejectFieldAgainstField(expr, expr.value, expr.list);
  const literals = expr.list.map(literalOf);
  if (expr.value.type !== 'field' || literals.some((l) => l === undefined)) return { kind: 'script', expr };
  const read = compileRawReader(expr.value);
  const present = literals.filter((l): l is LeafLiteral => l !== null && l !== undefined);
  const member = anyValue(read, membershipTest(present, expr.caseInsensitive));
  let test = member;
  if (present.length !== literals.length) test = (e) => !hasAnyValue(read(e)) || member(e);
  const finalTest = test;
  // SPEC §A.2: `f not in (...)` is `not (f in (...))`.
  return { kind: 'query', test: expr.negated ? (e) => !finalTest(e) : finalTest };
}

/** Functions Elasticsearch turns into a Query DSL leaf when applied to a field (SPEC §A.2). */
const LEAF_FUNCTIONS = new Set(['startswith', 'endswith', 'stringcontains', 'cidrmatch']);

function compileCall(expr: CallExpr): Compiled {
  const spec = checkCall(expr);
  const name = spec.name.toLowerCase();
  const [first, ...rest] = expr.args;
  if (!LEAF_FUNCTIONS.has(name) || first === undefined || first.type !== 'field') return { kind: 'script', expr };
  if (name === 'cidrmatch') {
    const blocks = rest.map(parseCidrLiteral);
    const read = compileRawReader(first);
    return {
      kind: 'query',
      test: anyValue(read, (v) => {
        if (typeof v !== 'string') return false;
        const bytes = parseIp(v);
        return bytes !== null && blocks.some((b) => bytesInCidr(bytes, b));
      }),
    };
  }
  const arg = rest[0]!;
  if (arg.type !== 'string') return { kind: 'script', expr };
  const ci = expr.caseInsensitive;
  const needle = ci ? asciiFold(arg.value) : arg.value;
  const text = ci ? (v: Scalar) => asciiFold(scalarText(v)) : scalarText;
  const read = compileRawReader(first);
  let test: ValueTest;
  if (name === 'startswith') test = (v) => text(v).startsWith(needle);
  else if (name === 'endswith') test = (v) => text(v).endsWith(needle);
  // SPEC §A.8: stringContains with an empty substring is false.
  else test = needle === '' ? () => false : (v) => text(v).includes(needle);
  return { kind: 'query', test: anyValue(read, test) };
}
