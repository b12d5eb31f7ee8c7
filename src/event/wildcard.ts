/**
 * Wildcard patterns as Elasticsearch's `wildcard` query runs them: anchored to the whole value,
 * `*` is any run of characters (including `/` and the empty run). Whether `?` is a wildcard
 * depends on the language (EQL: one code point, SPEC §A.4; KQL: a literal, SPEC §B.2).
 *
 * Matching never uses a RegExp built from the pattern: a star-only pattern is matched segment by
 * segment (leftmost-first is exact for `*`), and a pattern with `?` uses the classic two-pointer
 * glob algorithm, O(value × pattern) in the worst case, so a hostile rule or event cannot cause
 * catastrophic backtracking.
 */
export interface WildcardOptions {
  /** ASCII-only case folding (SPEC §A.5): A-Z match a-z, every other code point only itself. */
  caseInsensitive: boolean;
  /** `?` matches exactly one code point (EQL). When false, `?` is an ordinary character (KQL). */
  questionMark: boolean;
}

export type StringMatcher = (value: string) => boolean;

/** Lower-cases A-Z only; `toLowerCase` would also fold `É` to `é`, which Elastic does not (SPEC §A.5). */
export function asciiFold(s: string): string {
  let upper = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Beyond ASCII toLowerCase would fold more: only the runs of A-Z are replaced.
    if (c > 127) return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
    if (c >= 65 && c <= 90) upper = true;
  }
  // All ASCII: toLowerCase folds exactly A-Z, natively (Windows paths fold in every `:` of a pack).
  return upper ? s.toLowerCase() : s;
}

/** True when the pattern has a character that acts as a wildcard under these options. */
export function hasWildcard(pattern: string, questionMark: boolean): boolean {
  return pattern.includes('*') || (questionMark && pattern.includes('?'));
}

export function compileWildcard(pattern: string, options: WildcardOptions): StringMatcher {
  const fold = options.caseInsensitive;
  const p = fold ? asciiFold(pattern) : pattern;
  const norm = fold ? asciiFold : (s: string) => s;

  if (!hasWildcard(p, options.questionMark)) return (value) => norm(value) === p;

  // A pattern without surrogates never matches half of a pair: it can be matched over UTF-16
  // units. One with a lone surrogate could (`*\uDE00` against a value ending in a pair) and is
  // matched over code points, as a pair is one character.
  if (/[\uD800-\uDFFF]/.test(p)) {
    const pcs = Array.from(p);
    return (value) => globMatch(Array.from(norm(value)), pcs, options.questionMark);
  }
  if (!options.questionMark || !p.includes('?')) return compileStarPattern(p, norm);
  return (value) => globMatchUnits(norm(value), p);
}

/**
 * A star-only pattern given as its literal pieces (a `*` between consecutive pieces). KQL needs
 * this form because an escaped `\*` is a literal star inside a piece (SPEC §B.2).
 */
export function compileWildcardParts(parts: readonly string[], caseInsensitive: boolean): StringMatcher {
  if (parts.length === 0) throw new Error('a wildcard pattern has at least one piece');
  const norm = caseInsensitive ? asciiFold : (s: string) => s;
  const folded = caseInsensitive ? parts.map(asciiFold) : [...parts];
  if (folded.length === 1) {
    const exact = folded[0]!;
    return (value) => norm(value) === exact;
  }
  // As in compileWildcard: a piece with a lone surrogate could match half of a pair over UTF-16
  // units, so such pieces are matched over code points.
  if (folded.some((part) => /[\uD800-\uDFFF]/.test(part))) {
    const pieces = folded.map((part) => Array.from(part));
    return (value) => starPartsMatch(Array.from(norm(value)), pieces);
  }
  return compileStarParts(folded, norm);
}

