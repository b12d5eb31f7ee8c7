import { compileFieldReader } from '../../event/fields.js';
import { sharedClause } from '../../event/predicates.js';
import type { EcsEvent, Predicate } from '../../event/types.js';
import { ANY, and, exactStringNeed, type Need } from '../../prefilter/needles.js';
import type { EventFilter } from '../ast.js';

/**
 * `category where condition` (SPEC §A.3): `event.category == "category"` (or the rule's
 * `event_category_override` field) and the condition; `any where` is the condition alone. The
 * category clause is exact and case-sensitive and holds when any value of the field is the name.
 * It is the one clause of an EQL query that says which categories an event must have, so it alone
 * implies categories (engine/dispatch.ts runs a rule only on events of its categories).
 */
export interface EventFilterOperator {
  /** The filter as a predicate, given its condition already compiled. */
  compile(filter: EventFilter, condition: Predicate, categoryField: string): Predicate;
  /** The filter's need, given its condition's need. */
  need(filter: EventFilter, condition: Need): Need;
  /**
   * The category an event needs for the filter to hold, or undefined when that is not a plain
   * category word (`any where`, a quoted name the dispatch would not index).
   */
  category(filter: EventFilter): string | undefined;
}

export const EVENT_FILTER: EventFilterOperator = {
  compile(filter, condition, categoryField) {
    if (filter.category.kind === 'any') return condition;
    const name = filter.category.name;
    // Most EQL rules of a pack start with one of a few categories: one answer per event for all.
    const inCategory = sharedClause(`category ${JSON.stringify([categoryField, name])}`, () => {
      const read = compileFieldReader(categoryField);
      return (event: EcsEvent): boolean => {
        const values = read(event);
        for (let i = 0; i < values.length; i++) {
          const v = values[i];
          if (v === name || (typeof v !== 'string' && (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') && String(v) === name)) return true;
        }
        return false;
      };
    });
    return (event) => inCategory(event) && condition(event);
  },

  need(filter, condition) {
    const category = filter.category.kind === 'name' ? exactStringNeed(filter.category.name) : ANY;
    return and([category, condition]);
  },

  category(filter) {
    return filter.category.kind === 'name' && PLAIN.test(filter.category.name) ? filter.category.name : undefined;
  },
};

/** A category written as a plain word, which the dispatch compares as exactly that string. */
const PLAIN = /^[A-Za-z_][A-Za-z0-9_-]*$/;
