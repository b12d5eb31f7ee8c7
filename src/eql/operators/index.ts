import { sharedClause, tableIdentity } from '../../event/predicates.js';
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
  const table = tableIdentity(fieldTypes);
  const ctx: ConditionContext = {
    condition: (e) => {
      const compiled = operatorOf(e.type).condition(e, ctx);
      if (compiled.kind !== 'query' || e.type === 'and' || e.type === 'or' || e.type === 'not') return compiled;
      // A leaf (a field against literals): one predicate, answered once per event, for every rule
      // that writes it (event/predicates.ts sharedClause). Its meaning is its AST and the table.
      const test = compiled.test;
      return { kind: 'query', test: sharedClause(`eql ${table} ${clauseText(e)}`, () => test) };
    },
    predicate: (e) => toPredicate(ctx.condition(e), fieldTypes),
    referencesField,
    fieldTypes,
  };
  return ctx.condition(expr);
}

/**
 * An expression's meaning as text: its AST without source positions. Numbers JSON cannot write
 * (a bigint, ±Infinity, NaN, -0) are spelled out, so two different literals never read alike.
 */
export function clauseText(expr: Expr): string {
  return JSON.stringify(expr, (key, value: unknown) => {
    if (key === 'at') return undefined;
    if (typeof value === 'bigint') return { bigint: String(value) };
    if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) return { number: Object.is(value, -0) ? '-0' : String(value) };
    return value;
  });
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
