import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readEvents } from '../input/events.js';
import { BatchedWriter } from './batchedWriter.js';

/**
 * A consumer slower than the scan: each write completes only after the event loop has gone
 * round once, while the input below is available at once. Records the most bytes it ever held.
 */
function slowSink(highWaterMark: number) {
  const seen = { maxBuffered: 0, bytes: 0 };
  const out = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, done) {
      seen.bytes += chunk.length;
      setImmediate(done);
    },
  });
  const sample = () => (seen.maxBuffered = Math.max(seen.maxBuffered, out.writableLength));
  return { out, seen, sample };
}

const LINE = JSON.stringify({ event: { category: 'file' }, file: { path: '/lib/modules/x.ko' }, host: { name: 'web-01' } });
const CHUNK_LINES = 200;
const CHUNKS = 200;
/** Output written per event: several times the input, as text output is. */
const OUTPUT = 'x'.repeat(400) + '\n';

function input(): Readable {
  const chunk = Buffer.from((LINE + '\n').repeat(CHUNK_LINES));
  return Readable.from(Array.from({ length: CHUNKS }, () => chunk));
}

describe('back-pressure from the output to the read loop', () => {
  it('keeps what waits for a slow consumer bounded by one chunk of output, whatever the input size', async () => {
    const { out, seen, sample } = slowSink(16 << 10);
    const writer = new BatchedWriter(out, 64 << 10);
    const stats = await readEvents(
      { kind: 'stdin', name: '<stdin>' },
      {
        event: () => {
          writer.write(OUTPUT);
          sample();
        },
        malformed: () => {},
      },
      { stdin: input(), pace: () => writer.pace() },
    );
    await writer.end();
    await new Promise<void>((resolve) => out.end(resolve));
    expect(stats.events).toBe(CHUNK_LINES * CHUNKS);
    expect(seen.bytes).toBe(CHUNK_LINES * CHUNKS * OUTPUT.length);
    // One input chunk makes 200 × 401 B ≈ 80 KB of output; the whole input makes 16 MB.
    const perChunk = CHUNK_LINES * OUTPUT.length;
    expect(seen.maxBuffered).toBeLessThanOrEqual((16 << 10) + (64 << 10) + perChunk);
  });

  it('lets everything pile up without the pace hook (what the hook is for)', async () => {
    const { out, seen, sample } = slowSink(16 << 10);
    const writer = new BatchedWriter(out, 64 << 10);
    await readEvents(
      { kind: 'stdin', name: '<stdin>' },
      {
        event: () => {
          writer.write(OUTPUT);
          sample();
        },
        malformed: () => {},
      },
      { stdin: input() },
    );
    await writer.end();
    await new Promise<void>((resolve) => out.end(resolve));
    expect(seen.maxBuffered).toBeGreaterThan(4 << 20);
  });

  it('does not wait forever on a stream that fails instead of draining', async () => {
    const out = new Writable({ highWaterMark: 16, write: (_chunk, _encoding, done) => setImmediate(() => done(new Error('EIO'))) });
    out.on('error', () => {});
    const writer = new BatchedWriter(out, 1024);
    writer.write('x'.repeat(100));
    const wait = writer.pace();
    expect(wait).toBeInstanceOf(Promise);
    await wait;
    expect(out.destroyed).toBe(true);
  });

  it('asks for no wait while the stream is under its high-water mark', () => {
    const out = new Writable({ highWaterMark: 1 << 20, write: (_chunk, _encoding, done) => done() });
    const writer = new BatchedWriter(out);
    writer.write('small');
    expect(writer.pace()).toBeUndefined();
  });
});
