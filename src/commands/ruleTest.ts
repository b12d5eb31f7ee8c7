import { performance } from 'node:perf_hooks';
import { BUNDLED_RULES_DIR } from '../rules/pack.js';
import { findTestFiles } from '../ruleTests/discover.js';
import { renderJunit } from '../ruleTests/reporters/junit.js';
import { renderJson, totalsOf, type RunReport } from '../ruleTests/reporters/report.js';
import { renderText } from '../ruleTests/reporters/text.js';
import { RuleFolders, runTestFile, shortPath, type FileResult } from '../ruleTests/run.js';
import { EXIT_ALERTS, EXIT_CLEAN, EXIT_ERROR, stdoutChalk, type CliIO } from './io.js';
import type { RuleTestFormat } from './options.js';

export interface RuleTestOptions {
  /** Rules folders, test folders or test files; none: the bundled rules' tests. */
  paths: string[];
  format: RuleTestFormat;
  color?: boolean;
  /** `--mapping` (program option): field types every case starts from, before its own `mapping`. */
  mappingPaths: string[];
  version: string;
}

/**
 * `lkm-scan test [PATH...]`: runs rule tests (src/ruleTests/, README "Rule tests") and reports.
 * Exit 0 when every case passed, 1 when a case failed, 2 when a test file, a case or a path could
 * not be used (which wins: the run did not test what it was asked to).
 */
export async function ruleTestCommand(opts: RuleTestOptions, io: CliIO): Promise<number> {
  const startedMs = Date.now();
  const started = performance.now();
  const paths = opts.paths.length > 0 ? opts.paths : [shortPath(BUNDLED_RULES_DIR)];
  const found = findTestFiles(paths);
  const folders = new RuleFolders();
  const files: FileResult[] = [];
  for (const f of found.files) files.push(await runTestFile(f.path, f.display, folders, { mappingPaths: opts.mappingPaths, now: startedMs }));
  const report: RunReport = { files, problems: found.problems, startedMs, durationMs: performance.now() - started, version: opts.version };
  if (opts.format === 'json') io.stdout.write(renderJson(report));
  else if (opts.format === 'junit') io.stdout.write(renderJunit(report));
  else io.stdout.write(renderText(report, await stdoutChalk(io, opts.color)));
  const totals = totalsOf(report);
  return totals.broken > 0 ? EXIT_ERROR : totals.failed > 0 ? EXIT_ALERTS : EXIT_CLEAN;
}
