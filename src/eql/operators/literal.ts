import { ANY } from '../../prefilter/needles.js';
import type { Literal } from '../ast.js';
import { notACondition } from './arithmetic.js';
import { ALWAYS, NEVER, type ExprOperator } from './operator.js';

/**
 * Strings, numbers, `true`, `false`, `null`. As a condition only the booleans and null mean
 * something (`null` never holds); a string or number is a value where a condition belongs.
 */
export const LITERAL: ExprOperator<Literal> = {
  operands: () => [],

  condition(expr) {
    switch (expr.type) {
      case 'boolean':
        return { kind: 'query', test: expr.value ? ALWAYS : NEVER };
      case 'null':
        return { kind: 'query', test: NEVER };
      case 'string':
      case 'number':
        return notACondition(expr);
    }
  },

  script(expr) {
    const value = expr.type === 'null' ? null : expr.value;
    return { fn: () => value, float: expr.type === 'number' && expr.decimal };
  },

  need: () => ANY,
};
