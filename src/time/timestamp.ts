/**
 * The one place that reads an event's time (`@timestamp`, a rule's `timestamp_override`) and a
 * time bound a user types, so that every stage agrees: sequences, samples' pipes, new_terms,
 * threshold, `--since`/`--until`, the raw-line time check of the prefilter, and the output.
 *
 * Elasticsearch maps these fields as `date` with its default format
 * `strict_date_optional_time||epoch_millis` (DateFieldMapper, DEFAULT_DATE_TIME_FORMATTER):
 * an ISO 8601 date with optional time, and a date or time without a zone is UTC (never the
 * machine's zone, as JavaScript's Date.parse would read "2020-01-01T00:00:00"); failing that,
 * epoch milliseconds. A date field keeps milliseconds: a longer fraction is cut, not rounded.
 */

/**
 * `yyyy[-MM[-dd[Thh[:mm[:ss[.fraction]]]]]][zone]`, the shape of `strict_date_optional_time`
 * (4-digit year, 2-digit fields, up to 9 fraction digits after `.` or `,`). A space is accepted
 * in place of the `T`, as KQL date ranges accept it (src/kql/range.ts).
 */
const ISO = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[Tt ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?)?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/** Epoch milliseconds of an event time, or undefined when it is not one (SPEC §D). */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  // An integer beyond 2^53 (event/exactNumber.ts) as milliseconds: the nearest double, as before.
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'string') return undefined;
  const iso = parseIso(value);
  if (iso !== undefined) return iso;
  // epoch_millis, tried after the date: "2024" is a year, "1700000000000" a time.
  return /^\d+$/.test(value) ? Number(value) : undefined;
}

function parseIso(text: string): number | undefined {
  const m = ISO.exec(text);
  if (m === null) return undefined;
  const [, year, month = '01', day = '01', hour = '00', minute = '00', second = '00', fraction = '', zone] = m;
  const fields = [Number(year), Number(month), Number(day), Number(hour), Number(minute), Number(second)] as const;
  const [y, mo, d, h, mi, s] = fields;
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = Number(fraction.slice(0, 3).padEnd(3, '0'));
  const utc = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Date.UTC maps years 0..99 to 1900..1999; a 4-digit year means what it says.
  const exact = y < 100 ? new Date(utc).setUTCFullYear(y) : utc;
  const offset = zoneOffsetMs(zone);
  if (offset === undefined) return undefined;
  const t = exact - offset;
  return Number.isFinite(t) ? t : undefined;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeap(year) ? 1 : 0);
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function zoneOffsetMs(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 18 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes) * 60_000;
}

/** An event time as ISO 8601 in UTC (`2024-05-01T10:00:00.000Z`); null when there is none. */
export function formatTimestamp(ms: number | undefined): string | null {
  if (ms === undefined) return null;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
