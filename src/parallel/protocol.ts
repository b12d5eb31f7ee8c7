import type { ByteRange } from '../input/bytes.js';
import type { SourceStats } from '../input/events.js';
import type { RuleHits } from '../engine/extract.js';
import type { TimeWindow } from '../engine/timeWindow.js';
import type { SharedRuleSet } from '../rules/shared.js';

/** What every worker is started with: enough to compile the same rules and prefilter as the main thread. */
export interface WorkerInit {
  /** The main thread's rules and parsed queries, to compile again (compiled rules cannot cross threads) and check. */
  rules: SharedRuleSet;
  /** Use the prefilter (off for --no-prefilter and --strict, as in the main thread). */
  prefilter: boolean;
  /** --since / --until: events outside are dropped before any rule sees them. */
  window?: TimeWindow;
  maxLineBytes?: number;
  chunkBytes?: number;
}

/** Main → worker: read one byte range of a file. A worker has at most one task at a time. */
export interface RangeTask {
  id: number;
  path: string;
  range: ByteRange;
}

/** What a forwarded item is, in `RangeItems.kinds`. */
export const ITEM_MALFORMED = 1;
export const ITEM_WARNING = 2;
/** An event some rule wants, with those rules and their payloads (engine/extract.ts) in `hits`. */
export const ITEM_HITS = 3;

/**
 * Worker → main: the next lines of a task that the main thread must see, in line order. Parallel
 * arrays, because one array of small objects costs far more to clone than three flat ones.
 * `lines` are 1-based within the range; `texts` hold the line (event) or the report (otherwise).
 */
export interface RangeItems {
  type: 'items';
  task: number;
  kinds: number[];
  lines: number[];
  texts: string[];
  /** For ITEM_HITS items, the rules that want the event and their payloads; null for other items. */
  hits: (RuleHits | null)[];
}

/** Worker → main: the task's range was read to its end (or failed: `stats.readFailure`). */
export interface RangeDone {
  type: 'done';
  task: number;
  stats: SourceStats;
}

/** Worker → main: a bug in the worker; the scan cannot be trusted to be complete. */
export interface WorkerFailed {
  type: 'failed';
  message: string;
}

export type WorkerMessage = RangeItems | RangeDone | WorkerFailed;
