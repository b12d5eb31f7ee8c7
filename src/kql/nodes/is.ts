import { isIndexableValue, NO_REQUIREMENTS, requirement } from '../../event/requirements.js';
import { bytesInCidr, parseCidr, parseIp } from '../../event/cidr.js';
import type { Cidr } from '../../event/cidr.js';
import { numberOfText, type ExactNumber } from '../../event/exactNumber.js';
import type { Predicate } from '../../event/types.js';
import { compileWildcardParts } from '../../event/wildcard.js';
import type { StringMatcher } from '../../event/wildcard.js';
import { compileTermMatcher, compileWildcardMatcher, isPlainKeyword } from '../../fieldTypes/index.js';
import type { ResolvedField, ValueMatcher } from '../../fieldTypes/index.js';
import { ANY, and, lit, or, type Need } from '../../prefilter/needles.js';
import type { KqlField, KqlValue } from '../ast.js';
import { parseDecimal } from '../decimal.js';
import { compileTypedFieldClause, resolveField } from '../fieldAccess.js';
import type { ValueTest } from '../fieldAccess.js';
import type { KqlCompileContext, KqlNodeKind, KqlNodeOf } from './kind.js';

/**
 * `field:value` (SPEC §B.3). Kibana sends an unquoted value as a `match` query, a quoted one as
 * `match_phrase` and one with `*` as `query_string` (kbn-es-query `kuery/functions/is.ts`), and
 * Elasticsearch answers by the field's mapping (src/fieldTypes/): a keyword compares the exact
 * text, `text` / `match_only_text` the analysed tokens (a quoted value is a phrase), an ip the
 * address or CIDR block, a date the instant, a number the number. A field no mapping knows is read
 * by the event value's JSON type, as Elasticsearch's dynamic mapping would have mapped it (the
 * value set below). Free text (freeText.ts) is the same test applied to every value of the event,
 * and `or` (logical.ts) merges the `is` clauses of one field into one test.
 */
export const isKind: KqlNodeKind<KqlNodeOf<'is'>> = {
  compile(node, ctx) {
    return compileIsGroup(node.field, [node.value], ctx);
  },
  need(node, ctx) {
    // A pattern name may expand to fields of any type.
    if (node.field.kind !== 'name') return ANY;
    const { type } = resolveField(ctx, node.field.name);
    if (type.type === 'dynamic') return valueNeed(node.value);
    // A keyword with a null_value matches a JSON null too, which the line writes as `null`.
    if (isPlainKeyword(type) && !(type.type === 'keyword' && type.nullValue !== undefined)) return keywordNeed(node.value);
    // Analysed text, a normaliser, numbers, ip and dates: the line's bytes may differ from the
    // query's text (`SEGFAULT` for `segfault`, `5e1` for `50`, `::1` for `0:0:0:0:0:0:0:1`).
    return ANY;
  },
  requirements(node, ctx) {
    const { field, value } = node;
    // Only a top-level name reads the event's own field (inside `nested` a name is relative).
    if (field.kind !== 'name' || value.kind !== 'string' || ctx.pathPrefix !== '') return NO_REQUIREMENTS;
    const resolved = resolveField(ctx, field.name);
    return exactFieldValue(resolved, field.name, value.value) ? requirement(field.name, [value.value]) : NO_REQUIREMENTS;
  },
};

/**
 * Whether `field:text` holds exactly where some value of the field itself is the string `text`, so
 * the dispatch may compare strings: a plain keyword (no normaliser, no `null_value` standing in for
 * a null, read at its own path, not a multi-field's parent), or an unmapped field, which reads a
 * string exactly unless the text is also a number, boolean or address (`::1` matches
 * `0:0:0:0:0:0:0:1`). Categories keep their older, narrower form (plain words).
 */
