import { compileDateFormat, indexedDate } from '../fieldTypes/dates.js';
import { compileRangeMatcher, compileTermMatcher, FieldQueryError, isNumericFieldType, type FieldType, type FieldTypeTable, type ValueMatcher } from '../fieldTypes/index.js';
import type { Scalar } from '../event/types.js';
import type { Expr, FieldRef, SourceSpan } from './ast.js';
import { failAt } from './compileError.js';
import { compileRawReader, type RawReader } from './fieldPath.js';

/**
 * What Elasticsearch's EQL makes of a field's mapping (README "### EQL and field types"). EQL
 * resolves every field through the index mapping (ql `EsField`, `DataTypes`) and translates a
 * comparison with a literal into a Query DSL leaf on that field (ql `ExpressionTranslators`), so
 * the field's type decides what a literal means:
 * - `plain`: keyword-like fields (keyword, wildcard, constant_keyword), fields the table does not
 *   know, and types lkm-scan compares as it always did. The operators keep their own leaf tests.
 * - `typed`: date, ip, numeric and boolean fields, where Elasticsearch's field mapper reads the
 *   literal (a date string is an instant, `"10.0.0.0/8"` a CIDR block on an ip).
 * - `unsupported`: a type EQL cannot query at all (geo shapes, ranges, `nested` and the fields
 *   inside one; eql VerifierTests testGeo, testRange, testNested).
 * - `inexact`: a field EQL refuses for exact operations: `text` / `match_only_text` without a
 *   keyword multi-field (ql `TextEsField.findExact`), or a keyword with a normalizer (ql
 *   `KeywordEsField.getExactInfo`). `reason` is Elasticsearch's own wording.
 */
export type EqlField =
  | { kind: 'plain' }
  | { kind: 'unsupported'; message: string }
  | { kind: 'typed'; type: FieldType; family: 'date' | 'ip' | 'numeric' | 'boolean' }
  | { kind: 'inexact'; esType: string; reason: string };

const PLAIN: EqlField = { kind: 'plain' };

/** Mapping types Elasticsearch's EQL refuses to use (ql DataTypes: UNSUPPORTED). */
const UNSUPPORTED = new Set(['geo_point', 'geo_shape', 'shape', 'point', 'integer_range', 'long_range', 'float_range', 'double_range', 'date_range', 'ip_range']);

/** The type name Elasticsearch's messages give a field (`datetime` for a date). */
function describeType(type: FieldType): string {
  if (type.type === 'date') return 'datetime';
  if (type.type === 'other' || type.type === 'unindexed') return type.esType;
  return type.type;
}

/** How `field` is mapped, per `table`. A path with `[N]` indexes is read as today (plain). */
export function eqlFieldOf(table: FieldTypeTable | undefined, field: FieldRef): EqlField {
  if (table === undefined) return PLAIN;
  const names: string[] = [];
  for (const part of field.path) {
    if (typeof part !== 'string') return PLAIN;
    names.push(part);
  }
  const path = names.join('.');
  const type = table.resolve(path).type;
  // IndexResolver / EsRelation: a field inside a nested object cannot be queried by EQL.
  for (let dot = path.lastIndexOf('.'); dot > 0; dot = path.lastIndexOf('.', dot - 1)) {
    const parent = path.slice(0, dot);
    if (table.resolve(parent).type.type === 'nested') {
      return { kind: 'unsupported', message: `Cannot use field [${path}] type [${describeType(type)}] with unsupported nested type in hierarchy (field [${parent}])` };
    }
  }
  if (isNumericFieldType(type)) return { kind: 'typed', type, family: 'numeric' };
  switch (type.type) {
    case 'nested':
      return { kind: 'unsupported', message: `Cannot use field [${path}] type [nested] due to nested fields not being supported yet` };
    case 'other':
      if (UNSUPPORTED.has(type.esType)) return { kind: 'unsupported', message: `Cannot use field [${path}] with unsupported type [${type.esType}]` };
      return PLAIN;
    case 'keyword':
      return type.normalizer === undefined ? PLAIN : { kind: 'inexact', esType: 'keyword', reason: 'Normalized keyword field cannot be used for exact match operations' };
    case 'text':
    case 'match_only_text': {
      // field_caps reports match_only_text by its family type, text (MatchOnlyTextFieldMapper).
      const exact = table.indexing(path).filter((f) => f.valuePath === path && f.type.type === 'keyword' && f.type.normalizer === undefined);
      if (exact.length === 1) return PLAIN;
      const leaf = names[names.length - 1] ?? path;
      return {
        kind: 'inexact',
        esType: 'text',
        reason:
          exact.length === 0
            ? `No keyword/multi-field defined exact matches for [${leaf}]; define one or use MATCH/QUERY instead`
            : `Multiple exact keyword candidates available for [${leaf}]; specify which one to use`,
      };
    }
    case 'date':
      return { kind: 'typed', type, family: 'date' };
    case 'ip':
      return { kind: 'typed', type, family: 'ip' };
    case 'boolean':
      return { kind: 'typed', type, family: 'boolean' };
    default:
      return PLAIN;
  }
}

/**
 * Reads the event field a query field indexes: a multi-field (`hostname.keyword`) reads its
 * parent's value (`hostname`), as Elasticsearch indexes it from there; a keyword's `null_value`
 * replaces a JSON null.
 */
export function fieldReader(table: FieldTypeTable | undefined, field: FieldRef): RawReader {
  if (table === undefined || field.path.some((p) => typeof p !== 'string')) return compileRawReader(field);
  const path = field.path.join('.');
  const { type, valuePath } = table.resolve(path);
  // KeywordFieldMapper indexes `null_value` for a JSON null: `f == null` no longer holds there.
  const nullValue = type.type === 'keyword' ? type.nullValue : undefined;
  return compileRawReader(valuePath === path ? field : { ...field, path: valuePath.split('.') }, nullValue);
}

