import { eventFiltersOf, type EqlQuery } from './ast.js';
import { EVENT_FILTER } from './operators/index.js';

/**
 * The `event.category` values an event must have for an EQL query to match it, or undefined when
 * the query has no such condition. Only `X where` implies a category (operators/eventFilter.ts);
 * a sequence or sample needs any of its queries' categories, so one `any where` (or a rule that
 * reads the category from another field, `event_category_override`) gives none. Used to run, for
 * each event, only the rules that can match it (engine/dispatch.ts).
 */
export function eqlCategories(query: EqlQuery, overridden: boolean): string[] | undefined {
  if (overridden) return undefined;
  const out = new Set<string>();
  for (const filter of eventFiltersOf(query)) {
    const category = EVENT_FILTER.category(filter);
    if (category === undefined) return undefined;
    out.add(category);
  }
  return [...out];
}
