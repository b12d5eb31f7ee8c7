import { compileFieldReader } from '../event/fields.js';
import type { EventFilter, Expr, FieldRef, SourceSpan } from '../eql/ast.js';
import { compileEqlCondition } from '../eql/compile.js';
import { fieldReader } from '../eql/fieldTypes.js';
import { compileCondition, EVENT_FILTER, operandsOf } from '../eql/operators/index.js';
import type { FieldTypeTable } from '../fieldTypes/index.js';
import { combine, differsOnlyInCase, shownClause, shownValue, type ClauseExplainer, type ClauseNode } from './clause.js';

/** The source text of a node, from the span the EQL grammar keeps on every node. */
function sourceOf(query: string, at: SourceSpan): string {
  // Only what shownClause may show: each level of a deep query would copy the rest of it.
  return query.slice(at.offset, at.offset + Math.min(at.length, 400));
}

/**
 * The explainer of one EQL event filter (`category where condition`): the category clause and the
 * condition's `and`/`or`/`not` are walked here, every other expression is a leaf compiled by the
 * scan's own compiler (`compileEqlCondition`, through src/eql/operators) and evaluated as it is.
 * Where Elasticsearch runs a `not` as a script (three-valued, SPEC §A.2) it stays one leaf, as
 * the compiler keeps it, so no Kleene logic is redone here.
 */
export function explainEventFilter(filter: EventFilter, query: string, categoryField: string, fieldTypes: FieldTypeTable): ClauseExplainer {
  const condition = explainCondition(filter.condition, query, fieldTypes);
  if (filter.category.kind === 'any') return condition;
  const inCategory = EVENT_FILTER.compile(filter, () => true, categoryField);
  const read = compileFieldReader(categoryField);
  const name = filter.category.name;
  const categoryClause = shownClause(`${categoryField} == ${JSON.stringify(name)}`);
  const shownField = shownClause(categoryField);
  const clause = shownClause(sourceOf(query, filter.at));
  return (event) => {
    const values = read(event);
    const result = inCategory(event);
    const category: ClauseNode = { clause: categoryClause, result, field: shownField, value: shownValue(values), literals: [name], role: 'category' };
    if (!result && differsOnlyInCase(values, [name])) category.caseOnly = true;
    return combine('and', clause, [category, condition(event)]);
  };
}

function explainCondition(expr: Expr, query: string, fieldTypes: FieldTypeTable): ClauseExplainer {
  const clause = shownClause(sourceOf(query, expr.at));
  if (expr.type === 'and' || expr.type === 'or') {
    const children = expr.operands.map((o) => explainCondition(o, query, fieldTypes));
    const op = expr.type;
    return (event) => combine(op, clause, children.map((c) => c(event)));
  }
  if (expr.type === 'not' && compileCondition(expr.operand, fieldTypes).kind === 'query') {
    const child = explainCondition(expr.operand, query, fieldTypes);
    return (event) => combine('not', clause, [child(event)]);
  }
  return eqlLeaf(expr, clause, fieldTypes);
}

function eqlLeaf(expr: Expr, clause: string, fieldTypes: FieldTypeTable): ClauseExplainer {
  const test = compileEqlCondition(expr, { fieldTypes });
  const ref = firstField(expr);
  const read = ref === undefined ? undefined : fieldReader(fieldTypes, ref);
  const literals = stringLiterals(expr);
  return (event) => {
    const result = test(event);
    const node: ClauseNode = { clause, result };
    if (literals.length > 0) node.literals = literals;
    if (ref === undefined || read === undefined) return node;
    const values = read(event);
    node.field = shownClause(ref.text);
    node.value = shownValue(values);
    if (!result && literals.length > 0 && differsOnlyInCase(values, literals)) node.caseOnly = true;
    return node;
  };
}

/** The first field the expression reads (a leaf reads one: Elasticsearch compares fields only with literals). */
function firstField(expr: Expr): FieldRef | undefined {
  if (expr.type === 'field') return expr;
  for (const o of operandsOf(expr)) {
    const f = firstField(o);
    if (f !== undefined) return f;
  }
  return undefined;
}

function stringLiterals(expr: Expr): string[] {
  if (expr.type === 'string') return [expr.value];
  return operandsOf(expr).flatMap(stringLiterals);
}
