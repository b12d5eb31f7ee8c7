/**
 * The alert stages of one rule, between its runner and the output (README "max_signals and alert
 * suppression"): alerts put in event-time order, then `alert_suppression`, then `max_signals`.
 */
import type { Alert } from '../alert.js';
import type { CompiledRule } from '../compileRule.js';
import { maxSignalsStage, type CapOrder } from './maxSignals.js';
import { compareKeys, DEFAULT_MAX_SIGNALS, executionOf, scheduleOf, type AlertStage, type KeyValue, type Schedule } from './stage.js';
import { alertSize, deserializeAlert, serializeAlert } from './spill.js';
import { compileGroupsOf, SuppressionStage } from './suppression.js';
import { SpillFile, type SpillHolder } from '../../state/spillFile.js';
import { SpillSorter, type SortRecord } from '../../state/spillSort.js';

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
  private readonly stages: Array<{ stage: AlertStage; counts: Required<AlertStageCounts>; target: AlertStageCounts; rule: CompiledRule['rule'] }> = [];
  /** While finishing over files: what is decided, sorted by (time, rule, order) in a sort that spills (state/spillSort.ts). */
  private collected: SpillSorter<{ alert: Alert; rule: number }> | undefined;
  /**
   * Where the lines of alerts and events held until the input ends are kept (state/spillFile.ts),
   * for the stages and the runners (runners/runner.ts RunnerContext); closed once `finish` wrote
   * everything out.
   */
  readonly spill: SpillFile;

  constructor(
    private readonly emit: (alert: Alert) => void,
    private readonly options: AlertStageOptions,
    spill?: SpillFile,
  ) {
    this.spill = spill ?? new SpillFile();
  }

  /** Sets up a rule's stages; returns what its runner emits into. `onEmit` counts what reaches the output. */
  add(compiled: CompiledRule, target: AlertStageCounts, onEmit: () => void): (alert: Alert) => void {
    const rule = this.stages.length;
    const out = (alert: Alert) => {
      onEmit();
      if (this.collected) this.collected.add(alert.timeMs ?? -Infinity, rule, this.collectedSeq++, { alert, rule }, alertSize(alert));
      else this.emit(alert);
    };
    const counts = { leftOut: 0, suppressed: 0, closedEarly: 0 };
    const stage = createAlertStages(compiled, this.options, out, counts, this.spill);
    this.stages.push({ stage, counts, target, rule: compiled.rule });
    return (alert) => stage.push(alert);
  }

  /** Runs `finishRunners` (which may emit), finishes every stage, writes what was held, copies the counts. */
  finish(finishRunners: () => void): void {
    try {
      this.finishAll(finishRunners);
    } finally {
      this.spill.close();
    }
  }

  private collectedSeq = 0;

  private finishAll(finishRunners: () => void): void {
    if (!this.options.live) {
      this.collected = new SpillSorter(this.spill, {
        encode: ({ alert, rule }) => `${rule} ${serializeAlert(alert)}`,
        decode: (text) => {
          const space = text.indexOf(' ');
          const rule = Number(text.slice(0, space));
          const stage = this.stages[rule];
          if (stage === undefined) throw new Error(`internal: a held alert names rule ${rule} of ${this.stages.length}`);
          return { alert: deserializeAlert(text.slice(space + 1), stage.rule), rule };
        },
      });
    }
    finishRunners();
    for (const { stage, counts, target } of this.stages) {
      stage.finish();
      if (counts.leftOut) target.leftOut = counts.leftOut;
      if (counts.suppressed) target.suppressed = counts.suppressed;
      if (counts.closedEarly) target.closedEarly = counts.closedEarly;
    }
    const held = this.collected;
    this.collected = undefined;
    if (held === undefined) return;
    for (const { value } of held.drain()) this.emit(value.alert);
  }
}

/** The stages a rule needs in front of `emit`; `emit` itself when it needs none. */
export function createAlertStages(
  compiled: CompiledRule,
  options: AlertStageOptions,
  emit: (alert: Alert) => void,
  counts: Required<AlertStageCounts>,
  spill: SpillFile = new SpillFile(),
): AlertStage {
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
  return timeOrdered(stage, bound, counts, spill, rule);
}

