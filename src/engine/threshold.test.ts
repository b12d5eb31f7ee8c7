import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileFieldReader, isScalar } from '../event/fields.js';
import type { EcsEvent, Scalar } from '../event/types.js';
import { parseJson } from '../event/json.js';
import { compileTermsOf, termKey } from './newTerms.js';
import { ThresholdState, type ThresholdResult } from './threshold.js';

const MIN = 60_000;
const ev = (user: string | string[], host = 'h1') => ({ user: { name: user }, host: { name: host } });

describe('ThresholdState (SPEC §D)', () => {
  it('fires when a group reaches the value within the look-back span, then starts afresh', () => {
    const s = new ThresholdState({ fields: ['user.name'], value: 3 }, 9 * MIN);
    expect(s.observe(ev('a'), 0)).toEqual([]);
    expect(s.observe(ev('a'), 1 * MIN)).toEqual([]);
    expect(s.observe(ev('a'), 2 * MIN)).toEqual([{ fields: { 'user.name': 'a' }, count: 3 }]);
    expect(s.observe(ev('a'), 3 * MIN)).toEqual([]);
  });

  it('does not count events older than the span', () => {
    const s = new ThresholdState({ fields: ['user.name'], value: 2 }, 9 * MIN);
    s.observe(ev('a'), 0);
    expect(s.observe(ev('a'), 10 * MIN)).toEqual([]);
    expect(s.observe(ev('a'), 11 * MIN)).toHaveLength(1);
  });

  it('keeps groups apart and skips events missing a group field', () => {
    const s = new ThresholdState({ fields: ['user.name'], value: 2 }, 9 * MIN);
    s.observe(ev('a'), 0);
    expect(s.observe(ev('b'), 1)).toEqual([]);
    expect(s.observe({ host: { name: 'x' } }, 2)).toEqual([]);
    expect(s.observe(ev('b'), 3)).toEqual([{ fields: { 'user.name': 'b' }, count: 2 }]);
  });

  it('puts a multi-valued event in every group, like a terms aggregation', () => {
    const s = new ThresholdState({ fields: ['user.name'], value: 1 }, MIN);
    expect(s.observe(ev(['a', 'b']), 0).map((r) => r.fields)).toEqual([{ 'user.name': 'a' }, { 'user.name': 'b' }]);
  });

  it('needs the cardinality of distinct values as well as the count', () => {
    const s = new ThresholdState({ fields: ['user.name'], value: 2, cardinality: { field: 'host.name', value: 2 } }, 9 * MIN);
    s.observe(ev('a', 'h1'), 0);
    expect(s.observe(ev('a', 'h1'), 1)).toEqual([]);
    expect(s.observe(ev('a', 'h2'), 2)).toEqual([{ fields: { 'user.name': 'a' }, count: 3, cardinality: { field: 'host.name', value: 2 } }]);
  });

  it('groups everything together when no field is given', () => {
    const s = new ThresholdState({ fields: [], value: 2 }, MIN);
    s.observe({}, 0);
    expect(s.observe({ a: 1 }, 1)).toEqual([{ fields: {}, count: 2 }]);
  });
});

type Spec = ConstructorParameters<typeof ThresholdState>[0];

/**
 * The state as it was before issue 7 (the distinct set rebuilt and the expired events spliced off
 * on every event): quadratic, but the definition of what a threshold decides. The new state must
 * give the same results on any time-ordered input.
 */
