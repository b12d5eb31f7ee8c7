/**
 * Whether a text is a decimal number as Elasticsearch reads a numeric field's value: an optional
 * sign, digits with an optional fraction (`5`, `5.`, `5.25`, `.5`), an optional exponent (`1e3`,
 * `2E-4`); with `surroundingWhitespace`, JavaScript white space (what `String.prototype.trim`
 * removes) may come before and after. Hex, `Infinity` and `NaN` are not numbers here.
 *
 * This was the regex `^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$`. Its `\d+\.?\d*` splits a run
 * of digits in every possible way before it gives up, so one event value of 64 KB of digits with a
 * letter at the end cost seconds (issue 7). This scanner accepts exactly the same texts (see
 * numericText.test.ts, which checks it against that regex) and reads each character once.
 */
export function isNumericText(text: CharSource, surroundingWhitespace: boolean): boolean {
  let start = 0;
  let end = text.length;
  if (surroundingWhitespace) {
    while (start < end && isJsWhitespace(text.charCodeAt(start))) start++;
    while (end > start && isJsWhitespace(text.charCodeAt(end - 1))) end--;
  }
  let i = start;
  let c = i < end ? text.charCodeAt(i) : -1;
  if (c === PLUS || c === MINUS) c = ++i < end ? text.charCodeAt(i) : -1;
  let digits = 0;
  while (isDigit(c)) {
    digits++;
    c = ++i < end ? text.charCodeAt(i) : -1;
  }
  if (c === DOT) {
    c = ++i < end ? text.charCodeAt(i) : -1;
    while (isDigit(c)) {
      digits++;
      c = ++i < end ? text.charCodeAt(i) : -1;
    }
  }
  // A lone `.` (or sign) has no digit on either side.
  if (digits === 0) return false;
  if (c === LOWER_E || c === UPPER_E) {
    c = ++i < end ? text.charCodeAt(i) : -1;
    if (c === PLUS || c === MINUS) c = ++i < end ? text.charCodeAt(i) : -1;
    let exponentDigits = 0;
    while (isDigit(c)) {
      exponentDigits++;
      c = ++i < end ? text.charCodeAt(i) : -1;
    }
    if (exponentDigits === 0) return false;
  }
  return i === end;
}

/**
 * What the scanner reads: a string is one. The type is this narrow so that a test can hand in a
 * wrapper that counts the characters read, and so prove the work is linear without timing it.
 */
export interface CharSource {
  readonly length: number;
  charCodeAt(index: number): number;
}

const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const LOWER_E = 0x65;
const UPPER_E = 0x45;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** The code units of the regex class `\s` (ECMAScript WhiteSpace and LineTerminator). */
export function isJsWhitespace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}
