import { describe, expect, it } from 'vitest';
import { QuerySyntaxError } from '../query/syntaxError.js';
import type { EqlQuery, EventQuery, Expr, SequenceQuery } from './ast.js';
import { parseEql } from './parse.js';

/** Drops `at` so expected ASTs stay readable. */
function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== 'at') out[k] = strip(v);
    return out;
  }
  return value;
}

const condition = (text: string): unknown => strip((parseEql(`any where ${text}`) as EventQuery).filter.condition);
const field = (...path: Array<string | number>): unknown => ({ type: 'field', optional: false, path, text: expect.any(String) });
const str = (value: string): unknown => ({ type: 'string', value });
const num = (value: number | bigint, decimal = false): unknown => ({ type: 'number', value, decimal });

function syntaxError(text: string): QuerySyntaxError {
  try {
    parseEql(text);
  } catch (error) {
    if (error instanceof QuerySyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${text} to fail`);
}

describe('parseEql: event queries (SPEC §A.3)', () => {
  it('parses a category, a condition and no pipes', () => {
    expect(strip(parseEql('process where process.name == "x"'))).toEqual({
      type: 'event',
      filter: { category: { kind: 'name', name: 'process' }, condition: { type: 'compare', op: '==', left: field('process', 'name'), right: str('x') } },
      pipes: [],
    });
  });
  it('accepts `any` and quoted categories', () => {
    expect((parseEql('any where true') as EventQuery).filter.category).toEqual({ kind: 'any' });
    expect(strip((parseEql('"my-category" where true') as EventQuery).filter.category)).toEqual({ kind: 'name', name: 'my-category' });
    expect(strip((parseEql('`my cat` where true') as EventQuery).filter.category)).toEqual({ kind: 'name', name: 'my cat' });
  });
  it('accepts keywords in any case (SPEC §A.6)', () => {
    expect(strip(parseEql('PROCESS WHERE a == 1 AND NOT b == 2'))).toMatchObject({ filter: { condition: { type: 'and' } } });
  });
  it('parses head and tail pipes and other pipe names', () => {
    expect(strip(parseEql('process where true | head 5 | tail 2'))).toMatchObject({
      pipes: [
        { name: 'head', args: [num(5)] },
        { name: 'tail', args: [num(2)] },
      ],
    });
    expect(strip(parseEql('process where true | unique a, b'))).toMatchObject({ pipes: [{ name: 'unique', args: [field('a'), field('b')] }] });
  });
});

describe('parseEql: boolean structure (SPEC §A.6)', () => {
  it('binds not tighter than and, and tighter than or', () => {
    const a = { type: 'compare', op: '==', left: field('a'), right: num(1) };
    const b = { type: 'compare', op: '==', left: field('b'), right: num(2) };
    const c = { type: 'compare', op: '==', left: field('c'), right: num(3) };
    expect(condition('not a == 1 and b == 2 or c == 3')).toEqual({
      type: 'or',
      operands: [{ type: 'and', operands: [{ type: 'not', operand: a }, b] }, c],
    });
    expect(condition('a == 1 and (b == 2 or c == 3)')).toEqual({ type: 'and', operands: [a, { type: 'or', operands: [b, c] }] });
  });
});

describe('parseEql: operators (SPEC §A.4)', () => {
  it.each([
    ['a : "x*"', { type: 'match', op: ':', negated: false, left: field('a'), patterns: [str('x*')] }],
    ['a !: "x"', { type: 'match', op: ':', negated: true, left: field('a'), patterns: [str('x')] }],
    ['a : ("x", "y*")', { type: 'match', op: ':', negated: false, left: field('a'), patterns: [str('x'), str('y*')] }],
    ['a like~ "x"', { type: 'match', op: 'like~', negated: false, left: field('a'), patterns: [str('x')] }],
    ['a regex ("x.*", "y")', { type: 'match', op: 'regex', negated: false, left: field('a'), patterns: [str('x.*'), str('y')] }],
    ['a regex~ "x"', { type: 'match', op: 'regex~', negated: false, left: field('a'), patterns: [str('x')] }],
    ['a in ("x", 1)', { type: 'in', caseInsensitive: false, negated: false, value: field('a'), list: [str('x'), num(1)] }],
    ['a not in~ ("x")', { type: 'in', caseInsensitive: true, negated: true, value: field('a'), list: [str('x')] }],
    ['a <= 1.5', { type: 'compare', op: '<=', left: field('a'), right: num(1.5, true) }],
    ['a != null', { type: 'compare', op: '!=', left: field('a'), right: { type: 'null' } }],
  ])('%s', (text, expected) => {
    expect(condition(text)).toEqual(expected);
  });

  it('gives arithmetic the usual precedence and folds unary minus into numbers', () => {
    expect(condition('a + 2 * 3 > -1')).toEqual({
      type: 'compare',
      op: '>',
      left: { type: 'arithmetic', op: '+', left: field('a'), right: { type: 'arithmetic', op: '*', left: num(2), right: num(3) } },
      right: num(-1),
    });
    expect(condition('-a % 2 == 1')).toMatchObject({ left: { type: 'arithmetic', op: '%', left: { type: 'negate', operand: field('a') } } });
  });

  it('keeps integer literals beyond 2^53 exact, as Elasticsearch reads them as long or unsigned_long', () => {
    expect(condition('a == 9007199254740993')).toMatchObject({ right: num(9007199254740993n) });
    expect(condition('a == -9007199254740993')).toMatchObject({ right: num(-9007199254740993n) });
    expect(condition('a == 18446744073709551615')).toMatchObject({ right: num(18446744073709551615n) });
    // A double holds these: they stay numbers.
    expect(condition('a == 9007199254740992')).toMatchObject({ right: num(9007199254740992) });
    expect(condition('a == 9007199254740993.0')).toMatchObject({ right: num(9007199254740992, true) });
    // Beyond unsigned_long Elasticsearch falls back to a double (ExpressionBuilder.visitIntegerLiteral).
    expect(condition('a == 18446744073709551617')).toMatchObject({ right: num(18446744073709551616) });
  });

  it('parses function calls with a ~ suffix', () => {
    expect(condition('startsWith~(a, "x")')).toEqual({ type: 'call', name: 'startsWith', caseInsensitive: true, args: [field('a'), str('x')] });
    expect(condition('cidrmatch(ip, "10.0.0.0/8")')).toMatchObject({ type: 'call', name: 'cidrmatch', caseInsensitive: false });
  });

  it('parses `null : (expr)` with an expression on the right', () => {
    expect(condition('null : (x > -1)')).toMatchObject({ type: 'match', left: { type: 'null' }, patterns: [{ type: 'compare', op: '>' }] });
  });
});

describe('parseEql: lexical rules (SPEC §A.7)', () => {
  it('reads escapes, \\u{...} and raw strings', () => {
    expect(condition('a == "q\\"\\n\\t\\r\\\\\\\'\\b\\f"')).toMatchObject({ right: str('q"\n\t\r\\\'\b\f') });
    expect(condition('a == "\\u{41}\\u{1F600}"')).toMatchObject({ right: str('A\u{1F600}') });
    expect(condition('a == """C:\\temp\\"x"""')).toMatchObject({ right: str('C:\\temp\\"x') });
  });
  it('reads optional fields, backtick segments with doubled backticks, and [N] indexes', () => {
    expect(condition('?a.b == 1')).toMatchObject({ left: { type: 'field', optional: true, path: ['a', 'b'] } });
    expect(condition('`my field`.`x``y` == 1')).toMatchObject({ left: { path: ['my field', 'x`y'] } });
    // Elasticsearch joins the unquoted segments with dots (IdentifierBuilder): `a.b` is the path a.b.
    expect(condition('`a.b`.c == 1')).toMatchObject({ left: { path: ['a', 'b', 'c'] } });
    expect(condition('list[1] == 1')).toMatchObject({ left: { path: ['list', 1] } });
    expect(condition('@timestamp > 5')).toMatchObject({ left: { path: ['@timestamp'] } });
  });
  it('reads integers, decimals and exponents', () => {
    expect(condition('a == 10')).toMatchObject({ right: num(10) });
    expect(condition('a == .5')).toMatchObject({ right: num(0.5, true) });
    expect(condition('a == 1e3')).toMatchObject({ right: num(1000, true) });
    expect(condition('a == true')).toMatchObject({ right: { type: 'boolean', value: true } });
  });
  it('skips // and /* */ comments', () => {
    expect(condition('/* lead */ a == 1 // trailing\n and b == 2')).toMatchObject({ type: 'and' });
  });
});

