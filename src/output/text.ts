import type { ChalkInstance } from 'chalk';
import { stringifyJson } from '../event/json.js';
import type { Alert } from '../engine/alert.js';
import { formatTime } from '../engine/eventTime.js';
import type { Severity } from '../rules/types.js';
import { alertFields, alertHost } from './alertFields.js';
import { mitreSummary } from './mitre.js';
import { printable } from '../text/printable.js';

const { hostOs, userName, processName, processPid, processExecutable, processCommandLine: processArgs, filePath, eventAction } = alertFields;

export function severityLabel(severity: Severity, chalk: ChalkInstance): string {
  const text = severity.toUpperCase();
  switch (severity) {
    case 'low':
      return chalk.cyan(text);
    case 'medium':
      return chalk.yellow(text);
    case 'high':
      return chalk.red(text);
    case 'critical':
      return chalk.bgRed.white.bold(text);
  }
}

/**
 * One readable block per alert: what fired, on what, where in the input. Every value from the
 * event, the rule file or a file name is escaped (./printable.ts): they are hostile text.
 */
export function formatAlertText(alert: Alert, chalk: ChalkInstance): string {
  const { rule, event } = alert;
  const marks = [rule.buildingBlock ? 'building block' : '', rule.deprecated ? 'deprecated' : ''].filter(Boolean);
  const lines: string[] = [];
  const time = formatTime(alert.timeMs) ?? 'no timestamp';
  lines.push(
    `${chalk.dim(time)}  ${severityLabel(rule.severity, chalk)} ${chalk.dim(`(risk ${rule.riskScore})`)}  ${chalk.bold(printable(rule.name))}` +
      (marks.length ? `  ${chalk.dim(`[${marks.join(', ')}]`)}` : ''),
  );
  const row = (label: string, value: string | undefined) => {
    if (value !== undefined && value !== '') lines.push(`  ${chalk.dim(label.padEnd(9))}${printable(value)}`);
  };
  row('rule', `${rule.id} (${rule.type}, ${rule.language})`);
  for (const [i, m] of mitreSummary(rule.threat).entries()) row(i === 0 ? 'mitre' : '', m);
  const host = alertHost(event);
  row('host', [host, hostOs(event) ? `(${hostOs(event)})` : undefined].filter(Boolean).join(' '));
  row('user', userName(event));
  const pid = processPid(event);
  const proc = [processName(event), pid ? `pid ${pid}` : undefined, processExecutable(event)].filter(Boolean).join('  ');
  row('process', proc);
  row('command', processArgs(event));
  row('file', filePath(event));
  row('action', eventAction(event));
  if (alert.newTerms) {
    row('new term', Object.entries(alert.newTerms).map(([k, v]) => `${k} = ${String(v)}`).join(', '));
  }
  if (alert.threshold) {
    const t = alert.threshold;
    const group = Object.entries(t.fields).map(([k, v]) => `${k} = ${String(v)}`).join(', ');
    const card = t.cardinality ? `, ${t.cardinality.value} distinct ${t.cardinality.field}` : '';
    row('threshold', `${t.count} events${group ? ` for ${group}` : ''}${card}`);
  }
  if (alert.suppression) {
    const s = alert.suppression;
    const group = s.terms.map((t) => `${t.field} = ${t.value === null ? '(missing)' : Array.isArray(t.value) ? stringifyJson(t.value) : String(t.value)}`).join(', ');
    const span = s.docsCount > 0 ? `, ${formatTime(s.start)} to ${formatTime(s.end)}` : '';
    row('group', `${group}: ${s.docsCount} more event${s.docsCount === 1 ? '' : 's'} suppressed${span}`);
  }
  if (alert.events) {
    alert.events.forEach((e, i) => {
      const what = [eventAction(e.event), processName(e.event), filePath(e.event)].filter(Boolean).join('  ');
      row(i === 0 ? 'sequence' : '', `${i + 1}. ${e.location.file}:${e.location.line}${what ? `  ${what}` : ''}`);
    });
  }
  // Not through row(): the underline's own escape sequence must stay one.
  lines.push(`  ${chalk.dim('at'.padEnd(9))}${chalk.underline(`${printable(alert.location.file)}:${alert.location.line}`)}`);
  return lines.join('\n') + '\n';
}
