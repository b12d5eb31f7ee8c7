import type { EcsEvent, Scalar } from '../event/types.js';
import type { NewTermsRule } from '../rules/types.js';
import type { Alert, Location } from './alert.js';
import type { CompiledRule } from './compileRule.js';
import { compileTermsOf, NewTermsState, type Term } from './newTerms.js';

export interface ScannerOptions {
  /**
   * Decide stateful rules in arrival order, as events come (stdin, a live stream). Otherwise they
   * are decided in event-time order once the input ends, so the result does not depend on the
   * order of lines or files (SPEC §D).
   */
  live: boolean;
}

export interface RuleCounts {
  alerts: number;
  /** Matching events a stateful rule could not place in time (no usable @timestamp). */
  untimed: number;
}

export interface Scanner {
  event(event: EcsEvent, location: Location): void;
  /** Decides what was held back for event-time order and emits those alerts. */
  finish(): void;
  readonly counts: ReadonlyMap<string, RuleCounts>;
}

/** A rule's runtime: stateless rules alert at once; stateful ones may hold events until finish. */
interface RuleRunner {
  event(event: EcsEvent, location: Location, seq: number): void;
  finish(): void;
}

export function createScanner(rules: CompiledRule[], emit: (alert: Alert) => void, options: ScannerOptions): Scanner {
  const counts = new Map<string, RuleCounts>();
  const runners: RuleRunner[] = rules.map((compiled) => {
    const count: RuleCounts = { alerts: 0, untimed: 0 };
    counts.set(compiled.rule.id, count);
    const emitCounted = (alert: Alert) => {
      count.alerts++;
      emit(alert);
    };
    return compiled.rule.type === 'new_terms'
      ? newTermsRunner(compiled, compiled.rule, emitCounted, count, options)
      : queryRunner(compiled, emitCounted);
  });
  let seq = 0;
  return {
    event(event, location) {
      seq++;
      for (const runner of runners) runner.event(event, location, seq);
    },
    finish() {
      for (const runner of runners) runner.finish();
    },
    counts,
  };
}

function queryRunner(compiled: CompiledRule, emit: (alert: Alert) => void): RuleRunner {
  const { rule, matches, eventTime } = compiled;
  return {
    event(event, location) {
      if (matches(event)) emit({ rule, timeMs: eventTime(event), event, location });
    },
    finish() {},
  };
}

interface HeldEvent {
  timeMs: number;
  seq: number;
  event: EcsEvent;
  location: Location;
  terms: Term[];
}

function newTermsRunner(
  compiled: CompiledRule,
  rule: NewTermsRule,
  emit: (alert: Alert) => void,
  count: RuleCounts,
  options: ScannerOptions,
): RuleRunner {
  const termsOf = compileTermsOf(rule.newTerms.fields);
  const state = new NewTermsState(rule.newTerms.historyWindowMs);
  // Only matching events with a term are held, never the whole input: memory grows with matches.
  const held: HeldEvent[] = [];

  const decide = (h: HeldEvent) => {
    for (const term of state.observe(h.terms, h.timeMs)) {
      const newTerms: Record<string, Scalar> = {};
      rule.newTerms.fields.forEach((f, i) => (newTerms[f] = term[i]!));
      emit({ rule, timeMs: h.timeMs, event: h.event, location: h.location, newTerms });
    }
  };

  return {
    event(event, location, seq) {
      if (!compiled.matches(event)) return;
      const terms = termsOf(event);
      if (terms.length === 0) return;
      const timeMs = compiled.eventTime(event);
      if (timeMs === undefined) {
        count.untimed++;
        return;
      }
      const h = { timeMs, seq, event, location, terms };
      if (options.live) decide(h);
      else held.push(h);
    },
    finish() {
      held.sort((a, b) => a.timeMs - b.timeMs || a.seq - b.seq);
      for (const h of held) decide(h);
      held.length = 0;
    },
  };
}
