import { fstatSync, read as readFd } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { describeOsError } from './errors.js';

/**
 * Each read costs a syscall and a promise, so reads are large. Measured on a 500 MB page-cached
 * file (2 vCPUs, Node 20): 64 KiB reads 1.4 GB/s, 256 KiB 3.7 GB/s, 1 MiB 5 GB/s. Reusing one
 * buffer matters as much: `createReadStream` with a 1 MiB highWaterMark allocates a buffer per
 * read and ran at 1.2 GB/s.
 */
export const DEFAULT_CHUNK_BYTES = 1 << 20;

/**
 * Reading the input failed (as opposed to the code consuming it): the caller reports this against
 * the input and moves on to the next one, but lets any other error propagate.
 */
export class InputReadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InputReadError';
  }
}

/** Bytes `[start, end)` of a regular file; `end` Infinity reads to the end of the file as it is then. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Yields the bytes of a file (or of `range` of it), read sequentially into two reused buffers:
 * memory stays at two chunks however large the file is. Each yielded chunk is only valid until
 * the next one is requested.
 *
 * The next read is started before a chunk is handed out, so the disk (or page cache, through
 * libuv's thread pool) works while the caller scans: without it a third of a fast scan was spent
 * waiting for reads.
 */
export async function* readFileChunks(
  path: string | OpenFile,
  chunkBytes: number = DEFAULT_CHUNK_BYTES,
  range?: ByteRange,
): AsyncGenerator<Buffer, void, undefined> {
  let handle: ChunkSource;
  if (typeof path === 'string') {
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw new InputReadError(`cannot open: ${describeOsError(error)}`, { cause: error });
    }
  } else {
    handle = borrowedFd(path.fd);
  }
  const buffers = [takeBuffer(chunkBytes), takeBuffer(chunkBytes)];
  let position = range?.start ?? null;
  const end = range?.end ?? Infinity;
  let which = 0;
  let pending: Promise<number> | undefined;
  const readInto = (buffer: Buffer): Promise<number> | undefined => {
    const want = position === null ? chunkBytes : Math.min(chunkBytes, end - position);
    if (want <= 0) return undefined;
    // position null: read on from the current offset, which also works for pipes and FIFOs.
    const at = position;
    if (position !== null) position += want;
    return handle.read(buffer, 0, want, at).then(
      ({ bytesRead }) => {
        // A short read of a range (the file shrank) must not skip bytes on the next one.
        if (at !== null && position !== null) position = at + bytesRead;
        return bytesRead;
      },
      (error: unknown) => {
        throw new InputReadError(`cannot read: ${describeOsError(error)}`, { cause: error });
      },
    );
  };
  try {
    pending = readInto(buffers[which]!);
    while (pending !== undefined) {
      const bytesRead = await pending;
      pending = undefined;
      if (bytesRead === 0) return;
      const current = buffers[which]!;
      which ^= 1;
      pending = readInto(buffers[which]!);
      yield current.subarray(0, bytesRead);
    }
  } finally {
    // An early stop (the caller broke off) may leave a read in flight: let it land before closing.
    await pending?.catch(() => undefined);
    await handle.close().catch(() => undefined);
    for (const b of buffers) giveBuffer(b);
  }
}

/** A file descriptor opened by someone else (fd 0, stdin): read, never closed. */
export interface OpenFile {
  fd: number;
  /** A regular file (the default: read with readFileChunks) or a pipe or socket (readPipeChunks). */
  kind?: 'file' | 'pipe';
}

