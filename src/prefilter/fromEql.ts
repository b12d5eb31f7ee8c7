import { eventFiltersOf, type EqlQuery, type EventFilter } from '../eql/ast.js';
import { EVENT_FILTER, needOf } from '../eql/operators/index.js';
import { FieldTypeTable } from '../fieldTypes/index.js';
import { or, type Need } from './needles.js';

/**
 * The need of an EQL query (see needles.ts). Each operator states the needles it guarantees
 * beside its evaluation (src/eql/operators/): only case-sensitive exact comparisons of a field
 * with a string give any (`==`, `in`, and the category of `X where`, SPEC §A.3, §A.4). A sequence
 * or sample needs any of its queries (including `until` and missing events), since each of those
 * events matters.
 */
export function eqlNeed(query: EqlQuery, fieldTypes: FieldTypeTable = FieldTypeTable.builtin()): Need {
  return or(eventFiltersOf(query).map((filter) => filterNeed(filter, fieldTypes)));
}

/**
 * `fieldTypes` must be the table the query is compiled with: on a date or ip field `==` reads its
 * literal as an instant or an address, which the line may spell otherwise, so it needs nothing.
 */
function filterNeed(filter: EventFilter, fieldTypes: FieldTypeTable): Need {
  return EVENT_FILTER.need(filter, needOf(filter.condition, fieldTypes));
}
