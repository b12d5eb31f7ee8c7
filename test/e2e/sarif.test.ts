// --format sarif against what GitHub code scanning accepts: the official SARIF 2.1.0 schema, and
// Microsoft's SARIF validator with GitHub's rules, on a scan with the whole elastic/detection-rules
// pack that fires hundreds of rules, with every kind of location and every incomplete-scan notice.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packEvents } from '../support/packEvents.js';
import { sarifSchemaErrors } from '../support/sarifSchema.js';
import { BIN, extractPackRules, ROOT, runCli, type RunResult } from './run.js';

/** The whole elastic/detection-rules pack, as TOML files (see test/fixtures/README.md). */
const CORPUS = join(ROOT, 'test/fixtures/detection-rules-queries.ndjson');
const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-sarif-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const DEMO_LINE_1 = readFileSync(join(ROOT, 'examples/demo.ndjson'), 'utf8').split('\n')[0]!;
/** Outside the working directory, with characters a URI must escape. */
const events = join(tmp, 'pack events #1.ndjson');
let pack: RunResult;
let log: any;
let limited: RunResult;
let sequence: RunResult;

/** A write to /tmp then its execution: sequence_tmp_exec.toml fires on the pair. */
const SEQUENCE_EVENTS = [
  { '@timestamp': '2024-05-01T10:00:00Z', event: { category: ['file'], type: ['creation'] }, host: { id: 'h1', os: { type: 'linux' } }, file: { path: '/tmp/x' } },
  { '@timestamp': '2024-05-01T10:00:05Z', event: { category: ['process'], type: ['start'], action: 'exec' }, host: { id: 'h1', os: { type: 'linux' } }, process: { name: 'x', executable: '/tmp/x' } },
];

beforeAll(async () => {
  extractPackRules(tmp);
  // Every third rule's event: some 250 rules fire. All of them made a 7.8 MB document that took
  // Microsoft's validator 9 s of CPU; a third keeps every kind of rule and the suite quick.
  writeFileSync(events, packEvents(CORPUS).filter((_, i) => i % 3 === 0).join('\n') + '\n');
  const [whole, few, seq] = await Promise.all([
    runCli(
      ['--no-bundled', '--rules', join(tmp, 'rules'), '--rules', join(tmp, 'rules_building_block'), '--format', 'sarif', '-q', events, 'examples/demo.ndjson', 'no-such-file.ndjson', '-'],
      { stdin: `${DEMO_LINE_1}\nnot json\n` },
    ),
    runCli(['--format', 'sarif', '--max-results', '2', '--sarif-all-rules', '-q', 'examples/demo.ndjson']),
    runCli(['--no-bundled', '--rules', 'test/fixtures/rules/sequence_tmp_exec.toml', '--format', 'sarif', '-q', '-'], {
      stdin: SEQUENCE_EVENTS.map((e) => JSON.stringify(e)).join('\n') + '\n',
    }),
  ]);
  pack = whole;
  log = JSON.parse(pack.stdout);
  limited = few;
  sequence = seq;
}, 120_000);