/** What readFileChunks reads from: a FileHandle it opened, or a borrowed descriptor. */
interface ChunkSource {
  read(buffer: Buffer, offset: number, length: number, position: number | null): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

function borrowedFd(fd: number): ChunkSource {
  return {
    read: (buffer, offset, length, position) =>
      new Promise((resolve, reject) => {
        readFd(fd, buffer, offset, length, position, (error, bytesRead) => (error === null ? resolve({ bytesRead }) : reject(error)));
      }),
    // Its owner closes it: fd 0 stays open for the rest of the process.
    close: () => Promise.resolve(),
  };
}

/**
 * Read buffers kept for the next input or byte range. Fresh memory is slow to touch on small VMs
 * (~130 MB/s seen here), and a worker reads hundreds of ranges: allocating two 1 MiB buffers per
 * range cost more than prefiltering them.
 */
const spareBuffers: Buffer[] = [];

function takeBuffer(size: number): Buffer {
  const i = spareBuffers.findIndex((b) => b.length === size);
  return i >= 0 ? spareBuffers.splice(i, 1)[0]! : Buffer.allocUnsafe(size);
}

function giveBuffer(buffer: Buffer): void {
  if (spareBuffers.length < 4) spareBuffers.push(buffer);
}

/**
 * Yields a stream's data as soon as it arrives, so a live pipe (`auditbeat | lkm-scan`) is
 * processed line by line, not at end of input. Whatever arrived while the caller was busy comes
 * as one chunk: a pipe delivers at most 64 KiB per read, and each chunk handed on costs the
 * line splitter and the prefilter a pass setup of their own.
 *
 * `stop` ends the reading at once, even while a live pipe stays open and quiet: the stream is
 * destroyed, so nothing more is read from it and an open pipe no longer keeps the process alive.
 * The stream is also destroyed when the caller breaks off early.
 */
export async function* readStreamChunks(stream: NodeJS.ReadableStream | Readable, stop?: AbortSignal): AsyncGenerator<Buffer, void, undefined> {
  // An object, not `let`s: the listeners set it, where TypeScript's flow analysis does not look.
  const seen: { ended: boolean; failure?: { error: unknown } } = { ended: false };
  let wake: (() => void) | undefined;
  const onReadable = () => wake?.();
  const onEnd = () => {
    seen.ended = true;
    wake?.();
  };
  const onError = (error: unknown) => {
    seen.failure ??= { error };
    wake?.();
  };
  stream.on('readable', onReadable);
  stream.on('end', onEnd);
  // Destroyed without an error (a closed socket): nothing more will come.
  stream.on('close', onEnd);
  stream.on('error', onError);
  stop?.addEventListener('abort', onReadable);
  try {
    for (;;) {
      if (stop?.aborted === true) return;
      if (seen.failure !== undefined) throw new InputReadError(`cannot read: ${describeOsError(seen.failure.error)}`, { cause: seen.failure.error });
      // Everything buffered, as one chunk (paused mode: `read()` without a size returns it all).
      const chunk: unknown = stream.read();
      if (chunk !== null) {
        yield typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : asBuffer(chunk);
        continue;
      }
      if (seen.ended) return;
      // 'readable', 'end', 'error' and an abort are all emitted on a later tick: set before them.
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    stream.off('readable', onReadable);
    stream.off('end', onEnd);
    stream.off('close', onEnd);
    stream.off('error', onError);
    stop?.removeEventListener('abort', onReadable);
    if (!seen.ended && isDestroyable(stream)) stream.destroy();
  }
}

function asBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new InputReadError(`cannot read: the stream gave a ${typeof chunk}, not bytes`);
}

function isDestroyable(stream: NodeJS.ReadableStream | Readable): stream is Readable {
  return 'destroy' in stream && typeof stream.destroy === 'function';
}

/**
 * What stdin is when the launcher knows its descriptor: a regular file (`lkm-scan - < FILE`) is
 * read as a file argument is (readFileChunks); a pipe or socket (`cat FILE | lkm-scan -`) by a
 * reader thread (readPipeChunks). Anything else (a terminal, a device, a closed stdin) gives
 * undefined and is read through the stream, as it always was.
 */
export function describeStdin(fd: number | undefined): OpenFile | undefined {
  if (fd === undefined) return undefined;
  try {
    const stats = fstatSync(fd);
    if (stats.isFile()) return { fd, kind: 'file' };
    if (stats.isFIFO() || stats.isSocket()) return { fd, kind: 'pipe' };
    return undefined;
  } catch {
    // A closed stdin (`lkm-scan - <&-`): the stream reports it as it always did.
    return undefined;
  }
}

/** Bytes shared with the pipe reader thread: four reads' worth, so it reads on while a chunk is scanned. */
const PIPE_RING_BYTES = 4 << 20;

/** Slots of the reader thread's counters (BigInt64Array): bytes written into the ring, bytes handed back. */
const WRITTEN = 0;
const CONSUMED = 1;
/** Slots of its flags (Int32Array): the consumer waits for data (wake it); the reading must end. */
const HUNGRY = 0;
const STOP = 1;

/**
 * The reader thread (CommonJS, run with `eval`, so it needs no file of its own in src/ or dist/).
 * It reads the descriptor with blocking reads as fast as the pipe delivers (a pipe gives at most
 * 64 KiB a read) into a ring of shared memory, and publishes how far it got after each read; it
 * waits when the ring is full, which is the back-pressure on the writer.
 *
 * A non-blocking descriptor (EAGAIN) is polled: 50 µs after the last read, then twice as long
 * each time, up to 1 ms while data came within the last second and 20 ms after. It is how a
 * stopped read ends (the thread sees STOP between polls): a thread blocked in a read nothing can
 * cancel would hold the process at exit, which joins its threads, until the writer's next line.
 */
const PIPE_READER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { readSync } = require('node:fs');
const { fd, ring, counters, flags, maxRead } = workerData;
const buf = Buffer.from(ring);
const size = buf.length;
const pos = new BigInt64Array(counters);
const flag = new Int32Array(flags);
let written = 0;
let pause = 0;
let lastData = Date.now();
for (;;) {
  if (Atomics.load(flag, ${STOP}) === 1) break;
  const consumed = Number(Atomics.load(pos, ${CONSUMED}));
  const free = size - (written - consumed);
  if (free === 0) {
    Atomics.wait(pos, ${CONSUMED}, BigInt(consumed));
    continue;
  }
  const at = written % size;
  let n;
  try {
    n = readSync(fd, buf, at, Math.min(free, size - at, maxRead), null);
  } catch (error) {
    if (error.code === 'EINTR') continue;
    if (error.code === 'EAGAIN') {
      // Nothing there yet: look again soon while data flows, then less and less often.
      pause = Math.min(pause === 0 ? 0.05 : pause * 2, Date.now() - lastData < 1000 ? 1 : 20);
      Atomics.wait(flag, ${STOP}, 0, pause);
      continue;
    }
    parentPort.postMessage({ error: { code: error.code, message: error.message } });
    break;
  }
  pause = 0;
  lastData = Date.now();
  if (n === 0) {
    parentPort.postMessage({ end: true });
    break;
  }
  written += n;
  Atomics.store(pos, ${WRITTEN}, BigInt(written));
  if (Atomics.exchange(flag, ${HUNGRY}, 0) === 1) parentPort.postMessage({ more: true });
}
`;

/** What the reader thread tells: more bytes (only when asked to), the end of the input, or a read error. */
interface PipeReaderMessage {
  more?: boolean;
  end?: boolean;
  error?: { code?: string; message: string };
}

/**
 * Yields the bytes of a pipe or socket descriptor (stdin in `cat FILE | lkm-scan -`) in chunks of
 * up to `maxChunk`, read by a thread of its own. Through `process.stdin` each ≤64 KiB read of the
 * pipe became a fresh Buffer, a chunk for the line splitter and prefilter, and garbage (the piped
 * scan cost 1.4× the CPU of reading the file); here the thread keeps the pipe drained while the
 * caller scans, and the caller takes everything that arrived meanwhile as one view of a ring of
 * shared memory (no copy, no allocation). A live pipe still gets each line at once: when the
 * caller has caught up it asks the thread to tell it about the next read, however small.
 *
 * Each chunk is valid until the next one is requested; `ringBytes` (at least two chunks) bounds what
 * is read ahead. `stop` ends the reading at once, even while the pipe stays open and quiet, and the
 * thread ends at its next poll if the descriptor is non-blocking (fd 0 is once process.stdin was
 * made); one blocked in a read ends with the pipe's next data or its end.
 */
export async function* readPipeChunks(
  fd: number,
  stop?: AbortSignal,
  maxChunk: number = DEFAULT_CHUNK_BYTES,
  ringBytes: number = PIPE_RING_BYTES,
): AsyncGenerator<Buffer, void, undefined> {
  const ring = new SharedArrayBuffer(Math.max(ringBytes, 2 * maxChunk));
  const counters = new SharedArrayBuffer(2 * BigInt64Array.BYTES_PER_ELEMENT);
  const flags = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
  const bytes = Buffer.from(ring);
  const pos = new BigInt64Array(counters);
  const flag = new Int32Array(flags);
  // An object, not `let`s: the listeners set it, where TypeScript's flow analysis does not look.
  const seen: { ended: boolean; failure?: InputReadError } = { ended: false };
  let wake: (() => void) | undefined;
  const onMessage = (m: PipeReaderMessage) => {
    if (m.end === true) seen.ended = true;
    if (m.error !== undefined) seen.failure ??= new InputReadError(`cannot read: ${describeOsError(Object.assign(new Error(m.error.message), { code: m.error.code }))}`);
    wake?.();
  };
  const onError = (error: unknown) => {
    seen.failure ??= new InputReadError(`cannot read: ${describeOsError(error)}`, { cause: error });
    wake?.();
  };
  const onExit = () => {
    if (!seen.ended) seen.failure ??= new InputReadError('cannot read: the reader thread ended early');
    wake?.();
  };
  const onAbort = () => wake?.();
  // Imported here: only a scan of a piped stdin starts a thread (src/cli.ts keeps start-up lean).
  const { Worker } = await import('node:worker_threads');
  const thread = new Worker(PIPE_READER_SOURCE, { eval: true, workerData: { fd, ring, counters, flags, maxRead: maxChunk } });
  thread.on('message', onMessage);
  thread.on('error', onError);
  thread.on('exit', onExit);
  stop?.addEventListener('abort', onAbort);
  let consumed = 0;
  try {
    for (;;) {
      if (stop?.aborted === true) return;
      const written = Number(Atomics.load(pos, WRITTEN));
      if (written > consumed) {
        const at = consumed % bytes.length;
        const length = Math.min(written - consumed, bytes.length - at, maxChunk);
        yield bytes.subarray(at, at + length);
        consumed += length;
        Atomics.store(pos, CONSUMED, BigInt(consumed));
        Atomics.notify(pos, CONSUMED);
        continue;
      }
      // The end and errors are told after the last bytes were published: those are handed on first.
      if (seen.failure !== undefined) throw seen.failure;
      if (seen.ended) return;
      Atomics.store(flag, HUNGRY, 1);
      // The thread may have published between the look above and the flag: look again before waiting.
      if (Number(Atomics.load(pos, WRITTEN)) > consumed) continue;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    stop?.removeEventListener('abort', onAbort);
    thread.off('message', onMessage);
    thread.off('error', onError);
    thread.off('exit', onExit);
    // Ends a thread waiting for room or polling; one blocked in a read ends with its next read.
    Atomics.store(flag, STOP, 1);
    Atomics.notify(flag, STOP);
    Atomics.notify(pos, CONSUMED);
    thread.on('error', () => undefined);
    thread.unref();
  }
}

