import { bytesInCidr, parseCidr, parseIp } from '../event/cidr.js';
import type { Cidr } from '../event/cidr.js';
import { isJsonObject, type Scalar } from '../event/types.js';
import { compileWildcardParts } from '../event/wildcard.js';
import { analyze, lowerCase, tokenize } from './analysis.js';
import { compileDateFormat, indexedDate, parseQueryDate } from './dates.js';
import { compareNumbers, compareToBound, indexedNumber, parseQueryNumber, parseRangeBound } from './numbers.js';
import { DEFAULT_KEYWORD, isNumericFieldType } from './types.js';
import { asIpv6, compareCodePoints, compareIpBytes } from '../event/order.js';
import type { AnalyzerName, FieldType } from './types.js';

/**
 * Matchers for one query clause on one field, compiled once per rule, mirroring what Elasticsearch
 * does with the query Kibana builds from KQL (kbn-es-query `kuery/functions/is.ts`, `range.ts`):
 * - `f:"a b"` (quoted) is `match_phrase`, `f:a b` (unquoted) is `match` — on a keyword-like field
 *   both compare the whole value; on `text` the query text is analysed, `match` wants any of its
 *   tokens and `match_phrase` all of them at consecutive positions;
 * - a value with `*` is a `wildcard` query on a keyword and a `query_string` elsewhere; on `text`
 *   the pattern is lowercased (the analyser's normaliser) and tried against each token; on ip,
 *   date, numeric and boolean fields Elasticsearch refuses it;
 * - on a date field an exact value is a range from the value to the value rounded up (is.ts);
 * - `f < v` is a `range` query read by the field's type.
 *
 * Event values may be arrays (any element matches; a phrase never spans two elements, because
 * `position_increment_gap` puts 100 positions between them). Objects never match.
 */
export type ValueMatcher = (eventValue: unknown) => boolean;

export interface MatcherOptions {
  /**
   * When true, a value the field's type cannot read matches nothing, as with `lenient: true`
   * (Kibana's free-text `multi_match`). Otherwise it throws FieldQueryError, as Elasticsearch
   * fails such a query.
   */
  lenient?: boolean;
  /** The scan's clock for `now` in date math (epoch millis). */
  nowMs?: number;
}

/** A query Elasticsearch would refuse on this field (Kibana shows the search error; the rule does not run). */
export class FieldQueryError extends Error {
  override readonly name = 'FieldQueryError';
  constructor(
    message: string,
    /** The field as the query names it, once the KQL compiler knows it. */
    readonly field?: string,
    /** Its type, for messages (`ip`, `long`). */
    readonly fieldType?: string,
  ) {
    super(message);
  }
}

const NEVER: ValueMatcher = () => false;

function refuse(options: MatcherOptions, message: string): ValueMatcher {
  if (options.lenient === true) return NEVER;
  throw new FieldQueryError(message);
}

/** Arrays nested deeper than this are not looked into (as src/event/fields.ts MAX_NESTING). */
const MAX_DEPTH = 100;

/**
 * Applies `test` to a scalar or to each element of an array (nested arrays flatten). With
 * `leaves`, objects are looked into too: a query on a flattened field's own name matches any of
 * its leaf values (FlattenedFieldMapper indexes every leaf under the root field as well).
 */
function anyElement(test: (v: Scalar) => boolean, leaves = false): ValueMatcher {
  const matcher = (value: unknown, depth: number): boolean => {
    // A bigint is an integer beyond 2^53 (event/exactNumber.ts), a scalar like a number.
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return test(value);
    if (typeof value !== 'object' || value === null || depth >= MAX_DEPTH) return false;
    if (Array.isArray(value)) {
      for (const element of value) if (matcher(element, depth + 1)) return true;
      return false;
    }
    if (!leaves || !isJsonObject(value)) return false;
    for (const key in value) if (matcher(value[key], depth + 1)) return true;
    return false;
  };
  return (value) => matcher(value, 0);
}

/**
 * A `dynamic` (unmapped) field: each event value is read as the type Elasticsearch's dynamic
 * mapping gives its JSON type (types.ts). The query text may not suit every one of those types
 * (`abc` is no long), and which one the index chose is unknown offline, so a type that cannot read
 * it matches nothing rather than fail the query.
 */
