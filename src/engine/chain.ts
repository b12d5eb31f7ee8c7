import type { Alert } from './alert.js';
import { alertIndexDocumentOf } from './alertIndexDocument.js';
import { withSignalAliases } from './alertAliases.js';
import type { CompiledRule } from './compileRule.js';
import { namesAlertsOnly } from './indexPattern.js';
import { createScanner, type RuleCounts, type Scanner, type ScannerOptions } from './scanner.js';

/**
 * Alert chains (README "Alert chains and index patterns"). In Kibana a higher-order rule queries
 * `.alerts-security.*`, the index the other rules' alerts are written to: "Potential Buffer
 * Overflow Attack Detected" counts the alerts of the building block "Segfault Detected".
 *
 * Offline this is a second scanner stage: every alert of the first stage (the rules that read
 * events) is turned into the document Kibana would index (alertIndexDocument.ts) and fed, as it
 * is emitted, to the rules whose `index` names only the alerts index. Those see nothing else, and
 * no other rule sees alerts. The second stage's stateful rules hold and order what they match in
 * event time like any rule (runners/timeOrder.ts), so memory grows with matches, not input.
 * They also see the legacy `signal.*` aliases of the alert fields (alertAliases.ts).
 *
 * One level: the alerts of higher-order rules are output, not fed to a third stage. Kibana lets
 * a rule read every alert in the index, its own included (it guards loops with
 * `kibana.alert.depth`); no rule of the pack reads a higher-order rule's alerts, and one level
 * makes a loop impossible.
 */
export function createChainedScanner(rules: CompiledRule[], emit: (alert: Alert) => void, options: ScannerOptions): Scanner {
  const alertRules = rules.filter((r) => namesAlertsOnly(r.rule.index));
  if (alertRules.length === 0) return createScanner(rules, emit, options);
  const second = createScanner(alertRules, emit, options, 'alerts');
  // The first stage keeps every rule, so rule indices stay those the workers use (parallel/);
  // its dispatch never sends an event to an alerts rule.
  const first = createScanner(
    rules,
    (alert) => {
      emit(alert);
      second.event(withSignalAliases(alertIndexDocumentOf(alert)), alert.location);
    },
    options,
  );
  const counts = new Map<string, RuleCounts>(first.counts);
  for (const [id, count] of second.counts) counts.set(id, count);
  return {
    event: (event, location, raw, rules) => first.event(event, location, raw, rules),
    hits: (hits, location, raw) => first.hits(hits, location, raw),
    finish() {
      // The first stage's held alerts reach the second stage before it decides.
      first.finish();
      second.finish();
    },
    get finished() {
      return first.finished && second.finished;
    },
    counts,
    dispatchStats: first.dispatchStats,
  };
}
