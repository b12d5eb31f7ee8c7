import type { Alert } from '../alert.js';
import { compareKeys, executionOf, type AlertStage, type KeyValue, type Schedule } from './stage.js';

/**
 * Which alerts of one execution are kept when it finds more than `max_signals` (Kibana's
 * detection engine, see README "max_signals and alert suppression"):
 * - `newFirst`: a query rule pages its search by time, oldest first, and stops once it has created
 *   `max_signals` alerts; alerts an earlier, overlapping execution already created are not created
 *   again and do not count (search_after_bulk_create_factory.ts, filterDuplicateAlerts).
 * - `searchSize`: an EQL rule asks for `max_signals` hits (events or sequences), oldest first,
 *   already created ones included, and creates those that are new (eql/eql.ts: `size: maxSignals`).
 * - `key`: threshold, new_terms and suppressed query rules create one alert per bucket of a
 *   composite aggregation, in key order, the first `max_signals` buckets.
 */
export type CapOrder = { kind: 'newFirst' } | { kind: 'searchSize' } | { kind: 'key'; keyOf: (alert: Alert) => readonly KeyValue[] };

export interface MaxSignalsCounts {
  /** Alerts no execution created because each that saw them was full. */
  leftOut: number;
}

/** One alert of the time-ordered replay, created or still waiting for an execution with room. */
interface Candidate {
  timeMs: number;
  alert: Alert | undefined;
}

/**
 * Caps a rule's alerts per execution. Alerts must come in event-time order (the stages before
 * see to it); one that comes later than its execution (on stdin) counts in the execution open
 * now. Alerts without a time are in no execution's range and pass uncapped.
 */
export function maxSignalsStage(maxSignals: number, schedule: Schedule, order: CapOrder, next: AlertStage, counts: MaxSignalsCounts, live = false): AlertStage {
  // Live, waiting for an execution to end to sort its alerts by key would hold them back: the
  // first ones to come are kept, as for a query rule.
  if (order.kind === 'key' && !live) return new KeyCap(maxSignals, schedule, order.keyOf, next, counts);
  return new TimeCap(maxSignals, schedule, order.kind === 'searchSize', next, counts);
}

/**
 * The time-ordered replay: execution k runs at k × interval over [run − look-back, run]. An alert
 * left out by a full execution may be created by a later one whose range still holds it, as in
 * Kibana; it is left out for good once no execution's range does.
 */
class TimeCap implements AlertStage {
  private execution = -Infinity;
  private taken = 0;
  /** Alerts within the current range: waiting ones, and (for `searchSize`) created ones that take room. */
  private readonly window: Candidate[] = [];
  private waiting = 0;
  /** How many later executions' ranges may hold an alert of the current one: floor(look-back / interval). */
  private readonly later: number;
  /**
   * Per later execution d (1..later): the alerts held that fall in its range and come before any
   * newer one, which it would take first: waiting ones (created ones too for `searchSize`).
   */
  private readonly ahead: number[];

  constructor(
    private readonly maxSignals: number,
    private readonly schedule: Schedule,
    private readonly createdTakeRoom: boolean,
    private readonly next: AlertStage,
    private readonly counts: MaxSignalsCounts,
  ) {
    this.later = Math.floor(schedule.lookbackMs / schedule.intervalMs);
    this.ahead = new Array<number>(this.later + 1).fill(0);
  }

  push(alert: Alert): void {
    if (alert.timeMs === undefined) {
      this.next.push(alert);
      return;
    }
    const execution = executionOf(alert.timeMs, this.schedule.intervalMs);
    this.runUntil(execution);
    if (this.taken < this.maxSignals) {
      this.taken++;
      this.next.push(alert);
      if (this.createdTakeRoom) this.hold({ timeMs: alert.timeMs, alert: undefined });
    } else if (this.mayBeCreated(alert.timeMs)) {
      this.hold({ timeMs: alert.timeMs, alert });
      this.waiting++;
    } else {
      this.counts.leftOut++;
    }
  }

  /** Start of the range of the execution `d` runs after the current one. */
  private rangeStart(d: number): number {
    return (this.execution + d) * this.schedule.intervalMs - this.schedule.lookbackMs;
  }

