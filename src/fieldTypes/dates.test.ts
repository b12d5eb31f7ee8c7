import { describe, expect, it } from 'vitest';
import { compileDateFormat, DateFormatError, indexedDate, parseQueryDate } from './dates.js';
import { DEFAULT_DATE_FORMAT } from './types.js';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('date formats', () => {
  const def = compileDateFormat(DEFAULT_DATE_FORMAT);

  it('strict_date_optional_time reads partial dates, fractions and zones; no zone is UTC', () => {
    expect(iso(def.parse('2024', false))).toBe('2024-01-01T00:00:00.000Z');
    expect(iso(def.parse('2024-05-01T10:20:30.123456789+02:00', false))).toBe('2024-05-01T08:20:30.123Z');
    expect(iso(def.parse('2024-05-01T10:20', false))).toBe('2024-05-01T10:20:00.000Z');
    expect(def.parse('2024-02-30', false)).toBeUndefined();
    expect(def.parse('2024-5-1', false)).toBeUndefined();
  });

  it('fills missing components as Elasticsearch documents when rounding up', () => {
    // "Missing date components": month and day 01, hour 23, minute 59, second 59, .999.
    expect(iso(def.parse('2099-12', true))).toBe('2099-12-01T23:59:59.999Z');
    expect(iso(def.parse('2024-05-01', true))).toBe('2024-05-01T23:59:59.999Z');
    expect(iso(def.parse('2024-05-01T10:20', true))).toBe('2024-05-01T10:20:59.999Z');
  });

  it('falls back to epoch_millis', () => {
    expect(iso(def.parse('1714557600000', false))).toBe('2024-05-01T10:00:00.000Z');
    expect(iso(indexedDate(def, 1714557600000))).toBe('2024-05-01T10:00:00.000Z');
    expect(indexedDate(def, true)).toBeUndefined();
  });

  it('reads custom Java patterns and epoch_second', () => {
    const f = compileDateFormat('yyyy-MM-dd HH:mm:ss||epoch_second');
    expect(iso(f.parse('2024-05-01 10:00:00', false))).toBe('2024-05-01T10:00:00.000Z');
    expect(iso(f.parse('1714557600', false))).toBe('2024-05-01T10:00:00.000Z');
    expect(f.parse('2024-05-01T10:00:00Z', false)).toBeUndefined();
  });

  it('refuses pattern letters it cannot read', () => {
    expect(() => compileDateFormat('EEE, dd MMM yyyy')).toThrow(DateFormatError);
  });
});

describe('date math', () => {
  const def = compileDateFormat(DEFAULT_DATE_FORMAT);
  const now = Date.UTC(2024, 4, 15, 13, 45, 10, 500); // a Wednesday
  it.each([
    ['now', false, '2024-05-15T13:45:10.500Z'],
    ['now-1d', false, '2024-05-14T13:45:10.500Z'],
    ['now+1M/M', false, '2024-06-01T00:00:00.000Z'],
    ['now/d', true, '2024-05-15T23:59:59.999Z'],
    ['now/w', false, '2024-05-13T00:00:00.000Z'],
    ['now-1y/y', false, '2023-01-01T00:00:00.000Z'],
    // Java's plusMonths takes the month's last day (Date.setUTCMonth would give March 2).
    ['2024-01-31||+1M', false, '2024-02-29T00:00:00.000Z'],
    ['2024-02-29||+1y', false, '2025-02-28T00:00:00.000Z'],
    ['2024-03-31||-1M', false, '2024-02-29T00:00:00.000Z'],
    ['2024-05-01||/M', true, '2024-05-31T23:59:59.999Z'],
  ])('%s (round up: %s)', (text, roundUp, expected) => {
    expect(iso(parseQueryDate(def, text, roundUp, now))).toBe(expected);
  });
  it('rejects what is not date math', () => {
    expect(parseQueryDate(def, 'now-1x', false, now)).toBeUndefined();
    expect(parseQueryDate(def, 'then', false, now)).toBeUndefined();
  });
});
