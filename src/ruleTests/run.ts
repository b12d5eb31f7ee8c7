import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import type { Alert, Location } from '../engine/alert.js';
import { createChainedScanner } from '../engine/chain.js';
import { compileRule, type CompiledRule } from '../engine/compileRule.js';
import { namesAlertsOnly } from '../engine/indexPattern.js';
import type { Scanner } from '../engine/scanner.js';
import { compileTimeWindow } from '../engine/timeWindow.js';
import { stringifyJson } from '../event/json.js';
import type { Scalar } from '../event/types.js';
import { ExceptionFileError, ExceptionSet } from '../exceptions/index.js';
import { fieldTypesOf, MappingError, readMappingFiles, type FieldTypeTable } from '../fieldTypes/index.js';
import { readEvents, type InputSource } from '../input/index.js';
import { compilePrefilter } from '../prefilter/compile.js';
import { isUnsupported, loadRuleFile } from '../rules/load.js';
import { loadRulePack, type RulePack } from '../rules/pack.js';
import type { Diagnostic } from '../rules/diagnostic.js';
import { RuleError, RulePathError } from '../rules/ruleError.js';
import type { Rule } from '../rules/types.js';
import { compareAlerts, type AlertDiff, type GotAlert } from './expect.js';
import { BrokenTestError, readTestFile, type EventRef, type EventSource, type RuleTestFile, type TestCase } from './testFile.js';

export type CaseStatus = 'passed' | 'failed' | 'broken';

export interface CaseResult {
  name: string;
  line: number | undefined;
  status: CaseStatus;
  durationMs: number;
  /** What the rule raised (empty when broken). */
  got: GotAlert[];
  expected: TestCase['expect'];
  diff: AlertDiff;
  /** Why the case could not run (a mapping, exception or event file the engine refused). */
  problem?: string;
}

export interface FileResult {
  file: string;
  rule?: { id: string; name: string; file: string };
  /** The test file (or its rule) cannot be used: every case is unrun. */
  broken?: { message: string; text: string; line?: number; column?: number };
  cases: CaseResult[];
  durationMs: number;
}

export interface RunOptions {
  /** Program-level `--mapping` files, read before each case's own. */
  mappingPaths: readonly string[];
  /** For exception items' `expire_time`: the run's start. */
  now: number;
}

/** Rule packs read once per rules folder per run: many tests name rules of one folder by id. */
export class RuleFolders {
  private readonly packs = new Map<string, RulePack>();

  pack(dir: string): RulePack {
    let pack = this.packs.get(dir);
    if (pack === undefined) {
      pack = loadRulePack({ bundled: false, paths: [dir] });
      this.packs.set(dir, pack);
    }
    return pack;
  }
}

/** Reads one test file and runs its cases; never throws for a problem with the test or its rule. */
export async function runTestFile(path: string, display: string, folders: RuleFolders, options: RunOptions): Promise<FileResult> {
  const started = performance.now();
  let test: RuleTestFile;
  let rule: Rule;
  try {
    test = readTestFile(path, display);
    rule = resolveRule(test, folders);
  } catch (e) {
    if (!(e instanceof BrokenTestError) && !(e instanceof RuleError)) throw e;
    const d = e.diagnostic;
    return { file: display, broken: { message: d.message, text: e.format(), line: d.line, column: d.column }, cases: [], durationMs: performance.now() - started };
  }
  const cases: CaseResult[] = [];
  for (const c of test.cases) cases.push(await runCase(rule, c, options));
  return { file: display, rule: { id: rule.id, name: rule.name, file: rule.source.file }, cases, durationMs: performance.now() - started };
}

