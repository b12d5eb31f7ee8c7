import type { EcsEvent } from '../event/types.js';
import type { SourceStats } from '../input/events.js';
import { formatExceptionSummary, type ExceptionItemCounts } from '../exceptions/summary.js';
import { printable } from '../text/printable.js';
import { alertHost } from './alertFields.js';
import { Tally } from './tally.js';
import { formatCount } from '../text/count.js';

/** `--summary`: `alerted` lists the rules that alerted and counts the others; `all` lists every rule. */
export type SummaryRules = 'alerted' | 'all';
export const SUMMARY_RULES: readonly SummaryRules[] = ['alerted', 'all'];

/**
 * What a scan counted: one model, rendered for people by formatSummary (stderr) and for programs
 * by renderRunStats (`--stats`, ./runStats.ts). Counts are read into it once, at the end.
 */
export interface ScanSummary {
  files: number;
  lines: number;
  events: number;
  /** Lines the prefilter ruled out without parsing them (object-shaped, no needle of any rule). */
  skipped: number;
  malformed: number;
  blank: number;
  warnings: number;
  bytes: number;
  inputErrors: number;
  elapsedMs: number;
  /** Alerts per rule, in rule order, every rule run. */
  alertsByRule: Array<{
    name: string;
    id: string;
    /** The rule's type and severity, for `--stats` readers (the text summary names the rule only). */
    type?: string;
    severity?: string;
    alerts: number;
    untimed: number;
    dropped?: number;
    droppedWhat?: 'threshold group';
    leftOut?: number;
    suppressed?: number;
    closedEarly?: number;
  }>;
  /**
   * Per input, in the order read (the HTML report lists them): its counts, which the totals above
   * add up, or why it could not be read. Bounded by the inputs named, as the scan's list of them is.
   */
  inputs?: InputCounts[];
  /** Which rules are listed; default `alerted`. */
  rules?: SummaryRules;
  /** Alerts per host, when counted. */
  hosts?: AlertsByHost;
  /**
   * The scan was stopped by this signal. `cutShort`: the input it stopped in the middle of, and
   * its lines read by then; that input's counts are not in the totals (its alerts are).
   */
  interrupted?: { signal: string; cutShort?: { name: string; lines: number } };
  /** Per `--exceptions` item, what it dropped (src/exceptions/summary.ts). */
  exceptions?: ExceptionItemCounts[];
  /**
   * Notes and warnings that did not stop the scan (disabled rules not run, exception items that
   * apply to no rule...). The text summary leaves them out: they were printed when they arose.
   */
  notes?: string[];
}

/** One input's line counts as its reader kept them (input/events.ts SourceStats), under its name. */
export interface InputCounts extends Pick<SourceStats, 'lines' | 'events' | 'skipped' | 'malformed' | 'blank' | 'bytes'> {
  name: string;
  /** Why it could not be read, or not to its end. */
  error?: string;
}

/** Hosts listed by name in the summary; the rest are counted in one line. */
export const HOSTS_SHOWN = 10;
/**
 * Distinct hosts counted by name. Host names come from events, so a hostile input could make
 * every alert a new host: past this many, further new hosts' alerts are only counted together.
 */
export const MAX_HOSTS = 10_000;
export const NO_HOST = '(no host)';

/** Rules listed under each host in the summary, most alerts first. */
export const RULES_PER_HOST = 3;

/**
 * Counts alerts by the host of their event: host.name, else host.hostname, else "(no host)";
 * and, per host, by rule (`add` given the rule), for the rules listed under each host.
 */
export class AlertsByHost {
  private readonly counts: Tally;
  /** Per host, alerts by rule id; bounded as hosts are, and by the rules a scan runs. */
  private readonly rules = new Map<string, Map<string, number>>();
  private readonly ruleNames = new Map<string, string>();

  constructor(maxHosts = MAX_HOSTS) {
    this.counts = new Tally(maxHosts);
  }

  add(event: EcsEvent, rule?: { id: string; name: string }): void {
    const host = this.counts.add(alertHost(event) ?? NO_HOST);
    if (host === undefined || rule === undefined) return;
    this.ruleNames.set(rule.id, rule.name);
    let byRule = this.rules.get(host);
    if (byRule === undefined) this.rules.set(host, (byRule = new Map<string, number>()));
    byRule.set(rule.id, (byRule.get(rule.id) ?? 0) + 1);
  }

  /** The `shown` hosts with most alerts (ties by name), and what is left over. */
  top(shown: number): { hosts: Array<{ host: string; alerts: number }>; moreHosts: number; uncountedAlerts: number } {
    const { items, more, uncounted } = this.counts.top(shown);
    return { hosts: items.map((i) => ({ host: i.key, alerts: i.count })), moreHosts: more, uncountedAlerts: uncounted };
  }

  /** Distinct hosts counted. */
  get size(): number {
    return this.counts.size;
  }

