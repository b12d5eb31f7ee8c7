import type { Location } from '../engine/alert.js';
import type { TimeWindow } from '../engine/timeWindow.js';
import type { EcsEvent } from '../event/types.js';
import { firstFailure } from '../explain/diagnose.js';
import { explanationEntries, explanationLines } from '../explain/render.js';
import { compileVerdict, settleVerdict, type Verdict } from '../explain/verdict.js';
import { createChainedScanner } from '../engine/chain.js';
import { compileTimeWindow } from '../engine/timeWindow.js';
import { readEvents } from '../input/index.js';
import { BatchedWriter } from '../output/batchedWriter.js';
import type { ChalkInstance } from 'chalk';
import type { RuleSelection } from '../rules/select.js';
import { printable } from '../text/printable.js';
import { EXIT_CLEAN, EXIT_ERROR, openInputs, reportOutputFailure, stdoutChalk, watchOutput, type CliIO } from './io.js';
import { prepareExceptions, prepareMappings, prepareRules } from './scan.js';

export interface ExplainCommandOptions extends RuleSelection {
  inputs: string[];
  format: 'text' | 'json';
  /** Events explained at most; reading stops there (`--limit`). */
  limit: number;
  /** Text: also the tree of every clause with its value (`--tree`); JSON always has it. */
  tree: boolean;
  quiet: boolean;
  color?: boolean;
  window: TimeWindow;
  mappingPaths: string[];
  exceptionPaths: string[];
  valueListPaths: string[];
}

/** Thrown inside the event handler to stop reading: the limit is reached or the output is gone. */
class StopReading extends Error {}

/**
 * `lkm-scan explain [--rule ID] FILE`: for each event (up to `--limit`) and each selected rule,
 * whether the rule takes it and, if not, what stopped it (src/explain/verdict.ts), with the
 * scan's rules, field types, exceptions and time window; and, from a scan of the same events,
 * whether a match became an alert. Exit 0; 2 for a usage error or an input or rule that could
 * not be read.
 */