function dynamicMatcher(make: (type: FieldType, options: MatcherOptions) => ValueMatcher, options: MatcherOptions): ValueMatcher {
  const lenient = { ...options, lenient: true };
  const asKeyword = make(DEFAULT_KEYWORD, lenient);
  const asLong = make({ type: 'long' }, lenient);
  const asFloat = make({ type: 'float' }, lenient);
  const asBoolean = make({ type: 'boolean' }, lenient);
  return anyElement((v) => {
    if (typeof v === 'string') return asKeyword(v);
    if (typeof v === 'boolean') return asBoolean(v);
    return Number.isInteger(v) ? asLong(v) : asFloat(v);
  });
}

/** The text a keyword-like field indexes for a scalar: numbers and booleans by their JSON text. */
function keywordText(value: Scalar): string {
  return typeof value === 'string' ? value : String(value);
}

interface KeywordLike {
  ignoreAbove: number | undefined;
  normalize: (s: string) => string;
  /** A flattened field's own name matches any of its leaves. */
  leaves: boolean;
}

function keywordLike(field: FieldType): KeywordLike | undefined {
  switch (field.type) {
    case 'keyword':
      return { ignoreAbove: field.ignoreAbove, normalize: field.normalizer === 'lowercase' ? lowerCase : identity, leaves: false };
    case 'flattened':
      return { ignoreAbove: field.ignoreAbove, normalize: identity, leaves: true };
    case 'wildcard':
    case 'constant_keyword':
    case 'other':
      return { ignoreAbove: undefined, normalize: identity, leaves: false };
    default:
      return undefined;
  }
}

function identity(s: string): string {
  return s;
}

/**
 * `field:value` (unquoted, or quoted with `phrase: true`) without wildcards. `text` is the value
 * as KQL unescaped it (`true`, `200`, `10.0.0.0/8` all arrive as text).
 */
export function compileTermMatcher(field: FieldType, text: string, options: MatcherOptions & { phrase: boolean }): ValueMatcher {
  if (field.type === 'dynamic') return dynamicMatcher((type, o) => compileTermMatcher(type, text, { ...o, phrase: options.phrase }), options);
  const kw = keywordLike(field);
  if (kw !== undefined) {
    const wanted = kw.normalize(text);
    const { ignoreAbove, normalize } = kw;
    return anyElement((v) => {
      const s = keywordText(v);
      // KeywordFieldMapper: a value longer than ignore_above is not indexed, so no term matches it.
      if (ignoreAbove !== undefined && s.length > ignoreAbove) return false;
      return normalize(s) === wanted;
    }, kw.leaves);
  }
  switch (field.type) {
    case 'text':
    case 'match_only_text':
      return options.phrase ? compilePhrase(field.analyzer, text) : compileAnyToken(field.analyzer, text);
    case 'ip':
      return compileIpTerm(text, options);
    case 'date':
      return compileDateTerm(field.format, text, options);
    case 'boolean':
      return compileBooleanTerm(text, options);
    case 'object':
    case 'nested':
      // Nothing is indexed under an object's own name: Elasticsearch finds no such field.
      return NEVER;
    case 'unindexed':
      return refuse(options, `Cannot search on a field that is not indexed (mapped ${field.esType} with index: false)`);
    default:
      return compileNumericTerm(field, text, options);
  }
}

function compileNumericTerm(field: FieldType, text: string, options: MatcherOptions): ValueMatcher {
  if (!isNumericFieldType(field)) return NEVER;
  const scaling = field.type === 'scaled_float' ? field.scalingFactor : 1;
  const wanted = parseQueryNumber(field.type, text, scaling);
  if (wanted.kind === 'none') return NEVER;
  if (wanted.kind === 'invalid') return refuse(options, `${wanted.reason} (field type ${field.type})`);
  return anyElement((v) => {
    const got = indexedNumber(field.type, v, scaling);
    if (got === undefined) return false;
    // Exact: an event's integer beyond 2^53 is a bigint (event/json.ts), a double is the value stored.
    return compareNumbers(got, wanted) === 0;
  });
}