  /** The `shown` rules with most alerts on `host` (ties by name), and how many other rules alerted there. */
  topRules(host: string, shown: number): { rules: Array<{ name: string; alerts: number }>; moreRules: number } {
    const rules = [...(this.rules.get(host) ?? [])].map(([id, alerts]) => ({ name: this.ruleNames.get(id) ?? id, alerts }));
    rules.sort((a, b) => b.alerts - a.alerts || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { rules: rules.slice(0, shown), moreRules: Math.max(0, rules.length - shown) };
  }
}

const n = formatCount;
const plural = (count: number, one: string, many = `${one}s`) => `${n(count)} ${count === 1 ? one : many}`;

/** The stderr summary: what was read, what was wrong with it, what fired, where, how fast. */
export function formatSummary(s: ScanSummary): string {
  const seconds = s.elapsedMs / 1000;
  const mbps = seconds > 0 ? s.bytes / 1e6 / seconds : 0;
  const total = s.alertsByRule.reduce((a, r) => a + r.alerts, 0);
  const parts = [`${n(s.events + s.skipped)} events`];
  if (s.skipped) parts[0] += ` of which ${n(s.skipped)} ruled out unparsed`;
  if (s.malformed) parts.push(`${n(s.malformed)} malformed`);
  if (s.blank) parts.push(`${n(s.blank)} blank`);
  const lines = [
    `lkm-scan: ${n(s.files)} input${s.files === 1 ? '' : 's'}, ${n(s.lines)} lines (${parts.join(', ')}), ` +
      `${formatBytes(s.bytes)} in ${seconds.toFixed(2)} s (${mbps.toFixed(1)} MB/s)`,
  ];
  if (s.interrupted) {
    const { signal, cutShort } = s.interrupted;
    lines.push(
      cutShort
        ? `  interrupted by ${signal} after line ${n(cutShort.lines)} of ${printable(cutShort.name)}: the counts above leave that input out`
        : `  interrupted by ${signal}: the counts above cover the input read before it`,
    );
  }
  if (s.warnings) lines.push(`  ${plural(s.warnings, 'line')} with warnings (invalid UTF-8 replaced)`);
  if (s.inputErrors) lines.push(`  ${plural(s.inputErrors, 'input')} could not be read (see errors above)`);

  // A rule with skipped events or dropped state is listed even without alerts: that is news too.
  const all = s.rules === 'all';
  const listed = all ? s.alertsByRule : s.alertsByRule.filter((r) => r.alerts > 0 || r.untimed > 0 || (r.dropped ?? 0) > 0 || (r.leftOut ?? 0) > 0);
  const alerted = s.alertsByRule.filter((r) => r.alerts > 0).length;
  lines.push(`  ${plural(total, 'alert')}` + (s.alertsByRule.length > 0 ? ` from ${n(alerted)} of ${plural(s.alertsByRule.length, 'rule')}` : ''));
  for (const r of listed) {
    let line = `    ${String(n(r.alerts)).padStart(6)}  ${printable(r.name)}`;
    if (r.untimed) line += `  (${n(r.untimed)} matching events without a usable timestamp skipped)`;
    if (r.dropped) {
      const [one, many] = r.droppedWhat === 'threshold group' ? ['threshold group', 'threshold groups'] : ['partial match', 'partial matches'];
      line += `  (${n(r.dropped)} ${r.dropped === 1 ? one : many} dropped at the state cap)`;
    }
    if (r.suppressed) line += `  (${plural(r.suppressed, 'more event')} suppressed into these alerts)`;
    if (r.closedEarly) line += `  (${plural(r.closedEarly, 'suppression group')} ended early at the state cap)`;
    if (r.leftOut) line += `  (${plural(r.leftOut, 'alert')} left out by max_signals; --no-max-signals keeps them)`;
    lines.push(line);
  }
  const unlisted = s.alertsByRule.length - listed.length;
  if (unlisted > 0) lines.push(`    ${plural(unlisted, 'rule')} without alerts (--summary all lists them)`);

  if (s.hosts && total > 0) {
    const { hosts, moreHosts, uncountedAlerts } = s.hosts.top(HOSTS_SHOWN);
    lines.push('  alerts by host:');
    // Under each host its top rules, when more than one rule alerted: with one, they would all say the same.
    for (const h of hosts) {
      lines.push(`    ${String(n(h.alerts)).padStart(6)}  ${printable(h.host)}`);
      if (alerted < 2) continue;
      const { rules, moreRules } = s.hosts.topRules(h.host, RULES_PER_HOST);
      for (const r of rules) lines.push(`        ${String(n(r.alerts)).padStart(6)}  ${printable(r.name)}`);
      if (moreRules > 0) lines.push(`                and ${plural(moreRules, 'more rule')}`);
    }
    if (moreHosts > 0) lines.push(`    and ${plural(moreHosts, 'more host')}`);
    if (uncountedAlerts > 0) lines.push(`    and ${plural(uncountedAlerts, 'alert')} on further hosts (distinct hosts are counted up to ${n(MAX_HOSTS)})`);
  }
  return lines.join('\n') + '\n' + formatExceptionSummary(s.exceptions ?? []);
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}
