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
 * The reading itself is dates.ts's, shared with KQL ranges and date fields.
 */
import { parseDefaultDate } from './dates.js';

/** Epoch milliseconds of an event time, or undefined when it is not one (SPEC §D). */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  // An integer beyond 2^53 (event/exactNumber.ts) as milliseconds: the nearest double, as before.
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'string') return undefined;
  // A space may stand for the `T` (dates.ts, IsoOptions.lenient); epoch_millis is tried after the
  // date: "2024" is a year, "1700000000000" a time.
  return parseDefaultDate(value, false, { lenient: true });
}

/** An event time as ISO 8601 in UTC (`2024-05-01T10:00:00.000Z`); null when there is none. */
export function formatTimestamp(ms: number | undefined): string | null {
  if (ms === undefined) return null;
  // Every alert's time is written: the date part is made once per day (alerts come in time
  // order), the time of day by hand. Only whole milliseconds in 4-digit years; the rest as Date does.
  if (Number.isInteger(ms)) {
    const day = Math.floor(ms / DAY_MS);
    if (day !== formattedDay) {
      const start = new Date(day * DAY_MS);
      const iso = Number.isNaN(start.getTime()) ? '' : start.toISOString();
      if (iso.length === 24) {
        formattedDay = day;
        dayPrefix = iso.slice(0, 11);
      }
    }
    if (day === formattedDay) {
      const t = ms - day * DAY_MS;
      return `${dayPrefix}${pad(Math.floor(t / 3_600_000), 2)}:${pad(Math.floor(t / 60_000) % 60, 2)}:${pad(Math.floor(t / 1000) % 60, 2)}.${pad(t % 1000, 3)}Z`;
    }
  }
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

const DAY_MS = 86_400_000;
/** The day (since the epoch) formatTimestamp last wrote, and its `YYYY-MM-DDT`. */
let formattedDay = NaN;
let dayPrefix = '';

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
