import type { CompiledRule } from '../engine/compileRule.js';
import { compileEventTime, formatTime } from '../engine/eventTime.js';
import { compileIndexPatterns, eventIndexNames, namesAlertsOnly } from '../engine/indexPattern.js';
import { compileTimeWindow, type TimeWindow } from '../engine/timeWindow.js';
import { readJoinKey } from '../eql/compile.js';
import { compileTermsOf } from '../engine/newTerms.js';
import { stringifyJson } from '../event/json.js';
import type { EcsEvent } from '../event/types.js';
import type { ExceptionGate } from '../exceptions/index.js';
import { printable } from '../text/printable.js';
import type { ClauseNode } from './clause.js';
import { firstFailure, type Failure } from './diagnose.js';
import { compileRuleExplainer, type ExplainOptions } from './rule.js';

/**
 * Whether a rule would take an event, and if not the first thing that stopped it, in the order a
 * scan decides (commands/scan.ts, engine/dispatch.ts, exceptions/gate.ts): the time window, the
 * rule's index patterns, its query and filters, its exceptions.
 */
export interface Verdict {
  matched: boolean;
  /** Where the decision was made. */
  stage: 'alerts-only' | 'time-window' | 'index' | 'query' | 'exception' | 'matched';
  /** One sentence an analyst reads; printable. */
  reason: string;
  /** The first clause that failed, when the query decided. */
  failure?: Failure;
  /** The query's clauses on the event, when it was evaluated. */
  tree?: ClauseNode;
  /** For a match: what the event takes part in, until a scan says whether it alerted (settleVerdict). */
  taking?: { kind: CompiledRule['kind']; part: string; window?: string };
}

/**
 * A verdict once a scan of the same events has run (`alerted`: an alert of the rule names this
 * event, as its event or one of its sequence's): only then is a match of a rule that decides
 * across events (new_terms, threshold, sequence), or one max_signals or suppression may drop, an
 * alert or not.
 */
export function settleVerdict(v: Verdict, alerted: boolean): Verdict {
  const taking = v.taking;
  if (!v.matched || taking === undefined) return v;
  const { kind, part } = taking;
  switch (kind) {
    case 'query':
      return alerted ? v : { ...v, reason: 'matched the query, but the scan gave no alert for it: left out by max_signals, or folded into an earlier alert by alert suppression' };
    case 'new_terms':
      return { ...v, reason: alerted ? `matched: the scan alerted, ${part} is a new term: not seen within ${taking.window}` : `matched the query, but no alert: ${part} was seen within ${taking.window}` };
    case 'threshold':
      return { ...v, reason: alerted ? `matched: the scan alerted, ${part} was reached at this event` : `matched the query: counted toward ${part}, no alert at this event` };
    case 'sequence':
    case 'sample':
      return { ...v, reason: alerted ? `matched ${part}: part of a ${kind} the scan alerted on` : `matched ${part}, but no ${kind} the scan completed took it` };
  }
}

export interface VerdictOptions extends ExplainOptions {
  window: TimeWindow;
  /** The exception items that apply to the rule (`--exceptions`), if any. */
  gate?: ExceptionGate;
}

const timestampOf = compileEventTime();

