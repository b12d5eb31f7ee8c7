import { isScalar } from '../../event/fields.js';
import type { Predicate, Scalar } from '../../event/types.js';
import { compareExact, numberOfText, type ExactNumber } from '../../event/exactNumber.js';
import { isNumericText } from '../../event/numericText.js';
import { asciiFold } from '../../event/wildcard.js';
import type { FieldTypeTable } from '../../fieldTypes/index.js';
import type { Need } from '../../prefilter/needles.js';
import type { Expr } from '../ast.js';
import { failAt } from '../compileError.js';
import type { RawReader } from '../fieldPath.js';
import type { ScriptValue } from '../functions.js';
import type { ScriptFields } from '../script.js';

/**
 * The one interface every EQL expression operator implements (like Kibana's kuery `functions/`:
 * one file per operator, every back-end side by side). Each module under `operators/` exports one
 * object of this shape, and `operators/index.ts` maps every `Expr['type']` to one of them; the
 * compiler, the prefilter and the nesting check only dispatch through that table. A change to what
 * an operator means is therefore made, and tested, next to the needles it promises.
 *
 * Sub-expressions are reached through the context passed in, never by importing the table, so an
 * operator module depends only on this file and on the value semantics it uses.
 */
export interface ExprOperator<E extends Expr> {
  /** The direct sub-expressions (for the nesting check and for finding field references). */
  operands(expr: E): readonly Expr[];
  /**
   * As a condition: a Query DSL leaf where Elasticsearch builds one (two-valued, true when any
   * value of the field passes, SPEC §A.1), otherwise a script (SPEC §A.2).
   */
  condition(expr: E, ctx: ConditionContext): Compiled;
  /** As a Painless-like script: null-propagating, three-valued (SPEC §A.2 exception). */
  script(expr: E, ctx: ScriptContext): CompiledScript;
  /**
   * What a raw line must contain for the expression to hold (prefilter/needles.ts). It must be
   * necessary: when unsure, `ANY`.
   */
  need(expr: E, ctx: NeedContext): Need;
}

/**
 * How Elasticsearch runs one part of a condition: as a Query DSL clause (two-valued: a leaf true
 * when any value of its field matches, `not` = must_not), or as a script (three-valued, SPEC §A.2).
 */
export type Compiled = { kind: 'query'; test: Predicate } | { kind: 'script'; expr: Expr };

/** A script's field values, one slot per field (see script.ts). */
export type Env = ScriptValue[];
export type ScriptFn = (env: Env) => ScriptValue;

export interface CompiledScript {
  fn: ScriptFn;
  /** Statically floating point (a decimal literal takes part): `/` does not truncate. */
  float: boolean;
}

export interface ConditionContext {
  /** A sub-expression as a condition. */
  condition(expr: Expr): Compiled;
  /** A sub-condition as a predicate (run as a script when it must be). */
  predicate(expr: Expr): Predicate;
  /** Whether the expression reads a field anywhere inside. */
  referencesField(expr: Expr): boolean;
  /**
   * The field types the query runs against (README "### EQL and field types"): undefined reads
   * every field as lkm-scan always has (keyword-like values, numbers numerically).
   */
  fieldTypes: FieldTypeTable | undefined;
}

export interface ScriptContext {
  /** A sub-expression as a script over the same field slots. */
  script(expr: Expr): CompiledScript;
  fields: ScriptFields;
  /** As ConditionContext.fieldTypes. */
  fieldTypes: FieldTypeTable | undefined;
}

export interface NeedContext {
  /** The need of a sub-expression. */
  need(expr: Expr): Need;
  /** As ConditionContext.fieldTypes: a typed field's literal may be written otherwise in the line. */
  fieldTypes: FieldTypeTable | undefined;
}

// ---------------------------------------------------------------- shared value semantics

/**
 * A test of one field value against literals, as the Query DSL leaf Elasticsearch builds for
 * `field OP literal` (SPEC §A.4). A leaf is true when any value of the field passes (SPEC §A.1);
 * `anyValue` loops over the values, a ValueTest decides one value.
 */
export type ValueTest = (value: Scalar) => boolean;

/** A literal a leaf can compare with (null is handled before: `f == null` is "missing"). */
export type LeafLiteral = string | number | bigint | boolean;

export const ALWAYS: Predicate = () => true;
export const NEVER: Predicate = () => false;

/**
 * The number a value stands for: numbers, and strings holding a number (a keyword or numeric
 * field), exact for integers beyond 2^53 (a bigint, event/exactNumber.ts) as a long compares them.
 */
export function numericValue(value: Scalar): ExactNumber | null {
  switch (typeof value) {
    case 'number':
    case 'bigint':
      return value;
    case 'string':
      return isNumericText(value, true) ? numberOfText(value) : null;
    default:
      return null;
  }
}

export type RangeOperator = '<' | '<=' | '>' | '>=';

export function applyOrder(op: RangeOperator | '==' | '!=', order: number): boolean {
  switch (op) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    case '==':
      return order === 0;
    case '!=':
      return order !== 0;
  }
}

/**
 * Order of two script values, or null when they cannot be compared. Strings compare as Java's
 * String.compareTo (UTF-16 code units, like `<`): Elasticsearch's scripts use QL's
 * Comparisons.compare, unlike a range query on a keyword (code points, see compareCodePoints).
 */
export function scriptOrder(a: ScriptValue, b: ScriptValue): number | null {
  if (a === null || b === null) return null;
  if (typeof a === 'number' || typeof b === 'number' || typeof a === 'bigint' || typeof b === 'bigint') {
    const x = numericValue(a);
    const y = numericValue(b);
    if (x !== null && y !== null) return compareExact(x, y);
    if (typeof a !== 'string' || typeof b !== 'string') return null;
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') {
    if (typeof a !== typeof b) return null;
    return a === b ? 0 : a ? 1 : -1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Equality of two script values: numbers numerically, the rest by their text. */
export function looselyEqual(a: Exclude<ScriptValue, null>, b: Exclude<ScriptValue, null>, ci: boolean): boolean {
  const o = scriptOrder(a, b);
  if (o !== null && (typeof a !== 'string' || typeof b !== 'string')) return o === 0;
  const s = typeof a === 'string' ? a : String(a);
  const t = typeof b === 'string' ? b : String(b);
  return ci ? asciiFold(s) === asciiFold(t) : s === t;
}

/**
 * Any value of the field passes `test` (SPEC §A.1). Reads raw values and skips objects in the loop
 * rather than building a second array of scalars for every leaf of every event.
 */
export function anyValue(read: RawReader, test: ValueTest): Predicate {
  return (event) => {
    const values = read(event);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (isScalar(v) && test(v)) return true;
    }
    return false;
  };
}

/** SPEC §A.4: Elasticsearch rejects a comparison of a field with another field. */
export function rejectFieldAgainstField(node: Expr, left: Expr, rights: readonly Expr[], ctx: ConditionContext): void {
  if (!ctx.referencesField(left)) return;
  const other = rights.find((r) => ctx.referencesField(r));
  if (other === undefined) return;
  failAt(
    node,
    `cannot compare ${describeOperand(left)} with ${describeOperand(other)}: Elasticsearch EQL compares fields only with literal values`,
  );
}

function describeOperand(expr: Expr): string {
  return expr.type === 'field' ? `field '${expr.text}'` : 'an expression over a field';
}
