import type { EcsEvent, Predicate } from '../event/types.js';
import type { RuleRunner } from '../engine/runners/index.js';

/** One compiled exception item and what it dropped, per rule id. */
export interface CompiledItem {
  readonly itemId: string;
  readonly name: string;
  readonly listId: string;
  readonly matches: Predicate;
  /** Events a rule's query matched that this item then left out, by rule id. */
  readonly dropped: Map<string, number>;
}

/** The exception items that apply to one rule. */
export interface ExceptionGate {
  readonly ruleId: string;
  readonly items: readonly CompiledItem[];
}

/**
 * True when an exception item of the gate matches the event. Every matching item is credited:
 * an item counts each event it would have dropped, so an item whose events another item also
 * drops is not shown as stale.
 */
export function excludes(gate: ExceptionGate, event: EcsEvent): boolean {
  let excluded = false;
  for (const item of gate.items) {
    if (!item.matches(event)) continue;
    excluded = true;
    item.dropped.set(gate.ruleId, (item.dropped.get(gate.ruleId) ?? 0) + 1);
  }
  return excluded;
}

/**
 * Puts a rule's exceptions in front of its runner. Kibana adds the exceptions to the rule's search
 * as a negated filter (getQueryFilter / the EQL request's `filter`), so an excepted event never
 * reaches the rule at all: it does not alert, count toward a threshold, bring a new term or take a
 * step of a sequence. Only events the rule's query matches are tested (the others do nothing in
 * any runner), so the counts are of events the rule would otherwise have used.
 */
export function gateRunner(runner: RuleRunner, gate: ExceptionGate, matches: Predicate): RuleRunner {
  return {
    event(event, location, seq, raw) {
      if (!matches(event) || excludes(gate, event)) return;
      runner.event(event, location, seq, raw);
    },
    // A worker sends a hit only for an event the rule's query matched (extract.ts); the line is
    // parsed here to test the exceptions, which workers do not know.
    accept:
      runner.accept === undefined
        ? undefined
        : (hit, location, seq, raw, event) => {
            if (!excludes(gate, event())) runner.accept?.(hit, location, seq, raw, event);
          },
    finish: () => runner.finish(),
  };
}
