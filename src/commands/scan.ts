import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Alert, Location } from '../engine/alert.js';
import { compileRule, factsOf, type CompiledRule } from '../engine/compileRule.js';
import { createChainedScanner } from '../engine/chain.js';
import { namesAlertsOnly } from '../engine/indexPattern.js';
import { lineNeeds, type DispatchStats } from '../engine/dispatch.js';
import { compileTimeWindow, type TimeWindow } from '../engine/timeWindow.js';
import { describeStdin, readEvents } from '../input/index.js';
import { judgeNothingEvaluated } from '../input/nothingEvaluated.js';
import { compilePrefilter } from '../prefilter/compile.js';
import { printable } from '../text/printable.js';
import { ProgressLine, totalFileBytes } from '../output/progress.js';
import { AlertsByHost, formatSummary, type InputCounts, type ScanSummary, type SummaryRules } from '../output/summary.js';
import { checkStatsPath, renderRunStats, writeRunStats, type ScanStop } from '../output/runStats.js';
import { createSink, type AlertSink, type OutputFormat, type ScanOutcome } from '../output/sink.js';
import { planParallelScan, rangeBytes } from '../parallel/plan.js';
import type { ParallelHandler } from '../parallel/reader.js';
import type * as navigatorModule from '../output/navigator.js';
import { fieldTypesOf, MappingError, readMappingFiles } from '../fieldTypes/index.js';
import type { FieldTypeTable, MappingSource } from '../fieldTypes/index.js';
import { exceptionCounts, ExceptionFileError, ExceptionSet } from '../exceptions/index.js';
import { RuleError } from '../rules/ruleError.js';
import type { RuleQueries } from '../rules/pack.js';
import { selectRules, type RuleSelection } from '../rules/select.js';
import { SEVERITIES } from '../rules/types.js';
import { EXIT_INTERRUPTED, Interruption } from './interrupt.js';
import { EXIT_ALERTS, EXIT_CLEAN, EXIT_ERROR, openInputs, reportOutputFailure, stdoutChalk, watchOutput, type CliIO } from './io.js';
import type { FailOn } from './options.js';

export interface ScanCommandOptions extends RuleSelection {
  inputs: string[];
  format: OutputFormat;
  quiet: boolean;
  strict: boolean;
  color?: boolean;
  /** lkm-scan's version, for formats that name the tool (SARIF). */
  version: string;
  /** Rule out lines from their raw bytes before parsing (on unless `--no-prefilter`). */
  prefilter: boolean;
  /** `--since` / `--until`: only events whose @timestamp lies within are scanned. */
  window: TimeWindow;
  /** `--workers`: threads reading large plain files; undefined is 1, the main thread alone (src/parallel/plan.ts). */
  workers?: number;
  /** `--allow-empty`: inputs that hold no event (or none in the time window) are not an error. */
  allowEmpty?: boolean;
  /** `--fail-on`: the lowest severity whose alerts make the exit status 1; `never` keeps it 0. */
  failOn: FailOn;
  /** `--state FILE`: new_terms history read before the scan and saved at its normal end. */
  statePath?: string;
  /** `lkm-scan baseline`: run the new_terms rules only to learn their terms; no alert is output. */
  learnOnly?: boolean;
  /** `--summary`: which rules the stderr summary lists (default: those that alerted). */
  summary?: SummaryRules;
  /** `--mapping FILE` (repeatable): the field types of the user's indices; later files override earlier ones. */
  mappingPaths?: string[];
  /** `--no-max-signals` makes it false: no rule's alerts are capped per execution (README "max_signals and alert suppression"). */
  maxSignals?: boolean;
  /** `--exceptions [RULES=]FILE` and `--value-list ID=FILE` (repeatable): src/exceptions. */
  exceptionPaths?: string[];
  valueListPaths?: string[];
  /** `--sarif-all-rules`, `--max-results`: see src/output/sarifSink.ts. */
  sarifAllRules?: boolean;
  maxResults?: number;
  /** `--stats FILE`: the run's counts as one JSON document after the scan (`-`: stderr); src/output/runStats.ts. */
  statsPath?: string;
  /** `--explain`: under each alert (text, json), the clauses that decided it (src/explain). */
  explain?: boolean;
  /** `--navigator FILE`: an ATT&CK Navigator layer of the rules that fired, written after the scan (output/navigator.ts). */
  navigatorPath?: string;
  /** `--report FILE`: the HTML report of the scan (src/output/html/), written after it beside the output format. */
  reportPath?: string;
}

