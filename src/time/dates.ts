import { MS_PER_UNIT } from './duration.js';

/**
 * The one reader of Elasticsearch dates, for every stage: event times (timestamp.ts), KQL range
 * bounds and date fields (src/kql, src/fieldTypes, which adds a mapping's other formats on top).
 *
 * - `strict_date_optional_time` (DateFormatters, Elasticsearch's default with `epoch_millis`):
 *   `yyyy[-MM[-dd[Thh[:mm[:ss[.fraction]]]]]][zone]`, a 4-digit year, 2-digit fields, up to 9
 *   fraction digits after `.` or `,` (a date field keeps milliseconds: the rest is cut), a zone `Z`
 *   or `±hh[[:]mm]` up to ±18:00. Text without a zone is UTC, never the machine's zone.
 * - Rounding up (a range's `gt` / `lte` bound, the end of an exact date) fills what the text leaves
 *   out as Elasticsearch's round-up parser does (JavaDateMathParser with DateFormatters'
 *   ROUND_UP_BASE_FIELDS; range query reference, "Missing date components"): month and day 01,
 *   hour 23, minute and second 59, fraction .999; so `lte 2024-05` ends at 2024-05-01T23:59:59.999.
 * - Date math (JavaDateMathParser): `now` or `<date>||` then `+n<unit>`, `-n<unit>`, `/<unit>` with
 *   units y M w d h H m s; months and years are calendar steps that keep the day when the target
 *   month has it and else take its last day (Java's plusMonths: 2024-01-31 +1M is 2024-02-29);
 *   `/unit` rounds down to the unit's start, or up to its last millisecond; weeks start on Monday.
 */

