import { isNumericText } from '../event/numericText.js';

/**
 * What bytes a raw NDJSON line must contain for a rule to possibly match it (issue: fast path).
 * A `Need` is a condition over the raw line: a literal byte string, or AND / OR of needs, or
 * `any` (no constraint: the line must be parsed). It is derived from a query's AST and must be
 * *necessary*: if the rule can match an event, its line satisfies the need. It never has to be
 * sufficient; lines that satisfy it are parsed and evaluated as usual.
 *
 * The prefilter speaks of two things only: a *need* (this tree, one per rule) and a *needle* (one
 * byte string a line is searched for; a need offers sets of them, see needleAlternatives).
 */
export type Need = { kind: 'any' } | { kind: 'lit'; text: string } | { kind: 'and'; of: Need[] } | { kind: 'or'; of: Need[] };

export const ANY: Need = { kind: 'any' };

export function lit(text: string): Need {
  return text === '' ? ANY : { kind: 'lit', text };
}

export function and(needs: Need[]): Need {
  const of = needs.filter((n) => n.kind !== 'any').flatMap((n) => (n.kind === 'and' ? n.of : [n]));
  if (of.length === 0) return ANY;
  return of.length === 1 ? of[0]! : { kind: 'and', of };
}

/**
 * Beyond this many alternatives an OR gives no need. Each alternative costs a search of every
 * candidate line, and as a set of needles a search of every read buffer: a rule with `x in (...)` of
 * 200,000 values would make the prefilter far slower than parsing the lines. Elastic's rules have
 * at most a few hundred.
 */
export const MAX_ALTERNATIVES = 1024;

export function or(needs: Need[]): Need {
  if (needs.length === 0 || needs.some((n) => n.kind === 'any')) return ANY;
  const of = needs.flatMap((n) => (n.kind === 'or' ? n.of : [n]));
  if (of.length > MAX_ALTERNATIVES) return ANY;
  return of.length === 1 ? of[0]! : { kind: 'or', of };
}

/**
 * How a string literal is written in a line, or undefined when that is not certain. The line is
 * JSON, so the value is in quotes and escaped the way JSON.stringify does it. Lines that use other
 * escapes (`\/`, `\uXXXX`) are sent to the full path by the scanner, so the canonical form is
 * the only one left to look for. A literal that is also the text of a number or boolean may match
 * an unquoted JSON number (SPEC §C: string operators see numbers by their JSON text), and JSON can
 * write a number many ways, so such literals give no need.
 */
export function exactStringNeed(value: string): Need {
  if (looksNonString(value)) return ANY;
  return lit(JSON.stringify(value));
}

function looksNonString(value: string): boolean {
  if (value === 'true' || value === 'false' || value === 'null') return true;
  return isNumericText(value, true) || /^[+-]?(Infinity|NaN)$/.test(value);
}

/**
 * The needles a need can be searched by: each alternative is a set of needles at least one of which every
 * line satisfying the need contains. An AND offers each child's alternatives; an OR offers the
 * union of its children's best alternatives. Empty when the need is `any` (nothing to search for).
 */
export function needleAlternatives(need: Need): string[][] {
  switch (need.kind) {
    case 'any':
      return [];
    case 'lit':
      return [[need.text]];
    case 'or': {
      const union = new Set<string>();
      for (const n of need.of) {
        const best = staticBest(needleAlternatives(n));
        if (!best) return [];
        for (const a of best) union.add(a);
      }
      return [[...union]];
    }
    case 'and':
      return need.of.flatMap(needleAlternatives);
  }
}

/** The alternative a rule would use without a sample of the input: few, long needles. */
export function defaultNeedles(need: Need): string[] | undefined {
  return staticBest(needleAlternatives(need));
}

/** `defaultNeedles` of a need whose `needleAlternatives` are given. */
export function bestAlternative(alternatives: string[][]): string[] | undefined {
  return staticBest(alternatives);
}

function staticBest(alternatives: string[][]): string[] | undefined {
  let best: string[] | undefined;
  for (const a of alternatives) if (!best || staticScore(a) > staticScore(best)) best = a;
  return best;
}

function staticScore(needles: string[]): number {
  // A loop, not Math.min(...needles): spreading a huge list as arguments overflows the stack.
  let shortest = 40;
  for (const n of needles) if (n.length < shortest) shortest = n.length;
  return -needles.length * 100 + shortest;
}
