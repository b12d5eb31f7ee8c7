import { describe, expect, it } from 'vitest';
import { prng } from '../../test/support/randomEcs.js';
import { asciiFold, compileWildcard, compileWildcardParts } from './wildcard.js';

/** A seeded whole number below `n`, the same every run. */
function randomInt(seed: number): (n: number) => number {
  const next = prng(seed);
  return (n) => Math.floor(next() * n);
}

const eql = { caseInsensitive: true, questionMark: true };
const kql = { caseInsensitive: false, questionMark: false };

describe('compileWildcard', () => {
  it('anchors patterns to the whole value (SPEC §A.4)', () => {
    const m = compileWildcard('/lib/modules/*', eql);
    expect(m('/lib/modules/6.1/foo.ko')).toBe(true);
    expect(m('/usr/lib/modules/x')).toBe(false);
    expect(m('/lib/modules/')).toBe(true);
    expect(m('/lib/modules')).toBe(false);
  });

  it('lets * span slashes and match nothing', () => {
    const m = compileWildcard('/opt/eset/*/esets_eia', kql);
    expect(m('/opt/eset/efs/lib/esets_eia')).toBe(true);
    expect(m('/opt/eset//esets_eia')).toBe(true);
    expect(m('/opt/eset/esets_eia')).toBe(false);
  });

  it('treats ? as exactly one code point in EQL and as a literal in KQL', () => {
    expect(compileWildcard('cmd?.exe', eql)('CMD1.EXE')).toBe(true);
    expect(compileWildcard('cmd?.exe', eql)('cmd12.exe')).toBe(false);
    expect(compileWildcard('cmd?.exe', eql)('cmd😀.exe')).toBe(true);
    expect(compileWildcard('cmd?.exe', kql)('cmd1.exe')).toBe(false);
    expect(compileWildcard('cmd?.exe', kql)('cmd?.exe')).toBe(true);
  });

  it('folds ASCII case only (SPEC §A.5)', () => {
    expect(compileWildcard('é*', eql)('Éx')).toBe(false);
    expect(compileWildcard('é*', eql)('éX')).toBe(true);
    expect(asciiFold('ÀBc')).toBe('Àbc');
    expect(asciiFold('C:\\Windows\\CMD.exe')).toBe('c:\\windows\\cmd.exe');
    // toLowerCase would turn İ into i and a combining dot, and Σ into σ.
    expect(asciiFold('ABİΣ')).toBe('abİΣ');
    expect(asciiFold('İΣ')).toBe('İΣ');
  });

  it('matches middle segments in order without overlapping the ends', () => {
    const m = compileWildcard('a*b*c', kql);
    expect(m('abc')).toBe(true);
    expect(m('axxbyyc')).toBe(true);
    expect(m('acb')).toBe(false);
    expect(compileWildcard('ab*ba', kql)('aba')).toBe(false);
  });

  it('stays fast on patterns built to backtrack', () => {
    const value = 'a'.repeat(20_000);
    const m = compileWildcard('*a*a*a*a*a*a*a*a*b', eql);
    expect(m(value)).toBe(false);
    const q = compileWildcard('*a?a*a?a*a?a*b', eql);
    expect(q(value.slice(0, 3000))).toBe(false);
  });

  it('matches ? and * by code points, surrogate pairs and lone surrogates alike, as a code-point RegExp does', () => {
    // The reference: `*` any run of code points, `?` one, everything else itself (the `u` flag reads a pair as one).
    const reference = (pattern: string, value: string, questionMark = true): boolean =>
      new RegExp(`^${Array.from(pattern, (c) => (c === '*' ? '.*' : c === '?' && questionMark ? '.' : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))).join('')}$`, 'su').test(value);
    const alphabet = ['a', 'b', '?', '*', '😀', '\uD83D', '\uDE00', 'é'];
    // mulberry32: the low bits of a power-of-two LCG cycle in a few steps, which gave 12 patterns.
    const rnd = randomInt(7);
    const word = (max: number): string => Array.from({ length: rnd(max) }, () => alphabet[rnd(alphabet.length)]).join('');
    let withSurrogateAndQuestion = 0;
    for (let i = 0; i < 1500; i++) {
      const pattern = word(6);
      if (/[\uD800-\uDFFF]/.test(pattern) && pattern.includes('?')) withSurrogateAndQuestion++;
      const value = word(8).replaceAll('*', 'a').replaceAll('?', 'b');
      expect([pattern, value, compileWildcard(pattern, { caseInsensitive: false, questionMark: true })(value)]).toEqual([pattern, value, reference(pattern, value)]);
      // `?` as itself (EQL like/:): a value may hold one too.
      const literal = value.replace('b', '?');
      expect([pattern, literal, compileWildcard(pattern, { caseInsensitive: false, questionMark: false })(literal)]).toEqual([pattern, literal, reference(pattern, literal, false)]);
    }
    // Both ways of matching `?` are exercised: over the string, and over code points.
    expect(withSurrogateAndQuestion).toBeGreaterThan(100);
  });

  it('matches KQL pieces (a literal * inside a piece) by code points when a piece holds a lone surrogate', () => {
    const reference = (parts: string[], value: string): boolean =>
      new RegExp(`^${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`, 'su').test(value);
    const alphabet = ['a', '*', '😀', '\uD83D', '\uDE00', 'é'];
    const rnd = randomInt(5);
    const word = (max: number): string => Array.from({ length: rnd(max) }, () => alphabet[rnd(alphabet.length)]).join('');
    for (let i = 0; i < 1500; i++) {
      const parts = Array.from({ length: 1 + rnd(4) }, () => word(3));
      const value = word(8);
      expect([parts, value, compileWildcardParts(parts, false)(value)]).toEqual([parts, value, reference(parts, value)]);
    }
    expect(compileWildcardParts(['', '\uDE00'], false)('a😀')).toBe(false);
  });
});
