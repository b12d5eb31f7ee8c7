/** What the raw bytes of one JSON object line tell about its top-level `@timestamp`. */
export type RawTimestamp =
  /** No `"@timestamp"` anywhere in the line: the event has no top-level one. */
  | { kind: 'absent' }
  /**
   * `"@timestamp"` occurs exactly once, with this plain string or number after its colon. If the
   * event has a top-level `@timestamp`, this is its value; if not, that occurrence is nested.
   */
  | { kind: 'once'; value: string | number }
  /** Anything else (several occurrences, escapes, an array value): only parsing the line tells. */
  | { kind: 'unknown' };

/** `timestamp"`: what follows the `"@` of the key. */
const REST = Buffer.from('timestamp"');

/**
 * Reads the `@timestamp` of the line `bytes[start..end)` without parsing it, for lines the
 * prefilter rules out (their time is only needed to tell whether a time window left anything to
 * evaluate). Exact where it answers: a key in JSON text is a quoted string, and a quote inside a
 * string value is escaped, so an occurrence not preceded by a backslash is a key or a whole value.
 */
export function readRawTimestamp(bytes: Buffer, start: number, end: number): RawTimestamp {
  // A view of the line alone: searching the whole buffer from each line would be quadratic.
  const line = bytes.subarray(start, end);
  // Found through its `@`, a byte search (memchr) that is many times faster than searching for
  // the whole key; lines hold few `@`.
  let key = -1;
  for (let at = line.indexOf(0x40); at !== -1; at = line.indexOf(0x40, at + 1)) {
    if (at === 0 || line[at - 1] !== 0x22 || !startsWithAt(line, at + 1, REST)) continue;
    if (key !== -1 || (at > 1 && line[at - 2] === 0x5c)) return UNKNOWN;
    key = at - 1;
  }
  if (key === -1) return ABSENT;
  let i = skipSpace(line, key + 2 + REST.length);
  if (line[i] !== 0x3a /* : */) return UNKNOWN;
  i = skipSpace(line, i + 1);
  const c = line[i];
  if (c === 0x22 /* " */) {
    const close = line.indexOf(0x22, i + 1);
    if (close === -1) return UNKNOWN;
    // Escapes and non-ASCII (never in a valid time) are left to the parse; ASCII decodes fastest as latin1.
    for (let k = i + 1; k < close; k++) if (line[k] === 0x5c || line[k]! >= 0x80) return UNKNOWN;
    return { kind: 'once', value: line.toString('latin1', i + 1, close) };
  }
  if (c === undefined || !(c === 0x2d || (c >= 0x30 && c <= 0x39))) return UNKNOWN;
  let j = i + 1;
  while (j < line.length && isNumberByte(line[j]!)) j++;
  const value = Number(line.toString('latin1', i, j));
  return Number.isNaN(value) ? UNKNOWN : { kind: 'once', value };
}

function startsWithAt(line: Buffer, at: number, part: Buffer): boolean {
  if (at + part.length > line.length) return false;
  for (let k = 0; k < part.length; k++) if (line[at + k] !== part[k]) return false;
  return true;
}

const ABSENT: RawTimestamp = { kind: 'absent' };
const UNKNOWN: RawTimestamp = { kind: 'unknown' };

function skipSpace(line: Buffer, i: number): number {
  while (i < line.length && (line[i] === 0x20 || line[i] === 0x09)) i++;
  return i;
}

function isNumberByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;
}
