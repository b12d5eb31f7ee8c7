import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTimestamp, parseTimestamp } from './timestamp.js';

// The machine's zone must not matter: run these in a zone far from UTC, with summer time.
const savedTz = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'America/New_York';
});
afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

describe("parseTimestamp: an event's time as Elasticsearch reads a date field (strict_date_optional_time||epoch_millis)", () => {
  it.each([
    ['2020-01-01T00:00:00', Date.UTC(2020, 0, 1)],
    ['2020-07-01T12:30:45.123', Date.UTC(2020, 6, 1, 12, 30, 45, 123)],
    ['2020-07-01T12:30', Date.UTC(2020, 6, 1, 12, 30)],
    ['2020-07-01T12', Date.UTC(2020, 6, 1, 12)],
    ['2020-07-01', Date.UTC(2020, 6, 1)],
    ['2020-07', Date.UTC(2020, 6, 1)],
    ['2020', Date.UTC(2020, 0, 1)],
  ])('reads %s without a zone as UTC', (text, ms) => {
    expect(parseTimestamp(text)).toBe(ms);
  });

  it.each([
    ['2020-07-01T12:00:00Z', Date.UTC(2020, 6, 1, 12)],
    ['2020-07-01T12:00:00z', Date.UTC(2020, 6, 1, 12)],
    ['2020-07-01T12:00:00+02:00', Date.UTC(2020, 6, 1, 10)],
    ['2020-07-01T12:00:00-0530', Date.UTC(2020, 6, 1, 17, 30)],
    ['2020-07-01T12:00:00+01', Date.UTC(2020, 6, 1, 11)],
  ])('applies the zone of %s', (text, ms) => {
    expect(parseTimestamp(text)).toBe(ms);
  });

  it('keeps milliseconds of a longer fraction, dropping the rest (a date field stores milliseconds)', () => {
    expect(parseTimestamp('2020-07-01T12:00:00.123456789Z')).toBe(Date.UTC(2020, 6, 1, 12, 0, 0, 123));
    expect(parseTimestamp('2020-07-01T12:00:00,5Z')).toBe(Date.UTC(2020, 6, 1, 12, 0, 0, 500));
  });

  it('reads epoch milliseconds from a number or a digit string that is not a 4-digit year', () => {
    expect(parseTimestamp(1_700_000_000_000)).toBe(1_700_000_000_000);
    expect(parseTimestamp('1700000000000')).toBe(1_700_000_000_000);
    expect(parseTimestamp('1')).toBe(1);
    // An integer beyond 2^53 (event/exactNumber.ts) is read as its nearest double.
    expect(parseTimestamp(9_007_199_254_740_993n)).toBe(9_007_199_254_740_992);
  });

  it.each(['', 'yesterday', '2020-13-01', '2020-02-30', '2020-07-01T24:00:00Z', '07/01/2020', 'Wed, 01 Jul 2020 12:00:00 GMT', '2020-07-01T12:00:00+2'])(
    'gives no time for %j',
    (text) => {
      expect(parseTimestamp(text)).toBeUndefined();
    },
  );

  it('gives no time for what is not a string or a finite number', () => {
    for (const v of [null, true, {}, [], Number.NaN, Infinity]) expect(parseTimestamp(v)).toBeUndefined();
  });

  it('reads a 4-digit year below 100 as that year, not as 19xx (Date.UTC would)', () => {
    expect(parseTimestamp('0042-03-04T00:00:00Z')).toBe(new Date(Date.UTC(2000, 2, 4)).setUTCFullYear(42));
    expect(parseTimestamp('0000-01-01')).toBe(new Date(Date.UTC(2000, 0, 1)).setUTCFullYear(0));
  });

  it('gives no time for a zone beyond ±18:00 or with more than 59 minutes', () => {
    expect(parseTimestamp('2020-07-01T12:00:00+19:00')).toBeUndefined();
    expect(parseTimestamp('2020-07-01T12:00:00+01:60')).toBeUndefined();
    expect(parseTimestamp('2020-07-01T12:00:00-18:00')).toBe(Date.UTC(2020, 6, 2, 6));
  });

  it('reads February 29 only in leap years (every 4th, not centuries unless every 400th)', () => {
    expect(parseTimestamp('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(parseTimestamp('2000-02-29')).toBe(Date.UTC(2000, 1, 29));
    expect(parseTimestamp('1900-02-29')).toBeUndefined();
    expect(parseTimestamp('2023-02-29')).toBeUndefined();
  });

  it('writes a time as ISO 8601 in UTC', () => {
    expect(formatTimestamp(Date.UTC(2020, 0, 1))).toBe('2020-01-01T00:00:00.000Z');
    expect(formatTimestamp(undefined)).toBeNull();
    expect(formatTimestamp(8.64e15 + 1)).toBeNull();
    // A day that starts past the last date there is.
    expect(formatTimestamp(8.64e15 + 86_400_000)).toBeNull();
  });

  it('writes every time as Date does, day after day, across years and out of range', () => {
    const DAY = 86_400_000;
    const times = [0, -1, 1, DAY - 1, DAY, -DAY, Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(2024, 2, 1), 0.5, -0.5, 1714557600000.7];
    times.push(Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1), -62167219200000, -62167219200001, 8.64e15, -8.64e15, 8.64e15 - 1, 8.64e15 + 1);
    let t = Date.UTC(2024, 4, 1);
    for (let i = 0; i < 500; i++) times.push((t += (i * 7919) % 9_000_000));
    for (const ms of times) {
      const d = new Date(ms);
      expect(formatTimestamp(ms), String(ms)).toBe(Number.isNaN(d.getTime()) ? null : d.toISOString());
    }
  });
});

describe('event times as epoch_millis (EpochTime)', () => {
  it('take a sign and cut a fraction, and stop at 19 digits', () => {
    expect(parseTimestamp('-1000')).toBe(-1000);
    expect(parseTimestamp('1700000000000.75')).toBe(1_700_000_000_000);
    expect(parseTimestamp('12345678901234567890')).toBeUndefined();
  });
});