function exactFieldValue(resolved: ResolvedField, name: string, text: string): boolean {
  const { type, valuePath } = resolved;
  if (valuePath !== name || !isIndexableValue(text)) return false;
  if (name === 'event.category' && !PLAIN_CATEGORY.test(text)) return false;
  if (type.type === 'dynamic') return parseCidr(text) === null;
  return isPlainKeyword(type) && !(type.type === 'keyword' && type.nullValue !== undefined);
};


/**
 * The `is` clauses of one field, as `field:(a or b or c)` reads them: the field is read once, and
 * on a keyword or unmapped field most values become one hash lookup. `lenient` (free text) makes
 * a value the type cannot read match nothing instead of failing the query.
 */
export function compileIsGroup(field: KqlField, values: readonly KqlValue[], ctx: KqlCompileContext): Predicate {
  return compileTypedFieldClause(field, ctx, (resolved) => typedValueTest(resolved, values, ctx.now, false));
}

/** The test of `values` on one resolved field; throws FieldQueryError where Elasticsearch refuses the query. */
export function typedValueTest(resolved: ResolvedField, values: readonly KqlValue[], nowMs: number, lenient: boolean): ValueTest {
  const { type } = resolved;
  if (type.type === 'dynamic') return valueTestOf(values);
  if (isPlainKeyword(type)) return keywordValueTest(type.type === 'keyword' ? type.ignoreAbove : undefined, values);
  const matchers: ValueMatcher[] = [];
  for (const value of values) {
    switch (value.kind) {
      case 'null':
        continue;
      case 'boolean':
        matchers.push(compileTermMatcher(type, String(value.value), { phrase: false, nowMs, lenient }));
        continue;
      case 'string':
        matchers.push(compileTermMatcher(type, value.value, { phrase: value.quoted, nowMs, lenient }));
        continue;
      case 'wildcard':
        matchers.push(compileWildcardMatcher(type, value.parts, { nowMs, lenient }));
        continue;
    }
  }
  if (matchers.length === 0) return () => false;
  if (matchers.length === 1) return matchers[0]!;
  return (v) => {
    for (let i = 0; i < matchers.length; i++) if (matchers[i]!(v)) return true;
    return false;
  };
}

/**
 * A plain keyword: the value's text (a number or boolean by its JSON text) equals one of the
 * values, or matches one of the patterns; a value longer than ignore_above is not indexed and
 * matches nothing (KeywordFieldMapper).
 */
function keywordValueTest(ignoreAbove: number | undefined, values: readonly KqlValue[]): ValueTest {
  const strings = new Set<string>();
  const patterns: StringMatcher[] = [];
  for (const value of values) {
    if (value.kind === 'string') strings.add(value.value);
    else if (value.kind === 'boolean') strings.add(String(value.value));
    else if (value.kind === 'wildcard') patterns.push(compileWildcardParts(value.parts, false));
  }
  const test = compileStringTest(strings, patterns, []);
  const limit = ignoreAbove ?? Infinity;
  return (v) => {
    // A bigint (an integer beyond 2^53, event/exactNumber.ts) by its exact digits, as a keyword indexes it.
    const text = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' ? String(v) : undefined;
    return text !== undefined && text.length <= limit && test(text);
  };
}

/**
 * The need of a value on a plain keyword. A string value is in the line as itself in quotes; but
 * a keyword also indexes a number or boolean by its text, and a number's text has many spellings
 * in JSON (`50`, `5e1`, `50.0`, and `1e999` is `Infinity`): text that is some number's text gives
 * no need, `true` / `false` the bare word (which `"true"` contains too).
 */
function keywordNeed(value: KqlValue): Need {
  switch (value.kind) {
    case 'null':
      return ANY;
    case 'boolean':
      return lit(String(value.value));
    case 'wildcard':
      return patternNeed({ parts: value.parts, matches: compileWildcardParts(value.parts, false) });
    case 'string': {
      const text = value.value;
      if (text === 'true' || text === 'false') return lit(text);
      if (text === 'Infinity' || text === '-Infinity' || text === 'NaN') return ANY;
      const n = Number(text);
      if (text.trim() !== '' && Number.isFinite(n) && String(n) === text) return ANY;
      return lit(JSON.stringify(text));
    }
  }
}

