import type { Alert } from '../../engine/alert.js';
import { isJsonObject, type EcsEvent } from '../../event/types.js';
import { MAX_NESTING } from '../../event/fields.js';
import { stringifyJson } from '../../event/json.js';
import type { TimeWindow } from '../../engine/timeWindow.js';
import type { Rule } from '../../rules/types.js';
import { printable } from '../../text/printable.js';
import { formatTimestamp } from '../../time/timestamp.js';
import { alertFields, alertHost } from '../alertFields.js';
import { mitreIds, mitreSummary } from '../mitre.js';
import type { ScanOutcome } from '../sink.js';
import { MAX_HOSTS, NO_HOST, AlertsByHost, type ScanSummary } from '../summary.js';
import { Tally } from '../tally.js';
import { attackMatrix, type AttackMatrix } from './attack.js';
import { Timeline, type TimelineData } from './timeline.js';
import { formatCount } from '../../text/count.js';

/**
 * What the report keeps, so that its memory and its file stay bounded whatever the alert count:
 * every alert is counted (totals, chart, matrix, top lists), but only the first `rows` are rows
 * of the table, and their details (the event's fields) stop at `detailChars` in all.
 */
export interface ReportBounds {
  rows: number;
  alertChars: number;
  detailChars: number;
  valueChars: number;
  cellChars: number;
  top: number;
  timelineHosts: number;
  inputs: number;
}

export const REPORT_BOUNDS: Readonly<ReportBounds> = {
  /** Alerts listed in the table, in output order; the rest are counted and the report says how many. */
  rows: 10_000,
  /** Characters of one alert's details (its events' fields and values); further fields are counted only. */
  alertChars: 16_000,
  /** Characters of details in the whole report; later alerts' rows have none, and the report says so. */
  detailChars: 4_000_000,
  /** Characters of one value (a command line, a file path) shown; the rest is counted. */
  valueChars: 1_000,
  /** Characters of one table cell (host, user, process, rule, source). */
  cellChars: 200,
  /** Hosts, users and processes listed by name in the top lists. */
  top: 10,
  /** Hosts with their own row in the chart. */
  timelineHosts: 12,
  /** Inputs listed one by one. */
  inputs: 1_000,
};

export interface ReportRule {
  id: string;
  name: string;
  severity: string;
  risk: number;
  type: string;
  alerts: number;
  mitre: string[];
}

/** One table row; short keys, as there may be ten thousand. `d` indexes `details`, -1 when not kept. */
export interface ReportRow {
  t: number | null;
  r: number;
  h: string;
  u: string;
  p: string;
  at: string;
  d: number;
}

export interface ReportDetail {
  sections: Array<{ title: string; fields: Array<[string, string]> }>;
  /** Fields left out by the bounds. */
  omitted: number;
}

export interface TopList {
  items: Array<{ name: string; alerts: number; rules?: string[] }>;
  /** Other names counted but not listed. */
  more: number;
  /** Alerts whose name came after the first MAX_HOSTS distinct ones: counted, not named. */
  uncounted: number;
}

export interface ReportData {
  tool: { name: string; version: string };
  generated: string;
  totals: {
    alerts: number;
    rulesRun: number;
    rulesAlerted: number;
    hosts: number;
    files: number;
    lines: number;
    events: number;
    skipped: number;
    malformed: number;
    blank: number;
    warnings: number;
    bytes: number;
    unreadable: number;
    elapsedMs: number;
    /** First and last alert time (ISO 8601), null without a timed alert. */
    alertSpan: [string, string] | null;
    /** `--since` / `--until`, ISO 8601. */
    window: { since: string | null; until: string | null };
  };
  inputs: Array<{ name: string; lines: number; events: number; skipped: number; malformed: number; blank: number; bytes: number; error: string | null }>;
  moreInputs: number;
  notes: string[];
  rules: ReportRule[];
  top: { hosts: TopList; users: TopList; processes: TopList };
  timeline: TimelineData;
  attack: AttackMatrix;
  rows: ReportRow[];
  details: ReportDetail[];
  /** What the bounds left out: alerts not in the table, rows without details. */
  omitted: { rows: number; details: number };
  bounds: ReportBounds;
}

/** `text` made safe to read (controls, bidi overrides escaped: src/text/printable.ts) and cut to `max` characters. */
function shown(text: string, max: number): string {
  if (text.length <= max) return printable(text);
  return `${printable(text.slice(0, max))}… (${formatCount(text.length - max)} more characters)`;
}

function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return stringifyJson(value);
}

/**
 * An event's fields as dotted paths and display values, in document order: arrays of scalars as
 * one value, arrays of objects by index. Stops adding fields at `budget` characters and counts
 * the rest; nesting deeper than the event reader follows (MAX_NESTING) is one note.
 */