/** How many malformed lines are shown one by one before only counting them. */
const MALFORMED_SHOWN = 10;

/** Thrown inside the event handler to stop reading: the output is gone, --strict tripped, or an interrupt came. */
class StopScan extends Error {}

/**
 * Reads `--mapping` files into field types, printing a MappingError (file, JSON path, what to
 * change) and the notes about what was left out. Returns undefined on failure.
 */
export function prepareMappings(paths: readonly string[], io: CliIO, told?: string[]): { sources: MappingSource[]; fieldTypes: FieldTypeTable } | undefined {
  try {
    const sources = readMappingFiles(paths);
    const { fieldTypes, notes } = fieldTypesOf(sources);
    for (const note of notes) tell(io, told, 'note', `--mapping: ${note}`);
    return { sources, fieldTypes };
  } catch (e) {
    if (!(e instanceof MappingError)) throw e;
    io.stderr.write(`lkm-scan: error: --mapping ${printable(e.message)}\n`);
    return undefined;
  }
}

/**
 * Reads `--exceptions` and `--value-list` files for the rules a scan runs, printing an
 * ExceptionFileError (file, line or key, what to change) and the notes. Undefined on failure.
 */
export function prepareExceptions(opts: Pick<ScanCommandOptions, 'exceptionPaths' | 'valueListPaths'>, rules: readonly CompiledRule[], fieldTypes: FieldTypeTable, io: CliIO, told?: string[]): ExceptionSet | undefined {
  try {
    const set = ExceptionSet.load({ args: opts.exceptionPaths ?? [], valueLists: opts.valueListPaths ?? [], fieldTypes, now: Date.now(), exists: existsSync }, rules);
    for (const note of set.notes) tell(io, told, 'note', `--exceptions: ${note}`);
    return set;
  } catch (e) {
    if (!(e instanceof ExceptionFileError)) throw e;
    io.stderr.write(`lkm-scan: error: ${printable(e.format())}\nlkm-scan: nothing was scanned; fix the exception file (README "Exceptions")\n`);
    return undefined;
  }
}

/**
 * A note or warning that does not stop the scan: printed on stderr at once, and kept in `told`
 * (when given) for `--stats`, which lists them after the scan.
 */
function tell(io: CliIO, told: string[] | undefined, kind: 'note' | 'warning', text: string): void {
  io.stderr.write(`lkm-scan: ${kind}: ${printable(text)}\n`);
  told?.push(text);
}

/** Loads and compiles the selected rules, printing every problem. Returns undefined on failure. */
export function prepareRules(sel: RuleSelection, io: CliIO, fieldTypes?: FieldTypeTable, told?: string[]): CompiledRule[] | undefined {
  return prepareRuleSet(sel, io, fieldTypes, told)?.compiled;
}

/**
 * prepareRules, and the parsed queries the rules were compiled from (what scan workers are sent).
 * Given the `--mapping` files `fieldTypes` was read from, rules the cache knows compile lazily.
 */
