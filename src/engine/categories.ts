import type { EqlQuery, EventFilter } from '../eql/ast.js';

/**
 * The `event.category` values an event must have for a rule to match it, or undefined when the
 * rule has no such condition. EQL's `X where` is `event.category == "X"` (SPEC §A.3, exact and
 * case-sensitive); KQL's equivalent is `kqlCategories` (src/kql/nodes/). A sequence or sample
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
