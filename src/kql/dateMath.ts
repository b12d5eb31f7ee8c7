import { parseDecimal } from './decimal.js';
import { MS_PER_UNIT } from '../time/duration.js';

/**
 * Elasticsearch's date parsing and date math for KQL range bounds (SPEC §B.3): ISO-8601 dates
 * (`strict_date_optional_time`), `now…` and `<date>||…`. Dates without a zone are UTC.
 */

const ISO_DATE =
  /^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2})(?:[T ]([0-9]{2})(?::([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]{1,9}))?)?)?)?)?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$/;

/**
 * Epoch millis of an ISO-8601 date (Elasticsearch's `strict_date_optional_time`). Missing parts
 * default to the unit's start, or with `roundUp` to its end (Elasticsearch's round-up parser).
 */
export function parseIsoDate(text: string, roundUp: boolean): number | undefined {
  const m = ISO_DATE.exec(text);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = m[2] === undefined ? (roundUp ? 12 : 1) : Number(m[2]);
  if (month < 1 || month > 12) return undefined;
  const lastDay = new Date(utcMs(year, month, 0, 0, 0, 0, 0)).getUTCDate();
  const day = m[3] === undefined ? (roundUp ? lastDay : 1) : Number(m[3]);
  if (day < 1 || day > lastDay) return undefined;
  const hour = m[4] === undefined ? (roundUp ? 23 : 0) : Number(m[4]);
  const minute = m[5] === undefined ? (roundUp ? 59 : 0) : Number(m[5]);
  const second = m[6] === undefined ? (roundUp ? 59 : 0) : Number(m[6]);
  const millis = m[7] === undefined ? (roundUp && m[6] === undefined ? 999 : 0) : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return utcMs(year, month - 1, day, hour, minute, second, millis) - zoneOffsetMs(m[8]);
}

/** `Date.UTC`, except that years 0–99 stay years 0–99 (`Date.UTC` reads them as 1900–1999). */
function utcMs(year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime();
}

const EPOCH_MILLIS = /^([0-9]{1,19})(?:\.[0-9]{0,6})?$/;

/**
 * A date field's reading of a value under its default format, `strict_date_optional_time ||
 * epoch_millis` (Elasticsearch `DateFieldMapper`): an ISO date first (so `2024` is a year), else
 * 1 to 19 digits of epoch millis with up to 6 digits of a fraction, which a millisecond field
 * drops (`EpochTime`). A number is read by its text, as the mapper does.
 */
export function parseDateFieldValue(text: string): number | undefined {
  const iso = parseIsoDate(text, false);
  if (iso !== undefined) return iso;
  const m = EPOCH_MILLIS.exec(text);
  return m === null ? undefined : Number(m[1]);
}

function zoneOffsetMs(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes) * 60_000;
}

const DATE_UNITS = ['y', 'M', 'w', 'd', 'h', 'H', 'm', 's'] as const;
type DateUnit = (typeof DATE_UNITS)[number];
const MATH_STEP = /([+-])([0-9]+)([yMwdhHms])|\/([yMwdhHms])/y;

function isDateUnit(text: string | undefined): text is DateUnit {
  return DATE_UNITS.some((unit) => unit === text);
}

/**
 * Epoch millis of `now…`, `<iso date>||…` or a plain ISO date; undefined for anything else
 * (epoch millis are handled as numbers by the caller).
 */
export function parseDateMath(text: string, nowMs: number, roundUp: boolean): number | undefined {
  let anchor: number | undefined;
  let rest: string;
  if (text.startsWith('now')) {
    anchor = nowMs;
    rest = text.slice(3);
  } else {
    const bar = text.indexOf('||');
    if (bar < 0) return parseIsoDate(text, roundUp);
    anchor = parseIsoDate(text.slice(0, bar), false) ?? parseDecimal(text.slice(0, bar));
    rest = text.slice(bar + 2);
  }
  if (anchor === undefined) return undefined;
  const date = new Date(anchor);
  MATH_STEP.lastIndex = 0;
  let at = 0;
  while (at < rest.length) {
    MATH_STEP.lastIndex = at;
    const step = MATH_STEP.exec(rest);
    if (step === null) return undefined;
    at = MATH_STEP.lastIndex;
    const [, sign, amount, addUnit, roundUnit] = step;
    if (isDateUnit(roundUnit)) roundDate(date, roundUnit, roundUp);
    else if (isDateUnit(addUnit)) addToDate(date, (sign === '-' ? -1 : 1) * Number(amount), addUnit);
    else return undefined;
  }
  return date.getTime();
}

function addToDate(date: Date, amount: number, unit: DateUnit): void {
  switch (unit) {
    case 'y':
      date.setUTCFullYear(date.getUTCFullYear() + amount);
      return;
    case 'M':
      date.setUTCMonth(date.getUTCMonth() + amount);
      return;
    case 'w':
    case 'd':
    case 'h':
    case 'm':
    case 's':
      date.setTime(date.getTime() + amount * MS_PER_UNIT[unit]);
      return;
    case 'H':
      date.setTime(date.getTime() + amount * MS_PER_UNIT.h);
      return;
  }
}

/** Rounds down to the start of the unit, or with `roundUp` to its last millisecond (weeks start on Monday). */
function roundDate(date: Date, unit: DateUnit, roundUp: boolean): void {
  const start = new Date(date.getTime());
  switch (unit) {
    case 'y':
      start.setUTCMonth(0, 1);
      start.setUTCHours(0, 0, 0, 0);
      break;
    case 'M':
      start.setUTCDate(1);
      start.setUTCHours(0, 0, 0, 0);
      break;
    case 'w':
      start.setUTCDate(start.getUTCDate() - ((start.getUTCDay() + 6) % 7));
      start.setUTCHours(0, 0, 0, 0);
      break;
    case 'd':
      start.setUTCHours(0, 0, 0, 0);
      break;
    case 'h':
    case 'H':
      start.setUTCMinutes(0, 0, 0);
      break;
    case 'm':
      start.setUTCSeconds(0, 0);
      break;
    case 's':
      start.setUTCMilliseconds(0);
      break;
  }
  if (!roundUp) {
    date.setTime(start.getTime());
    return;
  }
  addToDate(start, 1, unit);
  date.setTime(start.getTime() - 1);
}