/**
 * Refuses an exact operation (`==`, `<`, `in`, `:`, `like`, `regex`, a string function) on an
 * inexact field, as the verifier does (ql `TypeResolutions.isExact`), at the operator.
 */
export function requireExact(field: EqlField, operation: string, argument: string, node: { at: SourceSpan }): void {
  if (field.kind === 'unsupported') failAt(node, field.message);
  if (field.kind !== 'inexact') return;
  failAt(node, `[${operation}] cannot operate on ${argument}field of data type [${field.esType}]: ${field.reason}`);
}

/** The type name Elasticsearch prints for a field (`datetime` for dates, ql DataTypes). */
export function esTypeName(field: Extract<EqlField, { kind: 'typed' }>): string {
  return field.family === 'date' ? 'datetime' : field.type.type;
}

/**
 * A typed field's term query for `field == literal` (ql BinaryComparisons: a TermQuery, which the
 * field's mapper reads: DateFieldType.termQuery is the range from the date to the date rounded
 * up, IpFieldType.termQuery takes a CIDR block). A literal the mapper cannot read fails the
 * search in Elasticsearch, so it fails the rule here.
 */
export function typedTermTest(field: Extract<EqlField, { kind: 'typed' }>, literal: string | number | bigint | boolean, node: { at: SourceSpan }): ValueMatcher {
  return typedMatcher(node, () => compileTermMatcher(field.type, String(literal), { phrase: false }));
}

export type EqlRangeOperator = '<' | '<=' | '>' | '>=';

const RANGE: Record<EqlRangeOperator, 'lt' | 'lte' | 'gt' | 'gte'> = { '<': 'lt', '<=': 'lte', '>': 'gt', '>=': 'gte' };

/** A typed field's range query (ql BinaryComparisons: a RangeQuery; dates round as DateFieldType.rangeQuery). */
export function typedRangeTest(field: Extract<EqlField, { kind: 'typed' }>, op: EqlRangeOperator, literal: string | number | bigint | boolean, node: { at: SourceSpan }): ValueMatcher {
  return typedMatcher(node, () => compileRangeMatcher(field.type, RANGE[op], String(literal)));
}

function typedMatcher(node: { at: SourceSpan }, compile: () => ValueMatcher): ValueMatcher {
  try {
    return compile();
  } catch (e) {
    if (e instanceof FieldQueryError) return failAt(node, `${e.message}: Elasticsearch fails the search, so the rule never runs there`);
    throw e;
  }
}

/**
 * A join key's value as Elasticsearch returns it: a date field's value is its instant, printed as
 * epoch milliseconds (the QA suite's `join_keys` show `"1671235200000"` for `17-12-2022`); a value
 * the field's format cannot read is no value. Undefined: the field's values are used as they are.
 */
export function joinKeyConversion(table: FieldTypeTable | undefined, field: FieldRef): ((values: Scalar[]) => Scalar[]) | undefined {
  const typed = eqlFieldOf(table, field);
  if (typed.kind !== 'typed' || typed.type.type !== 'date') return undefined;
  const format = compileDateFormat(typed.type.format);
  return (values) => {
    const out: Scalar[] = [];
    for (const v of values) {
      const ms = indexedDate(format, v);
      if (ms !== undefined) out.push(ms);
    }
    return out;
  };
}

/**
 * The key type families Elasticsearch joins across (ql DataTypes.areCompatible: the same type,
 * two strings, two numbers or two dates). Undefined: lkm-scan does not know the field's type.
 */
function keyFamily(type: FieldType): { family: string; esType: string } | undefined {
  if (isNumericFieldType(type)) return { family: 'numeric', esType: type.type };
  switch (type.type) {
    case 'keyword':
    case 'wildcard':
    case 'constant_keyword':
      return { family: 'string', esType: 'keyword' };
    case 'text':
    case 'match_only_text':
      return { family: 'string', esType: 'text' };
    case 'date':
      return { family: 'date', esType: 'date' };
    case 'ip':
    case 'boolean':
      return { family: type.type, esType: type.type };
    default:
      return undefined;
  }
}

/**
 * Each join key must have a type compatible with the same key of the first query (eql
 * Verifier.checkJoinKeyTypes): `sequence [a] by pid [b] by md5` is refused with Elasticsearch's
 * message. Keys of fields the table does not know (origin `default`) are not checked.
 */
export function checkJoinKeyTypes(kind: 'Sequence' | 'Sample', keysPerQuery: ReadonlyArray<readonly Expr[]>, table: FieldTypeTable | undefined): void {
  if (table === undefined) return;
  const typeOf = (key: Expr): ({ family: string; esType: string } & { name: string }) | undefined => {
    if (key.type !== 'field' || key.path.some((p) => typeof p !== 'string')) return undefined;
    const resolved = table.resolve(key.path.join('.'));
    if (resolved.origin === 'default') return undefined;
    const family = keyFamily(resolved.type);
    return family === undefined ? undefined : { ...family, name: key.text };
  };
  const [first, ...rest] = keysPerQuery;
  if (first === undefined) return;
  first.forEach((expected, i) => {
    const want = typeOf(expected);
    if (want === undefined) return;
    for (const keys of rest) {
      const current = keys[i];
      const got = current === undefined ? undefined : typeOf(current);
      if (current === undefined || got === undefined || got.family === want.family) continue;
      failAt(current, `${kind} key [${got.name}] type [${got.esType}] is incompatible with key [${want.name}] type [${want.esType}]`);
    }
  });
}
