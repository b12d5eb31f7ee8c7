import type { EqlQuery, EventFilter, Expr } from '../eql/ast.js';
import { ANY, and, exactStringNeed, or, type Need } from './needles.js';

/**
 * The need of an EQL query (see needles.ts). Needles come only from case-sensitive exact
 * comparisons of a field with a string: `==`, `in`, and the category of `X where` (SPEC §A.3,
 * §A.4). `:` and every `~` form fold case, `not` and `!=` negate, functions and arithmetic can
 * compute values that never appear in the line: they give none. A sequence or sample needs any
 * of its queries (including `until` and missing events), since each of those events matters.
 */
export function eqlNeed(query: EqlQuery): Need {
  switch (query.type) {
    case 'event':
      return filterNeed(query.filter);
    case 'sequence':
      return or([...query.steps.map((s) => filterNeed(s.filter)), ...(query.until ? [filterNeed(query.until.filter)] : [])]);
    case 'sample':
    case 'join':
      return or(query.steps.map((s) => filterNeed(s.filter)));
  }
}

function filterNeed(filter: EventFilter): Need {
  const category = filter.category.kind === 'name' ? exactStringNeed(filter.category.name) : ANY;
  return and([category, exprNeed(filter.condition)]);
}

function exprNeed(expr: Expr): Need {
  switch (expr.type) {
    case 'and':
      return and(expr.operands.map(exprNeed));
    case 'or':
      return or(expr.operands.map(exprNeed));
    case 'compare':
      if (expr.op !== '==') return ANY;
      if (expr.left.type === 'field' && expr.right.type === 'string') return exactStringNeed(expr.right.value);
      if (expr.right.type === 'field' && expr.left.type === 'string') return exactStringNeed(expr.left.value);
      return ANY;
    case 'in':
      if (expr.negated || expr.caseInsensitive || expr.value.type !== 'field') return ANY;
      return or(expr.list.map((item) => (item.type === 'string' ? exactStringNeed(item.value) : ANY)));
    default:
      return ANY;
  }
}
