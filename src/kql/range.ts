import type { KqlRangeOperator, KqlValue } from './ast.js';
import { valueText } from './ast.js';
import { parseDecimal } from './valueSet.js';
import { parseIp } from '../event/cidr.js';
import type { ValueTest } from './valueSet.js';
import { MS_PER_UNIT } from '../time/duration.js';

/**
 * `field < v`, `<=`, `>`, `>=` (SPEC §B.3). Kibana sends an Elasticsearch `range` query and the
 * mapping decides how `v` is read; offline, the event value's JSON type stands in for it:
 * - a number compares numerically with `v` as a number, or, when `v` is a date, as epoch millis;
 * - a string that is a full ISO-8601 date compares as a date when `v` is a date or epoch millis;
 * - any other string compares lexicographically by code point (a keyword's UTF-8 byte order);
 * - booleans and objects never match.
 * Dates without a zone are UTC, as in Elasticsearch. `now`, `now-1d`, `now/d`, `2024-05-01||+1M`
 * are Elasticsearch date math, evaluated once, when the query is compiled.
 */
export function compileRangeTest(operator: KqlRangeOperator, value: KqlValue, nowMs: number): ValueTest {
  const text = valueText(value);
  if (text === null) return () => false;
  const holds = comparison(operator);
  const bound = parseDecimal(text);
  // gt and lte round a partial date or `/unit` up to the unit's last millisecond, as Elasticsearch does.
  const roundUp = operator === 'gt' || operator === 'lte';
  const dateBound = parseDateMath(text, nowMs, roundUp);
  const dateOrEpoch = dateBound ?? bound;
  const ipBound = dateOrEpoch === undefined ? parseIp(text) : null;
  const ipBound16 = ipBound === null ? null : asIpv6(ipBound);

  return (v) => {
    switch (typeof v) {
      case 'number':
        if (bound !== undefined) return holds(v - bound);
        if (dateBound !== undefined) return holds(v - dateBound);
        return false;
      case 'string': {
        // Only a full calendar date in the event reads as a date: a keyword such as "2024" must
        // keep comparing as text.
        if (dateOrEpoch !== undefined && v.length >= 10 && v.charCodeAt(4) === 45 /* - */) {
          const ms = parseIsoDate(v, false);
          if (ms !== undefined) return holds(ms - dateOrEpoch);
        }
        // An address against an address compares as an ip field does (SPEC §B.3: ranges on IPs).
        if (ipBound16 !== null) {
          const ip = parseIp(v);
          if (ip !== null) return holds(compareBytes(asIpv6(ip), ipBound16));
        }
        return holds(compareCodePoints(v, text));
      }
      default:
        return false;
    }
  };
}

/** Elasticsearch keeps every ip as 16 bytes, an IPv4 address as ::ffff:a.b.c.d, and orders them bytewise. */
function asIpv6(ip: Uint8Array): Uint8Array {
  if (ip.length === 16) return ip;
  const v6 = new Uint8Array(16);
  v6[10] = 0xff;
  v6[11] = 0xff;
  v6.set(ip, 12);
  return v6;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function comparison(operator: KqlRangeOperator): (difference: number) => boolean {
  switch (operator) {
    case 'lt':
      return (d) => d < 0;
    case 'lte':
      return (d) => d <= 0;
    case 'gt':
      return (d) => d > 0;
    case 'gte':
      return (d) => d >= 0;
  }
}

/**
 * Compares by code point, which is the UTF-8 byte order Elasticsearch uses for keywords; plain
 * UTF-16 comparison would put U+E000–U+FFFF after astral characters.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

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
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = m[3] === undefined ? (roundUp ? lastDay : 1) : Number(m[3]);
  if (day < 1 || day > lastDay) return undefined;
  const hour = m[4] === undefined ? (roundUp ? 23 : 0) : Number(m[4]);
  const minute = m[5] === undefined ? (roundUp ? 59 : 0) : Number(m[5]);
  const second = m[6] === undefined ? (roundUp ? 59 : 0) : Number(m[6]);
  const millis = m[7] === undefined ? (roundUp && m[6] === undefined ? 999 : 0) : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  return utc - zoneOffsetMs(m[8]);
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
