import { createHash } from 'node:crypto';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Alert } from '../engine/alert.js';
import { formatTime } from '../engine/eventTime.js';
import { stringifyJson } from '../event/json.js';
import { alertFields, alertHost } from './alertFields.js';
import type { Rule, Severity } from '../rules/types.js';

/**
 * The pieces of a SARIF 2.1.0 log for lkm-scan's alerts, shaped for GitHub code scanning
 * (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning).
 * The document itself is written piece by piece by sarifSink.ts.
 */

export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** GitHub code scanning shows at most this many results per run; it rejects bigger runs. */
export const GITHUB_MAX_RESULTS = 25_000;
/** GitHub keeps at most this many tags per rule. */
export const MAX_TAGS = 20;
/** The uriBaseId of result locations: the working directory lkm-scan ran in (GitHub's checkout root in CI). */
export const SRCROOT = '%SRCROOT%';

/** SARIF levels: GitHub code scanning and most CI viewers sort and filter by these. */
const LEVEL: Record<Severity, 'note' | 'warning' | 'error'> = {
  low: 'note',
  medium: 'warning',
  high: 'error',
  critical: 'error',
};

/**
 * Elastic's risk-score band of each severity (Kibana's defaults: 21, 47, 73, 99) and GitHub's
 * security-severity band that is shown as the same word ("over 9.0 is critical, 7.0 to 8.9 is
 * high, 4.0 to 6.9 is medium and 3.9 or less is low").
 */
const BANDS: Record<Severity, { risk: [number, number]; github: [number, number] }> = {
  low: { risk: [0, 21], github: [0.1, 3.9] },
  medium: { risk: [22, 47], github: [4.0, 6.9] },
  high: { risk: [48, 73], github: [7.0, 8.9] },
  critical: { risk: [74, 100], github: [9.1, 10.0] },
};

/**
 * `properties.security-severity` of a rule: a string number from 0.1 to 10.0. The rule's severity
 * picks GitHub's band, so GitHub calls the alert what the rule calls it even when its risk score
 * lies outside the usual range for that severity; the risk score places it within the band.
 */
export function securitySeverity(rule: Pick<Rule, 'severity' | 'riskScore'>): string {
  const { risk, github } = BANDS[rule.severity];
  const t = Math.min(1, Math.max(0, (rule.riskScore - risk[0]) / (risk[1] - risk[0])));
  const score = github[0] + t * (github[1] - github[0]);
  return (Math.round(score * 10) / 10).toFixed(1);
}

/**
 * A rule's tags: ATT&CK ids first (techniques and sub-techniques, then tactics), each once, then
 * the rule's own tags, at most MAX_TAGS. The schema requires tags to be unique; a technique
 * listed under two tactics used to appear twice.
 */
export function ruleTags(rule: Pick<Rule, 'tags' | 'threat'>): string[] {
  const techniques: string[] = [];
  const tactics: string[] = [];
  for (const t of rule.threat) {
    if (t.tactic) tactics.push(t.tactic.id);
    for (const tech of t.technique ?? []) {
      techniques.push(tech.id);
      for (const s of tech.subtechnique ?? []) techniques.push(s.id);
    }
  }
  return [...new Set([...techniques, ...tactics, ...rule.tags])].slice(0, MAX_TAGS);
}

/** The first http(s) reference, normalised so it is a valid URI; undefined if there is none. */
export function helpUri(references: readonly string[]): string | undefined {
  for (const ref of references) {
    let url: URL;
    try {
      url = new URL(ref.trim());
    } catch {
      continue;
    }
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.href;
  }
  return undefined;
}

/** `help` of a rule (GitHub requires one): description, false positives and investigation note. */
export function ruleHelp(rule: Pick<Rule, 'description' | 'falsePositives' | 'note' | 'references'>): { text: string; markdown: string } {
  const text: string[] = [rule.description.trim()];
  const markdown: string[] = [rule.description.trim()];
  if (rule.falsePositives.length > 0) {
    text.push('False positives:\n' + rule.falsePositives.map((f) => `- ${f.trim()}`).join('\n'));
    markdown.push('## False positives\n\n' + rule.falsePositives.map((f) => `- ${f.trim()}`).join('\n'));
  }
  const note = rule.note?.trim();
  if (note) {
    text.push('Investigation notes:\n' + note);
    // The note is Markdown already, with its own headings.
    markdown.push(note);
  }
  if (rule.references.length > 0) {
    text.push('References:\n' + rule.references.map((r) => `- ${r.trim()}`).join('\n'));
    markdown.push('## References\n\n' + rule.references.map((r) => `- ${r.trim()}`).join('\n'));
  }
  return { text: text.join('\n\n'), markdown: markdown.join('\n\n') };
}

/** One `tool.driver.rules` entry (a reportingDescriptor). */
export function sarifRule(rule: Rule): Record<string, unknown> {
  const uri = helpUri(rule.references);
  return {
    id: rule.id,
    name: rule.name,
    shortDescription: { text: rule.name },
    fullDescription: { text: rule.description.trim() },
    help: ruleHelp(rule),
    ...(uri !== undefined ? { helpUri: uri } : {}),
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags: ruleTags(rule),
      'security-severity': securitySeverity(rule),
      severity: rule.severity,
      risk_score: rule.riskScore,
      type: rule.type,
      language: rule.language,
      building_block: rule.buildingBlock,
      deprecated: rule.deprecated,
    },
  };
}

