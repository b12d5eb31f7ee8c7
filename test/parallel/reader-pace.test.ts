// ParallelReader through the built module (dist/, which `npm test` builds first): its worker is
// dist/parallel/worker.js, which only exists there.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- built JavaScript, without declaration files
import { ParallelReader } from '../../dist/parallel/reader.js';
import { ROOT } from '../e2e/run.js';

describe('ParallelReader pacing', () => {
  it('asks pace again only when new results arrive, so a wait that is already over cannot spin', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lkm-pace-')), 'alerts.ndjson');
    const line = readFileSync(join(ROOT, 'examples/demo.ndjson'), 'utf8').split('\n')[0]!;
    writeFileSync(file, `${line}\n`.repeat(4_000));
    const reader = new ParallelReader({
      workers: 2,
      rangeBytes: 64 << 10,
      selection: { rulePaths: [], bundled: true, only: [], tags: [] },
      prefilter: true,
    });
    // A sink that has stopped waiting (an interrupt): every wait is already over. The old reader
    // looped pace → advance → pace on microtasks and never let the workers' messages in; the
    // cap turns that hang into a failure.
    let paced = 0;
    const pace = () => (++paced > 100_000 ? undefined : Promise.resolve());
    let events = 0;
    const handler = { event: () => void events++, hits: () => void events++, malformed: () => {} };
    try {
      const stats = await reader.read({ path: file, name: file }, statSync(file).size, handler, pace);
      expect(stats.lines).toBe(4_000);
      expect(events).toBe(4_000);
      // About one call per message from the workers, never thousands.
      expect(paced).toBeLessThan(1_000);
    } finally {
      await reader.close();
    }
  });
});
