/** A parsed NDJSON line: an ECS document, with nested objects, dotted keys or both (SPEC §C). */
export type EcsEvent = { [key: string]: unknown };

/** A JSON object (not an array, not null): what an event, or an object inside one, is. */
export function isJsonObject(value: unknown): value is EcsEvent {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A value a comparison can see: the leaves of a field after arrays are flattened. A bigint is an
 * integer beyond 2^53 that no number holds (event/exactNumber.ts); every other number is a number.
 */
export type Scalar = string | number | bigint | boolean;

/** A compiled single-event condition. Pure: no state, no side effects. */
export type Predicate = (event: EcsEvent) => boolean;
