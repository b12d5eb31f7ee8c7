/**
 * The one table of time units, for every place that reads a span: a rule's `from` and
 * `history_window_start` (`now-5d`), `--since`/`--until` (`24h`), EQL's `maxspan=5m`, and the
 * fixed-length units of KQL date math (`now-1d`; months and years are calendar steps there). Each
 * reader accepts its own subset (EQL has no `w`, the command line no `ms`); the grammar cannot
 * import this module, so src/time/duration.test.ts checks that its copy agrees.
 */
export const MS_PER_UNIT = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
} as const satisfies Record<string, number>;

export type DurationUnit = keyof typeof MS_PER_UNIT;

const BY_NAME: ReadonlyMap<string, number> = new Map(Object.entries(MS_PER_UNIT));

/** Milliseconds in one `unit`, or undefined when the text is not a unit of the table. */
export function msPerUnit(unit: string | undefined): number | undefined {
  return unit === undefined ? undefined : BY_NAME.get(unit);
}
