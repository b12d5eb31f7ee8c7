import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InputReadError, readStreamChunks } from './bytes.js';

async function collect(chunks: AsyncIterable<Buffer>): Promise<string[]> {
  const got: string[] = [];
  for await (const c of chunks) got.push(c.toString('utf8'));
  return got;
}

describe('readStreamChunks', () => {
  it('hands on a chunk as soon as it arrives, before the stream ends', async () => {
    const source = new PassThrough();
    const got: string[] = [];
    const done = (async () => {
      for await (const c of readStreamChunks(source)) got.push(c.toString('utf8'));
    })();
    source.write('one\n');
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual(['one\n']);
    source.end('two\n');
    await done;
    expect(got).toEqual(['one\n', 'two\n']);
  });

  it('merges what arrived while the reader was busy into one chunk', async () => {
    const source = new PassThrough({ highWaterMark: 1 << 20 });
    for (let i = 0; i < 10; i++) source.write(`line ${i}\n`);
    source.end();
    const got = await collect(readStreamChunks(source));
    expect(got).toHaveLength(1);
    expect(got.join('')).toBe(Array.from({ length: 10 }, (_, i) => `line ${i}\n`).join(''));
  });

  it('ends at once when stopped while a live stream stays quiet, and destroys the stream', async () => {
    const source = new PassThrough();
    const stop = new AbortController();
    const got: string[] = [];
    const done = (async () => {
      for await (const c of readStreamChunks(source, stop.signal)) got.push(c.toString('utf8'));
    })();
    source.write('one\n');
    await new Promise((r) => setTimeout(r, 10));
    stop.abort();
    await done;
    expect(got).toEqual(['one\n']);
    expect(source.destroyed).toBe(true);
  });

  it('reports a read error as an InputReadError, after the data before it', async () => {
    const failing = new PassThrough();
    failing.write('before\n');
    setTimeout(() => failing.destroy(Object.assign(new Error('read failed'), { code: 'EIO' })), 5);
    const got: string[] = [];
    const reading = (async () => {
      for await (const c of readStreamChunks(failing)) got.push(c.toString('utf8'));
    })();
    await expect(reading).rejects.toBeInstanceOf(InputReadError);
    expect(got).toEqual(['before\n']);
  });

  it('ends when the stream is destroyed without an error (a closed socket)', async () => {
    const source = new PassThrough();
    setTimeout(() => source.destroy(), 5);
    expect(await collect(readStreamChunks(source))).toEqual([]);
  });

  it('takes string chunks as UTF-8 and destroys the stream when the caller breaks off', async () => {
    const source = Readable.from(['é\n', 'more\n'], { objectMode: false });
    for await (const c of readStreamChunks(source)) {
      expect(c.toString('utf8')).toMatch(/^é\n/);
      break;
    }
    expect(source.destroyed).toBe(true);
  });
});
