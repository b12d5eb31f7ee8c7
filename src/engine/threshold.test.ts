import { describe, expect, it } from 'vitest';
import { ThresholdState } from './threshold.js';

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