export async function explainCommand(opts: ExplainCommandOptions, io: CliIO): Promise<number> {
  const mappings = prepareMappings(opts.mappingPaths, io);
  if (!mappings) return EXIT_ERROR;
  const rules = prepareRules(opts, io, mappings.fieldTypes);
  if (!rules) return EXIT_ERROR;
  const exceptions = prepareExceptions(opts, rules, mappings.fieldTypes, io);
  if (!exceptions) return EXIT_ERROR;
  const verdicts = rules.map((compiled) => ({
    rule: compiled.rule,
    verdict: compileVerdict(compiled, { fieldTypes: mappings.fieldTypes, window: opts.window, gate: exceptions.gateFor(compiled.rule) }),
  }));
  // A scan of the same events, as `lkm-scan` would run it, says which matches became alerts: a
  // new_terms, threshold or sequence rule decides across events, max_signals and suppression drop.
  const alerted = new Set<string>();
  const placeOf = (ruleId: string, location: Location) => `${ruleId}\u0000${location.file}\u0000${location.line}`;
  const scanner = createChainedScanner(
    rules,
    (alert) => {
      for (const e of alert.events ?? [{ location: alert.location }]) alerted.add(placeOf(alert.rule.id, e.location));
    },
    { live: false, exceptionGate: (c) => exceptions.gateFor(c.rule) },
  );
  const inWindow = compileTimeWindow(opts.window);
  // Written once the scan has decided; the trees only when shown (--tree, json), since up to
  // --limit events times every selected rule are held.
  const held: Array<{ rule: RuleRef; location: Location; verdict: Verdict }> = [];
  const keepTree = opts.tree || opts.format === 'json';

  const { sources, errors } = await openInputs(opts.inputs, io);
  let failures = errors.length;
  const output = watchOutput(io.stdout);
  const outputGone = () => output.closed || output.error !== undefined;
  const writer = new BatchedWriter(io.stdout);
  const chalk = await stdoutChalk(io, opts.color);
  let events = 0;
  let matched = 0;
  // An object, not a `let`: it is set inside the reader's callbacks, where TypeScript does not look.
  const stop = { limited: false };

  const explainEvent = (event: EcsEvent, location: Location, text: string) => {
    events++;
    for (const { rule, verdict } of verdicts) {
      const v = verdict(event);
      if (v.matched) matched++;
      held.push({ rule, location, verdict: keepTree ? v : { ...v, tree: undefined } });
    }
    if (inWindow === undefined || inWindow(event)) scanner.event(event, location, text);
  };
  try {
    for (const source of sources) {
      const stats = await readEvents(
        source,
        {
          event(event, location, text) {
            if (outputGone()) throw new StopReading();
            if (events >= opts.limit) {
              stop.limited = true;
              throw new StopReading();
            }
            explainEvent(event, location, text);
          },
          malformed(location, reason) {
            io.stderr.write(`${printable(location.file)}:${location.line}: ${printable(reason)}\n`);
          },
        },
        { stdin: io.stdin },
      );
      if (stats.error) {
        failures++;
        io.stderr.write(`lkm-scan: error: ${printable(source.name)}: ${printable(stats.error)}\n`);
      }
    }
  } catch (e) {
    if (!(e instanceof StopReading)) throw e;
  }
  scanner.finish();
  for (const { rule, location, verdict } of held) {
    if (outputGone()) break;
    const v = settleVerdict(verdict, alerted.has(placeOf(rule.id, location)));
    writer.write(opts.format === 'json' ? jsonLine(rule, location, v) : textBlock(rule, location, v, opts.tree, chalk));
    const wait = writer.pace();
    if (wait !== undefined) await wait;
  }
  if (!outputGone()) await writer.end();
  if (output.error !== undefined) {
    reportOutputFailure(output, io.stderr);
    return EXIT_ERROR;
  }
  if (!opts.quiet) {
    const more = stop.limited ? `; stopped after ${opts.limit} events (--limit N for more)` : '';
    io.stderr.write(`lkm-scan explain: ${events} event${events === 1 ? '' : 's'} x ${rules.length} rule${rules.length === 1 ? '' : 's'}, ${matched} matched${more}\n`);
  }
  return failures > 0 ? EXIT_ERROR : EXIT_CLEAN;
}

type RuleRef = { id: string; name: string };

function textBlock(rule: RuleRef, location: Location, v: Verdict, tree: boolean, chalk: ChalkInstance): string {
  const head = `${chalk.underline(`${printable(location.file)}:${location.line}`)}  ${chalk.bold(printable(rule.name))} ${chalk.dim(`(${printable(rule.id)})`)}`;
  const lines = [head, `  ${v.matched ? chalk.green(v.reason) : v.reason}`];
  if (v.failure !== undefined) lines.push(`  ${chalk.dim('clause')}  ${v.failure.clause}`);
  // A sequence or sample: why each of its queries did not take the event.
  if (v.stage === 'query' && v.failure === undefined && v.tree?.op === 'or') {
    for (const step of v.tree.children ?? []) {
      const f = firstFailure(step);
      if (f !== undefined) lines.push(`  ${chalk.dim(step.clause)}: ${f.reason}`);
    }
  }
  if (tree && v.tree !== undefined) lines.push(...explanationLines(v.tree, chalk, '    '));
  return lines.join('\n') + '\n\n';
}

function jsonLine(rule: RuleRef, location: Location, v: Verdict): string {
  return (
    JSON.stringify({
      location: { file: location.file, line: location.line },
      rule: { id: rule.id, name: rule.name },
      matched: v.matched,
      stage: v.stage,
      reason: v.reason,
      ...(v.failure === undefined ? {} : { clause: v.failure.clause, field: v.failure.field ?? null, value: v.failure.value ?? null }),
      ...(v.taking === undefined || v.taking.kind === 'query' ? {} : { takes_part_in: v.taking.part }),
      ...(v.tree === undefined ? {} : { explanation: explanationEntries(v.tree) }),
    }) + '\n'
  );
}
