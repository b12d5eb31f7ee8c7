// --state FILE and `lkm-scan baseline`: new_terms history across runs, through the built binary.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, jsonLines, runCli, runInProcess } from './run.js';

const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-state-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
/** A path of its own for each test's state file, not yet created. */
const statePath = () => join(tmp, `state-${n++}.json`);

const EXE_RULE = 'aaaaaaaa-0000-4000-8000-000000000001';
const PAIR_RULE = 'aaaaaaaa-0000-4000-8000-000000000002';

function newTermsRule(id: string, name: string, fields: string[], window: string): string {
  return `[metadata]
maturity = "production"
[rule]
rule_id = "${id}"
name = "${name}"
description = "Test rule"
type = "new_terms"
language = "kuery"
query = "event.category:process"
severity = "low"
risk_score = 21
[rule.new_terms]
field = "new_terms_fields"
value = ${JSON.stringify(fields)}
[[rule.new_terms.history_window_start]]
field = "history_window_start"
value = "${window}"
`;
}

// Two rules: executables over a 3-day window, and (host, pid) pairs over 10 days: a term of a
// string and a number, pids up to big integers beyond 2^53 (kept as JSON.parse reads them).
const rulesDir = join(tmp, 'rules');
mkdirSync(rulesDir);
writeFileSync(join(rulesDir, 'exe.toml'), newTermsRule(EXE_RULE, 'Test - New Executable', ['process.executable'], 'now-3d'));
writeFileSync(join(rulesDir, 'pair.toml'), newTermsRule(PAIR_RULE, 'Test - New Host and Pid', ['host.name', 'process.pid'], 'now-10d'));
const RULES = ['--rules', rulesDir, '--no-bundled'];

function event(day: number, exe: string, host = 'web-1', pid: number | string | boolean = 1): string {
  const pidText = typeof pid === 'string' ? pid : JSON.stringify(pid);
  return `{"@timestamp":"2024-05-${String(day).padStart(2, '0')}T10:00:00Z","event":{"category":"process"},"host":{"name":"${host}"},"process":{"executable":"${exe}","pid":${pidText}}}`;
}

