import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileLuceneRegex, compileLuceneRegexNfa, RegexSyntaxError } from './regex.js';

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

describe('the lazy DFA answers as the NFA simulation', () => {
  // Patterns over a few atoms (ASCII, a 2-byte and an astral character, classes, shorthands),
  // combined by every operator; values over the same characters and a lone surrogate.
  const atom = fc.constantFrom('a', 'b', 'B', 'é', '😀', '.', '[ab]', '[^a]', '[a-cé]', '\\d', '\\s', '\\W', '"a b"', '@', '<1-20>');
  const { pattern } = fc.letrec<{ pattern: string }>((tie) => ({
    pattern: fc.oneof(
      { maxDepth: 4, depthIdentifier: 'regex' },
      atom,
      fc.tuple(tie('pattern'), tie('pattern')).map(([x, y]) => x + y),
      fc.tuple(tie('pattern'), tie('pattern')).map(([x, y]) => `(${x}|${y})`),
      fc.tuple(tie('pattern'), fc.constantFrom('*', '+', '?', '{2}', '{1,3}', '{2,}')).map(([x, op]) => `(${x})${op}`),
    ),
  }));
  const value = fc.array(fc.constantFrom('a', 'b', 'B', 'A', 'é', '😀', ' ', '1', '7', '\ud800', 'x'), { maxLength: 30 }).map((cs) => cs.join(''));

  it('on random patterns and values, folding case or not, also value after value through one cache', () => {
    fc.assert(
      fc.property(pattern, fc.boolean(), fc.array(value, { minLength: 1, maxLength: 8 }), (p, fold, values) => {
        const dfa = compileLuceneRegex(p, fold);
        const nfa = compileLuceneRegexNfa(p, fold);
        for (const v of values) expect(dfa(v), `${p} on ${JSON.stringify(v)}`).toBe(nfa(v));
      }),
      { numRuns: 400 },
    );
  });

  it('agrees when a pattern has more DFA states than the cache keeps (it is rebuilt as it goes)', () => {
    // The 13th character from the end is an a: 2^13 DFA states, beyond the 512 the cache holds.
    const p = '[ab]*a[ab]{12}';
    const dfa = compileLuceneRegex(p, false);
    const nfa = compileLuceneRegexNfa(p, false);
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b'), { minLength: 0, maxLength: 400 }), (cs) => {
        const v = cs.join('');
        expect(dfa(v)).toBe(nfa(v));
      }),
      { numRuns: 300 },
    );
  });
});
