import { compareCodePoints } from '../../event/order.js';
import type { Scalar } from '../../event/types.js';
import { intervalMs, relativeWindowMs } from '../../rules/duration.js';
import type { Rule } from '../../rules/types.js';
import type { Alert } from '../alert.js';

/**
 * One step between a rule's runner and the output: it takes the rule's alerts, may hold, merge or
 * leave some out, and hands the rest to the next step. Stages see one rule's alerts only.
 */
export interface AlertStage {
  push(alert: Alert): void;
  /** The input ended: decide and pass on whatever is held. */
  finish(): void;
}

/** Kibana's defaults for a rule without `interval`, `from` or `max_signals` (rule schema). */
export const DEFAULT_INTERVAL_MS = 5 * 60_000;
export const DEFAULT_LOOKBACK_MS = 6 * 60_000;
export const DEFAULT_MAX_SIGNALS = 100;

/** When Kibana would run a rule: every `intervalMs`, each run searching the `lookbackMs` before it. */
export interface Schedule {
  intervalMs: number;
  /** `from` (now-6m by default), at least one interval: a shorter look-back would leave gaps Kibana fills. */
  lookbackMs: number;
}

export function scheduleOf(rule: Rule): Schedule {
  const interval = (rule.interval !== undefined ? intervalMs(rule.interval) : undefined) ?? DEFAULT_INTERVAL_MS;
  const lookback = (rule.from !== undefined ? relativeWindowMs(rule.from) : undefined) ?? DEFAULT_LOOKBACK_MS;
  return { intervalMs: interval, lookbackMs: Math.max(lookback, interval) };
}

/**
 * The execution that first searches an event of this time: executions run at whole multiples of
 * the interval since the Unix epoch, and a search's range ends at its run time, inclusive.
 */
export function executionOf(timeMs: number, intervalMs: number): number {
  return Math.ceil(timeMs / intervalMs);
}

/** A value of a group or term as a composite aggregation orders it: a scalar, the values of a multi-valued field, or missing. */
export type KeyValue = Scalar | null | readonly KeyValue[];

/**
 * Composite aggregation order: numbers by value, strings in code-point order (keyword terms,
 * event/order.ts), false before true, missing last (`missing_order: last`); arrays element by
 * element. Values of different JSON types (which one field's mapping would not hold) are ordered
 * number, boolean, string.
 */
export function compareKeys(a: readonly KeyValue[], b: readonly KeyValue[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValue(a[i] ?? null, b[i] ?? null);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function compareValue(a: KeyValue, b: KeyValue): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (Array.isArray(a) || Array.isArray(b)) return compareKeys(Array.isArray(a) ? a : [a], Array.isArray(b) ? b : [b]);
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** bigint: an integer beyond 2^53 read exactly (event/json.ts), a number like the others. */
function typeRank(v: KeyValue): number {
  return typeof v === 'number' || typeof v === 'bigint' ? 0 : typeof v === 'boolean' ? 1 : 2;
}
