import { compareExact } from '../event/exactNumber.js';
import type { NumericKind } from './types.js';

/**
 * Numbers as Elasticsearch's numeric fields read them (server `NumberFieldMapper.NumberType`,
 * `ScaledFloatFieldMapper`, `UnsignedLongFieldMapper`).
 *
 * Integer kinds are kept as bigint so that longs beyond 2^53 compare exactly: a query value, an
 * event value written as a string, and an event's JSON integer, which event/json.ts reads as a
 * bigint when no double holds it. A JSON number written as a decimal or with an exponent
 * (`9007199254740993.0`) is a double before Elasticsearch reads it as a long too, so the double's
 * value is the one compared.
 */
export type IndexedNumber =
  | { readonly kind: 'integer'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number };

const RANGES: Record<'long' | 'integer' | 'short' | 'byte' | 'unsigned_long', readonly [bigint, bigint]> = {
  long: [-(2n ** 63n), 2n ** 63n - 1n],
  integer: [-(2n ** 31n), 2n ** 31n - 1n],
  short: [-32768n, 32767n],
  byte: [-128n, 127n],
  unsigned_long: [0n, 2n ** 64n - 1n],
};

// Java's BigDecimal / Double.parseDouble accept this shape (no hex floats, no `Infinity` here).
const DECIMAL = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/;

/** The exact value of a decimal text as a fraction n / 10^scale; undefined when not a decimal. */
function parseExactDecimal(text: string): { n: bigint; scale: number } | undefined {
  const m = DECIMAL.exec(text);
  if (m === null) return undefined;
  const int = m[2] ?? '';
  const frac = m[3] ?? '';
  if (int === '' && frac === '') return undefined;
  // A hostile exponent (`1e999999999`) must not build a huge bigint.
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > 400) return undefined;
  let n = BigInt(int + frac === '' ? '0' : int + frac);
  if (m[1] === '-') n = -n;
  let scale = frac.length - exp;
  if (scale < 0) {
    n *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { n, scale };
}

function isFloatKind(kind: NumericKind): kind is 'double' | 'float' | 'half_float' | 'scaled_float' {
  return kind === 'double' || kind === 'float' || kind === 'half_float' || kind === 'scaled_float';
}

/** Rounds to what the kind stores: float32, IEEE half precision, or a scaled long. */
export function roundToKind(kind: 'double' | 'float' | 'half_float' | 'scaled_float', value: number, scalingFactor = 1): number {
  switch (kind) {
    case 'double':
      return value;
    case 'float':
      return Math.fround(value);
    case 'half_float':
      return toHalf(value);
    case 'scaled_float':
      // Stored as Math.round(value * scaling_factor), compared in that scaled space.
      return Math.round(value * scalingFactor);
  }
}

