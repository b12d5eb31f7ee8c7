export type { AnalyzerName, FieldType, FieldTypeName, NumericKind, ResolvedField } from './types.js';
export { DEFAULT_DATE_FORMAT, DEFAULT_IGNORE_ABOVE, DEFAULT_KEYWORD, NUMERIC_KINDS } from './types.js';
export { analyze, tokenize } from './analysis.js';
export type { TokenSink } from './analysis.js';
export { compileRangeMatcher, compileTermMatcher, compileWildcardMatcher, FieldQueryError } from './matchers.js';
export type { MatcherOptions, RangeOperator, ValueMatcher } from './matchers.js';
export { FieldTypeTable } from './table.js';
export { loadMapping, MappingError, parseMappingText } from './mapping.js';
export type { LoadedMapping, MappedField } from './mapping.js';
