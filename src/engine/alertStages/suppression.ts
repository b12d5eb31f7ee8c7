import { compileFieldReader, isScalar } from '../../event/fields.js';
import { stringifyJson } from '../../event/json.js';
import type { Scalar } from '../../event/types.js';
import type { AlertSuppression } from '../../rules/types.js';
import { lazyAlert, type Alert } from '../alert.js';
import { MAX_PENDING_KEYS } from '../sequence.js';
import { MAX_GROUPS_PER_EVENT } from '../threshold.js';
import { compareKeys, executionOf, type AlertStage, type KeyValue } from './stage.js';

/** What a suppressed alert reports, as Kibana's `kibana.alert.suppression.*` fields do. */
export interface SuppressionResult {
  /** `kibana.alert.suppression.terms`: each group-by field and its value (null: missing). */
  terms: Array<{ field: string; value: KeyValue }>;
  /** `.start` / `.end`: the event times of the group's first and last event. */
  start: number;
  end: number;
  /** `.docs_count`: events folded into this alert besides its own. */
  docsCount: number;
}

export interface SuppressionCounts {
  /** Events folded into another alert of their group. */
  suppressed: number;
  /** Groups passed on before their window ended, to stay within MAX_PENDING_KEYS open groups. */
  closedEarly: number;
}

/**
 * The groups an alert falls in, or undefined when it is not suppressed (a field is missing and
 * the rule says `doNotSuppress`).
 * - `each`: a query rule groups with a composite terms aggregation, so a multi-valued field puts
 *   the event in one group per value (query/alert_suppression/build_group_by_field_aggregation.ts).
 * - `sorted`: EQL, new_terms and threshold rules take a field's values as one sorted list
 *   (utils/suppression_utils.ts, getSuppressionTerms).
 */
export type GroupValues = 'each' | 'sorted';

/** Reads an alert's groups: each a list of values in group-by order. */
export function compileGroupsOf(spec: AlertSuppression, values: GroupValues, fixed?: (alert: Alert) => Record<string, Scalar> | undefined) {
  const readers = spec.groupBy.map((f) => compileFieldReader(f));
  const suppressMissing = spec.missingFields === 'suppress';
  return (alert: Alert): KeyValue[][] | undefined => {
    const given = fixed?.(alert);
    const perField: KeyValue[][] = [];
    for (const [i, read] of readers.entries()) {
      const field = spec.groupBy[i]!;
      const raw = given && field in given ? [given[field]] : read(alert.event);
      const scalars = distinct(raw.filter(isScalar));
      if (scalars.length === 0) {
        if (!suppressMissing) return undefined;
        perField.push([null]);
      } else {
        perField.push(values === 'each' ? scalars : [scalars.sort((a, b) => compareKeys([a], [b]))]);
      }
    }
    let groups: KeyValue[][] = [[]];
    for (const options of perField) {
      const next: KeyValue[][] = [];
      for (const g of groups) for (const v of options) if (next.length < MAX_GROUPS_PER_EVENT) next.push([...g, v]);
      groups = next;
    }
    return groups;
  };
}

