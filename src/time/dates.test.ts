import { describe, expect, it } from 'vitest';
import { parseDateMath as parseMath, parseDefaultDate, parseEpochMillis, parseIsoDate } from './dates.js';

/** Date math over ISO anchors (a date field's default format is tested in src/fieldTypes/dates.test.ts). */
const parseDateMath = (text: string, now: number, roundUp: boolean) => parseMath(text, now, roundUp, (t, r) => parseIsoDate(t, r));

const NOW = Date.parse('2024-05-15T13:45:30.500Z'); // a Wednesday

describe('parseIsoDate', () => {
  it('reads dates without a zone as UTC and applies offsets', () => {
    expect(parseIsoDate('2024-05-01T10:00:00', false)).toBe(Date.parse('2024-05-01T10:00:00Z'));
    expect(parseIsoDate('2024-05-01T12:00:00+02:00', false)).toBe(Date.parse('2024-05-01T10:00:00Z'));
    expect(parseIsoDate('2024-05-01T10:00:00.123456789Z', false)).toBe(Date.parse('2024-05-01T10:00:00.123Z'));
  });

  it('fills missing parts with the start, or when rounding up as Elasticsearch does', () => {
    expect(parseIsoDate('2024-02', false)).toBe(Date.parse('2024-02-01T00:00:00Z'));
    // Range query reference, "Missing date components": month and day are 01 when rounding up too
    // (DateFormatters ROUND_UP fields); src/kql once filled the month's last day.
    expect(parseIsoDate('2024-02', true)).toBe(Date.parse('2024-02-01T23:59:59.999Z'));
    expect(parseIsoDate('2099-12', true)).toBe(Date.parse('2099-12-01T23:59:59.999Z'));
    expect(parseIsoDate('2024-05-01T10', true)).toBe(Date.parse('2024-05-01T10:59:59.999Z'));
    // A missing fraction is .999 when rounding up, seconds given or not.
    expect(parseIsoDate('2024-05-01T10:20:30', true)).toBe(Date.parse('2024-05-01T10:20:30.999Z'));
  });

  it('takes a space or t for the T and z for Z only when lenient (event times, KQL bounds)', () => {
    expect(parseIsoDate('2024-05-01 10:00:00', false)).toBeUndefined();
    expect(parseIsoDate('2024-05-01 10:00:00', false, { lenient: true })).toBe(Date.parse('2024-05-01T10:00:00Z'));
    expect(parseIsoDate('2024-05-01t10:00:00z', false, { lenient: true })).toBe(Date.parse('2024-05-01T10:00:00Z'));
  });

  it('keeps years 0-99 and refuses zones beyond 18 hours', () => {
    expect(new Date(parseIsoDate('0099-01-01', false)!).getUTCFullYear()).toBe(99);
    expect(parseIsoDate('2024-05-01T10:00:00+19:00', false)).toBeUndefined();
  });

  it('rejects text that is not a valid date', () => {
    for (const bad of ['2024-13-01', '2024-02-30', 'yesterday', '2024/05/01', '']) expect(parseIsoDate(bad, false)).toBeUndefined();
  });
});

