// Seeded shuffle of an NDJSON file's lines, for the benchmark's "shuffled" case (new_terms state
// with event times out of order). Deterministic: same input and seed → same bytes.

import { closeSync, openSync, readSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { mulberry32 } from './generate.mjs';

/**
 * Write the lines of `from` to `to` in a seeded random order (Fisher–Yates over line offsets).
 * The file is not held in memory (Node reads at most 2 GiB into one buffer, and the memory case
 * goes to 4 GB): one pass finds the line starts, then each line is read at its offset (from the
 * page cache) in the shuffled order. Memory is two numbers a line.
 * @param {string} from @param {string} to @param {number} seed
 */
export async function shuffleLines(from, to, seed) {
  const fd = openSync(from, 'r');
  try {
    /** @type {number[]} */
    const starts = [];
    const chunk = Buffer.allocUnsafe(1 << 20);
    let size = 0;
    let atLineStart = true;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, size);
      if (n === 0) break;
      for (let i = 0; i < n; i++) {
        if (atLineStart) starts.push(size + i);
        atLineStart = chunk[i] === 0x0a;
      }
      size += n;
    }
    const order = Uint32Array.from(starts.keys());
    const rng = mulberry32(seed ^ 0x5eed);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    const tmp = `${to}.tmp-${process.pid}`;
    const fh = await open(tmp, 'w');
    try {
      let out = Buffer.allocUnsafe(2 << 20);
      let used = 0;
      for (const i of order) {
        const s = starts[i];
        const e = i + 1 < starts.length ? starts[i + 1] : size;
        // The last line may lack its newline; every shuffled line must end with one.
        const need = e - s + 1;
        if (used + need > out.length) {
          await fh.write(out, 0, used);
          used = 0;
          if (need > out.length) out = Buffer.allocUnsafe(need);
        }
        let got = 0;
        while (got < e - s) got += readSync(fd, out, used + got, e - s - got, s + got);
        used += got;
        if (out[used - 1] !== 0x0a) out[used++] = 0x0a;
      }
      await fh.write(out, 0, used);
    } finally {
      await fh.close();
    }
    await rename(tmp, to);
  } finally {
    closeSync(fd);
  }
}