function prepareRuleSet(sel: RuleSelection, io: CliIO, fieldTypes?: FieldTypeTable, told?: string[], mappingSources?: readonly MappingSource[]): { compiled: CompiledRule[]; queries: RuleQueries } | undefined {
  let selected;
  try {
    selected = selectRules(sel);
  } catch (e) {
    if (e instanceof RuleError) {
      io.stderr.write(e.format() + '\n');
      return undefined;
    }
    throw e;
  }
  const errors: RuleError[] = [...selected.errors];
  const compiled: CompiledRule[] = [];
  const facts = mappingSources === undefined ? undefined : selected.queries.facts(mappingSources);
  for (const rule of selected.rules) {
    try {
      compiled.push(compileRule(rule, { fieldTypes, parse: (r) => selected.queries.parse(r), facts }));
    } catch (e) {
      if (e instanceof RuleError) errors.push(e);
      else throw e;
    }
  }
  const cacheProblem = selected.queries.save();
  if (cacheProblem !== undefined) tell(io, told, 'warning', cacheProblem);
  for (const key of selected.unknown) {
    errors.push(new RuleError({ message: `no rule matches --rule "${key}"`, file: '--rule', notes: ['`lkm-scan rules` lists the rules by id and name'] }));
  }
  for (const key of selected.unknownExcluded) {
    errors.push(new RuleError({ message: `no rule matches --exclude-rule "${key}"`, file: '--exclude-rule', notes: ['`lkm-scan rules` lists the rules by id and name'] }));
  }
  if (selected.replaced.length > 0) {
    const n = selected.replaced.length;
    tell(io, told, 'note', `${n} bundled rule${n === 1 ? '' : 's'} replaced by your cop${n === 1 ? 'y' : 'ies'} with the same rule_id (${selected.replaced.map((r) => r.file).join(', ')})`);
  }
  if (selected.unsupported.length > 0) {
    const types = [...new Set(selected.unsupported.map((u) => u.type))].sort().join(', ');
    tell(io, told, 'warning', `skipped ${selected.unsupported.length} rule${selected.unsupported.length === 1 ? '' : 's'} of types that need a live cluster (${types})`);
  }
  if (selected.disabled.length > 0) {
    const n = selected.disabled.length;
    tell(io, told, 'note', `${n} disabled rule${n === 1 ? '' : 's'} (enabled = false) not run; name one with --rule ID to run it`);
  }
  if (errors.length > 0) {
    for (const e of errors) io.stderr.write(e.format() + '\n\n');
    io.stderr.write(`lkm-scan: ${errors.length} rule error${errors.length === 1 ? '' : 's'}; nothing was scanned. Fix the rule or leave it out with --rule/--no-bundled.\n`);
    return undefined;
  }
  if (compiled.length === 0) {
    io.stderr.write('lkm-scan: error: no rules selected; check --rule, --tag, --min-severity and --rules\n');
    return undefined;
  }
  // Rules over `.alerts-security.*` read only the alerts of this scan's other rules: with none of
  // those, no event could ever be evaluated and a clean exit would claim a scan that never ran.
  if (compiled.every((r) => namesAlertsOnly(r.rule.index))) {
    io.stderr.write(
      'lkm-scan: error: every selected rule reads alerts (index .alerts-security.*) and none reads events, so nothing would be evaluated; also select the rules whose alerts they read (their building blocks), e.g. with --rules\n',
    );
    return undefined;
  }
  return { compiled, queries: selected.queries };
}

/**
 * A scan listens for SIGINT/SIGTERM (CliIO.interrupts) while it runs, and only then: on the first
 * one it stops reading, decides what it read, ends the output and the summary as usual, and exits
 * 130 (SIGINT) or 143 (SIGTERM).
 */
export async function scanCommand(opts: ScanCommandOptions, io: CliIO): Promise<number> {
  const interruption = new Interruption(io.interrupts);
  try {
    return await scan(opts, io, interruption);
  } finally {
    interruption.dispose();
  }
}

/**
 * What only some scans use is imported when they ask for it, before reading starts: `--state` and
 * `baseline`, `--explain`, `--report`, `--navigator`, `--workers` (and, in output/sink.ts, every
 * format but text and json). A plain scan's start-up is mostly loading modules (README "Start-up").
 */
const stateCommands = () => import('./state.js');