function referenceThreshold(spec: Spec, spanMs: number) {
  const buckets = new Map<string, { times: number[]; values: Scalar[][] }>();
  const groupsOf = spec.fields.length === 0 ? () => [[]] : compileTermsOf(spec.fields);
  const readCardinality = spec.cardinality ? compileFieldReader(spec.cardinality.field) : undefined;
  return (event: EcsEvent, timeMs: number): ThresholdResult[] => {
    const results: ThresholdResult[] = [];
    const cardValues = readCardinality ? readCardinality(event).filter(isScalar) : [];
    for (const group of groupsOf(event)) {
      const key = termKey(group);
      let bucket = buckets.get(key);
      if (!bucket) buckets.set(key, (bucket = { times: [], values: [] }));
      bucket.times.push(timeMs);
      bucket.values.push(cardValues);
      let drop = 0;
      while (drop < bucket.times.length && bucket.times[drop]! < timeMs - spanMs) drop++;
      bucket.times.splice(0, drop);
      bucket.values.splice(0, drop);
      if (bucket.times.length < spec.value) continue;
      let distinct: number | undefined;
      if (spec.cardinality) {
        distinct = new Set(bucket.values.flat().map((v) => termKey([v]))).size;
        if (distinct < spec.cardinality.value) continue;
      }
      const fields: Record<string, Scalar> = {};
      spec.fields.forEach((f, i) => (fields[f] = group[i]!));
      results.push({ fields, count: bucket.times.length, ...(spec.cardinality ? { cardinality: { field: spec.cardinality.field, value: distinct! } } : {}) });
      buckets.delete(key);
    }
    return results;
  };
}

describe('ThresholdState decides as the reference does', () => {
  it('on random time-ordered events, with arrays, missing fields and mixed value types', () => {
    const value = fc.oneof(fc.constantFrom('a', 'b', 'c', '5'), fc.constantFrom(5, 6));
    const field = fc.oneof(value, fc.array(value, { maxLength: 3 }), fc.constant(undefined));
    const event = fc.record({ user: field, host: field, gapMs: fc.nat(4 * MIN) });
    const spec = fc.record({
      fields: fc.constantFrom<string[]>(['user.name'], [], ['user.name', 'host.name']),
      value: fc.integer({ min: 1, max: 5 }),
      cardinality: fc.option(fc.record({ field: fc.constant('host.name'), value: fc.integer({ min: 1, max: 4 }) }), { nil: undefined }),
    });
    fc.assert(
      fc.property(spec, fc.integer({ min: 0, max: 10 * MIN }), fc.array(event, { maxLength: 60 }), (s, span, events) => {
        const spec: Spec = s.cardinality ? s : { fields: s.fields, value: s.value };
        const state = new ThresholdState(spec, span);
        const reference = referenceThreshold(spec, span);
        let t = 0;
        for (const e of events) {
          t += e.gapMs;
          const doc: EcsEvent = { user: { name: e.user }, host: { name: e.host } };
          expect(state.observe(doc, t)).toEqual(reference(doc, t));
        }
      }),
      { numRuns: 500 },
    );
  });
});

/**
 * Counts the bookkeeping a piece of code does, from outside: every Map and Set read or write, and
 * for every Array splice the length of the array it works on (what a splice may have to move).
 */
function countWork(run: () => void): number {
  let work = 0;
  const spy = <T extends object>(proto: T, name: keyof T & string, cost: (self: any) => number) => {
    const original = proto[name] as (...args: unknown[]) => unknown;
    vi.spyOn(proto as any, name).mockImplementation(function (this: unknown, ...args: unknown[]) {
      work += cost(this);
      return original.apply(this, args);
    });
  };
  for (const name of ['get', 'set', 'delete', 'has'] as const) spy(Map.prototype, name, () => 1);
  for (const name of ['add', 'has'] as const) spy(Set.prototype, name, () => 1);
  spy(Array.prototype, 'splice', (self: unknown[]) => self.length);
  try {
    run();
  } finally {
    vi.restoreAllMocks();
  }
  return work;
}

