import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { needOf } from '../../test/support/prefilterNeeds.js';
import { cheapestTrigger, compilePrefilter, FREE_SHARE, ONE_PASS_MIN_RULES } from './compile.js';
import { lineMayMatchRule, type LineRules } from './lineRules.js';
import { ANY, and, lit, needleAlternatives, or } from './needles.js';

// Pieces lines and needs are made of: they overlap, hold slashes (which `\/` may hide) and quotes.
const WORDS = ['"ko"', '"linux"', '"/proc/modules"', 'proc', '/tmp/', '"a/b"', 'inu', '"x"', 'modules"', '"/"'];
const word = fc.constantFrom(...WORDS);
const need = needOf(word);
const piece = fc.oneof(word, fc.constantFrom('\\/', '\\u006b', '\\u003c', '\\u00', '/', 'o', '"', 'x', '{', '}'));
const line = fc.array(piece, { maxLength: 8 }).map((p) => p.join(''));


/** The rules `rules` offers, out of `count`. */
function offered(rules: LineRules | null, freeOnly: LineRules, count: number): number[] {
  const r = rules ?? freeOnly;
  return Array.from({ length: count }, (_, i) => i).filter((i) => lineMayMatchRule(r, i));
}

describe("the prefilter's rules of a line", () => {
  it('list exactly the rules whose need the line meets (per needle with a few rules: every rule once one holds), both ways, tuned or not; lines are candidates exactly when one is listed', () => {
    fc.assert(
      fc.property(fc.array(need, { minLength: 1, maxLength: 7 }), fc.array(line, { maxLength: 10 }), fc.array(line, { maxLength: 10 }), (needs, lines, sampleLines) => {
        const text = Buffer.from(lines.join('\n') + '\n');
        // The plain evaluation of each rule's need: a prefilter for that rule alone (none: no needle).
        const alone = needs.map((n) => compilePrefilter([n], { mode: 'per-needle' }));
        const sample = Buffer.from(sampleLines.join('\n') + '\n');
        const ways = [compilePrefilter(needs, { mode: 'one-pass' }), compilePrefilter(needs, { mode: 'per-needle' })];
        const tuned = compilePrefilter(needs, { mode: 'one-pass' });
        const groups = new Set(needs.filter((_, i) => alone[i] !== undefined).map((n) => JSON.stringify(n))).size;
        const fewRulesAllWithNeedles = groups < ONE_PASS_MIN_RULES && alone.every((a) => a !== undefined);
        tuned?.calibrate(sample);
        for (const prefilter of [...ways, tuned]) {
          if (prefilter === undefined) {
            // Off only when no rule has a needle.
            expect(alone.every((a) => a === undefined)).toBe(true);
            continue;
          }
          const starts = prefilter.candidates(text, 0, text.length);
          const decided = prefilter.exact === true ? prefilter.candidateRules : undefined;
          let at = 0;
          for (const l of lines) {
            const end = at + Buffer.byteLength(l);
            const rules = prefilter.lineRules(text, at, end);
            const holding = needs.flatMap((_, i) => (alone[i]?.mayMatch(text, at, end) === true ? [i] : []));
            if (rules !== null && rules.listed === undefined) {
              // Every rule: for a `\u` escape that may spell a needle's character (unicodeEscape.test.ts),
              // or, per needle with a few rules that all have needles, on a line where one holds.
              if (prefilter === ways[1] && fewRulesAllWithNeedles) expect(holding.length > 0 || l.includes('\\u')).toBe(true);
              else expect(l).toContain('\\u');
            } else if (prefilter !== tuned) {
              // Untuned, every rule with a needle is checked: listed is exactly those that hold.
              expect(rules === null ? [] : [...(rules.listed ?? [])].sort((a, b) => a - b)).toEqual(holding);
            } else {
              // Tuned, a group may be offered unchecked (free): never fewer rules than hold.
              for (const i of holding) expect(lineMayMatchRule(rules ?? prefilter.freeOnly, i)).toBe(true);
              expect(rules === null).toBe(holding.length === 0);
            }
            const k = starts.indexOf(at);
            expect(k !== -1 || rules === null || prefilter.exact !== true).toBe(true);
            if (decided !== undefined && k !== -1) expect(offered(decided[k]!, prefilter.freeOnly, needs.length)).toEqual(offered(rules, prefilter.freeOnly, needs.length));
            // Rules without a needle are offered every line.
            alone.forEach((a, i) => {
              if (a === undefined) expect(lineMayMatchRule(rules ?? prefilter.freeOnly, i)).toBe(true);
            });
            at = end + 1;
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('leaves unchecked a rule whose needles are on most lines of the sample, and checks it only where no other rule takes the line', () => {
    const needs = [lit('"linux"'), lit('"ko"')];
    const prefilter = compilePrefilter(needs, { mode: 'one-pass' })!;
    const common = Array.from({ length: 10 }, (_, i) => (i < 10 * FREE_SHARE + 1 ? '{"os":"linux"}' : '{"os":"x"}'));
    prefilter.calibrate(Buffer.from(common.join('\n') + '\n'));
    expect([...prefilter.freeOnly.free]).toEqual([1, 0]);
    const text = Buffer.from('{"os":"linux","e":"ko"}\n{"os":"linux"}\n{"e":"ko"}\n{"os":"x"}\n');
    const starts = prefilter.candidates(text, 0, text.length);
    // The same lines as untuned: which lines are parsed never depends on the sample.
    expect(starts).toEqual(compilePrefilter(needs, { mode: 'one-pass' })!.candidates(text, 0, text.length));
    expect(starts).toHaveLength(3);
    expect(prefilter.candidateRules!.map((r) => r.listed)).toEqual([[1], [], [1]]);
  });

  it('files a rule under the needles on the fewest lines of the sample, mixing the branches of an OR', () => {
    const lines: Record<string, number> = { '"process"': 90, '"nc"': 2, '"socat"': 3, '"linux"': 95 };
    const need = and([lit('"linux"'), or([and([lit('"process"'), lit('"nc"')]), and([lit('"process"'), lit('"socat"')])])]);
    // needleAlternatives takes each branch's static best (`"process"`, the longer one); sampled, the rare names win.
    expect(needleAlternatives(need)).toEqual([['"linux"'], ['"process"']]);
    expect(cheapestTrigger(need, (n) => lines[n] ?? 0)).toEqual({ needles: ['"nc"', '"socat"'], lines: 5 });
    expect(cheapestTrigger(or([lit('"nc"'), ANY]), () => 0)).toBeUndefined();
  });

  it('has a trigger exactly when the need has a needle', () => {
    fc.assert(
      fc.property(need, (n) => {
        expect(cheapestTrigger(n, (t) => t.length) === undefined).toBe(needleAlternatives(n).length === 0);
      }),
    );
  });
});