function flatten(event: EcsEvent, bounds: ReportBounds, budget: { chars: number }, out: Array<[string, string]>): number {
  let omitted = 0;
  const push = (path: string, value: string) => {
    const key = shown(path, bounds.cellChars);
    const text = shown(value, bounds.valueChars);
    if (key.length + text.length > budget.chars) {
      omitted++;
      return;
    }
    budget.chars -= key.length + text.length;
    out.push([key, text]);
  };
  const walk = (value: unknown, path: string, depth: number) => {
    if (depth > MAX_NESTING) return push(path, `(nested deeper than ${MAX_NESTING} levels: not shown)`);
    if (Array.isArray(value)) {
      if (value.every((v) => !isJsonObject(v) && !Array.isArray(v))) return push(path, value.map(valueText).join(', '));
      value.forEach((v, i) => walk(v, `${path}[${i}]`, depth + 1));
      return;
    }
    if (isJsonObject(value)) {
      const keys = Object.keys(value);
      if (keys.length === 0 && path !== '') return push(path, '{}');
      for (const k of keys) walk(value[k], path === '' ? k : `${path}.${k}`, depth + 1);
      return;
    }
    push(path, valueText(value));
  };
  walk(event, '', 0);
  return omitted;
}

/**
 * Collects what the HTML report shows, alert by alert, within REPORT_BOUNDS; `data` then
 * assembles it with the scan's counts.
 */
export class ReportModel {
  private readonly rules: ReportRule[] = [];
  private readonly ruleIndex = new Map<string, number>();
  private readonly ruleObjects: Rule[] = [];
  private readonly rows: ReportRow[] = [];
  private readonly details: ReportDetail[] = [];
  private detailChars = 0;
  private omittedRows = 0;
  private omittedDetails = 0;
  private alerts = 0;
  private first = Infinity;
  private last = -Infinity;
  private readonly hosts = new AlertsByHost();
  private readonly users = new Tally(MAX_HOSTS);
  private readonly processes = new Tally(MAX_HOSTS);
  private readonly timeline = new Timeline();

  constructor(private readonly bounds: ReportBounds = REPORT_BOUNDS) {}

  add(alert: Alert): void {
    this.alerts++;
    const { rule, event } = alert;
    let r = this.ruleIndex.get(rule.id);
    if (r === undefined) {
      r = this.rules.length;
      this.ruleIndex.set(rule.id, r);
      this.ruleObjects.push(rule);
      this.rules.push({ id: printable(rule.id), name: printable(rule.name), severity: rule.severity, risk: rule.riskScore, type: rule.type, alerts: 0, mitre: mitreIds(rule.threat).map(printable) });
    }
    const entry = this.rules[r];
    if (entry) entry.alerts++;

    const host = alertHost(event) ?? NO_HOST;
    this.hosts.add(event, rule);
    const user = alertFields.userName(event);
    if (user !== undefined) this.users.add(user);
    const proc = alertFields.processName(event);
    if (proc !== undefined) this.processes.add(proc);
    this.timeline.add(host.length > this.bounds.cellChars ? host.slice(0, this.bounds.cellChars) : host, alert.timeMs);
    if (alert.timeMs !== undefined && Number.isFinite(alert.timeMs)) {
      this.first = Math.min(this.first, alert.timeMs);
      this.last = Math.max(this.last, alert.timeMs);
    }

    if (this.rows.length >= this.bounds.rows) {
      this.omittedRows++;
      return;
    }
    const cell = (text: string | undefined) => (text === undefined ? '' : shown(text, this.bounds.cellChars));
    const pid = alertFields.processPid(event);
    this.rows.push({
      t: alert.timeMs !== undefined && Number.isFinite(alert.timeMs) ? alert.timeMs : null,
      r,
      h: cell(host),
      u: cell(user),
      p: cell([proc, pid === undefined ? undefined : `pid ${pid}`].filter(Boolean).join('  ')),
      at: cell(`${alert.location.file}:${alert.location.line}`),
      d: this.detail(alert),
    });
  }

