import { escapeHides } from './unicodeEscape.js';

/**
 * Searching one buffer of lines, line after line, for literals (issue 11, near miss). Asking each
 * line `line.indexOf(literal)` costs a native call, a subarray and a scan of the line for every
 * literal on every line, and a literal such as `"linux"` starts with a quote, which is every
 * seventh byte of a JSON line: Buffer.indexOf finds a pattern's first byte with memchr, so it stops
 * at each quote (2-3 µs per 1 KB line, measured). A cursor instead remembers where the literal next
 * occurs in the buffer, so the buffer is scanned at most once per literal whatever the number of
 * lines, lines before that occurrence cost a comparison, and the search starts at the literal's
 * rarest byte (`linux"` then a look at the byte before), which memchr skips to fast.
 */

/** How often each byte value occurs, per sample byte; a stand-in for JSON before any sample. */
export type ByteFrequency = Uint32Array;

/** Common JSON bytes (quotes, separators, lower-case letters and digits) over the others. */
export const JSON_BYTE_FREQUENCY: ByteFrequency = (() => {
  const f = new Uint32Array(256).fill(1);
  for (let c = 0x61; c <= 0x7a; c++) f[c] = 10;
  for (let c = 0x30; c <= 0x39; c++) f[c] = 10;
  for (const c of '":,{}') f[c.charCodeAt(0)] = 100;
  return f;
})();

/** Counts of each byte value in a sample (its first MiB). */
export function byteFrequency(sample: Buffer): ByteFrequency {
  const counts = new Uint32Array(256);
  const end = Math.min(sample.length, 1 << 20);
  for (let i = 0; i < end; i++) counts[sample[i]!]!++;
  return counts;
}

/** "Not found up to the end of the buffer": beyond every line. */
const NOWHERE = Number.MAX_SAFE_INTEGER;

/**
 * One literal, searched for in the lines of a buffer in increasing order. `reset` starts a new
 * buffer (or the same memory refilled); `inLine` asks whether the literal lies wholly in
 * `[start, end)`, and lines must be asked about in increasing order until the next reset.
 */
export class LiteralCursor {
  readonly literal: Buffer;
  /** The searched tail, `literal.subarray(skip)`, chosen to start with a rare byte. */
  private tail: Buffer;
  private skip = 0;
  private bytes: Buffer = Buffer.alloc(0);
  /** Start of the next occurrence at or after the last line asked about; -1: not searched yet. */
  private next = -1;

  constructor(literal: Buffer, frequency: ByteFrequency = JSON_BYTE_FREQUENCY) {
    this.literal = literal;
    this.tail = literal;
    this.tune(frequency);
  }

  /** Searches from the literal's byte rarest in `frequency` (the first of equals: the longest such tail). */
  tune(frequency: ByteFrequency): void {
    const literal = this.literal;
    let skip = 0;
    for (let i = 1; i < literal.length; i++) if (frequency[literal[i]!]! < frequency[literal[skip]!]!) skip = i;
    this.skip = skip;
    this.tail = literal.subarray(skip);
  }

  reset(bytes: Buffer): void {
    this.bytes = bytes;
    this.next = -1;
  }

  /**
   * Estimated nanoseconds of asking about every line of `bytes` bytes with `frequency` (of a
   * sample of that size) holding the literal `occurrences` times, as the first part of an AND:
   * memchr stops at each occurrence of the tail's first byte, and each occurrence costs a call,
   * the other parts' checks, and likely a parse. Fitted on 8 MB of the benchmark's data (Node 20):
   * a first byte on 0.01% of bytes scans at 7.7 GB/s, on 0.6% at 2.6, on 1.1% at 1.4, a quote
   * (14%) at 0.26; a call from JavaScript about 300 ns.
   */
  searchCost(bytes: number, frequency: ByteFrequency, occurrences: number): number {
    let total = 0;
    for (const n of frequency) total += n;
    const share = total === 0 ? 0 : frequency[this.tail[0]!]! / total;
    return bytes * (0.1 + 35 * share) + 2000 * occurrences;
  }

  inLine(start: number, end: number): boolean {
    let p = this.next;
    if (p < start) {
      p = this.find(start);
      this.next = p;
    }
    return p + this.literal.length <= end;
  }

  /** The first occurrence starting at or after `from`, or NOWHERE. */
  private find(from: number): number {
    const { bytes, tail, skip, literal } = this;
    for (let q = bytes.indexOf(tail, from + skip); q !== -1; q = bytes.indexOf(tail, q + 1)) {
      const at = q - skip;
      let k = 0;
      while (k < skip && bytes[at + k] === literal[k]) k++;
      if (k === skip) return at;
    }
    return NOWHERE;
  }

  /** Occurrences in `sample` (overlapping ones too), counting no further than `limit`. */
  count(sample: Buffer, limit = Infinity): number {
    this.reset(sample);
    let n = 0;
    for (let p = this.find(0); p !== NOWHERE && n < limit; p = this.find(p + 1)) n++;
    this.reset(Buffer.alloc(0));
    return n;
  }
}

const BACKSLASH_U = Buffer.from('\\u');

/**
 * The `\u` escapes of a buffer's lines that may hide a needle (unicodeEscape.ts), asked about line
 * after line as a LiteralCursor is. Whether an escape hides depends on the line's end (one cut
 * short by it does), so each occurrence is judged within the line asked about.
 */
export class HidingEscapeCursor {
  private bytes: Buffer = Buffer.alloc(0);
  private next = -1;

  constructor(private readonly hidden: ReadonlySet<number>) {}

  reset(bytes: Buffer): void {
    this.bytes = bytes;
    this.next = -1;
  }

  inLine(start: number, end: number): boolean {
    const bytes = this.bytes;
    let p = this.next;
    if (p < start) p = bytes.indexOf(BACKSLASH_U, start);
    while (p !== -1 && p + 2 <= end) {
      if (escapeHides(bytes, p + 2, end, this.hidden)) {
        this.next = p;
        return true;
      }
      p = bytes.indexOf(BACKSLASH_U, p + 2);
    }
    this.next = p === -1 ? NOWHERE : p;
    return false;
  }
}
