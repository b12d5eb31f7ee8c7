import { integerBeyondDouble, MIN_INEXACT_DIGITS } from './exactNumber.js';

/**
 * JSON text of events, with integers beyond 2^53 kept exact (exactNumber.ts). Every place that
 * turns an event line into a value goes through `parseJson` (input/events.ts, parallel/reader.ts,
 * the scanner and runners that parse a worker's line again, the state file), and every place that
 * writes a value back as JSON through `stringifyJson`, so the digits read are the digits written.
 */

/**
 * `JSON.parse`, except that an integer token of the long / unsigned_long range that no double
 * holds becomes a bigint (`9007199254740993`, not `9007199254740992`). Errors are JSON.parse's
 * own, for the text given.
 *
 * Lines without a run of 16 digits where a number may stand (nearly all) cost one strided look at
 * every 16th character before the plain JSON.parse. Node 20's JSON.parse gives a reviver no token
 * text, so a line with such an integer is parsed with each of those tokens swapped for a string
 * marker, which a reviver turns back into the bigint.
 */
export function parseJson(text: string): unknown {
  if (!hasLongDigitRun(text)) return JSON.parse(text) as unknown;
  return parseWithExactIntegers(text);
}

/**
 * `parseJson` for a line whose bytes the caller still holds (`text` is `bytes[start, end)`
 * decoded): the bytes are looked at four at a time, half the cost of looking at the text. Every
 * line and JSON element input/events.ts reads (also in workers) is parsed here or by parseJson.
 */
export function parseJsonLine(text: string, bytes: Uint8Array, start: number, end: number): unknown {
  if (!bytesHaveLongDigitRun(bytes, start, end)) return JSON.parse(text) as unknown;
  return parseWithExactIntegers(text);
}

/**
 * Whether `text` holds a run of at least 16 digits that may be a JSON integer token: what comes
 * before it (past an optional `-` and white space) is the start, `:`, `[` or `,`, and what follows
 * is the end, white space, `,`, `]` or `}` — the tokens parseWithExactIntegers swaps, and more.
 * Digits glued to letters (hex hashes: `"7f454c4602010100000085f4"`, an eighth of Elastic Defend
 * events) make no integer, so those lines keep the plain JSON.parse. Every run of 16 covers one
 * index that is 15 modulo 16, so only those are looked at, and a digit there is measured both ways.
 */
export function hasLongDigitRun(text: string): boolean {
  const n = text.length;
  for (let i = MIN_INEXACT_DIGITS - 1; i < n; i += MIN_INEXACT_DIGITS) {
    if (!isDigit(text.charCodeAt(i))) continue;
    let start = i;
    while (start > 0 && isDigit(text.charCodeAt(start - 1))) start--;
    let end = i + 1;
    while (end < n && isDigit(text.charCodeAt(end))) end++;
    if (end - start < MIN_INEXACT_DIGITS) continue;
    let before = start - 1;
    if (before >= 0 && text.charCodeAt(before) === MINUS) before--;
    while (before >= 0 && isJsonSpace(text.charCodeAt(before))) before--;
    if ((before < 0 || startsValueAfter(text.charCodeAt(before))) && (end >= n || endsNumberAt(text.charCodeAt(end)))) return true;
  }
  return false;
}

/** A JSON value may start after this character (past white space): `:`, `[` or `,`. */
function startsValueAfter(c: number): boolean {
  return c === COLON || c === OPEN_BRACKET || c === COMMA;
}

/** A JSON number may end before this character: white space, `,`, `]` or `}`. */
function endsNumberAt(c: number): boolean {
  return isJsonSpace(c) || c === COMMA || c === CLOSE_BRACKET || c === CLOSE_BRACE;
}

/**
 * `hasLongDigitRun` over the bytes `bytes[start, end)`, read as 32-bit words. A run of 16 digit
 * bytes holds at least three whole 4-byte-aligned words, one of every three in a row, so every
 * third aligned word is tested, all four bytes at once; a word of four digits is measured both ways.
 */
export function bytesHaveLongDigitRun(bytes: Uint8Array, start: number, end: number): boolean {
  const words = wordsOf(bytes.buffer);
  const base = bytes.byteOffset;
  // The aligned words wholly inside the line, in the units of the whole ArrayBuffer.
  const last = Math.min(((base + end) >>> 2) - 1, words.length - 1);
  for (let k = (base + start + 3) >>> 2; k <= last; k += 3) {
    // Each byte 0x30-0x39: its high nibble is 3 and its low nibble at most 9.
    const x = words[k]! ^ 0x30303030;
    if ((x & 0xf0f0f0f0) !== 0 || ((x + 0x06060606) & 0xf0f0f0f0) !== 0) continue;
    const at = k * 4 - base;
    let from = at;
    while (from > start && isDigit(bytes[from - 1]!)) from--;
    let to = at + 4;
    while (to < end && isDigit(bytes[to]!)) to++;
    if (to - from < MIN_INEXACT_DIGITS) continue;
    // As hasLongDigitRun: only a run where a JSON number may stand.
    let before = from - 1;
    if (before >= start && bytes[before] === MINUS) before--;
    while (before >= start && isJsonSpace(bytes[before]!)) before--;
    if ((before < start || startsValueAfter(bytes[before]!)) && (to >= end || endsNumberAt(bytes[to]!))) return true;
  }
  return false;
}

