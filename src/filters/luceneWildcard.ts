import { asciiFold, compileWildcard, type StringMatcher } from '../event/wildcard.js';

/**
 * The pattern of a Query DSL `wildcard` query, as Lucene reads it (`WildcardQuery.toAutomaton`,
 * Elasticsearch `AutomatonQueries.toCaseInsensitiveWildcardAutomaton`): `*` is any run of code
 * points, `?` exactly one, `\` makes the next code point literal (a trailing `\` is itself), and
 * the pattern is anchored to the whole term. With `case_insensitive`, a literal letter matches
 * either ASCII case (SPEC §A.5, the same folding as EQL's `:`, which Elasticsearch runs as this
 * very query), but an escaped code point matches only itself: the automaton adds it as written.
 */
type Part = { kind: 'star' } | { kind: 'one' } | { kind: 'char'; text: string; exact: boolean };

export function parseLuceneWildcard(pattern: string): Part[] {
  const parts: Part[] = [];
  const points = Array.from(pattern);
  for (let i = 0; i < points.length; i++) {
    const c = points[i]!;
    if (c === '*') parts.push({ kind: 'star' });
    else if (c === '?') parts.push({ kind: 'one' });
    else if (c === '\\' && i + 1 < points.length) parts.push({ kind: 'char', text: points[++i]!, exact: true });
    else parts.push({ kind: 'char', text: c, exact: false });
  }
  return parts;
}

/** The literal text a pattern stands for when it has no wildcard (a `prefix` query is this text then `*`). */
export function escapeLuceneWildcard(text: string): string {
  return text.replace(/[*?\\]/g, (c) => `\\${c}`);
}

/**
 * A matcher of whole values. Most patterns (no escaped `*`/`?`, no escaped letter under
 * case_insensitive) are plain globs once unescaped and use src/event/wildcard.ts, which never
 * backtracks catastrophically; the rest go through the same two-pointer glob over code points,
 * O(value × pattern) at worst.
 */
export function compileLuceneWildcard(pattern: string, caseInsensitive: boolean): StringMatcher {
  const parts = parseLuceneWildcard(pattern);
  const plain = parts.every((p) => p.kind !== 'char' || !p.exact || !(p.text === '*' || p.text === '?' || (caseInsensitive && isAsciiLetter(p.text))));
  if (plain) {
    const text = parts.map((p) => (p.kind === 'star' ? '*' : p.kind === 'one' ? '?' : p.text)).join('');
    return compileWildcard(text, { caseInsensitive, questionMark: true });
  }
  const folded: Part[] = parts.map((p) => (p.kind === 'char' && caseInsensitive && !p.exact ? { ...p, text: asciiFold(p.text) } : p));
  return (value) => globParts(Array.from(value), folded, caseInsensitive);
}

function isAsciiLetter(c: string): boolean {
  return /^[A-Za-z]$/.test(c);
}

function globParts(v: string[], p: Part[], fold: boolean): boolean {
  const same = (part: Part, c: string): boolean => {
    if (part.kind === 'one') return true;
    if (part.kind !== 'char') return false;
    return part.text === c || (fold && !part.exact && part.text === asciiFold(c));
  };
  let vi = 0;
  let pi = 0;
  let starPi = -1;
  let starVi = 0;
  while (vi < v.length) {
    const part = p[pi];
    if (part?.kind === 'star') {
      starPi = pi++;
      starVi = vi;
    } else if (part !== undefined && same(part, v[vi]!)) {
      vi++;
      pi++;
    } else if (starPi >= 0) {
      pi = starPi + 1;
      vi = ++starVi;
    } else {
      return false;
    }
  }
  while (p[pi]?.kind === 'star') pi++;
  return pi === p.length;
}
