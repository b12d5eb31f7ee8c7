import { Worker } from 'node:worker_threads';
import { parseJson } from '../event/json.js';
import type { EcsEvent } from '../event/types.js';
import { addStats, describeReadFailure, emptyStats, type EventHandler, type Location, type SourceStats } from '../input/events.js';
import type { RuleHits } from '../engine/extract.js';
import { ITEM_HITS, ITEM_MALFORMED, type RangeItems, type RangeTask, type WorkerInit, type WorkerMessage } from './protocol.js';
import { splitAtLines } from './ranges.js';
import { DEFAULT_RANGE_BYTES } from './plan.js';

/**
 * A readEvents handler that may also take a worker's rule hits for a line (Scanner.hits)
 * instead of the parsed event; without `hits` the line is parsed and given to `event`.
 */
export interface ParallelHandler extends EventHandler {
  hits?(hits: Readonly<RuleHits>, loc: Location, text: string): void;
}

export interface ParallelReaderOptions extends WorkerInit {
  workers: number;
  rangeBytes?: number;
  /**
   * The worker's entry module; by default the sibling worker.js, which only exists built (dist/).
   * Tests that run this module from src/ (so coverage sees it) point it at the built worker.
   */
  workerEntry?: URL;
}

interface RangeState {
  items: RangeItems[];
  done?: SourceStats;
}

/** One file being read: its ranges, how far the main thread got, and how to finish. */
interface FileRead {
  path: string;
  name: string;
  handler: ParallelHandler;
  /** ReadEventsOptions.pace: while its promise is pending nothing is delivered and no range is sent. */
  pace: (() => Promise<void> | undefined) | undefined;
  waiting: boolean;
  tasks: RangeTask[];
  /** Results by task id, for the ranges sent to a worker and not yet consumed. */
  results: Map<number, RangeState>;
  /** Index in `tasks` of the range the main thread is consuming, and of the next one to send. */
  current: number;
  next: number;
  /** Lines of the ranges before `current`: added to range-relative line numbers. */
  linesBefore: number;
  stats: SourceStats;
  resolve(stats: SourceStats): void;
  reject(error: unknown): void;
}

/**
 * Reads large plain files with a pool of worker threads (worker.ts), delivering to an
 * EventHandler exactly what a single-threaded `readEvents` would deliver for the lines that
 * matter: every malformed line and warning, and every event some rule's `matches` accepts, in
 * file order with whole-file line numbers, and the same stats. Events no rule matches are parsed
 * and counted by the workers but never reach the handler, which is all a scanner would do with
 * them (the CompiledRule.matches contract).
 *
 * Workers read ranges ahead of the main thread, at most `2 × workers + 1` ranges in flight, so
 * memory stays bounded whatever the file size and match rate.
 */
export class ParallelReader {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  /** Ranges sent and not yet consumed, at most: bounds the results waiting for the main thread. */
  private readonly maxInFlight: number;
  private readonly rangeBytes: number;
  private active: FileRead | undefined;
  private taskIds = 0;
  /** Set once a worker failed or the reader was closed: nothing more can be read. */
  private broken: Error | undefined;

