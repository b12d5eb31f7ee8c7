import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where a text put in a {@link SpillFile} lies: bytes `[offset, offset + length)`. */
export interface SpillRef {
  readonly offset: number;
  readonly length: number;
}

/** The spill file could not be written or read back: the scan's result would be incomplete (exit 2). */
export class SpillError extends Error {}

/** Bytes kept in memory before the first write to disk; also the size of each write. */
export const SPILL_BUFFER_BYTES = 1 << 20;

/** Memory the sorts of one scan may hold (state/spillSort.ts) before the largest writes a run. */
export const SORT_MEMORY_BYTES = 16 << 20;

/** A holder of records in memory that can write them out as a run (state/spillSort.ts). */
export interface SpillHolder {
  /** Estimated bytes held in memory. */
  readonly heldBytes: number;
  /** Writes what it holds to the file, sorted, as one run. */
  writeRun(): void;
}

/**
 * Text a scan must keep until the input ends (lines of events and alerts held for event-time
 * order, README "Memory"), kept in a temporary file instead of the heap, so memory stays flat
 * however many lines are held: the holder keeps a {@link SpillRef} of 16 bytes per text.
 *
 * Spilling, as `sort` does, rather than reading the lines again from the inputs: it works the
 * same for plain files, gzip, stdin and pipes (none of which but the first can be read twice),
 * for lines read by worker threads, and for a file that grows or changes while it is scanned.
 *
 * The first {@link SPILL_BUFFER_BYTES} stay in memory, so a scan that holds little never
 * touches the disk. The file is created under `TMPDIR` (os.tmpdir()) and unlinked at once where
 * the system allows it (POSIX), so nothing is left behind even if the process is killed; else
 * it is removed by `close`.
 */
export class SpillFile {
  private fd: number | undefined;
  /** The temporary directory, when it could not be removed while the file was open. */
  private leftDir: string | undefined;
  private buffer: Buffer | undefined;
  /** Bytes of `buffer` in use: they follow the `written` bytes of the file. */
  private buffered = 0;
  private written = 0;
  private closed = false;

  private readonly holders = new Set<SpillHolder>();
  private held = 0;

  constructor(
    private readonly dir: string = tmpdir(),
    /** What the sorts sharing this file may hold in memory together. */
    readonly sortMemoryBytes = SORT_MEMORY_BYTES,
    private readonly bufferBytes = SPILL_BUFFER_BYTES,
  ) {}

  /** A sort holds `bytes` more (or fewer, negative) in memory; over the budget, the largest holder writes a run. */
  hold(holder: SpillHolder, bytes: number): void {
    // Only a holder that takes more is (again) one the budget may ask to write: one that gave
    // everything up (drained, released) is never asked while it is being drained.
    if (bytes > 0) this.holders.add(holder);
    this.held += bytes;
    if (this.held <= this.sortMemoryBytes) return;
    let largest: SpillHolder | undefined;
    for (const h of this.holders) if (largest === undefined || h.heldBytes > largest.heldBytes) largest = h;
    largest?.writeRun();
  }

  /** Forgets a holder: the budget no longer asks it to write a run (it is being drained). */
  release(holder: SpillHolder): void {
    this.holders.delete(holder);
  }

  /** Bytes put so far (in memory and on disk). */
  get size(): number {
    return this.written + this.buffered;
  }

  /** Whether anything went to disk (and still is, until `close`). */
  onDisk = false;

  put(text: string): SpillRef {
    if (this.closed) throw new SpillError('internal: a spill file was written after it was closed');
    const length = Buffer.byteLength(text, 'utf8');
    const offset = this.written + this.buffered;
    const buffer = (this.buffer ??= Buffer.allocUnsafe(this.bufferBytes));
    if (this.buffered + length > buffer.length) this.flush();
    if (length > buffer.length) this.writeOut(Buffer.from(text, 'utf8'));
    else this.buffered += buffer.write(text, this.buffered, 'utf8');
    return { offset, length };
  }

  /** The text put at `ref`. Throws SpillError if the file no longer holds it. */
  get(ref: SpillRef): string {
    const bytes = Buffer.allocUnsafe(ref.length);
    this.read(ref.offset, bytes, ref.length);
    return bytes.toString('utf8');
  }

  /**
   * Copies `length` bytes from `offset` into `target` (from its start). Throws SpillError if the
   * file no longer holds them: something truncated it, and the result would be incomplete.
   */
  read(offset: number, target: Buffer, length: number): void {
    if (this.closed) throw new SpillError('internal: a spill file was read after it was closed');
    if (offset + length > this.size) throw new SpillError(`internal: no spilled bytes at ${offset}..${offset + length}`);
    let got = 0;
    // Bytes on disk first, then any still in the write buffer.
    const fromDisk = Math.max(0, Math.min(length, this.written - offset));
    const fd = this.fd;
    if (fromDisk > 0 && fd !== undefined) {
      try {
        while (got < fromDisk) {
          const n = readSync(fd, target, got, fromDisk - got, offset + got);
          if (n === 0) break;
          got += n;
        }
      } catch (error) {
        throw new SpillError(`cannot read back the temporary file of held lines (${describe(error)}); the result would be incomplete`);
      }
      if (got < fromDisk) {
        const size = safeSize(fd);
        throw new SpillError(
          `the temporary file of held lines was cut short (${size ?? '?'} bytes, expected at least ${offset + fromDisk}): ` +
            `something truncated it during the scan, and the result would be incomplete. Run again, with TMPDIR on a disk nothing cleans up mid-run`,
        );
      }
    }
    if (got < length && this.buffer !== undefined) {
      const start = offset + got - this.written;
      this.buffer.copy(target, got, start, start + (length - got));
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer = undefined;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    if (this.leftDir !== undefined) rmSync(this.leftDir, { recursive: true, force: true });
  }

  private flush(): void {
    if (this.buffered === 0 || this.buffer === undefined) return;
    const bytes = this.buffer.subarray(0, this.buffered);
    this.buffered = 0;
    this.writeOut(bytes);
  }

  private writeOut(bytes: Buffer): void {
    const fd = this.open();
    let done = 0;
    try {
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, this.written + done);
    } catch (error) {
      throw new SpillError(`cannot write the temporary file of held lines in ${this.dir} (${describe(error)}): set TMPDIR to a directory with room`);
    }
    this.written += bytes.length;
  }

  private open(): number {
    if (this.fd !== undefined) return this.fd;
    let dir: string;
    try {
      dir = mkdtempSync(join(this.dir, 'lkm-scan-'));
      this.fd = openSync(join(dir, 'held.spill'), 'w+', 0o600);
      this.onDisk = true;
    } catch (error) {
      throw new SpillError(`cannot create a temporary file for held lines in ${this.dir} (${describe(error)}): set TMPDIR to a writable directory`);
    }
    try {
      rmSync(dir, { recursive: true });
    } catch {
      // Windows keeps an open file's name: remove it on close.
      this.leftDir = dir;
    }
    return this.fd;
  }
}

function safeSize(fd: number): number | undefined {
  try {
    return fstatSync(fd).size;
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return 'code' in error && typeof error.code === 'string' ? error.code : error.message;
  return String(error);
}
