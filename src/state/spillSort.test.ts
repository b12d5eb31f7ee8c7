import { describe, expect, it } from 'vitest';
import { SpillFile } from './spillFile.js';
import { SpillSorter } from './spillSort.js';

/** mulberry32: a seeded order, the same every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('SpillSorter', () => {
  it('gives records in key order when they are written as many runs and merged', () => {
    const file = new SpillFile(undefined, 4096, 8192);
    const sorter = new SpillSorter(file);
    const rnd = random(7);
    const records = Array.from({ length: 3000 }, (_, seq) => ({
      k1: Math.floor(rnd() * 50) * 1000 - 20_000,
      k2: seq,
      k3: Math.floor(rnd() * 3),
      // Long, multi-byte and tab-holding texts, and one longer than a merge read.
      text: seq === 1234 ? 'x'.repeat(200_000) : `{"msg":"é\\t${'z'.repeat(Math.floor(rnd() * 300))}","seq":${seq}}`,
    }));
    for (const r of records) sorter.add(r.k1, r.k2, r.k3, r.text);
    expect(file.onDisk).toBe(true);
    const want = [...records].sort((a, b) => a.k1 - b.k1 || a.k2 - b.k2 || a.k3 - b.k3);
    expect([...sorter.drain()]).toEqual(want);
    expect(sorter.size).toBe(0);
    file.close();
  });

  it('keeps infinite keys and fractional times', () => {
    const file = new SpillFile(undefined, 100);
    const sorter = new SpillSorter(file);
    const keys = [Infinity, -Infinity, 1.5, -0.25, 1e21, 0];
    keys.forEach((k, i) => sorter.add(k, i, 0, `t${i}`));
    expect([...sorter.drain()].map((r) => r.k1)).toEqual([-Infinity, -0.25, 0, 1.5, 1e21, Infinity]);
    file.close();
  });

  it('shares one memory budget: the sort holding most writes a run, the others keep theirs in memory', () => {
    const file = new SpillFile(undefined, 10_000);
    const big = new SpillSorter(file);
    const small = new SpillSorter(file);
    for (let i = 0; i < 5; i++) small.add(i, 0, 0, 'small');
    for (let i = 0; i < 100; i++) big.add(i, 0, 0, 'b'.repeat(200));
    expect(big.heldBytes).toBeLessThan(10_000);
    expect(small.heldBytes).toBeGreaterThan(0);
    expect([...big.drain()]).toHaveLength(100);
    expect([...small.drain()].map((r) => r.k1)).toEqual([0, 1, 2, 3, 4]);
    file.close();
  });
});