/** Per interval of event time, which of its alerts some execution could still create. */
interface HoldBound {
  intervalMs: number;
  /** Most alerts `select` keeps of one interval: holding twice as many triggers a cut. */
  keep: number;
  /** The alerts of interval `interval` worth holding, in time order; the others can never be created. */
  select: (held: Held[], interval: number) => Held[];
  /** The alert's key, for a cap in key order. */
  keyOf?: (alert: Alert) => readonly KeyValue[];
  /** For a cap in key order: the order `select` keeps alerts in (the first `keep`). */
  byKey?: (a: Held, b: Held) => number;
}

interface Held {
  alert: Alert;
  timeMs: number;
  seq: number;
  key?: readonly KeyValue[];
  /** What it costs in memory, roughly (spill.ts alertSize), for the spill budget. */
  size: number;
}

const byTime = (a: Held, b: Held) => a.timeMs - b.timeMs || a.seq - b.seq;

function boundFor(maxSignals: number, schedule: Schedule, order: CapOrder): HoldBound {
  const { intervalMs, lookbackMs } = schedule;
  if (order.kind === 'key') {
    // One execution per interval, no overlap: its first maxSignals keys.
    const byKey = (a: Held, b: Held) => compareKeys(a.key ?? [], b.key ?? []) || byTime(a, b);
    return { intervalMs, keep: maxSignals, keyOf: order.keyOf, byKey, select: (held) => held.sort(byKey).slice(0, maxSignals).sort(byTime) };
  }
  // The execution d runs after the interval's own searches from d × interval − look-back after
  // the interval's end. It creates the oldest of the alerts from there on that are not created
  // yet, and the d runs before it at most d × maxSignals of them (`newFirst`); or its first
  // maxSignals hits, created or not (`searchSize`). No other alert of the interval can be created.
  const later = Math.floor(lookbackMs / intervalMs);
  const share = (d: number) => (order.kind === 'searchSize' ? 1 : d + 1) * maxSignals;
  let keep = 0;
  for (let d = 0; d <= later; d++) keep += share(d);
  const select = (held: Held[], interval: number) => {
    held.sort(byTime);
    const wanted = new Uint8Array(held.length);
    for (let d = 0; d <= later; d++) {
      const from = (interval + d) * intervalMs - lookbackMs;
      let i = 0;
      while (i < held.length && held[i]!.timeMs < from) i++;
      for (let n = 0; n < share(d) && i < held.length; n++, i++) wanted[i] = 1;
    }
    return held.filter((_, i) => wanted[i] === 1);
  };
  return { intervalMs, keep, select };
}