/** A category written as a plain word, which the event's keyword `event.category` holds as exactly that string. */
const PLAIN_CATEGORY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * "The value equals one of `values`", as `field:(a or b or c)` reads them: the field is read once
 * and most values become one hash lookup.
 */
export function valueTestOf(values: readonly KqlValue[]): ValueTest {
  const set = emptyValueSet();
  for (const value of values) addValue(set, value);
  return compileValueSet(set);
}

/**
 * The need of one value, read off the same value set its evaluation uses, so the two cannot
 * drift apart. An event value passes only if the line holds it, and JSON writes each kind its
 * own way:
 * - a string only as itself in quotes (lines with other escapes go to the full parse, needles.ts);
 * - `true` / `false` only as those words;
 * - a number in many ways (`50`, `5e1`, `50.0`, `500e-1`), an address too (`::1` is
 *   `0:0:0:0:0:0:0:1`): a value that reads as either gives no need.
 */
function valueNeed(value: KqlValue): Need {
  const set = emptyValueSet();
  addValue(set, value);
  if (set.numbers.size > 0 || set.cidrs.length > 0) return ANY;
  const alternatives: Need[] = [];
  // `true` holds both `"true"` and `true`: the bare word alone is the need of either.
  if (set.matchesTrue) alternatives.push(lit('true'));
  if (set.matchesFalse) alternatives.push(lit('false'));
  for (const text of set.strings) {
    if ((text === 'true' && set.matchesTrue) || (text === 'false' && set.matchesFalse)) continue;
    alternatives.push(lit(JSON.stringify(text)));
  }
  for (const pattern of set.patterns) alternatives.push(patternNeed(pattern));
  // No alternative (`field:null`, which matches nothing): `or` of none is ANY, which is safe.
  return or(alternatives);
}

/**
 * A wildcard pattern applies to strings and to the text JavaScript gives a number or boolean
 * (SPEC §C). That text is not the line's: `1e3` reads as 1000, and `String(1000)` is what the
 * pattern sees. A number's text is made of `0-9 . e + -` or is `Infinity`; a pattern that could
 * match one gives no need. Any other pattern's literal pieces appear in the line in order: bare
 * when it may match `true` / `false` (written unquoted), else the first right after the opening
 * quote and the last right before the closing one.
 */
function patternNeed(pattern: Pattern): Need {
  const { parts, matches } = pattern;
  if (parts.every((part) => NUMBER_TEXT.test(part)) || matches('Infinity') || matches('-Infinity')) return ANY;
  const escaped = parts.map((part) => JSON.stringify(part).slice(1, -1));
  if (matches('true') || matches('false')) return and(escaped.map(lit));
  const first = escaped[0] ?? '';
  const last = escaped[escaped.length - 1] ?? '';
  const needs: Need[] = [];
  if (first !== '') needs.push(lit('"' + first));
  for (const piece of escaped.slice(1, -1)) needs.push(lit(piece));
  if (last !== '') needs.push(lit(last + '"'));
  return and(needs);
}

/** The characters of a finite number's JavaScript text (`String(n)`: `1e+21`, `-0.5`). */
const NUMBER_TEXT = /^[0-9.e+-]*$/;

/** What the values of one or more `field:value` clauses accept, split by the type of the event's value. */
interface ValueSet {
  /** Event strings equal to one of these match (case-sensitive, SPEC §B.3). */
  strings: Set<string>;
  /**
   * Event numbers equal to one of these match (`process.pid:200` and `:"200"`). An integer beyond
   * 2^53 is a bigint, in the set and in the event alike, and never equals a number (event/exactNumber.ts).
   */
  numbers: Set<ExactNumber>;
  matchesTrue: boolean;
  matchesFalse: boolean;
  /** Unquoted values with `*`: applied to strings, and to numbers / booleans by their JSON text (SPEC §C). */
  patterns: Pattern[];
  /** `10.0.0.0/8` or an address: event strings that are IP addresses inside a block match (SPEC §B.3). */
  cidrs: Cidr[];
}