  /**
   * Whether a later execution could still create an alert of this time, newer than all held: the
   * one d runs later takes (at most maxSignals, oldest first) from its range, and with the runs
   * before it at most d × maxSignals of the alerts waiting there (`newFirst`); for `searchSize`
   * its first maxSignals hits, created or not. Holding only those keeps memory bounded.
   */
  private mayBeCreated(timeMs: number): boolean {
    for (let d = 1; d <= this.later; d++) {
      if (timeMs < this.rangeStart(d)) break;
      if (this.ahead[d]! < (this.createdTakeRoom ? 1 : d) * this.maxSignals) return true;
    }
    return false;
  }

  private hold(c: Candidate): void {
    this.window.push(c);
    for (let d = 1; d <= this.later && c.timeMs >= this.rangeStart(d); d++) this.ahead[d]!++;
  }

  finish(): void {
    // Kibana goes on running the rule after the last event: waiting alerts get their chances.
    while (this.waiting > 0) this.open(this.execution + 1);
    this.window.length = 0;
    this.next.finish();
  }

  /** Runs the executions before `execution` that have alerts to create, then opens it. */
  private runUntil(execution: number): void {
    if (execution <= this.execution) return;
    while (this.window.length > 0 && this.execution + 1 < execution) this.open(this.execution + 1);
    this.open(execution);
  }

  /** Opens an execution: its range drops what is too old, then takes the oldest alerts it holds. */
  private open(execution: number): void {
    this.execution = execution;
    this.taken = 0;
    const from = execution * this.schedule.intervalMs - this.schedule.lookbackMs;
    let expired = 0;
    while (expired < this.window.length && this.window[expired]!.timeMs < from) {
      if (this.window[expired]!.alert !== undefined) {
        this.counts.leftOut++;
        this.waiting--;
      }
      expired++;
    }
    if (expired > 0) this.window.splice(0, expired);
    for (let i = 0; i < this.window.length && this.taken < this.maxSignals; i++) {
      const c = this.window[i]!;
      this.taken++;
      if (c.alert === undefined) continue;
      this.next.push(c.alert);
      c.alert = undefined;
      this.waiting--;
    }
    if (!this.createdTakeRoom) {
      let kept = 0;
      for (const c of this.window) if (c.alert !== undefined) this.window[kept++] = c;
      this.window.length = kept;
    }
    // What each later execution would find ahead, for this execution's newer alerts.
    this.ahead.fill(0);
    for (const c of this.window) for (let d = 1; d <= this.later && c.timeMs >= this.rangeStart(d); d++) this.ahead[d]!++;
  }
}

/** One execution's alerts, ordered by key: the first `maxSignals` are created, the rest left out. */
class KeyCap implements AlertStage {
  private execution = -Infinity;
  private held: Array<{ key: readonly KeyValue[]; seq: number; alert: Alert }> = [];
  private seq = 0;

  constructor(
    private readonly maxSignals: number,
    private readonly schedule: Schedule,
    private readonly keyOf: (alert: Alert) => readonly KeyValue[],
    private readonly next: AlertStage,
    private readonly counts: MaxSignalsCounts,
  ) {}

  push(alert: Alert): void {
    if (alert.timeMs === undefined) {
      this.next.push(alert);
      return;
    }
    const execution = executionOf(alert.timeMs, this.schedule.intervalMs);
    if (execution > this.execution) {
      this.decide();
      this.execution = execution;
    }
    this.held.push({ key: this.keyOf(alert), seq: this.seq++, alert });
    // Cut back to the first maxSignals keys now and then, so one busy execution holds few alerts.
    if (this.held.length >= 2 * this.maxSignals + 1024) this.cut();
  }

  finish(): void {
    this.decide();
    this.next.finish();
  }

  private cut(): void {
    this.held.sort((a, b) => compareKeys(a.key, b.key) || a.seq - b.seq);
    if (this.held.length > this.maxSignals) {
      this.counts.leftOut += this.held.length - this.maxSignals;
      this.held.length = this.maxSignals;
    }
  }

  /** Passes on the kept alerts in the order they came (event time), not key order. */
  private decide(): void {
    this.cut();
    this.held.sort((a, b) => a.seq - b.seq);
    for (const h of this.held) this.next.push(h.alert);
    this.held = [];
  }
}