async function scan(opts: ScanCommandOptions, io: CliIO, interruption: Interruption): Promise<number> {
  const started = performance.now();
  /** The notes and warnings told before the scan, for --stats. */
  const told: string[] = [];
  const mappings = prepareMappings(opts.mappingPaths ?? [], io, told);
  if (!mappings) return EXIT_ERROR;
  const prepared = prepareRuleSet(opts, io, mappings.fieldTypes, told, mappings.sources);
  if (!prepared) return EXIT_ERROR;
  const rules = opts.learnOnly ? (await stateCommands()).baselineRules(prepared.compiled, io) : prepared.compiled;
  if (!rules) return EXIT_ERROR;
  const exceptions = prepareExceptions(opts, rules, mappings.fieldTypes, io, told);
  if (!exceptions) return EXIT_ERROR;
  const state = opts.statePath === undefined ? undefined : (await stateCommands()).ScanState.open(opts.statePath, rules, io);
  if (opts.statePath !== undefined && !state) return EXIT_ERROR;
  const statsProblem = opts.statsPath === undefined ? undefined : checkStatsPath(opts.statsPath);
  if (statsProblem !== undefined) {
    io.stderr.write(`lkm-scan: error: --stats ${printable(opts.statsPath ?? '')}: ${printable(statsProblem)}; nothing was scanned\n`);
    return EXIT_ERROR;
  }
  // A layer that cannot be written is found out before the scan, not after an hour of it.
  const navigatorProblem = opts.navigatorPath === undefined || opts.navigatorPath === '-' ? undefined : checkStatsPath(opts.navigatorPath);
  if (navigatorProblem !== undefined) {
    io.stderr.write(`lkm-scan: error: --navigator ${printable(opts.navigatorPath ?? '')}: ${printable(navigatorProblem)}; nothing was scanned\n`);
    return EXIT_ERROR;
  }
  // --report is written like --stats (checked before the scan, replaced atomically after it).
  const reportPathProblem = opts.reportPath === undefined ? undefined : opts.reportPath === '-' ? 'the report goes to a file; --format html writes it to stdout' : checkStatsPath(opts.reportPath);
  if (reportPathProblem !== undefined) {
    io.stderr.write(`lkm-scan: error: --report ${printable(opts.reportPath ?? '')}: ${printable(reportPathProblem)}; nothing was scanned\n`);
    return EXIT_ERROR;
  }

  const { sources, errors: inputErrors } = await openInputs(opts.inputs, io, 'lkm-scan FILE... (see --help)');

  // `lkm-scan big.ndjson | head -1`: the reader went away; stop quietly, as cat or grep do. A
  // write that failed otherwise (a full disk) stops the scan too, and makes it exit 2.
  const output = watchOutput(io.stdout);
  const outputGone = () => output.closed || output.error !== undefined;

  // The history as read, before this scan records its own sightings in it: what an alert's term was last seen at.
  const history = opts.explain && state ? new Map([...state.termHistory].map(([id, terms]) => [id, new Map(terms)])) : undefined;
  const explain = opts.explain ? (await import('../explain/alert.js')).createAlertExplainer(rules, { fieldTypes: mappings.fieldTypes, history }) : undefined;
  const sink: AlertSink = opts.learnOnly
    ? { write() {}, pace: () => undefined, end: async () => {} }
    : await createSink(opts.format, io.stdout, {
        chalk: () => stdoutChalk(io, opts.color),
        rules: rules.map((r) => r.rule),
        version: opts.version,
        sarif: { allRules: opts.sarifAllRules, maxResults: opts.maxResults, cwd: process.cwd() },
        ...(explain === undefined ? {} : { explain }),
        window: opts.window,
      });
  // `--report FILE`: the HTML report beside the chosen format, written once the scan has ended.
  const report =
    opts.reportPath === undefined || opts.learnOnly
      ? undefined
      : new (await import('../output/html/sink.js')).HtmlReport({ version: opts.version, rules: rules.map((r) => r.rule), window: opts.window });
  // `--navigator FILE`: where the layer goes, and what makes it, ready for the end of the scan.
  const navigator = opts.navigatorPath === undefined ? undefined : { path: opts.navigatorPath, layers: await import('../output/navigator.js') };
  // Reading waits while the output is full (a slow reader of stdout), so memory stays bounded;
  // an interrupt ends the wait, so reading stops at once (the output is still finished after).
  const interrupted = new Promise<void>((resolve) => interruption.signal.addEventListener('abort', () => resolve(), { once: true }));
  const pace = () => {
    // Once interrupted nothing waits: a wait that is already over would only spin the reader.
    if (interruption.interrupted) return undefined;
    const wait = sink.pace();
    return wait === undefined ? undefined : Promise.race([wait, interrupted]);
  };
  const hosts = opts.quiet ? undefined : new AlertsByHost();
  // stdout on the terminal too: an alert must not be written after the progress line's text.
  const outputOnTerminal = io.stdout.isTTY === true;
  const emit = (alert: Alert) => {
    if (outputGone()) throw new StopScan();
    if (outputOnTerminal) progressLine?.clear();
    sink.write(alert);
    report?.add(alert);
    hosts?.add(alert.event, alert.rule);
  };

  // A FIFO named as a path is as live as stdin (`auditbeat > f & lkm-scan f`).
  const live = sources.length === 1 && sources[0]!.kind !== 'file';
  // --strict promises every malformed line is found, which only parsing every line can keep.
  const prefilter = opts.prefilter && !opts.strict ? compilePrefilter(lineNeeds(rules)) : undefined;
  const scanner = createChainedScanner(rules, emit, {
    live,
    termHistory: state?.termHistory,
    exceptionGate: (c) => exceptions.gateFor(c.rule),
    maxSignals: opts.maxSignals,
  });
  // A live scan may run for days: save its history as it goes, not only at the end.
  const stopAutosave = live ? state?.autosave(io) : undefined;
  const inWindow = compileTimeWindow(opts.window);
  const plan = await planParallelScan(sources, opts.workers);
  const parallel =
    plan.workers > 0
      ? new (await import('../parallel/reader.js')).ParallelReader({
          workers: plan.workers,
          rangeBytes: rangeBytes(),
          // The rules this thread runs, by id: fewer than selected for a baseline.
          rules: (await import('../rules/shared.js')).shareRuleSet(rules.map((r) => r.rule), mappings.sources, { encoded: (r) => prepared.queries.encoded(r), facts: rules.map(factsOf) }),
          prefilter: prefilter !== undefined,
          window: opts.window,
        })
      : undefined;
  // `- < FILE` reads like the file argument (large reads, no stream chunks to collect); a pipe is
  // read by a thread in large chunks, still as each line arrives (src/input/bytes.ts). An
  // interrupt still stops it: see `progress` below.
  const stdinFile = sources.some((s) => s.kind === 'stdin') ? describeStdin(io.stdinFd) : undefined;
  const progressLine =
    !opts.quiet && io.stderr.isTTY === true && sources.length > 0 && sources.every((s) => s.kind === 'file')
      ? new ProgressLine(io.stderr, await totalFileBytes(sources.map((s) => s.path)), () => alertCount(scanner.counts))
      : undefined;
  const totals = { lines: 0, events: 0, skipped: 0, malformed: 0, blank: 0, warnings: 0, bytes: 0 };
  const inputs: InputCounts[] = inputErrors.map((e) => ({ name: e.source, lines: 0, events: 0, skipped: 0, malformed: 0, blank: 0, bytes: 0, error: e.message }));
  let evaluated = 0;
  let failures = inputErrors.length;
  const outcome: ScanOutcome = { inputErrors: inputErrors.map((e) => ({ source: e.source, message: e.message })), malformed: 0, interrupted: false };
  // An object, not a `let`: it is set inside the handler's callbacks, where TypeScript does not look.
  const strict = { failed: false };
  /** The input being read and its complete lines so far: where an interrupt cut reading short. */
  let reading = { name: '', lines: 0 };
  const reportLine = (loc: Location, kind: string, message: string) => {
    if (totals.malformed + totals.warnings > MALFORMED_SHOWN) return;
    progressLine?.clear();
    io.stderr.write(`${printable(loc.file)}:${loc.line}: ${kind}${printable(message)}\n`);
  };

  let cutShort: { name: string; lines: number } | undefined;
  try {
    for (const source of sources) {
      if (interruption.interrupted) break;
      const handler: ParallelHandler = {
        event(event, location, text, lineRules) {
          if (outputGone()) throw new StopScan();
          scanner.event(event, location, text, lineRules);
        },
        hits(hits, location, text) {
          if (outputGone()) throw new StopScan();
          scanner.hits(hits, location, text);
        },
        malformed(location, reason) {
          totals.malformed++;
          reportLine(location, '', reason);
          if (opts.strict) {
            strict.failed = true;
            progressLine?.clear();
            io.stderr.write('lkm-scan: stopping at the first malformed line (--strict)\n');
            throw new StopScan();
          }
        },
        warning(location, message) {
          totals.warnings++;
          reportLine(location, 'warning: ', message);
        },
        progress(bytes, lines, events) {
          reading = { name: source.name, lines };
          if (interruption.interrupted) throw new StopScan();
          progressLine?.update(bytes, events);
        },
      };
      const malformedBefore = totals.malformed;
      const size = plan.split.get(source);
      const stats =
        parallel !== undefined && size !== undefined && source.kind === 'file'
          ? await parallel.read(source, size, handler, pace)
          : await readEvents(source, handler, { stdin: io.stdin, stdinFile, stopStreams: interruption.signal, prefilter, window: inWindow, pace });
      progressLine?.nextInput();
      totals.lines += stats.lines;
      totals.events += stats.events;
      totals.skipped += stats.skipped;
      totals.blank += stats.blank;
      totals.bytes += stats.bytes;
      evaluated += stats.evaluated;
      inputs.push({ name: source.name, lines: stats.lines, events: stats.events, skipped: stats.skipped, malformed: totals.malformed - malformedBefore, blank: stats.blank, bytes: stats.bytes, error: stats.error });
      if (stats.error) {
        failures++;
        outcome.inputErrors.push({ source: source.name, message: stats.error });
        progressLine?.clear();
        io.stderr.write(`lkm-scan: error: ${printable(source.name)}: ${printable(stats.error)}\n`);
      }
      if (stats.hint !== undefined) io.stderr.write(`lkm-scan: note: ${stats.hint}\n`);
    }
    if (!outputGone()) scanner.finish();
  } catch (e) {
    if (!(e instanceof StopScan)) throw e;
    // Interrupted: what was read is still decided (held events of stateful rules) and output.
    if (interruption.interrupted && !outputGone()) scanner.finish();
    if (interruption.interrupted) cutShort = reading;
  } finally {
    await parallel?.close();
  }
  progressLine?.clear();
  const nothing = strict.failed
    ? undefined
    : judgeNothingEvaluated(
        { inputs: sources.length + inputErrors.length, unreadable: failures, ...totals, evaluated },
        { windowed: inWindow !== undefined, allowEmpty: opts.allowEmpty === true },
      );
  outcome.malformed = totals.malformed;
  outcome.interrupted = interruption.interrupted;
  if (nothing?.fails && !interruption.interrupted) outcome.nothingEvaluated = nothing.message;
  // The counts, read once: the stderr summary, --stats and the HTML report are renderings of this.
  const summary: ScanSummary = {
    files: sources.length,
    ...totals,
    inputErrors: failures,
    elapsedMs: performance.now() - started,
    alertsByRule: rules.map((r) => ({ name: r.rule.name, id: r.rule.id, type: r.rule.type, severity: r.rule.severity, ...scanner.counts.get(r.rule.id)! })),
    rules: opts.summary,
    hosts,
    interrupted: interruption.by && { signal: interruption.by, cutShort },
    exceptions: exceptionCounts(exceptions.items, new Map(rules.map((r) => [r.rule.id, r.rule.name]))),
    notes: told,
    inputs,
  };
  outcome.summary = summary;
  if (!outputGone()) await sink.end(outcome);
  stopAutosave?.();
  const reportProblem = report === undefined || opts.reportPath === undefined ? undefined : writeRunStats(opts.reportPath, report.render(outcome), io.stderr);
  /** Every end after the scan goes through here, so --stats is written whatever the exit status. */
  const end = (exitCode: number, stopped?: ScanStop): number => {
    if (navigator !== undefined && !writeNavigator(navigator.path, navigator.layers, rules, scanner.counts, io)) exitCode = EXIT_ERROR;
    if (opts.statsPath === undefined) return exitCode;
    const stopCause = stopped ?? (interruption.by ? 'interrupted' : strict.failed ? 'strict' : undefined);
    const problem = writeRunStats(opts.statsPath, renderRunStats(summary, { version: opts.version, exitCode, stopped: stopCause, maxSignals: opts.maxSignals !== false }), io.stderr);
    if (problem === undefined) return exitCode;
    io.stderr.write(`lkm-scan: error: cannot write --stats ${printable(opts.statsPath)}: ${printable(problem)}; the run's counts are lost (the summary on stderr has them unless --quiet)\n`);
    return EXIT_ERROR;
  };
  if (output.error !== undefined) {
    reportOutputFailure(output, io.stderr);
    return end(EXIT_ERROR, 'output_failed');
  }
  if (output.closed) return end(failingAlerts(rules, scanner.counts, opts.failOn) ? EXIT_ALERTS : EXIT_CLEAN, 'output_closed');
  // Saved only when every decision was made and output: history must not claim a term was seen
  // when its alert never reached the reader (so not after a failed write or a closed pipe above).
  // An interrupted scan ends through here too, once the scanner has finished.
  const stateSaved = state && scanner.finished ? state.save(io) : undefined;

  const hidden = totals.malformed + totals.warnings - MALFORMED_SHOWN;
  if (hidden > 0) io.stderr.write(`lkm-scan: ${hidden} more malformed or warned lines not shown\n`);
  const stateLines = state ? state.describeStart() + (stateSaved ? state.describeSaved() : '') : '';
  if (opts.learnOnly && state && !opts.quiet) {
    io.stdout.write((await stateCommands()).formatBaselineSummary(rules, (id) => scanner.counts.get(id)?.alerts ?? 0, state, { events: totals.events, inputs: sources.length }) + stateLines);
  } else if (!opts.quiet) {
    io.stderr.write(formatSummary(summary) + stateLines);
  }
  if (io.env.LKM_SCAN_DEBUG) io.stderr.write(formatDispatchStats(scanner.dispatchStats));
  // After the summary, where it is seen last; the alerts and the summary are whole without it.
  if (reportProblem !== undefined) io.stderr.write(`lkm-scan: error: cannot write --report ${printable(opts.reportPath ?? '')}: ${printable(reportProblem)}\n`);
  if (state && !stateSaved && !state.failed) io.stderr.write(`lkm-scan: ${state.path} not updated: the scan did not finish\n`);
  if (interruption.by) return end(EXIT_INTERRUPTED[interruption.by]);
  if (nothing?.fails) io.stderr.write(`lkm-scan: error: ${nothing.message}\n`);
  if (failures > 0 || strict.failed || state?.failed || nothing?.fails || reportProblem !== undefined) return end(EXIT_ERROR);
  if (opts.learnOnly) return end(EXIT_CLEAN);
  return end(failingAlerts(rules, scanner.counts, opts.failOn) ? EXIT_ALERTS : EXIT_CLEAN);
}

