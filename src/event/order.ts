/**
 * How Elasticsearch orders the values a range query compares, for the orders JavaScript does not
 * give: keyword terms and ip addresses. KQL ranges, EQL comparisons and the field-type matchers
 * all use these, so `<` means the same thing in every language.
 */

/**
 * Order of two strings by code point: the UTF-8 byte order of a keyword's terms, which a range
 * query compares (Lucene TermRangeQuery over BytesRef). JavaScript's `<` compares UTF-16 code
 * units and would put U+E000–U+FFFF after astral characters. (An EQL script comparison is Java's
 * String.compareTo, UTF-16 order, as `<` is.)
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800–U+DFFF) stand for code points above U+FFFF: move them above U+E000–U+FFFF.
    if (x >= 0xd800 && y >= 0xd800) return shiftSurrogates(x) - shiftSurrogates(y);
    return x - y;
  }
  return a.length - b.length;
}

function shiftSurrogates(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/** Elasticsearch keeps every ip as 16 bytes, an IPv4 address as ::ffff:a.b.c.d, and orders them bytewise. */
export function asIpv6(ip: Uint8Array): Uint8Array {
  if (ip.length === 16) return ip;
  const v6 = new Uint8Array(16);
  v6[10] = 0xff;
  v6[11] = 0xff;
  v6.set(ip, 12);
  return v6;
}

/** Order of two addresses as 16-byte values (both already `asIpv6`). */
export function compareIpBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
