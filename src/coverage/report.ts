import { compileIndexPatterns } from '../engine/indexPattern.js';
import { requiredField } from '../event/requirements.js';
import { compileWildcardParts } from '../event/wildcard.js';
import type { ChalkInstance } from 'chalk';
import { printable } from '../text/printable.js';
import { MAX_FIELDS, MAX_SOURCES, MAX_VALUES_PER_FIELD, type DataProfile, type RuleCoverage } from './collect.js';

/**
 * The coverage report: the JSON document of `lkm-scan coverage --format json` (README "Data
 * coverage"), and its text rendering. Built from a DataProfile (collect.ts).
 */

export type CoverageStatus = 'can_fire' | 'fields_missing' | 'cannot_fire' | 'reads_alerts';

export interface RuleCoverageReport {
  id: string;
  name: string;
  type: string;
  /** The rule's `Data Source: …` tags, or its index patterns when it has none: what the text report groups by. */
  data_source: string;
  index: string[];
  /**
   * `can_fire`: events meet every requirement and hold every field the rule reads;
   * `fields_missing`: events meet its requirements, but a field it reads is in none of them (it
   * may still fire if that field is only in an `or` or under `not`); `cannot_fire`: no event meets
   * its requirements and index patterns; `reads_alerts`: it reads other rules' alerts, not events.
   */
  status: CoverageStatus;
  /** Why, in words: the first thing to fix. */
  reasons: string[];
  /** Events that meet every requirement and the index patterns. */
  eligible_events: number;
  sources: Array<{ source: string; events: number }>;
  /**
   * The exact field values the rule requires (one of `values` in `field`; in any ASCII case, the
   * values written lower-case, when `case_insensitive`), and the events that have them.
   */
  requirements: Array<{ field: string; case_insensitive?: true; values: string[]; events: number; seen_values?: Array<{ value: string; events: number }> }>;
  /** The fields the rule reads, and how many of the eligible events hold each. */
  fields: Array<{ field: string; events: number }>;
  /** A sequence's or sample's steps (without `![...]`): each needs an event of its own. */
  steps?: Array<{ step: string; eligible_events: number; requirements: Array<{ field: string; case_insensitive?: true; values: string[]; events: number }> }>;
}

export interface CoverageReport {
  events: number;
  inputs: { files: number; lines: number; malformed: number; errors: Array<{ source: string; message: string }> };
  limits: { max_fields: number; max_values_per_field: number; max_sources: number; field_occurrences_not_counted: number };
  totals: { rules: number } & Record<CoverageStatus, number>;
  sources: Array<{ source: string; events: number }>;
  indices: Array<{ index: string; events: number }>;
  events_without_index: number;
  rules: RuleCoverageReport[];
  /** Fields the data holds that no selected rule reads, with the events holding each. */
  unread_fields: Array<{ field: string; events: number }>;
}


function dataSourceOf(tags: readonly string[], index: readonly string[]): string {
  const named = tags.filter((t) => t.toLowerCase().startsWith('data source:')).map((t) => t.slice('data source:'.length).trim());
  if (named.length > 0) return named.join(', ');
  return index.length > 0 ? `index ${index.join(', ')}` : '(no data source named)';
}

function quoteValues(values: readonly string[]): string {
  const shown = values.slice(0, 5).map((v) => JSON.stringify(v));
  const more = values.length > 5 ? ` and ${values.length - 5} more` : '';
  return values.length === 1 ? (shown[0] ?? '') : `one of ${shown.join(', ')}${more}`;
}

