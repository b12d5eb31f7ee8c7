import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseJson } from '../event/json.js';
import type { EcsEvent } from '../event/types.js';
import { SpillFile } from '../state/spillFile.js';
import { compileTermsOf, NewTermsReplay, NewTermsState, termKey } from './newTerms.js';

const DAY = 86_400_000;

describe('new_terms terms (SPEC §D)', () => {
  it('gives every combination of array values', () => {
    const termsOf = compileTermsOf(['host.name', 'user.name']);
    expect(termsOf({ host: { name: ['a', 'b'] }, user: { name: 'u' } })).toEqual([
      ['a', 'u'],
      ['b', 'u'],
    ]);
  });

  it('gives no term when any field is missing or null', () => {
    const termsOf = compileTermsOf(['host.name', 'user.name']);
    expect(termsOf({ host: { name: 'a' } })).toEqual([]);
    expect(termsOf({ host: { name: 'a' }, user: { name: null } })).toEqual([]);
  });

  it("keeps the first 100 combinations of a multi-field term, as Kibana's runtime field does", () => {
    const many = (prefix: string) => Array.from({ length: 1_000 }, (_, i) => `${prefix}${i}`);
    const termsOf = compileTermsOf(['host.name', 'user.name', 'process.name']);
    const terms = termsOf({ host: { name: many('h') }, user: { name: many('u') }, process: { name: many('p') } });
    expect(terms).toHaveLength(100);
    expect(terms[0]).toEqual(['h0', 'u0', 'p0']);
    expect(terms[99]).toEqual(['h0', 'u0', 'p99']);
    // Fewer combinations than the cap: all of them.
    expect(termsOf({ host: { name: many('h').slice(0, 5) }, user: { name: many('u').slice(0, 4) }, process: { name: 'p' } })).toHaveLength(20);
  });

  it('builds at most the capped number of terms, however large the arrays (work counted)', () => {
    let built = 0;
    const counting = new Proxy(Array.prototype.push, {
      apply(target, self: unknown[], args: unknown[]) {
        built += args.length;
        return Reflect.apply(target, self, args);
      },
    });
    const values = Array.from({ length: 2_000 }, (_, i) => i);
    const termsOf = compileTermsOf(['a', 'b', 'c'], 100);
    const push = Array.prototype.push;
    Array.prototype.push = counting;
    try {
      termsOf({ a: values, b: values, c: values });
    } finally {
      Array.prototype.push = push;
    }
    // Reading and de-duplicating 3 × 2,000 values, plus at most 100 terms per field.
    expect(built).toBeLessThan(3 * 2_000 + 3 * 100 + 50);
  });

  it('lists every value of a single field, however many', () => {
    const values = Array.from({ length: 5_000 }, (_, i) => `/bin/x${i}`);
    expect(compileTermsOf(['process.executable'])({ process: { executable: values } })).toHaveLength(5_000);
  });

  it('reads dotted keys like nested objects (SPEC §C)', () => {
    expect(compileTermsOf(['process.executable'])({ 'process.executable': '/bin/x' })).toEqual([['/bin/x']]);
  });
});

describe('NewTermsState (SPEC §D)', () => {
  it('alerts on a never-seen term and not on a repeat within the window', () => {
    const s = new NewTermsState(5 * DAY);
    expect(s.observe([['/bin/kmod']], 0)).toEqual([['/bin/kmod']]);
    expect(s.observe([['/bin/kmod']], 5 * DAY)).toEqual([]);
  });

  it('alerts again when the term was last seen more than the window before', () => {
    const s = new NewTermsState(5 * DAY);
    s.observe([['x']], 0);
    expect(s.observe([['x']], 5 * DAY + 1)).toEqual([['x']]);
  });

  it('takes remembered sightings as the history and updates them in place', () => {
    const lastSeen = new Map([[termKey(['x']), 10 * DAY]]);
    const s = new NewTermsState(5 * DAY, lastSeen);
    expect(s.observe([['x']], 2 * DAY)).toEqual([]); // older than the remembered sighting: seen since
    expect(lastSeen.get(termKey(['x']))).toBe(10 * DAY);
    expect(s.observe([['x']], 15 * DAY)).toEqual([]);
    expect(s.observe([['x']], 20 * DAY + 1)).toEqual([['x']]);
    expect(s.observe([['y']], 0)).toEqual([['y']]);
    expect(lastSeen).toEqual(new Map([[termKey(['x']), 20 * DAY + 1], [termKey(['y']), 0]]));
  });

  it('lets every sighting extend the history', () => {
    const s = new NewTermsState(5 * DAY);
    s.observe([['x']], 0);
    s.observe([['x']], 4 * DAY);
    expect(s.observe([['x']], 8 * DAY)).toEqual([]);
  });
});

