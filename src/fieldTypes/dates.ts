import { parseDateMath, parseEpochMillis, parseIsoDate, toEpochMillis } from '../time/dates.js';
import type { DateParts } from '../time/dates.js';

/**
 * Dates as Elasticsearch's `date` field reads them (server `DateFieldMapper`, `DateFormatters`,
 * `JavaDateMathParser`). A mapping's `format` is a `||`-separated list tried in order; text without
 * a zone is UTC. A query bound may be date math: `now-1d/d`, `2024-05-01||+1M`. The ISO format,
 * epoch millis, the fill of missing components when rounding up (month and day 01, hour 23, ...)
 * and date math are the shared reader's (src/time/dates.ts); this module adds the other named
 * formats and Java patterns.
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

type Parts = DateParts;

const isoOptionalTime: Parser = (text, roundUp) => parseIsoDate(text, roundUp);

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
    return toEpochMillis(parts, roundUp);
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
  epoch_millis: (text) => parseEpochMillis(text),
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

/**
 * A query's date: date math or a date in the field's format. `now` is the scan's clock, read once
 * when the rule is compiled (JavaDateMathParser). Undefined when it is not a date.
 */
export function parseQueryDate(format: DateFormat, text: string, roundUp: boolean, nowMs: number): number | undefined {
  return parseDateMath(text, nowMs, roundUp, (date, up) => format.parse(date, up));
}
