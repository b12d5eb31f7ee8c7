import { open, stat } from 'node:fs/promises';
import { isGzip } from '../input/decompress.js';
import { SNIFF_LIMIT, sniffShape } from '../input/sniff.js';
import type { InputSource } from '../input/sources.js';

/**
 * Bytes per range. Small enough that the results waiting for the main thread stay small (at most
 * `ranges in flight` × this, when every line is forwarded), large enough that a range's fixed cost
 * (a message each way, opening the file, calibrating the prefilter) is lost in its reading time:
 * on the 1 GB bench file two workers took 1.57 s with 4 MiB ranges and 1.35 s with 16 MiB.
 * Here, not in reader.ts, so that a scan without workers does not load the reader.
 */
export const DEFAULT_RANGE_BYTES = 16 << 20;

/**
 * The size of a worker's share of a file. LKM_SCAN_RANGE_BYTES overrides it, so tests can cut
 * small files into many ranges (and exercise every hand-over) without megabytes of data.
 */
export function rangeBytes(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.LKM_SCAN_RANGE_BYTES);
  return Number.isSafeInteger(n) && n >= 4096 ? n : DEFAULT_RANGE_BYTES;
}

export interface ParallelPlan {
  /** Worker threads to start; 0 when every input is read by the main thread. */
  workers: number;
  /** The inputs read by workers, with their size when planned. */
  split: Map<InputSource, number>;
}

/**
 * Decides which inputs workers read: large regular NDJSON files (a gzip stream cannot be entered
 * in the middle, and a JSON array or search response cannot be cut at any newline). stdin, FIFOs,
 * gzip, other shapes and small files stay with the main thread.
 * `requested` is --workers; without it one thread reads everything (workers are opt-in, see below).
 */
export async function planParallelScan(sources: readonly InputSource[], requested: number | undefined): Promise<ParallelPlan> {
  // A file smaller than a few ranges is read by the main thread even when workers run.
  const minSplitBytes = 4 * rangeBytes();
  const none: ParallelPlan = { workers: 0, split: new Map() };
  // Without --workers N (N > 1) nothing is split, so no input is opened here: a folder of
  // thousands of logs is not opened twice.
  if (requested === undefined || requested <= 1) return none;
  const split = new Map<InputSource, number>();
  for (const source of sources) {
    if (source.kind !== 'file') continue;
    const size = await ndjsonFileSize(source.path);
    if (size === undefined || size < minSplitBytes) continue;
    split.set(source, size);
  }
  // Measured on 2 cores (BENCHMARKS.md): with the prefilter on, one thread scans ~700 MB/s and
  // workers only add their start-up and hand-over; with every line parsed and few rules they gain
  // ~1.5x, but each worker compiles every rule, so with a large pack they cost time and memory.
  // Workers are therefore opt-in (--workers N).
  return split.size > 0 ? { workers: requested, split } : none;
}

/**
 * The size of a regular file whose first bytes show plain NDJSON (not gzip, not another shape);
 * undefined otherwise or on any error. Only a regular file is opened: opening a FIFO would block
 * until a writer comes, and closing it again would lose what the writer sent.
 */
async function ndjsonFileSize(path: string): Promise<number | undefined> {
  let handle;
  try {
    const info = await stat(path);
    if (!info.isFile()) return undefined;
    handle = await open(path, 'r');
    const head = Buffer.alloc(Math.min(SNIFF_LIMIT, info.size));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const bytes = head.subarray(0, bytesRead);
    return isGzip(bytes) || sniffShape(bytes, true)?.kind !== 'ndjson' ? undefined : info.size;
  } catch {
    // Reported by the single-threaded read, with the usual wording.
    return undefined;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
