import { compileFieldReader } from '../event/fields.js';
import type { EcsEvent } from '../event/types.js';

export type EventTimeReader = (event: EcsEvent) => number | undefined;

const readTimestamp = compileFieldReader('@timestamp');

/**
 * The time of an event for a rule (SPEC §D): the `timestamp_override` field (in practice
 * `event.ingested`) when the event has it, else `@timestamp`. ISO 8601 strings and epoch
 * milliseconds (number or digit string) are accepted; anything else is "no usable time".
 */
export function compileEventTime(timestampOverride?: string): EventTimeReader {
  if (!timestampOverride || timestampOverride === '@timestamp') return (event) => firstTime(readTimestamp(event));
  const readOverride = compileFieldReader(timestampOverride);
  return (event) => firstTime(readOverride(event)) ?? firstTime(readTimestamp(event));
}

function firstTime(values: readonly unknown[]): number | undefined {
  for (const v of values) {
    const t = parseTime(v);
    if (t !== undefined) return t;
  }
  return undefined;
}

export function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

export function formatTime(ms: number | undefined): string | null {
  if (ms === undefined) return null;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
