import type { ExactNumber } from '../../event/exactNumber.js';
import { asciiFold } from '../../event/wildcard.js';
import { ANY, exactStringNeed, or } from '../../prefilter/needles.js';
import { literalOf, type InExpr } from '../ast.js';
import { failAt } from '../compileError.js';
import { eqlFieldOf, esTypeName, fieldReader, typedTermTest, requireExact, type EqlField } from '../fieldTypes.js';
import { anyValue, looselyEqual, numericValue, rejectFieldAgainstField, type ExprOperator, type LeafLiteral, type ValueTest } from './operator.js';

/**
 * `f in (...)`, `f in~ (...)`, `f not in (...)` (SPEC §A.4, row 39): set membership, no wildcards;
 * `in~` folds case. A case-sensitive positive `in` over strings needs one of its strings in the line.
 */
export const MEMBERSHIP: ExprOperator<InExpr> = {
  operands: (expr) => [expr.value, ...expr.list],

  condition(expr, ctx) {
    rejectFieldAgainstField(expr, expr.value, expr.list, ctx);
    const literals = expr.list.map(literalOf);
    if (expr.value.type !== 'field' || literals.some((l) => l === undefined)) return { kind: 'script', expr };
    // A null in the list is no term: Elasticsearch's terms query leaves it out (ql
    // ExpressionTranslators.InComparisons), so `f in ("x", null)` is `f in ("x")`. A list of nulls
    // only folds to null (ql In.fold), a condition that never holds, negated or not: the script
    // form gives exactly that.
    const present = literals.filter((l): l is LeafLiteral => l !== null && l !== undefined);
    if (present.length === 0) return { kind: 'script', expr };
    const field = eqlFieldOf(ctx.fieldTypes, expr.value);
    const operation = expr.caseInsensitive ? 'in~' : 'in';
    requireExact(field, operation, '', expr);
    if (field.kind === 'typed') {
      // ql In.resolveType: every element must have the field's type (DataTypes.areCompatible: the
      // same type, or both numeric). A string is a keyword, never a date or an ip, so
      // `@timestamp in ("2024-05-01")` and `source.ip in ("10.0.0.1")` are refused.
      for (const [i, item] of expr.list.entries()) {
        const lit = literals[i];
        if (lit === null || lit === undefined || literalFits(field, lit)) continue;
        failAt(
          item,
          `${ordinal(i + 1)} argument of [${operation}] must be [${esTypeName(field)}], found value [${item.type === 'string' ? JSON.stringify(lit) : String(lit)}] type [${literalTypeName(lit)}]`,
        );
      }
    }
    const read = fieldReader(ctx.fieldTypes, expr.value);
    let member = anyValue(read, membershipTest(present, expr.caseInsensitive));
    if (field.kind === 'typed' && field.family === 'boolean') {
      // BooleanFieldMapper indexes "true", "false" and "" as booleans: each literal is a term query.
      const terms = present.map((lit) => anyValue(read, typedTermTest(field, lit, expr)));
      member = (e) => terms.some((t) => t(e));
    }
    // SPEC §A.2: `f not in (...)` is `not (f in (...))`.
    return { kind: 'query', test: expr.negated ? (e) => !member(e) : member };
  },

  script(expr, ctx) {
    const value = ctx.script(expr.value).fn;
    const list = expr.list.map((e) => ctx.script(e).fn);
    const ci = expr.caseInsensitive;
    const negated = expr.negated;
    return {
      float: false,
      fn: (env) => {
        const v = value(env);
        if (v === null) return null;
        let sawNull = false;
        for (const item of list) {
          const w = item(env);
          if (w === null) {
            sawNull = true;
            continue;
          }
          if (looselyEqual(v, w, ci)) return !negated;
        }
        return sawNull ? null : negated;
      },
    };
  },

  need(expr, ctx) {
    if (expr.negated || expr.caseInsensitive || expr.value.type !== 'field') return ANY;
    // A typed field reads its literals by its type (see comparison.ts).
    if (eqlFieldOf(ctx.fieldTypes, expr.value).kind === 'typed') return ANY;
    // A null in the list matches nothing (see condition), so it needs nothing of the line.
    const items = expr.list.filter((item) => item.type !== 'null');
    return or(items.map((item) => (item.type === 'string' ? exactStringNeed(item.value) : ANY)));
  },
};

/** Membership of one value in a list of literals: strings exactly (or folded), numbers numerically. */
export function membershipTest(literals: readonly LeafLiteral[], caseInsensitive: boolean): ValueTest {
  const strings = new Set<string>();
  // Exact numbers: an integer beyond 2^53 is a bigint, never equal to a number (event/exactNumber.ts).
  const numbers = new Set<ExactNumber>();
  const booleans = new Set<boolean>();
  for (const l of literals) {
    if (typeof l === 'string') strings.add(caseInsensitive ? asciiFold(l) : l);
    else if (typeof l === 'number' || typeof l === 'bigint') numbers.add(l);
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

/** Whether a literal's EQL type is compatible with the field's (ql DataTypes.areCompatible). */
function literalFits(field: Extract<EqlField, { kind: 'typed' }>, lit: LeafLiteral): boolean {
  switch (field.family) {
    case 'numeric':
      // A bigint is an integer literal beyond 2^53 (event/exactNumber.ts): a long, a number.
      return typeof lit === 'number' || typeof lit === 'bigint';
    case 'boolean':
      return typeof lit === 'boolean';
    default:
      return false;
  }
}

function literalTypeName(lit: LeafLiteral): string {
  if (typeof lit === 'string') return 'keyword';
  if (typeof lit === 'boolean') return 'boolean';
  // Beyond 2^53 (a bigint): a long, or an unsigned_long beyond a long (ql StringUtils.parseIntegral).
  if (typeof lit === 'bigint') return lit > 9223372036854775807n ? 'unsigned_long' : 'long';
  return Number.isInteger(lit) ? 'integer' : 'double';
}

/** `1st`, `2nd`, `3rd`, `4th`, ... as ql StringUtils.ordinal writes them. */
function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
