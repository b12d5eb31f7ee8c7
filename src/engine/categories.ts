import type { KqlNode } from '../kql/ast.js';

/** A category written as a plain word, which the dispatch compares as exactly that string. */
const PLAIN = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * The `event.category` values an event must have for a KQL rule to match it, or undefined when
 * the rule has no such condition: a query whose top-level conjunction has `event.category:X` or
 * `event.category:(X or Y)` (exact on a keyword, SPEC §B.3). Used to run, for each event, only the
 * rules that can match it: a pack of 2,000 rules is mostly rules about other categories. EQL's
 * `X where` says the same; its categories are in src/eql/categories.ts.
 */
export function kqlCategories(node: KqlNode): string[] | undefined {
  const conjuncts = node.type === 'and' ? node.children : [node];
  for (const c of conjuncts) {
    const values = categoryValues(c);
    if (values) return values;
  }
  return undefined;
}

function categoryValues(node: KqlNode): string[] | undefined {
  if (node.type === 'is') {
    const { field, value } = node;
    if (field.kind !== 'name' || field.name !== 'event.category') return undefined;
    // KQL reads `true`, numbers or addresses by the event value's type; categories are words.
    return value.kind === 'string' && PLAIN.test(value.value) && value.value !== 'true' && value.value !== 'false' ? [value.value] : undefined;
  }
  if (node.type === 'or') {
    const all: string[] = [];
    for (const child of node.children) {
      const v = categoryValues(child);
      if (!v) return undefined;
      for (const c of v) all.push(c); // not push(...v): a list of 200,000 values overflows the stack as arguments
    }
    return all;
  }
  return undefined;
}
