import { describe, expect, it } from 'vitest';
import { MAX_BUCKETS, Timeline } from './timeline.js';

const H = 3_600_000;
const T0 = Date.UTC(2024, 4, 1);
const sum = (rows: Array<{ counts: number[] }>) => rows.reduce((a, r) => a + r.counts.reduce((x, y) => x + y, 0), 0);

describe('Timeline', () => {
  it('counts alerts per host in buckets a second wide while the span is short', () => {
    const t = new Timeline();
    t.add('a', T0);
    t.add('a', T0 + 500);
    t.add('b', T0 + 2000);
    t.add('b', undefined);
    const d = t.data(10);
    expect(d.widthMs).toBe(1000);
    expect(d.buckets).toBe(3);
    expect(d.rows).toEqual([
      { host: 'a', counts: [2, 0, 0] },
      { host: 'b', counts: [0, 0, 1] },
    ]);
    expect(d.untimed).toBe(1);
  });

  it('widens its buckets as the span grows, merging counts, so it never holds more than MAX_BUCKETS', () => {
    const t = new Timeline();
    // One alert an hour for a year, on three hosts.
    for (let i = 0; i < 24 * 365; i++) t.add(`h${i % 3}`, T0 + i * H);
    const d = t.data(10);
    expect(d.buckets).toBeLessThanOrEqual(MAX_BUCKETS);
    expect(d.widthMs).toBe(7 * 24 * H);
    expect(sum(d.rows)).toBe(24 * 365);
    for (const row of d.rows) expect(row.counts).toHaveLength(d.buckets);
    // Bucket i starts at (first + i) * width, and the first one holds the first alert.
    expect(d.first * d.widthMs).toBeLessThanOrEqual(T0);
    expect((d.first + 1) * d.widthMs).toBeGreaterThan(T0);
  });

  it('keeps the span bounded for times far apart and before 1970', () => {
    const t = new Timeline();
    t.add('a', -8.64e15);
    t.add('a', 8.64e15);
    t.add('a', 0);
    const d = t.data(1);
    expect(d.buckets).toBeLessThanOrEqual(MAX_BUCKETS);
    expect(sum(d.rows)).toBe(3);
  });

  it('gives the hosts with most alerts a row each and sums the others, also those past the host bound', () => {
    const t = new Timeline(3);
    for (const [host, n] of [['a', 5], ['b', 4], ['c', 3], ['d', 2], ['e', 1]] as const) for (let i = 0; i < n; i++) t.add(host, T0 + i * 1000);
    const d = t.data(2);
    expect(d.rows.map((r) => [r.host, r.counts.reduce((x, y) => x + y, 0)])).toEqual([
      ['a', 5],
      ['b', 4],
      ['other hosts', 6],
    ]);
    expect(d.rows[2]?.other).toBe(true);
  });

  it('has no buckets without a timed alert', () => {
    const t = new Timeline();
    t.add('a', undefined);
    expect(t.data(5)).toEqual({ widthMs: 1000, first: 0, buckets: 0, rows: [], untimed: 1 });
  });
});
