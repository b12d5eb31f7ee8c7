import { eventFiltersOf, type EqlQuery, type EventFilter } from '../eql/ast.js';
import { EVENT_FILTER, needOf } from '../eql/operators/index.js';
import { or, type Need } from './needles.js';

/**
 * The need of an EQL query (see needles.ts). Each operator states the needles it guarantees
 * beside its evaluation (src/eql/operators/): only case-sensitive exact comparisons of a field
 * with a string give any (`==`, `in`, and the category of `X where`, SPEC §A.3, §A.4). A sequence
 * or sample needs any of its queries (including `until` and missing events), since each of those
 * events matters.
 */
export function eqlNeed(query: EqlQuery): Need {
  return or(eventFiltersOf(query).map(filterNeed));
}

function filterNeed(filter: EventFilter): Need {
  return EVENT_FILTER.need(filter, needOf(filter.condition));
}
