/**
 * Dates as Elasticsearch's `date` field reads them (server `DateFieldMapper`, `DateFormatters`,
 * `JavaDateMathParser`). A mapping's `format` is a `||`-separated list tried in order; text without
 * a zone is UTC. A query bound may be date math: `now-1d/d`, `2024-05-01||+1M`.
 *
 * Rounding up (the `lte` and `gt` bounds, and the upper end of an exact-date match) fills what the
 * text leaves out as Elasticsearch documents under "Missing date components" (range query
 * reference): month and day 01, hour 23, minute 59, second 59, fraction .999; so `lte 2024-05`
 * ends at 2024-05-01T23:59:59.999Z. `/unit` rounding goes to the end of the unit instead.
 */

export class DateFormatError extends Error {
  override readonly name = 'DateFormatError';
}

/** A parsed format list, ready to read values. */
export interface DateFormat {
  readonly text: string;
  /** Epoch millis, or undefined when no format of the list reads the text. */
  parse(text: string, roundUp: boolean): number | undefined;
}

type Parser = (text: string, roundUp: boolean) => number | undefined;

const ISO_OPTIONAL_TIME =
  /^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2})(?:T([0-9]{2})(?::([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]{1,9}))?)?)?)?)?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$/;

interface Parts {
  year: number;
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
  second?: number;
  fraction?: string;
  zone?: string;
}

/** Epoch millis of the parts, with Elasticsearch's fill for missing components; undefined if invalid. */
function toMillis(p: Parts, roundUp: boolean): number | undefined {
  const month = p.month ?? 1;
  if (month < 1 || month > 12) return undefined;
  const lastDay = new Date(Date.UTC(p.year, month, 0)).getUTCDate();
  const day = p.day ?? 1;
  if (day < 1 || day > lastDay) return undefined;
  const hour = p.hour ?? (roundUp ? 23 : 0);
  const minute = p.minute ?? (roundUp ? 59 : 0);
  const second = p.second ?? (roundUp ? 59 : 0);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = p.fraction === undefined ? (roundUp ? 999 : 0) : Number(p.fraction.slice(0, 3).padEnd(3, '0'));
  const date = new Date(0);
  date.setUTCFullYear(p.year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  const offset = zoneOffsetMs(p.zone);
  return offset === undefined ? undefined : date.getTime() - offset;
}

function zoneOffsetMs(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 18 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes) * 60_000;
}

const isoOptionalTime: Parser = (text, roundUp) => {
  const m = ISO_OPTIONAL_TIME.exec(text);
  if (m === null) return undefined;
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  return toMillis(
    { year: Number(m[1]), month: num(m[2]), day: num(m[3]), hour: num(m[4]), minute: num(m[5]), second: num(m[6]), fraction: m[7], zone: m[8] },
    roundUp,
  );
};

// epoch_millis: digits with an optional sign and fraction (EpochTime); epoch_second the same in seconds.
const EPOCH = /^-?[0-9]{1,19}(?:\.[0-9]{1,6})?$/;

function epoch(unitMs: number): Parser {
  return (text) => {
    if (!EPOCH.test(text)) return undefined;
    const n = Number(text) * unitMs;
    return Number.isFinite(n) ? Math.trunc(n) : undefined;
  };
}

