import { compileFieldReader } from '../event/fields.js';
import type { EcsEvent } from '../event/types.js';
import { parseTimestamp } from '../time/timestamp.js';

// The outputs read the time through here; the reading itself lives in src/time/timestamp.ts.
export { formatTimestamp as formatTime } from '../time/timestamp.js';

export type EventTimeReader = (event: EcsEvent) => number | undefined;

const readTimestamp = compileFieldReader('@timestamp');

/**
 * The time of an event for a rule (SPEC §D): the `timestamp_override` field (in practice
 * `event.ingested`) when the event has it, else `@timestamp`, read as Elasticsearch reads a date
 * field (parseTimestamp: ISO 8601, UTC without a zone, or epoch milliseconds); anything else is
 * "no usable time".
 */
export function compileEventTime(timestampOverride?: string): EventTimeReader {
  if (!timestampOverride || timestampOverride === '@timestamp') return (event) => firstTime(readTimestamp(event));
  const readOverride = compileFieldReader(timestampOverride);
  return (event) => firstTime(readOverride(event)) ?? firstTime(readTimestamp(event));
}

function firstTime(values: readonly unknown[]): number | undefined {
  for (const v of values) {
    const t = parseTimestamp(v);
    if (t !== undefined) return t;
  }
  return undefined;
}
