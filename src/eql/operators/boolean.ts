import { allOf, anyOf } from '../../event/predicates.js';
import { ANY, and, or } from '../../prefilter/needles.js';
import type { AndExpr, NotExpr, OrExpr } from '../ast.js';
import type { ExprOperator } from './operator.js';
import type { ScriptValue } from '../functions.js';

/**
 * `and`, `or`, `not` (SPEC §A.2, §A.6). As conditions they are a bool query: two-valued, `not`
 * is must_not; inside a script they follow Kleene logic (a null operand is unknown). An `and`
 * needs all its operands' needs, an `or` one of them; `not` promises nothing.
 */
export const BOOLEAN: ExprOperator<AndExpr | OrExpr | NotExpr> = {
  operands: (expr) => (expr.type === 'not' ? [expr.operand] : expr.operands),

  condition(expr, ctx) {
    if (expr.type === 'not') {
      const inner = ctx.condition(expr.operand);
      if (inner.kind === 'script') return { kind: 'script', expr };
      const test = inner.test;
      return { kind: 'query', test: (event) => !test(event) };
    }
    const parts = expr.operands.map((o) => ctx.predicate(o));
    return { kind: 'query', test: expr.type === 'and' ? allOf(parts) : anyOf(parts) };
  },

  script(expr, ctx) {
    if (expr.type === 'not') {
      const inner = ctx.script(expr.operand).fn;
      return { fn: (env) => negate(inner(env)), float: false };
    }
    const parts = expr.operands.map((o) => ctx.script(o).fn);
    const isAnd = expr.type === 'and';
    return {
      float: false,
      fn: (env) => {
        // Kleene logic: false dominates `and`, true dominates `or`, otherwise null is contagious.
        let sawNull = false;
        for (const p of parts) {
          const t = truth(p(env));
          if (t === null) sawNull = true;
          else if (t !== isAnd) return !isAnd;
        }
        return sawNull ? null : isAnd;
      },
    };
  },

  need(expr, ctx) {
    switch (expr.type) {
      case 'and':
        return and(expr.operands.map((o) => ctx.need(o)));
      case 'or':
        return or(expr.operands.map((o) => ctx.need(o)));
      case 'not':
        return ANY;
    }
  },
};

function truth(v: ScriptValue): boolean | null {
  return v === null ? null : v === true;
}

function negate(v: ScriptValue): ScriptValue {
  return v === null ? null : v !== true;
}
