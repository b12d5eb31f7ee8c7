import type { EcsEvent, Scalar } from '../event/types.js';
import { relativeWindowMs } from '../rules/duration.js';
import type { NewTermsRule, ThresholdRule } from '../rules/types.js';
import type { Alert, Location } from './alert.js';
import type { CompiledRule } from './compileRule.js';
import { compileEventTime } from './eventTime.js';
import { compileTermsOf, NewTermsReplay, NewTermsState, type Term } from './newTerms.js';
import { createPipeline } from './pipes.js';
import { SampleState } from './sample.js';
import { SequenceState, type SequenceEvent } from './sequence.js';
import { ThresholdState } from './threshold.js';
import type { RuleHits, RulePayload } from './extract.js';
import { compileDispatch } from './dispatch.js';

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
}

export interface RuleCounts {
  alerts: number;
  /** Matching events a stateful rule could not place in time (no usable timestamp). */
  untimed: number;
  /** Partial sequences (or sample or threshold groups) a rule had to drop to stay within its state cap. */
  dropped: number;
  /** What `dropped` counts, for the summary's words: partial matches unless said otherwise. */
  droppedWhat?: 'threshold group';
}

export interface Scanner {
  /** `raw` is the event's line, when the reader has it (JSON output writes it as the document). */
  event(event: EcsEvent, location: Location, raw?: string): void;
  /**
   * The same as `event`, for a line whose rules' payloads were worked out elsewhere (see
   * extract.ts): the line is parsed here only if some rule needs the whole event.
   */
  hits(hits: Readonly<RuleHits>, location: Location, raw: string): void;
  /** Decides what was held back for event-time order and emits those alerts. */
  finish(): void;
  /** finish() ran to its end: every decision was made and emitted (what `--state` may remember). */
  readonly finished: boolean;
  readonly counts: ReadonlyMap<string, RuleCounts>;
}

/** A rule's runtime: stateless rules alert at once; stateful ones may hold events until finish. */
export interface RuleRunner {
  event(event: EcsEvent, location: Location, seq: number, raw?: string): void;
  /** Takes an extracted payload (extract.ts) instead of the event; runners without it get the event. */
  accept?(payload: Exclude<RulePayload, null | 0>, location: Location, seq: number, raw: string, event: () => EcsEvent): void;
  finish(): void;
}

export type RunnerFactory = (compiled: CompiledRule, emit: (alert: Alert) => void, count: RuleCounts, options: ScannerOptions) => RuleRunner;

/** Elastic's default look-back when a rule has no `from` (now-6m). */
const DEFAULT_SPAN_MS = 6 * 60_000;

export function createScanner(
  rules: CompiledRule[],
  emit: (alert: Alert) => void,
  options: ScannerOptions,
  extraRunners: Partial<Record<string, RunnerFactory>> = {},
): Scanner {
  const counts = new Map<string, RuleCounts>();
  const runners: RuleRunner[] = rules.map((compiled) => {
    const count: RuleCounts = { alerts: 0, untimed: 0, dropped: 0 };
    counts.set(compiled.rule.id, count);
    const emitCounted = (alert: Alert) => {
      count.alerts++;
      emit(alert);
    };
    const factory = extraRunners[compiled.kind] ?? RUNNERS[compiled.kind];
    if (!factory) throw new Error(`no runner for ${compiled.kind} rules`);
    return factory(compiled, emitCounted, count, options);
  });
  const dispatch = compileDispatch(rules);
  let seq = 0;
  let finished = false;
  return {
    event(event, location, raw) {
      seq++;
      for (const i of dispatch(event)) runners[i]!.event(event, location, seq, raw);
    },
    hits(hits, location, raw) {
      seq++;
      let parsed: EcsEvent | undefined;
      const eventOf = () => (parsed ??= JSON.parse(raw) as EcsEvent);
      for (let k = 0; k < hits.length; k += 2) {
        const runner = runners[hits[k] as number]!;
        const payload = hits[k + 1] as Exclude<RulePayload, null>;
        if (payload !== 0 && runner.accept) runner.accept(payload, location, seq, raw, eventOf);
        else runner.event(eventOf(), location, seq, raw);
      }
    },
    finish() {
      for (const runner of runners) runner.finish();
      finished = true;
    },
    get finished() {
      return finished;
    },
    counts,
  };
}

