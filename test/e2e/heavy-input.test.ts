import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './run.js';

// Issue 7, defects 5 and 6: heavy or hostile events and rules, through the built binary. That the
// work is linear is proven by counting it in the unit tests (src/event/numericText.test.ts,
// src/engine/threshold.test.ts); here the same inputs go through the whole tool.

const root = mkdtempSync(join(tmpdir(), 'lkm-heavy-'));
let ids = 0;

/** Writes a rule file into `dir` (created if needed) and returns its path. */
function ruleFile(dir: string, name: string, query: string, extra: { type?: string; language?: string; tail?: string } = {}): string {
  mkdirSync(join(root, dir), { recursive: true });
  const path = join(root, dir, `${name}.toml`);
  const id = `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`;
  writeFileSync(
    path,
    `[metadata]\ncreation_date = "2024/05/01"\n\n[rule]\nauthor = ["lkm-scan tests"]\ndescription = "${name}"\n` +
      `name = "${name}"\nrisk_score = 21\nrule_id = "${id}"\nseverity = "low"\nfrom = "now-5m"\n` +
      `type = "${extra.type ?? 'eql'}"\nlanguage = "${extra.language ?? 'eql'}"\nquery = '''\n${query}\n'''\n${extra.tail ?? ''}`,
  );
  return path;
}

/** What a crash would leave on stderr: a stack trace or the engine's own words for one. */
const CRASH = /RangeError|Maximum call stack|internal error|\n\s+at .+:\d+:\d+/;

const event = (fields: object) => JSON.stringify({ '@timestamp': '2024-05-01T10:00:00Z', ...fields });

describe.concurrent('heavy event values (defect 5a)', () => {
  it('compares a 64 KB digit string with a port list in one pass and still finds the real port', async () => {
    const rule = ruleFile('5a', 'port', 'network where destination.port in (22, 3389)');
    const input = [
      event({ event: { category: ['network'] }, destination: { port: '1'.repeat(65_536) + 'x' } }),
      event({ event: { category: ['network'] }, destination: { port: '1'.repeat(65_536) } }),
      event({ event: { category: ['network'] }, destination: { port: ' 3389 ' } }),
    ].join('\n');
    const r = await runCli(['--no-bundled', '--rules', rule, '--format', 'json', '-'], { stdin: input });
    expect(r.stderr).not.toMatch(CRASH);
    expect(r.code).toBe(1);
    expect(jsonLines(r.stdout).map((a) => a.location.line)).toEqual([3]);
  });

  it('reads a field through an index when the event holds 300,000 values there', async () => {
    const rule = ruleFile('5a', 'indexed', 'any where a[0].b == "needle"');
    const values = Array.from({ length: 300_000 }, (_, i) => `v${i}`);
    // `note` holds the word too, so the prefilter does not rule the first line out unparsed.
    const input = [JSON.stringify({ note: 'needle', a: [{ b: values }] }), JSON.stringify({ a: [{ b: [...values.slice(0, 10), 'needle'] }] })].join('\n');
    const r = await runCli(['--no-bundled', '--rules', rule, '--format', 'json', '-'], { stdin: input });
    expect(r.stderr).not.toMatch(CRASH);
    expect(jsonLines(r.stdout).map((a) => a.location.line)).toEqual([2]);
  });
});

describe.concurrent('threshold rules on heavy input (defect 5b)', () => {
  const ping = (i: number) =>
    JSON.stringify({
      '@timestamp': new Date(Date.UTC(2024, 4, 1, 10) + i * 100).toISOString(),
      event: { category: ['process'], type: ['start'], action: 'exec' },
      host: { id: 'h1', os: { type: 'linux' } },
      process: { name: 'ping', executable: '/usr/bin/ping', parent: { entity_id: 'p1' }, args: ['ping', `10.0.${i >> 8}.${i & 255}`] },
    });

  it('runs the real ping-sweep rule over 3,000 events of one host: one alert per 100 distinct args', async () => {
    const input = Array.from({ length: 3_000 }, (_, i) => ping(i)).join('\n');
    const r = await runCli(['--no-bundled', '--rules', 'test/fixtures/elastic-rules/discovery_ping_sweep_detected.toml', '--format', 'json', '-'], {
      stdin: input,
    });
    expect(r.stderr).not.toMatch(CRASH);
    expect(r.code).toBe(1);
    const alerts = jsonLines(r.stdout);
    // `ping` plus 99 addresses make 100 distinct args; the group then starts afresh.
    expect(alerts).toHaveLength(30);
    expect(alerts[0].threshold).toEqual({
      fields: { 'host.id': 'h1', 'process.parent.entity_id': 'p1', 'process.executable': '/usr/bin/ping' },
      count: 99,
      cardinality: { field: 'process.args', value: 100 },
    });
    expect(alerts.map((a) => a.location.line).slice(0, 3)).toEqual([99, 198, 297]);
  });

  it('holds at most 100,000 groups, and says how many it dropped', async () => {
    const rule = ruleFile('5b', 'per-source', 'event.category:network', {
      type: 'threshold',
      language: 'kuery',
      tail: '\n[rule.threshold]\nfield = ["source.ip"]\nvalue = 2\n',
    });
    const connect = (i: number) => `{"@timestamp":"2024-05-01T10:00:00Z","event":{"category":["network"]},"source":{"ip":"10.${i >> 16}.${(i >> 8) & 255}.${i & 255}"}}`;
    // 100,001 sources in the span: the first is dropped to make room, so its second event
    // starts a new count (and drops the next least recent source) instead of alerting.
    const input = Array.from({ length: 100_001 }, (_, i) => connect(i)).join('\n') + '\n' + connect(0) + '\n';
    const r = await runCli(['--no-bundled', '--rules', rule, '--format', 'json', '-'], { stdin: input });
    expect(r.stderr).not.toMatch(CRASH);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/0 {2}per-source {2}\(2 threshold groups dropped at the state cap\)/);
    expect(r.code).toBe(0);
  });
});

