import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { needOf } from '../../test/support/prefilterNeeds.js';
import { compilePrefilter } from './compile.js';
import { byteFrequency, HidingEscapeCursor, LiteralCursor } from './lineCursor.js';
import type { Need } from './needles.js';
import { lineHasHidingEscape, needleCodeUnits } from './unicodeEscape.js';

// Pieces that overlap, repeat, hold quotes, slashes and escapes (whole, cut short, not hiding).
const WORDS = ['"ko"', '"linux"', '"/proc/modules"', 'proc', '/tmp/', '"a/b"', 'inu', '"x"', 'modules"', '"/"', 'kok'];
const word = fc.constantFrom(...WORDS);
const piece = fc.oneof(word, fc.constantFrom('\\/', '\\u006b', '\\u003c', '\\u00', '006b', '6b', '\\', 'u', '/', 'o', 'k', '"', 'x', '{', '}'));
const line = fc.array(piece, { maxLength: 8 }).map((p) => p.join(''));
const need = needOf(word);

/** Lines joined by `\n`, with where each starts and ends, and `asked[i]`: line i is asked about. */
function block(lines: string[]): { bytes: Buffer; spans: [number, number][] } {
  const spans: [number, number][] = [];
  let at = 0;
  for (const l of lines) {
    const end = at + Buffer.byteLength(l);
    spans.push([at, end]);
    at = end + 1;
  }
  return { bytes: Buffer.from(lines.join('\n') + '\n'), spans };
}

/** The need read the plain way, on the line's text: with `\/` about, a literal's pieces between slashes. */
function holds(need: Need, text: string): boolean {
  switch (need.kind) {
    case 'any':
      return true;
    case 'lit':
      return text.includes('\\/') ? need.text.split('/').every((p) => text.includes(p)) : text.includes(need.text);
    case 'and':
      return need.of.every((n) => holds(n, text));
    case 'or':
      return need.of.some((n) => holds(n, text));
  }
}

describe('cursors over the lines of a buffer', () => {
  it('find a literal in exactly the lines that hold it, however tuned and whichever lines are asked', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), word, fc.array(fc.boolean(), { maxLength: 12 }), line, (lines, literal, skips, sample) => {
        const { bytes, spans } = block(lines);
        for (const frequency of [undefined, byteFrequency(Buffer.from(sample)), byteFrequency(bytes)]) {
          const cursor = new LiteralCursor(Buffer.from(literal), frequency);
          cursor.reset(bytes);
          spans.forEach(([start, end], i) => {
            if (skips[i] === true) return;
            expect(cursor.inLine(start, end)).toBe(lines[i]!.includes(literal));
          });
        }
      }),
      { numRuns: 400 },
    );
  });

  it('find a hiding `\\u` escape in exactly the lines lineHasHidingEscape finds one in', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), fc.array(fc.boolean(), { maxLength: 12 }), (lines, skips) => {
        const { bytes, spans } = block(lines);
        const hidden = needleCodeUnits(['"ko"']);
        const cursor = new HidingEscapeCursor(hidden);
        cursor.reset(bytes);
        spans.forEach(([start, end], i) => {
          if (skips[i] === true) return;
          expect(cursor.inLine(start, end)).toBe(lineHasHidingEscape(bytes, start, end, hidden));
        });
      }),
      { numRuns: 400 },
    );
  });

  it('count occurrences, overlapping ones too, up to a limit', () => {
    const cursor = new LiteralCursor(Buffer.from('kok'));
    expect(cursor.count(Buffer.from('kokok kok'))).toBe(3);
    expect(cursor.count(Buffer.from('kokok kok'), 2)).toBe(2);
  });
});

describe("the per-needle prefilter's line decider", () => {
  it('decides each line of a buffer as lineRules does and as the needs read plainly say, tuned or not, whichever lines are asked', () => {
    fc.assert(
      fc.property(
        fc.array(need, { minLength: 1, maxLength: 4 }),
        fc.array(line, { maxLength: 12 }),
        fc.array(fc.boolean(), { maxLength: 12 }),
        fc.array(line, { maxLength: 6 }),
        (needs, lines, skips, sampleLines) => {
          const { bytes, spans } = block(lines);
          const prefilter = compilePrefilter(needs, { mode: 'per-needle' });
          if (prefilter === undefined) return;
          const hidden = prefilter.hidden;
          for (const tune of [false, true]) {
            if (tune) prefilter.calibrate(Buffer.from(sampleLines.join('\n') + '\n'));
            const decide = prefilter.lineDecider?.(bytes);
            expect(decide).toBeDefined();
            const asked = spans.filter((_, i) => skips[i] !== true);
            const decided = asked.map(([start, end]) => decide!(start, end));
            asked.forEach(([start, end], k) => {
              const text = bytes.toString('utf8', start, end);
              const escaped = lineHasHidingEscape(bytes, start, end, hidden);
              const plain = escaped || needs.some((n) => n.kind !== 'any' && holds(n, text));
              expect(decided[k] !== null).toBe(plain);
              expect(decided[k]).toEqual(prefilter.lineRules(bytes, start, end));
            });
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
