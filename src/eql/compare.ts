import { scalarText } from '../event/fields.js';
import type { Scalar } from '../event/types.js';
import { isNumericText } from '../event/numericText.js';
import { asciiFold, compileWildcard } from '../event/wildcard.js';

/**
 * Tests of one field value against literals, as the Query DSL leaf Elasticsearch builds for
 * `field OP literal` (SPEC §A.4). A leaf is true when any value of the field passes (SPEC §A.1);
 * the callers loop over the values, these functions decide one value.
 */
export type ValueTest = (value: Scalar) => boolean;

/** A literal a leaf can compare with (null is handled before: `f == null` is "missing"). */
export type LeafLiteral = string | number | boolean;

/** The number a value stands for: numbers, and strings holding a number (a keyword or numeric field). */
export function numericValue(value: Scalar): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && isNumericText(value, true)) return Number(value);
  return null;
}

/**
 * `==` (and `in` per element): exact, case-sensitive, no wildcards. Strings compare with the
 * value's JSON text (SPEC §C); numbers compare numerically, also against numeric strings (a
 * numeric field indexed from `"5"` holds 5).
 */
export function equalsTest(literal: LeafLiteral, caseInsensitive: boolean): ValueTest {
  if (typeof literal === 'number') return (v) => numericValue(v) === literal;
  if (typeof literal === 'boolean') {
    const text = String(literal);
    return (v) => v === literal || v === text;
  }
  if (!caseInsensitive) return (v) => (typeof v === 'string' ? v === literal : scalarText(v) === literal);
  const folded = asciiFold(literal);
  return (v) => asciiFold(scalarText(v)) === folded;
}

/**
 * `:` (SPEC §A.4): case-insensitive (ASCII folding, §A.5); a string with `*` or `?` is a wildcard
 * pattern over the whole value. Numbers and booleans behave like `==`.
 */
export function colonTest(literal: LeafLiteral): ValueTest {
  if (typeof literal !== 'string') return equalsTest(literal, false);
  const match = compileWildcard(literal, { caseInsensitive: true, questionMark: true });
  return (v) => match(scalarText(v));
}

/** `like` / `like~`: always a wildcard pattern (SPEC §A.4). */
export function likeTest(pattern: string, caseInsensitive: boolean): ValueTest {
  const match = compileWildcard(pattern, { caseInsensitive, questionMark: true });
  return (v) => match(scalarText(v));
}

/** `in` / `in~` over a list of literals: set membership, no wildcards (SPEC §A.4, row 39). */
export function membershipTest(literals: readonly LeafLiteral[], caseInsensitive: boolean): ValueTest {
  const strings = new Set<string>();
  const numbers = new Set<number>();
  const booleans = new Set<boolean>();
  for (const l of literals) {
    if (typeof l === 'string') strings.add(caseInsensitive ? asciiFold(l) : l);
    else if (typeof l === 'number') numbers.add(l);
    else booleans.add(l);
  }
  return (v) => {
    if (typeof v === 'boolean') return booleans.has(v) || strings.has(String(v));
    const text = typeof v === 'string' ? v : String(v);
    if (strings.has(caseInsensitive ? asciiFold(text) : text)) return true;
    if (numbers.size === 0) return false;
    const n = numericValue(v);
    return n !== null && numbers.has(n);
  };
}

export type RangeOperator = '<' | '<=' | '>' | '>=';

/** Ranges: numeric against a number, case-sensitive lexicographic against a string (SPEC §A.4). */
export function rangeTest(op: RangeOperator, literal: LeafLiteral): ValueTest {
  if (typeof literal === 'number') {
    return (v) => {
      const n = numericValue(v);
      return n !== null && applyOrder(op, n < literal ? -1 : n > literal ? 1 : 0);
    };
  }
  const bound = String(literal);
  return (v) => {
    const t = scalarText(v);
    return applyOrder(op, t < bound ? -1 : t > bound ? 1 : 0);
  };
}

export function applyOrder(op: RangeOperator | '==' | '!=', order: number): boolean {
  switch (op) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    case '==':
      return order === 0;
    case '!=':
      return order !== 0;
  }
}
