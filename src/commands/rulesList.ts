import ndjson from 'ndjson';
import { mitreIds } from '../output/mitre.js';
import { printable, printableBlock } from '../text/printable.js';
import { severityLabel } from '../output/text.js';
import type { Rule } from '../rules/types.js';
import { describeFilter } from '../filters/index.js';
import { EXIT_CLEAN, EXIT_ERROR, stdoutChalk, type CliIO } from './io.js';
import { findRules, selectRules, type RuleSelection } from '../rules/select.js';
import { navigatorLayer, renderNavigatorLayer } from '../output/navigator.js';

export interface RulesCommandOptions extends RuleSelection {
  /** `navigator`: one ATT&CK Navigator layer of the selected rules' techniques (output/navigator.ts). */
  format: 'text' | 'json' | 'navigator';
  color?: boolean;
}

function flags(rule: Rule): string[] {
  return [rule.enabled ? '' : 'disabled', rule.buildingBlock ? 'building-block' : '', rule.deprecated ? 'deprecated' : ''].filter(Boolean);
}

/** `lkm-scan rules`: one line per rule, the facts a user picks rules by. */
export async function rulesListCommand(opts: RulesCommandOptions, io: CliIO): Promise<number> {
  // Disabled rules are listed, marked: `--rule ID` runs one.
  const sel = selectRules({ ...opts, includeDisabled: true });
  for (const e of sel.errors) io.stderr.write(e.format() + '\n\n');
  if (opts.format === 'navigator') {
    // The rules a scan would run: disabled ones only when --rule names them, as in a scan.
    const run = sel.rules.filter((r) => r.enabled || opts.only.length > 0);
    const layer = navigatorLayer(
      run.map((rule) => ({ rule })),
      { name: 'lkm-scan rules', description: `ATT&CK techniques of ${run.length} lkm-scan rule${run.length === 1 ? '' : 's'}; score: the number of rules that map the technique`, mode: 'rules' },
    );
    io.stdout.write(renderNavigatorLayer(layer));
    io.stderr.write(`${layer.techniques.length} technique entr${layer.techniques.length === 1 ? 'y' : 'ies'} from ${run.length} rule${run.length === 1 ? '' : 's'}\n`);
    return sel.errors.length ? EXIT_ERROR : EXIT_CLEAN;
  }
  if (opts.format === 'json') {
    // The product owner's ndjson serializer: ample for a listing (the alert stream has its own, see output/sink.ts).
    const out = ndjson.stringify();
    out.pipe(io.stdout, { end: false });
    for (const r of sel.rules) out.write(ruleSummary(r));
    out.end();
    return sel.errors.length ? EXIT_ERROR : EXIT_CLEAN;
  }
  const chalk = await stdoutChalk(io, opts.color);
  for (const r of sel.rules) {
    const f = flags(r);
    io.stdout.write(
      // Rule files are hostile text like events: nothing from them reaches the terminal raw.
      `${chalk.bold(printable(r.id))}  ${printable(r.name)}\n` +
        `    ${printable(r.type)} (${printable(r.language)})  ${severityLabel(r.severity, chalk)}  risk ${r.riskScore}` +
        `  mitre ${printable(mitreIds(r.threat).join(',')) || '-'}` +
        (f.length ? `  ${chalk.dim('[' + f.join(', ') + ']')}` : '') +
        '\n',
    );
  }
  const skipped = sel.unsupported.length ? `, ${sel.unsupported.length} skipped (unsupported types)` : '';
  const off = sel.rules.filter((r) => !r.enabled).length;
  const disabled = off ? `, ${off} disabled (enabled = false: run only when named with --rule)` : '';
  io.stderr.write(`${sel.rules.length} rule${sel.rules.length === 1 ? '' : 's'}${disabled}${skipped}\n`);
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
    enabled: r.enabled,
    building_block: r.buildingBlock,
    deprecated: r.deprecated,
    file: r.source.file,
  };
}

