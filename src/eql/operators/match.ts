import { hasAnyValue, scalarText } from '../../event/fields.js';
import type { Predicate } from '../../event/types.js';
import { asciiFold, compileWildcard, hasWildcard, type StringMatcher } from '../../event/wildcard.js';
import { ANY } from '../../prefilter/needles.js';
import { literalOf, type Expr, type MatchExpr, type MatchOperator } from '../ast.js';
import { failAt, regexFailure } from '../compileError.js';
import { eqlFieldOf, esTypeName, fieldReader, requireExact } from '../fieldTypes.js';
import type { ScriptValue } from '../functions.js';
import { compileLuceneRegex } from '../regex.js';
import { equalsTest, nullCheck } from './comparison.js';
import { anyValue, looselyEqual, rejectFieldAgainstField, type Env, type ExprOperator, type LeafLiteral, type ValueTest } from './operator.js';

/**
 * `:` / `!:`, `like` / `like~`, `regex` / `regex~` over one pattern or a list (SPEC §A.4): true
 * when the left side matches any pattern. `:` folds case and reads `*` and `?` as wildcards; `~`
 * forms fold case; a regex is Lucene's. None of them promises bytes of the line: folding case
 * or matching a pattern may accept text written otherwise, so they need nothing (`ANY`).
 */
export const MATCH: ExprOperator<MatchExpr> = {
  operands: (expr) => [expr.left, ...expr.patterns],

  condition(expr, ctx) {
    rejectFieldAgainstField(expr, expr.left, expr.patterns, ctx);
    let left = expr.left;
    let patterns = expr.patterns;
    // `"net.EXE" : original_file_name` reads as `original_file_name : "net.EXE"`.
    if (literalOf(left) !== undefined && patterns.length === 1 && literalOf(patterns[0]!) === undefined) {
      if (left.type === 'null' && expr.op === ':') return nullCheck(expr, patterns[0]!, expr.negated, ctx.fieldTypes);
      [left, patterns] = [patterns[0]!, [left]];
    }
    if (expr.op === ':' && patterns.length === 1 && patterns[0]!.type === 'null') return nullCheck(expr, left, expr.negated, ctx.fieldTypes);
    const literals = patterns.map(literalOf);
    if (left.type !== 'field' || !literals.every((l): l is LeafLiteral | null => l !== undefined)) {
      return { kind: 'script', expr: { ...expr, left, patterns } };
    }
    const field = eqlFieldOf(ctx.fieldTypes, left);
    if (field.kind === 'typed') {
      // `:`, like and regex take strings only (eql InsensitiveBinaryComparison, ql RegexMatch:
      // TypeResolutions.isStringAndExact), so a date, ip, number or boolean field is refused.
      failAt(
        expr,
        `first argument of [${expr.op}] must be [string], found value [${left.text}] type [${esTypeName(field)}]${expr.op === ':' ? '; consider using [==] instead' : ''}`,
      );
    }
    requireExact(field, expr.op, 'first argument ', expr);
    const read = fieldReader(ctx.fieldTypes, left);
    const listed: Array<[Expr, LeafLiteral]> = [];
    let orMissing = false;
    for (const [i, lit] of literals.entries()) {
      const pattern = patterns[i]!;
      if (lit === null) {
        if (expr.op !== ':') failAt(pattern, `'${expr.op}' needs string patterns, not null`);
        orMissing = true;
        continue;
      }
      listed.push([pattern, lit]);
    }
    const matches = anyValue(read, patternListTest(expr.op, listed));
    const positive: Predicate = orMissing ? (e) => !hasAnyValue(read(e)) || matches(e) : matches;
    return { kind: 'query', test: expr.negated ? (e) => !positive(e) : positive };
  },

  script(expr, ctx) {
    const left = ctx.script(expr.left).fn;
    const negated = expr.negated;
    const tests: Array<(env: Env, v: Exclude<ScriptValue, null>) => boolean> = [];
    for (const pattern of expr.patterns) {
      const lit = literalOf(pattern);
      if (expr.op === ':' && (lit === undefined || lit === null)) {
        const p = ctx.script(pattern).fn;
        tests.push((env, v) => {
          const w = p(env);
          return w !== null && looselyEqual(v, w, true);
        });
        continue;
      }
      if (lit === undefined || lit === null) return failAt(pattern, `'${expr.op}' needs string patterns`);
      const t = patternTest(expr.op, pattern, lit);
      tests.push((_env, v) => t(v));
    }
    return {
      float: false,
      fn: (env) => {
        const v = left(env);
        if (v === null) return null;
        for (const t of tests) if (t(env, v)) return !negated;
        return negated;
      },
    };
  },

  need: () => ANY,
};

/**
 * Any of the patterns matches the value: `patternTest` of each, with the work per value shared. A
 * pack writes `process.name : ("a.exe", "b.exe", ... 40 names)` or `like~` lists of paths: the
 * value is folded once, not once per pattern, and patterns without a wildcard are one set look-up.
 * Matching the folded value against the folded pattern case-sensitively is what a
 * case-insensitive pattern does (event/wildcard.ts compileWildcard folds both sides).
 */
function patternListTest(op: MatchOperator, listed: ReadonlyArray<readonly [Expr, LeafLiteral]>): ValueTest {
  // `:` and `like~` on strings fold, `like` does not; `:` on numbers and booleans, and regexes, keep their own test.
  const folded = { exact: new Set<string>(), matchers: [] as StringMatcher[] };
  const plain = { exact: new Set<string>(), matchers: [] as StringMatcher[] };
  const others: ValueTest[] = [];
  for (const [pattern, lit] of listed) {
    const fold = op === ':' || op === 'like~';
    if (typeof lit !== 'string' || !(fold || op === 'like')) {
      others.push(patternTest(op, pattern, lit));
      continue;
    }
    const into = fold ? folded : plain;
    const text = fold ? asciiFold(lit) : lit;
    if (hasWildcard(text, true)) into.matchers.push(compileWildcard(text, { caseInsensitive: false, questionMark: true }));
    else into.exact.add(text);
  }
  if (listed.length === 1 && others.length === 1) return others[0]!;
  const anyOf = (text: string, { exact, matchers }: typeof folded): boolean => {
    if (exact.has(text)) return true;
    for (let i = 0; i < matchers.length; i++) if (matchers[i]!(text)) return true;
    return false;
  };
  const foldedUsed = folded.exact.size + folded.matchers.length > 0;
  const plainUsed = plain.exact.size + plain.matchers.length > 0;
  return (v) => {
    if (foldedUsed || plainUsed) {
      const text = scalarText(v);
      if (foldedUsed && anyOf(asciiFold(text), folded)) return true;
      if (plainUsed && anyOf(text, plain)) return true;
    }
    for (let i = 0; i < others.length; i++) if (others[i]!(v)) return true;
    return false;
  };
}

function patternTest(op: MatchOperator, pattern: Expr, lit: LeafLiteral): ValueTest {
  switch (op) {
    case ':':
      return colonTest(lit);
    case 'like':
    case 'like~':
      if (typeof lit !== 'string') return failAt(pattern, `'${op}' needs string patterns`);
      return likeTest(lit, op === 'like~');
    case 'regex':
    case 'regex~': {
      if (typeof lit !== 'string') return failAt(pattern, `'${op}' needs string patterns`);
      try {
        const m = compileLuceneRegex(lit, op === 'regex~');
        return (v) => m(scalarText(v));
      } catch (error) {
        return regexFailure(pattern, error);
      }
    }
  }
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
