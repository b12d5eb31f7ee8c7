import { parseJson } from '../event/json.js';
import type { EcsEvent, Scalar } from '../event/types.js';
import type { Rule } from '../rules/types.js';
import type { Location } from '../input/events.js';
import type { ThresholdResult } from './threshold.js';
import type { SuppressionResult } from './alertStages/suppression.js';

// Where an event came from is the input's idea (input/events.ts); alerts carry it on.
export type { Location };

// Held events and alerts come file after file: the last file's name and its JSON, made once per
// file, not per line.
let lastFile = '';
let lastFileJson = '""';

/** `JSON.stringify(file)` of a location's file name, for the texts held events and alerts are spilled as. */
export function fileNameJson(file: string): string {
  if (file !== lastFile) {
    lastFile = file;
    lastFileJson = JSON.stringify(file);
  }
  return lastFileJson;
}

/** The file name `fileNameJson` made `text` from (the last one without parsing), else what `text` parses to. */
export function readFileNameJson(text: string): unknown {
  return text === lastFileJson ? lastFile : JSON.parse(text);
}

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
  return new LazyAlert(alert, event);
}

/**
 * A class, not an object literal spread with a getter: every alert of a scan has the same shape,
 * so reading its fields on the way to the output stays a fast property access, and making one
 * copies no object.
 */
class LazyAlert implements Alert {
  readonly rule: Rule;
  readonly timeMs: number | undefined;
  readonly raw: string | undefined;
  readonly location: Location;
  readonly newTerms: Record<string, Scalar> | undefined;
  readonly threshold: ThresholdResult | undefined;
  readonly suppression: SuppressionResult | undefined;
  readonly events: Array<{ event: EcsEvent; location: Location }> | undefined;
  /** The parser until the event is asked for, then the event (an object, never a function). */
  private state: EcsEvent | (() => EcsEvent);

  constructor(fields: Omit<Alert, 'event'>, parse: () => EcsEvent) {
    this.rule = fields.rule;
    this.timeMs = fields.timeMs;
    this.raw = fields.raw;
    this.location = fields.location;
    this.newTerms = fields.newTerms;
    this.threshold = fields.threshold;
    this.suppression = fields.suppression;
    this.events = fields.events;
    this.state = parse;
  }

  get event(): EcsEvent {
    // Replacing the parser lets go of whatever its closure held.
    if (typeof this.state === 'function') this.state = this.state();
    return this.state;
  }
}

/**
 * The event of an alert's line, parsed again: the line is the event's JSON object as the input
 * read it (input/events.ts hands on the text it parsed, or the object re-serialized), so parsing
 * it gives the same event.
 */
export function lineEvent(raw: string): EcsEvent {
  return parseJson(raw) as EcsEvent;
}
