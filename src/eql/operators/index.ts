import type { Predicate } from '../../event/types.js';
import type { FieldTypeTable } from '../../fieldTypes/index.js';
import type { Need } from '../../prefilter/needles.js';
import type { Expr } from '../ast.js';
import { ScriptFields, scriptPredicate } from '../script.js';
import { ARITHMETIC } from './arithmetic.js';
import { BOOLEAN } from './boolean.js';
import { CALL } from './call.js';
import { COMPARISON } from './comparison.js';
import { FIELD } from './field.js';
import { MEMBERSHIP } from './in.js';
import { LITERAL } from './literal.js';
import { MATCH } from './match.js';
import type { Compiled, CompiledScript, ConditionContext, ExprOperator, NeedContext, ScriptContext } from './operator.js';

export { EVENT_FILTER } from './eventFilter.js';
export type { Compiled, CompiledScript, Env, ScriptFn } from './operator.js';

type ExprType = Expr['type'];
type ExprOf<K extends ExprType> = Extract<Expr, { type: K }>;

/**
 * Every expression type and the operator that owns it. A mapped type over `Expr['type']`: an
 * expression type added to ast.ts without an entry here fails to compile.
 */
const OPERATORS: { readonly [K in ExprType]: ExprOperator<ExprOf<K>> } = {
  and: BOOLEAN,
  or: BOOLEAN,
  not: BOOLEAN,
  compare: COMPARISON,
  match: MATCH,
  in: MEMBERSHIP,
  arithmetic: ARITHMETIC,
  negate: ARITHMETIC,
  call: CALL,
  field: FIELD,
  string: LITERAL,
  number: LITERAL,
  boolean: LITERAL,
  null: LITERAL,
};

/** The operator of an expression type (typed so that it takes exactly that type's nodes). */
function operatorOf<K extends ExprType>(type: K): ExprOperator<ExprOf<K>> {
  return OPERATORS[type];
}

/** The direct sub-expressions of `expr`. */
export function operandsOf(expr: Expr): readonly Expr[] {
  return operatorOf(expr.type).operands(expr);
}

/** Whether `expr` reads a field anywhere inside (expressions are at most MAX_EXPRESSION_DEPTH deep). */
export function referencesField(expr: Expr): boolean {
  return expr.type === 'field' || operandsOf(expr).some(referencesField);
}

/**
 * Compiles `expr` as a condition: a query leaf where Elasticsearch builds one, else a script.
 * `fieldTypes` decides what a literal means on a typed field (eql/fieldTypes.ts).
 */
export function compileCondition(expr: Expr, fieldTypes?: FieldTypeTable): Compiled {
  const ctx: ConditionContext = {
    condition: (e) => operatorOf(e.type).condition(e, ctx),
    predicate: (e) => toPredicate(operatorOf(e.type).condition(e, ctx), fieldTypes),
    referencesField,
    fieldTypes,
  };
  return ctx.condition(expr);
}

/** A compiled condition as a predicate over one event (a script reads fields under `fieldTypes`). */
export function toPredicate(c: Compiled, fieldTypes?: FieldTypeTable): Predicate {
  if (c.kind === 'query') return c.test;
  const fields = new ScriptFields(fieldTypes);
  return scriptPredicate(compileScript(c.expr, fields).fn, fields);
}

/** Compiles `expr` as a script over the field slots of `fields`. */
export function compileScript(expr: Expr, fields: ScriptFields): CompiledScript {
  const ctx: ScriptContext = { fields, fieldTypes: fields.fieldTypes, script: (e: Expr) => operatorOf(e.type).script(e, ctx) };
  return ctx.script(expr);
}

/** What a raw line must contain for `expr` to hold (prefilter/needles.ts), under `fieldTypes` as compileCondition. */
export function needOf(expr: Expr, fieldTypes?: FieldTypeTable): Need {
  const ctx: NeedContext = { need: (e) => operatorOf(e.type).need(e, ctx), fieldTypes };
  return ctx.need(expr);
}
