import { describe, expect, it } from 'vitest';
import { prng } from '../../../test/support/randomEcs.js';
import { SpillFile } from '../../state/spillFile.js';
import { EventHold, timeOrdered, type HeldEvent } from './timeOrder.js';

const held = (timeMs: number, seq: number): HeldEvent => ({ timeMs, seq, event: {}, location: { file: 'f', line: seq } });

describe('timeOrdered', () => {
  it('holds events until flush, then decides them in event-time order, ties in input order', () => {
    const decided: number[] = [];
    const order = timeOrdered(false, (h) => decided.push(h.seq), new EventHold(new SpillFile()));
    for (const h of [held(30, 1), held(10, 2), held(20, 3), held(10, 4)]) order.add(h);
    expect(decided).toEqual([]);
    order.flush();
    expect(decided).toEqual([2, 4, 3, 1]);
    order.flush();
    expect(decided).toHaveLength(4);
  });

  it('live, decides each event as it comes, whatever its time', () => {
    const decided: number[] = [];
    const order = timeOrdered(true, (h) => decided.push(h.seq), new EventHold(new SpillFile()));
    order.add(held(30, 1));
    order.add(held(10, 2));
    expect(decided).toEqual([1, 2]);
    order.flush();
    expect(decided).toEqual([1, 2]);
  });
});

describe('EventHold', () => {
  it('holds a line several rules want once, and gives each rule its own events in event-time order', () => {
    const hold = new EventHold(new SpillFile());
    const seen: string[] = [];
    const a = hold.taker((h) => seen.push(`a${h.seq}`));
    const b = hold.taker((h) => seen.push(`b${h.seq}`));
    const e1 = held(20, 1);
    const e2 = held(10, 2);
    const e3 = held(10, 3);
    a(e1);
    b(e1);
    b(e2);
    a(e3);
    b(e3);
    expect(hold.size).toBe(3);
    hold.flush();
    expect(seen).toEqual(['b2', 'a3', 'b3', 'a1', 'b1']);
    expect(hold.size).toBe(0);
  });

  it('holds one line twice when two rules place it at different times (timestamp_override)', () => {
    const hold = new EventHold(new SpillFile());
    const seen: string[] = [];
    const a = hold.taker((h) => seen.push(`a${h.seq}@${h.timeMs}`));
    const b = hold.taker((h) => seen.push(`b${h.seq}@${h.timeMs}`));
    const event = {};
    a({ timeMs: 30, seq: 1, event, location: { file: 'f', line: 1 } });
    b({ timeMs: 5, seq: 1, event, location: { file: 'f', line: 1 } });
    a({ timeMs: 10, seq: 2, event: {}, location: { file: 'f', line: 2 } });
    hold.flush();
    expect(seen).toEqual(['b1@5', 'a2@10', 'a1@30']);
  });

  it('gives every rule the same events in the same order whether they stay in memory or are spilled and parsed back', () => {
    const random = prng(11);
    const lines = Array.from({ length: 300 }, (_, i) => {
      const event = { n: i, big: 12345678901234567890n, s: `tab\there ${'x'.repeat(Math.floor(random() * 200))}` };
      // Few distinct times: many ties, decided in input order.
      return { timeMs: Math.floor(random() * 50), event, takers: [0, 1, 2].filter(() => random() < 0.5) };
    });
    const run = (spill: SpillFile, withRaw: boolean) => {
      const hold = new EventHold(spill);
      const seen: string[][] = [[], [], []];
      const takers = seen.map((out) => hold.taker((h) => out.push(`${h.timeMs} ${h.seq} ${h.location.line} ${String(h.event.n)} ${String(h.event.big)} ${String(h.event.s)}`)));
      lines.forEach(({ timeMs, event, takers: which }, i) => {
        const h = { timeMs, seq: i + 1, event, location: { file: 'f\tg', line: i + 1 } };
        // The line as a writer would have it: the integer beyond 2^53 written exactly.
        const raw = `${JSON.stringify({ n: event.n, s: event.s }).slice(0, -1)},"big":12345678901234567890}`;
        for (const t of which) takers[t]!(h, withRaw ? raw : undefined);
      });
      hold.flush();
      spill.close();
      return seen;
    };
    const inMemory = run(new SpillFile(), true);
    const spilled = new SpillFile(undefined, 16384, 4096);
    expect(run(spilled, true)).toEqual(inMemory);
    expect(spilled.onDisk).toBe(true);
    expect(run(new SpillFile(undefined, 16384, 4096), false)).toEqual(inMemory);
    // Each rule's events in (time, input order).
    for (const out of inMemory) {
      const keys = out.map((s) => s.split(' ').slice(0, 2).map(Number));
      expect(keys).toEqual([...keys].sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!));
    }
  });
});
