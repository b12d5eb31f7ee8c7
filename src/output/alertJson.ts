import type { Alert } from '../engine/alert.js';
import { formatTime } from '../engine/eventTime.js';
import { stringifyJson } from '../event/json.js';
import type { Rule } from '../rules/types.js';
import { ruleDocument, suppressionDocument } from './alertDocument.js';

const ruleJson = new WeakMap<Rule, string>();

/**
 * One alert as its NDJSON line: the same text as JSON.stringify(toAlertDocument(alert)), built
 * without copying the event: the `rule` part is serialised once per rule, and the document is the
 * event's own line when the reader kept it (it is JSON already, and exactly what was read). Values
 * from the event are written with stringifyJson, which keeps integers beyond 2^53 to the digit.
 */
export function alertJsonLine(alert: Alert, explanation?: readonly unknown[]): string {
  let rule = ruleJson.get(alert.rule);
  if (rule === undefined) {
    rule = JSON.stringify(ruleDocument(alert.rule));
    ruleJson.set(alert.rule, rule);
  }
  let line = '{"timestamp":' + JSON.stringify(formatTime(alert.timeMs)) + ',"rule":' + rule;
  if (alert.newTerms) line += ',"new_terms":' + stringifyJson(alert.newTerms);
  if (alert.threshold) line += ',"threshold":' + stringifyJson(alert.threshold);
  if (alert.suppression) line += ',"suppression":' + stringifyJson(suppressionDocument(alert.suppression));
  if (alert.events) {
    line += ',"events":' + stringifyJson(alert.events.map((e) => ({ location: { file: e.location.file, line: e.location.line }, document: e.event })));
  }
  if (explanation !== undefined) line += ',"explanation":' + JSON.stringify(explanation);
  line += ',"location":' + JSON.stringify({ file: alert.location.file, line: alert.location.line });
  line += ',"document":' + (alert.raw ?? stringifyJson(alert.event)) + '}\n';
  return line;
}