  /** The alert's details within the bounds: its index in `details`, or -1 once the report's budget is spent. */
  private detail(alert: Alert): number {
    const left = this.bounds.detailChars - this.detailChars;
    if (left <= 0) {
      this.omittedDetails++;
      return -1;
    }
    const budget = { chars: Math.min(this.bounds.alertChars, left) };
    const { rule } = alert;
    const about: Array<[string, string]> = [];
    const add = (key: string, value: string) => {
      const text = shown(value, this.bounds.valueChars);
      budget.chars -= key.length + text.length;
      about.push([key, text]);
    };
    add('rule', `${rule.name} (${rule.id})`);
    add('type', `${rule.type}, ${rule.language}, severity ${rule.severity}, risk ${rule.riskScore}`);
    for (const m of mitreSummary(rule.threat)) add('mitre', m);
    if (alert.newTerms) add('new terms', Object.entries(alert.newTerms).map(([k, v]) => `${k} = ${String(v)}`).join(', '));
    if (alert.threshold) {
      const t = alert.threshold;
      const group = Object.entries(t.fields).map(([k, v]) => `${k} = ${String(v)}`).join(', ');
      add('threshold', `${t.count} events${group ? ` for ${group}` : ''}${t.cardinality ? `, ${t.cardinality.value} distinct ${t.cardinality.field}` : ''}`);
    }
    if (alert.suppression) {
      const s = alert.suppression;
      const group = s.terms.map((t) => `${t.field} = ${t.value === null ? '(missing)' : valueText(t.value)}`).join(', ');
      add('suppressed', `${group}: ${s.docsCount} more events${s.docsCount > 0 ? `, ${formatTimestamp(s.start) ?? ''} to ${formatTimestamp(s.end) ?? ''}` : ''}`);
    }
    add('source', `${alert.location.file}:${alert.location.line}`);
    const sections: ReportDetail['sections'] = [{ title: 'alert', fields: about }];
    let omitted = 0;
    const events = alert.events ?? [{ event: alert.event, location: alert.location }];
    events.forEach((e, i) => {
      const fields: Array<[string, string]> = [];
      omitted += flatten(e.event, this.bounds, budget, fields);
      const title = events.length === 1 ? 'event' : `event ${i + 1} of ${events.length} (${shown(`${e.location.file}:${e.location.line}`, this.bounds.cellChars)})`;
      sections.push({ title, fields });
    });
    this.detailChars += this.bounds.alertChars - Math.max(0, budget.chars);
    this.details.push({ sections, omitted });
    return this.details.length - 1;
  }

  /** The report's data: what was collected, with the scan's counts when given. */
  data(ctx: { version: string; now: Date; rules: readonly Rule[]; window?: TimeWindow; summary?: ScanSummary; outcome: ScanOutcome }): ReportData {
    const s = ctx.summary;
    const iso = (ms: number | undefined) => (ms === undefined ? null : formatTimestamp(ms));
    const top = (t: Tally): TopList => {
      const { items, more, uncounted } = t.top(this.bounds.top);
      return { items: items.map((i) => ({ name: printable(i.key), alerts: i.count })), more, uncounted };
    };
    const hosts = this.hosts.top(this.bounds.top);
    const notes: string[] = [];
    if (s?.interrupted) notes.push(`interrupted by ${s.interrupted.signal}: the report covers the input read before it`);
    for (const e of ctx.outcome.inputErrors) notes.push(`${e.source}: ${e.message}`);
    if (ctx.outcome.nothingEvaluated !== undefined) notes.push(ctx.outcome.nothingEvaluated);
    const inputs = s?.inputs ?? [];
    return {
      tool: { name: 'lkm-scan', version: ctx.version },
      generated: ctx.now.toISOString(),
      totals: {
        alerts: this.alerts,
        rulesRun: s?.alertsByRule.length ?? ctx.rules.length,
        rulesAlerted: this.rules.length,
        hosts: this.hosts.size,
        files: s?.files ?? 0,
        lines: s?.lines ?? 0,
        events: s ? s.events + s.skipped : 0,
        skipped: s?.skipped ?? 0,
        malformed: s?.malformed ?? ctx.outcome.malformed,
        blank: s?.blank ?? 0,
        warnings: s?.warnings ?? 0,
        bytes: s?.bytes ?? 0,
        unreadable: s?.inputErrors ?? ctx.outcome.inputErrors.length,
        elapsedMs: Math.round(s?.elapsedMs ?? 0),
        alertSpan: this.first <= this.last ? [iso(this.first) ?? '', iso(this.last) ?? ''] : null,
        window: { since: iso(ctx.window?.since), until: iso(ctx.window?.until) },
      },
      inputs: inputs.slice(0, this.bounds.inputs).map((i) => ({ ...i, name: shown(i.name, this.bounds.cellChars), error: i.error === undefined ? null : shown(i.error, this.bounds.valueChars) })),
      moreInputs: Math.max(0, inputs.length - this.bounds.inputs),
      notes: notes.map((n) => shown(n, this.bounds.valueChars)),
      rules: this.rules,
      top: {
        hosts: {
          items: hosts.hosts.map((h) => ({ name: printable(h.host), alerts: h.alerts, rules: this.hosts.topRules(h.host, 3).rules.map((r) => `${printable(r.name)} (${r.alerts})`) })),
          more: hosts.moreHosts,
          uncounted: hosts.uncountedAlerts,
        },
        users: top(this.users),
        processes: top(this.processes),
      },
      timeline: (() => {
        const t = this.timeline.data(this.bounds.timelineHosts);
        return { ...t, rows: t.rows.map((row) => ({ ...row, host: shown(row.host, this.bounds.cellChars) })) };
      })(),
      attack: attackMatrix(this.ruleObjects.map((rule, i) => ({ rule, alerts: this.rules[i]?.alerts ?? 0 }))),
      rows: this.rows,
      details: this.details,
      omitted: { rows: this.omittedRows, details: this.omittedDetails },
      bounds: this.bounds,
    };
  }
}
