import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isJsWhitespace, isNumericText, type CharSource } from './numericText.js';

// The regexes the scanner replaced (then in src/eql/compare.ts, src/eql/functions.ts after trim(),
// src/prefilter/needles.ts; src/kql/valueSet.ts's DECIMAL is the same language without spaces).
// Kept here as the oracle: on short texts they are fast and define the semantics to keep.
const OLD_WITH_SPACES = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const OLD_BARE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const KQL_DECIMAL = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

// [text, accepted with surrounding whitespace allowed, accepted bare]
const TABLE: Array<[string, boolean, boolean]> = [
  ['0', true, true],
  ['22', true, true],
  ['3389', true, true],
  ['-5', true, true],
  ['+5', true, true],
  ['5.', true, true],
  ['.5', true, true],
  ['5.25', true, true],
  ['-.5e3', true, true],
  ['1e3', true, true],
  ['1E+3', true, true],
  ['2e-4', true, true],
  ['5.e3', true, true],
  ['007', true, true],
  [' 22 ', true, false],
  ['\t22\n', true, false],
  ['\u00a022\u3000', true, false],
  ['\ufeff1', true, false],
  ['', false, false],
  [' ', false, false],
  ['.', false, false],
  ['+', false, false],
  ['-', false, false],
  ['+-5', false, false],
  ['.e3', false, false],
  ['e3', false, false],
  ['1e', false, false],
  ['1e+', false, false],
  ['1e3.5', false, false],
  ['1.2.3', false, false],
  ['1 2', false, false],
  ['- 5', false, false],
  ['0x1f', false, false],
  ['Infinity', false, false],
  ['NaN', false, false],
  ['1_000', false, false],
  ['١٢', false, false], // Arabic-Indic digits: `\d` is ASCII only
  ['22x', false, false],
  ['\u200b22', false, false], // zero-width space is not white space
];

describe('isNumericText: the same texts as the regexes it replaces', () => {
  it.each(TABLE)('%j: %s with spaces allowed, %s bare', (text, spaced, bare) => {
    expect(OLD_WITH_SPACES.test(text)).toBe(spaced);
    expect(OLD_BARE.test(text)).toBe(bare);
    expect(isNumericText(text, true)).toBe(spaced);
    expect(isNumericText(text, false)).toBe(bare);
  });

  it('agrees with the old regexes on random texts over the characters that matter', () => {
    const alphabet = fc.constantFrom('0', '1', '9', '.', 'e', 'E', '+', '-', ' ', '\t', '\u00a0', '\u2028', 'x', '٣');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 12 }), (chars) => {
        const text = chars.join('');
        expect(isNumericText(text, true)).toBe(OLD_WITH_SPACES.test(text));
        expect(isNumericText(text, false)).toBe(OLD_BARE.test(text));
        expect(isNumericText(text, false)).toBe(KQL_DECIMAL.test(text));
      }),
      { numRuns: 3_000 },
    );
  });

  it('knows white space exactly as the regex class \\s does, for every UTF-16 code unit', () => {
    for (let c = 0; c <= 0xffff; c++) expect(isJsWhitespace(c), c.toString(16)).toBe(/\s/.test(String.fromCharCode(c)));
  });
});

/** A text that counts how many characters the scanner reads. */
function counted(text: string): CharSource & { reads: number } {
  return {
    reads: 0,
    length: text.length,
    charCodeAt(i: number) {
      this.reads++;
      return text.charCodeAt(i);
    },
  };
}

// Texts that make a backtracking `\d+\.?\d*` or `\s*...\s*$` try every split before failing.
const HOSTILE: Array<[string, (n: number) => string]> = [
  ['digits then a letter', (n) => '1'.repeat(n) + 'x'],
  ['digits, spaces, a letter', (n) => '1'.repeat(n) + ' '.repeat(n) + 'x'],
  ['a fraction then a bad exponent', (n) => '1.' + '1'.repeat(n) + 'e'],
  ['spaces only', (n) => ' '.repeat(n) + 'x' + ' '.repeat(n)],
  ['a valid long number', (n) => '1'.repeat(n) + '.' + '1'.repeat(n) + 'e' + '1'.repeat(n)],
];

// Each character is read once; the two where leading and trailing white space end are read again.
describe('isNumericText reads each character once (issue 7: linear on hostile values)', () => {
  it.each(HOSTILE)('%s', (_name, make) => {
    for (const n of [1_000, 4_000, 16_000, 64_000]) {
      const text = counted(make(n));
      isNumericText(text, true);
      expect(text.reads).toBeLessThanOrEqual(text.length + 2);
      const bare = counted(make(n));
      isNumericText(bare, false);
      expect(bare.reads).toBeLessThanOrEqual(bare.length + 2);
    }
  });

  it('answers a 64 KB digit string like the old regex did on a short one', () => {
    expect(isNumericText('1'.repeat(65_536) + 'x', true)).toBe(false);
    expect(isNumericText(' ' + '1'.repeat(65_536) + ' ', true)).toBe(true);
  });
});

/** Every non-test source file under src/. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'generated' ? [] : sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

describe('no backtracking regex shape is left in the sources', () => {
  it('has no regex with a run of digits, an optional character and another run of digits', () => {
    // The ambiguous shape `\d+\.?\d*` (or with [0-9]): two unbounded digit runs that may meet.
    const ambiguous = /(\\d|\[0-9\])[+*]\\?.\??(\\d|\[0-9\])[+*]/;
    const root = new URL('../', import.meta.url).pathname;
    const code = (file: string) => readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    const offenders = sourceFiles(root).filter((file) => ambiguous.test(code(file)));
    expect(offenders).toEqual([]);
  });

  it('has no repeated group that ends in an unbounded repetition, the (a+)+ shape', () => {
    const nested = /[+*]\)[+*{]/;
    const root = new URL('../', import.meta.url).pathname;
    expect(sourceFiles(root).filter((file) => nested.test(readFileSync(file, 'utf8')))).toEqual([]);
  });
});
