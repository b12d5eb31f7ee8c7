import { performance } from 'node:perf_hooks';
import { printable, printableSpan } from '../text/printable.js';
import { compileRule } from '../engine/compileRule.js';
import { loadRulePack } from '../rules/pack.js';
import { RuleError, RulePathError } from '../rules/ruleError.js';
import type { Diagnostic } from '../rules/diagnostic.js';
import { EXIT_ALERTS, EXIT_CLEAN, EXIT_ERROR, type CliIO } from './io.js';
import { prepareMappings } from './scan.js';

/**
 * One failing rule on one line (grep-able, `file:line:col: name: message`), then its caret.
 * Names, messages and the quoted line come from the rule file: escaped, like event values.
 */
export function formatValidationFailure(d: Diagnostic, ruleName: string | undefined): string {
  const where = printable(d.line === undefined ? d.file : `${d.file}:${d.line}:${d.column ?? 1}`);
  const lines = [`${where}: ${ruleName ? `"${printable(ruleName)}": ` : ''}${printable(d.message)}`];
  if (d.sourceLine !== undefined) {
    const shown = printableSpan(d.sourceLine, Math.max(1, d.caretColumn ?? d.column ?? 1), Math.max(1, d.length ?? 1));
    lines.push(`    ${shown.text}`);
    lines.push(`    ${' '.repeat(shown.column - 1)}${'^'.repeat(shown.length)}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * `lkm-scan validate PATH...`: parse and compile every rule, report each failure, exit 1 if any.
 * With no path, the bundled rules are validated. A path that cannot be read is exit 2: what was
 * asked for was not validated, so "1 rule failed" would understate it; so is a `--mapping` file
 * that cannot be read (a KQL clause's meaning depends on its field's type).
 */
export function validateCommand(paths: string[], io: CliIO, mappingPaths: readonly string[] = [], cacheDir?: string): number {
  const started = performance.now();
  const mappings = prepareMappings(mappingPaths, io);
  if (!mappings) return EXIT_ERROR;
  const pack = loadRulePack({ bundled: paths.length === 0, paths, cacheDir });
  let failed = 0;
  let unreadable = 0;
  for (const e of pack.errors) {
    if (e instanceof RulePathError) unreadable++;
    else failed++;
    io.stdout.write(formatValidationFailure(e.diagnostic, undefined));
  }
  let ok = 0;
  for (const rule of pack.rules) {
    try {
      compileRule(rule, { fieldTypes: mappings.fieldTypes, parse: (r) => pack.queries.parse(r) });
      ok++;
    } catch (e) {
      if (!(e instanceof RuleError)) throw e;
      failed++;
      io.stdout.write(formatValidationFailure(e.diagnostic, rule.name));
    }
  }
  const cacheProblem = pack.queries.save();
  if (cacheProblem !== undefined) io.stderr.write(`lkm-scan: warning: ${printable(cacheProblem)}\n`);
  const byType = new Map<string, number>();
  for (const u of pack.unsupported) byType.set(u.type, (byType.get(u.type) ?? 0) + 1);
  const skipped = [...byType].sort().map(([t, n]) => `${t} ${n}`).join(', ');
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  io.stderr.write(
    `validated ${ok + failed} rule${ok + failed === 1 ? '' : 's'} in ${seconds} s: ${ok} ok, ${failed} failed` +
      (pack.unsupported.length ? `; ${pack.unsupported.length} skipped, not runnable offline (${skipped})` : '') +
      (unreadable ? `; ${unreadable} path${unreadable === 1 ? '' : 's'} could not be read` : '') +
      '\n',
  );
  return unreadable > 0 ? EXIT_ERROR : failed > 0 ? EXIT_ALERTS : EXIT_CLEAN;
}
