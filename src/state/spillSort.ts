import { SpillError, type SpillFile, type SpillHolder, type SpillRef } from './spillFile.js';

/** One record: three sort keys, compared in turn, and its value. */
export interface SortRecord<T> {
  k1: number;
  k2: number;
  k3: number;
  value: T;
}

/** How a sort writes its values to disk and reads them back: as one line of text (no `\n`). */
export interface SortCodec<T> {
  encode(value: T): string;
  decode(text: string): T;
}

/** Values that are lines of text already. */
export const TEXT: SortCodec<string> = { encode: (text) => text, decode: (text) => text };

/** What a record held in memory costs besides its value (the object, its keys), for the memory budget. */
const RECORD_OVERHEAD_BYTES = 80;
/** Characters of a run written to the spill file at a time. */
const PIECE_CHARS = 256 << 10;
/** Bytes read at a time from each run while merging. */
const MERGE_READ_BYTES = 64 << 10;
/**
 * Runs merged at once. More runs than this are first merged in groups into longer runs, so the
 * merge's read buffers (8 MiB) stay bounded however many runs a long input leaves (~4 MiB of
 * lines each). GNU sort merges 16 at a time; a pass costs a write and a read of every spilled
 * byte, and 128 keeps inputs up to ~0.5 GB of held lines at one pass.
 */
export const MAX_MERGE_RUNS = 128;

const compare = <T>(a: SortRecord<T>, b: SortRecord<T>): number => a.k1 - b.k1 || a.k2 - b.k2 || a.k3 - b.k3;

/**
 * Sorts records that may not fit in memory, as `sort` does: they are gathered in memory, as they
 * are (a sort that stays within its budget costs no encoding), and when the sorts sharing a spill
 * file hold more than its budget (SORT_MEMORY_BYTES, 16 MiB), the largest sorts what it holds and
 * writes it to the file as one run, each value encoded as a line; `drain` merges the runs.
 * Memory stays at the budget plus, while one sort drains, a 64 KiB read buffer per run of it,
 * (at most MAX_MERGE_RUNS: more are merged into longer runs first), whatever the records' total.
 * Equal keys keep no particular order: give a unique last key (an input sequence number). Keys
 * may be ±Infinity (never NaN).
 */
export class SpillSorter<T> implements SpillHolder {
  private held: Array<SortRecord<T>> = [];
  heldBytes = 0;
  private readonly runs: SpillRef[] = [];
  /** Records written in runs, not drained yet. */
  private inRuns = 0;

  constructor(
    private readonly file: SpillFile,
    private readonly codec: SortCodec<T>,
  ) {}

  /** Records added and not drained yet. */
  get size(): number {
    return this.inRuns + this.held.length;
  }

  /** `size`: what the value costs in memory, roughly (bytes). */
  add(k1: number, k2: number, k3: number, value: T, size: number): void {
    this.held.push({ k1, k2, k3, value });
    const bytes = size + RECORD_OVERHEAD_BYTES;
    this.heldBytes += bytes;
    this.file.hold(this, bytes);
  }

  /** Every record in key order; the sorter is empty afterwards (and may be filled again). */
  *drain(): Generator<SortRecord<T>, void, undefined> {
    const held = this.held.sort(compare);
    let runs = this.runs.splice(0);
    this.file.hold(this, -this.heldBytes);
    this.file.release(this);
    this.held = [];
    this.heldBytes = 0;
    this.inRuns = 0;
    if (runs.length === 0) {
      yield* held;
      return;
    }
    while (runs.length > MAX_MERGE_RUNS) runs = this.mergeRuns(runs);
    const sources: Array<Source<T>> = runs.map((run) => new RunReader(this.file, run, this.codec));
    if (held.length > 0) sources.push(arraySource(held));
    yield* merge(sources);
  }

  writeRun(): void {
    if (this.held.length === 0) return;
    const held = this.held;
    this.held = [];
    const freed = this.heldBytes;
    this.heldBytes = 0;
    this.file.hold(this, -freed);
    this.writeRunOf(held);
  }

  /**
   * Sorts `records` and writes them as one run, without holding them first: for a caller that
   * keeps records in memory its own way and gives them up when the budget asks (it counts them).
   */
  writeRunOf(records: Array<SortRecord<T>>): void {
    if (records.length === 0) return;
    this.inRuns += records.length;
    this.runs.push(writeRun(this.file, records.sort(compare), this.codec));
  }

  /**
   * Merges `runs` a group of MAX_MERGE_RUNS at a time into one run per group, appended to the
   * file. Values go through as their encoded text (TEXT): a merge pass decodes nothing.
   */
  private mergeRuns(runs: SpillRef[]): SpillRef[] {
    const merged: SpillRef[] = [];
    for (let i = 0; i < runs.length; i += MAX_MERGE_RUNS) {
      const group = runs.slice(i, i + MAX_MERGE_RUNS);
      merged.push(group.length === 1 ? group[0]! : writeRun(this.file, merge(group.map((run) => new RunReader(this.file, run, TEXT))), TEXT));
    }
    return merged;
  }
}

