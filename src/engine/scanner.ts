import { parseJson } from '../event/json.js';
import type { EcsEvent } from '../event/types.js';
import type { LineRules } from '../prefilter/lineRules.js';
import type { Alert, Location } from './alert.js';
import type { CompiledRule } from './compileRule.js';
import { compileDispatch, type DispatchStats, type DocumentStream } from './dispatch.js';
import { RuleAlertStages } from './alertStages/index.js';
import { gateRunner } from '../exceptions/gate.js';
import type { RuleHits } from './extract.js';
import { EventHold } from './runners/timeOrder.js';
import { ruleKindOf, type RuleCounts, type RuleRunner, type ScannerOptions } from './runners/index.js';

export type { RuleCounts, ScannerOptions };

export interface Scanner {
  /**
   * `raw` is the event's line, when the reader has it (JSON output writes it as the document);
   * `rules`, the rules the prefilter found the line may match (dispatch.ts), when it looked.
   */
  event(event: EcsEvent, location: Location, raw?: string, rules?: LineRules): void;
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
  /** Events the rule index dispatched here and the rules it offered them (dispatch.ts); not those of workers. */
  readonly dispatchStats: DispatchStats;
}

/**
 * Runs the rules over the event stream: each event goes to the runners of the rules that may match
 * it. `stream` says whether the documents are input events or alerts (chain.ts, dispatch.ts).
 */
export function createScanner(rules: CompiledRule[], emit: (alert: Alert) => void, options: ScannerOptions, stream: DocumentStream = 'events'): Scanner {
  const counts = new Map<string, RuleCounts>();
  const stages = new RuleAlertStages(emit, { maxSignals: options.maxSignals ?? true, live: options.live }, options.spillFile?.());
  // One hold for every rule that waits for event-time order: a line several rules want is held once.
  const hold = new EventHold(stages.spill);
  const runners: RuleRunner[] = rules.map((compiled) => {
    const count: RuleCounts = { alerts: 0, untimed: 0, dropped: 0 };
    counts.set(compiled.rule.id, count);
    // max_signals and alert_suppression stand between the runner and the output (alertStages/).
    const emitStaged = stages.add(compiled, count, () => count.alerts++);
    const runner = ruleKindOf(compiled).start({ emit: emitStaged, count, options, spill: stages.spill, hold });
    const gate = options.exceptionGate?.(compiled);
    return gate === undefined ? runner : gateRunner(runner, gate, compiled.matches);
  });
  const runnerOf = (index: number): RuleRunner => {
    const runner = runners[index];
    if (runner === undefined) throw new Error(`a hit names rule ${index} of ${runners.length}: the worker's rules differ from the main thread's`);
    return runner;
  };
  const dispatch = compileDispatch(rules, stream);
  let seq = 0;
  let finished = false;
  return {
    event(event, location, raw, rules) {
      seq++;
      for (const i of dispatch(event, rules)) runners[i]!.event(event, location, seq, raw);
    },
    hits(hits, location, raw) {
      seq++;
      let parsed: EcsEvent | undefined;
      const eventOf = () => (parsed ??= parseJson(raw) as EcsEvent);
      for (const hit of hits) {
        if (typeof hit === 'number') {
          runnerOf(hit).event(eventOf(), location, seq, raw);
          continue;
        }
        const runner = runnerOf(hit.rule);
        if (runner.accept) runner.accept(hit, location, seq, raw, eventOf);
        else runner.event(eventOf(), location, seq, raw);
      }
    },
    finish() {
      stages.finish(() => {
        for (const runner of runners) runner.finish();
      });
      finished = true;
    },
    get finished() {
      return finished;
    },
    counts,
    dispatchStats: dispatch.stats,
  };
}
