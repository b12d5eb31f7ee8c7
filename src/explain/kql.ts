import { compileFieldReader } from '../event/fields.js';
import type { KqlField, KqlNode } from '../kql/ast.js';
import { valueText } from '../kql/ast.js';
import { compileKqlNode, type KqlCompileContext } from '../kql/nodes/index.js';
import { combine, differsOnlyInCase, shownClause, shownValue, type ClauseExplainer, type ClauseNode } from './clause.js';
import { kqlText } from './kqlText.js';

/**
 * The explainer of a KQL query: `and`, `or` and `not` are walked here; every other node is a leaf
 * compiled by the scan's own compiler (`compileKqlNode`, src/kql/nodes) and evaluated as it is.
 * The compiled query is the same boolean combination of the same leaves (kql/nodes/logical.ts),
 * so the root's result is the scan's (explain.test.ts checks it over generated events).
 */
export function explainKql(node: KqlNode, ctx: KqlCompileContext): ClauseExplainer {
  switch (node.type) {
    case 'and':
    case 'or': {
      const children = node.children.map((c) => explainKql(c, ctx));
      const clause = shownClause(kqlText(node, CLAUSE_CHARS));
      const op = node.type;
      return (event) => combine(op, clause, children.map((c) => c(event)));
    }
    case 'not': {
      const child = explainKql(node.child, ctx);
      const clause = shownClause(kqlText(node, CLAUSE_CHARS));
      return (event) => combine('not', clause, [child(event)]);
    }
    default:
      return kqlLeaf(node, ctx);
  }
}

/** Characters of a clause's text worth writing: shownClause cuts it shorter. */
const CLAUSE_CHARS = 400;

function kqlLeaf(node: KqlNode, ctx: KqlCompileContext): ClauseExplainer {
  const test = compileKqlNode(node, ctx);
  const clause = shownClause(kqlText(node, CLAUSE_CHARS));
  const field = 'field' in node ? fieldName(node.field, ctx.pathPrefix) : undefined;
  // A field pattern (`process.*:x`) names many fields: no one value to show.
  const read = field === undefined || !('field' in node) || node.field.kind !== 'name' ? undefined : compileFieldReader(field);
  const literal = node.type === 'is' || node.type === 'freeText' ? valueText(node.value) : null;
  const literals = literal === null ? undefined : [literal];
  return (event) => {
    const result = test(event);
    const node: ClauseNode = { clause, result };
    if (field !== undefined) node.field = shownClause(field);
    if (literals !== undefined) node.literals = literals;
    if (read === undefined) return node;
    const values = read(event);
    node.value = shownValue(values);
    if (!result && literals !== undefined && differsOnlyInCase(values, literals)) node.caseOnly = true;
    return node;
  };
}

function fieldName(field: KqlField, prefix: string): string {
  return field.kind === 'name' ? prefix + field.name : prefix + field.parts.join('*');
}
