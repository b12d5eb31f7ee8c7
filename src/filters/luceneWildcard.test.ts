import { describe, expect, it } from 'vitest';
import { compileLuceneWildcard, escapeLuceneWildcard } from './luceneWildcard.js';

// Lucene's WildcardQuery syntax and Elasticsearch's case_insensitive automaton (README "Rule filters").
describe('Lucene wildcard patterns', () => {
  const cases: Array<[pattern: string, ci: boolean, value: string, expected: boolean, why: string]> = [
    ['?:\\\\Program Files\\\\*', true, 'C:\\Program Files\\x.exe', true, '`\\\\` is one literal backslash'],
    ['?:\\\\Program Files\\\\*', true, 'c:\\PROGRAM FILES\\x', true, 'case_insensitive folds ASCII letters'],
    ['?:\\\\Program Files\\\\*', false, 'c:\\PROGRAM FILES\\x', false, 'case-sensitive without it'],
    ['?:\\\\Program Files\\\\*', true, 'CD:\\Program Files\\x', false, '`?` is exactly one code point'],
    ['?:\\\\Program Files\\\\*', true, 'x:\\Program Files\\', true, '`*` matches the empty run'],
    ['C:\\Program Files\\x*', true, 'C:\\Program Files\\x.exe', false, 'a single backslash escapes the next character: the pattern is C:Program Filesx*'],
    ['C:\\Program Files\\x*', false, 'C:Program Filesx.exe', true, 'the escaped characters are literal'],
    ['C:\\Program*', true, 'c:program', false, 'an escaped letter matches only itself, even case-insensitively'],
    ['C:\\Program*', true, 'c:Program', true, 'the unescaped letters still fold'],
    ['a\\*b', false, 'a*b', true, 'an escaped star is a literal star'],
    ['a\\*b', false, 'axb', false, 'and not a wildcard'],
    ['a\\?b', true, 'A?B', true, 'an escaped question mark is literal'],
    ['a\\?b', true, 'axb', false, 'and not a wildcard'],
    ['ab\\', false, 'ab\\', true, 'a trailing backslash is itself'],
    ['?', false, '😀', true, '`?` is one code point, not one UTF-16 unit'],
    ['é*', true, 'Éx', false, 'folding is ASCII only (SPEC §A.5)'],
    ['*x*', false, '/a/x/b', true, 'unanchored only through stars'],
    ['x', false, 'xx', false, 'anchored to the whole value'],
  ];
  it.each(cases)('%s (case_insensitive %s) on %s → %s: %s', (pattern, ci, value, expected) => {
    expect(compileLuceneWildcard(pattern, ci)(value)).toBe(expected);
  });

  it('escapes a prefix so that its text is literal', () => {
    const m = compileLuceneWildcard(`${escapeLuceneWildcard('a*\\?')}*`, false);
    expect(m('a*\\?tail')).toBe(true);
    expect(m('abc\\?')).toBe(false);
  });

  it('stays linear-ish on hostile patterns and values', () => {
    const m = compileLuceneWildcard('a\\*' + '*a'.repeat(200) + 'b', true);
    const started = performance.now();
    expect(m('a*' + 'a'.repeat(20_000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