describe('parseEql: sequences and samples (SPEC §A.9)', () => {
  it('parses by, maxspan, per-step by, runs, missing events and until', () => {
    const q = parseEql(
      'sequence by host.id with maxspan=5m [process where true] by process.pid with runs=2 ![file where true] by process.pid until [process where false] by process.pid | head 3',
    ) as SequenceQuery;
    expect(strip(q)).toMatchObject({
      type: 'sequence',
      by: [field('host', 'id')],
      maxspan: { value: 5, unit: 'm', ms: 300_000 },
      steps: [
        { by: [field('process', 'pid')], runs: 2, missing: false },
        { by: [field('process', 'pid')], runs: null, missing: true },
      ],
      until: { by: [field('process', 'pid')] },
      pipes: [{ name: 'head' }],
    });
  });
  it('accepts maxspan before by and every time unit', () => {
    for (const [unit, ms] of [['ms', 1], ['s', 1000], ['m', 60_000], ['h', 3_600_000], ['d', 86_400_000]] as const) {
      const q = parseEql(`sequence with maxspan=2${unit} by a [any where true] [any where true]`) as SequenceQuery;
      expect(q.maxspan?.ms).toBe(2 * ms);
      expect(q.by).toHaveLength(1);
    }
  });
  it('parses samples', () => {
    expect(strip(parseEql('sample by host.id [process where true] [network where true] by x'))).toMatchObject({
      type: 'sample',
      by: [field('host', 'id')],
      steps: [{ by: [] }, { by: [field('x')] }],
    });
  });
});