const RUNNERS: Record<string, RunnerFactory> = {
  event: queryRunner,
  new_terms: newTermsRunner,
  threshold: thresholdRunner,
  sequence: sequenceRunner,
  sample: sampleRunner,
};

function queryRunner(compiled: CompiledRule, emit: (alert: Alert) => void, _count: RuleCounts, options: ScannerOptions): RuleRunner {
  const { rule, matches, eventTime } = compiled;
  const piped = compiled.pipes.length === 0 ? undefined : createPipeline(compiled.pipes, options.live, emit);
  const take = (alert: Alert, seq: number) => (piped ? piped.push(alert, alert.timeMs, seq) : emit(alert));
  return {
    event(event, location, seq, raw) {
      if (matches(event)) take({ rule, timeMs: eventTime(event), event, raw, location }, seq);
    },
    accept(payload, location, seq, raw, event) {
      take(lazyAlert({ rule, timeMs: payload.t ?? undefined, raw, location }, event), seq);
    },
    finish: () => piped?.finish(),
  };
}

/** An alert whose event is parsed from its line only if an output format asks for it. */
function lazyAlert(alert: Omit<Alert, 'event'>, event: () => EcsEvent): Alert {
  let parsed: EcsEvent | undefined;
  return {
    ...alert,
    get event() {
      return (parsed ??= event());
    },
  };
}

/** A matching event waiting for its turn in event-time order. */
export interface HeldEvent {
  timeMs: number;
  seq: number;
  event: EcsEvent;
  location: Location;
}

/**
 * Feeds events to `decide` in event-time order (ties in input order). Live, they go through as
 * they come; otherwise they are held and sorted at the end. Only matching events are held, never
 * the whole input: memory grows with matches, not with input size.
 */
export function timeOrdered<T extends HeldEvent>(live: boolean, decide: (h: T) => void) {
  const held: T[] = [];
  return {
    add(h: T) {
      if (live) decide(h);
      else held.push(h);
    },
    flush() {
      held.sort((a, b) => a.timeMs - b.timeMs || a.seq - b.seq);
      for (const h of held) decide(h);
      held.length = 0;
    },
  };
}

function newTermsRunner(compiled: CompiledRule, emit: (alert: Alert) => void, count: RuleCounts, options: ScannerOptions): RuleRunner {
  const rule = compiled.rule as NewTermsRule;
  const termsOf = compileTermsOf(rule.newTerms.fields);
  const alert = (term: Term, timeMs: number, location: Location, event: () => EcsEvent, raw: string | undefined): Alert => {
    const newTerms: Record<string, Scalar> = {};
    rule.newTerms.fields.forEach((f, i) => (newTerms[f] = term[i]!));
    return lazyAlert({ rule, timeMs, location, raw, newTerms }, event);
  };

  // Live: decided as events come. Files: a replay in event time, keeping of a possibly-new event
  // its line when the reader has it (a few hundred bytes) rather than the parsed object.
  type Kept = { location: Location; raw?: string; event?: EcsEvent };
  const lastSeen = options.termHistory?.get(rule.id);
  const state = options.live ? new NewTermsState(rule.newTerms.historyWindowMs, lastSeen) : undefined;
  const replay = options.live ? undefined : new NewTermsReplay<Kept>(rule.newTerms.historyWindowMs, lastSeen);
  const take = (terms: Term[], timeMs: number | undefined, location: Location, seq: number, raw: string | undefined, event: () => EcsEvent) => {
    if (timeMs === undefined) {
      count.untimed++;
      return;
    }
    if (state) for (const term of state.observe(terms, timeMs)) emit(alert(term, timeMs, location, event, raw));
    else replay!.add(terms, timeMs, seq, raw === undefined ? { location, event: event() } : { location, raw });
  };
  return {
    event(event, location, seq, raw) {
      if (!compiled.matches(event)) return;
      const terms = termsOf(event);
      if (terms.length > 0) take(terms, compiled.eventTime(event), location, seq, raw, () => event);
    },
    accept(payload, location, seq, raw, event) {
      if (payload.terms!.length > 0) take(payload.terms!, payload.t ?? undefined, location, seq, raw, event);
    },
    finish() {
      for (const s of replay?.finish() ?? []) {
        const { location, raw, event } = s.doc;
        emit(alert(s.term, s.timeMs, location, () => event ?? (JSON.parse(raw!) as EcsEvent), raw));
      }
    },
  };
}

