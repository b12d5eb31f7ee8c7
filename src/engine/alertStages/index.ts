/**
 * The alert stages of one rule, between its runner and the output (README "max_signals and alert
 * suppression"): alerts put in event-time order, then `alert_suppression`, then `max_signals`.
 */
import type { Alert } from '../alert.js';
import type { CompiledRule } from '../compileRule.js';
import { maxSignalsStage, type CapOrder } from './maxSignals.js';
import { compareKeys, DEFAULT_MAX_SIGNALS, executionOf, scheduleOf, type AlertStage, type KeyValue, type Schedule } from './stage.js';
import { compileGroupsOf, SuppressionStage } from './suppression.js';

export type { AlertStage } from './stage.js';

export interface AlertStageOptions {
  /** Apply `max_signals` (off with `--no-max-signals`). */
  maxSignals: boolean;
  /** Alerts come as a live stream: no holding for time order, decided as they come. */
  live: boolean;
}

/** What the stages count per rule (runners/runner.ts RuleCounts). */
export interface AlertStageCounts {
  leftOut?: number;
  suppressed?: number;
  closedEarly?: number;
}

/**
 * The stages of every rule of a scan. Over files, what the rules decide once the input ends
 * (held alerts, stateful rules) is written in event-time order across rules (ties: rule order,
 * then the order they came), so the output does not depend on the order of lines or files;
 * alerts without a time come first, as they are decided.
 */
export class RuleAlertStages {
  private readonly stages: Array<{ stage: AlertStage; counts: Required<AlertStageCounts>; target: AlertStageCounts }> = [];
  private collected: Array<{ alert: Alert; rule: number; seq: number }> | undefined;

  constructor(
    private readonly emit: (alert: Alert) => void,
    private readonly options: AlertStageOptions,
  ) {}

  /** Sets up a rule's stages; returns what its runner emits into. `onEmit` counts what reaches the output. */
  add(compiled: CompiledRule, target: AlertStageCounts, onEmit: () => void): (alert: Alert) => void {
    const rule = this.stages.length;
    const out = (alert: Alert) => {
      onEmit();
      if (this.collected) this.collected.push({ alert, rule, seq: this.collected.length });
      else this.emit(alert);
    };
    const counts = { leftOut: 0, suppressed: 0, closedEarly: 0 };
    const stage = createAlertStages(compiled, this.options, out, counts);
    this.stages.push({ stage, counts, target });
    return (alert) => stage.push(alert);
  }

  /** Runs `finishRunners` (which may emit), finishes every stage, writes what was held, copies the counts. */
  finish(finishRunners: () => void): void {
    if (!this.options.live) this.collected = [];
    finishRunners();
    for (const { stage, counts, target } of this.stages) {
      stage.finish();
      if (counts.leftOut) target.leftOut = counts.leftOut;
      if (counts.suppressed) target.suppressed = counts.suppressed;
      if (counts.closedEarly) target.closedEarly = counts.closedEarly;
    }
    const held = this.collected ?? [];
    this.collected = undefined;
    held.sort((a, b) => timeKey(a.alert) - timeKey(b.alert) || a.rule - b.rule || a.seq - b.seq);
    for (const h of held) this.emit(h.alert);
  }
}

function timeKey(alert: Alert): number {
  return alert.timeMs ?? -Infinity;
}

/** The stages a rule needs in front of `emit`; `emit` itself when it needs none. */
export function createAlertStages(compiled: CompiledRule, options: AlertStageOptions, emit: (alert: Alert) => void, counts: Required<AlertStageCounts>): AlertStage {
  const { rule } = compiled;
  const schedule = scheduleOf(rule);
  const maxSignals = rule.maxSignals ?? DEFAULT_MAX_SIGNALS;
  let stage: AlertStage = { push: emit, finish() {} };
  const suppression = rule.alertSuppression;
  const order = capOrder(compiled);
  if (options.maxSignals) stage = maxSignalsStage(maxSignals, schedule, order, stage, counts, options.live);
  if (suppression) {
    const threshold = compiled.kind === 'threshold' ? compiled.rule.threshold : undefined;
    // A threshold rule suppresses by its own threshold fields, read from the alert's group.
    const spec = threshold && suppression.groupBy.length === 0 ? { ...suppression, groupBy: threshold.fields } : suppression;
    const groupsOf = compileGroupsOf(spec, compiled.kind === 'query' && rule.type === 'query' ? 'each' : 'sorted', (a) => a.threshold?.fields);
    stage = new SuppressionStage(spec, schedule.intervalMs, groupsOf, stage, counts, options.live);
  }
  if (options.live || (!options.maxSignals && !suppression)) return stage;
  // Without suppression, an execution can only create the first alerts of its range (by time or
  // key), so each interval keeps only as many as could ever be created: memory stays bounded.
  const bound = suppression ? undefined : boundFor(maxSignals, schedule, order);
  return timeOrdered(stage, bound, counts);
}