/** A wildcard value: its literal pieces (for needles) and its compiled matcher. */
interface Pattern {
  parts: readonly string[];
  matches: StringMatcher;
}

function emptyValueSet(): ValueSet {
  return { strings: new Set(), numbers: new Set(), matchesTrue: false, matchesFalse: false, patterns: [], cidrs: [] };
}

/** Adds what one value accepts to `set`. */
function addValue(set: ValueSet, value: KqlValue): void {
  switch (value.kind) {
    case 'null':
      // Kibana sends `match: {field: null}`, which matches no document (*unconfirmed*: it may be
      // rejected by Elasticsearch instead); either way no event matches.
      return;
    case 'boolean':
      set.strings.add(String(value.value));
      if (value.value) set.matchesTrue = true;
      else set.matchesFalse = true;
      return;
    case 'wildcard':
      set.patterns.push({ parts: value.parts, matches: compileWildcardParts(value.parts, false) });
      return;
    case 'string': {
      const text = value.value;
      set.strings.add(text);
      if (parseDecimal(text) !== undefined) set.numbers.add(numberOfText(text));
      if (text === 'true') set.matchesTrue = true;
      if (text === 'false') set.matchesFalse = true;
      // A bare address also goes here (a /32 or /128 block), so `::1` matches `0:0:0:0:0:0:0:1`.
      if (text.includes('.') || text.includes(':')) {
        const cidr = parseCidr(text);
        if (cidr !== null) set.cidrs.push(cidr);
      }
      return;
    }
  }
}

function compileValueSet(set: ValueSet): ValueTest {
  const { strings, numbers, matchesTrue, matchesFalse, cidrs } = set;
  const patterns = set.patterns.map((p) => p.matches);
  const testString = compileStringTest(strings, patterns, cidrs);
  const numberTest = compileNumberTest(numbers, patterns);
  const trueMatches = matchesTrue || patterns.some((p) => p('true'));
  const falseMatches = matchesFalse || patterns.some((p) => p('false'));
  return (value) => {
    switch (typeof value) {
      case 'string':
        return testString(value);
      case 'number':
      case 'bigint':
        return numberTest(value);
      case 'boolean':
        return value ? trueMatches : falseMatches;
      default:
        return false;
    }
  };
}

function compileStringTest(strings: Set<string>, patterns: StringMatcher[], cidrs: Cidr[]): (s: string) => boolean {
  const exact = exactTest(strings);
  if (patterns.length === 0 && cidrs.length === 0) return exact;
  return (s) => {
    if (exact(s)) return true;
    for (let i = 0; i < patterns.length; i++) if (patterns[i]!(s)) return true;
    if (cidrs.length > 0) {
      const ip = parseIp(s);
      if (ip !== null) for (let i = 0; i < cidrs.length; i++) if (bytesInCidr(ip, cidrs[i]!)) return true;
    }
    return false;
  };
}

function exactTest(strings: Set<string>): (s: string) => boolean {
  if (strings.size === 0) return () => false;
  if (strings.size === 1) {
    const [only] = strings;
    return (s) => s === only;
  }
  return (s) => strings.has(s);
}

function compileNumberTest(numbers: Set<ExactNumber>, patterns: StringMatcher[]): (n: ExactNumber) => boolean {
  if (patterns.length === 0) {
    if (numbers.size === 0) return () => false;
    if (numbers.size === 1) {
      const [only] = numbers;
      return (n) => n === only;
    }
    return (n) => numbers.has(n);
  }
  return (n) => {
    if (numbers.has(n)) return true;
    const text = String(n);
    for (let i = 0; i < patterns.length; i++) if (patterns[i]!(text)) return true;
    return false;
  };
}
