/**
 * What an Elasticsearch mapping says about one field, as far as matching a query against an
 * event's value depends on it. Kibana turns KQL into a query per field and Elasticsearch answers it
 * by the field's mapping (a `match` on a keyword is exact, on `text` it is analysed), so the KQL
 * compiler asks for the field's type and calls the matchers of `matchers.ts` with it.
 */

/** Analyzers lkm-scan can run (analysis.ts). */
export type AnalyzerName =
  /** Lucene StandardTokenizer (UAX#29 words) then LowerCaseFilter: ES `standard`, the default. */
  | 'standard'
  /** ES `simple`: runs of letters, lowercased. */
  | 'simple'
  /** ES `whitespace`: runs of non-white-space, case kept. */
  | 'whitespace'
  /** ES `keyword`: the whole value as one token. */
  | 'keyword'
  /**
   * ES `pattern` analyzer splitting on `\W+` (its default pattern), lowercased; `\W` is Java's
   * ASCII class, so every non-ASCII character separates too.
   */
  | 'pattern_word'
  /**
   * ES `pattern` analyzer with `[\W&&[^-]]+`: the Windows integration's `powershell_script_analyzer`
   * for `powershell.file.script_block_text` (tokens are runs of `[A-Za-z0-9_-]`), lowercased.
   */
  | 'pattern_word_hyphen';

export type NumericKind =
  | 'long'
  | 'integer'
  | 'short'
  | 'byte'
  | 'unsigned_long'
  | 'double'
  | 'float'
  | 'half_float'
  | 'scaled_float';

export const NUMERIC_KINDS: readonly NumericKind[] = [
  'long',
  'integer',
  'short',
  'byte',
  'unsigned_long',
  'double',
  'float',
  'half_float',
  'scaled_float',
];

const NUMERIC_KIND_SET: ReadonlySet<string> = new Set(NUMERIC_KINDS);

/** One of Elasticsearch's numeric field types (the one list every reader of a type name uses). */
export function isNumericKind(name: string): name is NumericKind {
  return NUMERIC_KIND_SET.has(name);
}

/** A field of a numeric type (scaled_float included). */
export type NumericFieldType = Extract<FieldType, { type: NumericKind }>;

export function isNumericFieldType(field: FieldType): field is NumericFieldType {
  return isNumericKind(field.type);
}

export type FieldType =
  /**
   * Exact, case-sensitive (unless `normalizer` lowercases both sides). A value longer than
   * `ignoreAbove` UTF-16 units is not indexed, so no query matches it.
   */
  | {
      type: 'keyword';
      ignoreAbove?: number;
      normalizer?: 'lowercase';
      /** The mapping's `null_value`: indexed in place of a JSON null of the field. */
      nullValue?: string;
    }
  /** Exact like a keyword: every document of the index carries the same value. */
  | { type: 'constant_keyword' }
  /** ES `wildcard` field: exact like a keyword without ignore_above, built for `*x*` patterns. */
  | { type: 'wildcard' }
  /** Analysed: tokens by `analyzer`; a quoted value is a phrase. */
  | { type: 'text' | 'match_only_text'; analyzer: AnalyzerName }
  | { type: 'ip' }
  /** `format` is ES's `||`-separated list of formats (dates.ts knows which it can read). */
  | { type: 'date'; format: string }
  | { type: Exclude<NumericKind, 'scaled_float'> }
  | { type: 'scaled_float'; scalingFactor: number }
  | { type: 'boolean' }
  /** Every leaf value below the field is a keyword; `ignoreAbove` as for keywords. */
  | { type: 'flattened'; ignoreAbove?: number }
  /** A field with sub-fields; nothing is indexed under its own name. */
  | { type: 'object' | 'nested' }
  /** Mapped with `index: false` and no doc values: Elasticsearch refuses to search it. */
  | { type: 'unindexed'; esType: string }
  /**
   * A type lkm-scan does not model (`geo_point`, `binary`, ...). Matched as a keyword, which is
   * the closest offline reading; `esType` names it for messages.
   */
  | { type: 'other'; esType: string }
  /**
   * A field no mapping names. Elasticsearch maps it on first sight by the JSON type of its value
   * (ECS's `ecs@mappings` dynamic templates: a string is a keyword with ignore_above 1024, an
   * integer a long, a fraction a float, `true`/`false` a boolean), so offline each event value's
   * own JSON type stands in for the mapping. Never a keyword for every value: `pid:200` must still
   * match the number 200.
   */
  | { type: 'dynamic' };

export type FieldTypeName = FieldType['type'];

/** Elasticsearch's default date format (DateFieldMapper.DEFAULT_DATE_TIME_FORMATTER). */
export const DEFAULT_DATE_FORMAT = 'strict_date_optional_time||epoch_millis';

/** ECS maps keywords with ignore_above 1024, and so does the `ecs@mappings` dynamic template for any other string. */
export const DEFAULT_IGNORE_ABOVE = 1024;

export const DEFAULT_KEYWORD: FieldType = { type: 'keyword', ignoreAbove: DEFAULT_IGNORE_ABOVE };

/** What an unknown field resolves to (see `dynamic` above). */
export const DYNAMIC: FieldType = { type: 'dynamic' };

/**
 * A field as a query names it: its type, and the event field whose value it indexes. The two
 * differ for a multi-field: `process.command_line.text` indexes `process.command_line`'s value.
 */
export interface ResolvedField {
  readonly type: FieldType;
  readonly valuePath: string;
  /** Where the type came from, for messages and `--explain`-style tracing. */
  readonly origin: 'ecs' | 'integration' | 'mapping' | 'default';
}

/**
 * Exact on its whole value, case kept, a number or boolean by its JSON text: a keyword without a
 * normaliser, a wildcard field, constant_keyword and the types lkm-scan matches as keywords. The
 * line holds such a value as the query writes it, so the prefilter and the rule index may look for
 * it. Flattened fields look into objects and are left to the general matcher.
 */
export function isPlainKeyword(type: FieldType): type is Extract<FieldType, { type: 'keyword' | 'wildcard' | 'constant_keyword' | 'other' }> {
  switch (type.type) {
    case 'keyword':
      return type.normalizer === undefined;
    case 'wildcard':
    case 'constant_keyword':
    case 'other':
      return true;
    default:
      return false;
  }
}