function thresholdRunner(compiled: CompiledRule, emit: (alert: Alert) => void, count: RuleCounts, options: ScannerOptions): RuleRunner {
  const rule = compiled.rule as ThresholdRule;
  const state = new ThresholdState(rule.threshold, (rule.from && relativeWindowMs(rule.from)) || DEFAULT_SPAN_MS);
  count.droppedWhat = 'threshold group';
  const order = timeOrdered<HeldEvent>(options.live, (h) => {
    for (const threshold of state.observe(h.event, h.timeMs)) {
      emit({ rule, timeMs: h.timeMs, event: h.event, location: h.location, threshold });
    }
    count.dropped = state.dropped;
  });
  return {
    event(event, location, seq) {
      if (!compiled.matches(event)) return;
      const timeMs = compiled.eventTime(event);
      if (timeMs === undefined) {
        count.untimed++;
        return;
      }
      order.add({ timeMs, seq, event, location });
    },
    finish: () => order.flush(),
  };
}

/** Sequences and samples order their events by `@timestamp`, whatever the rule's timestamp_override (SPEC §A.9). */
const timestampOf = compileEventTime();

/**
 * A sequence or sample rule: its matching events go to the state machine in `@timestamp` order
 * (held until the end for files, as they come live), completed sequences through the pipes.
 * The alert is the last event's, with every event of the sequence in order.
 */
function joinedRunner(
  state: { observe(h: SequenceEvent): SequenceEvent[][]; finish?(): SequenceEvent[][]; readonly dropped: number },
  untimedLast: boolean,
): RunnerFactory {
  return (compiled, emit, count, options) => {
    const { rule } = compiled;
    const piped = createPipeline<Alert>(compiled.pipes, options.live, emit);
    const alert = (events: SequenceEvent[]) => {
      const last = events[events.length - 1]!;
      const timeMs = compiled.eventTime(last.event);
      piped.push(
        { rule, timeMs, event: last.event, location: last.location, events: events.map((e) => ({ event: e.event, location: e.location })) },
        last.timeMs,
        last.seq,
      );
    };
    const order = timeOrdered<SequenceEvent>(options.live, (h) => {
      for (const events of state.observe(h)) alert(events);
      count.dropped = state.dropped;
    });
    return {
      event(event, location, seq) {
        if (!compiled.matches(event)) return;
        let timeMs = timestampOf(event);
        if (timeMs === undefined) {
          // A sequence cannot place such an event; a sample does not need time, it just comes last.
          if (!untimedLast) {
            count.untimed++;
            return;
          }
          timeMs = Infinity;
        }
        order.add({ timeMs, seq, event, location });
      },
      finish() {
        order.flush();
        for (const events of state.finish?.() ?? []) alert(events);
        count.dropped = state.dropped;
        piped.finish();
      },
    };
  };
}

function sequenceRunner(compiled: CompiledRule, emit: (alert: Alert) => void, count: RuleCounts, options: ScannerOptions): RuleRunner {
  return joinedRunner(new SequenceState(compiled.sequence!), false)(compiled, emit, count, options);
}

function sampleRunner(compiled: CompiledRule, emit: (alert: Alert) => void, count: RuleCounts, options: ScannerOptions): RuleRunner {
  return joinedRunner(new SampleState(compiled.sample!), true)(compiled, emit, count, options);
}
