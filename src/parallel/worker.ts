/**
 * Entry point of a scan worker thread (see reader.ts). It compiles the rules itself, reads the byte
 * ranges it is given with the same readEvents machinery and screen as a single-threaded scan, and
 * acts as a filter: only lines for which some rule's `matches` is true go back to the main thread,
 * with every malformed line and warning, so the main thread decides alerts exactly as it would alone.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { selectRules } from '../commands/selectRules.js';
import { compileRule } from '../engine/compileRule.js';
import { readEvents, type LineScreen } from '../input/events.js';
import { compileLineScreen } from '../prefilter/lineFilter.js';
import { ITEM_EVENT, ITEM_MALFORMED, ITEM_WARNING, type RangeItems, type RangeTask, type WorkerInit, type WorkerMessage } from './protocol.js';

/**
 * Forwarded lines are posted in batches of this many: few enough messages that posting costs
 * little, small enough that the main thread starts on a range before the worker has finished it.
 */
const BATCH_ITEMS = 512;

const port = parentPort!;
const init = workerData as WorkerInit;
const post = (message: WorkerMessage) => port.postMessage(message);

try {
  const rules = selectRules(init.selection).rules.map(compileRule);
  const matchers = rules.map((r) => r.matches);
  const screen = init.prefilter ? compileLineScreen(rules.map((r) => r.need)) : undefined;
  const anyRuleMatches = (event: Parameters<(typeof matchers)[number]>[0]) => {
    for (const m of matchers) if (m(event)) return true;
    return false;
  };

  port.on('message', (task: RangeTask) => {
    runTask(task).catch((e: unknown) => post({ type: 'failed', message: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
  });

  // Calibrating scans a sample once per anchor candidate, which costs as much as screening several
  // MiB: done per range it doubled a worker's time. Once per file, on the first range read, is
  // what a single-threaded read does too (on the file's first buffer).
  let calibratedFor: string | undefined;
  const screenFor = (path: string): LineScreen | undefined => {
    if (screen === undefined || calibratedFor === path) return screen === undefined ? undefined : { ...screen, calibrate: undefined };
    calibratedFor = path;
    return screen;
  };

  async function runTask(task: RangeTask): Promise<void> {
    let batch = emptyBatch(task.id);
    const add = (kind: number, line: number, text: string) => {
      batch.kinds.push(kind);
      batch.lines.push(line);
      batch.texts.push(text);
      if (batch.kinds.length >= BATCH_ITEMS) {
        post(batch);
        batch = emptyBatch(task.id);
      }
    };
    const stats = await readEvents(
      { kind: 'file', path: task.path, name: task.path },
      {
        event(event, loc, text) {
          if (anyRuleMatches(event)) add(ITEM_EVENT, loc.line, text);
        },
        malformed: (loc, reason) => add(ITEM_MALFORMED, loc.line, reason),
        warning: (loc, message) => add(ITEM_WARNING, loc.line, message),
      },
      { screen: screenFor(task.path), range: task.range, maxLineBytes: init.maxLineBytes, chunkBytes: init.chunkBytes },
    );
    if (batch.kinds.length > 0) post(batch);
    post({ type: 'done', task: task.id, stats });
  }
} catch (e) {
  post({ type: 'failed', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}

function emptyBatch(task: number): RangeItems {
  return { type: 'items', task, kinds: [], lines: [], texts: [] };
}