describe('parseEql: errors (QuerySyntaxError with position)', () => {
  const cases: Array<[string, string, RegExp, number, number]> = [
    ['= is not EQL', 'process where a = 1', /'=' is not an EQL operator/, 1, 17],
    ['single quotes', "process where a == 'x'", /single-quoted strings/, 1, 20],
    ['unclosed parenthesis', 'process where (a == 1', /expected an operator, 'and', 'or' or '\)' but found the end of the query/, 1, 22],
    ['missing value', 'process where a ==', /expected a field name or value/, 1, 19],
    ['error on a later line', 'process where a == 1 and\n  b == )', /expected a field name or value or '\(' but found '\)'/, 2, 8],
    ['unknown escape', 'process where a == "\\q"', /unknown escape \\q/, 1, 22],
    ['short \\u escape', 'process where a == "\\u{1}"', /2 to 8 hex digits/, 1, 22],
    ['string over two lines', 'process where a == "x\ny"', /cannot span lines/, 1, 22],
    ['missing where', 'process wher a', /expected 'where' but found 'w'/, 1, 9],
    ['empty in list', 'process where a in ()', /expected a field name or value/, 1, 21],
    ['no pipe name', 'process where true |', /pipe name/, 1, 21],
    ['unterminated sequence step', 'sequence [process where true] [file where true', /'\]'/, 1, 47],
    ['maxspan without unit', 'sequence with maxspan=5 [a where true] [b where true]', /time unit/, 1, 25],
  ];
  it.each(cases)('%s', (_label, text, message, line, column) => {
    const error = syntaxError(text);
    expect(error.message).toMatch(message);
    expect({ line: error.position.line, column: error.position.column }).toEqual({ line, column });
  });
});

// Keep the exported types exercised: a query is one of the union members.
const kinds: Array<EqlQuery['type']> = ['event', 'sequence', 'sample', 'join'];
const exprKinds: Array<Expr['type']> = ['and', 'or', 'not', 'compare', 'match', 'in', 'arithmetic', 'negate', 'call', 'field'];
it('AST unions name every node kind', () => {
  expect(kinds).toHaveLength(4);
  expect(exprKinds).toHaveLength(10);
});