  constructor(options: ParallelReaderOptions) {
    const { workers, rangeBytes, workerEntry, ...init } = options;
    this.rangeBytes = rangeBytes ?? DEFAULT_RANGE_BYTES;
    this.maxInFlight = 2 * workers + 1;
    // The worker is a sibling module: in dist/ this resolves to dist/parallel/worker.js.
    const entry = workerEntry ?? new URL('./worker.js', import.meta.url);
    for (let i = 0; i < workers; i++) {
      const worker = new Worker(entry, { workerData: init satisfies WorkerInit });
      worker.on('message', (m: WorkerMessage) => this.receive(worker, m));
      worker.on('error', (e) => this.fail(e));
      worker.on('exit', (code) => {
        if (this.broken === undefined) this.fail(new Error(`scan worker exited unexpectedly (code ${code})`));
      });
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  // A method, not an inline check: TypeScript would take `this.broken` to be unchanged across the
  // `await` between the two checks in read().
  private throwIfBroken(): void {
    if (this.broken) throw this.broken;
  }

  /** Reads the plain file `path`, `size` bytes long when it was planned, like `readEvents`. */
  async read(
    source: { path: string; name: string },
    size: number,
    handler: ParallelHandler,
    pace?: () => Promise<void> | undefined,
  ): Promise<SourceStats> {
    this.throwIfBroken();
    const ranges = await splitAtLines(source.path, size, this.rangeBytes);
    // A worker may have failed while the file was split (one that could not load the rules fails
    // at start): no read is active to reject then, and one begun now would wait forever.
    this.throwIfBroken();
    return new Promise<SourceStats>((resolve, reject) => {
      this.active = {
        path: source.path,
        name: source.name,
        handler,
        pace,
        waiting: false,
        tasks: ranges.map((range) => ({ id: ++this.taskIds, path: source.path, range })),
        results: new Map(),
        current: 0,
        next: 0,
        linesBefore: 0,
        // Only NDJSON files are split (plan.ts).
        stats: { ...emptyStats(), shape: 'ndjson' },
        resolve,
        reject,
      };
      this.dispatch();
    });
  }

  /** Stops every worker. Pending results are dropped. */
  async close(): Promise<void> {
    this.broken ??= new Error('the parallel reader is closed');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private dispatch(): void {
    const file = this.active;
    if (file === undefined) return;
    while (this.idle.length > 0 && file.next < file.tasks.length && file.next < file.current + this.maxInFlight) {
      const task = file.tasks[file.next++]!;
      file.results.set(task.id, { items: [] });
      this.idle.pop()!.postMessage(task);
    }
  }

  private receive(worker: Worker, message: WorkerMessage): void {
    if (message.type === 'failed') {
      this.fail(new Error(`scan worker failed: ${message.message}`));
      return;
    }
    if (message.type === 'done') this.idle.push(worker);
    const file = this.active;
    const state = file?.results.get(message.task);
    if (file !== undefined && state !== undefined) {
      if (message.type === 'items') state.items.push(message);
      else state.done = message.stats;
      // Results that arrive while the output is full wait here; maxInFlight bounds how many.
      if (file.waiting) return;
      this.advance(file);
      return;
    }
    this.dispatch();
  }

  /** Delivers what is ready, then sends more ranges, unless the output asks to wait first. */
  private advance(file: FileRead): void {
    if (!this.consumeUnlessStopped(file)) return;
    const wait = this.active === file ? file.pace?.() : undefined;
    if (wait !== undefined) {
      file.waiting = true;
      void wait.then(() => {
        file.waiting = false;
        if (this.active !== file) return;
        // Deliver what arrived meanwhile and send more ranges, without asking pace again: the
        // next results (receive) do. A wait that is already over (an interrupt) would otherwise
        // loop here on microtasks, starving the worker messages it waits for.
        if (this.consumeUnlessStopped(file)) this.dispatch();
      });
      return;
    }
    this.dispatch();
  }

  /** `consume`, or false when the handler stopped the scan (closed output, --strict, an interrupt). */
  private consumeUnlessStopped(file: FileRead): boolean {
    try {
      this.consume(file);
      return true;
    } catch (e) {
      // No more of this file is wanted.
      this.active = undefined;
      file.reject(e);
      return false;
    }
  }

  /** Hands the handler everything that is ready, strictly in file order. */
  private consume(file: FileRead): void {
    while (file.current < file.tasks.length) {
      // Not sent to a worker yet: the worker that just finished gets it from dispatch().
      if (file.current === file.next) return;
      const task = file.tasks[file.current]!;
      const state = file.results.get(task.id)!;
      for (let batch = state.items.shift(); batch !== undefined; batch = state.items.shift()) deliver(file, batch);
      const stats = state.done;
      if (stats === undefined) return;
      file.results.delete(task.id);
      addStats(file.stats, stats);
      file.handler.progress?.(file.stats.bytes, file.stats.lines, file.stats.events + file.stats.skipped);
      if (stats.readFailure) {
        // Like a single-threaded read, nothing after the failure is delivered.
        const { message, droppedPartialLine } = stats.readFailure;
        file.stats.error = describeReadFailure(message, file.linesBefore + stats.lines, droppedPartialLine);
        file.current = file.tasks.length;
        break;
      }
      file.linesBefore += stats.lines;
      file.current++;
    }
    this.active = undefined;
    file.resolve(file.stats);
  }

  private fail(error: Error): void {
    if (this.broken) return;
    this.broken = error;
    const file = this.active;
    this.active = undefined;
    file?.reject(error);
  }
}

function deliver(file: FileRead, batch: RangeItems): void {
  const { handler, linesBefore, name } = file;
  const { kinds, lines, texts, hits } = batch;
  for (let i = 0; i < kinds.length; i++) {
    const loc = { file: name, line: linesBefore + lines[i]! };
    const kind = kinds[i];
    if (kind === ITEM_HITS) {
      // The worker parsed this very text already; parsing it again cannot fail.
      if (handler.hits) handler.hits(hits[i]!, loc, texts[i]!);
      else handler.event(parseJson(texts[i]!) as EcsEvent, loc, texts[i]!);
    } else if (kind === ITEM_MALFORMED) handler.malformed(loc, texts[i]!);
    else handler.warning?.(loc, texts[i]!);
  }
}