/** output/navigator.ts, imported for `--navigator` only. */
type NavigatorLayers = typeof navigatorModule;

/**
 * `--navigator FILE`: the layer of the rules that fired, written whatever the exit status (like
 * --stats: an interrupted scan's layer covers what was read). False when it could not be written.
 */
function writeNavigator(path: string, layers: NavigatorLayers, rules: readonly CompiledRule[], counts: ReadonlyMap<string, { alerts: number }>, io: CliIO): boolean {
  const fired = rules.map((r) => ({ rule: r.rule, alerts: counts.get(r.rule.id)?.alerts ?? 0 }));
  const firedCount = fired.filter((r) => r.alerts > 0).length;
  const layer = layers.navigatorLayer(fired, {
    name: 'lkm-scan alerts',
    description: `ATT&CK techniques of the ${firedCount} of ${rules.length} lkm-scan rules that fired; score: the number of rules that fired (their alerts are in each technique's metadata)`,
    mode: 'alerts',
  });
  // `-` is stdout's neighbour stderr here too: --stats and --navigator share the writer.
  const problem = writeRunStats(path, layers.renderNavigatorLayer(layer), io.stderr);
  if (problem === undefined) return true;
  io.stderr.write(`lkm-scan: error: cannot write --navigator ${printable(path)}: ${printable(problem)}\n`);
  return false;
}

function alertCount(counts: ReadonlyMap<string, { alerts: number }>): number {
  let total = 0;
  for (const c of counts.values()) total += c.alerts;
  return total;
}

/** True when a rule at or above the `--fail-on` severity alerted. */
function failingAlerts(rules: readonly CompiledRule[], counts: ReadonlyMap<string, { alerts: number }>, failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  const min = SEVERITIES.indexOf(failOn);
  return rules.some((r) => SEVERITIES.indexOf(r.rule.severity) >= min && (counts.get(r.rule.id)?.alerts ?? 0) > 0);
}

/**
 * `LKM_SCAN_DEBUG`: how many rules the rule index offered an event on average (engine/dispatch.ts),
 * after the prefilter's line rules, and how many the index alone chose: the measure of what an
 * event costs with a large pack. Lines that workers scanned are not counted.
 */
function formatDispatchStats({ events, indexed, offered }: DispatchStats): string {
  const average = (n: number) => (events === 0 ? 0 : n / events).toFixed(1);
  return `lkm-scan: debug: rule index: ${events} events dispatched, ${average(indexed)} rules per event chosen by the index, ${average(offered)} offered after the prefilter's line rules\n`;
}