/** Whether code points `v` are `parts[0]`, then each middle piece leftmost in turn, and `parts[last]` at the end, with anything between. */
function starPartsMatch(v: readonly string[], parts: readonly (readonly string[])[]): boolean {
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (v.length < first.length + last.length || !sameAt(v, 0, first) || !sameAt(v, v.length - last.length, last)) return false;
  let pos = first.length;
  const end = v.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i]!;
    let at = pos;
    while (at + part.length <= end && !sameAt(v, at, part)) at++;
    if (at + part.length > end) return false;
    pos = at + part.length;
  }
  return true;
}

function sameAt(v: readonly string[], at: number, part: readonly string[]): boolean {
  for (let k = 0; k < part.length; k++) if (v[at + k] !== part[k]) return false;
  return true;
}

function compileStarPattern(p: string, norm: (s: string) => string): StringMatcher {
  return compileStarParts(p.split('*'), norm);
}

function compileStarParts(parts: readonly string[], norm: (s: string) => string): StringMatcher {
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((s) => s !== '');
  const minLength = first.length + last.length + middle.reduce((n, s) => n + s.length, 0);

  if (middle.length === 0) {
    if (last === '') return first === '' ? () => true : (value) => norm(value).startsWith(first);
    if (first === '') return (value) => norm(value).endsWith(last);
    return (value) => {
      const v = norm(value);
      return v.length >= minLength && v.startsWith(first) && v.endsWith(last);
    };
  }
  if (first === '' && last === '' && middle.length === 1) {
    const needle = middle[0]!;
    return (value) => norm(value).includes(needle);
  }
  return (value) => {
    const v = norm(value);
    if (v.length < minLength || !v.startsWith(first) || !v.endsWith(last)) return false;
    let pos = first.length;
    const end = v.length - last.length;
    for (const part of middle) {
      const at = v.indexOf(part, pos);
      if (at < 0 || at + part.length > end) return false;
      pos = at + part.length;
    }
    return true;
  };
}

/**
 * `globMatch` over the strings themselves, without an array of code points per value (a `like~`
 * list with `?` runs over every argument of every process event). The pattern has no surrogate,
 * so a literal never matches half of a pair, and `?` and the star's retries step over a whole
 * code point (a lone surrogate is one, as for Array.from): positions stay on code point
 * boundaries, where `globMatch` would be.
 */
function globMatchUnits(v: string, p: string): boolean {
  let vi = 0;
  let pi = 0;
  let starPi = -1;
  let starVi = 0;
  while (vi < v.length) {
    const pc = pi < p.length ? p.charCodeAt(pi) : -1;
    if (pc === STAR) {
      starPi = pi++;
      starVi = vi;
    } else if (pc === QUESTION) {
      vi += codePointLength(v, vi);
      pi++;
    } else if (pc !== -1 && pc === v.charCodeAt(vi)) {
      vi++;
      pi++;
    } else if (starPi >= 0) {
      pi = starPi + 1;
      starVi += codePointLength(v, starVi);
      vi = starVi;
    } else {
      return false;
    }
  }
  while (pi < p.length && p.charCodeAt(pi) === STAR) pi++;
  return pi === p.length;
}

const STAR = 42;
const QUESTION = 63;

/** 2 at the start of a surrogate pair, else 1. */
function codePointLength(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 0xd800 || c > 0xdbff || i + 1 >= s.length) return 1;
  const d = s.charCodeAt(i + 1);
  return d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
}

/** Two-pointer glob match over code points: `*` any run, `?` exactly one (when `questionMark`, else itself). */
function globMatch(v: string[], p: string[], questionMark: boolean): boolean {
  let vi = 0;
  let pi = 0;
  let starPi = -1;
  let starVi = 0;
  while (vi < v.length) {
    const pc = p[pi];
    if (pc === '*') {
      starPi = pi++;
      starVi = vi;
    } else if (pc !== undefined && ((questionMark && pc === '?') || pc === v[vi])) {
      vi++;
      pi++;
    } else if (starPi >= 0) {
      pi = starPi + 1;
      vi = ++starVi;
    } else {
      return false;
    }
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}
