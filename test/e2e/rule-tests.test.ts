import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, runInProcess } from './run.js';

// `lkm-scan test` through the built binary: the bundled rules' own tests (what `npm test` runs
// of them), and the exit contract of a failing and a broken test run.

/** A rules folder with one rule (the bundled new_terms rule, by path) and its tests. */
function ruleFolder(tests: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lkm-e2e-ruletests-'));
  const testDir = join(dir, 'tests', 'proc');
  mkdirSync(testDir, { recursive: true });
  writeFileSync(
    join(testDir, 'e.ndjson'),
    JSON.stringify({ '@timestamp': '2024-05-01T10:00:00Z', host: { os: { type: 'linux' } }, event: { category: ['file'], action: 'opened-file' }, file: { path: '/proc/modules' }, process: { executable: '/usr/bin/kmod' } }) + '\n',
  );
  for (const [name, text] of Object.entries(tests)) writeFileSync(join(testDir, name), `rule = "${ROOT}rules/discovery_kernel_module_enumeration_via_proc.toml"\n${text}`);
  return dir;
}

describe('lkm-scan test', () => {
  it("passes the bundled rules' tests (exit 0)", async () => {
    const r = await runCli(['test', 'rules/']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('rules/tests/discovery_kernel_module_enumeration_via_proc/new_terms.toml  (Enumeration of Kernel Modules via Proc)');
    expect(r.stdout).toContain('rules/tests/persistence_creation_of_kernel_module/query_semantics.toml  (Deprecated - Creation of Kernel Module)');
    expect(r.stdout).not.toMatch(/^ {2}[✗!] /m);
    expect(r.stdout).toMatch(/\nRule tests: \d+ passed \(\d+ cases in 3 files\)\n$/);
    expect(r.code).toBe(0);
  });

  it('exits 1 on a failing case and prints its diff', async () => {
    const dir = ruleFolder({ 'fails.toml': '[[case]]\nname = "expects silence"\nevents = ["e.ndjson"]\nalerts = 0\n' });
    const r = await runInProcess(['test', dir]);
    expect(r.stdout).toContain('  ✗ expects silence  ');
    expect(r.stdout).toContain('      expected 0 alerts, got 1\n        alert on e.ndjson:1  new_terms process.executable="/usr/bin/kmod"\n');
    expect(r.stdout).toContain('Rule tests: 1 failed, 0 passed (1 case in 1 file)');
    expect(r.code).toBe(1);
  });

  it('exits 2 when a test file is broken, even beside a failing case; JUnit on stdout', async () => {
    const dir = ruleFolder({
      'fails.toml': '[[case]]\nname = "expects silence"\nevents = ["e.ndjson"]\nalerts = 0\n',
      'typo.toml': '[[case]]\nname = "typo"\nevents = ["e.ndjson"]\nalert_count = 1\n',
    });
    const r = await runCli(['test', '--format', 'junit', dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites>\n/);
    expect(r.stdout).toContain('<failure type="alerts" message="expected 0 alerts, got 1">');
    expect(r.stdout).toMatch(/<error type="broken-test" message="`case\[0\]\.alert_count` unknown key `alert_count`">error: `case\[0\]\.alert_count` unknown key `alert_count`\n --&gt; [^\n]*typo\.toml:5:1\n/);
  });

  it('exits 2 for a path without tests, and keeps junit to the test command and scan outputs to scans', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'lkm-e2e-notests-'));
    const r = await runInProcess(['test', empty]);
    expect(r.stdout).toContain(`error: ${empty}: no rule tests here: a rule's tests go in tests/<rule file name without .toml>/*.toml beside the rule`);
    expect(r.code).toBe(2);
    const scan = await runInProcess(['--format', 'junit', 'rules/tests/persistence_creation_of_kernel_module/endpoint-file-events.ndjson']);
    expect(scan.stderr).toContain('--format junit is for `lkm-scan test`');
    expect(scan.code).toBe(2);
    const report = await runInProcess(['test', '--report', 'x.html', 'rules/']);
    expect(report.stderr).toContain('--stats, --report and --navigator are for scans');
    expect(report.code).toBe(2);
  });
});
