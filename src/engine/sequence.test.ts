import { describe, expect, it } from 'vitest';
import { compileEql, parseEql } from '../eql/index.js';
import { parseJson } from '../event/json.js';
import { SequenceState, type SequenceEvent } from './sequence.js';

const S = 1000;

function sequence(query: string, maxKeys?: number): SequenceState {
  const compiled = compileEql(parseEql(query));
  if (compiled.kind !== 'sequence') throw new Error('not a sequence');
  return new SequenceState(compiled, maxKeys);
}

/** One test event: its step name, join key and time in seconds; line = position in the list. */
type Ev = { step: string; k?: string | bigint | number | null; t: number };

/** Feeds the events in order and returns every sequence found, as lists of lines (1-based). */
function run(state: SequenceState, events: Ev[]): number[][] {
  const found: number[][] = [];
  const lines = (seqs: SequenceEvent[][]) => seqs.forEach((s) => found.push(s.map((e) => e.location.line)));
  events.forEach((e, i) => {
    const event: Record<string, unknown> = { step: e.step };
    if (e.k !== null) event.k = e.k ?? 'h1';
    lines(state.observe({ event, location: { file: 't', line: i + 1 }, timeMs: e.t * S, seq: i + 1 }));
  });
  lines(state.finish());
  return found;
}

const AB = 'sequence by k with maxspan=10s [any where step == "a"] [any where step == "b"]';

describe('SequenceState: order, maxspan, join keys (SPEC §A.9)', () => {
  it('matches the steps in order and not in the reverse order', () => {
    expect(run(sequence(AB), [{ step: 'a', t: 0 }, { step: 'b', t: 1 }])).toEqual([[1, 2]]);
    expect(run(sequence(AB), [{ step: 'b', t: 0 }, { step: 'a', t: 1 }])).toEqual([]);
  });

  it('accepts a sequence exactly maxspan long and rejects a longer one', () => {
    expect(run(sequence(AB), [{ step: 'a', t: 0 }, { step: 'b', t: 10 }])).toEqual([[1, 2]]);
    expect(run(sequence(AB), [{ step: 'a', t: 0 }, { step: 'b', t: 10.001 }])).toEqual([]);
  });

  it('joins only events with the same key, and excludes events missing a required key', () => {
    expect(run(sequence(AB), [{ step: 'a', k: 'h1', t: 0 }, { step: 'b', k: 'h2', t: 1 }])).toEqual([]);
    expect(run(sequence(AB), [{ step: 'a', k: 'h1', t: 0 }, { step: 'a', k: 'h2', t: 1 }, { step: 'b', k: 'h1', t: 2 }])).toEqual([[1, 3]]);
    expect(run(sequence(AB), [{ step: 'a', k: null, t: 0 }, { step: 'b', k: null, t: 1 }])).toEqual([]);
  });

  it('lets an optional ?key join events that lack it (null key)', () => {
    const q = 'sequence by ?k [any where step == "a"] [any where step == "b"]';
    expect(run(sequence(q), [{ step: 'a', k: null, t: 0 }, { step: 'b', k: null, t: 1 }])).toEqual([[1, 2]]);
    expect(run(sequence(q), [{ step: 'a', k: null, t: 0 }, { step: 'b', k: 'h1', t: 1 }])).toEqual([]);
  });

  it('concatenates sequence-level and per-step keys', () => {
    const q = 'sequence by k [any where step == "a"] by step [any where step == "b"] by other';
    const state = sequence(q);
    const e = (step: string, other: string | undefined, line: number) =>
      state.observe({ event: { k: 'h1', step, other }, location: { file: 't', line }, timeMs: line, seq: line });
    expect(e('a', undefined, 1)).toEqual([]);
    expect(e('b', 'x', 2)).toEqual([]);
    expect(e('b', 'a', 3).map((s) => s.map((x) => x.location.line))).toEqual([[1, 3]]);
  });

  it('keeps one pending sequence per key and state: a newer one replaces the older', () => {
    expect(run(sequence(AB), [{ step: 'a', t: 0 }, { step: 'a', t: 1 }, { step: 'b', t: 2 }, { step: 'b', t: 3 }])).toEqual([[2, 3]]);
  });

  it('drops a taken partial that breaks maxspan rather than falling back to an older one', () => {
    const q = 'sequence by k with maxspan=10s [any where step == "a"] [any where step == "b"] [any where step == "c"]';
    // 1-2 waits for c; 3-4 replaces it in the same state and completes 10 s after its start.
    expect(run(sequence(q), [
      { step: 'a', t: 0 }, { step: 'b', t: 1 }, { step: 'a', t: 5 }, { step: 'b', t: 6 }, { step: 'c', t: 15 },
    ])).toEqual([[3, 4, 5]]);
    expect(run(sequence(q), [{ step: 'a', t: 0 }, { step: 'b', t: 1 }, { step: 'c', t: 11 }, { step: 'c', t: 12 }])).toEqual([]);
  });

  it('never uses one event for two steps, but lets it end one sequence and start the next', () => {
    const q = 'sequence by k [any where step == "a"] with runs=3';
    expect(run(sequence(q), [{ step: 'a', t: 0 }, { step: 'a', t: 1 }])).toEqual([]);
    // Elasticsearch returns overlapping runs: each event advances the latest partial before it.
    expect(run(sequence(q), [{ step: 'a', t: 0 }, { step: 'a', t: 1 }, { step: 'a', t: 2 }, { step: 'a', t: 3 }])).toEqual([
      [1, 2, 3],
      [2, 3, 4],
    ]);
  });

  it('orders ties by input: the same timestamp still makes a sequence in line order', () => {
    expect(run(sequence(AB), [{ step: 'a', t: 5 }, { step: 'b', t: 5 }])).toEqual([[1, 2]]);
  });
});