/** Per interval of event time, the most alerts worth holding and which ones come first. */
interface HoldBound {
  intervalMs: number;
  keep: number;
  compare: (a: Held, b: Held) => number;
  /** The alert's key, for a cap in key order. */
  keyOf?: (alert: Alert) => readonly KeyValue[];
}

interface Held {
  alert: Alert;
  timeMs: number;
  seq: number;
  key?: readonly KeyValue[];
}

function boundFor(maxSignals: number, schedule: Schedule, order: CapOrder): HoldBound {
  const byTime = (a: Held, b: Held) => a.timeMs - b.timeMs || a.seq - b.seq;
  if (order.kind === 'key') {
    return { intervalMs: schedule.intervalMs, keep: maxSignals, compare: (a, b) => compareKeys(a.key ?? [], b.key ?? []) || byTime(a, b), keyOf: order.keyOf };
  }
  // Every execution whose range holds an interval creates at most maxSignals of it, oldest first.
  const executions = Math.ceil(schedule.lookbackMs / schedule.intervalMs) + 1;
  return { intervalMs: schedule.intervalMs, keep: maxSignals * executions, compare: byTime };
}

/** Which alerts a full execution keeps, by rule kind (maxSignals.ts). */
function capOrder(compiled: CompiledRule): CapOrder {
  const { rule } = compiled;
  if (rule.alertSuppression && compiled.kind === 'query' && rule.type === 'query') {
    return { kind: 'key', keyOf: (a) => a.suppression?.terms.map((t) => t.value) ?? [] };
  }
  switch (compiled.kind) {
    case 'query':
      return rule.type === 'eql' ? { kind: 'searchSize' } : { kind: 'newFirst' };
    case 'sequence':
    case 'sample':
      return { kind: 'searchSize' };
    case 'threshold': {
      const fields = compiled.rule.threshold.fields;
      return { kind: 'key', keyOf: (a) => fields.map((f): KeyValue => a.threshold?.fields[f] ?? null) };
    }
    case 'new_terms': {
      const fields = compiled.rule.newTerms.fields;
      return { kind: 'key', keyOf: (a) => fields.map((f): KeyValue => a.newTerms?.[f] ?? null) };
    }
  }
}

/**
 * Over files, a rule's alerts come in the order of the lines that raised them (query rules) or
 * of their decisions: they are held and passed on in event time at the end (ties in the order
 * they came), as runners/timeOrder.ts does for events, so the result does not depend on the order
 * of lines or files. With a bound, each interval of event time holds at most `keep` alerts (the
 * rest counted as left out), else memory grows with the rule's alerts, not with the input.
 */
function timeOrdered(next: AlertStage, bound: HoldBound | undefined, counts: Required<AlertStageCounts>): AlertStage {
  const byInterval = new Map<number, Held[]>();
  let seq = 0;
  const cut = (held: Held[], keep: number, compare: (a: Held, b: Held) => number) => {
    held.sort(compare);
    if (held.length > keep) {
      counts.leftOut += held.length - keep;
      held.length = keep;
    }
  };
  return {
    push(alert) {
      const timeMs = alert.timeMs;
      if (timeMs === undefined) {
        next.push(alert);
        return;
      }
      const interval = bound ? executionOf(timeMs, bound.intervalMs) : 0;
      let held = byInterval.get(interval);
      if (held === undefined) byInterval.set(interval, (held = []));
      held.push({ alert, timeMs, seq: seq++, key: bound?.keyOf?.(alert) });
      // Cutting back once twice the bound is reached costs O(log n) per alert amortised.
      if (bound && held.length >= 2 * bound.keep + 1024) cut(held, bound.keep, bound.compare);
    },
    finish() {
      const intervals = [...byInterval.keys()].sort((a, b) => a - b);
      for (const i of intervals) {
        const held = byInterval.get(i) ?? [];
        if (bound) cut(held, bound.keep, bound.compare);
        held.sort((a, b) => a.timeMs - b.timeMs || a.seq - b.seq);
        for (const h of held) next.push(h.alert);
        byInterval.delete(i);
      }
      next.finish();
    },
  };
}
