// Integers beyond 2^53 through the built CLI (issue 9; README "Integers beyond 2^53"): JSON.parse
// reads 9007199254740993 as 9007199254740992, so before, every rule below saw one pid where the
// events hold two. Elasticsearch's `long` keeps them apart, and so must EQL and KQL comparisons,
// new_terms terms, threshold groups and sequence join keys, on one thread or with workers, with
// the prefilter or without, and the JSON output must print the digits it read.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type RunResult } from './run.js';

const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-exact-long-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ID = {
  eql: 'e8a7c3d0-0000-4000-8000-000000000001',
  kql: 'e8a7c3d0-0000-4000-8000-000000000002',
  newTerms: 'e8a7c3d0-0000-4000-8000-000000000003',
  sequence: 'e8a7c3d0-0000-4000-8000-000000000004',
  threshold: 'e8a7c3d0-0000-4000-8000-000000000005',
};

/** A rule file: the [rule] table's lines after the common ones. */
function rule(id: string, name: string, type: string, language: string, query: string, extra = ''): string {
  return [
    '[metadata]',
    'maturity = "production"',
    '[rule]',
    `name = "${name}"`,
    `rule_id = "${id}"`,
    `type = "${type}"`,
    `language = "${language}"`,
    'severity = "low"',
    'risk_score = 21',
    'description = "Integers beyond 2^53 (lkm-scan test)."',
    'from = "now-9m"',
    'interval = "5m"',
    `query = '''\n${query}\n'''`,
    extra,
  ].join('\n');
}

const RULES = [
  rule(ID.eql, 'EQL pid', 'eql', 'eql', 'process where process.pid == 9007199254740993'),
  rule(ID.kql, 'KQL pid', 'query', 'kuery', 'process.pid:9007199254740993'),
  rule(
    ID.newTerms,
    'New pid',
    'new_terms',
    'kuery',
    'event.category:process',
    '[rule.new_terms]\nfield = "new_terms_fields"\nvalue = ["process.pid"]\n[[rule.new_terms.history_window_start]]\nfield = "history_window_start"\nvalue = "now-5d"',
  ),
  rule(ID.sequence, 'Process then network, by pid', 'eql', 'eql', 'sequence by process.pid with maxspan=1h [process where true] [network where true]'),
  rule(ID.threshold, 'Two starts of one pid', 'threshold', 'kuery', 'event.category:process', '[rule.threshold]\nfield = ["process.pid"]\nvalue = 2'),
];

const PID_992 = '9007199254740992';
const PID_993 = '9007199254740993';
const at = (s: number) => new Date(Date.UTC(2024, 4, 1, 10, 0, 0) + s * 1000).toISOString();
const processStart = (s: number, pid: string) => `{"@timestamp":"${at(s)}","event":{"category":["process"],"type":["start"]},"process":{"pid":${pid},"name":"x"}}`;
const network = (s: number, pid: string) => `{"@timestamp":"${at(s)}","event":{"category":["network"]},"process":{"pid":${pid}}}`;
const filler = (i: number) => `{"@timestamp":"${at(0.5)}","event":{"category":["file"]},"file":{"path":"/var/log/f${i}","size":${1000 + i}}}`;

/** The four events that matter, then fillers (none matches any rule), or the events spread among fillers. */
const EVENTS = [processStart(0, PID_992), processStart(1, PID_993), network(2, PID_993), processStart(3, PID_992)];

/** Where files are cut, small so the events fall into different ranges (LKM_SCAN_RANGE_BYTES). */
const RANGE_BYTES = 64 << 10;

let small: string;
let big: string;
let bigLines: number[];
beforeAll(() => {
  const rules = RULES.map((text, i) => {
    const path = join(tmp, `rule${i}.toml`);
    writeFileSync(path, text);
    return path;
  });
  ruleArgs = ['--no-bundled', ...rules.flatMap((r) => ['--rules', r]), '--format', 'json'];
  small = join(tmp, 'events.ndjson');
  writeFileSync(small, EVENTS.join('\n') + '\n');
  // Over four ranges, with each event in another one, so --workers 2 splits the file.
  const lines: string[] = [];
  bigLines = [];
  for (const [k, event] of EVENTS.entries()) {
    while (lines.join('\n').length < k * 1.3 * RANGE_BYTES) lines.push(filler(lines.length));
    lines.push(event);
    bigLines.push(lines.length);
  }
  while (lines.join('\n').length < 5 * RANGE_BYTES) lines.push(filler(lines.length));
  big = join(tmp, 'big.ndjson');
  writeFileSync(big, lines.join('\n') + '\n');
});
let ruleArgs: string[] = [];

