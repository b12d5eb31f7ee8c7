import fc from 'fast-check';
import { ANY, and, lit, or, type Need } from '../../src/prefilter/needles.js';

/** Needs built from `words`: literals, ANY, and AND / OR of up to three needs, nested a little. */
export function needOf(word: fc.Arbitrary<string>): fc.Arbitrary<Need> {
  return fc.letrec<{ need: Need }>((tie) => ({
    need: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      word.map(lit),
      fc.constant(ANY),
      fc.array(tie('need'), { minLength: 1, maxLength: 3 }).map(and),
      fc.array(tie('need'), { minLength: 1, maxLength: 3 }).map(or),
    ),
  })).need;
}
