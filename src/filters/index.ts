/** Rule filters (`rule.filters`): Kibana filter objects with a Query DSL body, parsed and compiled like a query. */
export type { DslClause, DslValue, RangeBound, RuleFilter } from './ast.js';
export { FilterSyntaxError, parseRuleFilters, SUPPORTED } from './parse.js';
export { compileFilters } from './compile.js';
export type { CompiledFilters, FilterCompileContext } from './compile.js';
export { describeFilter } from './describe.js';
