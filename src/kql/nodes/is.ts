import { bytesInCidr, parseCidr, parseIp } from '../../event/cidr.js';
import type { Cidr } from '../../event/cidr.js';
import { numberOfText, type ExactNumber } from '../../event/exactNumber.js';
import type { Predicate } from '../../event/types.js';
import { compileWildcardParts } from '../../event/wildcard.js';
import type { StringMatcher } from '../../event/wildcard.js';
import { ANY, and, lit, or, type Need } from '../../prefilter/needles.js';
import type { KqlValue } from '../ast.js';
import { parseDecimal } from '../decimal.js';
import { compileFieldClause } from '../fieldAccess.js';
import type { ValueTest } from '../fieldAccess.js';
import type { KqlNodeKind, KqlNodeOf } from './kind.js';

/**
 * `field:value` (SPEC §B.3). Kibana sends a rule's `field:value` to Elasticsearch as a `match`
 * query with no field types known, so Elasticsearch's mapping decides how the text is read: a
 * keyword compares the exact text, a number the parsed number, a boolean `true`/`false`, an ip the
 * address or CIDR block. Offline, the JSON type of the event value stands in for the mapping.
 * Free text (freeText.ts) is the same test applied to every value of the event, and `or`
 * (logical.ts) merges the `is` clauses of one field into one value set.
 */
export const isKind: KqlNodeKind<KqlNodeOf<'is'>> = {
  compile(node) {
    return compileFieldClause(node.field, valueTestOf([node.value]));
  },
  need(node) {
    return valueNeed(node.value);
  },
  categories(node) {
    const { field, value } = node;
    if (field.kind !== 'name' || field.name !== 'event.category') return undefined;
    // KQL reads `true`, numbers or addresses by the event value's type; categories are words.
    return value.kind === 'string' && PLAIN_CATEGORY.test(value.value) && value.value !== 'true' && value.value !== 'false'
      ? [value.value]
      : undefined;
  },
};

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

/** Builds a `Predicate` for the `is` clauses of one exact field name merged by `or`. */
export function compileIsGroup(fieldName: string, values: readonly KqlValue[]): Predicate {
  return compileFieldClause({ kind: 'name', name: fieldName, quoted: true }, valueTestOf(values));
}
