/**
 * A `\uXXXX` escape in a line can hide a needle only by spelling a character some needle holds:
 * `\u00e9` may be the `é` of `"café"`, but `\u003c` (`<`, which Go's JSON encoder escapes) hides
 * nothing from rules whose literals have no `<`. So a line is sent to the full path for a `\u` only
 * when its escape spells such a character (issue 11), not for any `\u`.
 */

/**
 * The UTF-16 code units a needle's value can hold: those of each literal as written, and those its
 * own JSON escapes stand for (`\n` in a literal is a line feed in the value, which a line may write
 * `\u000a`). More than needed is safe: it only makes more lines candidates.
 */
export function needleCodeUnits(literals: Iterable<string>): Set<number> {
  const units = new Set<number>();
  const short: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
  for (const text of literals) {
    for (let i = 0; i < text.length; i++) units.add(text.charCodeAt(i));
    for (const m of text.matchAll(/\\(u[0-9a-fA-F]{4}|["\\/bfnrt])/g)) {
      const e = m[1]!;
      units.add(e.length === 5 ? parseInt(e.slice(1), 16) : short[e]!.charCodeAt(0));
    }
  }
  return units;
}

/** The value of hex digit byte `b`, or -1. */
function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const lower = b | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/**
 * Whether the `\u` ending just before `after` may hide a needle: it spells a code unit in `units`,
 * or is not a well-formed escape within the line (then the line is parsed, as before, and a
 * malformed one reported).
 */
export function escapeHides(bytes: Buffer, after: number, lineEnd: number, units: ReadonlySet<number>): boolean {
  if (after + 4 > lineEnd) return true;
  let code = 0;
  for (let i = after; i < after + 4; i++) {
    const v = hexValue(bytes[i]!);
    if (v < 0) return true;
    code = code * 16 + v;
  }
  return units.has(code);
}

const BACKSLASH_U = Buffer.from('\\u');

/** Whether some `\u` escape in `bytes[start..end)` (one line) may hide a needle. */
export function lineHasHidingEscape(bytes: Buffer, start: number, end: number, units: ReadonlySet<number>): boolean {
  for (let p = bytes.indexOf(BACKSLASH_U, start); p !== -1 && p + 2 <= end; p = bytes.indexOf(BACKSLASH_U, p + 2)) {
    if (escapeHides(bytes, p + 2, end, units)) return true;
  }
  return false;
}
