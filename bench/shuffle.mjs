// Seeded shuffle of an NDJSON file's lines, for the benchmark's "shuffled" case (new_terms state
// with event times out of order). Deterministic: same input and seed → same bytes.

import { open, readFile, rename } from 'node:fs/promises';
import { mulberry32 } from './generate.mjs';

/**
 * Write the lines of `from` to `to` in a seeded random order (Fisher–Yates over line offsets, so
 * memory is the file plus two numbers a line). Event times then arrive out of order, which is what
 * new_terms must cope with without holding every line.
 * @param {string} from @param {string} to @param {number} seed
 */
export async function shuffleLines(from, to, seed) {
  const buf = await readFile(from);
  /** @type {number[]} */
  const starts = [];
  for (let s = 0; s < buf.length;) {
    starts.push(s);
    const nl = buf.indexOf(0x0a, s);
    s = nl === -1 ? buf.length : nl + 1;
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
    /** @type {Buffer[]} */
    let batch = [];
    let batched = 0;
    for (const i of order) {
      const s = starts[i];
      const e = i + 1 < starts.length ? starts[i + 1] : buf.length;
      const line = buf.subarray(s, e);
      batch.push(line);
      // The last line may lack its newline; every shuffled line must end with one.
      if (line[line.length - 1] !== 0x0a) batch.push(Buffer.from('\n'));
      batched += line.length;
      if (batched >= 1 << 20) {
        await fh.write(Buffer.concat(batch));
        batch = [];
        batched = 0;
      }
    }
    await fh.write(Buffer.concat(batch));
  } finally {
    await fh.close();
  }
  await rename(tmp, to);
}
