import { compileFieldReader, isScalar } from '../event/fields.js';
import type { EcsEvent, Scalar } from '../event/types.js';
import { compileTermsOf, termKey, type Term } from './newTerms.js';

/**
 * Most groups one event counts in. Kibana's nested terms aggregations have no such limit, but an
 * event with three 1,000-value arrays would otherwise be 10⁹ groups; no real event comes near.
 */
export const MAX_GROUPS_PER_EVENT = 10_000;
import { MAX_PENDING_KEYS } from './sequence.js';

/** What a threshold alert reports (SPEC §D): the group's values, how many events, and the cardinality seen. */
export interface ThresholdResult {
  fields: Record<string, Scalar>;
  count: number;
  cardinality?: { field: string; value: number };
}

/**
 * The events one group holds within the look-back span, oldest first. Expired events are passed
 * over by moving `head`, and the arrays are compacted only once most of them are dead, so expiry
 * costs O(1) per event however many events the span holds.
 */
interface Bucket {
  times: number[];
  /** The keys of each held event's cardinality values, parallel to `times`. */
  values: string[][];
  head: number;
  /** How many held events carry each distinct cardinality value: its size is the cardinality. */
  valueCounts: Map<string, number>;
  /** The latest event time seen; the group is stale once it is older than the span. */
  lastMs: number;
}

const NO_VALUES: string[] = [];

/**
 * Counts matching events per group in a sliding look-back span of event time (SPEC §D). A group
 * fires when it holds `value` events (and at least `cardinality.value` distinct values of
 * `cardinality.field`) within the span; it then starts counting afresh.
 *
 * Work per event is O(1) per group and value: the distinct values are counted as events come and
 * go, never recounted. The number of groups is bounded by `maxGroups` (MAX_PENDING_KEYS, as for
 * sequences): groups whose events all left the span are forgotten first, and beyond that the least
 * recently active group is dropped and counted in `dropped` (its count starts again from zero if
 * it comes back), so millions of distinct `source.ip` values cannot exhaust memory.
 */
export class ThresholdState {
  /** In order of last activity, least recent first (a Map keeps insertion order). */
  private readonly buckets = new Map<string, Bucket>();
  private readonly groupsOf: (event: EcsEvent) => Term[];
  private readonly readCardinality?: (event: EcsEvent) => readonly unknown[];
  /** Groups dropped at the cap while they still held events within the span. */
  dropped = 0;

  constructor(
    private readonly spec: { fields: string[]; value: number; cardinality?: { field: string; value: number } },
    private readonly spanMs: number,
    private readonly maxGroups = MAX_PENDING_KEYS,
  ) {
    // Like a terms aggregation: a multi-valued field puts the event in every group, a missing one in none.
    this.groupsOf = spec.fields.length === 0 ? () => [[]] : compileTermsOf(spec.fields, MAX_GROUPS_PER_EVENT);
    if (spec.cardinality) this.readCardinality = compileFieldReader(spec.cardinality.field);
  }

  /** How many groups hold events (for tests and the cap). */
  get pendingGroups(): number {
    return this.buckets.size;
  }

  observe(event: EcsEvent, timeMs: number): ThresholdResult[] {
    const results: ThresholdResult[] = [];
    const cardKeys = this.readCardinality ? cardinalityKeys(this.readCardinality(event)) : NO_VALUES;
    const horizon = timeMs - this.spanMs;
    this.forgetStale(horizon);
    for (const group of this.groupsOf(event)) {
      const key = termKey(group);
      const bucket = this.touch(key, timeMs);
      bucket.times.push(timeMs);
      bucket.values.push(cardKeys);
      for (const k of cardKeys) bucket.valueCounts.set(k, (bucket.valueCounts.get(k) ?? 0) + 1);
      expire(bucket, horizon);
      const held = bucket.times.length - bucket.head;
      if (held < this.spec.value) continue;
      const distinct = bucket.valueCounts.size;
      if (this.spec.cardinality && distinct < this.spec.cardinality.value) continue;
      const fields: Record<string, Scalar> = {};
      this.spec.fields.forEach((f, i) => (fields[f] = group[i]!));
      results.push({
        fields,
        count: held,
        ...(this.spec.cardinality ? { cardinality: { field: this.spec.cardinality.field, value: distinct } } : {}),
      });
      this.buckets.delete(key);
    }
    return results;
  }

  /** The group's bucket, moved to the recent end; a new group may first make room at the cap. */
  private touch(key: string, timeMs: number): Bucket {
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key);
    } else {
      while (this.buckets.size >= this.maxGroups) {
        const oldest = this.buckets.keys().next();
        if (oldest.done) break;
        this.buckets.delete(oldest.value);
        this.dropped++;
      }
      bucket = { times: [], values: [], head: 0, valueCounts: new Map(), lastMs: timeMs };
    }
    if (timeMs > bucket.lastMs) bucket.lastMs = timeMs;
    this.buckets.set(key, bucket);
    return bucket;
  }

  /**
   * Forgets the least recently active groups while all their events are older than the span: they
   * can never fire again with what they hold. Each group is forgotten once, so this is O(1) per
   * event amortised.
   */
  private forgetStale(horizon: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.lastMs >= horizon) return;
      this.buckets.delete(key);
    }
  }
}

/** Passes over the events older than the span (from the oldest held), uncounting their values. */
function expire(bucket: Bucket, horizon: number): void {
  const { times, values, valueCounts } = bucket;
  let head = bucket.head;
  while (head < times.length && times[head]! < horizon) {
    for (const k of values[head]!) {
      const n = (valueCounts.get(k) ?? 1) - 1;
      if (n === 0) valueCounts.delete(k);
      else valueCounts.set(k, n);
    }
    head++;
  }
  // Compacting once the dead entries outnumber the live ones costs O(1) per event amortised and
  // keeps a group's memory within twice what it holds.
  if (head * 2 > times.length) {
    times.splice(0, head);
    values.splice(0, head);
    head = 0;
  }
  bucket.head = head;
}

/** The distinct scalar values of the cardinality field in one event, as typed keys (5 and "5" differ). */
function cardinalityKeys(values: readonly unknown[]): string[] {
  if (values.length === 0) return NO_VALUES;
  const keys = new Set<string>();
  for (const v of values) if (isScalar(v)) keys.add(termKey([v]));
  return [...keys];
}
