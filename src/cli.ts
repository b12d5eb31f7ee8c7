import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT_ERROR, type CliIO } from './commands/io.js';
import { rulesListCommand, rulesShowCommand } from './commands/rulesList.js';
import { scanCommand } from './commands/scan.js';
import { OUTPUT_FORMATS, type OutputFormat } from './output/sink.js';
import { parseSeverity } from './commands/selectRules.js';
import { validateCommand } from './commands/validate.js';
import { RuleError } from './rules/ruleError.js';
import type { Severity } from './rules/types.js';
import { parseTimeBound } from './engine/timeWindow.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const collect = (value: string, previous: string[]) => [...previous, value];

function timeBound(value: string): number {
  try {
    return parseTimeBound(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

function parseWorkers(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 256) throw new InvalidArgumentError('expected a whole number from 1 to 256');
  return n;
}

const SCAN_EXAMPLES = `
Examples:
  $ lkm-scan events.ndjson                      scan a file with the bundled rules
  $ lkm-scan logs/                              every .ndjson/.json/.jsonl/.gz file below logs/
  $ zcat audit.ndjson.gz | lkm-scan             read stdin (also: lkm-scan -)
  $ auditbeat -e | lkm-scan                     live: alerts print as events arrive
  $ lkm-scan --format json events.ndjson | jq .rule.name
  $ lkm-scan --format sarif logs/*.ndjson.gz > alerts.sarif   for CI code-scanning viewers
  $ lkm-scan --rules my-rules/ --no-bundled events.ndjson
  $ lkm-scan --rule 80084fa9 --min-severity low events.ndjson
  $ lkm-scan --since 2024-05-01 --until 2024-05-02T12:00:00Z logs/   only events in that time
  $ lkm-scan rules                              list rules; lkm-scan rules show <id> for one
  $ lkm-scan validate my-rules/                 check rule files without scanning

Exit status:
  0  no alert    1  at least one alert
  2  usage error, unreadable input, bad rule, or no event evaluated (see --allow-empty)
`;

interface GlobalOpts {
  format: OutputFormat;
  quiet?: boolean;
  strict?: boolean;
  color?: boolean;
  rules: string[];
  bundled: boolean;
  rule: string[];
  tag: string[];
  minSeverity?: Severity;
  prefilter: boolean;
  workers?: number;
  since?: number;
  until?: number;
  allowEmpty?: boolean;
}

function ruleSelection(o: GlobalOpts) {
  return { rulePaths: o.rules, bundled: o.bundled, only: o.rule, tags: o.tag, minSeverity: o.minSeverity };
}

/** Which rules run, and how output looks: program options that the subcommands read too. */
function addRuleOptions(cmd: Command): Command {
  return cmd
    .option('--rules <path>', 'add rule files or folders of *.toml (repeatable)', collect, [])
    .option('--no-bundled', 'leave out the bundled rules')
    .option('--rule <id-or-name>', 'run only this rule: id, id prefix or name (repeatable)', collect, [])
    .option('--tag <tag>', 'run only rules with this tag, e.g. "OS: Linux" (repeatable)', collect, [])
    .addOption(new Option('--min-severity <level>', 'run only rules at or above this severity').argParser(parseSeverity))
    .option('--color', 'force colour output')
    .option('--no-color', 'disable colour output (NO_COLOR is honoured too)');
}

/**
 * Runs lkm-scan with the given arguments (without `node` and the script path) and returns the
 * exit code. Never calls process.exit, so tests can run it in-process.
 */
export async function run(argv: string[], io: CliIO): Promise<number> {
  let exitCode = 0;
  const program = new Command('lkm-scan');
  program
    .description('Scan NDJSON Elastic Common Schema events with Elastic detection rules (EQL, KQL), offline.')
    .version(pkg.version, '-V, --version')
    .argument('[inputs...]', 'files or folders of events (NDJSON, JSON arrays, Elasticsearch _search responses); - or none reads stdin')
    .addOption(new Option('-f, --format <format>', 'output format: text, json (NDJSON) or sarif (SARIF 2.1.0)').choices([...OUTPUT_FORMATS]).default('text'))
    .option('-q, --quiet', 'do not print the summary on stderr')
    .option('--strict', 'stop with exit 2 at the first malformed line')
    .option('--allow-empty', 'exit 0, not 2, when the inputs hold no event (empty, or none within --since/--until)')
    .option('--since <time>', 'only events whose @timestamp is at or after TIME (ISO 8601, epoch ms, or back from now: 24h, 7d)', timeBound)
    .option('--until <time>', 'only events whose @timestamp is at or before TIME (same forms as --since)', timeBound)
    .option('--no-prefilter', 'parse every line (slower; also reports malformed lines the prefilter would skip unparsed)')
    .addOption(
      new Option('--workers <n>', 'worker threads reading large plain files in parallel (default 1; see README "Performance")').argParser(parseWorkers),
    );
  addRuleOptions(program);
  program.addHelpText('after', SCAN_EXAMPLES);
  program.action(async (inputs: string[], o: GlobalOpts) => {
    exitCode = await scanCommand(
      { inputs, format: o.format, quiet: !!o.quiet, strict: !!o.strict, color: o.color, version: pkg.version, prefilter: o.prefilter, workers: o.workers, allowEmpty: !!o.allowEmpty, window: { since: o.since, until: o.until }, ...ruleSelection(o) },
      io,
    );
  });

  // Rule selection, --format and --color belong to the program, so they work before or after the
  // subcommand name (`lkm-scan --rules x rules` and `lkm-scan rules --rules x`).
  program.configureHelp({ showGlobalOptions: true });
  const globals = () => program.opts<GlobalOpts>();
  const rules = program.command('rules').description('list the rules lkm-scan would run (bundled plus --rules); --format json for NDJSON');
  rules.addHelpText(
    'after',
    `
Examples:
  $ lkm-scan rules                               id, name, type, severity, risk, MITRE ids, flags
  $ lkm-scan rules --rules detection-rules/rules/linux --tag "Tactic: Persistence"
  $ lkm-scan rules show 947827c6-9ed6-4dec-903e-c856c86e72f3
  $ lkm-scan rules show "kernel modules via proc"
`,
  );
  rules.action(() => {
    const o = globals();
    exitCode = rulesListCommand({ ...ruleSelection(o), format: o.format === 'json' ? 'json' : 'text', color: o.color }, io);
  });
  const show = rules
    .command('show')
    .description('print one rule in full: description, query, MITRE mapping, false positives, setup')
    .argument('<id-or-name>', 'rule id, id prefix (4+ characters) or name (case-insensitive, or part of it)');
  show.addHelpText('after', '\nExamples:\n  $ lkm-scan rules show 80084fa9\n  $ lkm-scan rules show "Creation of Kernel Module"\n');
  show.action((key: string) => {
    const o = globals();
    exitCode = rulesShowCommand(key, { ...ruleSelection(o), format: 'text', color: o.color }, io);
  });

  const validate = program
    .command('validate')
    .description('parse and compile every rule in the given files or folders; exit 1 if any fails')
    .argument('[paths...]', 'rule files or folders searched for *.toml (default: the bundled rules)')
    .addHelpText(
      'after',
      `
Prints one line per failing rule (file:line:column: "name": message) with the query line and a
caret, then a total on stderr. Rule types that cannot run offline (esql, machine_learning,
threat_match, lucene) are counted as skipped, not failed.

Examples:
  $ lkm-scan validate my-rules/
  $ lkm-scan validate detection-rules/rules detection-rules/rules_building_block

Exit status:
  0  every rule is valid    1  at least one rule failed    2  usage error
`,
    )
    .action((paths: string[]) => {
      exitCode = validateCommand(paths, io);
    });

  for (const cmd of [program, rules, show, validate]) {
    cmd.exitOverride();
    cmd.configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
    cmd.showHelpAfterError('(run with --help for usage and examples)');
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return e.exitCode === 0 ? 0 : EXIT_ERROR;
    }
    if (e instanceof RuleError) {
      io.stderr.write(e.format() + '\n');
      return EXIT_ERROR;
    }
    throw e;
  }
  return exitCode;
}
