import { describe, expect, it } from 'vitest';
import { compileTimeWindow, parseTimeBound } from './timeWindow.js';

const NOW = Date.parse('2024-05-10T00:00:00Z');

describe('--since / --until', () => {
  it('reads ISO 8601, epoch milliseconds and spans back from now', () => {
    expect(parseTimeBound('2024-05-01', NOW)).toBe(Date.parse('2024-05-01T00:00:00Z'));
    expect(parseTimeBound('2024-05-01T10:00:00+02:00', NOW)).toBe(Date.parse('2024-05-01T08:00:00Z'));
    expect(parseTimeBound('1714557600000', NOW)).toBe(1714557600000);
    expect(parseTimeBound('24h', NOW)).toBe(NOW - 86_400_000);
    expect(parseTimeBound('7d', NOW)).toBe(NOW - 7 * 86_400_000);
  });

  it('says what it accepts when it cannot read a time', () => {
    expect(() => parseTimeBound('yesterday', NOW)).toThrow(/not a time: use ISO 8601/);
  });

  it('keeps events whose @timestamp lies within both bounds, inclusive, and drops untimed ones (SPEC §D)', () => {
    const inWindow = compileTimeWindow({ since: Date.parse('2024-05-01T00:00:00Z'), until: Date.parse('2024-05-02T00:00:00Z') })!;
    expect(inWindow({ '@timestamp': '2024-05-01T00:00:00Z' })).toBe(true);
    expect(inWindow({ '@timestamp': '2024-05-02T00:00:00Z' })).toBe(true);
    expect(inWindow({ '@timestamp': '2024-04-30T23:59:59Z' })).toBe(false);
    expect(inWindow({ '@timestamp': '2024-05-02T00:00:00.001Z' })).toBe(false);
    expect(inWindow({})).toBe(false);
    expect(compileTimeWindow({})).toBeUndefined();
  });
});