function resolveRule(test: RuleTestFile, folders: RuleFolders): Rule {
  const ref = test.rule;
  // Errors about the rule point at the test's `rule = …` line.
  const where = { file: test.file, ...test.ruleAt };
  if (ref.kind === 'path') {
    let loaded;
    try {
      loaded = loadRuleFile(ref.path, { displayPath: shortPath(ref.path) });
    } catch (e) {
      if (!(e instanceof RulePathError)) throw e;
      throw new BrokenTestError({ ...where, message: `\`rule\` names "${ref.written}", which cannot be read (${e.message.replace(/^cannot read rule file: /, '')}); the path is relative to the test file` });
    }
    if (isUnsupported(loaded)) throw new BrokenTestError({ ...where, message: `rule "${loaded.name}" is of type ${loaded.type}, which lkm-scan cannot run offline` });
    return checkRunnable(loaded, where);
  }
  if (ref.rulesDir === undefined) {
    throw new BrokenTestError({ ...where, message: `\`rule\` names rule_id "${ref.id}", but the test is not in a tests/ folder beside rules`, notes: ['give the rule file instead: rule = "../path/to/rule.toml"'] });
  }
  const pack = folders.pack(ref.rulesDir);
  const rule = pack.rules.find((r) => r.id === ref.id);
  if (rule !== undefined) return checkRunnable(rule, where);
  const unsupported = pack.unsupported.find((r) => r.id === ref.id);
  if (unsupported !== undefined) throw new BrokenTestError({ ...where, message: `rule "${unsupported.name}" is of type ${unsupported.type}, which lkm-scan cannot run offline` });
  const broken = pack.errors.map((e) => e.diagnostic.file);
  throw new BrokenTestError({
    ...where,
    message: `no rule with rule_id "${ref.id}" in ${shortPath(ref.rulesDir)}`,
    notes: [
      '`rule` takes a rule_id exactly as the rule file has it, or the path of the rule file',
      ...(broken.length > 0 ? [`${broken.length} rule file${broken.length === 1 ? '' : 's'} there could not be read: ${broken.slice(0, 3).join(', ')}${broken.length > 3 ? ', …' : ''}`] : []),
    ],
  });
}

function checkRunnable(rule: Rule, where: Omit<Diagnostic, 'message'>): Rule {
  // Such a rule reads only other rules' alerts: alone it would see nothing, and every case would "pass" with 0 alerts.
  if (namesAlertsOnly(rule.index)) {
    throw new BrokenTestError({ ...where, message: `rule "${rule.name}" reads only alerts (index .alerts-security.*): lkm-scan test runs one rule over events, so it cannot test it` });
  }
  return rule;
}

/** One case, alone: its own field types, exceptions and new_terms history, so no case sees another's. */
async function runCase(rule: Rule, c: TestCase, options: RunOptions): Promise<CaseResult> {
  const started = performance.now();
  const result = (status: CaseStatus, got: GotAlert[], diff: AlertDiff, problem?: string): CaseResult => ({
    name: c.name,
    line: c.line,
    status,
    durationMs: performance.now() - started,
    got,
    expected: c.expect,
    diff,
    ...(problem === undefined ? {} : { problem }),
  });
  const none: AlertDiff = { missing: [], unexpected: [] };
  let fieldTypes: FieldTypeTable;
  let compiled: CompiledRule;
  let exceptions: ExceptionSet;
  try {
    fieldTypes = fieldTypesOf(readMappingFiles([...options.mappingPaths, ...c.mapping])).fieldTypes;
    compiled = compileRule(rule, { fieldTypes });
    exceptions = ExceptionSet.load({ args: c.exceptions, valueLists: c.valueLists, fieldTypes, now: options.now, exists: existsSync }, [compiled]);
  } catch (e) {
    if (e instanceof MappingError) return result('broken', [], none, `mapping: ${e.message}`);
    if (e instanceof RuleError) return result('broken', [], none, e.format());
    if (e instanceof ExceptionFileError) return result('broken', [], none, e.format());
    throw e;
  }
  if (c.baseline.length > 0 && rule.type !== 'new_terms') return result('broken', [], none, `\`baseline\` is new_terms history, and "${rule.name}" is a ${rule.type} rule`);

  // The same pieces a scan puts together (commands/scan.ts), for one rule and in one thread:
  // the prefilter, the time window, the exception gate, max_signals, event-time order (not live).
  const termHistory = rule.type === 'new_terms' ? new Map([[rule.id, new Map<string, number>()]]) : undefined;
  const scannerOptions = { live: false, termHistory, exceptionGate: (r: CompiledRule) => exceptions.gateFor(r.rule), maxSignals: c.maxSignals };
  const prefilter = compilePrefilter([compiled.need]);
  const window = compileTimeWindow(c.window);
  const read = async (scanner: Scanner, sources: EventSource[]): Promise<string | undefined> => {
    for (const [index, source] of sources.entries()) {
      const problem = await feed(scanner, source, index, prefilter, window);
      if (problem !== undefined) return problem;
    }
    scanner.finish();
    return undefined;
  };

  if (c.baseline.length > 0) {
    // As `lkm-scan baseline`: the rule learns its terms and its alerts are dropped.
    const problem = await read(createChainedScanner([compiled], () => {}, scannerOptions), c.baseline);
    if (problem !== undefined) return result('broken', [], none, `baseline: ${problem}`);
  }
  const alerts: Alert[] = [];
  const problem = await read(createChainedScanner([compiled], (a) => alerts.push(a), scannerOptions), c.events);
  if (problem !== undefined) return result('broken', [], none, problem);
  const got = alerts.map((a) => gotAlert(a, c.events));
  const diff = compareAlerts(c.expect, got);
  const passed = (c.expect.count === undefined || c.expect.count === got.length) && diff.missing.length === 0 && diff.unexpected.length === 0;
  return result(passed ? 'passed' : 'failed', got, diff);
}

