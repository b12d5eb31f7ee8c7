import type { Alert, Location } from '../engine/alert.js';
import { compileRule, type CompiledRule } from '../engine/compileRule.js';
import { compileEventTime, formatTime } from '../engine/eventTime.js';
import { createScanner } from '../engine/scanner.js';
import { compileTimeWindow, type TimeWindow } from '../engine/timeWindow.js';
import { stringifyJson } from '../event/json.js';
import type { EcsEvent } from '../event/types.js';
import { readEvents } from '../input/index.js';
import { alertFields, alertHost } from '../output/alertFields.js';
import { BatchedWriter } from '../output/batchedWriter.js';
import type { ChalkInstance } from 'chalk';
import { compilePrefilter } from '../prefilter/compile.js';
import { RuleError } from '../rules/ruleError.js';
import type { Rule } from '../rules/types.js';
import { printable } from '../text/printable.js';
import { EXIT_ALERTS, EXIT_CLEAN, EXIT_ERROR, openInputs, reportOutputFailure, stdoutChalk, watchOutput, type CliIO } from './io.js';
import { EXIT_INTERRUPTED, Interruption } from './interrupt.js';
import { prepareMappings } from './scan.js';

export interface HuntOptions {
  inputs: string[];
  /** `--eql QUERY` or `--kql QUERY`. */
  query: { language: 'eql' | 'kuery'; text: string };
  /** json: each matching event's line as read (NDJSON); text: one short line each. */
  format: 'json' | 'text';
  /** `--count`: only the number of matches (events, or sequences and samples). */
  count: boolean;
  quiet: boolean;
  strict: boolean;
  prefilter: boolean;
  color?: boolean;
  window: TimeWindow;
  mappingPaths: string[];
}

/** Where a hunt's query comes from, as a rule error names it: `--kql:1:14`. */
function huntRule(query: HuntOptions['query']): Rule {
  const common = {
    id: 'hunt',
    name: query.language === 'eql' ? '--eql' : '--kql',
    description: 'an ad-hoc query (lkm-scan hunt)',
    severity: 'low' as const,
    riskScore: 0,
    tags: [],
    threat: [],
    author: [],
    references: [],
    falsePositives: [],
    // No index patterns: every event is offered, whatever index it says it is from.
    index: [],
    buildingBlock: false,
    deprecated: false,
    filters: [],
    enabled: true,
    query: query.text,
    source: { file: query.language === 'eql' ? '--eql' : '--kql', queryStart: { line: 1, column: 1 }, bundled: false },
  };
  return query.language === 'eql' ? { ...common, type: 'eql', language: 'eql' } : { ...common, type: 'query', language: 'kuery' };
}

/** Thrown inside the event handler to stop reading: the reader of the output went away, or --strict tripped. */
class StopHunt extends Error {}

/**
 * `lkm-scan hunt`: one ad-hoc query over the inputs, with the scan's compiler, engine, field types,
 * prefilter and time window (the query is compiled as a rule without index patterns, exceptions or
 * max_signals). Matching events are written as they were read; a sequence's or sample's events
 * each on a line of their own, wrapped with the match's number (README "Hunting"). Exit status as
 * grep's: 0 a match, 1 none, 2 when the result is incomplete (whatever matched).
 */
export async function huntCommand(opts: HuntOptions, io: CliIO): Promise<number> {
  // As a scan: the first SIGINT/SIGTERM stops reading, what was read is decided and written.
  const interruption = new Interruption(io.interrupts);
  try {
    return await hunt(opts, io, interruption);
  } finally {
    interruption.dispose();
  }
}