/** Each alert's rule, its line(s) and the JSON text it was printed as (JSON.parse would round the pids). */
function alertsOf(result: RunResult): Array<{ rule: string; lines: number[]; text: string }> {
  expect(result.stderr).not.toMatch(/internal error|malformed/);
  return result.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((text) => {
      const alert = JSON.parse(text) as { rule: { id: string }; location: { line: number }; events?: Array<{ location: { line: number } }> };
      return { rule: alert.rule.id, lines: alert.events ? alert.events.map((e) => e.location.line) : [alert.location.line], text };
    });
}

/** What every run must report, with `lines` mapping the 1-based position of each of the four events. */
function expectExact(result: RunResult, lines: number[]): void {
  expect(result.code).toBe(1);
  const alerts = alertsOf(result);
  const byRule = (id: string) => alerts.filter((a) => a.rule === id);
  const [l992, l993, lNet, l992b] = lines;
  // Only the event holding 9007199254740993 matches, not its neighbour that JSON.parse makes equal.
  expect(byRule(ID.eql).map((a) => a.lines)).toEqual([[l993]]);
  expect(byRule(ID.kql).map((a) => a.lines)).toEqual([[l993], [lNet]]);
  // Two pids, two new terms; the second start of 9007199254740992 is no new term.
  expect(byRule(ID.newTerms).map((a) => a.lines)).toEqual([[l992], [l993]]);
  expect(byRule(ID.newTerms)[1]!.text).toContain(`"new_terms":{"process.pid":${PID_993}}`);
  // The network event of 9007199254740993 joins its own process, not 9007199254740992's.
  expect(byRule(ID.sequence).map((a) => a.lines)).toEqual([[l993, lNet]]);
  // The sequence's documents are written from the events read (its two events, then the last
  // one as the alert's document): the digits survive.
  expect(byRule(ID.sequence)[0]!.text.match(new RegExp(`"pid":${PID_993}[,}]`, 'g'))).toHaveLength(3);
  // Two starts of 9007199254740992 make its group; 9007199254740993 started once.
  expect(byRule(ID.threshold).map((a) => a.lines)).toEqual([[l992b]]);
  expect(byRule(ID.threshold)[0]!.text).toContain(`"fields":{"process.pid":${PID_992}}`);
  // The matching line is printed as it was read.
  expect(byRule(ID.eql)[0]!.text).toContain(`"document":${EVENTS[1]}`);
  expect(result.stdout).not.toMatch(/900719925474099[0-9]e|9007199254740994/);
}

describe('integers beyond 2^53, end to end', () => {
  it('are compared, joined, grouped and printed exactly', async () => {
    expectExact(await runCli([...ruleArgs, small]), [1, 2, 3, 4]);
  });

  it('give the same alerts without the prefilter', async () => {
    const [withPrefilter, without] = await Promise.all([runCli([...ruleArgs, small]), runCli([...ruleArgs, '--no-prefilter', small])]);
    expectExact(without, [1, 2, 3, 4]);
    expect(without.stdout).toBe(withPrefilter.stdout);
  });

  it('are read exactly from stdin too', async () => {
    expectExact(await runCli([...ruleArgs, '-'], { stdin: EVENTS.join('\n') + '\n' }), [1, 2, 3, 4]);
  });

  it('are remembered exactly by --state: 9007199254740993 is new after a run that saw 9007199254740992', async () => {
    const state = join(tmp, 'state.json');
    const one = join(tmp, 'one.ndjson');
    writeFileSync(one, EVENTS[0] + '\n');
    const two = join(tmp, 'two.ndjson');
    writeFileSync(two, EVENTS[1] + '\n' + EVENTS[3] + '\n');
    const newTerms = (r: RunResult) => alertsOf(r).filter((a) => a.rule === ID.newTerms).map((a) => a.lines);
    expect(newTerms(await runCli([...ruleArgs, '--state', state, one]))).toEqual([[1]]);
    // Line 1 holds 9007199254740993, line 2 9007199254740992 again: only the first is new.
    expect(newTerms(await runCli([...ruleArgs, '--state', state, two]))).toEqual([[1]]);
    expect(newTerms(await runCli([...ruleArgs, '--state', state, two]))).toEqual([]);
  });

  it('give the same alerts with --workers 2 as on one thread, each event in another range', async () => {
    const env = { LKM_SCAN_RANGE_BYTES: String(RANGE_BYTES) };
    const [one, two] = await Promise.all([runCli([...ruleArgs, '--workers', '1', big], { env }), runCli([...ruleArgs, '--workers', '2', big], { env })]);
    expectExact(one, bigLines);
    expectExact(two, bigLines);
    expect(two.stdout).toBe(one.stdout);
  });
});
