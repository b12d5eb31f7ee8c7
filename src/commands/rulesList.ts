import ndjson from 'ndjson';
import { mitreIds } from '../output/mitre.js';
import { colorEnabled, makeChalk } from '../output/color.js';
import { severityLabel } from '../output/text.js';
import type { Rule } from '../rules/types.js';
import { EXIT_CLEAN, EXIT_ERROR, type CliIO } from './io.js';
import { findRules, selectRules, type RuleSelection } from './selectRules.js';

export interface RulesCommandOptions extends RuleSelection {
  format: 'text' | 'json';
  color?: boolean;
}

function flags(rule: Rule): string[] {
  return [rule.buildingBlock ? 'building-block' : '', rule.deprecated ? 'deprecated' : ''].filter(Boolean);
}

/** `lkm-scan rules`: one line per rule, the facts a user picks rules by. */
export function rulesListCommand(opts: RulesCommandOptions, io: CliIO): number {
  const sel = selectRules(opts);
  for (const e of sel.errors) io.stderr.write(e.format() + '\n\n');
  if (opts.format === 'json') {
    // The product owner's ndjson serializer: ample for a listing (the alert stream has its own, see output/sink.ts).
    const out = ndjson.stringify();
    out.pipe(io.stdout, { end: false });
    for (const r of sel.rules) out.write(ruleSummary(r));
    out.end();
    return sel.errors.length ? EXIT_ERROR : EXIT_CLEAN;
  }
  const chalk = makeChalk(colorEnabled(opts.color, io.env, io.stdout.isTTY === true));
  for (const r of sel.rules) {
    const f = flags(r);
    io.stdout.write(
      `${chalk.bold(r.id)}  ${r.name}\n` +
        `    ${r.type} (${r.language})  ${severityLabel(r.severity, chalk)}  risk ${r.riskScore}` +
        `  mitre ${mitreIds(r.threat).join(',') || '-'}` +
        (f.length ? `  ${chalk.dim('[' + f.join(', ') + ']')}` : '') +
        '\n',
    );
  }
  const skipped = sel.unsupported.length ? `, ${sel.unsupported.length} skipped (unsupported types)` : '';
  io.stderr.write(`${sel.rules.length} rule${sel.rules.length === 1 ? '' : 's'}${skipped}\n`);
  return sel.errors.length ? EXIT_ERROR : EXIT_CLEAN;
}

export function ruleSummary(r: Rule) {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    language: r.language,
    severity: r.severity,
    risk_score: r.riskScore,
    mitre: mitreIds(r.threat),
    building_block: r.buildingBlock,
    deprecated: r.deprecated,
    file: r.source.file,
  };
}

/** `lkm-scan rules show ID_OR_NAME`: everything a reviewer needs to judge an alert of this rule. */
export function rulesShowCommand(key: string, opts: RulesCommandOptions, io: CliIO): number {
  const sel = selectRules(opts);
  const hits = findRules(sel.rules, key);
  if (hits.length === 0) {
    io.stderr.write(`lkm-scan: error: no rule matches "${key}"; \`lkm-scan rules\` lists ids and names\n`);
    return EXIT_ERROR;
  }
  if (hits.length > 1) {
    io.stderr.write(`lkm-scan: error: "${key}" matches ${hits.length} rules; give the rule id:\n`);
    for (const r of hits) io.stderr.write(`  ${r.id}  ${r.name}\n`);
    return EXIT_ERROR;
  }
  const r = hits[0]!;
  const chalk = makeChalk(colorEnabled(opts.color, io.env, io.stdout.isTTY === true));
  const out: string[] = [];
  const h = (title: string) => out.push('', chalk.bold.underline(title));
  out.push(chalk.bold(r.name));
  out.push(`id          ${r.id}`);
  out.push(`type        ${r.type} (${r.language === 'kuery' ? 'KQL' : 'EQL'})`);
  out.push(`severity    ${severityLabel(r.severity, chalk)}  risk score ${r.riskScore}`);
  const f = flags(r);
  if (f.length) out.push(`flags       ${f.join(', ')}`);
  if (r.maturity) out.push(`maturity    ${r.maturity}`);
  if (r.timestampOverride) out.push(`time field  ${r.timestampOverride} (falls back to @timestamp)`);
  if (r.type === 'new_terms') out.push(`new terms   ${r.newTerms.fields.join(', ')} (history ${r.newTerms.historyWindowStart})`);
  if (r.type === 'threshold') {
    const card = r.threshold.cardinality ? `, cardinality(${r.threshold.cardinality.field}) >= ${r.threshold.cardinality.value}` : '';
    out.push(`threshold   >= ${r.threshold.value} events by ${r.threshold.fields.join(', ') || '(all)'}${card}`);
  }
  if (r.tags.length) out.push(`tags        ${r.tags.join(', ')}`);
  if (r.index.length) out.push(`indices     ${r.index.join(', ')}`);
  out.push(`file        ${r.source.file}`);
  h('Description');
  out.push(r.description.trim());
  h('Query');
  out.push(r.query.replace(/^\n+|\s+$/g, ''));
  h('MITRE ATT&CK');
  for (const t of r.threat) {
    if (t.tactic) out.push(`tactic      ${t.tactic.id} ${t.tactic.name}${t.tactic.reference ? `  ${chalk.dim(t.tactic.reference)}` : ''}`);
    for (const tech of t.technique ?? []) {
      out.push(`technique   ${tech.id} ${tech.name}${tech.reference ? `  ${chalk.dim(tech.reference)}` : ''}`);
      for (const s of tech.subtechnique ?? []) out.push(`  sub       ${s.id} ${s.name}${s.reference ? `  ${chalk.dim(s.reference)}` : ''}`);
    }
  }
  if (r.threat.length === 0) out.push('(none)');
  if (r.falsePositives.length) {
    h('False positives');
    for (const fp of r.falsePositives) out.push('- ' + fp.trim().replace(/\s*\n\s*/g, ' '));
  }
  if (r.setup) {
    h('Setup');
    out.push(r.setup.trim());
  }
  if (r.references.length) {
    h('References');
    for (const ref of r.references) out.push('- ' + ref);
  }
  io.stdout.write(out.join('\n') + '\n');
  return EXIT_CLEAN;
}
