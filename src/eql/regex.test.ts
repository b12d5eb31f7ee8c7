import { describe, expect, it } from 'vitest';
import { compileLuceneRegex, RegexSyntaxError } from './regex.js';

/** Lucene regexp syntax (SPEC §A.4 `regex`): anchored, no backtracking. */
describe('compileLuceneRegex', () => {
  it.each([
    ['abc', 'abc', true],
    ['abc', 'abcd', false],
    ['a.c', 'a€c', true],
    ['a|bc', 'bc', true],
    ['(ab)+', 'ababab', true],
    ['(ab)+', '', false],
    ['a?b', 'b', true],
    ['a{2,3}', 'aaaa', false],
    ['a{2,}', 'aaaaa', true],
    ['a{2}', 'aa', true],
    ['[a-c]+', 'cab', true],
    ['[^a-c]', 'd', true],
    ['[^a-c]', 'a', false],
    ['[-a]', '-', true],
    ['\\d+', '123', true],
    ['\\w+\\s\\S', 'ab_1 x', true],
    ['#', '', false],
    ['()', '', true],
    ['a@', 'a', true],
    ['"a.b"', 'a.b', true],
    ['"a.b"', 'axb', false],
    ['^a$', '^a$', true], // ^ and $ are ordinary characters in Lucene
    ['<08-12>', '009', true],
    ['<08-12>', '13', false],
    ['😀+', '😀😀', true],
  ])('%s on %j → %s', (pattern, value, expected) => {
    expect(compileLuceneRegex(pattern, false)(value)).toBe(expected);
  });

  it('folds ASCII case only for regex~ (SPEC §A.5)', () => {
    expect(compileLuceneRegex('[a-c]X', true)('Bx')).toBe(true);
    expect(compileLuceneRegex('é', true)('É')).toBe(false);
    expect(compileLuceneRegex('abc', false)('ABC')).toBe(false);
  });

  it.each(['(a', 'a)', '[a', '*a', 'a{3,2}', 'a&b', '~a', 'a\\', '<a-b>', 'a{5000}'])('rejects %s', (pattern) => {
    expect(() => compileLuceneRegex(pattern, false)).toThrow(RegexSyntaxError);
  });

  it('evaluates a catastrophic-backtracking pattern in linear time', () => {
    const m = compileLuceneRegex('(a|aa)*(a*)*c', false);
    const start = performance.now();
    expect(m('a'.repeat(20_000))).toBe(false);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});