/**
 * Reads one source into the scanner. Locations name the source by its index among the case's
 * sources, so an alert's event maps back to a file line or an inline event whatever the file's name.
 */
async function feed(scanner: Scanner, source: EventSource, index: number, prefilter: ReturnType<typeof compilePrefilter>, window: ReturnType<typeof compileTimeWindow>): Promise<string | undefined> {
  const file = String(index);
  const malformed: string[] = [];
  const name = source.kind === 'file' ? source.name : 'inline events';
  const input: InputSource = source.kind === 'file' ? { kind: 'file', path: source.path, name } : { kind: 'stdin', name: '<stdin>' };
  const stats = await readEvents(
    input,
    {
      event: (event, loc, text) => scanner.event(event, { file, line: loc.line }, text),
      malformed: (loc, reason) => malformed.push(`${name}:${loc.line}: ${reason}`),
    },
    { prefilter, window, ...(source.kind === 'inline' ? { stdin: Readable.from([Buffer.from(source.ndjson)]) } : {}) },
  );
  // Test data that the scan would skip with a warning is a broken test: the case would test less than it says.
  if (malformed.length > 0) return `${malformed.length} malformed line${malformed.length === 1 ? '' : 's'} (${malformed.slice(0, 3).join('; ')})`;
  if (stats.error !== undefined) return `${name}: ${stats.error}`;
  return undefined;
}

function gotAlert(alert: Alert, sources: readonly EventSource[]): GotAlert {
  const ref = (loc: Location): EventRef => {
    const source = sources[Number(loc.file)];
    if (source === undefined) throw new Error(`an alert names source ${loc.file} of ${sources.length}`);
    return source.kind === 'file' ? { kind: 'file', file: source.name, line: loc.line } : { kind: 'inline', index: loc.line };
  };
  const values = (r: Record<string, Scalar>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, stringifyJson(v)]));
  const got: GotAlert = { event: ref(alert.location) };
  if (alert.events !== undefined) got.events = alert.events.map((e) => ref(e.location));
  if (alert.newTerms !== undefined) got.newTerms = values(alert.newTerms);
  if (alert.threshold !== undefined) {
    got.threshold = { fields: values(alert.threshold.fields), count: alert.threshold.count };
    if (alert.threshold.cardinality !== undefined) got.threshold.cardinality = alert.threshold.cardinality.value;
  }
  return got;
}

/** A path relative to the working folder when it lies below it, as the user would type it. */
export function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}
