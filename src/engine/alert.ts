import { parseJson } from '../event/json.js';
import type { EcsEvent, Scalar } from '../event/types.js';
import type { Rule } from '../rules/types.js';
import type { Location } from '../input/events.js';
import type { ThresholdResult } from './threshold.js';
import type { SuppressionResult } from './alertStages/suppression.js';

// Where an event came from is the input's idea (input/events.ts); alerts carry it on.
export type { Location };

/** One rule firing on one event (or, for stateful rule types, on the event that completed it). */
export interface Alert {
  rule: Rule;
  /** Event time as the rule sees it (SPEC §D), epoch ms; undefined when the event has none. */
  timeMs: number | undefined;
  event: EcsEvent;
  /** The line the event was read from, when known: JSON output writes it as the document as is. */
  raw?: string;
  location: Location;
  /** new_terms rules: the new term, field → value (SPEC §D). */
  newTerms?: Record<string, Scalar>;
  /** threshold rules: the group's values, the count and the cardinality reached (SPEC §D). */
  threshold?: ThresholdResult;
  /** rules with `alert_suppression`: the group and how many events it folded in (README "max_signals and alert suppression"). */
  suppression?: SuppressionResult;
  /** sequence rules: every event of the sequence in order; `event`/`location` are the last one's. */
  events?: Array<{ event: EcsEvent; location: Location }>;
}

/** An alert whose event is parsed from its line only if an output format asks for it. */
export function lazyAlert(alert: Omit<Alert, 'event'>, event: () => EcsEvent): Alert {
  let parsed: EcsEvent | undefined;
  return {
    ...alert,
    get event() {
      return (parsed ??= event());
    },
  };
}

/**
 * The event of an alert's line, parsed again: the line is the event's JSON object as the input
 * read it (input/events.ts hands on the text it parsed, or the object re-serialized), so parsing
 * it gives the same event.
 */
export function lineEvent(raw: string): EcsEvent {
  return parseJson(raw) as EcsEvent;
}