/**
 * Writes records, in the order given, as one run: a line each, its keys then its encoded value.
 * Written a piece at a time (puts follow each other in the file), never as one copy of it all.
 */
function writeRun<V>(file: SpillFile, records: Iterable<SortRecord<V>>, codec: SortCodec<V>): SpillRef {
  let offset: number | undefined;
  let length = 0;
  let piece: string[] = [];
  let pieceBytes = 0;
  const put = () => {
    const ref = file.put(piece.join(''));
    offset ??= ref.offset;
    length += ref.length;
    piece = [];
    pieceBytes = 0;
  };
  for (const r of records) {
    // A number's text reads back as the same number (shortest round trip; ±Infinity too).
    const line = `${r.k1} ${r.k2} ${r.k3} ${codec.encode(r.value)}\n`;
    piece.push(line);
    pieceBytes += line.length;
    if (pieceBytes >= PIECE_CHARS) put();
  }
  if (piece.length > 0) put();
  return { offset: offset ?? file.size, length };
}

/** A sorted source of records for the merge. */
interface Source<T> {
  next(): SortRecord<T> | undefined;
}

function arraySource<T>(records: Array<SortRecord<T>>): Source<T> {
  let i = 0;
  return { next: () => (i < records.length ? records[i++] : undefined) };
}

/** Reads the records of one run back, a buffer at a time. */
class RunReader<T> implements Source<T> {
  private position: number;
  private readonly end: number;
  private buffer = Buffer.allocUnsafe(MERGE_READ_BYTES);
  /** Bytes of `buffer` read and not yet consumed: `[start, stop)`. */
  private start = 0;
  private stop = 0;

  constructor(
    private readonly file: SpillFile,
    run: SpillRef,
    private readonly codec: SortCodec<T>,
  ) {
    this.position = run.offset;
    this.end = run.offset + run.length;
  }

  next(): SortRecord<T> | undefined {
    for (;;) {
      const newline = this.buffer.indexOf(0x0a, this.start);
      if (newline !== -1 && newline < this.stop) {
        const line = this.buffer.toString('utf8', this.start, newline);
        this.start = newline + 1;
        return parseRecord(line, this.codec);
      }
      if (!this.fill()) {
        if (this.start < this.stop) throw new SpillError('internal: a sorted run of the spill file ends inside a record');
        return undefined;
      }
    }
  }

  /** Reads more of the run after the unconsumed bytes (a record longer than the buffer doubles it); false at its end. */
  private fill(): boolean {
    if (this.position >= this.end) return false;
    const rest = this.stop - this.start;
    if (rest === this.buffer.length) {
      const bigger = Buffer.allocUnsafe(this.buffer.length * 2);
      this.buffer.copy(bigger, 0, this.start, this.stop);
      this.buffer = bigger;
    } else if (rest > 0) {
      this.buffer.copy(this.buffer, 0, this.start, this.stop);
    }
    this.start = 0;
    this.stop = rest;
    const n = Math.min(this.buffer.length - rest, this.end - this.position);
    const chunk = this.buffer.subarray(rest, rest + n);
    this.file.read(this.position, chunk, n);
    this.position += n;
    this.stop += n;
    return true;
  }
}

function parseRecord<T>(line: string, codec: SortCodec<T>): SortRecord<T> {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  const c = line.indexOf(' ', b + 1);
  if (a < 0 || b < 0 || c < 0) throw new SpillError('internal: a sorted run of the spill file holds a malformed record');
  return { k1: Number(line.slice(0, a)), k2: Number(line.slice(a + 1, b)), k3: Number(line.slice(b + 1, c)), value: codec.decode(line.slice(c + 1)) };
}

/** K-way merge over a binary heap of the sources' next records. */
function* merge<T>(sources: Array<Source<T>>): Generator<SortRecord<T>, void, undefined> {
  const heap: Array<{ record: SortRecord<T>; source: Source<T> }> = [];
  const less = (i: number, j: number) => compare(heap[i]!.record, heap[j]!.record) < 0;
  const swap = (i: number, j: number) => {
    const t = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = t;
  };
  const up = (i: number) => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(i, parent)) return;
      swap(i, parent);
      i = parent;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(l, m)) m = l;
      if (r < heap.length && less(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (const source of sources) {
    const record = source.next();
    if (record !== undefined) {
      heap.push({ record, source });
      up(heap.length - 1);
    }
  }
  while (heap.length > 0) {
    const top = heap[0]!;
    yield top.record;
    const record = top.source.next();
    if (record !== undefined) {
      top.record = record;
    } else {
      const last = heap.pop();
      if (heap.length === 0 || last === undefined) return;
      heap[0] = last;
    }
    down(0);
  }
}
