import { open } from 'node:fs/promises';
import type { ByteRange } from '../input/bytes.js';

/** How far past a cut point is read at a time when looking for the end of the line it falls in. */
const PROBE_BYTES = 64 * 1024;

/**
 * Cuts the first `size` bytes of a file into ranges of about `rangeBytes` each, every cut just
 * after a `\n`, so each range holds whole lines and a line is never read by two workers. The last
 * range ends at Infinity: it reads to the end of the file as it is then, like a single-threaded
 * read of a file that is still growing. A line longer than a range makes the ranges it spans
 * collapse into one, so there may be fewer ranges than asked for, never an empty one.
 */
export async function splitAtLines(path: string, size: number, rangeBytes: number): Promise<ByteRange[]> {
  const handle = await open(path, 'r');
  try {
    const probe = Buffer.allocUnsafe(PROBE_BYTES);
    const ranges: ByteRange[] = [];
    let start = 0;
    while (start + rangeBytes < size) {
      const cut = await nextLineStart(handle, probe, start + rangeBytes, size);
      if (cut === undefined) break;
      ranges.push({ start, end: cut });
      start = cut;
    }
    ranges.push({ start, end: Infinity });
    return ranges;
  } finally {
    await handle.close();
  }
}

/** The offset just after the first `\n` at or after `from`, if one is before `size`. */
async function nextLineStart(handle: Awaited<ReturnType<typeof open>>, probe: Buffer, from: number, size: number): Promise<number | undefined> {
  for (let at = from; at < size; ) {
    const { bytesRead } = await handle.read(probe, 0, Math.min(PROBE_BYTES, size - at), at);
    if (bytesRead === 0) return undefined;
    const newline = probe.subarray(0, bytesRead).indexOf(0x0a);
    if (newline !== -1) return at + newline + 1 < size ? at + newline + 1 : undefined;
    at += bytesRead;
  }
  return undefined;
}