/** `match`: the value's tokens, any of which may appear (operator OR); no token matches nothing. */
function compileAnyToken(analyzer: AnalyzerName, text: string): ValueMatcher {
  const wanted = new Set(tokenize(analyzer, text));
  if (wanted.size === 0) return NEVER;
  return anyElement((v) => analyze(analyzer, keywordText(v), (token) => wanted.has(token)));
}

/**
 * `match_phrase` (slop 0): the query's tokens at consecutive positions of one value, found with
 * Knuth-Morris-Pratt over the value's token stream, so the work is linear in the value.
 */
function compilePhrase(analyzer: AnalyzerName, text: string): ValueMatcher {
  const phrase = tokenize(analyzer, text);
  if (phrase.length === 0) return NEVER;
  if (phrase.length === 1) return compileAnyToken(analyzer, text);
  const failure = new Int32Array(phrase.length);
  for (let i = 1, k = 0; i < phrase.length; i++) {
    while (k > 0 && phrase[i] !== phrase[k]) k = failure[k - 1]!;
    if (phrase[i] === phrase[k]) k++;
    failure[i] = k;
  }
  return anyElement((v) => {
    let matched = 0;
    return analyze(analyzer, keywordText(v), (token) => {
      while (matched > 0 && token !== phrase[matched]) matched = failure[matched - 1]!;
      if (token === phrase[matched]) matched++;
      return matched === phrase.length;
    });
  });
}

function compileIpTerm(text: string, options: MatcherOptions): ValueMatcher {
  // IpFieldMapper.termQuery: `a/n` is a CIDR block, anything else must be one address.
  const cidr: Cidr | null = text.includes('/') ? parseCidr(text) : parseIp(text) === null ? null : parseCidr(text);
  if (cidr === null) return refuse(options, `'${text}' is not an IP string literal`);
  return anyElement((v) => {
    if (typeof v !== 'string') return false;
    const ip = parseIp(v);
    return ip !== null && bytesInCidr(ip, cidr);
  });
}

function compileDateTerm(formatText: string, text: string, options: MatcherOptions): ValueMatcher {
  const format = compileDateFormat(formatText);
  const now = options.nowMs ?? Date.now();
  const from = parseQueryDate(format, text, false, now);
  const to = parseQueryDate(format, text, true, now);
  if (from === undefined || to === undefined) return refuse(options, `failed to parse date field [${text}] with format [${formatText}]`);
  return anyElement((v) => {
    const ms = indexedDate(format, v);
    return ms !== undefined && ms >= from && ms <= to;
  });
}

/**
 * BooleanFieldMapper: `true` / `"true"` are true; `false`, `"false"` and `""` are false
 * (Elasticsearch reference, boolean field type); anything else fails the document or the query.
 */
function booleanOf(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false' || value === '') return false;
  return undefined;
}

function compileBooleanTerm(text: string, options: MatcherOptions): ValueMatcher {
  const wanted = booleanOf(text);
  if (wanted === undefined) return refuse(options, `Can't parse boolean value [${text}], expected [true] or [false]`);
  return anyElement((v) => booleanOf(v) === wanted);
}

/**
 * `field:a*b` (unquoted, with wildcards). `parts` are the literal pieces between the stars, as the
 * KQL AST gives them (an escaped `\*` is a literal star inside a piece).
 */
export function compileWildcardMatcher(field: FieldType, parts: readonly string[], options: MatcherOptions = {}): ValueMatcher {
  if (field.type === 'dynamic') return dynamicMatcher((type, o) => compileWildcardMatcher(type, parts, o), options);
  const kw = keywordLike(field);
  if (kw !== undefined) {
    // KeywordFieldType.wildcardQuery normalises the pattern with the field's normalizer.
    const pattern = compileWildcardParts(parts.map(kw.normalize), false);
    const { ignoreAbove, normalize } = kw;
    return anyElement((v) => {
      const s = keywordText(v);
      if (ignoreAbove !== undefined && s.length > ignoreAbove) return false;
      return pattern(normalize(s));
    }, kw.leaves);
  }
  switch (field.type) {
    case 'text':
    case 'match_only_text': {
      // query_string without analyze_wildcard: the pattern is normalised (lowercased when the
      // analyser lowercases) and matched against each indexed token.
      const lowercases = field.analyzer !== 'whitespace' && field.analyzer !== 'keyword';
      const pattern = compileWildcardParts(lowercases ? parts.map(lowerCase) : parts, false);
      const analyzer = field.analyzer;
      return anyElement((v) => analyze(analyzer, keywordText(v), (token) => pattern(token)));
    }
    case 'object':
    case 'nested':
      return NEVER;
    default:
      return refuse(options, `Can only use wildcard queries on keyword, text and wildcard fields - not on a field of type [${field.type === 'unindexed' ? field.esType : field.type}]`);
  }
}

