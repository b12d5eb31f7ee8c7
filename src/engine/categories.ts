import type { EqlQuery, EventFilter } from '../eql/ast.js';
import type { KqlNode } from '../kql/ast.js';

/**
 * The `event.category` values an event must have for a rule to match it, or undefined when the
 * rule has no such condition. EQL's `X where` is `event.category == "X"` (SPEC §A.3, exact and
 * case-sensitive); a KQL query whose top-level conjunction has `event.category:X` or
 * `event.category:(X or Y)` (exact on a keyword, SPEC §B.3) says the same. A sequence or sample
 * needs any of its queries' categories. Used to run, for each event, only the rules that can
 * match it: a pack of 2,000 rules is mostly rules about other categories.
 */
export function eqlCategories(query: EqlQuery, overridden: boolean): string[] | undefined {
  if (overridden) return undefined;
  const filters: EventFilter[] =
    query.type === 'event'
      ? [query.filter]
      : query.type === 'sequence'
        ? [...query.steps.map((s) => s.filter), ...(query.until ? [query.until.filter] : [])]
        : query.steps.map((s) => s.filter);
  const out = new Set<string>();
  for (const f of filters) {
    if (f.category.kind !== 'name' || !PLAIN.test(f.category.name)) return undefined;
    out.add(f.category.name);
  }
  return [...out];
}

/** A category written as a plain word, which both languages compare as exactly that string. */
const PLAIN = /^[A-Za-z_][A-Za-z0-9_-]*$/;

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
