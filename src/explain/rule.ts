import { parseEql } from '../eql/parse.js';
import type { EqlQuery } from '../eql/ast.js';
import type { JoinKey } from '../eql/compile.js';
import type { CompiledRule } from '../engine/compileRule.js';
import type { FieldTypeTable } from '../fieldTypes/index.js';
import { compileFilters, describeFilter, type RuleFilter } from '../filters/index.js';
import { parseKql } from '../kql/parse.js';
import { compileFieldReader } from '../event/fields.js';
import { combine, shownClause, shownValue, type ClauseExplainer, type ClauseNode } from './clause.js';
import { explainEventFilter } from './eql.js';
import { explainKql } from './kql.js';

/** One query of a sequence or sample: its clauses (rule filters included) and its join keys. */
export interface StepExplainer {
  /** `[process where ...]` as written, `until [...]`, or `![...]` for a missing event. */
  label: string;
  explain: ClauseExplainer;
  keys: readonly JoinKey[];
  /** `![...]`: a sequence matches only if no such event falls between its neighbours. */
  missing: boolean;
  /** `with runs=N`: this query takes N events in a row. */
  runs: number;
  until: boolean;
}

/**
 * A rule's clauses as functions of an event. `explain(event).result` is exactly the rule's
 * compiled `matches(event)`: for a sequence or sample, whether the event satisfies any of its
 * queries (the runner then joins events); `steps` explains each query on its own.
 */
export interface RuleExplainer {
  explain: ClauseExplainer;
  steps?: readonly StepExplainer[];
}

export interface ExplainOptions {
  fieldTypes: FieldTypeTable;
  /** `now` of date math (`@timestamp >= now-1d`), as the scan compiled it. */
  now?: number;
}

/**
 * Compiles the explainer of a compiled rule, with the same field types and the same compilers the
 * scan used. Done once per rule, and only when an explanation is asked for: a scan without
 * `--explain` never calls it.
 */
export function compileRuleExplainer(compiled: CompiledRule, options: ExplainOptions): RuleExplainer {
  const { rule } = compiled;
  const { fieldTypes } = options;
  const now = options.now ?? Date.now();
  const filters = filterExplainers(rule.filters, fieldTypes, now);
  const withFilters = (query: ClauseExplainer, label: string): ClauseExplainer =>
    filters.length === 0 ? query : (event) => combine('and', label, [query(event), ...filters.map((f) => f(event))]);
  if (rule.language === 'kuery') {
    const query = explainKql(parseKql(rule.query), { fieldTypes, pathPrefix: '', now });
    return { explain: withFilters(query, 'the query and the rule filters') };
  }
  const ast: EqlQuery = parseEql(rule.query);
  const categoryField = rule.eventCategoryOverride ?? 'event.category';
  const filterOf = (f: Parameters<typeof explainEventFilter>[0]) => explainEventFilter(f, rule.query, categoryField, fieldTypes);
  if (ast.type === 'event') return { explain: withFilters(filterOf(ast.filter), 'the query and the rule filters') };
  if (ast.type === 'join') throw new Error(`rule "${rule.name}": a join query never compiles`);
  const keysOf = (i: number): readonly JoinKey[] =>
    compiled.kind === 'sequence' ? (compiled.sequence.steps[i]?.keys ?? []) : compiled.kind === 'sample' ? (compiled.sample.steps[i]?.keys ?? []) : [];
  const steps: StepExplainer[] = ast.steps.map((s, i) => ({
    label: shownClause(`${'missing' in s && s.missing ? '!' : ''}[${rule.query.slice(s.filter.at.offset, s.filter.at.offset + s.filter.at.length)}]`),
    explain: withFilters(filterOf(s.filter), `query ${i + 1} and the rule filters`),
    keys: keysOf(i),
    missing: 'missing' in s && s.missing,
    runs: 'runs' in s ? (s.runs ?? 1) : 1,
    until: false,
  }));
  if (ast.type === 'sequence' && ast.until !== null && compiled.kind === 'sequence' && compiled.sequence.until !== null) {
    steps.push({
      label: shownClause(`until [${rule.query.slice(ast.until.filter.at.offset, ast.until.filter.at.offset + ast.until.filter.at.length)}]`),
      explain: withFilters(filterOf(ast.until.filter), 'until and the rule filters'),
      keys: compiled.sequence.until.keys,
      missing: false,
      runs: 1,
      until: true,
    });
  }
  const clause = shownClause(`any query of the ${ast.type}`);
  return {
    steps,
    explain: (event) =>
      combine(
        'or',
        clause,
        steps.map((s) => ({ ...s.explain(event), clause: s.label })),
      ),
  };
}

/** Each enabled filter as a leaf, compiled by src/filters as the scan compiles them all together. */
function filterExplainers(filters: readonly RuleFilter[], fieldTypes: FieldTypeTable, now: number): ClauseExplainer[] {
  return filters
    .filter((f) => !f.disabled)
    .map((f) => {
      const compiled = compileFilters([f], { fieldTypes, now });
      const test = compiled === undefined ? () => true : compiled.predicate;
      const field = 'field' in f.clause ? f.clause.field : undefined;
      const read = field === undefined ? undefined : compileFieldReader(field);
      const clause = shownClause(describeFilter(f));
      return (event): ClauseNode => ({
        clause,
        result: test(event),
        role: 'filter',
        ...(field === undefined || read === undefined ? {} : { field: shownClause(field), value: shownValue(read(event)) }),
      });
    });
}
