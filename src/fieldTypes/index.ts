/**
 * Field types: what Elasticsearch's mapping makes of a query clause (README "### Field types").
 *
 * The KQL compiler's use, per clause on a named field:
 *   const field = table.resolve(path);            // FieldTypeTable.builtin() or .withMapping(loadMapping(json))
 *   const read = compileFieldReader(field.valuePath);   // a multi-field reads its parent
 *   compileTermMatcher(field.type, text, { phrase: quoted, nowMs })   // f:v, f:"v"
 *   compileWildcardMatcher(field.type, parts)                          // f:a*b
 *   compileRangeMatcher(field.type, operator, text, { nowMs })         // f < v
 * then `(event) => matcher(read(event))`. Matchers throw FieldQueryError where Elasticsearch would
 * fail the query (pass `lenient: true` for free text, which Kibana sends as a lenient multi_match).
 */
export type { AnalyzerName, FieldType, FieldTypeName, NumericKind, ResolvedField } from './types.js';
export { DEFAULT_DATE_FORMAT, DEFAULT_IGNORE_ABOVE, DEFAULT_KEYWORD, DYNAMIC, NUMERIC_KINDS, isNumericFieldType, isNumericKind, isPlainKeyword } from './types.js';
export { analyze, tokenize } from './analysis.js';
export type { TokenSink } from './analysis.js';
export { compileRangeMatcher, compileTermMatcher, compileWildcardMatcher, FieldQueryError } from './matchers.js';
export type { MatcherOptions, RangeOperator, ValueMatcher } from './matchers.js';
export { FieldTypeTable } from './table.js';
export { loadMapping, MappingError, parseMappingText } from './mapping.js';
export type { LoadedMapping, MappedField } from './mapping.js';
export { fieldTypesOf, readMappingFiles } from './files.js';
export type { MappingSource } from './files.js';
