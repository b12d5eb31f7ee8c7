import type { Alert } from '../engine/alert.js';
import { alertIndexDocumentOf } from '../engine/alertIndexDocument.js';

/**
 * `--format elastic`: one alert document a line, as Elastic Security indexes it in
 * `.alerts-security.alerts-default` (src/engine/alertIndexDocument.ts, README "Elastic alert
 * documents"). Lines are documents only, no `_bulk` action lines, so they load with any tool;
 * the README shows the jq line that makes a `_bulk` body with `kibana.alert.uuid` as `_id`.
 */
export function elasticAlertLine(alert: Alert): string {
  return JSON.stringify(alertIndexDocumentOf(alert)) + '\n';
}