async function hunt(opts: HuntOptions, io: CliIO, interruption: Interruption): Promise<number> {
  const mappings = prepareMappings(opts.mappingPaths, io);
  if (!mappings) return EXIT_ERROR;
  let compiled: CompiledRule;
  try {
    compiled = compileRule(huntRule(opts.query), { fieldTypes: mappings.fieldTypes });
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    // The diagnostic points at --eql/--kql already; its note would name the query a "rule".
    io.stderr.write(`${new RuleError({ ...e.diagnostic, notes: [] }).format()}\n`);
    return EXIT_ERROR;
  }
  const { sources, errors } = await openInputs(opts.inputs, io, 'lkm-scan hunt --kql QUERY FILE...');
  let failures = errors.length;

  const output = watchOutput(io.stdout);
  const outputGone = () => output.closed || output.error !== undefined;
  const writer = new BatchedWriter(io.stdout);
  const chalk = await stdoutChalk(io, opts.color);
  let matches = 0;
  let matchedEvents = 0;
  const emit = (alert: Alert): void => {
    if (outputGone()) throw new StopHunt();
    matches++;
    const events = alert.events ?? [{ event: alert.event, location: alert.location }];
    matchedEvents += events.length;
    if (opts.count) return;
    if (opts.format === 'json') {
      if (alert.events === undefined) writer.write(`${alert.raw ?? stringifyJson(alert.event)}\n`);
      else for (const [i, e] of alert.events.entries()) writer.write(`${stringifyJson({ sequence: matches, event: i + 1, location: { file: e.location.file, line: e.location.line }, document: e.event })}\n`);
      return;
    }
    if (alert.events === undefined) writer.write(`${summaryLine(alert.event, alert.location, chalk)}\n`);
    else {
      writer.write(`${chalk.bold(`match ${matches}`)} ${chalk.dim(`(${alert.events.length} events)`)}\n`);
      for (const e of alert.events) writer.write(`  ${summaryLine(e.event, e.location, chalk)}\n`);
    }
  };
  const live = sources.length === 1 && sources[0]!.kind !== 'file';
  const scanner = createScanner([compiled], emit, { live, maxSignals: false });
  const prefilter = opts.prefilter && !opts.strict ? compilePrefilter([compiled.need]) : undefined;
  const window = compileTimeWindow(opts.window);
  let malformed = 0;
  // An object, not a `let`: it is set inside the reader's callbacks, where TypeScript does not look.
  const strict = { failed: false };
  try {
    for (const source of sources) {
      if (interruption.interrupted) break;
      const stats = await readEvents(
        source,
        {
          event(event: EcsEvent, location: Location, text: string) {
            if (outputGone()) throw new StopHunt();
            scanner.event(event, location, text);
          },
          malformed(location, reason) {
            malformed++;
            if (malformed <= 10) io.stderr.write(`${printable(location.file)}:${location.line}: ${printable(reason)}\n`);
            if (opts.strict) {
              strict.failed = true;
              io.stderr.write('lkm-scan: stopping at the first malformed line (--strict)\n');
              throw new StopHunt();
            }
          },
          progress() {
            if (interruption.interrupted) throw new StopHunt();
          },
        },
        { stdin: io.stdin, stopStreams: interruption.signal, prefilter, window, pace: () => (outputGone() || interruption.interrupted ? undefined : writer.pace()) },
      );
      if (stats.error) {
        failures++;
        io.stderr.write(`lkm-scan: error: ${printable(source.name)}: ${printable(stats.error)}\n`);
      }
    }
    if (!outputGone()) scanner.finish();
  } catch (e) {
    if (!(e instanceof StopHunt)) throw e;
    // Interrupted: sequences pending over what was read are still decided and written.
    if (interruption.interrupted && !outputGone()) scanner.finish();
  }
  if (malformed > 10) io.stderr.write(`lkm-scan: ${malformed - 10} more malformed lines not shown\n`);
  if (opts.count && !outputGone()) writer.write(`${matches}\n`);
  if (!outputGone()) await writer.end();
  if (output.error !== undefined) {
    reportOutputFailure(output, io.stderr);
    return EXIT_ERROR;
  }
  if (!opts.quiet && opts.format === 'text' && !opts.count) {
    const joined = compiled.kind === 'sequence' || compiled.kind === 'sample' ? ` (${matchedEvents} events)` : '';
    io.stderr.write(`lkm-scan hunt: ${matches} match${matches === 1 ? '' : 'es'}${joined}\n`);
  }
  if (interruption.by) return EXIT_INTERRUPTED[interruption.by];
  if (failures > 0 || strict.failed) return EXIT_ERROR;
  return matches > 0 ? EXIT_CLEAN : EXIT_ALERTS;
}

const timestampOf = compileEventTime();

/** `file:line  time  host  user  process  action  file`: what an analyst scans a list of hits for. */
function summaryLine(event: EcsEvent, location: Location, chalk: ChalkInstance): string {
  const parts = [
    formatTime(timestampOf(event)),
    alertHost(event),
    alertFields.userName(event),
    alertFields.eventAction(event),
    alertFields.processName(event),
    alertFields.processCommandLine(event),
    alertFields.filePath(event),
  ].filter((p): p is string => p !== undefined && p !== '');
  return `${chalk.underline(`${printable(location.file)}:${location.line}`)}  ${parts.map((p) => printable(p.length > 200 ? `${p.slice(0, 199)}…` : p)).join('  ')}`;
}
