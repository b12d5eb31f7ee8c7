import type { KqlField, KqlNode, KqlValue } from '../kql/ast.js';

/**
 * A KQL query written back from its AST, for naming a clause in an explanation (the KQL grammar
 * keeps no source positions; the EQL one does). It parses back to the same AST (kqlText.test.ts),
 * so what the reader sees is the clause that was evaluated.
 */
export function kqlText(node: KqlNode): string {
  switch (node.type) {
    case 'matchAll':
      return '*';
    case 'and':
    case 'or':
      return node.children.map((c) => grouped(c, node.type)).join(` ${node.type} `);
    case 'not':
      return `not ${grouped(node.child, 'not')}`;
    case 'is':
      return `${fieldText(node.field)}:${valueText(node.value)}`;
    case 'exists':
      return `${fieldText(node.field)}:*`;
    case 'range':
      return `${fieldText(node.field)} ${RANGE[node.operator]} ${valueText(node.value)}`;
    case 'nested':
      return `${escapeUnquoted(node.path)}:{ ${kqlText(node.query)} }`;
    case 'freeText':
      return valueText(node.value);
  }
}

const RANGE = { lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

/**
 * An `and` or `or` inside another operator in parentheses: needed where it binds looser than its
 * parent (`not (a or b)`), and kept where it does not (`(a and b) or c`), since the parser keeps
 * the grouping a query was written with (`f:(a or b) or c` is an `or` inside an `or`).
 */
function grouped(child: KqlNode, _parent: 'and' | 'or' | 'not'): string {
  const text = kqlText(child);
  return child.type === 'and' || child.type === 'or' ? `(${text})` : text;
}

function fieldText(field: KqlField): string {
  if (field.kind === 'pattern') return field.parts.map(escapeUnquoted).join('*');
  return field.quoted ? quoted(field.name) : escapeUnquoted(field.name);
}

function valueText(value: KqlValue): string {
  switch (value.kind) {
    case 'string':
      return value.quoted ? quoted(value.value) : escapeUnquoted(value.value);
    case 'wildcard':
      return value.parts.map(escapeUnquoted).join('*');
    case 'boolean':
      return String(value.value);
    case 'null':
      return 'null';
  }
}

/** KQL's escapes in an unquoted value (grammars/kql.peggy UnquotedCharacter). */
function escapeUnquoted(text: string): string {
  return text
    .replace(/[\\():<>"*{}]/g, '\\$&')
    .replace(/\t/g, '\\t')
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n')
    // The grammar stops an unquoted value before ` or `, ` and `, and `not ` anywhere.
    .replace(/(^|\s)(or|and)(?=\s)/gi, '$1\\$2')
    .replace(/not(?=\s)/gi, '\\$&');
}

function quoted(text: string): string {
  return `"${text.replace(/[\\"]/g, '\\$&').replace(/\t/g, '\\t').replace(/\r/g, '\\r').replace(/\n/g, '\\n')}"`;
}
