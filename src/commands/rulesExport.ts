import { existsSync } from 'node:fs';
import { compileRule } from '../engine/compileRule.js';
import { ExceptionFileError } from '../exceptions/index.js';
import { checkStatsPath, writeRunStats } from '../output/runStats.js';
import { exceptionListsForExport, kibanaExport, readRuleTable } from '../rules/kibanaExport.js';
import { RuleError } from '../rules/ruleError.js';
import { selectRules, type RuleSelection } from '../rules/select.js';
import type { Rule } from '../rules/types.js';
import { printable } from '../text/printable.js';
import { EXIT_CLEAN, EXIT_ERROR, type CliIO } from './io.js';
import { prepareMappings } from './scan.js';

export interface RulesExportOptions extends RuleSelection {
  /** `--kibana FILE`: where the NDJSON goes; `-` is stdout. */
  kibanaPath: string;
  /** `--exceptions [RULES=]FILE`: exception lists exported after the rules, and referenced by the rules they apply to. */
  exceptionPaths: string[];
  /** `--mapping FILE`: field types for `required_fields` beyond ECS and the integrations. */
  mappingPaths: string[];
}

/**
 * `lkm-scan rules export --kibana FILE`: the selected rules (disabled ones too, marked
 * `enabled: false`) as Kibana's rule import takes them (rules/kibanaExport.ts). Every rule is
 * compiled first, so a rule lkm-scan rejects is not sent to a cluster. Exit 0 when written, 2 when
 * a rule, an exception file or the output failed (nothing is written then).
 */
export function rulesExportCommand(opts: RulesExportOptions, io: CliIO): number {
  const outputProblem = opts.kibanaPath === '-' ? undefined : checkStatsPath(opts.kibanaPath);
  if (outputProblem !== undefined) {
    io.stderr.write(`lkm-scan: error: --kibana ${printable(opts.kibanaPath)}: ${printable(outputProblem)}; nothing was exported\n`);
    return EXIT_ERROR;
  }
  const mappings = prepareMappings(opts.mappingPaths, io);
  if (!mappings) return EXIT_ERROR;
  const sel = selectRules({ ...opts, includeDisabled: true });
  const errors: RuleError[] = [...sel.errors];
  for (const key of sel.unknown) errors.push(new RuleError({ message: `no rule matches --rule "${key}"`, file: '--rule', notes: ['`lkm-scan rules` lists the rules by id and name'] }));
  for (const key of sel.unknownExcluded) errors.push(new RuleError({ message: `no rule matches --exclude-rule "${key}"`, file: '--exclude-rule', notes: ['`lkm-scan rules` lists the rules by id and name'] }));
  const rules: Array<{ rule: Rule; table: { [key: string]: unknown } }> = [];
  for (const rule of sel.rules) {
    try {
      compileRule(rule, { fieldTypes: mappings.fieldTypes });
      rules.push({ rule, table: readRuleTable(rule) });
    } catch (e) {
      if (e instanceof RuleError) errors.push(e);
      else if (e instanceof Error) errors.push(new RuleError({ message: `cannot read the rule again: ${e.message}`, file: rule.source.file }));
      else throw e;
    }
  }
  if (errors.length > 0) {
    for (const e of errors) io.stderr.write(e.format() + '\n\n');
    io.stderr.write(`lkm-scan: ${errors.length} rule error${errors.length === 1 ? '' : 's'}; nothing was exported. Fix the rule or leave it out with --rule/--exclude-rule.\n`);
    return EXIT_ERROR;
  }
  if (rules.length === 0) {
    io.stderr.write('lkm-scan: error: no rules selected; check --rule, --tag, --min-severity and --rules\n');
    return EXIT_ERROR;
  }
  let lists;
  try {
    lists = exceptionListsForExport(opts.exceptionPaths, existsSync);
  } catch (e) {
    if (!(e instanceof ExceptionFileError)) throw e;
    io.stderr.write(`lkm-scan: error: ${printable(e.format())}\nlkm-scan: nothing was exported; fix the exception file (README "Exceptions")\n`);
    return EXIT_ERROR;
  }
  const result = kibanaExport(rules, lists, mappings.fieldTypes);
  if (opts.kibanaPath === '-') io.stdout.write(result.ndjson);
  else {
    const problem = writeRunStats(opts.kibanaPath, result.ndjson, io.stderr);
    if (problem !== undefined) {
      io.stderr.write(`lkm-scan: error: cannot write --kibana ${printable(opts.kibanaPath)}: ${printable(problem)}\n`);
      return EXIT_ERROR;
    }
  }
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const where = opts.kibanaPath === '-' ? 'stdout' : printable(opts.kibanaPath);
  io.stderr.write(`lkm-scan: exported ${plural(result.rules, 'rule')}, ${plural(result.lists, 'exception list')} and ${plural(result.items, 'exception item')} to ${where}\n`);
  if (sel.unsupported.length > 0) io.stderr.write(`lkm-scan: note: ${plural(sel.unsupported.length, 'rule')} of types lkm-scan cannot run (${[...new Set(sel.unsupported.map((u) => u.type))].sort().join(', ')}) not exported\n`);
  for (const id of result.missingLists) io.stderr.write(`lkm-scan: note: a rule references exception list "${printable(id)}", which no --exceptions file holds; Kibana's import removes the reference unless the space has a list with that list_id, namespace_type and type\n`);
  for (const id of result.unusedLists) io.stderr.write(`lkm-scan: note: exception list "${printable(id)}" applies to no exported rule and was left out; name rules with --exceptions RULE_ID=FILE\n`);
  return EXIT_CLEAN;
}
