/**
 * Entry point of a scan worker thread (see reader.ts). It compiles the rules it is sent, reads the byte
 * ranges it is given with the same readEvents machinery and prefilter as a single-threaded scan, and
 * acts as a filter: only lines some rule wants go back to the main thread, with what each rule needs
 * of them (engine/extract.ts), and every malformed line and warning, so the main thread decides
 * alerts exactly as it would alone.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { compileRule, type RuleFactsStore } from '../engine/compileRule.js';
import { fieldTypesOf } from '../fieldTypes/index.js';
import { compileExtractor, type RuleHits } from '../engine/extract.js';
import { compileDispatch, lineNeeds } from '../engine/dispatch.js';
import { compileTimeWindow } from '../engine/timeWindow.js';
import { readEvents, type LinePrefilter } from '../input/events.js';
import { compilePrefilter, tunedPrefilter } from '../prefilter/compile.js';
import { loadSharedRuleSet, RuleSetMismatch } from '../rules/shared.js';
import { ITEM_HITS, ITEM_MALFORMED, ITEM_WARNING, type RangeItems, type RangeTask, type WorkerInit, type WorkerMessage } from './protocol.js';

/**
 * Forwarded lines are posted in batches of this many: few enough messages that posting costs
 * little, small enough that the main thread starts on a range before the worker has finished it.
 */
const BATCH_ITEMS = 512;

const port = parentPort!;
const init = workerData as WorkerInit;
const post = (message: WorkerMessage) => port.postMessage(message);

try {
  // Throws RuleSetMismatch unless these are the main thread's rules in its order: hits go by index.
  const { fieldTypes } = fieldTypesOf(init.rules.mappings);
  const shared = loadSharedRuleSet(init.rules);
  // The main thread's parsed queries and facts: a worker parses none, and compiles a rule's
  // predicate when the rule is first offered an event (src/rules/shared.ts).
  const index = new Map(shared.rules.map((rule, i) => [rule, i]));
  const facts: RuleFactsStore = { get: (rule) => shared.facts[index.get(rule) ?? -1], put: () => {} };
  const rules = shared.rules.map((rule, i) => compileRule(rule, { fieldTypes, parse: () => shared.query(i), facts }));
  // What each rule needs of an event is worked out here, so the main thread (which keeps the
  // rules' state and writes the alerts) does not parse the line again for event and new_terms rules.
  const extractors = rules.map((compiled, index) => compileExtractor(compiled, index));
  const dispatch = compileDispatch(rules);
  const inWindow = compileTimeWindow(init.window ?? {});
  const prefilter = init.prefilter ? compilePrefilter(lineNeeds(rules)) : undefined;

  port.on('message', (task: RangeTask) => {
    runTask(task).catch((e: unknown) => post({ type: 'failed', message: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
  });

  // Calibrating scans a sample once per candidate set of needles, which costs as much as
  // prefiltering several MiB: done per range it doubled a worker's time. Once per file, on the
  // first range read, is what a single-threaded read does too (on the file's first buffer).
  let calibratedFor: string | undefined;
  const prefilterFor = (path: string): LinePrefilter | undefined => {
    if (prefilter === undefined || calibratedFor === path) return prefilter === undefined ? undefined : tunedPrefilter(prefilter);
    calibratedFor = path;
    return prefilter;
  };

  async function runTask(task: RangeTask): Promise<void> {
    let batch = emptyBatch(task.id);
    const add = (kind: number, line: number, text: string, hits: RuleHits | null = null) => {
      batch.kinds.push(kind);
      batch.lines.push(line);
      batch.texts.push(text);
      batch.hits.push(hits);
      if (batch.kinds.length >= BATCH_ITEMS) {
        post(batch);
        batch = emptyBatch(task.id);
      }
    };
    const stats = await readEvents(
      { kind: 'file', path: task.path, name: task.path },
      {
        event(event, loc, text, lineRules) {
          let hits: RuleHits | null = null;
          for (const i of dispatch(event, lineRules)) {
            const hit = extractors[i]!(event);
            if (hit !== null) (hits ??= []).push(hit);
          }
          if (hits !== null) add(ITEM_HITS, loc.line, text, hits);
        },
        malformed: (loc, reason) => add(ITEM_MALFORMED, loc.line, reason),
        warning: (loc, message) => add(ITEM_WARNING, loc.line, message),
      },
      { prefilter: prefilterFor(task.path), window: inWindow, range: task.range, maxLineBytes: init.maxLineBytes, chunkBytes: init.chunkBytes },
    );
    if (batch.kinds.length > 0) post(batch);
    post({ type: 'done', task: task.id, stats });
  }
} catch (e) {
  // A mismatch is explained by its message; anything else is a bug, shown with its stack.
  post({ type: 'failed', message: e instanceof RuleSetMismatch ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e) });
}

function emptyBatch(task: number): RangeItems {
  return { type: 'items', task, kinds: [], lines: [], texts: [], hits: [] };
}
