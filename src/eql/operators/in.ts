import type { ExactNumber } from '../../event/exactNumber.js';
import { asciiFold } from '../../event/wildcard.js';
import { ANY, exactStringNeed, or } from '../../prefilter/needles.js';
import { literalOf, type InExpr } from '../ast.js';
import { compileRawReader } from '../fieldPath.js';
import { anyValue, looselyEqual, numericValue, rejectFieldAgainstField, type ExprOperator, type LeafLiteral, type ValueTest } from './operator.js';

/**
 * `f in (...)`, `f in~ (...)`, `f not in (...)` (SPEC §A.4, row 39): set membership, no wildcards;
 * `in~` folds case. A case-sensitive positive `in` over strings needs one of its strings in the line.
 */
export const MEMBERSHIP: ExprOperator<InExpr> = {
  operands: (expr) => [expr.value, ...expr.list],

  condition(expr, ctx) {
    rejectFieldAgainstField(expr, expr.value, expr.list, ctx);
    const literals = expr.list.map(literalOf);
    if (expr.value.type !== 'field' || literals.some((l) => l === undefined)) return { kind: 'script', expr };
    // A null in the list is no term: Elasticsearch's terms query leaves it out (ql
    // ExpressionTranslators.InComparisons), so `f in ("x", null)` is `f in ("x")`. A list of nulls
    // only folds to null (ql In.fold), a condition that never holds, negated or not: the script
    // form gives exactly that.
    const present = literals.filter((l): l is LeafLiteral => l !== null && l !== undefined);
    if (present.length === 0) return { kind: 'script', expr };
    const member = anyValue(compileRawReader(expr.value), membershipTest(present, expr.caseInsensitive));
    // SPEC §A.2: `f not in (...)` is `not (f in (...))`.
    return { kind: 'query', test: expr.negated ? (e) => !member(e) : member };
  },

  script(expr, ctx) {
    const value = ctx.script(expr.value).fn;
    const list = expr.list.map((e) => ctx.script(e).fn);
    const ci = expr.caseInsensitive;
    const negated = expr.negated;
    return {
      float: false,
      fn: (env) => {
        const v = value(env);
        if (v === null) return null;
        let sawNull = false;
        for (const item of list) {
          const w = item(env);
          if (w === null) {
            sawNull = true;
            continue;
          }
          if (looselyEqual(v, w, ci)) return !negated;
        }
        return sawNull ? null : negated;
      },
    };
  },

  need(expr) {
    if (expr.negated || expr.caseInsensitive || expr.value.type !== 'field') return ANY;
    // A null in the list matches nothing (see condition), so it needs nothing of the line.
    const items = expr.list.filter((item) => item.type !== 'null');
    return or(items.map((item) => (item.type === 'string' ? exactStringNeed(item.value) : ANY)));
  },
};

/** Membership of one value in a list of literals: strings exactly (or folded), numbers numerically. */
export function membershipTest(literals: readonly LeafLiteral[], caseInsensitive: boolean): ValueTest {
  const strings = new Set<string>();
  // Exact numbers: an integer beyond 2^53 is a bigint, never equal to a number (event/exactNumber.ts).
  const numbers = new Set<ExactNumber>();
  const booleans = new Set<boolean>();
  for (const l of literals) {
    if (typeof l === 'string') strings.add(caseInsensitive ? asciiFold(l) : l);
    else if (typeof l === 'number' || typeof l === 'bigint') numbers.add(l);
    else booleans.add(l);
  }
  return (v) => {
    if (typeof v === 'boolean') return booleans.has(v) || strings.has(String(v));
    const text = typeof v === 'string' ? v : String(v);
    if (strings.has(caseInsensitive ? asciiFold(text) : text)) return true;
    if (numbers.size === 0) return false;
    const n = numericValue(v);
    return n !== null && numbers.has(n);
  };
}
