import { hasAnyValue, scalarText } from '../../event/fields.js';
import { asciiFold } from '../../event/wildcard.js';
import { compareExact } from '../../event/exactNumber.js';
import { compareCodePoints } from '../../event/order.js';
import { ANY, exactStringNeed } from '../../prefilter/needles.js';
import { literalOf, type CompareExpr, type Expr } from '../ast.js';
import type { FieldTypeTable } from '../../fieldTypes/index.js';
import { eqlFieldOf, fieldReader, requireExact, typedRangeTest, typedTermTest, type EqlField } from '../fieldTypes.js';
import {
  anyValue,
  applyOrder,
  numericValue,
  rejectFieldAgainstField,
  scriptOrder,
  type Compiled,
  type ExprOperator,
  type LeafLiteral,
  type RangeOperator,
  type ValueTest,
} from './operator.js';

/**
 * `==`, `!=`, `<`, `<=`, `>`, `>=` (SPEC §A.4). Against a literal they are Query DSL leaves: `==`
 * a term query, the others a range query; `f == null` is "missing" and `f != null` "exists"
 * (SPEC §A.7). Only a case-sensitive `==` with a string promises bytes in the line.
 */
export const COMPARISON: ExprOperator<CompareExpr> = {
  operands: (expr) => [expr.left, expr.right],

  condition(expr, ctx) {
    rejectFieldAgainstField(expr, expr.left, [expr.right], ctx);
    let { left, right, op } = expr;
    if (literalOf(left) !== undefined && literalOf(right) === undefined) {
      [left, right] = [right, left];
      op = FLIPPED[op];
    }
    const lit = literalOf(right);
    if (lit === null && (op === '==' || op === '!=')) return nullCheck(expr, left, op === '!=', ctx.fieldTypes);
    if (left.type !== 'field' || lit === undefined || lit === null) return { kind: 'script', expr };
    const read = fieldReader(ctx.fieldTypes, left);
    const field = eqlFieldOf(ctx.fieldTypes, left);
    requireExact(field, op, 'first argument ', expr);
    if (field.kind === 'typed' && readByType(field, lit)) {
      // The field's mapper reads the literal (eql/fieldTypes.ts): a date string is an instant.
      if (op === '==' || op === '!=') {
        const eq = anyValue(read, typedTermTest(field, lit, right));
        return { kind: 'query', test: op === '==' ? eq : (e) => !eq(e) };
      }
      return { kind: 'query', test: anyValue(read, typedRangeTest(field, op, lit, right)) };
    }
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
  },

  script(expr, ctx) {
    const l = ctx.script(expr.left).fn;
    const r = ctx.script(expr.right).fn;
    const op = expr.op;
    if (expr.left.type === 'null' || expr.right.type === 'null') {
      const other = expr.left.type === 'null' ? r : l;
      // `x == null` is IsNull(x) in Elasticsearch's optimizer: two-valued.
      return { fn: op === '!=' ? (env) => other(env) !== null : (env) => (op === '==' ? other(env) === null : null), float: false };
    }
    return {
      float: false,
      fn: (env) => {
        const a = l(env);
        const b = r(env);
        if (a === null || b === null) return null;
        const o = scriptOrder(a, b);
        if (op === '==' || op === '!=') {
          const eq = o === null ? String(a) === String(b) : o === 0;
          return op === '==' ? eq : !eq;
        }
        return o === null ? null : applyOrder(op, o);
      },
    };
  },

  need(expr, ctx) {
    if (expr.op !== '==') return ANY;
    const [field, literal] = expr.left.type === 'field' ? [expr.left, expr.right] : [expr.right, expr.left];
    if (field.type !== 'field' || literal.type !== 'string') return ANY;
    // A typed field reads the literal by its type (`"2024-05-01"` is a whole day of instants,
    // `"10.0.0.0/8"` a block of addresses): the line need not hold the literal's text.
    if (eqlFieldOf(ctx.fieldTypes, field).kind === 'typed') return ANY;
    return exactStringNeed(literal.value);
  },
};

/**
 * Whether the field's type, not lkm-scan's value comparison, decides `field OP literal`: always on
 * dates and ips; on numbers and booleans only for a literal of another type (`pid == "5"`,
 * `flag == "true"`), which Elasticsearch's mapper parses; a number against a numeric field and a
 * boolean against a boolean compare as they always did.
 */
function readByType(field: Extract<EqlField, { kind: 'typed' }>, lit: LeafLiteral): boolean {
  switch (field.family) {
    case 'date':
    case 'ip':
      return true;
    case 'numeric':
      // A bigint literal is a number too (an integer beyond 2^53, event/exactNumber.ts).
      return typeof lit !== 'number' && typeof lit !== 'bigint';
    case 'boolean':
      return typeof lit !== 'boolean';
  }
}

const FLIPPED = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==', '!=': '!=' } as const;

/** `f == null` is "missing" and `f != null` "exists" (SPEC §A.7); a non-field operand is a script. */
export function nullCheck(node: Expr, operand: Expr, exists: boolean, fieldTypes: FieldTypeTable | undefined): Compiled {
  if (operand.type === 'field') {
    const read = fieldReader(fieldTypes, operand);
    return { kind: 'query', test: exists ? (e) => hasAnyValue(read(e)) : (e) => !hasAnyValue(read(e)) };
  }
  const nullLiteral: Expr = { type: 'null', at: node.at };
  return { kind: 'script', expr: { type: 'compare', op: exists ? '!=' : '==', left: operand, right: nullLiteral, at: node.at } };
}

/**
 * `==` (and `in` per element): exact, case-sensitive, no wildcards. Strings compare with the
 * value's JSON text (SPEC §C); numbers compare numerically, also against numeric strings (a
 * numeric field indexed from `"5"` holds 5). Integers beyond 2^53 are bigints on both sides, and
 * a bigint never equals a number (event/exactNumber.ts), so `===` is exact.
 */
export function equalsTest(literal: LeafLiteral, caseInsensitive: boolean): ValueTest {
  if (typeof literal === 'number' || typeof literal === 'bigint') return (v) => numericValue(v) === literal;
  if (typeof literal === 'boolean') {
    const text = String(literal);
    return (v) => v === literal || v === text;
  }
  if (!caseInsensitive) return (v) => (typeof v === 'string' ? v === literal : scalarText(v) === literal);
  const folded = asciiFold(literal);
  return (v) => asciiFold(scalarText(v)) === folded;
}

/** Ranges: numeric against a number, case-sensitive by code point against a string (SPEC §A.4). */
export function rangeTest(op: RangeOperator, literal: LeafLiteral): ValueTest {
  if (typeof literal === 'number' || typeof literal === 'bigint') {
    return (v) => {
      const n = numericValue(v);
      return n !== null && applyOrder(op, compareExact(n, literal));
    };
  }
  const bound = String(literal);
  return (v) => applyOrder(op, compareCodePoints(scalarText(v), bound));
}