function ruleReport(r: RuleCoverage, profile: DataProfile, indexNames: readonly string[]): RuleCoverageReport {
  const rule = r.compiled.rule;
  const reasons: string[] = [];
  let status: CoverageStatus;
  const fieldEvents = (field: string) => profile.fields.counts.get(field) ?? 0;
  const requirements = r.requirements.map((req) => {
    const out: RuleCoverageReport['requirements'][number] = { field: req.field, ...(req.folded ? { case_insensitive: true as const } : {}), values: [...req.values], events: req.events };
    if (req.events === 0) out.seen_values = (profile.values.get(req.field)?.sorted() ?? []).slice(0, 10).map(([value, events]) => ({ value, events }));
    return out;
  });
  if (r.readsAlerts) {
    status = 'reads_alerts';
    reasons.push(`reads the alerts of other rules (index ${rule.index.join(', ')}), not events: it can fire when the rules it builds on do`);
  } else if (r.eligible === 0) {
    status = 'cannot_fire';
    for (const req of requirements) {
      if (req.events > 0) continue;
      const has = fieldEvents(req.field);
      const seen = req.seen_values ?? [];
      const instead =
        has === 0 ? `no event has ${req.field}` : `${req.field} has ${seen.slice(0, 5).map((s) => `${JSON.stringify(s.value)} (${s.events})`).join(', ')}${seen.length > 5 ? ', ...' : ''}`;
      reasons.push(`needs ${req.field} ${quoteValues(req.values)}: never present (${instead})`);
    }
    if (reasons.length === 0 && profile.events > 0) {
      const takes = rule.index.length === 0 ? () => true : compileIndexPatterns(rule.index);
      if (profile.withoutIndex === 0 && !indexNames.some(takes)) {
        reasons.push(`index patterns ${rule.index.join(', ')} match no input (the events are from ${indexNames.slice(0, 5).join(', ')}${indexNames.length > 5 ? ', ...' : ''})`);
      } else if (requirements.length > 1) {
        reasons.push(`its required values are each present, but never together in one event of its indices (${requirements.map((q) => `${q.field} ${quoteValues(q.values)}`).join('; ')})`);
      } else {
        reasons.push(`no event of its indices meets its requirements`);
      }
    }
    if (profile.events === 0) reasons.push('the input holds no event');
  } else if (r.steps.some((step) => step.eligible === 0)) {
    // A sequence or sample needs an event for each of its steps: one step nothing meets is enough.
    status = 'cannot_fire';
    for (const step of r.steps) {
      if (step.eligible > 0) continue;
      const unmet = step.requirements.filter((q) => q.events === 0);
      for (const q of unmet) reasons.push(`${step.label} needs ${q.field} ${quoteValues(q.values)}: never present${fieldEvents(q.field) === 0 ? ` (no event has ${q.field})` : ''}`);
      if (unmet.length === 0) reasons.push(`${step.label}: no event of the rule's indices meets its requirements (${step.requirements.map((q) => `${q.field} ${quoteValues(q.values)}`).join('; ')})`);
    }
  } else {
    const missing = r.fields.filter((f) => f.events === 0);
    status = missing.length > 0 ? 'fields_missing' : 'can_fire';
    for (const f of missing) {
      reasons.push(`reads ${f.field}: present in none of the ${r.eligible} events that meet its requirements${fieldEvents(f.field) > 0 ? ` (other events hold it: ${fieldEvents(f.field)})` : ''}`);
    }
  }
  return {
    id: rule.id,
    name: rule.name,
    type: rule.type,
    data_source: dataSourceOf(rule.tags, rule.index),
    index: rule.index,
    status,
    reasons,
    eligible_events: r.eligible,
    sources: r.sources.sorted().map(([source, events]) => ({ source, events })),
    requirements,
    fields: r.fields.map((f) => ({ field: f.field, events: f.events })),
    ...(r.steps.length === 0
      ? {}
      : { steps: r.steps.map((step) => ({ step: step.label, eligible_events: step.eligible, requirements: step.requirements.map((q) => ({ field: q.field, ...(q.folded ? { case_insensitive: true as const } : {}), values: [...q.values], events: q.events })) })) }),
  };
}

export function coverageReport(profile: DataProfile, inputs: CoverageReport['inputs']): CoverageReport {
  const indexNames = [...profile.indices.counts.keys()];
  const rules = profile.rules.map((r) => ruleReport(r, profile, indexNames));
  const totals = { rules: rules.length, can_fire: 0, fields_missing: 0, cannot_fire: 0, reads_alerts: 0 };
  for (const r of rules) totals[r.status]++;
  const read = new Set<string>();
  const patterns: Array<(name: string) => boolean> = [];
  for (const r of profile.rules) {
    for (const { field } of r.fields) read.add(field);
    // The matcher KQL expands field-name patterns with: linear, whatever the rule writes.
    for (const p of r.patterns) patterns.push(compileWildcardParts(p.split('*'), false));
    for (const key of r.compiled.requirements.keys()) read.add(requiredField(key).field);
  }
  // A free-text clause (KQL value with no field) reads every field without naming one: it makes no field "read" here.
  const unread = profile.fields.sorted().filter(([field]) => !read.has(field) && !patterns.some((matches) => matches(field)));
  return {
    events: profile.events,
    inputs,
    limits: { max_fields: MAX_FIELDS, max_values_per_field: MAX_VALUES_PER_FIELD, max_sources: MAX_SOURCES, field_occurrences_not_counted: profile.fields.other },
    totals,
    sources: profile.sources.sorted().map(([source, events]) => ({ source, events })),
    indices: profile.indices.sorted().map(([index, events]) => ({ index, events })),
    events_without_index: profile.withoutIndex,
    rules,
    unread_fields: unread.map(([field, events]) => ({ field, events })),
  };
}

