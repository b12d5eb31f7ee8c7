import type { Alert } from '../engine/alert.js';
import { alertIndexDocumentOf } from '../engine/alertIndexDocument.js';
import { stringifyJson } from '../event/json.js';

/**
 * `--format elastic`: one alert document a line, as Elastic Security indexes it in
 * `.alerts-security.alerts-default` (src/engine/alertIndexDocument.ts, README "Elastic alert
 * documents"). Lines are documents only, no `_bulk` action lines, so they load with any tool;
 * the README shows the jq line that makes a `_bulk` body with `kibana.alert.uuid` as `_id`.
 */
export function elasticAlertLine(alert: Alert): string {
  // stringifyJson: a long beyond 2^53 read from the event is written back with its own digits.
  return stringifyJson(alertIndexDocumentOf(alert)) + '\n';
}