describe('ThresholdState does O(1) work per event (issue 7, defect 5b)', () => {
  afterEach(() => vi.restoreAllMocks());
  const sizes = [1_000, 2_000, 4_000, 8_000];

  it('keeps distinct values counted, never recounted, for one busy group (discovery_ping_sweep_detected)', () => {
    // One host pinging: every event in the span, 100 distinct args needed, only 50 ever seen.
    const spec: Spec = { fields: ['host.id'], value: 1, cardinality: { field: 'process.args', value: 100 } };
    for (const n of sizes) {
      const state = new ThresholdState(spec, 9 * MIN);
      const work = countWork(() => {
        for (let i = 0; i < n; i++) state.observe({ host: { id: 'h' }, process: { args: ['ping', `10.0.0.${i % 50}`] } }, i);
      });
      expect(work).toBeLessThanOrEqual(20 * n);
    }
  });

  it('expires events from a full span without moving the rest on every event', () => {
    // Half the events in the span at any time: each new event pushes one old one out.
    const spec: Spec = { fields: ['user.name'], value: Number.MAX_SAFE_INTEGER };
    for (const n of sizes) {
      const state = new ThresholdState(spec, n / 2);
      const work = countWork(() => {
        for (let i = 0; i < n; i++) state.observe(ev('a'), i);
      });
      expect(work).toBeLessThanOrEqual(20 * n);
    }
  });
});

describe('ThresholdState bounds the number of groups it holds', () => {
  it('drops the least recently active group at the cap, and counts it', () => {
    const s = new ThresholdState({ fields: ['user.name'], value: 2 }, 9 * MIN, 2);
    s.observe(ev('a'), 0);
    s.observe(ev('b'), 1);
    s.observe(ev('a'), 2 * MIN - 1); // would fire: a holds 2
    // a fired and left; b and c are held; d makes room by dropping b, the least recently active.
    s.observe(ev('c'), 2 * MIN);
    s.observe(ev('d'), 2 * MIN + 1);
    expect(s.pendingGroups).toBe(2);
    expect(s.dropped).toBe(1);
    expect(s.observe(ev('b'), 2 * MIN + 2)).toEqual([]); // b starts again from zero
    expect(s.observe(ev('d'), 2 * MIN + 3)).toEqual([{ fields: { 'user.name': 'd' }, count: 2 }]);
  });

  it('forgets groups whose events all left the span without counting them as dropped', () => {
    const s = new ThresholdState({ fields: ['user.name'], value: 3 }, MIN, 1_000);
    for (let i = 0; i < 50_000; i++) s.observe(ev(`u${i}`), i * 100);
    expect(s.pendingGroups).toBeLessThanOrEqual(MIN / 100 + 1);
    expect(s.dropped).toBe(0);
  });

  it('holds at most the cap under a flood of distinct groups within the span', () => {
    const s = new ThresholdState({ fields: ['source.ip'], value: 2 }, 9 * MIN, 1_000);
    for (let i = 0; i < 20_000; i++) s.observe({ source: { ip: `10.0.${i >> 8}.${i & 255}` } }, i);
    expect(s.pendingGroups).toBe(1_000);
    expect(s.dropped).toBe(19_000);
  });
});

describe('ThresholdState with values beyond 2^53', () => {
  const event = (text: string) => parseJson(text) as EcsEvent;
  it('keeps groups of 9007199254740993 and 9007199254740992 apart', () => {
    const s = new ThresholdState({ fields: ['pid'], value: 2 }, 9 * MIN);
    s.observe(event('{"pid":9007199254740993}'), 0);
    expect(s.observe(event('{"pid":9007199254740992}'), 1)).toEqual([]);
    expect(s.observe(event('{"pid":9007199254740993}'), 2)).toEqual([{ fields: { pid: 9007199254740993n }, count: 2 }]);
  });

  it('counts them as two distinct values of the cardinality field', () => {
    const s = new ThresholdState({ fields: [], value: 2, cardinality: { field: 'pid', value: 2 } }, 9 * MIN);
    s.observe(event('{"pid":9007199254740993}'), 0);
    expect(s.observe(event('{"pid":9007199254740992}'), 1)).toEqual([{ fields: {}, count: 2, cardinality: { field: 'pid', value: 2 } }]);
  });
});
