/**
 * The alert stages of one rule, between its runner and the output (README "max_signals and alert
 * suppression"): alerts put in event-time order, then `alert_suppression`, then `max_signals`.
 */
import type { Alert } from '../alert.js';
import type { CompiledRule } from '../compileRule.js';
import { maxSignalsStage, type CapOrder } from './maxSignals.js';
import { DEFAULT_MAX_SIGNALS, scheduleOf, type AlertStage, type KeyValue } from './stage.js';
import { compileGroupsOf, SuppressionStage } from './suppression.js';

export type { AlertStage } from './stage.js';

export interface AlertStageCounts {
  /** Alerts left out by `max_signals`. */
  leftOut: number;
  /** Events folded into a suppressed alert of their group. */
  suppressed: number;
  /** Suppression groups passed on early at the state cap. */
  closedEarly: number;
}

export interface AlertStageOptions {
  /** Apply `max_signals` (off with `--no-max-signals`). */
  maxSignals: boolean;
  /** Alerts come as a live stream: no holding for time order, decided as they come. */
  live: boolean;
}

/** The stages a rule needs in front of `emit`; `emit` itself when it needs none. */
export function createAlertStages(compiled: CompiledRule, options: AlertStageOptions, emit: (alert: Alert) => void, counts: AlertStageCounts): AlertStage {
  const { rule } = compiled;
  const schedule = scheduleOf(rule);
  let stage: AlertStage = { push: emit, finish() {} };
  const suppression = rule.alertSuppression;
  if (options.maxSignals) {
    stage = maxSignalsStage(rule.maxSignals ?? DEFAULT_MAX_SIGNALS, schedule, capOrder(compiled), stage, counts);
  }
  if (suppression) {
    const threshold = compiled.kind === 'threshold' ? compiled.rule.threshold : undefined;
    // A threshold rule suppresses by its own threshold fields, read from the alert's group.
    const spec = threshold && suppression.groupBy.length === 0 ? { ...suppression, groupBy: threshold.fields } : suppression;
    const groupsOf = compileGroupsOf(spec, compiled.kind === 'query' && rule.type === 'query' ? 'each' : 'sorted', (a) => a.threshold?.fields);
    stage = new SuppressionStage(spec, schedule.intervalMs, groupsOf, stage, counts);
  }
  if (!options.maxSignals && !suppression) return stage;
  return options.live ? stage : timeOrdered(stage);
}

/** Which alerts a full execution keeps, by rule kind (maxSignals.ts). */
function capOrder(compiled: CompiledRule): CapOrder {
  const { rule } = compiled;
  if (rule.alertSuppression && compiled.kind === 'query' && rule.type === 'query') {
    return { kind: 'key', keyOf: (a) => a.suppression?.terms.map((t) => t.value) ?? [] };
  }
  switch (compiled.kind) {
    case 'query':
      return rule.type === 'eql' ? { kind: 'searchSize' } : { kind: 'newFirst' };
    case 'sequence':
    case 'sample':
      return { kind: 'searchSize' };
    case 'threshold': {
      const fields = compiled.rule.threshold.fields;
      return { kind: 'key', keyOf: (a) => fields.map((f): KeyValue => a.threshold?.fields[f] ?? null) };
    }
    case 'new_terms': {
      const fields = compiled.rule.newTerms.fields;
      return { kind: 'key', keyOf: (a) => fields.map((f): KeyValue => a.newTerms?.[f] ?? null) };
    }
  }
}

/**
 * Over files, a rule's alerts come in the order of the lines that raised them (query rules) or
 * of their decisions: they are held and passed on in event time at the end (ties in the order
 * they came), as runners/timeOrder.ts does for events, so the result does not depend on the order
 * of lines or files. Memory grows with the rule's alerts, not with the input.
 */
function timeOrdered(next: AlertStage): AlertStage {
  const held: Array<{ alert: Alert; seq: number }> = [];
  return {
    push(alert) {
      if (alert.timeMs === undefined) next.push(alert);
      else held.push({ alert, seq: held.length });
    },
    finish() {
      held.sort((a, b) => (a.alert.timeMs ?? 0) - (b.alert.timeMs ?? 0) || a.seq - b.seq);
      for (const h of held) next.push(h.alert);
      held.length = 0;
      next.finish();
    },
  };
}