/** Compiles, for one rule, the function that tells what becomes of an event. */
export function compileVerdict(compiled: CompiledRule, options: VerdictOptions): (event: EcsEvent) => Verdict {
  const { rule } = compiled;
  const inWindow = compileTimeWindow(options.window);
  const inIndex = rule.index.length === 0 ? undefined : compileIndexPatterns(rule.index);
  const alertsOnly = namesAlertsOnly(rule.index);
  const explainer = compileRuleExplainer(compiled, options);
  const gate = options.gate;
  const termsOf = compiled.kind === 'new_terms' ? compileTermsOf(compiled.rule.newTerms.fields) : undefined;
  return (event) => {
    if (alertsOnly) {
      return { matched: false, stage: 'alerts-only', reason: 'not offered: the rule reads the alerts of other rules (index .alerts-security.*), not events' };
    }
    if (inWindow !== undefined && !inWindow(event)) {
      const t = timestampOf(event);
      return { matched: false, stage: 'time-window', reason: `excluded by the time window (--since/--until): @timestamp is ${t === undefined ? 'missing or unreadable' : formatTime(t)}` };
    }
    const names = inIndex === undefined ? undefined : eventIndexNames(event);
    if (inIndex !== undefined && names !== undefined && !names.some(inIndex)) {
      return {
        matched: false,
        stage: 'index',
        reason: printable(`not offered: the event is from index ${names.join(', ')}, which the rule's index patterns (${rule.index.join(', ')}) do not take in`),
      };
    }
    const tree = explainer.explain(event);
    if (!tree.result) {
      if (explainer.steps !== undefined) {
        return { matched: false, stage: 'query', tree, reason: `not matched: the event satisfies none of the ${compiled.kind === 'sample' ? 'sample' : 'sequence'}'s queries` };
      }
      const failure = firstFailure(tree);
      return { matched: false, stage: 'query', tree, ...(failure === undefined ? {} : { failure }), reason: `not matched: ${failure?.reason ?? 'the query does not hold'}` };
    }
    const excludedBy = gate?.items.find((item) => item.matches(event));
    if (excludedBy !== undefined) {
      return { matched: false, stage: 'exception', tree, reason: printable(`ruled out by the exception "${excludedBy.name}" (list ${excludedBy.listId}, item ${excludedBy.itemId})`) };
    }
    const { reason, taking } = matchedReason(compiled, event, termsOf, explainer.steps);
    return { matched: true, stage: 'matched', tree, reason: printable(reason), ...(taking === undefined ? {} : { taking: { ...taking, part: printable(taking.part) } }) };
  };
}

/** What a match means for the rule's kind: an alert at once, or a part in a decision across events. */
function matchedReason(
  compiled: CompiledRule,
  event: EcsEvent,
  termsOf: ((event: EcsEvent) => unknown[][]) | undefined,
  steps: ReturnType<typeof compileRuleExplainer>['steps'],
): { reason: string; taking?: Verdict['taking'] } {
  switch (compiled.kind) {
    case 'query':
      return { reason: 'matched: the rule alerts on this event', taking: { kind: 'query', part: '' } };
    case 'new_terms': {
      const terms = termsOf?.(event) ?? [];
      const fields = compiled.rule.newTerms.fields.join(', ');
      if (terms.length === 0) return { reason: `matched the query, but the event has no value for ${fields}: no term to be new` };
      const part = `${fields} = ${terms.slice(0, 3).map((t) => stringifyJson(t.length === 1 ? t[0] : t)).join(' or ')}`;
      const window = `${compiled.rule.newTerms.historyWindowStart} before it`;
      return { reason: `matched the query: alerts if ${part} was not seen within ${window} (a scan decides across events)`, taking: { kind: 'new_terms', part, window } };
    }
    case 'threshold': {
      const t = compiled.rule.threshold;
      const part = `the threshold of ${t.value} events${t.fields.length > 0 ? ` per ${t.fields.join(', ')}` : ''}`;
      return { reason: `matched the query: counts toward ${part} (a scan decides across events)`, taking: { kind: 'threshold', part } };
    }
    case 'sequence':
    case 'sample': {
      const which = (steps ?? [])
        .map((s, i) => ({ s, i }))
        .filter(({ s }) => s.explain(event).result)
        .map(({ s, i }) => {
          const key = s.keys.length === 0 ? '' : ` with join key ${stringifyJson(readJoinKey(s.keys, event))}`;
          return `${s.until ? 'until' : s.missing ? `missing-event query ${i + 1}` : `query ${i + 1}`}${key}`;
        });
      const part = `${which.join(', ')} of the ${compiled.kind}`;
      return { reason: `matched ${part}: it alerts when the other queries match too (a scan decides across events)`, taking: { kind: compiled.kind, part } };
    }
  }
}
