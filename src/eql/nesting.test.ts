import type { EcsEvent } from '../event/types.js';
import { describe, expect, it } from 'vitest';
import { eqlNeed } from '../prefilter/fromEql.js';
import { defaultNeedles } from '../prefilter/needles.js';
import { QuerySyntaxError } from '../query/syntaxError.js';
import type { EventQuery } from './ast.js';
import { eqlCategories } from './categories.js';
import { compileEql } from './compile.js';
import { MAX_EXPRESSION_DEPTH, MAX_PARENTHESIS_DEPTH } from './nesting.js';
import { parseEql } from './parse.js';

/** Parses and compiles like a rule does (compiler, prefilter, categories); returns the predicate. */
function compiled(query: string) {
  const ast = parseEql(query);
  eqlNeed(ast);
  eqlCategories(ast, false);
  const result = compileEql(ast);
  if (result.kind !== 'event') throw new Error('expected an event query');
  return result.predicate;
}

const run = (query: string, event: EcsEvent): boolean => compiled(query)(event);

function rejection(query: string): QuerySyntaxError {
  try {
    compileEql(parseEql(query));
  } catch (error) {
    if (error instanceof QuerySyntaxError) return error;
    throw error;
  }
  throw new Error('expected the query to be rejected');
}

const ev = { event: { category: ['process'] }, process: { name: 'x', pid: 4 } };
/** `a and (a and (... (a)))`: n nested ands, so the innermost field is n + 2 levels deep. */
const ands = (n: number) => {
  let q = 'process.name == "x"';
  for (let i = 0; i < n; i++) q = `process.pid == 4 and (${q})`;
  return `process where ${q}`;
};
const parens = (n: number) => `process where ${'('.repeat(n)}process.name == "x"${')'.repeat(n)}`;
const nots = (n: number) => `process where ${'not '.repeat(n)}process.name == "x"`;
const calls = (n: number) => `process where ${'length('.repeat(n)}process.name${')'.repeat(n)} > 0`;

describe('deep EQL queries: a rule error, never a stack overflow (issue 7, defect 6)', () => {
  it('runs queries nested up to the limit', () => {
    expect(run(ands(MAX_EXPRESSION_DEPTH - 2), ev)).toBe(true);
    expect(run(nots(MAX_EXPRESSION_DEPTH - 2), ev)).toBe(true);
    expect(run(nots(MAX_EXPRESSION_DEPTH - 3), ev)).toBe(false);
    // Parentheses around one comparison build no tree: the parser is the only limit.
    expect(run(parens(300), ev)).toBe(true);
  });

  it.each([
    ['nested ands one level over the limit', ands(MAX_EXPRESSION_DEPTH - 1)],
    ['nots one level over the limit', nots(MAX_EXPRESSION_DEPTH - 1)],
    ['1,000 parentheses', parens(1_000)],
    ['100,000 parentheses', parens(100_000)],
    ['10,000 nots', nots(10_000)],
    ['1,000 nested function calls', calls(1_000)],
    ['a chain of 10,000 additions', `process where process.pid + ${Array(10_000).fill('1').join(' + ')} > 0`],
    ['10,000 minus signs', `process where ${'- '.repeat(10_000)}process.pid < 0`],
    ['deep nesting inside a sequence step', `sequence [process where true] [file where ${'not '.repeat(5_000)}true]`],
  ])('rejects %s with a QuerySyntaxError that says what to do', (_name, query) => {
    const error = rejection(query);
    expect(error.message).toMatch(/^the query (nests expressions more than 256 levels deep|is nested too deeply to parse): flatten it/);
    expect(error.length).toBe(1);
  });

  it('points at the first expression beyond the limit', () => {
    const error = rejection(nots(1_000));
    // The 257th `not` from the left: "process where " is 14 characters, each `not ` 4.
    expect(error.position).toEqual({ offset: 14 + 4 * MAX_EXPRESSION_DEPTH, line: 1, column: 15 + 4 * MAX_EXPRESSION_DEPTH });
  });

  // The parser's own stack limit moves with V8's optimisation of it: a fixed count decides instead,
  // so the same rule is accepted or refused on every run (1,000 parentheses once parsed when warm).
  it('accepts up to MAX_PARENTHESIS_DEPTH open parentheses and refuses one more, at that parenthesis', () => {
    expect(run(parens(MAX_PARENTHESIS_DEPTH), ev)).toBe(true);
    const error = rejection(parens(MAX_PARENTHESIS_DEPTH + 1));
    expect(error.message).toMatch(/^the query is nested too deeply to parse/);
    expect(error.position.offset).toBe('process where '.length + MAX_PARENTHESIS_DEPTH);
  });

  it('does not count parentheses inside strings, backtick names or comments', () => {
    const many = '('.repeat(MAX_PARENTHESIS_DEPTH + 1);
    const event = { ...ev, process: { name: many } };
    expect(run(`process where process.name == "${many}"`, event)).toBe(true);
    expect(run(`process where process.name == """${many}"""`, event)).toBe(true);
    expect(run(`process where process.name == "\\"${many}"`, { ...ev, process: { name: `"${many}` } })).toBe(true);
    expect(run(`process where \`${many}\` == null`, ev)).toBe(true);
    expect(run(`process where /* ${many} */ process.name == "x" // ${many}`, ev)).toBe(true);
  });

  it('compiles and runs a flat or-chain of 10,000 comparisons', () => {
    const matches = compiled(`process where ${Array.from({ length: 10_000 }, (_, i) => `process.name == "p${i}"`).join(' or ')}`);
    expect(matches({ ...ev, process: { name: 'p9999' } })).toBe(true);
    expect(matches(ev)).toBe(false);
  });

  // 200,000 values go through the binary in test/e2e/heavy-input.test.ts; 20,000 say the same here.
  it('compiles and runs an in list of 20,000 values, with its needles left to the parser', () => {
    const ast = parseEql(`process where process.name in (${Array.from({ length: 20_000 }, (_, i) => `"p${i}"`).join(', ')})`);
    const result = compileEql(ast);
    if (result.kind !== 'event') throw new Error('expected an event query');
    expect(result.predicate({ ...ev, process: { name: 'p19999' } })).toBe(true);
    expect(result.predicate(ev)).toBe(false);
    expect(eqlCategories(ast, false)).toEqual(['process']);
    // Too many alternatives to search for: only the category is a needle.
    expect(defaultNeedles(eqlNeed(ast))).toEqual(['"process"']);
  });

  it('parses not chains and signs into the same trees as before they were loops', () => {
    const condition = (q: string) => JSON.parse(JSON.stringify((parseEql(`any where ${q}`) as EventQuery).filter.condition));
    expect(condition('not not a')).toEqual({
      type: 'not',
      at: { offset: 10, line: 1, column: 11, length: 9 },
      operand: { type: 'not', at: { offset: 14, line: 1, column: 15, length: 5 }, operand: expect.objectContaining({ type: 'field' }) },
    });
    expect(condition('- -1 < x').left).toEqual({ type: 'number', value: 1, decimal: false, at: { offset: 10, line: 1, column: 11, length: 4 } });
    expect(condition('-+-x < 1').left).toMatchObject({ type: 'negate', operand: { type: 'negate', operand: { type: 'field' } } });
  });
});