describe('NewTermsReplay (SPEC §D, file mode)', () => {
  /** The reference: hold everything, sort by (time, input order), replay through NewTermsState. */
  function reference(sightings: Array<{ term: string; t: number }>, window: number, remembered = new Map<string, number>()) {
    const state = new NewTermsState(window, remembered);
    return sightings
      .map((s, seq) => ({ ...s, seq }))
      .sort((a, b) => a.t - b.t || a.seq - b.seq)
      .filter((s) => state.observe([[s.term]], s.t).length > 0)
      .map((s) => s.seq);
  }

  it('finds exactly the sightings a sorted replay finds, in any arrival order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ term: fc.constantFrom('a', 'b', 'c'), t: fc.integer({ min: 0, max: 20 }) }), { maxLength: 60 }),
        fc.integer({ min: 0, max: 6 }),
        (sightings, window) => {
          const replay = new NewTermsReplay(window);
          sightings.forEach((s, seq) => replay.add([[s.term]], s.t, seq, () => String(seq)));
          expect([...replay.finish()].map((f) => Number(f.doc))).toEqual(reference(sightings, window));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds exactly the sightings a sorted replay finds when terms are seen hundreds of times, out of order', () => {
    // Enough sightings per term that they are merged into clusters many times over.
    fc.assert(
      fc.property(
        fc.array(fc.record({ term: fc.constantFrom('a', 'b'), t: fc.integer({ min: 0, max: 400 }) }), { minLength: 100, maxLength: 600 }),
        fc.integer({ min: 0, max: 12 }),
        fc.dictionary(fc.constantFrom('a', 'b'), fc.integer({ min: 0, max: 40 })),
        (sightings, window, remembered) => {
          const seed = () => new Map(Object.entries(remembered).map(([term, t]) => [termKey([term]), t]));
          const expected = reference(sightings, window, seed());
          const replay = new NewTermsReplay(window, seed());
          sightings.forEach((s, seq) => replay.add([[s.term]], s.t, seq, () => String(seq)));
          expect([...replay.finish()].map((f) => Number(f.doc))).toEqual(expected);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('keeps a term seen 100,000 times in shuffled order in a few numbers, not two per sighting', () => {
    const replay = new NewTermsReplay(1000);
    // Two clusters: times 0..49,999 and 200,000..249,999, every sighting within the window of another.
    const n = 100_000;
    const times = Array.from({ length: n }, (_, i) => (i < n / 2 ? i : 150_000 + i));
    for (let i = n - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [times[i], times[j]] = [times[j]!, times[i]!];
    }
    times.forEach((t, seq) => replay.add([['/usr/bin/kmod']], t, seq, () => String(seq)));
    expect(replay.sightingsKept).toBeLessThan(100);
    const found = [...replay.finish()].map((f) => times[Number(f.doc)]);
    expect(found).toEqual([0, 200_000]);
  });

  it('takes remembered sightings as before all of this run, and records the latest sightings', () => {
    const termTimes = fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 20 }));
    fc.assert(
      fc.property(
        fc.array(fc.record({ term: fc.constantFrom('a', 'b', 'c', 'd'), t: fc.integer({ min: 0, max: 20 }) }), { maxLength: 60 }),
        fc.integer({ min: 0, max: 6 }),
        termTimes,
        (sightings, window, remembered) => {
          const seed = () => new Map(Object.entries(remembered).map(([term, t]) => [termKey([term]), t]));
          const expectedHistory = seed();
          const expected = reference(sightings, window, expectedHistory);
          const history = seed();
          const replay = new NewTermsReplay(window, history);
          sightings.forEach((s, seq) => replay.add([[s.term]], s.t, seq, () => String(seq)));
          expect([...replay.finish()].map((f) => Number(f.doc))).toEqual(expected);
          expect(history).toEqual(expectedHistory);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('raises nothing when the same sightings are replayed against the history they left', () => {
    const history = new Map<string, number>();
    const sightings = [['b', 3 * DAY], ['a', 0], ['a', 9 * DAY], ['b', 1 * DAY]] as const;
    const run = () => {
      const replay = new NewTermsReplay(5 * DAY, history);
      sightings.forEach(([term, t], seq) => replay.add([[term]], t, seq, () => String(seq)));
      return [...replay.finish()].map((f) => Number(f.doc));
    };
    expect(run()).toEqual([1, 3, 2]);
    expect(run()).toEqual([]);
  });

  it('gives the same sightings when its held documents go through the disk', () => {
    const sightings = Array.from({ length: 400 }, (_, i) => ({ term: `t${(i * 7) % 13}`, t: (i * 7919) % 1000 }));
    const onDisk = new SpillFile(undefined, 512, 1024);
    const replay = new NewTermsReplay(30, new Map(), onDisk);
    sightings.forEach((s, seq) => replay.add([[s.term]], s.t, seq, () => `${seq} ${'x'.repeat(100)}`));
    const found = [...replay.finish()].map((f) => Number(f.doc.split(' ')[0]));
    expect(onDisk.onDisk).toBe(true);
    expect(found).toEqual(reference(sightings, 30));
    onDisk.close();
  });

  it('keeps documents only for sightings that can still be new when input is in time order', () => {
    const replay = new NewTermsReplay(5 * DAY);
    const kept: string[] = [];
    const doc = (name: string) => {
      kept.push(name);
      return name;
    };
    for (let i = 0; i < 100; i++) replay.add([['/bin/kmod']], i * 1000, i, () => (i === 0 ? doc('first') : doc('repeat')));
    // Only the one sighting that may be new is kept: the sort holds one line, not 100.
    expect(replay.held).toBe(1);
    expect(kept).toEqual(['first']);
    expect([...replay.finish()].map((s) => s.doc)).toEqual(['first']);
  });
});

describe('new_terms terms beyond 2^53', () => {
  it('keeps 9007199254740993 and 9007199254740992 apart, which JSON.parse makes one number', () => {
    const termsOf = compileTermsOf(['process.pid']);
    const [t993] = termsOf(parseJson('{"process":{"pid":9007199254740993}}') as EcsEvent);
    const [t992] = termsOf(parseJson('{"process":{"pid":9007199254740992}}') as EcsEvent);
    expect(t993).toEqual([9007199254740993n]);
    expect(termKey(t993!)).toBe('[9007199254740993]');
    expect(termKey(t992!)).toBe('[9007199254740992]');
    // Both values in one event are two terms.
    expect(termsOf(parseJson('{"process":{"pid":[9007199254740993,9007199254740992]}}') as EcsEvent)).toHaveLength(2);
  });

  it('alerts on each of the two as a new term', () => {
    const state = new NewTermsState(DAY);
    const termsOf = compileTermsOf(['pid']);
    const terms = (text: string) => termsOf(parseJson(text) as EcsEvent);
    expect(state.observe(terms('{"pid":9007199254740992}'), 0)).toEqual([[9007199254740992]]);
    expect(state.observe(terms('{"pid":9007199254740993}'), 1)).toEqual([[9007199254740993n]]);
    expect(state.observe(terms('{"pid":9007199254740993}'), 2)).toEqual([]);
  });
});
