import { scalarText } from '../../event/fields.js';
import { bytesInCidr, parseIp } from '../../event/cidr.js';
import type { Scalar } from '../../event/types.js';
import { asciiFold } from '../../event/wildcard.js';
import { ANY } from '../../prefilter/needles.js';
import type { CallExpr } from '../ast.js';
import { compileRawReader } from '../fieldPath.js';
import { checkCall, NO_CONSTANTS, parseCidrLiteral, type FunctionConstants, type ScriptValue } from '../functions.js';
import { anyValue, type ExprOperator, type ValueTest } from './operator.js';

/** Functions Elasticsearch turns into a Query DSL leaf when applied to a field (SPEC §A.2). */
const LEAF_FUNCTIONS = new Set(['startswith', 'endswith', 'stringcontains', 'cidrmatch']);

/**
 * A function call (SPEC §A.8); each function's arity and evaluation is in functions.ts. On a
 * field, startsWith, endsWith, stringContains and cidrMatch are query leaves (two-valued);
 * everything else runs as a script. A function may compute text the line never holds
 * (`startsWith~`, `concat`), so no call promises bytes: `ANY`.
 */
export const CALL: ExprOperator<CallExpr> = {
  operands: (expr) => expr.args,

  condition(expr) {
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
    const arg = rest[0];
    if (arg?.type !== 'string') return { kind: 'script', expr };
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
  },

  script(expr, ctx) {
    const spec = checkCall(expr);
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
