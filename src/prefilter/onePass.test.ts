import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEql } from '../eql/index.js';
import { candidateLineStarts, compilePrefilter, ONE_PASS_MIN_NEEDLES, ONE_PASS_MIN_RULES } from './compile.js';
import { eqlNeed } from './fromEql.js';
import { ANY, and, lit, or, type Need } from './needles.js';

// Pieces lines and needs are made of: they overlap, hold slashes (which `\/` may hide) and quotes.
const WORDS = ['"ko"', '"linux"', '"/proc/modules"', 'proc', '/tmp/', '"a/b"', 'inu', '"x"', 'modules"'];
const word = fc.constantFrom(...WORDS);
const need: fc.Arbitrary<Need> = fc.letrec<{ need: Need }>((tie) => ({
  need: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    word.map(lit),
    fc.array(tie('need'), { minLength: 1, maxLength: 3 }).map(and),
    fc.array(tie('need'), { minLength: 1, maxLength: 3 }).map(or),
  ),
})).need;
const piece = fc.oneof(word, fc.constantFrom('\\/', '\\u006b', '\\u003c', '\\u00', '/', 'o', '"', 'x', '{', '}', '\r'));
const line = fc.array(piece, { maxLength: 8 }).map((p) => p.join('').replaceAll('\r', ''));

const onePass = (needs: Need[]) => compilePrefilter(needs, { mode: 'one-pass' })!;
const perNeedle = (needs: Need[]) => compilePrefilter(needs, { mode: 'per-needle' })!;

describe('the one-pass prefilter (many needles)', () => {
  it('passes exactly the lines the per-needle prefilter passes, and offers exactly those as candidates', () => {
    fc.assert(
      fc.property(fc.array(need, { minLength: 1, maxLength: 6 }), fc.array(line, { maxLength: 12 }), (needs, lines) => {
        const text = Buffer.from(lines.join('\n') + '\n');
        const a = onePass(needs);
        const b = perNeedle(needs);
        expect(a.exact).toBe(true);
        const starts: number[] = [];
        const passed: number[] = [];
        let at = 0;
        for (const l of lines) {
          const end = at + Buffer.byteLength(l);
          expect(a.mayMatch(text, at, end)).toBe(b.mayMatch(text, at, end));
          if (b.mayMatch(text, at, end)) passed.push(at);
          starts.push(at);
          at = end + 1;
        }
        expect(a.candidates(text, 0, text.length)).toEqual(passed);
        // The per-needle prefilter's candidates are a superset, whatever it was tuned on.
        b.calibrate(text);
        const wide = new Set(candidateLineStarts(text, 0, text.length, b));
        for (const p of passed) expect(wide.has(p)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('is what many needles get; for a few, calibration picks it when many lines of the sample pass', () => {
    const many = Array.from({ length: ONE_PASS_MIN_NEEDLES }, (_, i) => eqlNeed(parseEql(`any where process.name == "tool-${i}"`)));
    expect(compilePrefilter(many)!.exact).toBe(true);
    const few = compilePrefilter(many.slice(0, ONE_PASS_MIN_RULES))!;
    expect(few.exact).toBeUndefined();
    const sample = (passing: number) => Buffer.from(Array.from({ length: 100 }, (_, i) => (i < passing ? '{"n":"tool-1"}' : '{"n":"other"}')).join('\n') + '\n');
    few.calibrate(sample(30));
    expect(few.exact).toBe(true);
    // It now reports the one pass's escapes: `\u` always, `\/` too (the one pass looks for both).
    expect(few.escapes.map(String)).toEqual(['\\u', '\\/']);
    few.calibrate(sample(2));
    expect(few.exact).toBeUndefined();
    expect(few.needles).toHaveLength(ONE_PASS_MIN_RULES);
  });

  it('is never chosen for fewer rules than ONE_PASS_MIN_RULES, even when every line passes (a few indexOf calls per line are cheaper)', () => {
    const two = compilePrefilter([lit('"tool-1"'), lit('"tool-2"')])!;
    two.calibrate(Buffer.from('{"n":"tool-1"}\n'.repeat(100)));
    expect(two.exact).toBeUndefined();
  });

  it('needs no calibration: its candidates are the same before and after a sample', () => {
    const prefilter = onePass([lit('"ko"')]);
    const text = Buffer.from('{"a":"ko"}\n{"a":"ok"}\n');
    prefilter.calibrate(Buffer.from('{"a":"ok"}\n'.repeat(20)));
    expect(prefilter.candidates(text, 0, text.length)).toEqual([0]);
  });

  it('falls back to Buffer.indexOf for a literal with a raw line break, which a line cannot hold', () => {
    expect(compilePrefilter([lit('"a\nb"'), lit('"c"')], { mode: 'one-pass' })!.exact).toBeUndefined();
  });
});

describe('needs with a part that promises nothing', () => {
  // A need written as a tree (not through and()) may hold ANY: that part holds for every line, so
  // the literal alone decides, both ways.
  it.each([
    ['per-needle', perNeedle],
    ['one-pass', onePass],
  ] as const)('%s: pass a line by the rest of the need, and offer it as a candidate', (_mode, make) => {
    const prefilter = make([{ kind: 'and', of: [ANY, lit('"ko"')] }]);
    const text = Buffer.from('{"a":"ko"}\n{"a":"ok"}\n');
    expect(prefilter.mayMatch(text, 0, 10)).toBe(true);
    expect(prefilter.mayMatch(text, 11, 21)).toBe(false);
    expect(prefilter.candidates(text, 0, text.length).filter((start) => prefilter.mayMatch(text, start, text.indexOf(0x0a, start)))).toEqual([0]);
  });
});

describe('the prefilter that picks its way on the first buffer', () => {
  it('offers the same candidates before its first buffer and after it chose either way', () => {
    const text = Buffer.from('{"a":"ko"}\n{"a":"ok"}\n{"b":"ko"}\n');
    const rare = compilePrefilter([lit('"ko"'), lit('"zz"')])!;
    expect(rare.candidates(text, 0, text.length)).toEqual([0, 22]);
    rare.calibrate(Buffer.from('{"a":"ok"}\n'.repeat(50)));
    expect(rare.candidates(text, 0, text.length)).toEqual([0, 22]);
    const common = compilePrefilter([lit('"ko"'), lit('"zz"')])!;
    common.calibrate(text);
    expect(common.candidates(text, 0, text.length)).toEqual([0, 22]);
    expect(common.mayMatch(text, 11, 21)).toBe(false);
  });
});