function file(name: string, lines: string[]): string {
  const path = join(tmp, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/** The alerts of a JSON scan as `rule-name-initial: term values`, in output order. */
function terms(stdout: string): string[] {
  return jsonLines(stdout).map((a) => `${a.rule.id === EXE_RULE ? 'exe' : 'pair'}: ${JSON.stringify(Object.values(a.new_terms))}`);
}

// Days 1 to 3, then days 4 and 5: /bin/sh daily; /bin/rare on day 1 only; pids across days.
const week1 = file('days-1-3.ndjson', [
  event(1, '/bin/sh', 'web-1', 100),
  event(1, '/bin/rare', 'web-1', '12345678901234567890'),
  event(2, '/bin/sh', 'web-2', 100),
  event(3, '/bin/sh', 'web-1', 100),
  event(3, '/bin/tool', 'web-1', 'true'),
]);
const week2 = file('days-4-5.ndjson', [
  event(4, '/bin/sh', 'web-1', 100),
  event(5, '/bin/rare', 'web-1', '12345678901234567890'),
  event(5, '/bin/tool', 'web-1', 'true'),
  event(5, '/bin/new', 'web-3', 7),
]);

// Each item runs through the built binary at least once; the many other cases run the same CLI
// in-process (run.ts), which keeps the suite fast.
describe('--state: history across runs', () => {
  it('alerts in the second run only on terms not seen within each rule’s window in either run', async () => {
    const state = statePath();
    const first = await runCli([...RULES, '--state', state, '--format', 'json', week1]);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain(`state: ${state} does not exist yet; starting a new history (first run)`);
    expect(first.stderr).toContain(`state: saved 7 terms of 2 rules to ${state}`);
    // In event time across the two rules (README "max_signals and alert suppression").
    expect(terms(first.stdout)).toEqual([
      'exe: ["/bin/sh"]',
      'exe: ["/bin/rare"]',
      'pair: ["web-1",100]',
      'pair: ["web-1",12345678901234567000]',
      'pair: ["web-2",100]',
      'exe: ["/bin/tool"]',
      'pair: ["web-1",true]',
    ]);

    const second = await runCli([...RULES, '--state', state, '--format', 'json', week2]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`state: read 7 remembered terms from ${state}`);
    // /bin/rare was last seen on day 1, more than the exe rule's 3 days before day 5: new again.
    // Its (host, pid) pair is within the pair rule's 10 days: not new. /bin/tool was seen on day 3.
    expect(terms(second.stdout)).toEqual(['exe: ["/bin/rare"]', 'exe: ["/bin/new"]', 'pair: ["web-3",7]']);

    const saved = JSON.parse(readFileSync(state, 'utf8'));
    expect(saved).toMatchObject({ format: 'lkm-scan new_terms history', version: 1 });
    expect(saved.rules[EXE_RULE]).toMatchObject({ name: 'Test - New Executable', fields: ['process.executable'], history_window_ms: 3 * 86_400_000 });
    expect(Object.fromEntries(saved.rules[EXE_RULE].terms.map(([term, t]: [string[], number]) => [term[0], new Date(t).toISOString().slice(0, 10)]))).toEqual({
      '/bin/sh': '2024-05-04',
      '/bin/rare': '2024-05-05',
      '/bin/tool': '2024-05-05',
      '/bin/new': '2024-05-05',
    });
  });

  it('raises no alert when the same file is scanned twice, nor when older events come later', async () => {
    const state = statePath();
    const both = file('both-weeks.ndjson', [...readFileSync(week1, 'utf8').trim().split('\n'), ...readFileSync(week2, 'utf8').trim().split('\n')]);
    const first = await runInProcess([...RULES, '--state', state, '--format', 'json', both]);
    expect(first.code).toBe(1);
    const again = await runInProcess([...RULES, '--state', state, '--format', 'json', both]);
    expect(again.stdout).toBe('');
    expect(again.code).toBe(0);
    // Older days than the remembered sightings: every term there was seen since.
    const older = await runInProcess([...RULES, '--state', state, '--format', 'json', week1]);
    expect(older.stdout).toBe('');
    expect(older.code).toBe(0);
  });

  it('counts a remembered sighting as the latest for older events, even when they are far apart', async () => {
    const state = statePath();
    // /bin/gap on days 1 and 5 (more than the 3-day window apart), then on day 9.
    const gap = file('gap.ndjson', [event(1, '/bin/gap'), event(5, '/bin/gap')]);
    const first = await runInProcess([...RULES, '--rule', EXE_RULE, '--state', state, '--format', 'json', gap, file('day-9-gap.ndjson', [event(9, '/bin/gap')])]);
    expect(terms(first.stdout)).toEqual(['exe: ["/bin/gap"]', 'exe: ["/bin/gap"]', 'exe: ["/bin/gap"]']);
    // Days 1 and 5 again: /bin/gap was seen since (day 9), so neither is new, whatever their gap.
    const again = await runInProcess([...RULES, '--rule', EXE_RULE, '--state', state, '--format', 'json', gap]);
    expect(again.stdout).toBe('');
    expect(again.code).toBe(0);
  });

  it('decides the same through worker threads, and through the stdin stream', async () => {
    const viaWorkers = statePath();
    const a = await runCli([...RULES, '--state', viaWorkers, '--format', 'json', '--workers', '2', week1], { env: { LKM_SCAN_RANGE_BYTES: '256' } });
    const b = await runCli([...RULES, '--state', viaWorkers, '--format', 'json', '--workers', '2', week2], { env: { LKM_SCAN_RANGE_BYTES: '256' } });
    const viaStdin = statePath();
    const c = await runCli([...RULES, '--state', viaStdin, '--format', 'json'], { stdin: readFileSync(week1) });
    const d = await runCli([...RULES, '--state', viaStdin, '--format', 'json'], { stdin: readFileSync(week2) });
    expect(terms(a.stdout)).toHaveLength(7);
    expect(terms(b.stdout)).toEqual(['exe: ["/bin/rare"]', 'exe: ["/bin/new"]', 'pair: ["web-3",7]']);
    // Live, alerts come in arrival order rather than rule by rule: the same alerts.
    expect(terms(c.stdout).sort()).toEqual(terms(a.stdout).sort());
    expect(terms(d.stdout).sort()).toEqual(terms(b.stdout).sort());
    expect(readFileSync(viaStdin, 'utf8')).toBe(readFileSync(viaWorkers, 'utf8'));
  });

  it('keeps the history of rules left out with --rule', async () => {
    const state = statePath();
    await runInProcess([...RULES, '--state', state, week1]);
    const before = JSON.parse(readFileSync(state, 'utf8')).rules[PAIR_RULE];
    const onlyExe = await runInProcess([...RULES, '--rule', EXE_RULE, '--state', state, '--format', 'json', week2]);
    expect(terms(onlyExe.stdout)).toEqual(['exe: ["/bin/rare"]', 'exe: ["/bin/new"]']);
    expect(JSON.parse(readFileSync(state, 'utf8')).rules[PAIR_RULE]).toEqual(before);
  });

  it('forgets terms older than the rule’s window before its newest sighting, by event time', async () => {
    const state = statePath();
    await runInProcess([...RULES, '--state', state, week1, week2]);
    const kept = JSON.parse(readFileSync(state, 'utf8')).rules[EXE_RULE].terms.map(([term]: [string[]]) => term[0]);
    expect(kept).toEqual(['/bin/sh', '/bin/rare', '/bin/tool', '/bin/new']);
    const later = file('day-9.ndjson', [event(9, '/bin/sh')]);
    const r = await runInProcess([...RULES, '--state', state, later]);
    // Day 9 is more than 3 days after day 5: only /bin/sh, seen on day 9, stays for the exe rule.
    expect(r.stderr).toContain('(3 terms last seen longer than the rule\'s window ago forgotten)');
    expect(JSON.parse(readFileSync(state, 'utf8')).rules[EXE_RULE].terms).toEqual([[['/bin/sh'], Date.parse('2024-05-09T10:00:00Z')]]);
  });

  it('starts a rule over, with a note, when its fields changed', async () => {
    const state = statePath();
    await runInProcess([...RULES, '--state', state, week1]);
    const changed = join(tmp, 'changed');
    mkdirSync(changed);
    writeFileSync(join(changed, 'exe.toml'), newTermsRule(EXE_RULE, 'Test - New Executable', ['process.name'], 'now-3d'));
    const r = await runInProcess(['--rules', changed, '--no-bundled', '--state', state, '--format', 'json', file('named.ndjson', ['{"@timestamp":"2024-05-04T00:00:00Z","event":{"category":"process"},"process":{"name":"sh"}}'])]);
    expect(r.stderr).toContain('rule "Test - New Executable" now takes its terms from process.name (was process.executable); its history starts over');
    expect(r.code).toBe(1);
  });
});

describe('--state: a file that cannot be used', () => {
  const unusable: Array<[string, string]> = [
    ['corrupt', 'this is not JSON\n'],
    ['truncated', '{\n  "format": "lkm-scan new_terms history",\n  "version": 1,\n  "rules": {\n    "x": {\n      "name": "'],
    ['from a newer lkm-scan', JSON.stringify({ format: 'lkm-scan new_terms history', version: 2, rules: {} })],
  ];
  it.each(unusable)('stops before scanning when the state is %s, leaving the file as it was', async (_what, text) => {
    const state = statePath();
    writeFileSync(state, text);
    const r = await runInProcess([...RULES, '--state', state, '--format', 'json', week1]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^lkm-scan: error: state file ${state}: `));
    expect(r.stderr).toMatch(/Nothing was scanned\.\n$/);
    expect(r.stderr).not.toContain('events');
    expect(readFileSync(state, 'utf8')).toBe(text);
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('stops before scanning when the state cannot be saved where it was asked', async () => {
    const r = await runInProcess([...RULES, '--state', join(tmp, 'no-such-folder', 'state.json'), week1]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('its folder');
    expect(r.stderr).toContain('does not exist');
  });
});

describe('--state: a save that fails', () => {
  it('exits 2 and says the terms are not remembered when the state cannot be written at the end', async () => {
    const folder = join(tmp, 'vanishing');
    mkdirSync(folder);
    const child = spawn(process.execPath, [BIN, ...RULES, '--state', join(folder, 'state.json'), '--format', 'json'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.write(event(1, '/bin/sh') + '\n');
    // The folder was there when the scan started; it is gone when the history is saved.
    while (stdout === '') await new Promise((resolve) => setTimeout(resolve, 20));
    rmSync(folder, { recursive: true });
    child.stdin.end();
    expect(await exited).toBe(2);
    expect(terms(stdout)).toEqual(['exe: ["/bin/sh"]', 'pair: ["web-1",1]']);
    expect(stderr).toContain(`lkm-scan: error: state file ${join(folder, 'state.json')}: could not be saved (ENOENT); the file is as it was before this scan`);
  });
});

describe('--state: a scan that did not finish', () => {
  it('leaves the history as it was when --strict stopped the scan', async () => {
    const state = statePath();
    await runInProcess([...RULES, '--state', state, week1]);
    const before = readFileSync(state, 'utf8');
    const r = await runInProcess([...RULES, '--state', state, '--strict', file('broken.ndjson', [event(6, '/bin/unseen'), '{"broken":'])]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`lkm-scan: ${state} not updated: the scan did not finish`);
    expect(readFileSync(state, 'utf8')).toBe(before);
  });
});

describe('lkm-scan baseline', () => {
  it('learns without alerting, then a scan alerts only on what the baseline did not show', async () => {
    const state = statePath();
    const learn = await runInProcess(['baseline', ...RULES, '--state', state, week1]);
    expect(learn.code).toBe(0);
    expect(learn.stdout).toContain('baseline: learnt 7 new terms for 2 new_terms rules from 5 events in 1 input; nothing is reported as an alert');
    expect(learn.stdout).toMatch(/4 new, 4 remembered {2}Test - New Host and Pid/);
    expect(learn.stdout).toMatch(/3 new, 3 remembered {2}Test - New Executable/);
    expect(learn.stdout).toContain(`state: saved 7 terms of 2 rules to ${state}`);
    const scan = await runInProcess([...RULES, '--state', state, '--format', 'json', week2]);
    expect(terms(scan.stdout)).toEqual(['exe: ["/bin/rare"]', 'exe: ["/bin/new"]', 'pair: ["web-3",7]']);
  });

  it('takes the same options as a scan (--since), and merges into an existing state', async () => {
    const state = statePath();
    await runInProcess(['baseline', ...RULES, '--state', state, '--since', '2024-05-03T00:00:00Z', week1]);
    const learnt = JSON.parse(readFileSync(state, 'utf8')).rules[EXE_RULE].terms.map(([term]: [string[]]) => term[0]);
    expect(learnt).toEqual(['/bin/sh', '/bin/tool']);
    await runInProcess(['baseline', ...RULES, '--state', state, week2]);
    expect(JSON.parse(readFileSync(state, 'utf8')).rules[EXE_RULE].terms.map(([term]: [string[]]) => term[0])).toEqual(['/bin/sh', '/bin/tool', '/bin/rare', '/bin/new']);
  });

  it('exits 2 without --state, on an unreadable input, or with no new_terms rule', async () => {
    const noState = await runInProcess(['baseline', ...RULES, week1]);
    expect(noState.code).toBe(2);
    expect(noState.stderr).toContain('baseline needs --state FILE');
    const missing = await runInProcess(['baseline', ...RULES, '--state', statePath(), join(tmp, 'missing.ndjson')]);
    expect(missing.code).toBe(2);
    const noNewTerms = await runInProcess(['baseline', '--rules', 'test/fixtures/rules/query_shadow_read.toml', '--no-bundled', '--state', statePath(), week1]);
    expect(noNewTerms.code).toBe(2);
    expect(noNewTerms.stderr).toContain('none of the selected rules is a new_terms rule');
  });

  it('documents itself in --help', async () => {
    const r = await runCli(['baseline', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('lkm-scan baseline --state .lkm-state.json logs/last-week/');
    expect(r.stdout).toContain('--state <file>');
  });
});

describe('--state on stdin', () => {
  it('saves the history while the stream runs, and at its end', async () => {
    const state = statePath();
    const child = spawn(process.execPath, [BIN, ...RULES, '--state', state, '--format', 'json'], {
      cwd: ROOT,
      env: { ...process.env, LKM_SCAN_STATE_SAVE_MS: '50' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.write(event(1, '/bin/sh') + '\n');
    // The stream stays open: the first term can reach the file only through a periodic save.
    const remembered = () => {
      try {
        return JSON.parse(readFileSync(state, 'utf8')).rules[EXE_RULE].terms.map(([term]: [string[]]) => term[0]);
      } catch {
        return [];
      }
    };
    while (remembered().length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(remembered()).toEqual(['/bin/sh']);
    child.stdin.end(event(2, '/bin/later') + '\n');
    expect(await exited).toBe(1);
    expect(remembered()).toEqual(['/bin/sh', '/bin/later']);
    expect(terms(stdout)).toEqual(['exe: ["/bin/sh"]', 'pair: ["web-1",1]', 'exe: ["/bin/later"]']);
  });
});
