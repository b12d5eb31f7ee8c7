import { describe, expect, it } from 'vitest';
import { SpillFile } from './spillFile.js';
import { MAX_MERGE_RUNS, SpillSorter, TEXT } from './spillSort.js';

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
    const sorter = new SpillSorter(file, TEXT);
    const rnd = random(7);
    const records = Array.from({ length: 3000 }, (_, seq) => ({
      k1: Math.floor(rnd() * 50) * 1000 - 20_000,
      k2: seq,
      k3: Math.floor(rnd() * 3),
      // Long, multi-byte and tab-holding texts, and one longer than a merge read.
      text: seq === 1234 ? 'x'.repeat(200_000) : `{"msg":"é\\t${'z'.repeat(Math.floor(rnd() * 300))}","seq":${seq}}`,
    }));
    for (const r of records) sorter.add(r.k1, r.k2, r.k3, r.text, r.text.length);
    expect(file.onDisk).toBe(true);
    const want = [...records].sort((a, b) => a.k1 - b.k1 || a.k2 - b.k2 || a.k3 - b.k3).map(({ text, ...keys }) => ({ ...keys, value: text }));
    expect([...sorter.drain()]).toEqual(want);
    expect(sorter.size).toBe(0);
    file.close();
  });

  it('merges more runs than it reads at once in passes, keys and values intact', () => {
    // A budget below one record: every record is a run of its own, 2,500 runs, merged in groups
    // of MAX_MERGE_RUNS before the last merge.
    const file = new SpillFile(undefined, 1, 4096);
    const sorter = new SpillSorter<{ n: number; s: string }>(file, { encode: (v) => JSON.stringify(v), decode: (t) => JSON.parse(t) as { n: number; s: string } });
    const rnd = random(11);
    const special = [Infinity, -Infinity, -0.25, 1e21, 5e-324];
    const records = Array.from({ length: 2500 }, (_, seq) => ({
      k1: seq < special.length ? special[seq]! : Math.floor(rnd() * 100),
      k2: Math.floor(rnd() * 5),
      k3: seq,
      value: { n: seq, s: seq % 97 === 0 ? 'é\t'.repeat(40_000) : 'v'.repeat(seq % 13) },
    }));
    for (const r of records) sorter.add(r.k1, r.k2, r.k3, r.value, 100);
    expect(MAX_MERGE_RUNS).toBeLessThan(records.length);
    const want = [...records].sort((a, b) => a.k1 - b.k1 || a.k2 - b.k2 || a.k3 - b.k3);
    expect([...sorter.drain()]).toEqual(want);
    file.close();
  });

  it('gives back the very values it kept in memory, and decoded ones from its runs', () => {
    const file = new SpillFile(undefined, 300);
    const sorter = new SpillSorter<{ n: number }>(file, { encode: (v) => JSON.stringify(v), decode: (t) => JSON.parse(t) as { n: number } });
    const values = Array.from({ length: 22 }, (_, n) => ({ n }));
    values.forEach((v) => sorter.add(-v.n, 0, 0, v, 20));
    const out = [...sorter.drain()].map((r) => r.value);
    expect(out.map((v) => v.n)).toEqual(values.map((v) => v.n).reverse());
    // The last ones added were still in memory: the same objects, not copies.
    expect(out.some((v) => values.includes(v))).toBe(true);
    expect(out.every((v) => values.includes(v))).toBe(false);
    file.close();
  });

  it('keeps infinite keys and fractional times', () => {
    const file = new SpillFile(undefined, 100);
    const sorter = new SpillSorter(file, TEXT);
    const keys = [Infinity, -Infinity, 1.5, -0.25, 1e21, 0];
    keys.forEach((k, i) => sorter.add(k, i, 0, `t${i}`, 2));
    expect([...sorter.drain()].map((r) => r.k1)).toEqual([-Infinity, -0.25, 0, 1.5, 1e21, Infinity]);
    file.close();
  });

  it('shares one memory budget: the sort holding most writes a run, the others keep theirs in memory', () => {
    const file = new SpillFile(undefined, 10_000);
    const big = new SpillSorter(file, TEXT);
    const small = new SpillSorter(file, TEXT);
    for (let i = 0; i < 5; i++) small.add(i, 0, 0, 'small', 5);
    for (let i = 0; i < 100; i++) big.add(i, 0, 0, 'b'.repeat(200), 200);
    expect(big.heldBytes).toBeLessThan(10_000);
    expect(small.heldBytes).toBeGreaterThan(0);
    expect([...big.drain()]).toHaveLength(100);
    expect([...small.drain()].map((r) => r.k1)).toEqual([0, 1, 2, 3, 4]);
    file.close();
  });
});
