import type { EcsEvent } from '../../event/types.js';
import type { Alert, Location } from '../alert.js';
import type { CompiledRule } from '../compileRule.js';
import type { Extractor, PayloadHit } from '../extract.js';
import type { ExceptionGate } from '../../exceptions/gate.js';
import type { SpillFile } from '../../state/spillFile.js';
import type { EventHold } from './timeOrder.js';

export interface ScannerOptions {
  /**
   * Decide stateful rules in arrival order, as events come (stdin, a live stream). Otherwise they
   * are decided in event-time order once the input ends, so the result does not depend on the
   * order of lines or files (SPEC §D).
   */
  live: boolean;
  /**
   * New_terms history from earlier runs (`--state`), by rule id: term key → latest sighting.
   * A rule's runner decides with it and records this run's sightings into the same map.
   */
  termHistory?: ReadonlyMap<string, Map<string, number>>;
  /** Cap each rule's alerts per execution at its `max_signals` (default on; `--no-max-signals`). */
  maxSignals?: boolean;
  /**
   * Where a scanner keeps the lines it holds until the input ends (state/spillFile.ts); by default
   * a new SpillFile per scanner. Tests give one with a small memory budget, to exercise the disk.
   */
  spillFile?: () => SpillFile;
  /** `--exceptions`: the exception items in front of a rule's runner (src/exceptions), if any apply. */
  exceptionGate?: (compiled: CompiledRule) => ExceptionGate | undefined;
}

export interface RuleCounts {
  alerts: number;
  /** Matching events a stateful rule could not place in time (no usable timestamp). */
  untimed: number;
  /** Partial sequences (or sample or threshold groups) a rule had to drop to stay within its state cap. */
  dropped: number;
  /** What `dropped` counts, for the summary's words: partial matches unless said otherwise. */
  droppedWhat?: 'threshold group';
  /** Alerts left out by the rule's `max_signals` (engine/alertStages/maxSignals.ts). */
  leftOut?: number;
  /** Events folded into a suppressed alert of their group (engine/alertStages/suppression.ts). */
  suppressed?: number;
  /** Suppression groups passed on before their window ended, at the state cap. */
  closedEarly?: number;
}

/** What a runner gets besides its rule: where its alerts go, its counters, how the scan runs. */
export interface RunnerContext {
  /** Takes one alert of this rule (counted in `count.alerts` on the way). */
  // A function-valued property, not a method: runners destructure it and call it unbound.
  emit: (alert: Alert) => void;
  count: RuleCounts;
  options: ScannerOptions;
  /**
   * Where a runner keeps the lines it holds until the input ends (state/spillFile.ts), so memory
   * does not grow with them; open until the scan's alerts are all written.
   */
  spill: SpillFile;
  /**
   * The scan's one hold of events waiting for event-time order (timeOrder.ts), shared by its
   * runners so that an event several rules want is held once.
   */
  hold: EventHold;
}

/** A rule's runtime: stateless rules alert at once; stateful ones may hold events until finish. */
export interface RuleRunner {
  /** An event the dispatch (dispatch.ts) sent this rule's way; the runner tests `matches` itself. */
  event(event: EcsEvent, location: Location, seq: number, raw?: string): void;
  /**
   * Takes a hit worked out in a worker (extract.ts) instead of the event; `event` parses the line
   * if the runner needs it after all. Runners without it get the parsed event.
   */
  accept?(hit: PayloadHit, location: Location, seq: number, raw: string, event: () => EcsEvent): void;
  finish(): void;
}

/**
 * Everything the engine does for one rule kind, in that kind's module (runners/*.ts): run the
 * rule in the thread that keeps its state, and work out in a worker what it needs of an event.
 */
export interface RuleKindHandler<C extends CompiledRule> {
  start(compiled: C, context: RunnerContext): RuleRunner;
  /** What a worker sends for an event, given the rule's index in the list both threads compile. */
  extractor(compiled: C, index: number): Extractor;
}

/** The extractor of a rule that needs the whole event: its index, for every event it matches. */
export function wholeEventExtractor({ matches }: CompiledRule, index: number): Extractor {
  return (event) => (matches(event) ? index : null);
}
