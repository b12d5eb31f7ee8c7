import { describe, expect, it } from 'vitest';
import { compileEql, parseEql } from '../eql/index.js';
import { SampleState } from './sample.js';
import type { SequenceEvent } from './sequence.js';

function sample(query: string, maxKeys?: number, live?: boolean): SampleState {
  const compiled = compileEql(parseEql(query));
  if (compiled.kind !== 'sample') throw new Error('not a sample');
  return new SampleState(compiled, maxKeys, live);
}

/** Feeds `{k, step}` events in order, then ends the input; returns each sample as the lines of its events (1-based). */
function run(state: SampleState, events: Array<{ k?: string; step: string }>): number[][] {
  const found: number[][] = [];
  const collect = (out: SequenceEvent[][]) => {
    for (const s of out) found.push(s.map((x) => x.location.line));
  };
  events.forEach((e, i) => collect(state.observe({ event: e, location: { file: 't', line: i + 1 }, timeMs: i, seq: i + 1 })));
  collect(state.finish());
  return found;
}

const AB = 'sample by k [any where step == "a"] [any where step == "b"]';

describe('SampleState (SPEC §A.9: sample by k, unordered, per key)', () => {
  it('samples a key once it has one event of each query, in any order, events in query order', () => {
    expect(run(sample(AB), [{ k: 'h1', step: 'b' }, { k: 'h1', step: 'a' }])).toEqual([[2, 1]]);
  });

  it('keeps keys apart and skips events without the key', () => {
    expect(run(sample(AB), [{ k: 'h1', step: 'a' }, { k: 'h2', step: 'b' }, { step: 'b' }])).toEqual([]);
  });

  it('samples each key only once', () => {
    const events = [{ k: 'h1', step: 'a' }, { k: 'h1', step: 'b' }, { k: 'h1', step: 'a' }, { k: 'h1', step: 'b' }, { k: 'h2', step: 'b' }, { k: 'h2', step: 'a' }];
    expect(run(sample(AB), events)).toEqual([[1, 2], [6, 5]]);
  });

  it('does not let one event fill two queries', () => {
    const q = 'sample by k [any where step in ("a", "ab")] [any where step in ("b", "ab")]';
    expect(run(sample(q), [{ k: 'h1', step: 'ab' }])).toEqual([]);
    expect(run(sample(q), [{ k: 'h1', step: 'ab' }, { k: 'h1', step: 'a' }])).toEqual([[2, 1]]);
  });

  it("picks as Elasticsearch's depth-first search does: for each query in turn, its earliest event that still lets the others be filled", () => {
    const q = 'sample by k [any where step in ("a", "ab")] [any where step in ("b", "ab")]';
    expect(run(sample(q), [{ k: 'h1', step: 'ab' }, { k: 'h1', step: 'ab' }])).toEqual([[1, 2]]);
    const abc = 'sample by k [any where step in ("x", "y")] [any where step == "x"] [any where step in ("x", "y")]';
    // Moving query 1 off event 1 would also fill every query; the earliest event per query in query order wins.
    expect(run(sample(abc), [{ k: 'h1', step: 'y' }, { k: 'h1', step: 'x' }, { k: 'h1', step: 'y' }])).toEqual([[1, 2, 3]]);
  });

  it('over files, decides a key with the first hits of every query, as Elasticsearch fetches them, not with the first assignment found', () => {
    // After line 3 the key can be filled (a=2, x|y=3, x|z=1); line 4 gives the third query a hit
    // of its own, so the second can keep its first hit, line 1: Elasticsearch picks 2, 1, 4.
    const q = 'sample by k [any where step == "a"] [any where step in ("x", "y")] [any where step in ("x", "z")]';
    const events = [{ k: 'h1', step: 'x' }, { k: 'h1', step: 'a' }, { k: 'h1', step: 'y' }, { k: 'h1', step: 'z' }];
    expect(run(sample(q), events)).toEqual([[2, 1, 4]]);
    // Live, a key is decided as soon as it can be filled.
    expect(run(sample(q, undefined, true), events)).toEqual([[2, 3, 1]]);
  });

  it('decides a key at once when every query has all the hits it keeps', () => {
    const state = sample(AB);
    const seen = [{ k: 'h1', step: 'a' }, { k: 'h1', step: 'b' }, { k: 'h1', step: 'a' }].flatMap((e, i) =>
      state.observe({ event: e, location: { file: 't', line: i + 1 }, timeMs: i, seq: i + 1 }),
    );
    expect(seen).toEqual([]);
    const last = state.observe({ event: { k: 'h1', step: 'b' }, location: { file: 't', line: 4 }, timeMs: 3, seq: 4 });
    expect(last.map((s) => s.map((x) => x.location.line))).toEqual([[1, 2]]);
  });

  it('samples a key it has to let go for the cap rather than lose it', () => {
    const state = sample(AB, 1);
    expect(run(state, [{ k: 'h1', step: 'a' }, { k: 'h1', step: 'b' }, { k: 'h2', step: 'a' }])).toEqual([[1, 2]]);
    // h2 is the one lost at the end: it never had a "b".
    expect(state.dropped).toBe(0);
  });

  it('stays polynomial for many look-alike queries no event set can satisfy', () => {
    const steps = Array.from({ length: 12 }, () => '[any where step == "x"]').join(' ');
    const state = sample(`sample by k ${steps}`);
    const started = Date.now();
    expect(run(state, Array.from({ length: 11 }, () => ({ k: 'h1', step: 'x' })))).toEqual([]);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('caps the keys it holds and counts what it drops', () => {
    const state = sample(AB, 2);
    const found = run(state, [{ k: 'h1', step: 'a' }, { k: 'h2', step: 'a' }, { k: 'h3', step: 'a' }, { k: 'h1', step: 'b' }]);
    expect(found).toEqual([]);
    expect(state.dropped).toBeGreaterThanOrEqual(1);
    expect(state.pendingKeys).toBeLessThanOrEqual(2);
  });
});