/** `lkm-scan rules show ID_OR_NAME`: everything a reviewer needs to judge an alert of this rule. */
export async function rulesShowCommand(key: string, opts: RulesCommandOptions, io: CliIO): Promise<number> {
  const sel = selectRules({ ...opts, includeDisabled: true });
  const hits = findRules(sel.rules, key);
  if (hits.length === 0) {
    io.stderr.write(`lkm-scan: error: no rule matches "${printable(key)}"; \`lkm-scan rules\` lists ids and names\n`);
    return EXIT_ERROR;
  }
  if (hits.length > 1) {
    io.stderr.write(`lkm-scan: error: "${printable(key)}" matches ${hits.length} rules; give the rule id:\n`);
    for (const r of hits) io.stderr.write(`  ${printable(r.id)}  ${printable(r.name)}\n`);
    return EXIT_ERROR;
  }
  const r = hits[0]!;
  const chalk = await stdoutChalk(io, opts.color);
  const out: string[] = [];
  const h = (title: string) => out.push('', chalk.bold.underline(title));
  // Every piece of the rule file is escaped (p: one line, block: keeps its newlines and tabs).
  const p = printable;
  const block = printableBlock;
  out.push(chalk.bold(p(r.name)));
  out.push(`id          ${p(r.id)}`);
  out.push(`type        ${p(r.type)} (${r.language === 'kuery' ? 'KQL' : 'EQL'})`);
  out.push(`severity    ${severityLabel(r.severity, chalk)}  risk score ${r.riskScore}`);
  const f = flags(r);
  if (f.length) out.push(`flags       ${f.join(', ')}`);
  if (r.maturity) out.push(`maturity    ${p(r.maturity)}`);
  if (r.timestampOverride) out.push(`time field  ${p(r.timestampOverride)} (falls back to @timestamp)`);
  if (r.type === 'new_terms') out.push(`new terms   ${p(r.newTerms.fields.join(', '))} (history ${p(r.newTerms.historyWindowStart)})`);
  if (r.type === 'threshold') {
    const card = r.threshold.cardinality ? `, cardinality(${p(r.threshold.cardinality.field)}) >= ${r.threshold.cardinality.value}` : '';
    out.push(`threshold   >= ${r.threshold.value} events by ${p(r.threshold.fields.join(', ')) || '(all)'}${card}`);
  }
  if (r.tags.length) out.push(`tags        ${p(r.tags.join(', '))}`);
  if (r.index.length) out.push(`indices     ${p(r.index.join(', '))}`);
  out.push(`file        ${p(r.source.file)}`);
  h('Description');
  out.push(block(r.description.trim()));
  h('Query');
  out.push(block(r.query.replace(/^\n+|\s+$/g, '')));
  if (r.filters.length) {
    h('Filters (ANDed with the query)');
    for (const f of r.filters) out.push(p(describeFilter(f)));
  }
  h('MITRE ATT&CK');
  const ref = (url: string | undefined) => (url ? `  ${chalk.dim(p(url))}` : '');
  for (const t of r.threat) {
    if (t.tactic) out.push(`tactic      ${p(`${t.tactic.id} ${t.tactic.name}`)}${ref(t.tactic.reference)}`);
    for (const tech of t.technique ?? []) {
      out.push(`technique   ${p(`${tech.id} ${tech.name}`)}${ref(tech.reference)}`);
      for (const s of tech.subtechnique ?? []) out.push(`  sub       ${p(`${s.id} ${s.name}`)}${ref(s.reference)}`);
    }
  }
  if (r.threat.length === 0) out.push('(none)');
  if (r.falsePositives.length) {
    h('False positives');
    for (const fp of r.falsePositives) out.push('- ' + p(fp.trim().replace(/\s*\n\s*/g, ' ')));
  }
  if (r.setup) {
    h('Setup');
    out.push(block(r.setup.trim()));
  }
  if (r.references.length) {
    h('References');
    for (const url of r.references) out.push('- ' + p(url));
  }
  io.stdout.write(out.join('\n') + '\n');
  return EXIT_CLEAN;
}