const ISO = /^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2})(?:T([0-9]{2})(?::([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]{1,9}))?)?)?)?)?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$/;
/** The same with a space or `t` for the `T` and `z` for `Z` (see `IsoOptions.lenient`). */
const ISO_LENIENT = /^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2})(?:[Tt ]([0-9]{2})(?::([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]{1,9}))?)?)?)?)?)?([Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?$/;

export interface IsoOptions {
  /**
   * Also a space or `t` between date and time, and `z` for UTC. Elasticsearch's
   * `strict_date_optional_time` wants `T` and `Z`; lkm-scan reads event times and KQL bounds this
   * leniently (README "Event time"), never a date field with a mapped format.
   */
  lenient?: boolean;
}

/** The components of a date; what is missing is filled by `toEpochMillis`. */
export interface DateParts {
  year: number;
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
  second?: number;
  /** Fraction digits after the second, as written. */
  fraction?: string;
  /** `Z`, `z` or `±hh[[:]mm]`. */
  zone?: string;
}

/** Epoch millis of an ISO 8601 date (`strict_date_optional_time`), or undefined when it is not one. */
export function parseIsoDate(text: string, roundUp: boolean, options: IsoOptions = {}): number | undefined {
  const m = (options.lenient === true ? ISO_LENIENT : ISO).exec(text);
  if (m === null) return undefined;
  return toEpochMillis({ year: Number(m[1]), month: num(m[2]), day: num(m[3]), hour: num(m[4]), minute: num(m[5]), second: num(m[6]), fraction: m[7], zone: m[8] }, roundUp);
}

function num(s: string | undefined): number | undefined {
  return s === undefined ? undefined : Number(s);
}

/** Epoch millis of the parts, missing ones filled as Elasticsearch does (see above); undefined if invalid. */
export function toEpochMillis(p: DateParts, roundUp: boolean): number | undefined {
  const month = p.month ?? 1;
  if (month < 1 || month > 12) return undefined;
  const day = p.day ?? 1;
  if (day < 1 || day > daysInMonth(p.year, month - 1)) return undefined;
  const hour = p.hour ?? (roundUp ? 23 : 0);
  const minute = p.minute ?? (roundUp ? 59 : 0);
  const second = p.second ?? (roundUp ? 59 : 0);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = p.fraction === undefined ? (roundUp ? 999 : 0) : Number(p.fraction.slice(0, 3).padEnd(3, '0'));
  const offset = zoneOffsetMs(p.zone);
  if (offset === undefined) return undefined;
  // setUTCFullYear, not Date.UTC, which reads years 0-99 as 1900-1999. A year of at most four
  // digits keeps every date well inside Date's range.
  // Date.UTC (no Date to make) for the other years: the fields are valid, so it counts the same.
  if (p.year >= 100) return Date.UTC(p.year, month - 1, day, hour, minute, second, millis) - offset;
  const date = new Date(0);
  date.setUTCFullYear(p.year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime() - offset;
}

function zoneOffsetMs(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 18 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes) * 60_000;
}

// epoch_millis (EpochTime MILLIS_FORMATTER): up to 19 digits, a sign, up to 6 fraction digits that
// a millisecond field drops.
const EPOCH_MILLIS = /^-?[0-9]{1,19}(?:\.[0-9]{1,6})?$/;

/** Epoch millis of `epoch_millis` text, or undefined. */
export function parseEpochMillis(text: string): number | undefined {
  // 19 digits are far inside a double's range: the number is always finite.
  return EPOCH_MILLIS.test(text) ? Math.trunc(Number(text)) : undefined;
}

/**
 * Elasticsearch's default date format, `strict_date_optional_time||epoch_millis` (DateFieldMapper
 * DEFAULT_DATE_TIME_FORMATTER): an ISO date first, so `2024` is a year, else epoch millis.
 */
export function parseDefaultDate(text: string, roundUp = false, options: IsoOptions = {}): number | undefined {
  const lenient = options.lenient === true;
  // Several rules read the same event's time one after the other: the same text, read once.
  const last = lastDefaultDate;
  if (text === last.text && roundUp === last.roundUp && lenient === last.lenient) return last.ms;
  const ms = parseIsoDate(text, roundUp, options) ?? parseEpochMillis(text);
  last.text = text;
  last.roundUp = roundUp;
  last.lenient = lenient;
  last.ms = ms;
  return ms;
}

/** The last text parseDefaultDate read, how, and its result. */
const lastDefaultDate: { text: string | undefined; roundUp: boolean; lenient: boolean; ms: number | undefined } = { text: undefined, roundUp: false, lenient: false, ms: undefined };

const MATH_STEP = /([+-])([0-9]{1,9})([yMwdhHms])|\/([yMwdhHms])/y;
const DATE_UNITS = ['y', 'M', 'w', 'd', 'h', 'H', 'm', 's'] as const;
const DATE_UNIT_LETTERS = DATE_UNITS.join('');
type DateUnit = (typeof DATE_UNITS)[number];

/** The unit of a letter MATH_STEP matched (so one of DATE_UNITS). */
function unitOf(letter: string): DateUnit {
  return DATE_UNITS[DATE_UNIT_LETTERS.indexOf(letter)]!;
}

/**
 * Epoch millis of date math: `now…`, `<date>||…`, or with neither a plain date read by
 * `readDate` (with `roundUp`); the anchor before `||` is read without rounding. `now` is `nowMs`,
 * fixed once per query. Undefined when the text is none of these.
 */
export function parseDateMath(text: string, nowMs: number, roundUp: boolean, readDate: (text: string, roundUp: boolean) => number | undefined): number | undefined {
  let anchor: number | undefined;
  let math: string;
  if (text.startsWith('now')) {
    anchor = nowMs;
    math = text.slice(3);
  } else {
    const bar = text.indexOf('||');
    if (bar < 0) return readDate(text, roundUp);
    anchor = readDate(text.slice(0, bar), false);
    math = text.slice(bar + 2);
  }
  if (anchor === undefined) return undefined;
  const date = new Date(anchor);
  let at = 0;
  while (at < math.length) {
    MATH_STEP.lastIndex = at;
    const step = MATH_STEP.exec(math);
    if (step === null) return undefined;
    at = MATH_STEP.lastIndex;
    // Either `/unit` (group 4) or `±n unit` (groups 1-3).
    if (step[4] !== undefined) roundDate(date, unitOf(step[4]), roundUp);
    else addToDate(date, (step[1] === '-' ? -1 : 1) * Number(step[2]), unitOf(step[3]!));
  }
  const ms = date.getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

function addToDate(date: Date, amount: number, unit: DateUnit): void {
  if (unit !== 'y' && unit !== 'M') {
    date.setTime(date.getTime() + amount * MS_PER_UNIT[unit === 'H' ? 'h' : unit]);
    return;
  }
  // Java's ZonedDateTime.plusMonths / plusYears; Date.setUTCMonth would overflow into the next month.
  const months = date.getUTCFullYear() * 12 + date.getUTCMonth() + (unit === 'y' ? amount * 12 : amount);
  const year = Math.floor(months / 12);
  const month = months - year * 12;
  date.setUTCFullYear(year, month, Math.min(date.getUTCDate(), daysInMonth(year, month)));
}

/** Days in a month (0-based), for any year (leap years by the proleptic Gregorian rule, as java.time). */
function daysInMonth(year: number, month: number): number {
  if (month === 1) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month]!;
}

/** Rounds down to the unit's start, or up to its last millisecond (weeks start on Monday). */
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