export type RangeOperator = 'lt' | 'lte' | 'gt' | 'gte';

function holds(operator: RangeOperator, sign: number): boolean {
  switch (operator) {
    case 'lt':
      return sign < 0;
    case 'lte':
      return sign <= 0;
    case 'gt':
      return sign > 0;
    case 'gte':
      return sign >= 0;
  }
}

/** `field < value` and the like: a `range` query on the field's type. */
export function compileRangeMatcher(field: FieldType, operator: RangeOperator, text: string, options: MatcherOptions = {}): ValueMatcher {
  if (field.type === 'dynamic') return dynamicMatcher((type, o) => compileRangeMatcher(type, operator, text, o), options);
  const kw = keywordLike(field);
  if (kw !== undefined) {
    // Terms compare by their UTF-8 bytes, which is code point order.
    const bound = kw.normalize(text);
    const { ignoreAbove, normalize } = kw;
    return anyElement((v) => {
      const s = keywordText(v);
      if (ignoreAbove !== undefined && s.length > ignoreAbove) return false;
      return holds(operator, compareCodePoints(normalize(s), bound));
    }, kw.leaves);
  }
  switch (field.type) {
    case 'text':
    case 'match_only_text': {
      // A range on text compares each token with the bound as written (not analysed).
      const analyzer = field.analyzer;
      return anyElement((v) => analyze(analyzer, keywordText(v), (token) => holds(operator, compareCodePoints(token, text))));
    }
    case 'date': {
      const format = compileDateFormat(field.format);
      // gt and lte round up, gte and lt round down (DateFieldType.rangeQuery).
      const bound = parseQueryDate(format, text, operator === 'gt' || operator === 'lte', options.nowMs ?? Date.now());
      if (bound === undefined) return refuse(options, `failed to parse date field [${text}] with format [${field.format}]`);
      return anyElement((v) => {
        const ms = indexedDate(format, v);
        return ms !== undefined && holds(operator, ms - bound);
      });
    }
    case 'ip': {
      const bound = parseIp(text);
      if (bound === null) return refuse(options, `'${text}' is not an IP string literal`);
      const b16 = asIpv6(bound);
      return anyElement((v) => {
        if (typeof v !== 'string') return false;
        const ip = parseIp(v);
        return ip !== null && holds(operator, compareIpBytes(asIpv6(ip), b16));
      });
    }
    case 'boolean': {
      const bound = booleanOf(text);
      if (bound === undefined) return refuse(options, `Can't parse boolean value [${text}], expected [true] or [false]`);
      return anyElement((v) => {
        const b = booleanOf(v);
        return b !== undefined && holds(operator, Number(b) - Number(bound));
      });
    }
    case 'object':
    case 'nested':
      return NEVER;
    case 'unindexed':
      return refuse(options, `Cannot search on a field that is not indexed (mapped ${field.esType} with index: false)`);
    default: {
      if (!isNumericFieldType(field)) return NEVER;
      const scaling = field.type === 'scaled_float' ? field.scalingFactor : 1;
      const bound = parseRangeBound(field.type, text, scaling);
      if ('invalid' in bound) return refuse(options, `${bound.invalid} (field type ${field.type})`);
      const kind = field.type;
      return anyElement((v) => {
        const got = indexedNumber(kind, v, scaling);
        return got !== undefined && holds(operator, compareToBound(got, bound));
      });
    }
  }
}



