import type { AlertIndexDocument } from './alertIndexDocument.js';

/**
 * The legacy `signal.*` names of alert fields. Kibana's alerts index maps them as field aliases of
 * the `kibana.alert.*` fields (security_solution `routes/index/signal_aad_mapping.json`, read by
 * `getAliasesFieldMap`), so a rule over `.alerts-security.*` may query either name: the pack's
 * "GitHub UEBA - Multiple Alerts from a GitHub Account" counts distinct `signal.rule.name`. An
 * alias is not in `_source`, so `--format elastic` leaves them out; only the rules reading alerts
 * (chain.ts) see them.
 *
 * Most are `signal.<x>` for `kibana.alert.<x>`; three are not: `signal.rule.severity` and
 * `signal.rule.risk_score` name the alert's severity and risk score, `signal.status` its workflow
 * status. Below, the alias of each field lkm-scan writes that has one.
 */
const ALIASES: ReadonlyArray<readonly [alias: string, field: string]> = [
  ...['ancestors', 'depth', 'original_time', 'threshold_result'].map((x) => [`signal.${x}`, `kibana.alert.${x}`] as const),
  ...['author', 'building_block_type', 'description', 'enabled', 'false_positives', 'from', 'immutable', 'interval', 'license', 'name', 'note', 'references', 'rule_id', 'tags', 'threat', 'type'].map(
    (x) => [`signal.rule.${x}`, `kibana.alert.rule.${x}`] as const,
  ),
  ['signal.rule.severity', 'kibana.alert.severity'],
  ['signal.rule.risk_score', 'kibana.alert.risk_score'],
  ['signal.status', 'kibana.alert.workflow_status'],
];

const ORIGINAL_EVENT = 'kibana.alert.original_event.';

/** The document as the alerts index answers queries on it: its fields, and their `signal.*` aliases. */
export function withSignalAliases(doc: AlertIndexDocument): AlertIndexDocument {
  const out: AlertIndexDocument = { ...doc };
  for (const [alias, field] of ALIASES) if (Object.hasOwn(doc, field)) out[alias] = doc[field];
  for (const key of Object.keys(doc)) {
    if (key.startsWith(ORIGINAL_EVENT)) out[`signal.original_event.${key.slice(ORIGINAL_EVENT.length)}`] = doc[key];
  }
  return out;
}
