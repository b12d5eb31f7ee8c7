/** A parsed NDJSON line: an ECS document, with nested objects, dotted keys or both (SPEC §C). */
export type EcsEvent = { [key: string]: unknown };

/** A value a comparison can see: the leaves of a field after arrays are flattened. */
export type Scalar = string | number | boolean;

/** A compiled single-event condition. Pure: no state, no side effects. */
export type Predicate = (event: EcsEvent) => boolean;
