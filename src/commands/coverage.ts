import { CoverageCollector } from '../coverage/collect.js';
import { coverageReport, renderCoverageText, type CoverageReport } from '../coverage/report.js';
import { readEvents } from '../input/index.js';
import type { RuleSelection } from '../rules/select.js';
import { printable } from '../text/printable.js';
import { EXIT_ALERTS, EXIT_CLEAN, EXIT_ERROR, openInputs, stdoutChalk, type CliIO } from './io.js';
import { prepareMappings, prepareRules } from './scan.js';

export interface CoverageCommandOptions extends RuleSelection {
  inputs: string[];
  format: 'text' | 'json';
  color?: boolean;
  mappingPaths: string[];
  /** `--fail-under PERCENT`: exit 1 when fewer of the rules that read events can fire. */
  failUnder?: number;
}

/** Malformed lines shown one by one before only counting them, as in a scan. */
const MALFORMED_SHOWN = 10;

/**
 * `lkm-scan coverage FILE...`: which selected rules can fire on this data, and why not
 * (src/coverage/). Reads the inputs as a scan does, but every line (no prefilter: the report is
 * about all fields). Exit 0 when the report is complete, 1 under `--fail-under`, 2 when it is not
 * (a rule or input that cannot be read, or no event at all).
 */
export async function coverageCommand(opts: CoverageCommandOptions, io: CliIO): Promise<number> {
  const mappings = prepareMappings(opts.mappingPaths, io);
  if (!mappings) return EXIT_ERROR;
  const rules = prepareRules(opts, io, mappings.fieldTypes);
  if (!rules) return EXIT_ERROR;
  const { sources, errors } = await openInputs(opts.inputs, io, 'lkm-scan coverage FILE...');
  const inputs: CoverageReport['inputs'] = { files: sources.length, lines: 0, malformed: 0, errors: errors.map((e) => ({ source: e.source, message: e.message })) };
  const collector = new CoverageCollector(rules, mappings.fieldTypes);
  for (const source of sources) {
    const stats = await readEvents(
      source,
      {
        event: (event) => collector.event(event),
        malformed: (loc, reason) => {
          inputs.malformed++;
          if (inputs.malformed <= MALFORMED_SHOWN) io.stderr.write(`${printable(loc.file)}:${loc.line}: ${printable(reason)}\n`);
        },
      },
      { stdin: io.stdin },
    );
    inputs.lines += stats.lines;
    if (stats.error !== undefined) {
      inputs.errors.push({ source: source.name, message: stats.error });
      io.stderr.write(`lkm-scan: error: ${printable(source.name)}: ${printable(stats.error)}\n`);
    }
    if (stats.hint !== undefined) io.stderr.write(`lkm-scan: note: ${stats.hint}\n`);
  }
  if (inputs.malformed > MALFORMED_SHOWN) io.stderr.write(`lkm-scan: ${inputs.malformed - MALFORMED_SHOWN} more malformed lines not shown\n`);
  const report = coverageReport(collector.result(), inputs);
  if (opts.format === 'json') io.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else io.stdout.write(renderCoverageText(report, await stdoutChalk(io, opts.color)));
  if (report.events === 0) {
    io.stderr.write('lkm-scan: error: the inputs hold no event, so the report says nothing about the data; check the paths\n');
    return EXIT_ERROR;
  }
  if (inputs.errors.length > 0) return EXIT_ERROR;
  if (opts.failUnder !== undefined) {
    const eventRules = report.totals.rules - report.totals.reads_alerts;
    const percent = eventRules === 0 ? 100 : (100 * report.totals.can_fire) / eventRules;
    if (percent < opts.failUnder) {
      io.stderr.write(`lkm-scan: ${percent.toFixed(1)}% of the rules that read events can fire, under --fail-under ${opts.failUnder}\n`);
      return EXIT_ALERTS;
    }
  }
  return EXIT_CLEAN;
}
