import { compileEventTime } from '../eventTime.js';
import type { Alert } from '../alert.js';
import type { CompiledSampleRule, CompiledSequenceRule } from '../compileRule.js';
import { createPipeline } from '../pipes.js';
import { SampleState } from '../sample.js';
import { SequenceState, type SequenceEvent } from '../sequence.js';
import { wholeEventExtractor, type RuleKindHandler, type RuleRunner, type RunnerContext } from './runner.js';
import { timeOrdered } from './timeOrder.js';

/** An EQL sequence rule: events joined in `@timestamp` order (engine/sequence.ts). */
export const sequenceRules: RuleKindHandler<CompiledSequenceRule> = {
  start: (compiled, context) => startJoined(compiled, new SequenceState(compiled.sequence), 'time', context),
  extractor: wholeEventExtractor,
};

/**
 * An EQL sample rule: events joined by key in any order (engine/sample.ts), taken in input order.
 * Elasticsearch's SampleIterator fetches each query's first hits per key unsorted, that is in
 * index order, never by time: the input order is the index order of an offline scan.
 */
export const sampleRules: RuleKindHandler<CompiledSampleRule> = {
  start: (compiled, context) => startJoined(compiled, new SampleState(compiled.sample, undefined, context.options.live), 'input', context),
  extractor: wholeEventExtractor,
};

/** What joins a rule's events: a sequence or a sample. */
interface JoinState {
  observe(h: SequenceEvent): SequenceEvent[][];
  finish?(): SequenceEvent[][];
  readonly dropped: number;
}

/** Sequences and samples order their events by `@timestamp`, whatever the rule's timestamp_override (SPEC §A.9). */
const timestampOf = compileEventTime();

/**
 * A sequence or sample rule: its matching events go to the state machine in `@timestamp` order
 * for a sequence (held until the end for files, as they come live) or in input order for a
 * sample, completed ones through the pipes. The alert is the last event's, with every event of
 * the sequence in order.
 */
function startJoined(
  { rule, matches, eventTime, pipes }: CompiledSequenceRule | CompiledSampleRule,
  state: JoinState,
  order: 'time' | 'input',
  { emit, count, options, hold }: RunnerContext,
): RuleRunner {
  const piped = createPipeline<Alert>(pipes, options.live, emit);
  const alert = (events: SequenceEvent[]) => {
    const last = events[events.length - 1]!;
    const timeMs = eventTime(last.event);
    piped.push(
      { rule, timeMs, event: last.event, location: last.location, events: events.map((e) => ({ event: e.event, location: e.location })) },
      last.timeMs,
      last.seq,
    );
  };
  const observe = (h: SequenceEvent) => {
    for (const events of state.observe(h)) alert(events);
    count.dropped = state.dropped;
  };
  // Input order is arrival order, live or not: nothing to hold.
  const ordered = timeOrdered(options.live || order === 'input', observe, hold);
  return {
    event(event, location, seq, raw) {
      if (!matches(event)) return;
      let timeMs = timestampOf(event);
      if (timeMs === undefined) {
        // A sequence cannot place such an event; a sample does not need its time (pipes sort it last).
        if (order === 'time') {
          count.untimed++;
          return;
        }
        timeMs = Infinity;
      }
      ordered.add({ timeMs, seq, event, location }, raw);
    },
    finish() {
      ordered.flush();
      for (const events of state.finish?.() ?? []) alert(events);
      count.dropped = state.dropped;
      piped.finish();
    },
  };
}
