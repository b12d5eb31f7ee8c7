import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, jsonLines, runCli, runInProcess, runShell } from './run.js';

const lkm = `"${process.execPath}" "${BIN}"`;

/** A module preloaded into the launcher's process to make something go wrong inside it. */
function preload(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lkm-fatal-'));
  const path = join(dir, 'preload.mjs');
  writeFileSync(path, source);
  return path;
}

/** Runs `code` from a timer once the launcher has installed its handlers (a busy machine loads slowly). */
function whenLauncherReady(code: string): string {
  return `const t = setInterval(() => { if (process.listenerCount('unhandledRejection') > 0) { clearInterval(t); ${code} } }, 10);`;
}

/** No Node stack trace: no "    at fn (file:line)" frames, no "Node.js v20" footer. */
const STACK = /^\s+at .+\(|^\s+at file:|Node\.js v\d+/m;

describe.concurrent('output that cannot be written is an error, not alerts', () => {
  it.each([
    ['json', '--format json'],
    ['text', ''],
    ['sarif', '--format sarif'],
  ])('%s output to a full disk exits 2 with one line', async (_name, flags) => {
    const r = await runShell(`${lkm} ${flags} examples/demo.ndjson > /dev/full`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^lkm-scan: error: cannot write the output: no space left on device \(ENOSPC\); the output is incomplete$/m);
    expect(r.stderr.match(/cannot write the output/g)).toHaveLength(1);
    expect(r.stderr).not.toMatch(STACK);
  });

  it('a rule listing or --help to a full disk exits 2 too', async () => {
    for (const args of ['rules', 'rules --format json', '--help', 'rules show 80084fa9']) {
      const r = await runShell(`${lkm} ${args} > /dev/full`);
      expect(r.code, args).toBe(2);
      expect(r.stderr, args).toMatch(/cannot write the output: no space left on device/);
      expect(r.stderr, args).not.toMatch(STACK);
    }
  });
});

describe.concurrent('one fatal-error boundary in the launcher', () => {
  it('an exception thrown inside the scan ends in one line and exit 2', async () => {
    // Breaks the event-time sort of the end of a file scan, as an internal bug would.
    const hook = preload(`const sort = Array.prototype.sort;
      Array.prototype.sort = function (compare) { if (compare && String(compare).includes('timeMs')) throw new TypeError('boom from a test'); return sort.call(this, compare); };`);
    const r = await runShell(`"${process.execPath}" --import "${hook}" "${BIN}" examples/demo.ndjson`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^lkm-scan: internal error: boom from a test$/m);
    expect(r.stderr).toMatch(/LKM_SCAN_DEBUG=1 shows the stack trace/);
    expect(r.stderr).not.toMatch(STACK);
  });

  // stdin stays open for a while, so the launcher is still scanning when the code runs.
  it('an unhandled promise rejection ends in one line and exit 2, even when alerts were found', async () => {
    const hook = preload(whenLauncherReady(`Promise.reject(new Error('rejected in a test'));`));
    const r = await runShell(`(cat examples/demo.ndjson; sleep 1) | "${process.execPath}" --import "${hook}" "${BIN}" --quiet > /dev/null`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^lkm-scan: internal error: rejected in a test$/m);
    expect(r.stderr).not.toMatch(STACK);
  });

  it('an uncaught exception wins over alerts found; LKM_SCAN_DEBUG adds the stack trace', async () => {
    const hook = preload(whenLauncherReady(`throw new RangeError('thrown in a test');`));
    const r = await runShell(`(cat examples/demo.ndjson; sleep 1) | "${process.execPath}" --import "${hook}" "${BIN}" --quiet > /dev/null`, { LKM_SCAN_DEBUG: '1' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/internal error: thrown in a test/);
    expect(r.stderr).toMatch(/RangeError: thrown in a test\n\s+at /);
  });
});

describe.concurrent('typos and option errors are usage errors', () => {
  it('a misspelt subcommand that is not a file is exit 2 with a suggestion, and nothing is scanned', async () => {
    for (const [typo, meant] of [
      ['valdate', 'validate'],
      ['vaildate', 'validate'],
      ['rule', 'rules'],
    ]) {
      // The first through the built binary, the others in-process (the same CLI, faster).
      const r = typo === 'valdate' ? await runCli([typo, 'rules/']) : await runInProcess([typo!, 'rules/']);
      expect(r.code, typo).toBe(2);
      expect(r.stderr, typo).toContain(`error: unknown command '${typo}' (no such file either). Did you mean '${meant}'?`);
      expect(r.stderr, typo).toMatch(/run with --help/);
      expect(r.stderr, typo).not.toMatch(/lkm-scan: \d+ inputs?/);
    }
  });

  it('a missing file far from any subcommand is still reported as a missing input', async () => {
    const r = await runCli(['no-such-events.ndjson']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no-such-events\.ndjson: cannot read: no such file \(ENOENT\)/);
  });

  it('validate of a path that does not exist is exit 2, not "a rule failed"', async () => {
    const r = await runCli(['validate', '/nonexistent/rules']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/\/nonexistent\/rules: no such rule file or directory/);
    expect(r.stderr).toMatch(/validated 0 rules .*: 0 ok, 0 failed; 1 path could not be read/);
  });

  it('option values are checked the same way for every option', async () => {
    for (const [flag, value] of [
      ['--min-severity', 'bogus'],
      ['--fail-on', 'sometimes'],
      ['--workers', 'many'],
      ['--since', 'yesterday-ish'],
      ['--format', 'xml'],
    ]) {
      const r = flag === '--min-severity' ? await runCli([flag, value!, 'examples/demo.ndjson']) : await runInProcess([flag!, value!, 'examples/demo.ndjson']);
      expect(r.code, flag).toBe(2);
      expect(r.stderr, flag).toMatch(new RegExp(`^error: option '[^']*${flag}[^']*' argument '${value}' is invalid`, 'm'));
      expect(r.stderr, flag).toMatch(/\(run with --help for usage and examples\)/);
      expect(r.stdout, flag).toBe('');
    }
  });
});

describe.concurrent('--fail-on and --exclude-rule', () => {
  const SHADOW = 'test/fixtures/rules/query_shadow_read.toml';
  const dir = mkdtempSync(join(tmpdir(), 'lkm-failon-'));
  const events = join(dir, 'events.ndjson');
  // One high alert (the shadow read) and the demo's low alerts.
  writeFileSync(
    events,
    JSON.stringify({ '@timestamp': '2024-05-01T10:00:00Z', event: { category: ['file'], action: 'opened-file' }, file: { path: '/etc/shadow' }, process: { name: 'cat' } }) + '\n',
  );

  it('exit 1 only for alerts at or above the level; the alerts are printed either way', async () => {
    const low = await runCli(['--fail-on', 'medium', '--format', 'json', 'examples/demo.ndjson']);
    expect(low.code).toBe(0);
    expect(jsonLines(low.stdout)).toHaveLength(5);
    expect((await runInProcess(['--quiet', 'examples/demo.ndjson'])).code).toBe(1);
    expect((await runInProcess(['--quiet', '--fail-on', 'LOW', 'examples/demo.ndjson'])).code).toBe(1);
    const high = await runInProcess(['--quiet', '--rules', SHADOW, '--fail-on', 'high', '--format', 'json', events, 'examples/demo.ndjson']);
    expect(high.code).toBe(1);
    expect(jsonLines(high.stdout).map((a) => a.rule.severity).sort()).toEqual(['high', 'low', 'low', 'low', 'low', 'low']);
    expect((await runInProcess(['--quiet', '--rules', SHADOW, '--fail-on', 'critical', events])).code).toBe(0);
    expect((await runInProcess(['--quiet', '--rules', SHADOW, '--fail-on', 'never', events])).code).toBe(0);
  });

  it('an error still wins over --fail-on never', async () => {
    const r = await runInProcess(['--quiet', '--fail-on', 'never', 'examples/demo.ndjson', 'missing.ndjson']);
    expect(r.code).toBe(2);
  });

  it('--exclude-rule leaves a rule out by id prefix or name; a key matching no rule is an error', async () => {
    const r = await runInProcess(['--format', 'json', '--exclude-rule', '947827c6', 'examples/demo.ndjson']);
    expect(r.code).toBe(1);
    expect(new Set(jsonLines(r.stdout).map((a) => a.rule.id))).toEqual(new Set(['80084fa9-8677-4453-8680-b891d3c0c778']));
    const byName = await runInProcess(['rules', '--exclude-rule', 'Enumeration of Kernel Modules via Proc']);
    expect(byName.stdout).not.toMatch(/80084fa9/);
    expect(byName.stdout).toMatch(/947827c6/);
    const typo = await runInProcess(['--exclude-rule', 'no-such-rule-xyz', 'examples/demo.ndjson']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/no rule matches --exclude-rule "no-such-rule-xyz"/);
  });
});