function distinct(values: Scalar[]): Scalar[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = stringifyJson(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** An open group, or an alert passed through unsuppressed, waiting for its turn in start order. */
interface Entry {
  key: string | undefined;
  alert: Alert;
  values: KeyValue[] | undefined;
  start: number;
  end: number;
  docsCount: number;
  closed: boolean;
}

/**
 * One alert per group and suppression window, in event time (README "max_signals and alert
 * suppression"): the group's first alert opens the window; alerts of the group up to `duration`
 * later (inclusive, as Kibana's `kibana.alert.start >= now - duration`) are folded into it, or,
 * without `duration`, those of the same rule execution. The alert is passed on, with the final
 * counts, once the window has passed (the first alert later than its end) or the input ends.
 * Alerts come in event-time order and leave in the order their windows opened. Alerts without a
 * time pass unsuppressed (no execution's range would hold them).
 */
export class SuppressionStage implements AlertStage {
  private readonly open = new Map<string, Entry>();
  /** Every entry not yet passed on, in start order. */
  private readonly queue: Entry[] = [];
  private head = 0;
  private watermark = -Infinity;

  constructor(
    private readonly spec: AlertSuppression,
    private readonly intervalMs: number,
    private readonly groupsOf: (alert: Alert) => KeyValue[][] | undefined,
    private readonly next: AlertStage,
    private readonly counts: SuppressionCounts,
    /**
     * Live (stdin): a group's alert is passed on at once, when its first alert comes, as Kibana
     * creates it (docs_count 0); the events suppressed into it later are counted in the summary
     * only, since a stream cannot update what it already wrote.
     */
    private readonly live = false,
    private readonly maxGroups = MAX_PENDING_KEYS,
  ) {}

  push(alert: Alert): void {
    const timeMs = alert.timeMs;
    if (timeMs === undefined) {
      this.next.push(alert);
      return;
    }
    if (timeMs > this.watermark) this.watermark = timeMs;
    this.release();
    const groups = this.groupsOf(alert);
    if (groups === undefined) {
      this.enqueue({ key: undefined, alert, values: undefined, start: timeMs, end: timeMs, docsCount: 0, closed: true });
      this.release();
      return;
    }
    for (const values of groups) {
      const key = stringifyJson(values);
      const entry = this.open.get(key);
      if (entry !== undefined && !this.ended(entry, timeMs)) {
        entry.docsCount++;
        if (timeMs > entry.end) entry.end = timeMs;
        this.counts.suppressed++;
        continue;
      }
      if (entry !== undefined) this.close(entry);
      while (this.open.size >= this.maxGroups) this.closeOldest();
      const opened: Entry = { key, alert, values, start: timeMs, end: timeMs, docsCount: 0, closed: this.live };
      this.open.set(key, opened);
      this.enqueue(opened);
      if (this.live) this.release();
    }
  }

  finish(): void {
    for (const entry of this.open.values()) entry.closed = true;
    this.open.clear();
    this.release();
    this.next.finish();
  }

  /** The window of a group has passed by `timeMs`. */
  private ended(entry: Entry, timeMs: number): boolean {
    const { durationMs } = this.spec;
    if (durationMs !== undefined) return timeMs > entry.start + durationMs;
    return executionOf(timeMs, this.intervalMs) > executionOf(entry.start, this.intervalMs);
  }

  private enqueue(entry: Entry): void {
    this.queue.push(entry);
  }

  private close(entry: Entry): void {
    entry.closed = true;
    if (entry.key !== undefined && this.open.get(entry.key) === entry) this.open.delete(entry.key);
  }

  /** At the cap: the group opened longest ago (the map keeps opening order) ends as it stands. */
  private closeOldest(): void {
    const oldest = this.open.values().next();
    if (oldest.done) return;
    this.close(oldest.value);
    this.counts.closedEarly++;
  }

  /** Passes on, in start order, the entries whose windows have passed. */
  private release(): void {
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head]!;
      if (!entry.closed) {
        if (!this.ended(entry, this.watermark)) break;
        this.close(entry);
      }
      this.head++;
      this.next.push(this.withSuppression(entry));
    }
    // Compact once most of the queue is spent: O(1) per entry amortised.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private withSuppression(entry: Entry): Alert {
    const values = entry.values;
    if (values === undefined) return entry.alert;
    // A new alert, not the runner's object (one event may open several groups); its event is
    // still read only if an output asks for it (alert.ts), so no spread of the original.
    const { rule, timeMs, raw, location, newTerms, threshold, events } = entry.alert;
    const original = entry.alert;
    const suppression = {
      terms: this.spec.groupBy.map((field, i) => ({ field, value: values[i] ?? null })),
      start: entry.start,
      end: entry.end,
      docsCount: entry.docsCount,
    };
    return lazyAlert({ rule, timeMs, raw, location, newTerms, threshold, events, suppression }, () => original.event);
  }
}
