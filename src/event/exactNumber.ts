/**
 * Numbers as Elasticsearch compares them: a `long` (and `unsigned_long`) exactly, where a
 * JavaScript number holds every integer only up to 2^53 (README "Integers beyond 2^53").
 *
 * An `ExactNumber` is a double, or a bigint for an integer of the long / unsigned_long range that
 * no double holds (9007199254740993). The bigint form is used for those integers only, so each
 * value has one form: a bigint never equals a number, `===` and Set/Map keys are exact, and the
 * ordinary `typeof v === 'number'` paths never see a bigint they would have to convert.
 */
export type ExactNumber = number | bigint;

const LONG_MIN = -(2n ** 63n);
const UNSIGNED_LONG_MAX = 2n ** 64n - 1n;

/** Fewer digits than this always fit a double exactly (2^53 = 9007199254740992 has 16). */
export const MIN_INEXACT_DIGITS = 16;

/**
 * The bigint of an integer text (`[+-]?[0-9]+`, leading zeros allowed, no spaces) when it lies in
 * the long / unsigned_long range and no double holds it; undefined for any other text (shorter
 * integers, integers a double holds, decimals, out of range). Work is bounded by the length check:
 * out-of-range texts longer than a long's 20 digits are not read at all.
 */
export function integerBeyondDouble(text: string): bigint | undefined {
  const n = text.length;
  if (n < MIN_INEXACT_DIGITS) return undefined;
  let i = 0;
  const first = text.charCodeAt(0);
  if (first === 0x2d /* - */ || first === 0x2b /* + */) i = 1;
  while (i < n - 1 && text.charCodeAt(i) === 0x30) i++;
  // 2^64 - 1 has 20 digits: anything longer is out of range.
  if (n - i < MIN_INEXACT_DIGITS || n - i > 20) return undefined;
  for (let k = i; k < n; k++) {
    const c = text.charCodeAt(k);
    if (c < 0x30 || c > 0x39) return undefined;
  }
  const value = BigInt(text);
  if (value < LONG_MIN || value > UNSIGNED_LONG_MAX) return undefined;
  return BigInt(Number(value)) === value ? undefined : value;
}

/**
 * The exact value of a text already known to be a decimal number (isNumericText, parseDecimal):
 * a bigint for a long integer no double holds, else what `Number` reads. Surrounding white space
 * is ignored, as `Number` ignores it.
 */
export function numberOfText(text: string): ExactNumber {
  if (text.length >= MIN_INEXACT_DIGITS) {
    const exact = integerBeyondDouble(text.trim());
    if (exact !== undefined) return exact;
  }
  return Number(text);
}

/**
 * Sign of (a - b), exact for any mix of doubles and bigints: JavaScript's relational operators
 * compare a bigint with a number by their mathematical values (ECMAScript IsLessThan). NaN is
 * never passed here (event values and literals are finite).
 */
export function compareExact(a: ExactNumber, b: ExactNumber): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The double nearest a value, for arithmetic and for readers that want a time or a size. */
export function toDouble(value: ExactNumber): number {
  return typeof value === 'number' ? value : Number(value);
}