describe('SequenceState: until (SPEC §A.9)', () => {
  const q = 'sequence by k [any where step == "a"] [any where step == "b"] until [any where step == "stop"]';

  it('drops the pending sequences of the until event’s key', () => {
    expect(run(sequence(q), [{ step: 'a', t: 0 }, { step: 'stop', t: 1 }, { step: 'b', t: 2 }])).toEqual([]);
    expect(run(sequence(q), [{ step: 'a', t: 0 }, { step: 'stop', k: 'h2', t: 1 }, { step: 'b', t: 2 }])).toEqual([[1, 3]]);
  });

  it('does not stop a sequence that starts after it', () => {
    expect(run(sequence(q), [{ step: 'stop', t: 0 }, { step: 'a', t: 1 }, { step: 'b', t: 2 }])).toEqual([[2, 3]]);
  });
});

describe('SequenceState: missing events ![q] (SPEC §A.9)', () => {
  it('between two steps: rejects when such an event falls strictly between them', () => {
    const q = 'sequence by k with maxspan=1m [any where step == "a"] ![any where step == "c"] [any where step == "b"]';
    expect(run(sequence(q), [{ step: 'a', t: 0 }, { step: 'c', t: 1 }, { step: 'b', t: 2 }])).toEqual([]);
    expect(run(sequence(q), [{ step: 'a', t: 0 }, { step: 'b', t: 2 }])).toEqual([[1, 2]]);
    expect(run(sequence(q), [{ step: 'a', t: 0 }, { step: 'c', k: 'h2', t: 1 }, { step: 'b', t: 2 }])).toEqual([[1, 3]]);
    // Elasticsearch's range is exclusive: an event at the same timestamp as a neighbour is not between.
    expect(run(sequence(q), [{ step: 'a', t: 0 }, { step: 'c', t: 2 }, { step: 'b', t: 2 }])).toEqual([[1, 3]]);
  });

  it('leading: rejects when the latest such event before the first step is within maxspan of the last', () => {
    const q = 'sequence by k with maxspan=1m ![any where step == "c"] [any where step == "a"] [any where step == "b"]';
    expect(run(sequence(q), [{ step: 'c', t: 0 }, { step: 'a', t: 10 }, { step: 'b', t: 20 }])).toEqual([]);
    expect(run(sequence(q), [{ step: 'c', t: 0 }, { step: 'a', t: 50 }, { step: 'b', t: 61 }])).toEqual([[2, 3]]);
    expect(run(sequence(q), [{ step: 'a', t: 10 }, { step: 'c', t: 11 }, { step: 'b', t: 20 }])).toEqual([[1, 3]]);
  });

  it('trailing: rejects when such an event follows within maxspan of the first step, and waits to know', () => {
    const q = 'sequence by k with maxspan=1m [any where step == "a"] [any where step == "b"] ![any where step == "c"]';
    expect(run(sequence(q), [{ step: 'a', t: 0 }, { step: 'b', t: 5 }, { step: 'c', t: 30 }])).toEqual([]);
    expect(run(sequence(q), [{ step: 'a', t: 0 }, { step: 'b', t: 5 }, { step: 'c', t: 61 }])).toEqual([[1, 2]]);
    expect(run(sequence(q), [{ step: 'a', t: 0 }, { step: 'b', t: 5 }])).toEqual([[1, 2]]);

    const state = sequence(q);
    const at = (step: string, t: number, line: number) =>
      state.observe({ event: { k: 'h1', step }, location: { file: 't', line }, timeMs: t * S, seq: line }).map((s) => s.map((e) => e.location.line));
    expect(at('a', 0, 1)).toEqual([]);
    expect(at('b', 5, 2)).toEqual([]);
    expect(at('x', 60, 3)).toEqual([]);
    // Once maxspan after the first event has passed, no trailing event can reject it: decided now.
    expect(at('x', 61, 4)).toEqual([[1, 2]]);
  });

  it('a single positive step with a trailing missing event is a sequence', () => {
    const q = 'sequence by k with maxspan=1m [any where step == "a"] ![any where step == "c"]';
    expect(run(sequence(q), [{ step: 'a', t: 0 }, { step: 'c', t: 10 }, { step: 'a', t: 100 }])).toEqual([[3]]);
  });

  it('with leading and trailing missing steps, rejects only when both are found within maxspan of each other', () => {
    const q = 'sequence by k with maxspan=1m ![any where step == "c"] [any where step == "a"] [any where step == "b"] ![any where step == "d"]';
    expect(run(sequence(q), [{ step: 'c', t: 0 }, { step: 'a', t: 10 }, { step: 'b', t: 20 }, { step: 'd', t: 30 }])).toEqual([]);
    expect(run(sequence(q), [{ step: 'c', t: 0 }, { step: 'a', t: 10 }, { step: 'b', t: 20 }])).toEqual([[2, 3]]);
    expect(run(sequence(q), [{ step: 'a', t: 10 }, { step: 'b', t: 20 }, { step: 'd', t: 30 }])).toEqual([[1, 2]]);
  });
});