const STATUS_LABEL: Record<CoverageStatus, string> = {
  can_fire: 'can fire',
  fields_missing: 'may not fire',
  cannot_fire: 'cannot fire',
  reads_alerts: 'reads alerts',
};

/** The report for a terminal: data sources, rules grouped by their data source with a verdict and its reasons, totals, unread fields. */
export function renderCoverageText(report: CoverageReport, chalk: ChalkInstance): string {
  const p = printable;
  const out: string[] = [];
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  out.push(chalk.bold(`Coverage of ${plural(report.totals.rules, 'rule')} over ${plural(report.events, 'event')} (${plural(report.inputs.files, 'input')})`));
  out.push('', chalk.bold('Data sources in the input') + chalk.dim('  (agent.type / event.module / data_stream.dataset or event.dataset)'));
  for (const s of report.sources.slice(0, 20)) out.push(`  ${String(s.events).padStart(8)}  ${p(s.source)}`);
  if (report.sources.length > 20) out.push(chalk.dim(`  ... ${report.sources.length - 20} more (--format json lists them)`));
  if (report.indices.length > 0) {
    out.push('', chalk.bold('Indices the events name') + chalk.dim('  (rules see only events of indices their index patterns take in)'));
    for (const s of report.indices.slice(0, 10)) out.push(`  ${String(s.events).padStart(8)}  ${p(s.index)}`);
    if (report.events_without_index > 0) out.push(`  ${String(report.events_without_index).padStart(8)}  ${chalk.dim('(no index named: every rule sees them)')}`);
  }
  const groups = new Map<string, RuleCoverageReport[]>();
  for (const r of report.rules) {
    const g = groups.get(r.data_source);
    if (g === undefined) groups.set(r.data_source, [r]);
    else g.push(r);
  }
  const color: Record<CoverageStatus, (s: string) => string> = { can_fire: chalk.green, fields_missing: chalk.yellow, cannot_fire: chalk.red, reads_alerts: chalk.cyan };
  for (const [source, rules] of [...groups].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const fire = rules.filter((r) => r.status === 'can_fire').length;
    out.push('', `${chalk.bold(p(source))}  ${chalk.dim(`${fire} of ${plural(rules.length, 'rule')} can fire`)}`);
    for (const r of rules) {
      out.push(`  ${color[r.status](STATUS_LABEL[r.status].padEnd(12))}  ${p(r.name)}  ${chalk.dim(p(r.id))}`);
      if (r.eligible_events > 0) {
        const from = r.sources.slice(0, 3).map((s) => `${p(s.source)}: ${s.events}`).join('; ');
        out.push(`                ${plural(r.eligible_events, 'event')} meet its requirements (${from}${r.sources.length > 3 ? '; ...' : ''})`);
      }
      for (const reason of r.reasons) out.push(`                ${p(reason)}`);
    }
  }
  const t = report.totals;
  out.push(
    '',
    chalk.bold(
      `${plural(t.can_fire, 'rule')} can fire, ${t.fields_missing} may not (fields they read are missing), ${t.cannot_fire} cannot fire` +
        (t.reads_alerts > 0 ? `, ${t.reads_alerts} read${t.reads_alerts === 1 ? 's' : ''} alerts` : ''),
    ),
  );
  const total = report.unread_fields.length;
  if (total > 0) {
    out.push('', chalk.bold(`Fields in the data that no selected rule reads`) + chalk.dim(`  (${total}; events holding each)`));
    const shown = report.unread_fields.slice(0, 40).map((f) => `${p(f.field)} (${f.events})`);
    for (let i = 0; i < shown.length; i += 4) out.push('  ' + shown.slice(i, i + 4).join(', '));
    if (total > 40) out.push(chalk.dim(`  ... ${total - 40} more (--format json lists them)`));
  }
  const l = report.limits;
  out.push(
    '',
    chalk.dim(
      `Counted: up to ${l.max_fields} distinct field names${l.field_occurrences_not_counted > 0 ? ` (${l.field_occurrences_not_counted} occurrences of further names not counted)` : ''}, ${l.max_values_per_field} values per required field shown, ${l.max_sources} data sources; the required values are counted exactly.`,
    ),
  );
  return out.join('\n') + '\n';
}
