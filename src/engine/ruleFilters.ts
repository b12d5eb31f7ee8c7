import { allOf, anyOf } from '../event/predicates.js';
import type { Predicate } from '../event/types.js';
import type { FieldTypeTable } from '../fieldTypes/index.js';
import { FieldQueryError } from '../fieldTypes/index.js';
import { compileFilters } from '../filters/index.js';
import { and } from '../prefilter/needles.js';
import { conjoin, NO_REQUIREMENTS, requirement } from '../event/requirements.js';
import { RuleError } from '../rules/ruleError.js';
import type { Rule } from '../rules/types.js';
import type { CompiledQuery } from './compileRule.js';

/**
 * The rule's `filters` ANDed into its compiled query. Kibana puts them in the same search as the
 * query for query, new_terms and threshold rules (security_solution `get_filter.ts` →
 * `get_query_filter.ts` → kbn-es-query `buildEsQuery`), and in the `filter` of the EQL search
 * request for eql rules (`build_eql_search_request.ts`), which Elasticsearch applies to every
 * event the EQL query reads: each query of a sequence or sample, `until` and `![...]` included.
 * The line needs what both need; the event needs what both require (the query's categories, else the filters').
 */
export function applyRuleFilters(rule: Rule, query: CompiledQuery, fieldTypes: FieldTypeTable): CompiledQuery {
  let compiled;
  try {
    compiled = compileFilters(rule.filters, { fieldTypes, now: Date.now() });
  } catch (e) {
    if (e instanceof FieldQueryError) throw filterErrorInFile(rule, e);
    throw e;
  }
  if (compiled === undefined) return query;
  const filter = compiled.predicate;
  const both = (p: Predicate): Predicate => allOf([p, filter]);
  const need = and([query.need, compiled.need]);
  const filterCategories = compiled.categories === undefined ? NO_REQUIREMENTS : requirement('event.category', compiled.categories);
  const requirements = conjoin([query.requirements, filterCategories]);
  const joined = query.joined;
  if (joined === undefined) return { ...query, matches: both(query.matches), need, requirements };
  if (joined.kind === 'sample') {
    const steps = joined.steps.map((s) => ({ ...s, predicate: both(s.predicate) }));
    return { ...query, matches: anyOf(steps.map((s) => s.predicate)), need, requirements, joined: { ...joined, steps } };
  }
  const steps = joined.steps.map((s) => ({ ...s, predicate: both(s.predicate) }));
  const until = joined.until === null ? null : { ...joined.until, predicate: both(joined.until.predicate) };
  const all = steps.map((s) => s.predicate);
  if (until !== null) all.push(until.predicate);
  return { ...query, matches: anyOf(all), need, requirements, joined: { ...joined, steps, until } };
}

/** A clause Elasticsearch refuses for its field's type, as a rule error at the rule's filters. */
function filterErrorInFile(rule: Rule, e: FieldQueryError): RuleError {
  // The filter that names the field (the first one, when several do).
  const named = e.field === undefined ? undefined : rule.filters.find((f) => JSON.stringify(f.clause).includes(JSON.stringify(e.field)));
  const line = (named ?? rule.filters.find((f) => f.line !== undefined))?.line;
  const on = e.field === undefined ? '' : ` on ${e.fieldType === undefined ? '' : `the ${e.fieldType} field `}${e.field}`;
  return new RuleError({
    message: `Elasticsearch would refuse this filter${on}: ${e.message}`,
    file: rule.source.file,
    line,
    column: line === undefined ? undefined : 1,
    notes: [`in the filters of rule "${rule.name}"; change the filter, or if your index maps the field otherwise, say so with --mapping FILE`],
  });
}
