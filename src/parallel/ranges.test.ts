import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ByteRange } from '../input/bytes.js';
import { splitAtLines } from './ranges.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lkm-ranges-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let files = 0;
async function split(content: string, rangeBytes: number, size = Buffer.byteLength(content)): Promise<{ ranges: ByteRange[]; text: Buffer }> {
  const path = join(dir, `f${++files}.ndjson`);
  await writeFile(path, content);
  return { ranges: await splitAtLines(path, size, rangeBytes), text: Buffer.from(content) };
}

/** The ranges tile the file from 0, each but the last ends just after a newline, the last at Infinity. */
function expectTiling(ranges: ByteRange[], text: Buffer): void {
  expect(ranges[0]?.start).toBe(0);
  for (let i = 0; i < ranges.length; i++) {
    const range = ranges[i]!;
    const next = ranges[i + 1];
    if (next === undefined) {
      expect(range.end).toBe(Infinity);
      continue;
    }
    expect(range.end).toBe(next.start);
    expect(range.end).toBeGreaterThan(range.start);
    expect(text[range.end - 1]).toBe(0x0a);
  }
}

describe('splitAtLines', () => {
  it('cuts just after the first newline at or past every multiple of the range size', async () => {
    const lines = Array.from({ length: 100 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(i % 7)}"}`);
    const { ranges, text } = await split(lines.join('\n') + '\n', 100);
    expectTiling(ranges, text);
    // Each range holds at least its share, and at most its share plus the line the cut fell in.
    for (const r of ranges.slice(0, -1)) {
      expect(r.end - r.start).toBeGreaterThanOrEqual(100);
      expect(r.end - r.start).toBeLessThan(100 + 30);
    }
    // The same cuts, found the plain way: the first newline at or past start + range size.
    const cuts: number[] = [];
    for (let start = 0; ; ) {
      const newline = text.indexOf(0x0a, start + 100);
      if (newline < 0 || newline + 1 >= text.length) break;
      cuts.push(newline + 1);
      start = newline + 1;
    }
    expect(ranges.map((r) => r.start)).toEqual([0, ...cuts]);
  });

  it('is one range to the end of the file when the file is no larger than a range', async () => {
    const { ranges } = await split('{"a":1}\n{"a":2}\n', 4096);
    expect(ranges).toEqual([{ start: 0, end: Infinity }]);
  });

  it('lets a line longer than a range swallow the cuts it spans, never leaving an empty range', async () => {
    // The long line is longer than the 64 KiB probe too, so the search for its end reads on.
    const long = `{"long":"${'y'.repeat(200_000)}"}`;
    const content = `{"a":1}\n${long}\n{"b":2}\n{"c":3}\n`;
    const { ranges, text } = await split(content, 1000);
    expectTiling(ranges, text);
    expect(ranges).toEqual([
      { start: 0, end: 8 + long.length + 1 },
      { start: 8 + long.length + 1, end: Infinity },
    ]);
  });

  it('leaves the last line to the last range when no newline follows a cut (no trailing newline)', async () => {
    const content = `${'{"a":1}\n'.repeat(3)}{"tail":"${'z'.repeat(300)}"}`;
    const { ranges, text } = await split(content, 10);
    expectTiling(ranges, text);
    expect(ranges).toEqual([
      { start: 0, end: 16 },
      { start: 16, end: Infinity },
    ]);
  });

  it('splits only the planned size: bytes appended since are read by the last range', async () => {
    const planned = '{"a":1}\n'.repeat(20);
    const { ranges, text } = await split(planned + '{"later":1}\n'.repeat(50), 40, Buffer.byteLength(planned));
    expectTiling(ranges, text);
    expect(ranges.at(-1)!.start).toBeLessThan(planned.length);
  });
});
