import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InputSource } from '../input/sources.js';
import { planParallelScan } from './plan.js';

let dir: string;
const saved = process.env.LKM_SCAN_RANGE_BYTES;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lkm-plan-'));
  // Ranges of 4 KiB: a file of 16 KiB or more is worth splitting.
  process.env.LKM_SCAN_RANGE_BYTES = '4096';
});
afterAll(async () => {
  if (saved === undefined) delete process.env.LKM_SCAN_RANGE_BYTES;
  else process.env.LKM_SCAN_RANGE_BYTES = saved;
  await rm(dir, { recursive: true, force: true });
});

const events = Array.from({ length: 400 }, (_, i) => ({ '@timestamp': '2024-05-01T00:00:00Z', i, pad: 'x'.repeat(40) }));

async function file(name: string, content: string | Buffer): Promise<InputSource> {
  const path = join(dir, name);
  await writeFile(path, content);
  return { kind: 'file', path, name: path };
}

describe('planParallelScan', () => {
  it('splits only large NDJSON files: never a JSON array, a search response, concatenated objects or gzip', async () => {
    const ndjson = await file('a.ndjson', events.map((e) => JSON.stringify(e)).join('\n'));
    const others = [
      await file('array.json', JSON.stringify(events, null, 2)),
      await file('compact-array.json', JSON.stringify(events)),
      await file('search.json', JSON.stringify({ took: 1, timed_out: false, hits: { hits: events.map((e) => ({ _source: e })) } })),
      await file('jq.json', events.map((e) => JSON.stringify(e, null, 2)).join('\n')),
      await file('a.ndjson.gz', gzipSync(events.map((e) => JSON.stringify(e)).join('\n'), { level: 0 })),
    ];
    const plan = await planParallelScan([ndjson, ...others], 2);
    expect(plan.workers).toBe(2);
    expect([...plan.split.keys()]).toEqual([ndjson]);
  });

  it('does not open a FIFO (opening it would wait for a writer, and closing it lose its data)', async () => {
    const path = join(dir, 'events.fifo');
    execFileSync('mkfifo', [path]);
    // Given as a file on purpose: even so, planning must not open it; if it did, this would hang.
    const plan = await planParallelScan([{ kind: 'file', path, name: path }, { kind: 'stream', path, name: path }], 2);
    expect(plan).toEqual({ workers: 0, split: new Map() });
  });

  it('leaves a file it cannot read to the single-threaded read, which reports it (no plan, no error)', async () => {
    const gone = join(dir, 'gone.ndjson');
    const ndjson = await file('b.ndjson', events.map((e) => JSON.stringify(e)).join('\n'));
    const plan = await planParallelScan([{ kind: 'file', path: gone, name: gone }, ndjson], 2);
    expect([...plan.split.keys()]).toEqual([ndjson]);
  });
});
