import { ANY } from '../../prefilter/needles.js';
import type { CallExpr } from '../ast.js';
import { eqlFieldOf, fieldReader, requireExact } from '../fieldTypes.js';
import { checkCall, NO_CONSTANTS, parseCidrLiteral, type FunctionConstants, type ScriptValue } from '../functions.js';
import { anyValue, type ExprOperator } from './operator.js';

/**
 * A function call (SPEC §A.8). Each function is one entry of functions.ts: its arity, its script
 * evaluation and, for those Elasticsearch runs as a query leaf on a field (startsWith, endsWith,
 * stringContains, cidrMatch: two-valued), its leaf test; any other call is a script. A function
 * may compute text the line never holds (`startsWith~`, `concat`), so no call promises bytes.
 */
export const CALL: ExprOperator<CallExpr> = {
  operands: (expr) => expr.args,

  condition(expr, ctx) {
    const spec = checkCall(expr);
    // A string function on a text field without a keyword multi-field is refused (ql
    // TypeResolutions.isStringAndExact; eql VerifierTests.testStringFunctionWithText).
    for (const arg of expr.args) if (arg.type === 'field') requireExact(eqlFieldOf(ctx.fieldTypes, arg), spec.name, '', expr);
    const first = expr.args[0];
    if (spec.leaf === undefined || first?.type !== 'field') return { kind: 'script', expr };
    const test = spec.leaf(expr.args, expr.caseInsensitive);
    if (test === undefined) return { kind: 'script', expr };
    return { kind: 'query', test: anyValue(fieldReader(ctx.fieldTypes, first), test) };
  },

  script(expr, ctx) {
    const spec = checkCall(expr);
    for (const arg of expr.args) if (arg.type === 'field') requireExact(eqlFieldOf(ctx.fieldTypes, arg), spec.name, '', expr);
    let constants: FunctionConstants = NO_CONSTANTS;
    let argExprs = expr.args;
    if (spec.literalArgsFrom !== undefined) {
      constants = { cidrs: expr.args.slice(spec.literalArgsFrom).map(parseCidrLiteral) };
      argExprs = expr.args.slice(0, spec.literalArgsFrom);
    }
    const args = argExprs.map((a) => ctx.script(a));
    const fns = args.map((a) => a.fn);
    const float = args.some((a) => a.float);
    const ci = expr.caseInsensitive;
    const apply = spec.apply;
    const values: ScriptValue[] = new Array<ScriptValue>(fns.length);
    return {
      float,
      fn: (env) => {
        for (let i = 0; i < fns.length; i++) values[i] = fns[i]!(env);
        return apply(values, ci, float, constants);
      },
    };
  },

  need: () => ANY,
};
