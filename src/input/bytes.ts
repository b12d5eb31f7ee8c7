import { read as readFd } from 'node:fs';
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

/** A file descriptor opened by someone else (fd 0 when stdin is a regular file): read, never closed. */
export interface OpenFile {
  fd: number;
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