describe('SARIF with the whole detection-rules pack', () => {
  it('fires hundreds of rules and is valid against the official SARIF 2.1.0 schema', () => {
    expect(pack.code).toBe(2); // the missing input
    const run = log.runs[0];
    expect(run.tool.driver.rules.length).toBeGreaterThan(200);
    expect(run.results.length).toBeGreaterThanOrEqual(run.tool.driver.rules.length);
    expect(sarifSchemaErrors(log)).toEqual([]);
  });

  it('lists only the rules that fired, each with help, a helpUri when it has references, and a security-severity in its band', () => {
    const run = log.runs[0];
    const fired = new Set(run.results.map((r: any) => r.ruleId));
    expect(run.tool.driver.rules.map((r: any) => r.id).sort()).toEqual([...fired].sort());
    for (const [i, rule] of run.tool.driver.rules.entries()) {
      expect(run.results.find((r: any) => r.ruleIndex === i).ruleId).toBe(rule.id);
      expect(rule.help.text.length).toBeGreaterThan(0);
      expect(rule.help.markdown.length).toBeGreaterThan(0);
      const tags: string[] = rule.properties.tags;
      expect(new Set(tags).size).toBe(tags.length);
      expect(tags.length).toBeLessThanOrEqual(20);
      const score = Number(rule.properties['security-severity']);
      const band = score > 9 ? 'critical' : score >= 7 ? 'high' : score >= 4 ? 'medium' : 'low';
      expect(band).toBe(rule.properties.severity);
    }
    const withHelpUri = run.tool.driver.rules.filter((r: any) => r.helpUri !== undefined);
    expect(withHelpUri.length).toBeGreaterThan(50);
    for (const r of withHelpUri) expect(r.helpUri).toMatch(/^https?:\/\//);
    // Investigation notes (the rules' `note`) and false positives make it into the help.
    expect(run.tool.driver.rules.some((r: any) => r.help.markdown.includes('## False positives'))).toBe(true);
    expect(run.tool.driver.rules.some((r: any) => /Triage and analysis/i.test(r.help.markdown))).toBe(true);
  });

  it('puts ATT&CK ids first in the tags, once each, however many tactics list a technique', () => {
    const rule = log.runs[0].tool.driver.rules.find((r: any) => r.properties.tags.some((t: string) => /^T\d{4}/.test(t)));
    expect(rule).toBeDefined();
    const tags: string[] = rule.properties.tags;
    const firstOther = tags.findIndex((t) => !/^(T|TA)\d{4}(\.\d{3})?$/.test(t));
    expect(tags.slice(firstOther).some((t) => /^(T|TA)\d{4}/.test(t))).toBe(false);
  });

  it('locates results relative to the working directory, by file: URI elsewhere, and on stdin', () => {
    const run = log.runs[0];
    expect(run.originalUriBaseIds['%SRCROOT%'].uri).toBe(pathToFileURL(ROOT).href.replace(/\/?$/, '/'));
    const uris = new Set(run.results.map((r: any) => JSON.stringify(r.locations[0].physicalLocation.artifactLocation)));
    expect(uris).toEqual(
      new Set([
        JSON.stringify({ uri: 'examples/demo.ndjson', uriBaseId: '%SRCROOT%' }),
        JSON.stringify({ uri: pathToFileURL(events).href }),
        JSON.stringify({ uri: 'file:///dev/stdin' }),
      ]),
    );
    expect(pathToFileURL(events).href).toContain('pack%20events%20%231.ndjson');
  });

  it('says what happened in each result message, and gives GitHub a fingerprint of the event', () => {
    const first = log.runs[0].results.find((r: any) => r.locations[0].physicalLocation.artifactLocation.uri === 'examples/demo.ndjson' && r.locations[0].physicalLocation.region.startLine === 1);
    expect(first.message.text).toBe(
      'Deprecated - Creation of Kernel Module (low, risk 21): host web-01; user root; process insmod (pid 4242, /usr/sbin/insmod); file /lib/modules/6.1.0-18-amd64/kernel/drivers/rootkit.ko.',
    );
    const fromStdin = log.runs[0].results.find((r: any) => r.locations[0].physicalLocation.artifactLocation.uri === 'file:///dev/stdin' && r.ruleId === first.ruleId);
    // The same event in another input is the same alert to GitHub.
    expect(fromStdin.partialFingerprints).toEqual(first.partialFingerprints);
  });

  it('records an unreadable input and skipped malformed lines as an unsuccessful execution', () => {
    const [invocation] = log.runs[0].invocations;
    expect(invocation.executionSuccessful).toBe(false);
    expect(invocation.toolExecutionNotifications.map((n: any) => [n.level, n.message.text])).toEqual([
      ['error', 'Input no-such-file.ndjson could not be read in full: cannot read: no such file (ENOENT).'],
      ['warning', "1 malformed line was skipped (not a JSON object); lkm-scan's stderr names each with file:line."],
    ]);
  });
});

describe('SARIF limits and options', () => {
  it('writes at most --max-results results and says how many were left out; --sarif-all-rules lists every rule', () => {
    expect(limited.code).toBe(1);
    const run = JSON.parse(limited.stdout).runs[0];
    expect(run.results).toHaveLength(2);
    expect(run.invocations[0].executionSuccessful).toBe(true);
    expect(run.invocations[0].toolExecutionNotifications).toEqual([
      { level: 'warning', message: { text: '3 more results were left out: a run holds at most 2 (--max-results; GitHub code scanning accepts at most 25000).' } },
    ]);
    expect(run.tool.driver.rules.map((r: any) => r.id)).toEqual(['947827c6-9ed6-4dec-903e-c856c86e72f3', '80084fa9-8677-4453-8680-b891d3c0c778']);
    expect(sarifSchemaErrors(JSON.parse(limited.stdout))).toEqual([]);
  });

  it('points a sequence alert at its last event and every event of the sequence as related locations', () => {
    expect(sequence.code).toBe(1);
    const doc = JSON.parse(sequence.stdout);
    expect(sarifSchemaErrors(doc)).toEqual([]);
    const [result] = doc.runs[0].results;
    expect(result.locations[0].physicalLocation.region.startLine).toBe(2);
    expect(result.relatedLocations.map((l: any) => [l.id, l.physicalLocation.region.startLine, l.message.text])).toEqual([
      [1, 1, 'Event 1 of 2 of the sequence.'],
      [2, 2, 'Event 2 of 2 of the sequence.'],
    ]);
    expect(result.message.text).toMatch(/sequence of 2 events\.$/);
  });

  it('records a scan that evaluated no event as unsuccessful, with the reason', async () => {
    const r = await runCli(['--format', 'sarif', '-q', '-'], { stdin: 'plain text, not JSON\n' });
    expect(r.code).toBe(2);
    const [invocation] = JSON.parse(r.stdout).runs[0].invocations;
    expect(invocation.executionSuccessful).toBe(false);
    expect(invocation.toolExecutionNotifications.at(-1)).toEqual({
      level: 'error',
      message: {
        text: 'Nothing was scanned, so no result does not mean no alert: no event was evaluated: read 1 input (1 line, 21 bytes): no event in it, 1 malformed record; see the reports above.',
      },
    });
  });

  it('rejects a --max-results that is not a positive whole number', async () => {
    const r = await runCli(['--format', 'sarif', '--max-results', '0', 'examples/demo.ndjson']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--max-results/);
  });
});

describe('SARIF of an interrupted scan', () => {
  it('is streamed as alerts are decided, and ends as a complete document that says the scan was cut short', async () => {
    const child = spawn(process.execPath, [BIN, '--format', 'sarif', '-q', '-'], { cwd: ROOT });
    let stdout = '';
    const firstResult = new Promise<void>((resolve) =>
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (stdout.includes('"ruleId"')) resolve();
      }),
    );
    const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
    // The pipe stays open: only the signal ends this scan. The result arrives before the end.
    child.stdin.write(`${DEMO_LINE_1}\n`);
    await firstResult;
    child.kill('SIGTERM');
    expect(await exit).toBe(143);
    const doc = JSON.parse(stdout);
    expect(sarifSchemaErrors(doc)).toEqual([]);
    const [invocation] = doc.runs[0].invocations;
    expect(invocation.executionSuccessful).toBe(false);
    expect(invocation.toolExecutionNotifications).toEqual([
      { level: 'error', message: { text: 'The scan was interrupted before it read all its input; the results cover the events read until then.' } },
    ]);
    expect(doc.runs[0].results).toHaveLength(1);
  });
});