/** Where results point: relative to SRCROOT when the input lies below it, else a file: URI. */
export interface ArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

/**
 * Maps an input name (as the user gave it, or `<stdin>`) to a SARIF artifactLocation. Paths
 * below `cwd` become relative URI references (GitHub resolves them against the checkout), others
 * absolute `file:` URIs; both percent-encoded, so spaces, `#` or `%` in names stay valid URIs.
 */
export function artifactLocation(file: string, cwd: string): ArtifactLocation {
  // stdin has no name; /dev/stdin is what it is on the systems lkm-scan runs on.
  if (file === '<stdin>') return { uri: 'file:///dev/stdin' };
  const absolute = resolve(cwd, file);
  const rel = relative(cwd, absolute);
  if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) {
    return { uri: rel.split(sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
  }
  return { uri: pathToFileURL(absolute).href };
}

/** The working directory as the absolute file: URI (ending in `/`) that SRCROOT stands for. */
export function directoryUri(cwd: string): string {
  const href = pathToFileURL(cwd).href;
  return href.endsWith('/') ? href : href + '/';
}

/** Longest event value quoted in a message: events are hostile and a message is shown whole. */
const MAX_VALUE_CHARS = 200;

const cut = (text: string | undefined): string | undefined =>
  text !== undefined && text.length > MAX_VALUE_CHARS ? text.slice(0, MAX_VALUE_CHARS - 1) + '…' : text;

const pairs = (values: Record<string, unknown>) =>
  Object.entries(values)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');

/** What happened, in one sentence: the rule, then host, user, process and file of the event. */
export function resultMessage(alert: Alert): string {
  const { rule, event } = alert;
  const facts: string[] = [];
  const host = cut(alertHost(event));
  if (host !== undefined) facts.push(`host ${host}`);
  const user = cut(alertFields.userName(event));
  if (user !== undefined) facts.push(`user ${user}`);
  const name = cut(alertFields.processName(event));
  const exe = cut(alertFields.processExecutable(event));
  const pid = cut(alertFields.processPid(event));
  if (name !== undefined || exe !== undefined) {
    const detail = [pid !== undefined ? `pid ${pid}` : undefined, name !== undefined && exe !== undefined && exe !== name ? exe : undefined].filter(Boolean);
    facts.push(`process ${name ?? exe}${detail.length > 0 ? ` (${detail.join(', ')})` : ''}`);
  }
  const file = cut(alertFields.filePath(event));
  if (file !== undefined) facts.push(`file ${file}`);
  if (alert.newTerms) facts.push(`new term ${pairs(alert.newTerms)}`);
  if (alert.threshold) {
    const t = alert.threshold;
    const group = pairs(t.fields);
    facts.push(`${t.count} events${group ? ` for ${group}` : ''}${t.cardinality ? ` with ${t.cardinality.value} distinct ${t.cardinality.field}` : ''}`);
  }
  if (alert.events) facts.push(`sequence of ${alert.events.length} events`);
  return `${rule.name} (${rule.severity}, risk ${rule.riskScore})${facts.length > 0 ? `: ${facts.join('; ')}` : ''}.`;
}

/**
 * A stable identity for GitHub to recognise the same alert in the next run's upload (it does not
 * read log files to compute its own line hash): the rule and what fired it, not where in which
 * file it was read, so re-scanning the same events in another file or order matches.
 */
export function alertFingerprint(alert: Alert): string {
  const hash = createHash('sha256').update(alert.rule.id).update('\0');
  if (alert.events) for (const e of alert.events) hash.update(stringifyJson(e.event)).update('\0');
  else hash.update(alert.raw ?? stringifyJson(alert.event)).update('\0');
  if (alert.newTerms) hash.update(stringifyJson(alert.newTerms));
  if (alert.threshold) hash.update(stringifyJson(alert.threshold.fields));
  return hash.digest('hex').slice(0, 32);
}

/** One result: `ruleIndex` points into the rules written at the end. */
export function sarifResult(alert: Alert, ruleIndex: number, cwd: string): Record<string, unknown> {
  const location = (loc: { file: string; line: number }) => ({
    physicalLocation: { artifactLocation: artifactLocation(loc.file, cwd), region: { startLine: loc.line } },
  });
  const properties: Record<string, unknown> = { timestamp: formatTime(alert.timeMs) };
  if (alert.newTerms) properties.new_terms = alert.newTerms;
  if (alert.threshold) properties.threshold = alert.threshold;
  const events = alert.events;
  return {
    ruleId: alert.rule.id,
    ruleIndex,
    level: LEVEL[alert.rule.severity],
    message: { text: resultMessage(alert) },
    locations: [location(alert.location)],
    ...(events
      ? {
          relatedLocations: events.map((e, i) => ({
            id: i + 1,
            ...location(e.location),
            message: { text: `Event ${i + 1} of ${events.length} of the sequence.` },
          })),
        }
      : {}),
    partialFingerprints: { 'lkmScanAlert/v1': alertFingerprint(alert) },
    properties,
  };
}
