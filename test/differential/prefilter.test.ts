// The prefilter (src/prefilter) may only ever save work: the alerts of a scan with it must be the
// alerts of a scan that parses every line. Checked on generated events aimed at the bundled rules'
// fields, written with the JSON escapes, dotted keys, arrays and case variants that could fool a
// byte-level needle, and directly on the needles: a line whose event a rule matches is a candidate.
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareRules, scanCommand } from '../../src/commands/scan.js';
import type { CliIO } from '../../src/commands/io.js';
import { parseJson } from '../../src/event/json.js';
import type { EcsEvent } from '../../src/event/types.js';
import { candidateLineStarts, compilePrefilter } from '../../src/prefilter/compile.js';
import { packEvents } from '../support/packEvents.js';
import { randomEcs } from '../support/randomEcs.js';
import { jsonLines, runCli, runInProcess } from '../e2e/run.js';

const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-prefilter-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const FIXTURE_RULES = join(import.meta.dirname, '../fixtures/rules/query_shadow_read.toml');

function quietIO(): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const stdout = new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) });
  const stderr = new Writable({ write: (c, _e, cb) => ((err += String(c)), cb()) });
  return { stdout, stderr, stdin: new PassThrough(), env: {}, out: () => out, err: () => err };
}

async function scan(file: string, prefilter: boolean): Promise<{ code: number; alerts: string[]; stderr: string }> {
  const io = quietIO();
  const code = await scanCommand(
    {
      inputs: [file],
      format: 'json',
      quiet: true,
      failOn: 'low',
      strict: false,
      version: 'test',
      prefilter,
      workers: 1,
      window: {},
      rulePaths: [FIXTURE_RULES],
      bundled: true,
      only: [],
      tags: [],
    },
    io,
  );
  return { code, alerts: io.out().split('\n').filter((l) => l !== ''), stderr: io.err() };
}

describe('the prefilter against parsing every line', () => {
  it('finds exactly the alerts of --no-prefilter on 20,000 generated events', async () => {
    const gen = randomEcs(20240501);
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) lines.push(i % 97 === 0 ? gen.noise() : gen.line());
    const file = join(tmp, 'random.ndjson');
    writeFileSync(file, lines.join('\n') + '\n');

    const fast = await scan(file, true);
    const full = await scan(file, false);
    expect(fast.code).toBe(full.code);
    expect(fast.alerts).toEqual(full.alerts);
    // The generator must actually reach the rules, or the comparison proves nothing.
    const fired = new Set(full.alerts.map((a) => JSON.parse(a).rule.id));
    expect(fired.size).toBeGreaterThanOrEqual(3);
    expect(full.alerts.length).toBeGreaterThan(200);
  });

  it('makes a line a candidate whenever a rule matches its event, however its JSON is escaped', () => {
    const rules = prepareRules({ rulePaths: [FIXTURE_RULES], bundled: true, only: [], tags: [] }, quietIO())!;
    const perRule = rules.map((r) => ({ rule: r, prefilter: compilePrefilter([r.need])! }));
    const all = compilePrefilter(rules.map((r) => r.need))!;
    let matched = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.double({ min: 0, max: 1, noNaN: true }), (seed, escapeRate) => {
        const gen = randomEcs(seed, { escapeRate });
        const lines = Array.from({ length: 40 }, () => gen.line());
        const bytes = Buffer.from(lines.join('\n') + '\n');
        all.calibrate(bytes);
        const candidates = new Set(candidateLineStarts(bytes, 0, bytes.length, all));
        let offset = 0;
        for (const text of lines) {
          // As the scanner reads it (integers beyond 2^53 exact).
          const event = parseJson(text) as EcsEvent;
          const end = offset + Buffer.byteLength(text);
          for (const { rule, prefilter } of perRule) {
            if (!rule.matches(event)) continue;
            matched++;
            expect(prefilter.mayMatch(bytes, offset, end), `${rule.rule.name}: ${text}`).toBe(true);
            expect(all.mayMatch(bytes, offset, end), text).toBe(true);
            expect(candidates.has(offset), text).toBe(true);
          }
          offset = end + 1;
        }
      }),
      { numRuns: 300 },
    );
    expect(matched).toBeGreaterThan(100);
  });
});