/** Rounds a double to the nearest IEEE 754 binary16 value (ties to even), as HalfFloatPoint does. */
function toHalf(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const abs = Math.abs(value);
  if (abs >= 65520) return value > 0 ? Infinity : -Infinity;
  // Below 2^-14 the spacing is fixed at 2^-24 (subnormals); above, 10 bits of mantissa.
  const exp = Math.max(Math.floor(Math.log2(abs)), -14);
  const step = 2 ** (exp - 10);
  // Dividing by a power of two is exact, so a tie is exactly .5.
  const q = abs / step;
  const floor = Math.floor(q);
  const rest = q - floor;
  const r = rest > 0.5 || (rest === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
  return Math.sign(value) * r * step;
}

/**
 * What a query's text means on a numeric field: a number, or `none` when Elasticsearch builds a
 * query that matches nothing (`NumberType.INTEGER/LONG.termQuery`: a value that "has a decimal
 * part" or "is out of range"), or `invalid` with the reason Elasticsearch fails the query (text
 * that is not a number, a non-finite double).
 */
export type QueryNumber = IndexedNumber | { readonly kind: 'none' } | { readonly kind: 'invalid'; readonly reason: string };

export function parseQueryNumber(kind: NumericKind, text: string, scalingFactor = 1): QueryNumber {
  const trimmed = text.trim();
  const exact = parseExactDecimal(isFloatKind(kind) ? trimmed.replace(/[dDfF]$/, '') : text);
  if (exact === undefined) return { kind: 'invalid', reason: `[${text}] is not a number` };
  if (isFloatKind(kind)) {
    const value = Number(trimmed.replace(/[dDfF]$/, ''));
    if (!Number.isFinite(value)) return { kind: 'invalid', reason: `[${text}] is out of range for a ${kind} field` };
    return { kind: 'float', value: roundToKind(kind, value, scalingFactor) };
  }
  if (exact.scale > 0 && exact.n % 10n ** BigInt(exact.scale) !== 0n) return { kind: 'none' };
  const value = exact.n / 10n ** BigInt(exact.scale);
  // Out of the kind's range: `termQuery` answers MatchNoDocsQuery ("is out of range").
  const [min, max] = RANGES[kind];
  if (value < min || value > max) return { kind: 'none' };
  return { kind: 'integer', value };
}

/**
 * The number a numeric field indexes for one event value, or undefined when Elasticsearch would
 * reject the document (not a number, out of range, a boolean). Strings are coerced, as
 * `coerce: true` (the default) does: `"200"` indexes 200, `"200.7"` on an integer field 200
 * (truncated toward zero).
 */
export function indexedNumber(kind: NumericKind, value: unknown, scalingFactor = 1): IndexedNumber | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    if (isFloatKind(kind)) return { kind: 'float', value: roundToKind(kind, value, scalingFactor) };
    // A double beyond 2^53 is an integer, and exactly the one Elasticsearch stores for it.
    return inRange(kind, BigInt(Math.trunc(value)));
  }
  if (typeof value === 'bigint') {
    if (isFloatKind(kind)) return { kind: 'float', value: roundToKind(kind, Number(value), scalingFactor) };
    return inRange(kind, value);
  }
  if (typeof value !== 'string') return undefined;
  if (isFloatKind(kind)) {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || parseExactDecimal(value.trim()) === undefined) return undefined;
    return { kind: 'float', value: roundToKind(kind, n, scalingFactor) };
  }
  const exact = parseExactDecimal(value);
  if (exact === undefined) return undefined;
  return inRange(kind, exact.n / 10n ** BigInt(exact.scale));
}

function inRange(kind: Exclude<NumericKind, 'double' | 'float' | 'half_float' | 'scaled_float'>, value: bigint): IndexedNumber | undefined {
  const [min, max] = RANGES[kind];
  return value < min || value > max ? undefined : { kind: 'integer', value };
}

/** Sign of (a - b) for an event's number and a query's; both come from the same kind. Exact for any mix. */
export function compareNumbers(a: IndexedNumber, b: IndexedNumber): number {
  return compareExact(a.value, b.value);
}

/**
 * The bound of a range query on a numeric field. Integer fields compare exactly against the
 * decimal bound (`pid > 1.5` holds from 2, as `NumberType.LONG.rangeQuery` rounds the bound);
 * float kinds compare after rounding the bound to the kind.
 */
export function parseRangeBound(kind: NumericKind, text: string, scalingFactor = 1): { value: number | bigint; exact?: { n: bigint; scale: number } } | { invalid: string } {
  const trimmed = text.trim();
  if (isFloatKind(kind)) {
    const value = Number(trimmed.replace(/[dDfF]$/, ''));
    if (parseExactDecimal(trimmed.replace(/[dDfF]$/, '')) === undefined || !Number.isFinite(value)) return { invalid: `[${text}] is not a number` };
    return { value: roundToKind(kind, value, scalingFactor) };
  }
  const exact = parseExactDecimal(text);
  if (exact === undefined) return { invalid: `[${text}] is not a number` };
  return { value: Number(text), exact };
}

/** Sign of (event - bound) for an integer field, exact for bigint event values. */
export function compareToBound(value: IndexedNumber, bound: { value: number | bigint; exact?: { n: bigint; scale: number } }): number {
  if (value.kind === 'integer' && bound.exact !== undefined) {
    const lhs = value.value * 10n ** BigInt(bound.exact.scale);
    return lhs < bound.exact.n ? -1 : lhs > bound.exact.n ? 1 : 0;
  }
  return compareExact(value.value, bound.value);
}
