import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MultiNeedle } from './multiNeedle.js';

/** What the pass must report: per line, the ids of the needles Buffer.indexOf finds in it. */
function naive(needles: readonly Buffer[], text: Buffer): Map<number, Set<number>> {
  const found = new Map<number, Set<number>>();
  let start = 0;
  for (const line of text.toString('latin1').split('\n')) {
    const bytes = Buffer.from(line, 'latin1');
    const ids = new Set<number>();
    needles.forEach((n, id) => {
      if (bytes.indexOf(n) !== -1) ids.add(id);
    });
    if (ids.size > 0) found.set(start, ids);
    start += bytes.length + 1;
  }
  return found;
}

function onePass(needles: readonly Buffer[], text: Buffer): Map<number, Set<number>> {
  const matcher = MultiNeedle.create(needles)!;
  const found = new Map<number, Set<number>>();
  let ids = new Set<number>();
  matcher.scan(
    text,
    0,
    text.length,
    (id, after) => {
      // The position reported is just past the needle.
      expect(text.subarray(after - needles[id]!.length, after).equals(needles[id]!)).toBe(true);
      ids.add(id);
    },
    (lineStart, lineEnd) => {
      expect(lineEnd === text.length || text[lineEnd] === 0x0a).toBe(true);
      found.set(lineStart, ids);
      ids = new Set();
    },
  );
  return found;
}

describe('one pass for many needles', () => {
  it('finds in each line exactly the needles Buffer.indexOf finds, overlapping and nested ones too', () => {
    // A small alphabet makes needles overlap, nest and share prefixes and suffixes.
    const byte = fc.constantFrom(0x61, 0x62, 0x63, 0x22, 0x5c, 0xc3, 0xa9);
    const needle = fc.uint8Array({ minLength: 1, maxLength: 5 }).chain((a) => fc.array(byte, { minLength: 1, maxLength: a.length })).map((a) => Buffer.from(a));
    const text = fc.array(fc.oneof(byte, fc.constant(0x0a)), { maxLength: 200 }).map((a) => Buffer.from(a));
    fc.assert(
      fc.property(fc.array(needle, { minLength: 1, maxLength: 30 }), text, (needles, t) => {
        expect(onePass(needles, t)).toEqual(naive(needles, t));
      }),
      { numRuns: 300 },
    );
  });

  it('reports a line without a trailing newline, and nothing for lines without a needle', () => {
    const needles = [Buffer.from('"linux"'), Buffer.from('inu'), Buffer.from('\\u')];
    const text = Buffer.from('{"a":"linux"}\n{"b":"x"}\n{"c":"\\u006c"}');
    expect(onePass(needles, text)).toEqual(
      new Map([
        [0, new Set([0, 1])],
        [24, new Set([2])],
      ]),
    );
  });

  it('declines needles whose table would be too large, so a hostile rule pack cannot exhaust memory', () => {
    const huge = Array.from({ length: 64 }, (_, i) => Buffer.alloc(1 << 16, String.fromCharCode(32 + i)));
    expect(MultiNeedle.create(huge)).toBeUndefined();
    expect(MultiNeedle.create(huge.slice(0, 2))).toBeDefined();
  });
});
