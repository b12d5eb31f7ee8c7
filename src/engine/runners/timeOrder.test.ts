import { describe, expect, it } from 'vitest';
import { SpillFile } from '../../state/spillFile.js';
import { timeOrdered, type HeldEvent } from './timeOrder.js';

const held = (timeMs: number, seq: number): HeldEvent => ({ timeMs, seq, event: {}, location: { file: 'f', line: seq } });

describe('timeOrdered', () => {
  it('holds events until flush, then decides them in event-time order, ties in input order', () => {
    const decided: number[] = [];
    const order = timeOrdered(false, (h) => decided.push(h.seq), new SpillFile());
    for (const h of [held(30, 1), held(10, 2), held(20, 3), held(10, 4)]) order.add(h);
    expect(decided).toEqual([]);
    order.flush();
    expect(decided).toEqual([2, 4, 3, 1]);
    order.flush();
    expect(decided).toHaveLength(4);
  });

  it('live, decides each event as it comes, whatever its time', () => {
    const decided: number[] = [];
    const order = timeOrdered(true, (h) => decided.push(h.seq), new SpillFile());
    order.add(held(30, 1));
    order.add(held(10, 2));
    expect(decided).toEqual([1, 2]);
    order.flush();
    expect(decided).toEqual([1, 2]);
  });
});