describe('epoch millis and the default format', () => {
  it('reads epoch_millis with a sign and a fraction it drops', () => {
    expect(parseEpochMillis('1714557600000')).toBe(1714557600000);
    expect(parseEpochMillis('1600000000001.5')).toBe(1600000000001);
    expect(parseEpochMillis('-1000')).toBe(-1000);
    expect(parseEpochMillis('12345678901234567890')).toBeUndefined();
  });

  it('tries the ISO date first: 2024 is a year', () => {
    expect(parseDefaultDate('2024')).toBe(Date.parse('2024-01-01T00:00:00Z'));
    expect(parseDefaultDate('20240')).toBe(20240);
  });

  it('reads the same text again as it read it, whichever way it is asked in between', () => {
    const day = Date.parse('2024-05-01T00:00:00Z');
    const asks: Array<[string, boolean, boolean, number | undefined]> = [
      ['2024-05-01', false, false, day],
      ['2024-05-01', true, false, day + 86_400_000 - 1],
      ['2024-05-01', false, false, day],
      ['2024-05-01 00:00:01', false, true, day + 1000],
      ['2024-05-01 00:00:01', false, false, undefined],
      ['2024-05-01 00:00:01', false, true, day + 1000],
    ];
    for (const [text, roundUp, lenient, ms] of asks) expect(parseDefaultDate(text, roundUp, { lenient })).toBe(ms);
  });

  it('counts years around 100 alike, however the date is built', () => {
    expect(parseDefaultDate('0100-01-01T00:00:00Z')! - parseDefaultDate('0099-12-31T23:59:59.999Z')!).toBe(1);
    expect(new Date(parseDefaultDate('0100-03-01')!).toISOString()).toBe('0100-03-01T00:00:00.000Z');
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

  it('steps months as Java plusMonths does: to the last day of a shorter month', () => {
    // Date.setUTCMonth would land on March 2; src/kql once did.
    expect(parseDateMath('2024-01-31||+1M', NOW, false)).toBe(Date.parse('2024-02-29T00:00:00Z'));
    expect(parseDateMath('2023-01-31||+1M', NOW, false)).toBe(Date.parse('2023-02-28T00:00:00Z'));
    expect(parseDateMath('2024-02-29||+1y', NOW, false)).toBe(Date.parse('2025-02-28T00:00:00Z'));
  });

  it('returns undefined for plain numbers and malformed math', () => {
    expect(parseDateMath('1714557600000', NOW, false)).toBeUndefined();
    expect(parseDateMath('now-1x', NOW, false)).toBeUndefined();
    expect(parseDateMath('now-', NOW, false)).toBeUndefined();
  });
});

describe('every part of an ISO date and of date math', () => {
  const at = (text: string, roundUp = false) => {
    const ms = parseIsoDate(text, roundUp);
    return ms === undefined ? undefined : new Date(ms).toISOString();
  };

  it('checks each component against its range', () => {
    for (const bad of ['2024-00', '2024-13', '2024-01-00', '2023-02-29', '2024-04-31', '2024-01-01T24', '2024-01-01T10:60', '2024-01-01T10:00:60']) {
      expect(at(bad), bad).toBeUndefined();
    }
    expect(at('2024-02-29')).toBe('2024-02-29T00:00:00.000Z');
    expect(at('2000-02-29')).toBe('2000-02-29T00:00:00.000Z');
    expect(at('1900-02-29')).toBeUndefined();
  });

  it('rounds each missing component up, and keeps the given ones', () => {
    expect(at('2024', true)).toBe('2024-01-01T23:59:59.999Z');
    expect(at('2024-05-06T07:08', true)).toBe('2024-05-06T07:08:59.999Z');
    expect(at('2024-05-06T07:08:09.1', true)).toBe('2024-05-06T07:08:09.100Z');
  });

  it('reads zones with and without a colon, and refuses minutes beyond 59', () => {
    expect(at('2024-05-01T10:00:00-0130')).toBe('2024-05-01T11:30:00.000Z');
    expect(at('2024-05-01T10:00:00+01')).toBe('2024-05-01T09:00:00.000Z');
    expect(at('2024-05-01T10:00:00+05:60')).toBeUndefined();
  });

  const now = Date.parse('2024-05-15T13:45:30.500Z'); // a Wednesday
  const math = (text: string, roundUp = false) => {
    const ms = parseDateMath(text, now, roundUp);
    return ms === undefined ? undefined : new Date(ms).toISOString();
  };

  it.each([
    ['now/y', false, '2024-01-01T00:00:00.000Z'],
    ['now/y', true, '2024-12-31T23:59:59.999Z'],
    ['now/M', false, '2024-05-01T00:00:00.000Z'],
    ['now/w', true, '2024-05-19T23:59:59.999Z'],
    ['now/h', false, '2024-05-15T13:00:00.000Z'],
    ['now/H', true, '2024-05-15T13:59:59.999Z'],
    ['now/m', true, '2024-05-15T13:45:59.999Z'],
    ['now/s', false, '2024-05-15T13:45:30.000Z'],
    ['now+1y', false, '2025-05-15T13:45:30.500Z'],
    ['now-2w', false, '2024-05-01T13:45:30.500Z'],
    ['now+1h+1H', false, '2024-05-15T15:45:30.500Z'],
    ['now-1m-1s', false, '2024-05-15T13:44:29.500Z'],
    ['now-5M', false, '2023-12-15T13:45:30.500Z'],
  ])('%s (round up: %s) is %s', (text, roundUp, expected) => {
    expect(math(text, roundUp)).toBe(expected);
  });

  it('is undefined for an anchor that is no date, and for math beyond the calendar', () => {
    expect(math('yesterday||+1d')).toBeUndefined();
    expect(math('now+999999999y')).toBeUndefined();
    expect(parseMath('99999999999999999||+1d', now, false, (t) => parseEpochMillis(t))).toBeUndefined();
  });
});
