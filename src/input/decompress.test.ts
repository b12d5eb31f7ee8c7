import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { GzipError, decodeBytes, isGzip } from './decompress.js';

// eslint-disable-next-line @typescript-eslint/require-await -- decodeBytes reads an async source; the test's chunks are already in memory.
async function* chunksOf(...chunks: Buffer[]): AsyncGenerator<Buffer> {
  yield* chunks;
}

/** Cuts `bytes` into chunks of `size` bytes. */
function cut(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

async function decodeAll(...chunks: Buffer[]): Promise<string> {
  const out: Buffer[] = [];
  for await (const chunk of decodeBytes(chunksOf(...chunks))) out.push(Buffer.from(chunk));
  return Buffer.concat(out).toString('latin1');
}

describe('isGzip', () => {
  it('recognises the magic bytes 1f 8b and nothing shorter', () => {
    expect(isGzip(Buffer.from([0x1f, 0x8b, 0x08]))).toBe(true);
    expect(isGzip(Buffer.from([0x1f]))).toBe(false);
    expect(isGzip(Buffer.from('{"a":1}'))).toBe(false);
  });
});

describe('decodeBytes', () => {
  it('passes bytes that are not gzip through unchanged', async () => {
    expect(await decodeAll(Buffer.from('{"a":1}\n'), Buffer.from('{"b":2}\n'))).toBe('{"a":1}\n{"b":2}\n');
  });

  it('yields nothing for empty input', async () => {
    expect(await decodeAll()).toBe('');
  });

  it('passes a single byte 1f through as plain data', async () => {
    expect(await decodeAll(Buffer.from([0x1f]))).toBe('\x1f');
  });

  it('decompresses gzip input', async () => {
    expect(await decodeAll(gzipSync('{"a":1}\n'))).toBe('{"a":1}\n');
  });

  it('detects gzip whose magic bytes arrive one byte at a time', async () => {
    expect(await decodeAll(...cut(gzipSync('hello\nworld\n'), 1))).toBe('hello\nworld\n');
  });

  it('decodes concatenated gzip members as one stream', async () => {
    const both = Buffer.concat([gzipSync('one\n'), gzipSync('two\n')]);
    expect(await decodeAll(...cut(both, 7))).toBe('one\ntwo\n');
  });

  it('yields what was decoded, then throws a truncation error, for a cut-off gzip stream', async () => {
    const text = Array.from({ length: 5000 }, (_, i) => `line ${i}\n`).join('');
    const gz = gzipSync(text);
    const out: Buffer[] = [];
    let failure: unknown;
    try {
      for await (const chunk of decodeBytes(chunksOf(gz.subarray(0, gz.length - 20)))) out.push(Buffer.from(chunk));
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(GzipError);
    expect((failure as GzipError).failure).toBe('truncated');
    expect(text.startsWith(Buffer.concat(out).toString())).toBe(true);
  });

  it('throws a corruption error naming zlib’s reason for damaged gzip data', async () => {
    const gz = Buffer.from(gzipSync('some text that compresses\n'));
    gz[gz.length - 8] = gz[gz.length - 8]! ^ 0xff; // the CRC32 of the trailer
    await expect(decodeAll(gz)).rejects.toMatchObject({ failure: 'corrupt', detail: 'incorrect data check' });
  });
});

describe('decodeBytes: UTF-16 with a byte-order mark', () => {
  const collect = async (chunks: Buffer[]) => {
    // eslint-disable-next-line @typescript-eslint/require-await -- decodeBytes reads an async source; the test's chunks are already in memory.
    async function* source() {
      yield* chunks;
    }
    const out: Buffer[] = [];
    for await (const c of decodeBytes(source())) out.push(Buffer.from(c));
    return Buffer.concat(out).toString('utf8');
  };
  const text = '{"user":{"name":"Zoë 😀"}}\r\n{"a":1}\n';
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);

  it('re-encodes little- and big-endian UTF-16 as UTF-8, without the mark', async () => {
    expect(await collect([le])).toBe(text);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
    expect(await collect([be])).toBe(text);
  });

  it('keeps code units and surrogate pairs split between chunks, one byte at a time too', async () => {
    expect(await collect([...le].map((byte) => Buffer.from([byte])))).toBe(text);
  });

  it('leaves text without a mark, and a lone ff, as they are', async () => {
    expect(await collect([Buffer.from('{"a":1}\n')])).toBe('{"a":1}\n');
    expect((await collect([Buffer.from([0xff])])).length).toBe(1);
  });
});
