import type { Alert } from '../engine/alert.js';
import type { CompiledRule } from '../engine/compileRule.js';
import { formatTime } from '../engine/eventTime.js';
import { readJoinKey } from '../eql/compile.js';
import { stringifyJson } from '../event/json.js';
import { termKey } from '../engine/newTerms.js';
import { relativeWindowMs } from '../rules/duration.js';
import { printable } from '../text/printable.js';
import type { ClauseNode } from './clause.js';
import { compileRuleExplainer, type ExplainOptions, type RuleExplainer } from './rule.js';

/** Why one alert fired: the clauses on its event, and what its rule kind decided across events. */
export interface AlertExplanation {
  /** The rule's query (and filters) on the alert's event; for a sequence, on each of its events. */
  clauses: Array<{ node: ClauseNode; step?: StepMatch }>;
  /** What the rule kind adds, one line each: the new term and its history, the threshold group and window. */
  context: string[];
}

/** Which query of a sequence or sample an event satisfied, and its join key. */
export interface StepMatch {
  /** 1-based, in the order the queries are written. */
  step: number;
  /** Where the event was read, `file:line`. */
  at: string;
  /** The event's join key values as JSON, or null without `by`. */
  key: string | null;
}

export interface AlertExplainerOptions extends ExplainOptions {
  /**
   * new_terms history read from `--state` before the scan, by rule id (term key → latest sighting):
   * a copy, since the scan updates the live one with the alert's own sighting.
   */
  history?: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

/**
 * Explains alerts of the given rules, compiling a rule's explainer the first time one of its
 * alerts is explained: a scan without `--explain` never builds one.
 */
export function createAlertExplainer(rules: readonly CompiledRule[], options: AlertExplainerOptions): (alert: Alert) => AlertExplanation {
  const byRule = new Map(rules.map((r) => [r.rule, r]));
  const explainers = new Map<CompiledRule, RuleExplainer>();
  return (alert) => {
    const compiled = byRule.get(alert.rule);
    if (compiled === undefined) return { clauses: [], context: [`rule ${alert.rule.id} is not among the rules of this scan`] };
    let explainer = explainers.get(compiled);
    if (explainer === undefined) {
      explainer = compileRuleExplainer(compiled, options);
      explainers.set(compiled, explainer);
    }
    return explainAlert(alert, compiled, explainer, options);
  };
}

function explainAlert(alert: Alert, compiled: CompiledRule, explainer: RuleExplainer, options: AlertExplainerOptions): AlertExplanation {
  const context: string[] = [];
  if (alert.events !== undefined && explainer.steps !== undefined) {
    return { clauses: sequenceClauses(alert.events, explainer, compiled.kind === 'sequence'), context };
  }
  if (alert.newTerms !== undefined && compiled.kind === 'new_terms') {
    const { fields, historyWindowStart, historyWindowMs } = compiled.rule.newTerms;
    const newTerms = alert.newTerms;
    const term = fields.flatMap((f) => (f in newTerms ? [newTerms[f]!] : []));
    const shownTerm = fields.map((f, i) => `${f} = ${stringifyJson(term[i])}`).join(', ');
    const remembered = term.length === fields.length ? options.history?.get(compiled.rule.id)?.get(termKey(term)) : undefined;
    const history = remembered === undefined ? (options.history === undefined ? '' : '; not in the --state history') : `; last seen ${formatTime(remembered)} (--state history)`;
    context.push(printable(`new term ${shownTerm}: not seen in the ${spanText(historyWindowMs)} before ${formatTime(alert.timeMs) ?? 'this event'} (history_window_start = ${historyWindowStart})${history}`));
  }
  if (alert.threshold !== undefined && compiled.kind === 'threshold') {
    const t = alert.threshold;
    const group = Object.entries(t.fields).map(([k, v]) => `${k} = ${stringifyJson(v)}`).join(', ');
    const spanMs = (compiled.rule.from && relativeWindowMs(compiled.rule.from)) || DEFAULT_THRESHOLD_SPAN_MS;
    const card = t.cardinality ? `, ${t.cardinality.value} distinct ${t.cardinality.field} (at least ${compiled.rule.threshold.cardinality?.value ?? '?'})` : '';
    context.push(
      printable(`threshold: ${t.count} matching events (at least ${compiled.rule.threshold.value})${group ? ` for ${group}` : ' in all'}${card} within ${spanText(spanMs)} (${compiled.rule.from ? `from = ${compiled.rule.from}` : 'the default look-back'})`),
    );
  }
  return { clauses: [{ node: explainer.explain(alert.event) }], context };
}

/** Elastic's look-back when a threshold rule has no `from` (engine/runners/threshold.ts). */
const DEFAULT_THRESHOLD_SPAN_MS = 6 * 60_000;

/**
 * Each event of a sequence with the query it satisfied: a sequence's events come in the order of
 * its positive queries (`with runs=N` taking N events); a sample's in any order, each the first of
 * its queries it satisfies that no earlier event took.
 */
function sequenceClauses(events: NonNullable<Alert['events']>, explainer: RuleExplainer, ordered: boolean): AlertExplanation['clauses'] {
  const steps = (explainer.steps ?? []).map((s, i) => ({ ...s, number: i + 1 })).filter((s) => !s.missing && !s.until);
  const expanded = ordered ? steps.flatMap((s) => Array.from({ length: s.runs }, () => s)) : [];
  const taken = new Set<number>();
  return events.map((e, i) => {
    let step = ordered ? expanded[i] : undefined;
    if (!ordered) {
      step = steps.find((s) => !taken.has(s.number) && s.explain(e.event).result);
      if (step !== undefined) taken.add(step.number);
    }
    const at = `${e.location.file}:${e.location.line}`;
    if (step === undefined) return { node: explainer.explain(e.event), step: { step: 0, at: printable(at), key: null } };
    const key = step.keys.length === 0 ? null : printable(stringifyJson(readJoinKey(step.keys, e.event)));
    return { node: { ...step.explain(e.event), clause: step.label }, step: { step: step.number, at: printable(at), key } };
  });
}

/** A span in the largest unit that divides it: `5m`, `2h`, `90s`. */
function spanText(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