describe.concurrent('deep and huge queries (defect 6)', () => {
  const nested = (n: number) => {
    let q = 'process.name == "x"';
    for (let i = 0; i < n; i++) q = `process.pid == 4 and (${q})`;
    return `process where ${q}`;
  };
  const broken = [
    ruleFile('6-broken', 'eql-parens', `process where ${'('.repeat(100_000)}process.name == "x"${')'.repeat(100_000)}`),
    ruleFile('6-broken', 'eql-nots', `process where ${'not '.repeat(10_000)}process.name == "x"`),
    ruleFile('6-broken', 'eql-calls', `process where ${'length('.repeat(1_000)}process.name${')'.repeat(1_000)} > 0`),
    ruleFile('6-broken', 'eql-ands', nested(300)),
    ruleFile('6-broken', 'kql-nots', `${'not ('.repeat(5_000)}process.name:x${')'.repeat(5_000)}`, { type: 'query', language: 'kuery' }),
  ];
  const brokenDir = join(root, '6-broken');

  it('validate reports each too-deep rule at its file and line, exit 1, no stack trace', async () => {
    const r = await runCli(['validate', brokenDir]);
    expect(r.stdout + r.stderr).not.toMatch(CRASH);
    expect(r.code).toBe(1);
    for (const file of broken) expect(r.stdout).toContain(`${file}:15:`);
    expect(r.stdout).toMatch(/eql-nots\.toml:15:1039: "eql-nots": the query nests expressions more than 256 levels deep: flatten it/);
    // At the first parenthesis beyond the 500 that may be open at once: column 15 + 500.
    expect(r.stdout).toMatch(/eql-parens\.toml:15:515: "eql-parens": the query is nested too deeply to parse: flatten it/);
    expect(r.stdout).toMatch(/kql-nots\.toml:15:1: "kql-nots": The query is nested too deeply to parse\./);
    expect(r.stderr).toMatch(/0 ok, 5 failed/);
  });

  it('a scan with a too-deep rule stops before reading, exit 2, no stack trace', async () => {
    const r = await runCli(['--no-bundled', '--rules', broken[1]!, '-'], { stdin: event({ process: { name: 'x' } }) });
    expect(r.stderr).not.toMatch(CRASH);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the query nests expressions more than 256 levels deep');
  });

  it('scans with a 10,000-term or-chain, a 200,000-value in list and a 50,000-value KQL list', async () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`);
    const rules = [
      ruleFile('6-huge', 'eql-or', `process where ${values(10_000).map((v) => `process.name == "${v}"`).join(' or ')}`),
      ruleFile('6-huge', 'eql-in', `process where process.name in (${values(200_000).map((v) => `"${v}"`).join(', ')})`),
      ruleFile('6-huge', 'kql-in', `event.category:process and process.name:(${values(50_000).join(' or ')})`, { type: 'query', language: 'kuery' }),
    ];
    const input = [
      event({ event: { category: ['process'] }, process: { name: 'p9999' } }),
      event({ event: { category: ['process'] }, process: { name: 'p49999' } }),
      event({ event: { category: ['process'] }, process: { name: 'nope' } }),
    ].join('\n');
    const r = await runCli(['--no-bundled', '--rules', join(root, '6-huge'), '--format', 'json', '-'], { stdin: input });
    expect(r.stderr).not.toMatch(CRASH);
    expect(r.code).toBe(1);
    const fired = jsonLines(r.stdout).map((a) => `${a.rule.name}@${a.location.line}`);
    expect(fired.sort()).toEqual(['eql-in@1', 'eql-in@2', 'eql-or@1', 'kql-in@1', 'kql-in@2']);
    expect(rules).toHaveLength(3);
  });
});
