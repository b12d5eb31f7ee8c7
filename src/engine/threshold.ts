import { compileFieldReader, isScalar } from '../event/fields.js';
import type { EcsEvent, Scalar } from '../event/types.js';
import { compileTermsOf, termKey, type Term } from './newTerms.js';

/** What a threshold alert reports (SPEC §D): the group's values, how many events, and the cardinality seen. */
export interface ThresholdResult {
  fields: Record<string, Scalar>;
  count: number;
  cardinality?: { field: string; value: number };
}

interface Bucket {
  times: number[];
  /** Cardinality values per held event, parallel to `times`. */
  values: Scalar[][];
}

/**
 * Counts matching events per group in a sliding look-back span of event time (SPEC §D). A group
 * fires when it holds `value` events (and at least `cardinality.value` distinct values of
 * `cardinality.field`) within the span; it then starts counting afresh.
 */
export class ThresholdState {
  private readonly buckets = new Map<string, Bucket>();
  private readonly groupsOf: (event: EcsEvent) => Term[];
  private readonly readCardinality?: (event: EcsEvent) => unknown[];

  constructor(
    private readonly spec: { fields: string[]; value: number; cardinality?: { field: string; value: number } },
    private readonly spanMs: number,
  ) {
    // Like a terms aggregation: a multi-valued field puts the event in every group, a missing one in none.
    this.groupsOf = spec.fields.length === 0 ? () => [[]] : compileTermsOf(spec.fields);
    if (spec.cardinality) this.readCardinality = compileFieldReader(spec.cardinality.field);
  }

  observe(event: EcsEvent, timeMs: number): ThresholdResult[] {
    const results: ThresholdResult[] = [];
    const cardValues = this.readCardinality ? this.readCardinality(event).filter(isScalar) : [];
    for (const group of this.groupsOf(event)) {
      const key = termKey(group);
      let bucket = this.buckets.get(key);
      if (!bucket) this.buckets.set(key, (bucket = { times: [], values: [] }));
      bucket.times.push(timeMs);
      bucket.values.push(cardValues);
      let drop = 0;
      while (drop < bucket.times.length && bucket.times[drop]! < timeMs - this.spanMs) drop++;
      if (drop > 0) {
        bucket.times.splice(0, drop);
        bucket.values.splice(0, drop);
      }
      if (bucket.times.length < this.spec.value) continue;
      let distinct: number | undefined;
      if (this.spec.cardinality) {
        distinct = new Set(bucket.values.flat().map((v) => termKey([v]))).size;
        if (distinct < this.spec.cardinality.value) continue;
      }
      const fields: Record<string, Scalar> = {};
      this.spec.fields.forEach((f, i) => (fields[f] = group[i]!));
      results.push({
        fields,
        count: bucket.times.length,
        ...(this.spec.cardinality ? { cardinality: { field: this.spec.cardinality.field, value: distinct! } } : {}),
      });
      this.buckets.delete(key);
    }
    return results;
  }
}
