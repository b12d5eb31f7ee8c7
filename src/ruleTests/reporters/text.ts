import type { ChalkInstance } from 'chalk';
import { printable, printableBlock } from '../../text/printable.js';
import { diffLines, plural, totalsOf, type RunReport } from './report.js';

/**
 * The readable report (`--format text`): each test file with its rule, a ✓ or ✗ per case (! for
 * a case that could not run), under a failed case the diff of expected and raised alerts, a
 * broken file's diagnostic, and one summary line. Everything from the test files, the rules and
 * the events is escaped (src/text/): they are hostile text like any input.
 */
export function renderText(report: RunReport, chalk: ChalkInstance): string {
  const out: string[] = [];
  for (const p of report.problems) out.push(`${chalk.red('error:')} ${printable(p.path)}: ${printable(p.message)}`, '');
  for (const f of report.files) {
    if (f.broken !== undefined) {
      out.push(`${chalk.bold(printable(f.file))}`, `  ${chalk.yellow('!')} broken test file, nothing run`, indent(printableBlock(f.broken.text), '    '), '');
      continue;
    }
    out.push(`${chalk.bold(printable(f.file))}  ${chalk.dim(`(${printable(f.rule?.name ?? '')})`)}`);
    for (const c of f.cases) {
      const where = chalk.dim(`${printable(f.file)}${c.line === undefined ? '' : `:${c.line}`}`);
      if (c.status === 'passed') {
        out.push(`  ${chalk.green('✓')} ${printable(c.name)}`);
      } else if (c.status === 'failed') {
        out.push(`  ${chalk.red('✗')} ${printable(c.name)}  ${where}`);
        for (const line of diffLines(c)) out.push(`      ${colorDiff(printable(line), chalk)}`);
      } else {
        out.push(`  ${chalk.yellow('!')} ${printable(c.name)}  ${where}`, indent(printableBlock(c.problem ?? 'the case could not run'), '      '));
      }
    }
    out.push('');
  }
  const t = totalsOf(report);
  const parts = [
    t.failed > 0 ? chalk.red(`${t.failed} failed`) : undefined,
    t.broken > 0 ? chalk.yellow(`${t.broken} broken`) : undefined,
    chalk.green(`${t.passed} passed`),
  ].filter((p) => p !== undefined);
  out.push(`Rule tests: ${parts.join(', ')} (${plural(t.cases, 'case')} in ${plural(t.files, 'file')})`);
  return out.join('\n') + '\n';
}

function colorDiff(line: string, chalk: ChalkInstance): string {
  if (line.startsWith('- ')) return chalk.red(line);
  if (line.startsWith('+ ')) return chalk.green(line);
  return line;
}

function indent(text: string, pad: string): string {
  return text
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}
