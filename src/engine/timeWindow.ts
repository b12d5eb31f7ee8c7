import type { EcsEvent } from '../event/types.js';
import { msPerUnit } from '../time/duration.js';
import { parseTimestamp } from '../time/timestamp.js';
import { compileEventTime } from './eventTime.js';

/** `--since` / `--until`, in epoch milliseconds; either may be absent. Plain data: sent to workers. */
export interface TimeWindow {
  since?: number;
  until?: number;
}

/**
 * Reads a time bound as a user types it: ISO 8601 (`2024-05-01`, `2024-05-01T10:00:00Z`; UTC without
 * a zone, like event times), epoch milliseconds, or a span back from now (`90m`, `24h`, `7d`). Throws with what is accepted.
 */
export function parseTimeBound(text: string, now: number = Date.now()): number {
  const relative = /^(\d+)\s*([smhdw])$/.exec(text.trim());
  const unitMs = msPerUnit(relative?.[2]);
  if (relative && unitMs !== undefined) return now - Number(relative[1]) * unitMs;
  const t = parseTimestamp(text.trim());
  if (t === undefined) {
    throw new Error(`"${text}" is not a time: use ISO 8601 (2024-05-01T10:00:00Z), epoch milliseconds, or a span back from now (24h, 7d)`);
  }
  return t;
}

const eventTimestamp = compileEventTime();

/**
 * The filter an offline scan puts in front of every rule when the user limits it in time (SPEC §D:
 * "every event, unless the user filters by time"): the event's `@timestamp` within the bounds,
 * both inclusive. An event without a usable `@timestamp` cannot be placed, so it is left out.
 * Undefined when there are no bounds.
 */
export function compileTimeWindow(window: TimeWindow): ((event: EcsEvent) => boolean) | undefined {
  const { since, until } = window;
  if (since === undefined && until === undefined) return undefined;
  return (event) => {
    const t = eventTimestamp(event);
    return t !== undefined && (since === undefined || t >= since) && (until === undefined || t <= until);
  };
}