/** Which alerts a full execution keeps, by rule kind (maxSignals.ts). */
function capOrder(compiled: CompiledRule): CapOrder {
  const { rule } = compiled;
  if (rule.alertSuppression && compiled.kind === 'query' && rule.type === 'query') {
    // Groups first; events a doNotSuppress rule alerts on alone get the room the groups leave
    // (group_and_bulk_create.ts: maxSignals − buckets), so their key sorts after every group's.
    const last: KeyValue[] = Array<KeyValue>(rule.alertSuppression.groupBy.length + 1).fill(null);
    return { kind: 'key', keyOf: (a) => a.suppression?.terms.map((t) => t.value) ?? last };
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
 * of lines or files. They wait in a sort that spills to disk (state/spillSort.ts), so memory
 * stays flat however many there are. With a bound, each interval of event time passes on only
 * the alerts some execution could create (the rest counted as left out).
 */
function timeOrdered(next: AlertStage, bound: HoldBound | undefined, counts: Required<AlertStageCounts>, spill: SpillFile, rule: Alert['rule']): AlertStage {
  // Alerts held in memory by interval, cut back as they come to what an execution could create;
  // when the scan's sorts hold more than their budget, written to `sorter` as a run, by
  // (interval, time, order) so that an interval's alerts come back together, in event time.
  const byInterval = new Map<number, Held[]>();
  // For a cap in key order, per interval: the last of the `keep` alerts a cut kept. Those stay in
  // the interval (held or written out), so an alert past it can never be among its first `keep`:
  // it is left out as it comes, without being held (a busy interval costs one comparison an alert).
  const cutoffs = new Map<number, Held>();
  const sorter = new SpillSorter<Alert>(spill, { encode: serializeAlert, decode: (text) => deserializeAlert(text, rule) });
  let seq = 0;
  let inMemory = 0;
  const memory: SpillHolder = {
    get heldBytes() {
      return inMemory;
    },
    writeRun() {
      const records: Array<SortRecord<Alert>> = [];
      for (const [interval, held] of byInterval) for (const h of held) records.push({ k1: interval, k2: h.timeMs, k3: h.seq, value: h.alert });
      byInterval.clear();
      spill.hold(memory, -inMemory);
      inMemory = 0;
      sorter.writeRunOf(records);
    },
  };
  const cut = (held: Held[], interval: number, b: HoldBound): Held[] => {
    const kept = b.select(held, interval);
    counts.leftOut += held.length - kept.length;
    const byKey = b.byKey;
    if (byKey !== undefined && kept.length >= b.keep) {
      let last = kept[0]!;
      for (const h of kept) if (byKey(h, last) > 0) last = h;
      cutoffs.set(interval, last);
    }
    return kept;
  };
  /** Cuts an interval held in memory, giving back to the budget what it no longer holds. */
  const cutHeld = (held: Held[], interval: number, b: HoldBound): Held[] => {
    const kept = cut(held, interval, b);
    let freed = 0;
    for (const h of held) freed += h.size;
    for (const h of kept) freed -= h.size;
    inMemory -= freed;
    spill.hold(memory, -freed);
    return kept;
  };
  return {
    push(alert) {
      const timeMs = alert.timeMs;
      if (timeMs === undefined) {
        next.push(alert);
        return;
      }
      const interval = bound ? executionOf(timeMs, bound.intervalMs) : 0;
      const h: Held = { alert, timeMs, seq: seq++, key: bound?.keyOf?.(alert), size: 0 };
      const cutoff = cutoffs.get(interval);
      if (cutoff !== undefined && bound?.byKey !== undefined && bound.byKey(h, cutoff) > 0) {
        counts.leftOut++;
        return;
      }
      let held = byInterval.get(interval);
      if (held === undefined) byInterval.set(interval, (held = []));
      const size = alertSize(alert);
      h.size = size;
      held.push(h);
      // Cutting back once twice the bound is reached costs O(log n) per alert amortised.
      if (bound && held.length >= 2 * bound.keep + 1024) byInterval.set(interval, cutHeld(held, interval, bound));
      inMemory += size;
      // Last: over the budget, this may write everything held (this alert too) to disk.
      spill.hold(memory, size);
    },
    finish() {
      spill.release(memory);
      if (sorter.size === 0) {
        // Everything fitted in memory: no run to merge.
        for (const interval of [...byInterval.keys()].sort((a, b) => a - b)) {
          let held = byInterval.get(interval) ?? [];
          if (bound) held = cut(held, interval, bound);
          for (const h of held.sort(byTime)) next.push(h.alert);
        }
        byInterval.clear();
        next.finish();
        return;
      }
      memory.writeRun();
      if (bound === undefined) {
        for (const { value } of sorter.drain()) next.push(value);
        next.finish();
        return;
      }
      // One interval at a time, cut back whenever it holds twice what an execution could create:
      // the interval's alerts come in time order, so each cut keeps what the whole interval's
      // would (the first alerts from each execution's range start on).
      let interval = 0;
      let held: Held[] = [];
      const pass = () => {
        for (const h of cut(held, interval, bound).sort(byTime)) next.push(h.alert);
        held = [];
      };
      for (const { k1, k2: timeMs, k3: order, value: alert } of sorter.drain()) {
        if (k1 !== interval && held.length > 0) pass();
        interval = k1;
        held.push({ alert, timeMs, seq: order, key: bound.keyOf?.(alert), size: 0 });
        if (held.length >= 2 * bound.keep + 1024) held = cut(held, interval, bound);
      }
      if (held.length > 0) pass();
      next.finish();
    },
  };
}
