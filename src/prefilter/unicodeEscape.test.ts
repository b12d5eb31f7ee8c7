import { describe, expect, it } from 'vitest';
import { parseEql } from '../eql/index.js';
import { candidateLineStarts, compilePrefilter } from './compile.js';
import { eqlNeed } from './fromEql.js';
import { exactStringNeed } from './needles.js';
import { needleCodeUnits } from './unicodeEscape.js';

const needs = [eqlNeed(parseEql('any where file.extension == "ko"')), exactStringNeed('a\nb')];

describe('\\u escapes in lines', () => {
  const cases: { line: string; candidate: boolean; why: string }[] = [
    { line: '{"x":"\\u003cscript\\u003e"}', candidate: false, why: '< and > are in no needle' },
    { line: '{"file":{"extension":"\\u006bo"}}', candidate: true, why: 'k of "ko"' },
    { line: '{"file":{"extension":"\\u006Bo"}}', candidate: true, why: 'upper-case hex digits' },
    { line: '{"file":{"extension":"ko\\u0022}}', candidate: true, why: 'the quote every needle ends with' },
    { line: '{"v":"a\\u000ab"}', candidate: true, why: 'a line feed, which the needle "a\\nb" holds escaped' },
    { line: '{"x":"\\u00zz"}', candidate: true, why: 'not a well-formed escape: parsed and reported' },
    { line: '{"x":"\\u00', candidate: true, why: 'cut short by the end of the line' },
  ];

  for (const mode of ['per-needle', 'one-pass'] as const) {
    it.each(cases)(`${mode}: $line is a candidate: $candidate ($why)`, ({ line, candidate }) => {
      const prefilter = compilePrefilter(needs, { mode })!;
      const bytes = Buffer.from(`${line}\n{"y":1}\n`);
      const end = Buffer.byteLength(line);
      expect(prefilter.mayMatch(bytes, 0, end)).toBe(candidate);
      const starts = mode === 'one-pass' ? prefilter.candidates(bytes, 0, bytes.length) : candidateLineStarts(bytes, 0, bytes.length, prefilter);
      expect(starts).toEqual(candidate ? [0] : []);
    });
  }

  it('knows the characters of needles, as written and as their escapes stand for', () => {
    const units = needleCodeUnits(['"a\\nb\\u00e9"']);
    for (const c of ['"', 'a', '\\', 'n', 'b', '\n', '\u00e9']) expect(units.has(c.charCodeAt(0)), c).toBe(true);
    expect(units.has('<'.charCodeAt(0))).toBe(false);
  });
});
