import type { KqlField, KqlNode, KqlValue } from '../kql/ast.js';

/**
 * A KQL query written back from its AST, for naming a clause in an explanation (the KQL grammar
 * keeps no source positions; the EQL one does). It parses back to the same AST (kqlText.test.ts),
 * so what the reader sees is the clause that was evaluated.
 */
export function kqlText(node: KqlNode, max = Infinity): string {
  const out = { text: '' };
  write(node, out, max);
  return out.text;
}

/**
 * Appends the text of `node` until `out` holds more than `max` characters: a clause is shown cut
 * short, and a query nested 1,000 deep must not cost the text of every level at every level.
 */
function write(node: KqlNode, out: { text: string }, max: number): void {
  if (out.text.length > max) return;
  switch (node.type) {
    case 'matchAll':
      out.text += '*';
      return;
    case 'and':
    case 'or':
      node.children.forEach((c, i) => {
        if (i > 0) out.text += ` ${node.type} `;
        grouped(c, out, max);
      });
      return;
    case 'not':
      out.text += 'not ';
      grouped(node.child, out, max);
      return;
    case 'is':
      out.text += `${fieldText(node.field)}:${valueText(node.value)}`;
      return;
    case 'exists':
      out.text += `${fieldText(node.field)}:*`;
      return;
    case 'range':
      out.text += `${fieldText(node.field)} ${RANGE[node.operator]} ${valueText(node.value)}`;
      return;
    case 'nested':
      out.text += `${escapeUnquoted(node.path)}:{ `;
      write(node.query, out, max);
      out.text += ' }';
      return;
    case 'freeText':
      out.text += valueText(node.value);
      return;
  }
}

const RANGE = { lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

/**
 * An `and` or `or` inside another operator in parentheses: needed where it binds looser than its
 * parent (`not (a or b)`), and kept where it does not (`(a and b) or c`), since the parser keeps
 * the grouping a query was written with (`f:(a or b) or c` is an `or` inside an `or`).
 */
function grouped(child: KqlNode, out: { text: string }, max: number): void {
  const paren = child.type === 'and' || child.type === 'or';
  if (paren) out.text += '(';
  write(child, out, max);
  if (paren) out.text += ')';
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
