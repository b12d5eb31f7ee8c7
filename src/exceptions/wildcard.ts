/**
 * The pattern of a `wildcard` query as Elasticsearch reads it (WildcardQuery / Lucene's
 * `toAutomaton`): `*` any run of characters, `?` exactly one code point, `\` makes the next
 * character literal. Matched with the iterative glob algorithm (O(value × pattern) at worst, no
 * RegExp), so a hostile pattern or value stays bounded.
 */
const STAR = 0;
const ONE = 1;
type Token = string | typeof STAR | typeof ONE;

export type GlobMatcher = (value: string) => boolean;

export function parseGlob(pattern: string, normalize: (s: string) => string = (s) => s): Token[] {
  const tokens: Token[] = [];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\' && i + 1 < chars.length) tokens.push(normalize(chars[++i]!));
    else if (c === '*') {
      if (tokens[tokens.length - 1] !== STAR) tokens.push(STAR);
    } else if (c === '?') tokens.push(ONE);
    else tokens.push(normalize(c));
  }
  return tokens;
}

export function compileGlob(pattern: string, normalize: (s: string) => string = (s) => s): GlobMatcher {
  const tokens = parseGlob(pattern, normalize);
  return (value) => globMatch(Array.from(normalize(value)), tokens);
}

function globMatch(value: readonly string[], tokens: readonly Token[]): boolean {
  let v = 0;
  let t = 0;
  let starT = -1;
  let starV = 0;
  while (v < value.length) {
    const token = tokens[t];
    if (token === STAR) {
      starT = t++;
      starV = v;
    } else if (token !== undefined && (token === ONE || token === value[v])) {
      t++;
      v++;
    } else if (starT >= 0) {
      t = starT + 1;
      v = ++starV;
    } else return false;
  }
  while (tokens[t] === STAR) t++;
  return t === tokens.length;
}
