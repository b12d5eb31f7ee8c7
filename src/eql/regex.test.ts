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
    ['<08-12>', '13', false],
    ['😀+', '😀😀', true],
  ])('%s on %j → %s', (pattern, value, expected) => {
    expect(compileLuceneRegex(pattern, false)(value)).toBe(expected);
  });

  // Lucene's RegExp (parseSimpleExp, Automata.makeDecimalInterval): bounds with the same number of
  // digits fix the length; otherwise any number of leading zeros; reversed bounds are swapped.
  it.each([
    ['<08-12>', '09', true],
    ['<08-12>', '009', false],
    ['<08-12>', '9', false],
    ['<1-9>', '01', false],
    ['<1-20>', '007', true],
    ['<1-20>', '0', false],
    ['<1-20>', '20', true],
    ['<1-20>', '21', false],
    ['<20-1>', '15', true],
    ['<0-65535>', '65535', true],
    ['<0-65535>', '65536', false],
    ['<0-65535>', '0', true],
    ['<00000-65535>', '08080', true],
    ['<00000-65535>', '8080', false],
    ['<0-2147483647>', '2147483647', true],
    ['<0-2147483647>', '2147483648', false],
    ['a<1-3>b', 'a2b', true],
  ])('numeric interval %s on %j → %s', (pattern, value, expected) => {
    expect(compileLuceneRegex(pattern, false)(value)).toBe(expected);
  });

  // Lucene's RegExp.expandPredefined: \s is [ \t\n\r], \w is [a-zA-Z_0-9], \D \S \W their complements.
  it.each([
    ['\\s', '\t', true],
    ['\\s', '\n', true],
    ['\\s', '\r', true],
    ['\\s', ' ', true],
    ['\\s', '\u000b', false],
    ['\\s', '\f', false],
    ['\\s', '\u00a0', false],
    ['\\S', '\f', true],
    ['[\\s]', '\f', false],
    ['\\w', 'é', false],
    ['\\W', 'é', true],
    ['\\D', '😀', true],
    ['\\d', '٣', false], // Arabic-Indic digit: not [0-9]
    ['\\.', '.', true],
    ['\\\\', '\\', true],
  ])('class %s on %j → %s', (pattern, value, expected) => {
    expect(compileLuceneRegex(pattern, false)(value)).toBe(expected);
  });

  it('folds ASCII case only for regex~ (SPEC §A.5)', () => {
    expect(compileLuceneRegex('[a-c]X', true)('Bx')).toBe(true);
    expect(compileLuceneRegex('é', true)('É')).toBe(false);
    expect(compileLuceneRegex('abc', false)('ABC')).toBe(false);
  });

  it.each(['(a', 'a)', '[a', '*a', 'a{3,2}', 'a&b', '~a', 'a\\', '<a-b>', 'a{5000}', '\\n', '[\\t]', 'a\\b', '<1-2147483648>', '<1-2-3>'])('rejects %s', (pattern) => {
    expect(() => compileLuceneRegex(pattern, false)).toThrow(RegexSyntaxError);
  });

  it('evaluates a catastrophic-backtracking pattern in linear time', () => {
    const m = compileLuceneRegex('(a|aa)*(a*)*c', false);
    const start = performance.now();
    expect(m('a'.repeat(20_000))).toBe(false);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});