describe('SequenceState: bounded state', () => {
  it('caps the keys it holds and counts the partial sequences it drops', () => {
    const state = sequence('sequence by k [any where step == "a"] [any where step == "b"]', 2);
    const found = run(state, [
      { step: 'a', k: 'k1', t: 0 },
      { step: 'a', k: 'k2', t: 1 },
      { step: 'a', k: 'k3', t: 2 },
      { step: 'b', k: 'k1', t: 3 },
      { step: 'b', k: 'k3', t: 4 },
    ]);
    expect(found).toEqual([[3, 5]]);
    expect(state.dropped).toBe(1);
  });

  it('expires partial sequences older than maxspan before dropping anything', () => {
    const state = sequence('sequence by k with maxspan=10s [any where step == "a"] [any where step == "b"]', 2);
    run(state, [
      { step: 'a', k: 'k1', t: 0 },
      { step: 'a', k: 'k2', t: 1 },
      { step: 'a', k: 'k3', t: 100 },
      { step: 'a', k: 'k4', t: 100 },
    ]);
    expect(state.dropped).toBe(0);
  });

  it('keeps memory flat over many distinct keys with a maxspan', () => {
    const state = sequence('sequence by k with maxspan=1s [any where step == "a"] [any where step == "b"]');
    for (let i = 0; i < 20_000; i++) {
      state.observe({ event: { k: `k${i}`, step: 'a' }, location: { file: 't', line: i }, timeMs: i * S, seq: i });
    }
    expect(state.pendingKeys).toBeLessThan(2100);
    expect(state.dropped).toBe(0);
  });
});

describe('SequenceState: join keys beyond 2^53', () => {
  it('joins only events whose key is the same integer, exactly', () => {
    const [a, b] = [parseJson('9007199254740993'), parseJson('9007199254740992')];
    if (typeof a !== 'bigint' || typeof b !== 'number') throw new Error('parseJson should keep 9007199254740993 exact');
    expect(run(sequence(AB), [{ step: 'a', k: a, t: 0 }, { step: 'b', k: b, t: 1 }])).toEqual([]);
    expect(run(sequence(AB), [{ step: 'a', k: a, t: 0 }, { step: 'b', k: a, t: 1 }])).toEqual([[1, 2]]);
    expect(run(sequence(AB), [{ step: 'a', k: b, t: 0 }, { step: 'b', k: b, t: 1 }])).toEqual([[1, 2]]);
  });
});
