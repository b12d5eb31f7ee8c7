import { describe, expect, it } from 'vitest';
import { parseDateMath, parseIsoDate } from './dateMath.js';

const NOW = Date.parse('2024-05-15T13:45:30.500Z'); // a Wednesday

describe('parseIsoDate', () => {
  it('reads dates without a zone as UTC and applies offsets', () => {
    expect(parseIsoDate('2024-05-01T10:00:00', false)).toBe(Date.parse('2024-05-01T10:00:00Z'));
    expect(parseIsoDate('2024-05-01T12:00:00+02:00', false)).toBe(Date.parse('2024-05-01T10:00:00Z'));
    expect(parseIsoDate('2024-05-01T10:00:00.123456789Z', false)).toBe(Date.parse('2024-05-01T10:00:00.123Z'));
  });

  it('fills missing parts with the start, or with round-up the end, of the unit', () => {
    expect(parseIsoDate('2024-02', false)).toBe(Date.parse('2024-02-01T00:00:00Z'));
    expect(parseIsoDate('2024-02', true)).toBe(Date.parse('2024-02-29T23:59:59.999Z'));
    expect(parseIsoDate('2024-05-01T10', true)).toBe(Date.parse('2024-05-01T10:59:59.999Z'));
  });

  it('rejects text that is not a valid date', () => {
    for (const bad of ['2024-13-01', '2024-02-30', 'yesterday', '2024/05/01', '']) expect(parseIsoDate(bad, false)).toBeUndefined();
  });
});

describe('parseDateMath', () => {
  it('adds and subtracts units from now', () => {
    expect(parseDateMath('now', NOW, false)).toBe(NOW);
    expect(parseDateMath('now-1d', NOW, false)).toBe(NOW - 86_400_000);
    expect(parseDateMath('now+2h-30m', NOW, false)).toBe(NOW + 90 * 60_000);
    expect(parseDateMath('now-1M', NOW, false)).toBe(Date.parse('2024-04-15T13:45:30.500Z'));
  });

  it('rounds down, or for gt / lte up to the last millisecond of the unit', () => {
    expect(parseDateMath('now/d', NOW, false)).toBe(Date.parse('2024-05-15T00:00:00Z'));
    expect(parseDateMath('now/d', NOW, true)).toBe(Date.parse('2024-05-15T23:59:59.999Z'));
    expect(parseDateMath('now/w', NOW, false)).toBe(Date.parse('2024-05-13T00:00:00Z'));
    expect(parseDateMath('now/M', NOW, true)).toBe(Date.parse('2024-05-31T23:59:59.999Z'));
  });

  it('anchors math on a date with ||', () => {
    expect(parseDateMath('2024-01-31||+1d', NOW, false)).toBe(Date.parse('2024-02-01T00:00:00Z'));
  });

  it('returns undefined for plain numbers and malformed math', () => {
    expect(parseDateMath('1714557600000', NOW, false)).toBeUndefined();
    expect(parseDateMath('now-1x', NOW, false)).toBeUndefined();
    expect(parseDateMath('now-', NOW, false)).toBeUndefined();
  });
});
