import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT_ERROR, type CliIO } from './commands/io.js';
import { DEFAULT_EXPLAIN_LIMIT, FAIL_ON_LEVELS, RULE_TEST_FORMATS, type FailOn, type RuleTestFormat } from './commands/options.js';
import { OUTPUT_FORMATS, type OutputFormat } from './output/sink.js';
import { SUMMARY_RULES, type SummaryRules } from './output/summary.js';
import { ruleCacheDir } from './rules/cache.js';
import { RuleError } from './rules/ruleError.js';
import { SEVERITIES, type Severity } from './rules/types.js';
import { closestCommand } from './commands/suggest.js';
import { parseTimeBound } from './engine/timeWindow.js';

export { processInterrupts } from './commands/interrupt.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * Each command's module, imported when its action runs: a scan does not load the explainer, the
 * HTML report, the rule tests or the coverage report, nor `lkm-scan rules` the scan (start-up is
 * most of a small scan's time, and most of start-up is loading modules; README "Start-up").
 */
const commands = {
  scan: () => import('./commands/scan.js'),
  baseline: () => import('./commands/baseline.js'),
  // The listing's JSON writer (the ndjson package) alone costs ~20 ms to load.
  rulesList: () => import('./commands/rulesList.js'),
  rulesExport: () => import('./commands/rulesExport.js'),
  coverage: () => import('./commands/coverage.js'),
  validate: () => import('./commands/validate.js'),
  ruleTest: () => import('./commands/ruleTest.js'),
  hunt: () => import('./commands/hunt.js'),
  explain: () => import('./commands/explain.js'),
};

const collect = (value: string, previous: string[]) => [...previous, value];

function timeBound(value: string): number {
  try {
    return parseTimeBound(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

function parseSeverity(value: string): Severity {
  const level = SEVERITIES.find((s) => s === value.toLowerCase());
  if (level === undefined) throw new InvalidArgumentError(`Use one of ${SEVERITIES.join(', ')}`);
  return level;
}

function parseFailOn(value: string): FailOn {
  const level = FAIL_ON_LEVELS.find((s) => s === value.toLowerCase());
  if (level === undefined) throw new InvalidArgumentError(`Use one of ${FAIL_ON_LEVELS.join(', ')}`);
  return level;
}

function parseMaxResults(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

function parsePercent(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n > 100) throw new InvalidArgumentError('expected a percentage from 0 to 100');
  return n;
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
  $ lkm-scan --format sarif logs/*.ndjson.gz > alerts.sarif   for GitHub code scanning (README "SARIF output")
  $ lkm-scan --report report.html logs/         alerts as text, and an HTML report to open in a browser
  $ lkm-scan --rules my-rules/ --no-bundled events.ndjson
  $ lkm-scan --rules detection-rules/rules logs/   later runs start fast: parsed rules are cached
                                                (~/.cache/lkm-scan; --cache-dir DIR, --no-cache)
  $ lkm-scan --rule 80084fa9 --min-severity low events.ndjson
  $ lkm-scan --fail-on high logs/               exit 1 only for high or critical alerts
  $ lkm-scan -q --stats run.json --format json logs/ > alerts.ndjson   counts as JSON (README "Run statistics (--stats)")
  $ lkm-scan --exclude-rule 947827c6 logs/      every rule but this one
  $ lkm-scan --since 2024-05-01 --until 2024-05-02T12:00:00Z logs/   only events in that time
  $ lkm-scan --state .lkm-state.json today.ndjson   new_terms alerts only on terms unseen in earlier runs
  $ lkm-scan baseline --state .lkm-state.json known-good/   learn terms without alerting
  $ lkm-scan rules                              list rules; lkm-scan rules show <id> for one
  $ lkm-scan --explain --rule 947827c6 logs/    under each alert, the clauses that decided it
  $ lkm-scan explain --rule 947827c6 events.ndjson   why a rule did or did not take each event
  $ lkm-scan hunt --kql 'process.name:insmod' logs/  the events one ad-hoc query matches (NDJSON)
  $ lkm-scan validate my-rules/                 check rule files without scanning
  $ lkm-scan coverage logs/                     which rules can fire on this data, and why not
  $ lkm-scan test my-rules/                     run the rule tests kept in my-rules/tests/ (README "Rule tests")
  $ lkm-scan --mapping template.json logs/      KQL and EQL match your own fields by their mapped types
                                                (a text field by its words); ECS and the Elastic
                                                integrations' fields are known without it

Exit status:
  0  no alert (at or above --fail-on)    1  at least one alert (at or above --fail-on)
  2  the result is incomplete: usage error, unreadable input, bad rule, output that could not
     be written, an internal error (one line on stderr; LKM_SCAN_DEBUG=1 adds the stack), or
     no event evaluated at all (see --allow-empty)
  130/143  stopped by SIGINT (Ctrl-C) / SIGTERM: output and summary cover what was read
`;

/** `--format` values: the scan's output formats, `navigator`, which only `rules` writes (a scan has --navigator FILE), and `junit`, which only `test` writes. */
const FORMATS = [...OUTPUT_FORMATS, 'navigator', 'junit'] as const;
type Format = (typeof FORMATS)[number];

function scanFormat(format: Format): OutputFormat | undefined {
  return OUTPUT_FORMATS.find((f) => f === format);
}

interface GlobalOpts {
  format: Format;
  navigator?: string;
  quiet?: boolean;
  summary: SummaryRules;
  strict?: boolean;
  color?: boolean;
  rules: string[];
  bundled: boolean;
  rule: string[];
  excludeRule: string[];
  tag: string[];
  minSeverity?: Severity;
  prefilter: boolean;
  workers?: number;
  since?: number;
  until?: number;
  allowEmpty?: boolean;
  failOn: FailOn;
  state?: string;
  sarifAllRules?: boolean;
  maxResults?: number;
  mapping: string[];
  maxSignals: boolean;
  exceptions: string[];
  valueList: string[];
  stats?: string;
  explain?: boolean;
  report?: string;
  cache: boolean;
  cacheDir?: string;
}

function ruleSelection(o: GlobalOpts, env: NodeJS.ProcessEnv) {
  return { rulePaths: o.rules, bundled: o.bundled, only: o.rule, exclude: o.excludeRule, tags: o.tag, minSeverity: o.minSeverity, cacheDir: ruleCacheDir(o, env) };
}

/** Which rules run, and how output looks: program options that the subcommands read too. */
function addRuleOptions(cmd: Command): Command {
  return cmd
    .option('--rules <path>', 'add rule files or folders of *.toml (repeatable)', collect, [])
    .option('--no-bundled', 'leave out the bundled rules')
    .option('--rule <id-or-name>', 'run only this rule: id, id prefix or name (repeatable)', collect, [])
    .option('--exclude-rule <id-or-name>', 'leave out this rule: id, id prefix or name (repeatable)', collect, [])
    .option('--tag <tag>', 'run only rules with this tag, e.g. "OS: Linux" (repeatable)', collect, [])
    .addOption(new Option('--min-severity <level>', 'run only rules at or above this severity').argParser(parseSeverity))
    .option(
      '--mapping <file>',
      'field types of your indices, as Elasticsearch gives them (GET <index>/_mapping, an index template): KQL matches a text field by its words, a keyword exactly; EQL compares date and ip fields as dates and addresses (repeatable; later files override earlier; see README "Field types")',
      collect,
      [],
    )
    .option(
      '--cache-dir <dir>',
      'keep loaded and parsed rules in DIR, so the next run with the same rule files starts fast (default: $LKM_SCAN_CACHE_DIR, else $XDG_CACHE_HOME/lkm-scan, else ~/.cache/lkm-scan; see README "Rule cache")',
    )
    .option('--no-cache', 'neither read nor write the rule cache: load and parse every rule file afresh')
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
    .addOption(
      new Option('-f, --format <format>', 'output format: text, json (NDJSON), sarif (SARIF 2.1.0), elastic (NDJSON alert documents of the Elastic Security alerts index) or html (one self-contained report page); `rules` also takes navigator (an ATT&CK Navigator layer), `test` junit (JUnit XML)')
        .choices([...FORMATS])
        .default('text'),
    )
    .option('-q, --quiet', 'do not print the summary (nor the progress line) on stderr')
    .option('--navigator <file>', 'after the scan, write an ATT&CK Navigator layer (JSON) of the techniques of the rules that fired to FILE; score: rules that fired (see README "ATT&CK Navigator layers")')
    .option('--stats <file>', 'after the scan, write its counts (inputs, alerts and max_signals left-outs per rule, exceptions) to FILE as one JSON document, whatever the exit status; - for stderr (see README "Run statistics (--stats)")')
    .option('--report <file>', 'also write the HTML report (totals, alerts over time per host, ATT&CK matrix, top lists, a filterable alert table) to FILE, beside the output format; one self-contained file (see README "HTML report")')
    .addOption(
      new Option('--summary <rules>', 'rules the summary lists: alerted (and a count of the rest) or all').choices([...SUMMARY_RULES]).default('alerted'),
    )
    .option('--strict', 'stop with exit 2 at the first malformed line')
    .option('--allow-empty', 'exit 0, not 2, when the inputs hold no event (empty, or none within --since/--until)')
    .option('--since <time>', 'only events whose @timestamp is at or after TIME (ISO 8601, epoch ms, or back from now: 24h, 7d)', timeBound)
    .option('--until <time>', 'only events whose @timestamp is at or before TIME (same forms as --since)', timeBound)
    .addOption(
      new Option('--fail-on <level>', 'exit 1 only for alerts of rules at or above this severity: low, medium, high, critical or never')
        .argParser(parseFailOn)
        .default('low'),
    )
    .option('--state <file>', 'remember new_terms history in FILE across runs: read before the scan, saved after (see README "Remembered history")')
    .option('--no-prefilter', 'parse every line (slower; also reports malformed lines the prefilter would skip unparsed)')
    .option('--explain', 'text and json output: under each alert, the clauses of its rule with the values the event has, and what decided a new_terms, threshold or sequence rule (see README "Why did it fire")')
    .option('--no-max-signals', "keep every alert: do not cap a rule's alerts per execution at its max_signals (see README \"max_signals and alert suppression\")")
    .addOption(
      new Option('--workers <n>', 'worker threads reading large plain files in parallel (default 1; see README "Performance")').argParser(parseWorkers),
    );
  program
    .option('--sarif-all-rules', 'SARIF: list every rule that ran in tool.driver.rules, not only those that fired')
    .addOption(
      new Option('--max-results <n>', 'SARIF: write at most N results, and say how many were left out (GitHub code scanning takes 25,000 per run)')
        .argParser(parseMaxResults)
        .default(25_000),
    );
  program
    .option(
      '--exceptions <[rules=]file>',
      'Kibana exception list export (NDJSON) or its TOML form: matching events are left out of the rules that reference the list (exceptions_list), or of RULES (rule_ids separated by commas, * for all) (repeatable; see README "Exceptions")',
      collect,
      [],
    )
    .option('--value-list <id=file>', 'the values of value list ID (one a line) for "is in list" exception entries (repeatable)', collect, []);
  addRuleOptions(program);
  program.addHelpText('after', SCAN_EXAMPLES);
  program.action(async (inputs: string[], o: GlobalOpts) => {
    // `lkm-scan valdate rules/` must not scan "valdate" as a missing file and exit like a scan.
    const typo = inputs[0] === undefined ? undefined : closestCommand(inputs[0], program.commands.map((c) => c.name()));
    if (typo !== undefined) {
      program.error(`error: unknown command '${inputs[0]}' (no such file either). Did you mean '${typo}'?`, { code: 'lkm-scan.unknownCommand', exitCode: EXIT_ERROR });
    }
    if (o.format === 'junit') return program.error('error: --format junit is for `lkm-scan test`; a scan writes text, json, sarif, elastic or html', { code: 'lkm-scan.formatForTests', exitCode: EXIT_ERROR });
    const format = scanFormat(o.format);
    if (format === undefined) {
      return program.error(`error: --format ${o.format} is for \`lkm-scan rules\`; a scan writes its layer with --navigator FILE`, { code: 'lkm-scan.formatForRules', exitCode: EXIT_ERROR });
    }
    if (o.explain && format !== 'text' && format !== 'json') {
      program.error(`error: --explain is for --format text or json, not ${format}`, { code: 'lkm-scan.explainFormat', exitCode: EXIT_ERROR });
    }
    const { scanCommand } = await commands.scan();
    exitCode = await scanCommand(
      {
        inputs,
        explain: !!o.explain,
        format,
        navigatorPath: o.navigator,
        quiet: !!o.quiet,
        summary: o.summary,
        strict: !!o.strict,
        color: o.color,
        version: pkg.version,
        prefilter: o.prefilter,
        workers: o.workers,
        allowEmpty: !!o.allowEmpty,
        window: { since: o.since, until: o.until },
        failOn: o.failOn,
        statePath: o.state,
        sarifAllRules: !!o.sarifAllRules,
        maxResults: o.maxResults,
        mappingPaths: o.mapping,
        maxSignals: o.maxSignals,
        exceptionPaths: o.exceptions,
        valueListPaths: o.valueList,
        statsPath: o.stats,
        reportPath: o.report,
        ...ruleSelection(o, io.env),
      },
      io,
    );
  });

  // Rule selection, --format and --color belong to the program, so they work before or after the
  // subcommand name (`lkm-scan --rules x rules` and `lkm-scan rules --rules x`).
  program.configureHelp({ showGlobalOptions: true });
  const globals = () => program.opts<GlobalOpts>();
  const rules = program.command('rules').description('list the rules lkm-scan would run (bundled plus --rules); --format json for NDJSON, navigator for an ATT&CK Navigator layer');
  rules.addHelpText(
    'after',
    `
Examples:
  $ lkm-scan rules                               id, name, type, severity, risk, MITRE ids, flags
  $ lkm-scan rules --format navigator > layer.json   ATT&CK Navigator layer: techniques scored by rules
  $ lkm-scan rules --rules detection-rules/rules/linux --tag "Tactic: Persistence"
  $ lkm-scan rules show 947827c6-9ed6-4dec-903e-c856c86e72f3
  $ lkm-scan rules show "kernel modules via proc"
`,
  );
  rules.action(async () => {
    const o = globals();
    const { rulesListCommand } = await commands.rulesList();
    exitCode = await rulesListCommand({ ...ruleSelection(o, io.env), format: o.format === 'json' || o.format === 'navigator' ? o.format : 'text', color: o.color }, io);
  });
  const show = rules
    .command('show')
    .description('print one rule in full: description, query, MITRE mapping, false positives, setup')
    .argument('<id-or-name>', 'rule id, id prefix (4+ characters) or name (case-insensitive, or part of it)');
  show.addHelpText('after', '\nExamples:\n  $ lkm-scan rules show 80084fa9\n  $ lkm-scan rules show "Creation of Kernel Module"\n');
  show.action(async (key: string) => {
    const o = globals();
    const { rulesShowCommand } = await commands.rulesList();
    exitCode = await rulesShowCommand(key, { ...ruleSelection(o, io.env), format: 'text', color: o.color }, io);
  });

  const exportRules = rules
    .command('export')
    .description("write the selected rules (and --exceptions lists) as the NDJSON of Kibana's rule import")
    .requiredOption('--kibana <file>', 'the NDJSON file to write (- for stdout), for POST /api/detection_engine/rules/_import or Rules > Import rules')
    .addHelpText(
      'after',
      `
Writes one rule object a line (the rule file's [rule] table as detection-rules exports it, with
version, enabled, required_fields), then the --exceptions lists and items, then Kibana's export
summary line. Disabled rules are exported with "enabled": false. See README "From laptop to cluster".

Examples:
  $ lkm-scan rules export --kibana rules.ndjson
  $ lkm-scan --rules my-rules/ --no-bundled --exceptions allow.ndjson rules export --kibana rules.ndjson
  $ curl -X POST "$KIBANA/api/detection_engine/rules/_import" -H 'kbn-xsrf: true' \\
      -H "Authorization: ApiKey $KEY" -F file=@rules.ndjson

Exit status:
  0  written    2  a rule or exception file that does not load, or a file that cannot be written
`,
    )
    .action(async (cmdOpts: { kibana: string }) => {
      const o = globals();
      const { rulesExportCommand } = await commands.rulesExport();
      exitCode = rulesExportCommand({ ...ruleSelection(o, io.env), kibanaPath: cmdOpts.kibana, exceptionPaths: o.exceptions, mappingPaths: o.mapping }, io);
    });

  const coverage = program
    .command('coverage')
    .description('which selected rules can fire on this data, and why not: required fields and values, index patterns, fields no rule reads')
    .argument('[inputs...]', 'files or folders of events, as for a scan; - or none reads stdin')
    .addOption(new Option('--fail-under <percent>', 'exit 1 when fewer than PERCENT of the rules that read events can fire').argParser(parsePercent))
    .addHelpText(
      'after',
      `
For each selected rule: the exact field values it requires (the rule index's requirements, the
same the scan uses to pick rules for an event) and how many events have them, whether its index
patterns take the events in, and which fields it reads are missing. Rules are grouped by their
"Data Source:" tags; the data by agent.type / event.module / dataset. --format json for the
document README "Data coverage" describes.

Examples:
  $ lkm-scan coverage logs/
  $ lkm-scan coverage --rules detection-rules/rules/linux --no-bundled --format json audit.ndjson.gz
  $ lkm-scan coverage --fail-under 80 sample.ndjson    a CI check that the data feeds the rules

Exit status:
  0  report written    1  under --fail-under    2  a rule or input that cannot be read, or no event
`,
    )
    .action(async (inputs: string[], cmdOpts: { failUnder?: number }) => {
      const o = globals();
      if (o.format !== 'text' && o.format !== 'json') return coverage.error(`error: coverage writes text or json, not --format ${o.format}`, { code: 'lkm-scan.coverageFormat', exitCode: EXIT_ERROR });
      const { coverageCommand } = await commands.coverage();
      exitCode = await coverageCommand({ ...ruleSelection(o, io.env), inputs, format: o.format, color: o.color, mappingPaths: o.mapping, failUnder: cmdOpts.failUnder }, io);
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

Rules are compiled with the field types of ECS and the Elastic integrations, plus --mapping FILE:
a clause Elasticsearch would refuse for its field's type fails (KQL: a wildcard on an ip field;
EQL: ':' on a number, or on a text field with no keyword multi-field).

Examples:
  $ lkm-scan validate my-rules/
  $ lkm-scan validate detection-rules/rules detection-rules/rules_building_block
  $ lkm-scan validate --mapping logs-template.json my-rules/

Exit status:
  0  every rule is valid    1  at least one rule failed    2  usage error or a path that cannot be read
`,
    )
    .action(async (paths: string[]) => {
      const { validateCommand } = await commands.validate();
      exitCode = validateCommand(paths, io, globals().mapping, ruleCacheDir(globals(), io.env));
    });

  const baseline = program
    .command('baseline')
    .description('learn the new_terms rules\' terms from known-good logs into --state FILE, without alerting')
    .argument('[inputs...]', 'files or folders of NDJSON events; - or none reads stdin')
    .addHelpText(
      'after',
      `
Reads the inputs like a scan, with the same options (--rules, --rule, --tag, --since, ...), runs
only the new_terms rules, and saves every term they see to the --state file (created if missing,
merged into if present). A later "lkm-scan --state FILE" then alerts only on terms the baseline
and earlier scans did not show within each rule's history window. Prints what was learnt.

Examples:
  $ lkm-scan baseline --state .lkm-state.json logs/last-week/
  $ zcat known-good.ndjson.gz | lkm-scan baseline --state .lkm-state.json
  $ lkm-scan --state .lkm-state.json today.ndjson      then scan as usual

Exit status:
  0  learnt (no alert is ever reported)    2  usage error, unreadable input or state, bad rule,
     or no event to learn from (see --allow-empty)
`,
    )
    .action(async (inputs: string[]) => {
      const o = globals();
      const statePath = o.state;
      if (o.stats !== undefined) return baseline.error('error: --stats is for scans; baseline prints what it learnt', { code: 'lkm-scan.statsInBaseline', exitCode: EXIT_ERROR });
      if (o.report !== undefined) return baseline.error('error: --report is for scans; baseline prints what it learnt', { code: 'lkm-scan.reportInBaseline', exitCode: EXIT_ERROR });
      if (statePath === undefined) return baseline.error('error: baseline needs --state FILE: the file to learn into', { code: 'lkm-scan.missingState', exitCode: EXIT_ERROR });
      if (o.format === 'junit') return baseline.error('error: --format junit is for `lkm-scan test`', { code: 'lkm-scan.formatForTests', exitCode: EXIT_ERROR });
      const { baselineCommand } = await commands.baseline();
      exitCode = await baselineCommand(
        { inputs, format: scanFormat(o.format) ?? 'text', quiet: !!o.quiet, strict: !!o.strict, color: o.color, version: pkg.version, prefilter: o.prefilter, workers: o.workers, allowEmpty: !!o.allowEmpty, window: { since: o.since, until: o.until }, failOn: o.failOn, statePath, mappingPaths: o.mapping, exceptionPaths: o.exceptions, valueListPaths: o.valueList, ...ruleSelection(o, io.env) },
        io,
      );
    });

  const test = program
    .command('test')
    .description("run rule tests: each case's events through a rule, its alerts against those the test expects")
    .argument('[paths...]', 'rules folders (their tests/ folders are searched), test folders or test files (default: the bundled rules\' tests)')
    .addHelpText(
      'after',
      `
A rule's tests live beside it: tests/<rule file name without .toml>/*.toml, each naming the rule
(rule = "<rule_id>" or a path) and [[case]] tables with events (NDJSON files or inline
[[case.event]]) and what must come of them: alerts = N, or the exact alerts as [[case.alert]]
(which event line, new_terms values, threshold group). See README "Rule tests".

Examples:
  $ lkm-scan test                               the bundled rules' tests
  $ lkm-scan test my-rules/                     every tests/ folder below my-rules/
  $ lkm-scan test my-rules/tests/my_rule/fires.toml
  $ lkm-scan test --format junit my-rules/ > rule-tests.xml   for CI test reports

Exit status:
  0  every case passed    1  a case failed
  2  a test file, a case or its rule could not be used, or a path holds no test (wins over 1)
`,
    )
    .action(async (paths: string[]) => {
      const o = globals();
      // Scan outputs: a test run has no alerts file or counts to write, and must not seem to.
      if (o.stats !== undefined || o.report !== undefined || o.navigator !== undefined) {
        return test.error('error: --stats, --report and --navigator are for scans; lkm-scan test reports with --format', { code: 'lkm-scan.scanOutputInTest', exitCode: EXIT_ERROR });
      }
      const format = RULE_TEST_FORMATS.find((f): f is RuleTestFormat => f === o.format);
      if (format === undefined) return test.error(`error: lkm-scan test writes ${RULE_TEST_FORMATS.join(', ')}, not ${o.format}`, { code: 'lkm-scan.testFormat', exitCode: EXIT_ERROR });
      const { ruleTestCommand } = await commands.ruleTest();
      exitCode = await ruleTestCommand({ paths, format, color: o.color, mappingPaths: o.mapping, version: pkg.version }, io);
    });

  const hunt = program
    .command('hunt')
    .description('print the events one ad-hoc EQL or KQL query matches, with the scan\'s engine and semantics')
    .argument('[inputs...]', 'files or folders of events, as for a scan; - or none reads stdin')
    .option('--eql <query>', 'an EQL query: an event query, a sequence or a sample')
    .option('--kql <query>', 'a KQL query')
    .option('--count', 'print only the number of matches (events; sequences or samples for an EQL join)')
    .addHelpText(
      'after',
      `
Reads the inputs like a scan, with the same --mapping, --since/--until, --no-prefilter and --strict.
Prints each matching event as the line it was read from (NDJSON); with --format text, one short
line each (file:line, time, host, user, action, process, command line, file) and a count on stderr.
The events of an EQL sequence or sample are printed in order, each on its own line as
{"sequence": N, "event": I, "location": {...}, "document": {...}} (N counts the matches from 1).

Examples:
  $ lkm-scan hunt --kql 'process.name:insmod and host.name:web1' logs/
  $ lkm-scan hunt --eql 'process where process.args : "*nc*-e*"' --format text logs/
  $ lkm-scan hunt --count --eql 'sequence by host.id [process where true] [network where true]' logs/
  $ zcat audit.ndjson.gz | lkm-scan hunt --kql 'user.name:root' | jq .process.name

Exit status (as grep's):
  0  at least one match    1  no match
  2  usage error, a query that does not compile (shown with a caret), an input that could not be
     read to its end, or output that could not be written: the result is incomplete, whatever matched
  130/143  stopped by SIGINT (Ctrl-C) / SIGTERM: what was read is decided and written
`,
    )
    .action(async (inputs: string[], h: { eql?: string; kql?: string; count?: boolean }) => {
      const o = globals();
      if ((h.eql === undefined) === (h.kql === undefined)) {
        return hunt.error('error: hunt needs one query: --eql QUERY or --kql QUERY', { code: 'lkm-scan.huntQuery', exitCode: EXIT_ERROR });
      }
      // NDJSON unless --format text is asked for: the default `text` is the scan's.
      const format = program.getOptionValueSource('format') === 'default' ? 'json' : o.format;
      if (format !== 'json' && format !== 'text') return hunt.error(`error: hunt prints events as json (NDJSON, the default) or text, not ${format}`, { code: 'lkm-scan.huntFormat', exitCode: EXIT_ERROR });
      const query = h.eql !== undefined ? { language: 'eql' as const, text: h.eql } : { language: 'kuery' as const, text: h.kql ?? '' };
      const { huntCommand } = await commands.hunt();
      exitCode = await huntCommand(
        { inputs, query, format, count: !!h.count, quiet: !!o.quiet, strict: !!o.strict, prefilter: o.prefilter, color: o.color, window: { since: o.since, until: o.until }, mappingPaths: o.mapping },
        io,
      );
    });

  const explain = program
    .command('explain')
    .description('for each event and each selected rule: matched or not, and if not the first clause that failed with the value found')
    .argument('[inputs...]', 'files or folders of events, as for a scan; - or none reads stdin')
    .addOption(new Option('--limit <n>', 'explain at most N events (each against every selected rule)').argParser(parseMaxResults).default(DEFAULT_EXPLAIN_LIMIT))
    .option('--tree', 'text: also every clause of the query with the value the event has (--format json always has it)')
    .addHelpText(
      'after',
      `
Uses the rules, field types (--mapping), exceptions (--exceptions, --value-list) and time window
(--since/--until) a scan with the same options would. Says, in order of the scan's own steps, what
stopped a rule: the time window, the rule's index patterns, the first clause of its query or
filters that failed (a missing field, a value that differs only in case on a case-sensitive
clause, the wrong category, a value excluded by "not"), or an exception. Whether a match became an
alert (a new_terms, threshold or sequence rule decides across events) comes from a scan of the same
events run beside it.

Examples:
  $ lkm-scan explain --rule 947827c6 events.ndjson
  $ lkm-scan explain --rule "Kernel Module" --tree --limit 5 events.ndjson
  $ lkm-scan explain --rules my-rules/ --no-bundled --format json events.ndjson | jq .reason

Exit status:
  0  explained    2  usage error, a rule or input that could not be read
`,
    )
    .action(async (inputs: string[], e: { limit: number; tree?: boolean }) => {
      const o = globals();
      if (o.format !== 'text' && o.format !== 'json') return explain.error(`error: explain prints text or json, not ${o.format}`, { code: 'lkm-scan.explainFormat', exitCode: EXIT_ERROR });
      const { explainCommand } = await commands.explain();
      exitCode = await explainCommand(
        {
          inputs,
          format: o.format,
          limit: e.limit,
          tree: !!e.tree,
          quiet: !!o.quiet,
          color: o.color,
          window: { since: o.since, until: o.until },
          mappingPaths: o.mapping,
          exceptionPaths: o.exceptions,
          valueListPaths: o.valueList,
          ...ruleSelection(o, io.env),
        },
        io,
      );
    });

  for (const cmd of [program, rules, show, exportRules, coverage, validate, baseline, test, hunt, explain]) {
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
