import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, jsonLines, runCli } from './run.js';

const R1 = '947827c6-9ed6-4dec-903e-c856c86e72f3';
const R2 = '80084fa9-8677-4453-8680-b891d3c0c778';
const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const demo = readFileSync(join(ROOT, 'examples/demo.ndjson'), 'utf8');
const demoLines = demo.trimEnd().split('\n');

function alertsOf(stdout: string): Array<[string, number]> {
  return jsonLines(stdout).map((a) => [a.rule.id, a.location.line]);
}

describe.concurrent('scanning the demo file', () => {
  it('fires both bundled rules on the events built for them and on nothing else (exit 1)', async () => {
    const r = await runCli(['--format', 'json', 'examples/demo.ndjson']);
    expect(r.code).toBe(1);
    expect(alertsOf(r.stdout).sort()).toEqual(
      [
        [R1, 1],
        [R1, 12],
        [R2, 5],
        [R2, 10],
        [R2, 11],
      ].sort(),
    );
  });

  it('prints alerts in the documented JSON shape', async () => {
    const r = await runCli(['--format', 'json', '--rule', R2, 'examples/demo.ndjson']);
    const first = jsonLines(r.stdout)[0];
    expect(Object.keys(first)).toEqual(['timestamp', 'rule', 'new_terms', 'location', 'document']);
    expect(Object.keys(first.rule)).toEqual([
      'id', 'name', 'type', 'language', 'severity', 'risk_score', 'building_block', 'deprecated', 'tags', 'threat',
    ]);
    expect(first).toMatchObject({
      timestamp: '2024-05-01T11:00:00.000Z',
      rule: { id: R2, type: 'new_terms', language: 'kuery', severity: 'low', risk_score: 21, building_block: true, deprecated: false },
      new_terms: { 'process.executable': '/usr/bin/kmod' },
      location: { file: 'examples/demo.ndjson', line: 5 },
      document: JSON.parse(demoLines[4]!),
    });
    expect(first.rule.threat[0].tactic.id).toBe('TA0007');
  });

  it('prints a readable block per alert and a summary on stderr', async () => {
    const r = await runCli(['examples/demo.ndjson']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Deprecated - Creation of Kernel Module');
    expect(r.stdout).toContain('T1547.006 Kernel Modules and Extensions');
    expect(r.stdout).toContain('examples/demo.ndjson:1');
    expect(r.stdout).toContain('new term process.executable = /tmp/.x/enum');
    expect(r.stdout).not.toMatch(/\u001b\[/);
    expect(r.stderr).toMatch(/1 input, 13 lines \(13 events/);
    expect(r.stderr).toMatch(/5 alerts/);
  });

  it('gives the same alerts with the prefilter off (--no-prefilter)', async () => {
    const fast = await runCli(['--format', 'json', 'examples/demo.ndjson']);
    const full = await runCli(['--format', 'json', '--no-prefilter', 'examples/demo.ndjson']);
    expect(fast.stdout).toBe(full.stdout);
    expect(fast.stderr).toMatch(/13 events of which \d+ ruled out unparsed/);
    expect(full.stderr).toMatch(/\(13 events\)/);
  });

  it('hides the summary with --quiet', async () => {
    const r = await runCli(['--quiet', '--format', 'json', 'examples/demo.ndjson']);
    expect(r.stderr).toBe('');
  });

  it('colours severity with FORCE_COLOR and not with --no-color', async () => {
    const coloured = await runCli(['--rule', R1, 'examples/demo.ndjson'], { env: { FORCE_COLOR: '1' } });
    expect(coloured.stdout).toMatch(/\u001b\[/);
    const plain = await runCli(['--no-color', '--rule', R1, 'examples/demo.ndjson'], { env: { FORCE_COLOR: '1' } });
    expect(plain.stdout).not.toMatch(/\u001b\[/);
  });

  it('gives the same alerts from stdin', async () => {
    const r = await runCli(['--format', 'json', '-'], { stdin: demo });
    expect(r.code).toBe(1);
    expect(alertsOf(r.stdout)).toHaveLength(5);
    expect(jsonLines(r.stdout)[0].location.file).toBe('<stdin>');
  });

  it('reads gzip input detected from its bytes', async () => {
    const f = join(tmp, 'demo.ndjson');
    writeFileSync(f, gzipSync(demo));
    const r = await runCli(['--format', 'json', '--quiet', f]);
    expect(alertsOf(r.stdout)).toHaveLength(5);
  });

  it('scans the log files inside a directory', async () => {
    const dir = join(tmp, 'logs');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'a.ndjson'), demoLines[0] + '\n');
    writeFileSync(join(dir, 'sub', 'b.jsonl.gz'), gzipSync(demoLines[11] + '\n'));
    writeFileSync(join(dir, 'notes.txt'), 'not a log');
    const r = await runCli(['--format', 'json', dir]);
    expect(r.code).toBe(1);
    expect(alertsOf(r.stdout).map(([id]) => id)).toEqual([R1, R1]);
    expect(r.stderr).toMatch(/2 inputs/);
  });

  it('does not depend on the order of lines for new_terms (SPEC §D)', async () => {
    const shuffled = [...demoLines].reverse();
    const f = join(tmp, 'reversed.ndjson');
    writeFileSync(f, shuffled.join('\n') + '\n');
    const r = await runCli(['--format', 'json', '--rule', R2, f]);
    const fromReversed = jsonLines(r.stdout).map((a) => [a.timestamp, a.new_terms['process.executable']]);
    const original = await runCli(['--format', 'json', '--rule', R2, 'examples/demo.ndjson']);
    expect(fromReversed).toEqual(jsonLines(original.stdout).map((a) => [a.timestamp, a.new_terms['process.executable']]));
  });
});

describe.concurrent('exit status', () => {
  it('is 0 when nothing fires', async () => {
    const r = await runCli(['--quiet', join(ROOT, 'test/fixtures/realdata/endpoint-package-sample-events.ndjson')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
  });

  it('is 2 for an unknown option, with a hint', async () => {
    const r = await runCli(['--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
    expect(r.stderr).toMatch(/--help/);
  });

  it('is 2 for a missing file, and the other inputs are still scanned', async () => {
    const r = await runCli(['--format', 'json', 'no-such-file.ndjson', 'examples/demo.ndjson']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no-such-file\.ndjson: .*no such file/i);
    expect(alertsOf(r.stdout)).toHaveLength(5);
  });

  it('is 2 for a directory without logs', async () => {
    const dir = join(tmp, 'empty');
    mkdirSync(dir, { recursive: true });
    const r = await runCli([dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no \.ndjson/);
  });

  it('is 2 for a broken rule, with the file, position and a caret under the query', async () => {
    const rule = readFileSync(join(ROOT, 'rules/persistence_creation_of_kernel_module.toml'), 'utf8')
      .replace('947827c6-9ed6-4dec-903e-c856c86e72f3', '00000000-0000-0000-0000-000000000000')
      .replace('file.extension == "ko"', 'file.extension = "ko"');
    const f = join(tmp, 'broken.toml');
    writeFileSync(f, rule);
    const r = await runCli(['--rules', f, 'examples/demo.ndjson']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${f}:35:`);
    expect(r.stderr).toContain('35 | file.extension = "ko"');
    expect(r.stderr).toMatch(/\n\s+\|\s+\^/);
  });

  it('is 2 with --strict at the first malformed line', async () => {
    const r = await runCli(['--strict', '-'], { stdin: '{"a":1}\n{oops\n' + demoLines[0] + '\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/<stdin>:2: invalid JSON/);
  });
});

describe.concurrent('bad input is reported and counted, never fatal', () => {
  it('accounts for every line: events + malformed + blank = lines', async () => {
    const input = ['\uFEFF' + demoLines[0], '', '{not json', '[1,2]', '  ', '"text"', demoLines[11] + '\r', 'null'].join('\n');
    const r = await runCli(['--format', 'json', '-'], { stdin: input });
    expect(r.code).toBe(1);
    expect(alertsOf(r.stdout)).toEqual([
      [R1, 1],
      [R1, 7],
    ]);
    expect(r.stderr).toMatch(/<stdin>:3: invalid JSON/);
    expect(r.stderr).toMatch(/<stdin>:4: expected a JSON object, found an array/);
    expect(r.stderr).toMatch(/8 lines \(2 events, 4 malformed, 2 blank\)/);
  });

  it('shows the first 10 malformed lines, then a count', async () => {
    const input = Array.from({ length: 25 }, () => '{bad').join('\n') + '\n';
    const r = await runCli(['-'], { stdin: input });
    expect(r.stderr.match(/<stdin>:\d+: invalid JSON/g)).toHaveLength(10);
    expect(r.stderr).toMatch(/15 more malformed or warned lines not shown/);
    expect(r.stderr).toMatch(/25 malformed/);
    // Not one event among them: the scan says so and fails (issue 7, defect 2).
    expect(r.stderr).toMatch(/error: no event was evaluated: read 1 input \(25 lines, 125 bytes\): no event in it, 25 malformed records/);
    expect(r.code).toBe(2);
  });

  it('stops quietly when stdout is closed (| head -1)', async () => {
    const big = join(tmp, 'big.ndjson');
    writeFileSync(big, (demoLines[0] + '\n').repeat(20_000));
    const r = await new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
      const child = spawn('/bin/sh', ['-c', `"${process.execPath}" "${BIN}" --format json "${big}" | head -1`], { cwd: ROOT });
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.stdout.on('data', (d) => (stdout += d));
      child.on('close', (code) => resolve({ code, stderr, stdout }));
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(jsonLines(r.stdout)).toHaveLength(1);
  });

  it('prints help into a pipe that is already closed without a crash', async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn('/bin/sh', ['-c', `"${process.execPath}" "${BIN}" --help | true`], { cwd: ROOT });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('alerts on stdin before the stream ends (live)', async () => {
    const child = spawn(process.execPath, [BIN, '--format', 'json'], { cwd: ROOT });
    const firstAlert = new Promise<string>((resolve) => child.stdout.once('data', (d) => resolve(String(d))));
    child.stdin.write(demoLines[0] + '\n');
    const alert = await firstAlert;
    expect(JSON.parse(alert.split('\n')[0]!).rule.id).toBe(R1);
    child.stdin.end();
    await new Promise((resolve) => child.on('close', resolve));
  });
});

describe.concurrent('rules command', () => {
  it('lists the bundled rules with type, severity, MITRE ids and flags', async () => {
    const r = await runCli(['rules']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(R1);
    expect(r.stdout).toMatch(/eql \(eql\)\s+LOW\s+risk 21\s+mitre TA0003,T1547,T1547\.006\s+\[building-block, deprecated\]/);
    expect(r.stdout).toMatch(/new_terms \(kuery\)\s+LOW\s+risk 21\s+mitre TA0007,T1082,T1518\s+\[building-block\]/);
  });

  it('shows one rule in full by id prefix or name', async () => {
    const r = await runCli(['rules', 'show', 'kernel modules via proc']);
    expect(r.code).toBe(0);
    for (const text of ['Enumeration of Kernel Modules via Proc', R2, 'process.executable (history now-5d)', 'T1082 System Information Discovery',
      'TA0007 Discovery', 'Security tools and device drivers', '-w /proc/ -p r -k audit_proc', 'file.path:"/proc/modules"']) {
      expect(r.stdout).toContain(text);
    }
  });

  it('says which rules match an ambiguous name', async () => {
    const r = await runCli(['rules', 'show', 'kernel']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/matches 2 rules/);
  });
});

describe.concurrent('help and version', () => {
  it('--help teaches with examples and the exit codes', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:/);
    expect(r.stdout).toMatch(/Exit status:/);
    const sub = await runCli(['rules', '--help']);
    expect(sub.stdout).toMatch(/lkm-scan rules show/);
  });

  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });
});