/** A Java DateTimeFormatter pattern of the common letters: y M d H m s S, X/Z zones, quoted literals. */
function compilePattern(pattern: string): Parser {
  let source = '^';
  const groups: string[] = [];
  for (let i = 0; i < pattern.length; ) {
    const ch = pattern[i]!;
    if (ch === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw new DateFormatError(`unterminated quote in date format [${pattern}]`);
      source += escapeRegExp(pattern.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    if (/[A-Za-z]/.test(ch)) {
      let j = i;
      while (j < pattern.length && pattern[j] === ch) j++;
      const count = j - i;
      switch (ch) {
        case 'y':
        case 'u':
          source += count === 2 ? '([0-9]{2})' : '([0-9]{4})';
          groups.push(count === 2 ? 'yy' : 'year');
          break;
        case 'M':
          source += count === 1 ? '([0-9]{1,2})' : '([0-9]{2})';
          groups.push('month');
          break;
        case 'd':
        case 'H':
        case 'm':
        case 's':
          source += count === 1 ? '([0-9]{1,2})' : '([0-9]{2})';
          groups.push({ d: 'day', H: 'hour', m: 'minute', s: 'second' }[ch]);
          break;
        case 'S':
          source += `([0-9]{${count}})`;
          groups.push('fraction');
          break;
        case 'X':
        case 'Z':
        case 'x':
          source += '(Z|[+-][0-9]{2}(?::?[0-9]{2})?)';
          groups.push('zone');
          break;
        default:
          throw new DateFormatError(`date format [${pattern}] uses the pattern letter '${ch}', which lkm-scan cannot read`);
      }
      i = j;
      continue;
    }
    source += escapeRegExp(ch);
    i++;
  }
  const re = new RegExp(source + '$');
  return (text, roundUp) => {
    const m = re.exec(text);
    if (m === null) return undefined;
    const parts: Parts = { year: 1970 };
    groups.forEach((g, k) => {
      const v = m[k + 1]!;
      if (g === 'yy') parts.year = 2000 + Number(v);
      else if (g === 'year') parts.year = Number(v);
      else if (g === 'fraction') parts.fraction = v;
      else if (g === 'zone') parts.zone = v;
      else if (g === 'month' || g === 'day' || g === 'hour' || g === 'minute' || g === 'second') parts[g] = Number(v);
    });
    return toMillis(parts, roundUp);
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Named formats (DateFormatters / FormatNames), each as the pattern it stands for.
const NAMED: Record<string, Parser> = {
  strict_date_optional_time: isoOptionalTime,
  date_optional_time: isoOptionalTime,
  strict_date_optional_time_nanos: isoOptionalTime,
  epoch_millis: epoch(1),
  epoch_second: epoch(1000),
  strict_date: compilePattern('yyyy-MM-dd'),
  date: compilePattern('yyyy-MM-dd'),
  strict_date_time: compilePattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX"),
  date_time: compilePattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX"),
  strict_date_time_no_millis: compilePattern("yyyy-MM-dd'T'HH:mm:ssXXX"),
  date_time_no_millis: compilePattern("yyyy-MM-dd'T'HH:mm:ssXXX"),
  strict_date_hour_minute_second: compilePattern("yyyy-MM-dd'T'HH:mm:ss"),
  date_hour_minute_second: compilePattern("yyyy-MM-dd'T'HH:mm:ss"),
  strict_date_hour_minute_second_millis: compilePattern("yyyy-MM-dd'T'HH:mm:ss.SSS"),
  date_hour_minute_second_millis: compilePattern("yyyy-MM-dd'T'HH:mm:ss.SSS"),
  strict_year_month_day: compilePattern('yyyy-MM-dd'),
  year_month_day: compilePattern('yyyy-MM-dd'),
  strict_year_month: compilePattern('yyyy-MM'),
  year_month: compilePattern('yyyy-MM'),
  strict_year: compilePattern('yyyy'),
  year: compilePattern('yyyy'),
  basic_date: compilePattern('yyyyMMdd'),
  basic_date_time: compilePattern("yyyyMMdd'T'HHmmss.SSSXXX"),
  basic_date_time_no_millis: compilePattern("yyyyMMdd'T'HHmmssXXX"),
};

const formatCache = new Map<string, DateFormat>();

/** Compiles a mapping's `format`; throws DateFormatError naming what it cannot read. */
export function compileDateFormat(format: string): DateFormat {
  const cached = formatCache.get(format);
  if (cached !== undefined) return cached;
  const parsers = format.split('||').map((name) => {
    const trimmed = name.trim();
    return NAMED[trimmed] ?? compilePattern(trimmed);
  });
  const compiled: DateFormat = {
    text: format,
    parse(text, roundUp) {
      for (const p of parsers) {
        const ms = p(text, roundUp);
        if (ms !== undefined) return ms;
      }
      return undefined;
    },
  };
  formatCache.set(format, compiled);
  return compiled;
}

/**
 * Epoch millis an event value indexes on a date field with this format, or undefined when
 * Elasticsearch would reject it. A JSON number is read as its text (so as epoch millis when the
 * format list has `epoch_millis`).
 */
export function indexedDate(format: DateFormat, value: unknown): number | undefined {
  if (typeof value === 'string') return format.parse(value, false);
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') return format.parse(String(value), false);
  return undefined;
}

const DATE_UNITS = new Set(['y', 'M', 'w', 'd', 'h', 'H', 'm', 's']);
const MATH_STEP = /([+-])([0-9]{1,9})([yMwdhHms])|\/([yMwdhHms])/y;
const MS: Record<string, number> = { w: 604_800_000, d: 86_400_000, h: 3_600_000, H: 3_600_000, m: 60_000, s: 1000 };

/**
 * A query's date: date math or a date in the field's format. `now` is the scan's clock, read once
 * when the rule is compiled (JavaDateMathParser). Undefined when it is not a date.
 */
export function parseQueryDate(format: DateFormat, text: string, roundUp: boolean, nowMs: number): number | undefined {
  let anchor: number | undefined;
  let math: string;
  if (text.startsWith('now')) {
    anchor = nowMs;
    math = text.slice(3);
  } else {
    const bar = text.indexOf('||');
    if (bar < 0) return format.parse(text, roundUp);
    // The anchor before `||` is read without rounding; the math after it decides.
    anchor = format.parse(text.slice(0, bar), false);
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
    const [, sign, amount, addUnit, roundUnit] = step;
    if (roundUnit !== undefined && DATE_UNITS.has(roundUnit)) roundDate(date, roundUnit, roundUp);
    else if (addUnit !== undefined) addToDate(date, (sign === '-' ? -1 : 1) * Number(amount), addUnit);
  }
  const ms = date.getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Java's ZonedDateTime.plusMonths / plusYears keep the day when the target month has it and
 * otherwise take its last day (2024-01-31 +1M is 2024-02-29); Date.setUTCMonth would overflow
 * into March.
 */
function addToDate(date: Date, amount: number, unit: string): void {
  if (unit !== 'y' && unit !== 'M') {
    date.setTime(date.getTime() + amount * (MS[unit] ?? 0));
    return;
  }
  const months = date.getUTCFullYear() * 12 + date.getUTCMonth() + (unit === 'y' ? amount * 12 : amount);
  const year = Math.floor(months / 12);
  const month = months - year * 12;
  const lastDay = new Date(Date.UTC(2000, month + 1, 0)).getUTCDate() - (month === 1 && !isLeap(year) ? 1 : 0);
  const day = Math.min(date.getUTCDate(), lastDay);
  date.setUTCFullYear(year, month, day);
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Rounds down to the unit's start, or up to its last millisecond (weeks start on Monday). */
function roundDate(date: Date, unit: string, roundUp: boolean): void {
  const y = date.getUTCFullYear();
  const mo = date.getUTCMonth();
  const d = date.getUTCDate();
  let start: number;
  let end: number;
  switch (unit) {
    case 'y':
      start = Date.UTC(y, 0, 1);
      end = Date.UTC(y + 1, 0, 1);
      break;
    case 'M':
      start = Date.UTC(y, mo, 1);
      end = Date.UTC(y, mo + 1, 1);
      break;
    case 'w': {
      const day = Date.UTC(y, mo, d);
      const sinceMonday = (date.getUTCDay() + 6) % 7;
      start = day - sinceMonday * 86_400_000;
      end = start + 7 * 86_400_000;
      break;
    }
    default: {
      const size = unit === 'y' || unit === 'M' ? 1 : (MS[unit] ?? 1);
      start = Math.floor(date.getTime() / size) * size;
      end = start + size;
    }
  }
  date.setTime(roundUp ? end - 1 : start);
}
