import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { errorCode } from './errors.js';

/** Why a gzip stream could not be decoded to its end. */
export type GzipFailure = 'truncated' | 'corrupt';

/** A gzip stream that stopped decoding part-way; the bytes decoded before it were already yielded. */
export class GzipError extends Error {
  constructor(
    readonly failure: GzipFailure,
    /** zlib's own words, e.g. "incorrect data check". */
    readonly detail: string,
  ) {
    super(failure === 'truncated' ? 'gzip data truncated' : `gzip data corrupt (${detail})`);
    this.name = 'GzipError';
  }
}

/** True if `head` starts with the gzip magic bytes 1f 8b. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * Output chunk size of the decoder. Large enough that per-chunk costs vanish next to per-line
 * costs; not 1 MiB, because each chunk is a fresh allocation and at 1 MiB a gzip scan's RSS grew to
 * ~115 MB against ~94 MB at 256 KiB, with no measurable speed difference.
 */
const GUNZIP_CHUNK_BYTES = 1 << 18;

/**
 * Yields the bytes of `input`, gunzipped if they start with the gzip magic bytes, and re-encoded
 * from UTF-16 to UTF-8 if they (or the gunzipped bytes) start with a UTF-16 byte-order mark.
 * The content decides, not the file name: logs are often compressed without being renamed, and
 * a `.gz` that is plain text still reads.
 *
 * Concatenated gzip members (what `cat a.gz b.gz` and log rotation make) decode as one stream.
 * The decoder only runs ahead of the consumer by one output chunk, so a gzip bomb cannot fill memory.
 * Decoding failures throw a {@link GzipError} after the decoded bytes before them were yielded. One
 * exception: zlib reports a corrupt spot (not a truncation) instead of the output of the same
 * decode call, so up to one output chunk (256 KiB) just before the corrupt spot may be lost.
 *
 * Chunks of `input` may share memory (a reused read buffer): each is consumed or copied before the
 * next is requested. Yielded chunks follow the same rule.
 */
export async function* decodeBytes(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer, void, undefined> {
  yield* fromUtf16(decompress(input));
}

/** The byte-order marks of UTF-16 text: what Windows tools (PowerShell's `>`, Notepad) write. */
function utf16Encoding(head: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  if (head.length < 2) return undefined;
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return undefined;
}

/**
 * UTF-16 text that starts with its byte-order mark, re-encoded as UTF-8 as it streams (as ripgrep
 * does): a JSON export saved by a Windows tool reads like any other. Without a mark the encoding
 * is a guess, so such input is left as it is (and a scan that finds no event says it looks like
 * UTF-16, sniff.ts). Line breaks are kept, so line numbers are those of the file.
 */
async function* fromUtf16(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer, void, undefined> {
  const source = input[Symbol.asyncIterator]();
  try {
    let head: Buffer | undefined;
    // A live stream may deliver one byte at a time; a lone ff or fe may be half a mark.
    while (head === undefined || (head.length === 1 && (head[0] === 0xff || head[0] === 0xfe))) {
      const next = await source.next();
      if (next.done) break;
      head = head === undefined ? next.value : Buffer.concat([head, next.value]);
      if (head.length === 1) head = Buffer.from(head);
    }
    if (head === undefined) return;
    const encoding = utf16Encoding(head);
    if (encoding === undefined) {
      yield head;
      for (let next = await source.next(); !next.done; next = await source.next()) yield next.value;
      return;
    }
    // The decoder drops the mark, keeps a code unit or surrogate split between chunks for the
    // next one, and turns unpaired surrogates into U+FFFD.
    const decoder = new TextDecoder(encoding);
    yield Buffer.from(decoder.decode(head, { stream: true }), 'utf8');
    for (let next = await source.next(); !next.done; next = await source.next()) {
      yield Buffer.from(decoder.decode(next.value, { stream: true }), 'utf8');
    }
    const rest = decoder.decode();
    if (rest !== '') yield Buffer.from(rest, 'utf8');
  } finally {
    await source.return?.();
  }
}

async function* decompress(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer, void, undefined> {
  const source = input[Symbol.asyncIterator]();
  try {
    let head: Buffer | undefined;
    // A live stream may deliver one byte at a time; only a lone 1f needs to wait for a second byte.
    while (head === undefined || (head.length === 1 && head[0] === 0x1f)) {
      const next = await source.next();
      if (next.done) break;
      // Copied: the next read may overwrite the memory of this one.
      head = head === undefined ? next.value : Buffer.concat([head, next.value]);
      if (head.length === 1) head = Buffer.from(head);
    }
    if (head === undefined) return;
    if (!isGzip(head)) {
      yield head;
      for (let next = await source.next(); !next.done; next = await source.next()) yield next.value;
      return;
    }
    yield* gunzip(head, source);
  } finally {
    // Stopping early (the consumer failed) must still close the file behind `input`.
    await source.return?.();
  }
}

async function* gunzip(head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer, void, undefined> {
  async function* copied(): AsyncGenerator<Buffer, void, undefined> {
    // The decoder works on another thread while the reader refills its buffer: it needs its own copy.
    yield Buffer.from(head);
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield Buffer.from(next.value);
  }
  const decoder = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
  // pipeline() forwards a read error of the source to the decoder, which then reports it as its own.
  pipeline(Readable.from(copied(), { highWaterMark: 1 }), decoder, () => {});
  // Not `for await (… of decoder)`: a stream destroyed by an error drops the output it still
  // buffers, and that is exactly the data before a corrupt spot we must deliver. 'data' events
  // hand over every chunk as zlib produces it; pausing gives the back-pressure.
  const ready: Buffer[] = [];
  // An object, not two `let`s: the decoder's callbacks set them, where TypeScript does not look.
  const decoded: { ended: boolean; failure?: Error } = { ended: false };
  let wake: (() => void) | undefined;
  const signal = () => {
    wake?.();
    wake = undefined;
  };
  decoder.on('data', (chunk: Buffer) => {
    ready.push(chunk);
    decoder.pause();
    signal();
  });
  decoder.on('end', () => {
    decoded.ended = true;
    signal();
  });
  decoder.on('error', (error) => {
    decoded.failure = error;
    signal();
  });
  try {
    for (;;) {
      const chunk = ready.shift();
      if (chunk !== undefined) {
        if (decoded.failure === undefined && !decoded.ended) decoder.resume();
        yield chunk;
      } else if (decoded.failure !== undefined) {
        throw toGzipError(decoded.failure);
      } else if (decoded.ended) {
        return;
      } else {
        await new Promise<void>((resolve) => (wake = resolve));
      }
    }
  } finally {
    decoder.destroy();
  }
}

function toGzipError(error: unknown): unknown {
  const code = errorCode(error);
  if (code === undefined || !code.startsWith('Z_')) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new GzipError(code === 'Z_BUF_ERROR' ? 'truncated' : 'corrupt', detail);
}