describe("Microsoft's SARIF validator with GitHub's rules", () => {
  /** The Sarif.Multitool binary of @microsoft/sarif-multitool, when this platform has one that runs. */
  function multitool(): string | undefined {
    let binary: string;
    try {
      binary = createRequire(import.meta.url)('@microsoft/sarif-multitool') as string;
    } catch {
      return undefined;
    }
    return spawnSync(binary, ['--version'], { encoding: 'utf8' }).status === 0 ? binary : undefined;
  }
  const binary = multitool();
  if (binary === undefined) {
    // Only on a platform the npm package ships no runnable binary for (it does for Linux x64).
    it.skip('Sarif.Multitool cannot run on this machine (@microsoft/sarif-multitool has no binary for it); the schema tests above still ran', () => {});
    return;
  }

  it('reports no error and no warning (rule kinds "Sarif;Gh")', () => {
    const files = [join(tmp, 'pack.sarif'), join(tmp, 'limited.sarif'), join(tmp, 'sequence.sarif')];
    writeFileSync(files[0]!, pack.stdout);
    writeFileSync(files[1]!, limited.stdout);
    writeFileSync(files[2]!, sequence.stdout);
    // SARIF2006 fetches every helpUri over HTTP; offline (CI) each lookup waits for a DNS timeout,
    // which took 90 s here. Whether a rule's reference page is online is not lkm-scan's to test.
    const config = join(tmp, 'offline.xml');
    writeFileSync(
      config,
      '<?xml version="1.0" encoding="utf-8"?>\n<Properties>\n  <Properties Key="SARIF2006.UrisShouldBeReachable.Options">\n' +
        '    <Property Key="RuleEnabled" Value="Disabled" Type="Driver.RuleEnabledState" />\n  </Properties>\n</Properties>\n',
    );
    const out = join(tmp, 'validation.sarif');
    const r = spawnSync(binary, ['validate', '--rule-kind', 'Sarif;Gh', '--config', config, '--output', out, ...files], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    const problems = report.runs[0].results
      .filter((x: any) => (x.level ?? 'warning') === 'error' || (x.level ?? 'warning') === 'warning')
      .map((x: any) => `${x.ruleId}: ${x.message.text ?? JSON.stringify(x.message)}`);
    expect(problems).toEqual([]);
    expect(r.stdout).toMatch(/Done\. 3 files scanned\./);
  }, 120_000);
});
