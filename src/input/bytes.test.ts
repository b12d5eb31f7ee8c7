import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, write, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { describeStdin, InputReadError, readPipeChunks, readStreamChunks } from './bytes.js';

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

describe('readPipeChunks (stdin as a pipe, read by a thread)', () => {
  /** A FIFO with a reader (blocking unless `nonBlocking`) and a writer; the reader sees the end once the writer is closed. */
  function fifo(nonBlocking = false): { reader: number; writer: number; cleanup: () => void } {
    const dir = mkdtempSync(join(tmpdir(), 'lkm-pipe-'));
    const path = join(dir, 'p');
    execFileSync('mkfifo', [path]);
    // Read-write first: a writer exists, so the reader's open does not wait for one.
    const writer = openSync(path, constants.O_RDWR);
    const reader = openSync(path, constants.O_RDONLY | (nonBlocking ? constants.O_NONBLOCK : 0));
    return {
      reader,
      writer,
      cleanup: () => {
        closeSync(reader);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  /** Writes in the thread pool, so a full pipe blocks a pool thread, not the test. */
  const writeAsync = (fd: number, data: Buffer) =>
    new Promise<void>((resolve, reject) => write(fd, data, 0, data.length, null, (e) => (e === null ? resolve() : reject(e))));
  const lines = (n: number, from = 0) => Buffer.from(Array.from({ length: n }, (_, i) => `{"n":${from + i},"pad":"${'x'.repeat(i % 300)}"}\n`).join(''));

  it('hands on each line as it is written while the pipe stays open, and ends at its end', async () => {
    const p = fifo();
    try {
      const got: string[] = [];
      const reading = (async () => {
        for await (const c of readPipeChunks(p.reader)) got.push(c.toString('utf8'));
      })();
      writeSync(p.writer, 'one\n');
      await vi.waitFor(() => expect(got).toEqual(['one\n']));
      writeSync(p.writer, 'two\n');
      await vi.waitFor(() => expect(got.join('')).toBe('one\ntwo\n'));
      closeSync(p.writer);
      await reading;
      expect(got.join('')).toBe('one\ntwo\n');
    } finally {
      p.cleanup();
    }
  });

  it('gives every byte in order through a small ring that wraps, in chunks larger than a pipe read while the reader is busy', async () => {
    const p = fifo();
    try {
      const data = lines(20_000);
      const writing = writeAsync(p.writer, data).then(() => closeSync(p.writer));
      const got: Buffer[] = [];
      let first = true;
      for await (const c of readPipeChunks(p.reader, undefined, 256 * 1024, 512 * 1024)) {
        got.push(Buffer.from(c));
        // Busy with the first chunk: the thread fills the ring meanwhile, and the next chunk is large.
        if (first) await new Promise((r) => setTimeout(r, 100));
        first = false;
      }
      await writing;
      expect(Buffer.concat(got).equals(data)).toBe(true);
      expect(data.length).toBeGreaterThan(4 * 512 * 1024);
      expect(Math.max(...got.map((c) => c.length))).toBe(256 * 1024);
    } finally {
      p.cleanup();
    }
  });

  it('reads a descriptor someone made non-blocking, by polling it', async () => {
    const p = fifo(true);
    try {
      const data = lines(3000);
      const got: Buffer[] = [];
      const reading = (async () => {
        for await (const c of readPipeChunks(p.reader)) got.push(Buffer.from(c));
      })();
      await new Promise((r) => setTimeout(r, 20));
      await writeAsync(p.writer, data);
      closeSync(p.writer);
      await reading;
      expect(Buffer.concat(got).equals(data)).toBe(true);
    } finally {
      p.cleanup();
    }
  });

  it('ends at once when stopped while the pipe stays open and quiet', async () => {
    const p = fifo();
    try {
      const stop = new AbortController();
      const got: string[] = [];
      const reading = (async () => {
        for await (const c of readPipeChunks(p.reader, stop.signal)) got.push(c.toString('utf8'));
      })();
      writeSync(p.writer, 'one\n');
      await vi.waitFor(() => expect(got).toEqual(['one\n']));
      stop.abort();
      await reading;
      expect(got).toEqual(['one\n']);
    } finally {
      // Unblocks the thread's pending read, so it ends.
      closeSync(p.writer);
      p.cleanup();
    }
  });

  it('reports a read error as an InputReadError', async () => {
    // A directory's descriptor fails every read (EISDIR).
    const fd = openSync(tmpdir(), 'r');
    try {
      const reading = (async () => {
        for await (const c of readPipeChunks(fd)) expect(c).toBeUndefined();
      })();
      await expect(reading).rejects.toThrow(/cannot read:.*(EISDIR|directory)/i);
    } finally {
      closeSync(fd);
    }
  });
});

describe('describeStdin', () => {
  it('tells a regular file from a pipe, and gives nothing for a terminal-like device or a closed descriptor', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lkm-stdin-'));
    try {
      const file = join(dir, 'f');
      writeFileSync(file, 'x\n');
      const fd = openSync(file, 'r');
      const dev = openSync('/dev/null', 'r');
      const path = join(dir, 'p');
      execFileSync('mkfifo', [path]);
      const pipe = openSync(path, constants.O_RDWR);
      try {
        expect(describeStdin(fd)).toEqual({ fd, kind: 'file' });
        expect(describeStdin(pipe)).toEqual({ fd: pipe, kind: 'pipe' });
        expect(describeStdin(dev)).toBeUndefined();
        expect(describeStdin(undefined)).toBeUndefined();
      } finally {
        for (const f of [fd, dev, pipe]) closeSync(f);
      }
      expect(describeStdin(fd)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