// Needles of Elastic's Linux rules are on many lines of Linux events, so those get the one-pass
// prefilter (compile.ts): it must find every alert a full parse finds.
describe('the one-pass prefilter with the Linux rules of the vendored detection-rules pack', () => {
  const ROOT = join(import.meta.dirname, '../..');
  const PACK = join(ROOT, 'test/fixtures/detection-rules/detection-rules-toml.tar.gz');

  it('finds exactly the alerts of --no-prefilter on events aimed at the whole pack, escaped or not', async () => {
    const dir = mkdtempSync(join(tmp, 'linux-pack-'));
    execFileSync('tar', ['xzf', PACK, '-C', dir, './rules/linux']);
    // Every other rule of the pack: still hundreds of needles, in half the time to load.
    const rulesDir = join(dir, 'half');
    mkdirSync(rulesDir);
    const all = readdirSync(join(dir, 'rules/linux')).filter((f) => f.endsWith('.toml')).sort();
    for (const f of all.filter((_, i) => i % 2 === 0)) renameSync(join(dir, 'rules/linux', f), join(rulesDir, f));
    const witnesses = packEvents(join(ROOT, 'test/fixtures/detection-rules-queries.ndjson'));
    const gen = randomEcs(20261203, { escapeRate: 0.2 });
    const lines = [
      ...witnesses,
      // The same events with every `/` written `\/`, or a letter written as `\u` escape.
      ...witnesses.map((l) => l.replaceAll('/', '\\/')),
      ...witnesses.map((l) => l.replace(/"([a-z])/, (_, c: string) => `"\\u00${c.charCodeAt(0).toString(16)}`)),
      // An escape that spells no needle's character must not keep the line from its rules.
      ...witnesses.map((l) => l.replace('{', '{"note":"\\u003c\\u0026",')),
      ...Array.from({ length: 1000 }, () => gen.line()),
    ];
    const events = join(dir, 'events.ndjson');
    writeFileSync(events, lines.join('\n') + '\n');

    const rules = prepareRules({ rulePaths: [rulesDir], bundled: false, only: [], tags: [] }, quietIO())!;
    const prefilter = compilePrefilter(rules.map((r) => r.need))!;
    const bytes = Buffer.from(lines.join('\n') + '\n');
    // The scan tunes itself on the first buffer, which here is the whole input.
    prefilter.calibrate(bytes);
    expect(prefilter.exact).toBe(true);
    // The comparison proves something only if lines are ruled out and others are not.
    const passed = prefilter.candidates(bytes, 0, bytes.length).length;
    expect(passed).toBeGreaterThan(500);
    expect(passed).toBeLessThan(lines.length - 500);

    const args = ['--no-bundled', '--rules', rulesDir, '--format', 'json', '--quiet', events];
    const full = await runInProcess([...args, '--no-prefilter']);
    const stats = (file: string) => ['--stats', join(dir, file)];
    const fast = await runInProcess([...args, ...stats('one.json')]);
    expect(new Set(jsonLines(full.stdout).map((a) => a.rule.id)).size).toBeGreaterThanOrEqual(20);
    expect(fast.stdout).toBe(full.stdout);
    expect(fast.code).toBe(full.code);
    // Workers tune their prefilter on their own first range (parallel/worker.ts): the same alerts and counts.
    const workers = await runCli([...args, '--workers', '2', ...stats('workers.json')], { env: { LKM_SCAN_RANGE_BYTES: '100000', LKM_SCAN_DEBUG: '1' } });
    // Workers read every line (the main thread dispatched none itself).
    expect(workers.stderr).toMatch(/rule index: 0 events dispatched/);
    expect(workers.stdout).toBe(full.stdout);
    expect(workers.code).toBe(full.code);
    const counts = (file: string) => {
      const { inputs } = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { inputs: { skipped_by_prefilter: number } };
      return inputs;
    };
    expect(counts('workers.json')).toEqual(counts('one.json'));
    expect(counts('one.json').skipped_by_prefilter).toBeGreaterThan(500);
  }, 30_000);
});

// A KQL value that reads as a number, boolean or address matches event values JSON writes in
// other ways (`5e1` is the number 50, SPEC §B.3, §C): the prefilter must let those lines through.
describe('the prefilter on KQL values that are not plain strings (issue 9)', () => {
  const cases: { query: string; line: string }[] = [
    { query: 'f.num:50', line: '{"f":{"num":5e1}}' },
    { query: 'f.num:50', line: '{"f":{"num":50.0}}' },
    { query: 'f.num:"50"', line: '{"f":{"num":500e-1}}' },
    { query: 'f.num:5e1', line: '{"f":{"num":50}}' },
    { query: 'f.flag:true', line: '{"f":{"flag":true}}' },
    { query: 'f.flag:"false"', line: '{"f":{"flag":false}}' },
    { query: 'f.flag:true', line: '{"f":{"flag":"true"}}' },
    { query: 'f.ip:10.0.0.1', line: '{"f":{"ip":"::ffff:10.0.0.1"}}' },
    // A pattern applies to a number's text as JavaScript writes it (`1000`, `0.5`, `1e+21`, `Infinity`).
    { query: 'f.pat:1000*', line: '{"f":{"pat":1e3}}' },
    { query: 'f.pat:*0.5', line: '{"f":{"pat":5e-1}}' },
    { query: 'f.pat:*e+21', line: '{"f":{"pat":1000000000000000000000}}' },
    // 999999999999999999999.99999 is the double 1e21, whose text starts with 1.
    { query: 'f.pat:1*', line: '{"f":{"pat":999999999999999999999.99999}}' },
    { query: 'f.pat:Inf*', line: '{"f":{"pat":1e400}}' },
    { query: 'f.pat:tr*ue', line: '{"f":{"pat":true}}' },
  ];

  it.each(cases)('$query finds $line with and without the prefilter', async ({ query, line }) => {
    const dir = mkdtempSync(join(tmp, 'kql-values-'));
    writeFileSync(join(dir, 'rule.toml'), ruleToml(query));
    const events = join(dir, 'events.ndjson');
    // Another line the rule does not match, so the prefilter has something to rule out.
    writeFileSync(events, `{"f":{"other":"x"}}\n${line}\n`);
    const args = ['--no-bundled', '--rules', dir, '--format', 'json', '--quiet', events];
    const full = await runInProcess([...args, '--no-prefilter']);
    const fast = await runInProcess(args);
    expect(jsonLines(full.stdout), full.stderr).toHaveLength(1);
    expect(fast.stdout).toBe(full.stdout);
    expect(fast.code).toBe(full.code);
  });
});

function ruleToml(query: string): string {
  return `[metadata]
creation_date = "2024/05/01"
maturity = "production"
updated_date = "2024/05/01"

[rule]
author = ["lkm-scan tests"]
description = "A test rule."
from = "now-9m"
language = "kuery"
license = "Apache-2.0"
name = "Test - value"
risk_score = 21
rule_id = "33333333-3333-4444-8555-666666666666"
severity = "low"
type = "query"
query = '''
${query}
'''
`;
}

// Analysed and normalised fields match text the line does not hold byte for byte (issue 9): ECS
// `message` is match_only_text (lowercased words), `.text` multi-fields analyse their parent,
// `.caseless` lowercases, a long reads "200" and 2e2, an ECS keyword indexes the number 4624 as
// "4624". The prefilter must let every such line through.
describe('the prefilter on typed fields (issue 9)', () => {
  const cases: { query: string; line: string }[] = [
    { query: 'message:segfault', line: '{"message":"a.out[42]: SEGFAULT at 0 ip 0 sp 0 error 4"}' },
    { query: 'message:segfault', line: '{"message":"x: Segfault at 0"}' },
    { query: 'message:"general protection"', line: '{"message":"traps: a[1] General  Protection fault"}' },
    { query: 'message:"general protection"', line: '{"message":["x","traps: GENERAL-PROTECTION ip:0"]}' },
    { query: 'message:(segfault and sshd)', line: '{"message":"SSHD[1]: SegFault"}' },
    { query: 'process.command_line.text:bash', line: '{"process":{"command_line":"/bin/BASH -c id"}}' },
    { query: 'process.command_line.text:"bash -c"', line: '{"process":{"command_line":"/bin/Bash  -C id"}}' },
    { query: 'process.name.caseless:sshd', line: '{"process":{"name":"SSHD"}}' },
    { query: 'powershell.file.script_block_text:"sekurlsa::logonpasswords"', line: '{"powershell":{"file":{"script_block_text":"SEKURLSA LogonPasswords"}}}' },
    { query: 'process.pid:200', line: '{"process":{"pid":2e2}}' },
    { query: 'process.pid:200', line: '{"process":{"pid":"200"}}' },
    { query: 'event.code:4624', line: '{"event":{"code":4624}}' },
    { query: 'source.ip:"::1"', line: '{"source":{"ip":"0:0:0:0:0:0:0:1"}}' },
    { query: '@timestamp:"2024-05-01"', line: '{"@timestamp":1714557600000}' },
    { query: 'message:segf*', line: '{"message":"x SEGFAULT y"}' },
  ];

  it.each(cases)('$query finds $line with and without the prefilter', async ({ query, line }) => {
    const dir = mkdtempSync(join(tmp, 'kql-types-'));
    writeFileSync(join(dir, 'rule.toml'), ruleToml(query));
    const events = join(dir, 'events.ndjson');
    writeFileSync(events, `{"f":{"other":"x"}}\n${line}\n`);
    const args = ['--no-bundled', '--rules', dir, '--format', 'json', '--quiet', events];
    const full = await runInProcess([...args, '--no-prefilter']);
    const fast = await runInProcess(args);
    expect(jsonLines(full.stdout), full.stderr).toHaveLength(1);
    expect(fast.stdout).toBe(full.stdout);
    expect(fast.code).toBe(full.code);
  });
});
