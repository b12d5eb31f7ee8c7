import { toDouble } from '../../event/exactNumber.js';
import { ANY } from '../../prefilter/needles.js';
import type { ArithmeticExpr, NegateExpr } from '../ast.js';
import { failAt } from '../compileError.js';
import type { ScriptValue } from '../functions.js';
import { numericValue, type ExprOperator } from './operator.js';

/**
 * `+ - * / %` and unary minus (SPEC §A.8): values, never conditions; Elasticsearch computes them
 * in a script. They compute numbers that need not appear in the line, so they need nothing.
 */
export const ARITHMETIC: ExprOperator<ArithmeticExpr | NegateExpr> = {
  operands: (expr) => (expr.type === 'negate' ? [expr.operand] : [expr.left, expr.right]),

  condition: (expr) => notACondition(expr),

  script(expr, ctx) {
    if (expr.type === 'negate') {
      const inner = ctx.script(expr.operand);
      return { fn: (env) => arithmetic('-', 0, inner.fn(env), inner.float), float: inner.float };
    }
    const l = ctx.script(expr.left);
    const r = ctx.script(expr.right);
    const float = l.float || r.float;
    const op = expr.op;
    return { fn: (env) => arithmetic(op, l.fn(env), r.fn(env), float), float };
  },

  need: () => ANY,
};

/** A value where the query needs a condition (`process where a + 1`). */
export function notACondition(expr: { at: ArithmeticExpr['at'] }): never {
  return failAt(expr, 'expected a condition (a comparison, a boolean function or a boolean field) here, not a value');
}

/**
 * Arithmetic is in doubles: an integer beyond 2^53 (a bigint) is rounded first, where Java's long
 * arithmetic would be exact (README "Integers beyond 2^53").
 */
function toNumber(v: ScriptValue): number | null {
  if (v === null || typeof v === 'boolean') return null;
  const n = numericValue(v);
  return n === null ? null : toDouble(n);
}

/** Java long arithmetic truncates division; a decimal operand makes it floating point. */
export function arithmetic(op: ArithmeticExpr['op'], a: ScriptValue, b: ScriptValue, float: boolean): ScriptValue {
  const x = toNumber(a);
  const y = toNumber(b);
  if (x === null || y === null) return null;
  const integral = !float && Number.isInteger(x) && Number.isInteger(y);
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      if (integral) return y === 0 ? null : Math.trunc(x / y);
      return x / y;
    case '%':
      if (y === 0 && integral) return null;
      return x % y;
  }
}
