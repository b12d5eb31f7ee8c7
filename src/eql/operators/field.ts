import { ANY } from '../../prefilter/needles.js';
import type { FieldRef } from '../ast.js';
import { fieldReader } from '../fieldTypes.js';
import { anyValue, type ExprOperator } from './operator.js';

/**
 * A field reference. As a condition a bare field is `field == true`; in a script it is the value
 * in its slot (each value of a multi-valued field in turn, see script.ts). Whether the field is
 * in the line is not a need: a field may be missing and the condition still hold (`f == null`).
 */
export const FIELD: ExprOperator<FieldRef> = {
  operands: () => [],

  condition(expr, ctx) {
    const read = fieldReader(ctx.fieldTypes, expr);
    return { kind: 'query', test: anyValue(read, (v) => v === true || v === 'true') };
  },

  script(expr, ctx) {
    const slot = ctx.fields.slotOf(expr);
    return { fn: (env) => env[slot] ?? null, float: false };
  },

  need: () => ANY,
};
