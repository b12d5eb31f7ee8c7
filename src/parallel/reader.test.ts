// ParallelReader run from src/ (so coverage sees the hand-over and ordering logic) with the built
// worker: worker threads load plain JavaScript, so the entry is dist/parallel/worker.js, which
// `npm test` builds first.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compileRule } from '../engine/compileRule.js';
import type { RuleHit } from '../engine/extract.js';
import { readEvents, type EventHandler } from '../input/events.js';
import { compilePrefilter } from '../prefilter/compile.js';
import { loadRulePack } from '../rules/pack.js';
import { shareRuleSet, type SharedRuleSet } from '../rules/shared.js';
import { randomEcs } from '../../test/support/randomEcs.js';
import { ParallelReader, type ParallelHandler, type ParallelReaderOptions } from './reader.js';

const WORKER = new URL('../../dist/parallel/worker.js', import.meta.url);
const PACK = { bundled: true, paths: [] };
const rules = loadRulePack(PACK).rules;
const shared: SharedRuleSet = shareRuleSet(rules);

/** An event the bundled rules alert on. */
const DEMO = readFileSync(new URL('../../examples/demo.ndjson', import.meta.url), 'utf8').split('\n')[0]!;

const tmp = mkdtempSync(join(tmpdir(), 'lkm-reader-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Generated events with a malformed line, a blank line and a warning (invalid UTF-8) every 50 lines. */
let mixed: string;
beforeAll(() => {
  const gen = randomEcs(11);
  const lines: Buffer[] = [];
  for (let i = 0; i < 3000; i++) {
    if (i % 50 === 7) lines.push(Buffer.from('{"half": \n'));
    else if (i % 50 === 23) lines.push(Buffer.from('\n'));
    // Invalid UTF-8 in an event a rule wants (one the prefilter cannot rule out): a warning.
    else if (i % 50 === 41) lines.push(Buffer.concat([Buffer.from('{"note":"'), Buffer.from([0xff]), Buffer.from(`",${DEMO.slice(1)}\n`)]));
    else lines.push(Buffer.from(gen.line() + '\n'));
  }
  mixed = join(tmp, 'mixed.ndjson');
  writeFileSync(mixed, Buffer.concat(lines));
});

function reader(options: Partial<ParallelReaderOptions> = {}): ParallelReader {
  return new ParallelReader({ workers: 2, rules: shared, prefilter: true, rangeBytes: 10_000, workerEntry: WORKER, ...options });
}

type Logged = ['event' | 'malformed' | 'warning', number, string];
function recorder(log: Logged[]): EventHandler {
  return {
    event: (_e, loc, text) => void log.push(['event', loc.line, text]),
    malformed: (loc, reason) => void log.push(['malformed', loc.line, reason]),
    warning: (loc, message) => void log.push(['warning', loc.line, message]),
  };
}

describe('ParallelReader', () => {
  it('delivers the events some rule matches, every report, and the stats of a single-threaded read, in file order', async () => {
    const parallel = reader();
    try {
      const log: Logged[] = [];
      const stats = await parallel.read({ path: mixed, name: mixed }, statSync(mixed).size, recorder(log));
      const compiled = rules.map((rule) => compileRule(rule));
      const single: Logged[] = [];
      const alone = recorder(single);
      const singleStats = await readEvents(
        { kind: 'file', path: mixed, name: mixed },
        { ...alone, event: (e, loc, text) => (compiled.some((r) => r.matches(e)) ? alone.event(e, loc, text) : undefined) },
        { prefilter: compilePrefilter(compiled.map((r) => r.need)) },
      );
      expect(stats).toEqual(singleStats);
      expect(log).toEqual(single);
      expect(log.filter(([kind]) => kind === 'event').length).toBeGreaterThan(5);
      expect(log.filter(([kind]) => kind === 'malformed').length).toBe(60);
      expect(log.filter(([kind]) => kind === 'warning').length).toBe(60);
    } finally {
      await parallel.close();
    }
  });

  it('gives a handler with `hits` the workers’ rule hits instead of the event', async () => {
    const parallel = reader();
    try {
      const withHits: Array<[number, number[]]> = [];
      const ruleOf = (hit: RuleHit) => (typeof hit === 'number' ? hit : hit.rule);
      const handler: ParallelHandler = {
        ...recorder([]),
        event: () => expect.unreachable('an event is delivered as hits'),
        hits: (hits, loc) => void withHits.push([loc.line, hits.map(ruleOf)]),
      };
      await parallel.read({ path: mixed, name: mixed }, statSync(mixed).size, handler);
      const events: Logged[] = [];
      await parallel.read({ path: mixed, name: mixed }, statSync(mixed).size, recorder(events));
      expect(withHits.map(([line]) => line)).toEqual(events.filter(([kind]) => kind === 'event').map(([, line]) => line));
      // One hit per rule that wants the event, naming the rule by its index in the shared list.
      for (const [, indexes] of withHits) {
        expect(indexes.length).toBeGreaterThan(0);
        expect(indexes.every((i) => i >= 0 && i < rules.length)).toBe(true);
      }
    } finally {
      await parallel.close();
    }
  });

  it('stops a read whose handler throws, and reads the next file whole with the same workers', async () => {
    const parallel = reader();
    try {
      const stop = new Error('output closed');
      let delivered = 0;
      const throwing: EventHandler = {
        ...recorder([]),
        malformed: () => {
          if (++delivered === 10) throw stop;
        },
      };
      await expect(parallel.read({ path: mixed, name: mixed }, statSync(mixed).size, throwing)).rejects.toBe(stop);
      expect(delivered).toBe(10);
      // Ranges still in flight for the stopped read finish unseen; the next read is not mixed with them.
      const log: Logged[] = [];
      const stats = await parallel.read({ path: mixed, name: mixed }, statSync(mixed).size, recorder(log));
      expect(stats.lines).toBe(3000);
      expect(log.filter(([kind]) => kind === 'malformed').map(([, line]) => line)).toEqual(Array.from({ length: 60 }, (_, i) => i * 50 + 8));
    } finally {
      await parallel.close();
    }
  });

  it('asks pace again only when new results arrive, so a wait that is already over cannot spin', async () => {
    const file = join(tmp, 'alerts.ndjson');
    writeFileSync(file, `${DEMO}\n`.repeat(4_000));
    const parallel = reader({ rangeBytes: 64 << 10 });
    // A sink that has stopped waiting (an interrupt): every wait is already over. A reader that
    // looped pace → advance → pace on microtasks never let the workers' messages in; the cap
    // turns that hang into a failure.
    let paced = 0;
    const pace = () => (++paced > 100_000 ? undefined : Promise.resolve());
    let events = 0;
    const handler: ParallelHandler = { event: () => void events++, hits: () => void events++, malformed: () => {} };
    try {
      const stats = await parallel.read({ path: file, name: file }, statSync(file).size, handler, pace);
      expect(stats.lines).toBe(4_000);
      expect(events).toBe(4_000);
      // About one call per message from the workers, never thousands.
      expect(paced).toBeLessThan(1_000);
    } finally {
      await parallel.close();
    }
  });

  it('fails the read when a worker loads other rules than the main thread', async () => {
    const size = statSync(mixed).size;
    const noop = recorder([]);
    const changed = reader({ rules: { ...shared, fingerprint: '0'.repeat(64) } });
    const missing = reader({ rules: { ...shared, ids: [...shared.ids, 'no-such-rule'] } });
    try {
      await expect(changed.read({ path: mixed, name: mixed }, size, noop)).rejects.toThrow(
        /^scan worker failed: a scan worker loaded other rules than the main thread: the same 2 rules differ in content .*--workers 1\.$/,
      );
      await expect(missing.read({ path: mixed, name: mixed }, size, noop)).rejects.toThrow(/1 of its 3 rules are missing \(no-such-rule\)/);
    } finally {
      await Promise.all([changed.close(), missing.close()]);
    }
  });

  it('fails a read when a worker failed while the file was being split', async () => {
    // Opening a FIFO waits for a writer: the split of this "file" waits until the test opens it.
    const fifo = join(tmp, 'split.fifo');
    execFileSync('mkfifo', [fifo]);
    const parallel = reader({ rules: { ...shared, fingerprint: '0'.repeat(64) } });
    try {
      const splitting = expect(parallel.read({ path: fifo, name: fifo }, 1, recorder([]))).rejects.toThrow(/other rules than the main thread/);
      // Once the workers' failure has come in, a new read says so at once (before that, this
      // missing file makes it fail otherwise).
      const missing = join(tmp, 'missing.ndjson');
      await vi.waitFor(() => expect(parallel.read({ path: missing, name: missing }, 1, recorder([]))).rejects.toThrow(/other rules/), {
        timeout: 15_000,
        interval: 20,
      });
      await writeFile(fifo, '');
      await splitting;
    } finally {
      await parallel.close();
    }
  });
});