/** The 32-bit view of the buffer lines are read from, kept while lines come from the same one. */
let viewed: ArrayBufferLike | undefined;
let viewedWords: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

function wordsOf(buffer: ArrayBufferLike): Uint32Array {
  if (buffer !== viewed) {
    viewed = buffer;
    viewedWords = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
  }
  return viewedWords;
}

/** parseJson without the look for long digit runs (exported for the tests that compare the two). */
export function parseWithExactIntegers(text: string): unknown {
  const marker = markerFor(text);
  if (marker === undefined) return JSON.parse(text) as unknown;
  const parts: string[] = [];
  let copied = 0;
  const n = text.length;
  for (let i = 0; i < n; ) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = afterString(text, i);
      continue;
    }
    if (c !== MINUS && !isDigit(c)) {
      i++;
      continue;
    }
    let end = c === MINUS ? i + 1 : i;
    const firstDigit = end;
    while (end < n && isDigit(text.charCodeAt(end))) end++;
    // Only a token JSON itself accepts as a whole value is swapped (no leading zero, nothing
    // glued on either side): a swap must never turn text JSON.parse refuses into a value.
    if (end - firstDigit >= MIN_INEXACT_DIGITS && text.charCodeAt(firstDigit) !== ZERO && startsValue(text, i) && endsValue(text, end)) {
      const exact = integerBeyondDouble(text.slice(i, end));
      if (exact !== undefined) {
        parts.push(text.slice(copied, i), '"', marker.escaped, text.slice(i, end), '"');
        copied = end;
      }
    }
    i = Math.max(end, i + 1);
  }
  if (copied === 0) return JSON.parse(text) as unknown;
  parts.push(text.slice(copied));
  const markerAsKey = { seen: false };
  let value: unknown;
  try {
    value = JSON.parse(parts.join(''), (key: string, v: unknown) => {
      if (key.startsWith(marker.char)) markerAsKey.seen = true;
      return typeof v === 'string' && v.startsWith(marker.char) ? BigInt(v.slice(1)) : v;
    });
  } catch {
    // The text itself is not JSON: throw the error JSON.parse gives for it.
    return JSON.parse(text) as unknown;
  }
  // A number written as an object key is not JSON (`{"a":1, 12345678901234567: 2}`).
  if (markerAsKey.seen) return JSON.parse(text) as unknown;
  return value;
}

/**
 * A control character no string of `text` can hold, and its escape. JSON writes control
 * characters only as escapes, so a character whose escapes are absent from the text appears in
 * no decoded string: a string starting with it is a marker. (`\b \t \n \f \r` have short escapes
 * too and are not used.) Undefined when the text holds every candidate's escape, a contrived
 * line that is then read as JSON.parse reads it.
 */
function markerFor(text: string): { char: string; escaped: string } | undefined {
  for (let code = 0; code < 0x20; code++) {
    if (code >= 0x08 && code <= 0x0d && code !== 0x0b) continue;
    const hex = code.toString(16).padStart(4, '0');
    const escaped = '\\u' + hex;
    if (text.includes(escaped) || text.includes('\\u' + hex.toUpperCase())) continue;
    return { char: String.fromCharCode(code), escaped };
  }
  return undefined;
}

/** The index after the string starting at the quote `text[start]` (the end when unterminated). */
function afterString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; ) {
    const q = text.indexOf('"', i);
    if (q === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(q - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    i = q + 1;
  }
  return text.length;
}

/** A value may start at `i`: the text before it, past white space, is empty or ends with `:`, `[` or `,`. */
function startsValue(text: string, i: number): boolean {
  let k = i - 1;
  while (k >= 0 && isJsonSpace(text.charCodeAt(k))) k--;
  return k < 0 || startsValueAfter(text.charCodeAt(k));
}

/** A number may end at `i`: the end, white space, `,`, `]` or `}` follows. */
function endsValue(text: string, i: number): boolean {
  if (i >= text.length) return true;
  return endsNumberAt(text.charCodeAt(i));
}

/**
 * `JSON.stringify`, writing a bigint as its digits (JSON.stringify refuses bigints). Values
 * without one cost JSON.stringify alone. With one, the bigints are written as strings tagged by a
 * word the rest of the text does not contain, and the tags are then replaced by the digits.
 */
export function stringifyJson(value: unknown, space?: number): string {
  try {
    return JSON.stringify(value, undefined, space);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
  const plain = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? 0 : v), space);
  let tag = 'n' + Math.random().toString(36).slice(2);
  while (plain.includes(tag)) tag += Math.random().toString(36).slice(2);
  const tagged = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? tag + String(v) : v), space);
  return tagged.replace(new RegExp(`"${tag}(-?[0-9]+)"`, 'g'), '$1');
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const ZERO = 0x30;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
