// `--stats FILE` through the built CLI (issue 10: what max_signals left out, and what each
// exception item dropped, counted "in the summary and in JSON"), with real rules of the vendored
// pack: the chattr EQL rule (max_signals 33), the tainted-module rule with the Kibana exception
// export of test/fixtures/exceptions, and a threshold rule that does not alert.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractPackRules, jsonLines, runCli, runInProcess, runShell } from './run.js';

const RULES = {
  // EQL, max_signals = 33, interval 5m, from now-9m.
  chattr: 'rules/linux/defense_evasion_chattr_immutable_file.toml',
  tainted: 'rules/linux/persistence_tainted_kernel_module_load.toml',
  kills: 'rules/linux/impact_process_kill_threshold.toml',
} as const;
const CHATTR_ID = '968ccab9-da51-4a87-9ce2-d3c9782fd759';
const TAINTED_ID = '05cad2fb-200c-407f-b472-02ea8c9e5e4a';
const EXPORT = 'test/fixtures/exceptions/kernel-allow.ndjson';
const LAB_RANGES = 'lab_ranges.txt=test/fixtures/exceptions/lab_ranges.txt';

const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-stats-e2e-'));
const rule = (key: keyof typeof RULES) => join(tmp, RULES[key]);
beforeAll(() => {
  extractPackRules(tmp, Object.values(RULES));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, lines: string[]): string {
  const path = join(tmp, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const time = (ms: number) => new Date(Date.UTC(2024, 4, 1, 10, 0, 0) + ms).toISOString();
/** A `chattr +i` the chattr rule matches, `ms` after 10:00 (as in max-signals-suppression.test.ts). */
const chattr = (ms: number, i: number) =>
  JSON.stringify({
    '@timestamp': time(ms),
    event: { ingested: time(ms), type: ['start'], action: 'exec', category: ['process'] },
    host: { os: { type: 'linux' }, name: 'web-1' },
    process: { name: 'chattr', args: ['chattr', '+i', `/etc/file-${i}`], parent: { executable: '/bin/bash', name: 'bash' } },
  });
/** 100 matches within one execution's look-back: 33 alerts, 67 left out by max_signals. */
const CHATTR_LINES = Array.from({ length: 100 }, (_, i) => chattr(2 * 60_000 + i * 500, i));

const TAINT = 'module verification failed: signature and/or required key missing - tainting kernel';
/** A kernel line as the System integration's syslog data stream stores it (as in exceptions.test.ts). */
const syslog = (host: string, extra: { message?: string; ip?: string | string[]; process?: object } = {}) =>
  JSON.stringify({
    '@timestamp': '2024-05-01T10:00:00.000Z',
    event: { ingested: '2024-05-01T10:00:01.000Z' },
    host: { name: host, os: { type: 'linux' }, ...(extra.ip === undefined ? {} : { ip: extra.ip }) },
    data_stream: { dataset: 'system.syslog', namespace: 'default', type: 'logs' },
    process: { name: 'kernel', ...extra.process },
    message: extra.message ?? TAINT,
  });
const signatures = (...pairs: Array<[string, boolean]>) => ({ Ext: { code_signature: pairs.map(([subject_name, trusted]) => ({ subject_name, trusted })) } });
/** 8 tainted-module lines: 5 dropped by 4 of the export's 5 items, 3 alerts. */
const KERNEL_LINES = [
  syslog('build01'), // build-hosts
  syslog('web1'),
  syslog('web2', { message: `nvidia_uvm: ${TAINT}` }), // nvidia-driver
  syslog('lab1', { ip: ['10.20.3.4'] }), // lab-networks
  syslog('lab2', { ip: '192.168.50.15' }), // lab-networks
  syslog('lab3', { ip: '192.168.50.21' }),
  syslog('x1', { process: signatures(['Vendor Inc', false], ['Other', true]) }),
  syslog('x2', { process: signatures(['Other', false], ['Vendor Inc', true]) }), // signed-by-vendor
];

const rulesArgs = ['--no-bundled', '--rules', rule('chattr'), '--rules', rule('tainted'), '--rules', rule('kills')];
const exceptionArgs = ['--exceptions', `${TAINTED_ID}=${EXPORT}`, '--value-list', LAB_RANGES];
const readStats = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
/** The document without its one timing field, which differs from run to run. */
const counts = (path: string) => {
  const { elapsed_ms: elapsed, ...rest } = readStats(path);
  expect(typeof elapsed).toBe('number');
  return rest;
};

describe('--stats FILE', () => {
  it('writes every rule that ran with what max_signals left out, each exception item with what it dropped, and the inputs; stdout keeps only alerts', async () => {
    const chattrFile = write('chattr.ndjson', CHATTR_LINES);
    const kernelFile = write('kernel.ndjson', ['', ...KERNEL_LINES]);
    const stats = join(tmp, 'run.json');
    const r = await runCli([...rulesArgs, ...exceptionArgs, '--format', 'json', '--stats', stats, chattrFile, kernelFile]);
    expect(r.code).toBe(1);
    const alerts = jsonLines(r.stdout);
    expect(alerts).toHaveLength(33 + 3);
    expect(alerts.every((a) => a.rule !== undefined && a.location !== undefined)).toBe(true);
    // The summary says the same as the document.
    expect(r.stderr).toContain('    33  File made Immutable by Chattr  (67 alerts left out by max_signals; --no-max-signals keeps them)');
    expect(r.stderr).toContain('exceptions: 5 matching events dropped by 4 of 5 items');

    const doc = readStats(stats);
    expect(doc).toMatchObject({ version: 1, lkm_scan: expect.stringMatching(/^\d+\.\d+\.\d+/), exit_code: 1, stopped: null, interrupted: null, max_signals: true, alerts: 36 });
    expect(doc.inputs).toEqual({ files: 2, lines: 109, events: 108, skipped_by_prefilter: 0, malformed: 0, blank: 1, warnings: 0, bytes: expect.any(Number), unreadable: 0 });
    expect(doc.inputs.bytes).toBe(readFileSync(chattrFile).length + readFileSync(kernelFile).length);
    const byId = Object.fromEntries(doc.rules.map((x: { id: string }) => [x.id, x]));
    expect(doc.rules).toHaveLength(3);
    expect(byId[CHATTR_ID]).toMatchObject({ name: 'File made Immutable by Chattr', type: 'eql', alerts: 33, left_out: 67, suppressed: 0, dropped: 0 });
    expect(byId[TAINTED_ID]).toMatchObject({ alerts: 3, left_out: 0 });
    const kills = doc.rules.find((x: { type: string }) => x.type === 'threshold');
    expect(kills).toMatchObject({ name: 'High Number of Process Terminations', alerts: 0, left_out: 0 });
    expect(doc.exceptions).toEqual([
      { list_id: 'lkm-linux-kernel-allow', item_id: 'build-hosts', name: 'Build hosts compile DKMS modules', dropped: 1, by_rule: { [TAINTED_ID]: 1 } },
      { list_id: 'lkm-linux-kernel-allow', item_id: 'nvidia-driver', name: 'NVIDIA driver module', dropped: 1, by_rule: { [TAINTED_ID]: 1 } },
      { list_id: 'lkm-linux-kernel-allow', item_id: 'lab-networks', name: 'Lab networks', dropped: 2, by_rule: { [TAINTED_ID]: 2 } },
      { list_id: 'lkm-linux-kernel-allow', item_id: 'old-host', name: 'Decommissioned test host', dropped: 0, by_rule: {} },
      { list_id: 'lkm-linux-kernel-allow', item_id: 'signed-by-vendor', name: 'Modules loaded by the vendor agent', dropped: 1, by_rule: { [TAINTED_ID]: 1 } },
    ]);
  });

  it('gives the same counts with --workers 2, --quiet and any --format', async () => {
    const filler = Array.from({ length: 300 }, (_, i) => JSON.stringify({ '@timestamp': time(i * 1000), message: `filler ${i}`.padEnd(120, '.') }));
    const input = write('mixed.ndjson', [...filler, ...CHATTR_LINES, ...filler.slice(0, 100), ...KERNEL_LINES, 'not json', ...filler]);
    const env = { LKM_SCAN_RANGE_BYTES: '4096' };
    const one = join(tmp, 'one.json');
    const two = join(tmp, 'two.json');
    const [a, b] = await Promise.all([
      runCli([...rulesArgs, ...exceptionArgs, '--format', 'json', '--stats', one, input], { env }),
      runCli([...rulesArgs, ...exceptionArgs, '--workers', '2', '--format', 'sarif', '--quiet', '--stats', two, input], { env }),
    ]);
    expect(a.code).toBe(1);
    expect(b.code).toBe(1);
    expect(b.stderr).not.toMatch(/alerts from/);
    expect(counts(two)).toEqual(counts(one));
    expect(counts(one)).toMatchObject({ alerts: 36, inputs: { malformed: 1, files: 1 } });
    expect(counts(one).rules.find((x: { id: string }) => x.id === CHATTR_ID).left_out).toBe(67);
  });

  it('is written when the scan ends with exit 2 after scanning: an unreadable input, --strict', async () => {
    const input = write('bad.ndjson', [...KERNEL_LINES.slice(0, 2), '{"broken"', KERNEL_LINES[2]!]);
    const stats = join(tmp, 'bad.json');
    const r = await runCli([...rulesArgs, '--stats', stats, '-q', input, join(tmp, 'missing.ndjson')]);
    expect(r.code).toBe(2);
    expect(readStats(stats)).toMatchObject({ exit_code: 2, stopped: null, alerts: 3, inputs: { files: 1, unreadable: 1, malformed: 1, events: 3 } });
    const strict = await runCli([...rulesArgs, '--stats', stats, '--strict', input]);
    expect(strict.code).toBe(2);
    // The input --strict stopped in is left out of the line totals, as in the text summary; its malformed line is counted.
    expect(readStats(stats)).toMatchObject({ exit_code: 2, stopped: 'strict', inputs: { malformed: 1 } });
  });

  it('is written when the reader of stdout goes away (| head -1), and says the counts stop there', async () => {
    const input = write('many.ndjson', Array.from({ length: 20_000 }, () => KERNEL_LINES[1]!));
    const stats = join(tmp, 'closed.json');
    const r = await runShell(`"${process.execPath}" bin/lkm-scan.js --no-bundled --rules "${rule('tainted')}" --no-max-signals --format json --stats "${stats}" "${input}" | head -1`);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toHaveLength(1);
    const doc = readStats(stats);
    expect(doc).toMatchObject({ exit_code: 1, stopped: 'output_closed', max_signals: false });
    expect(doc.alerts).toBeGreaterThan(0);
    expect(doc.alerts).toBeLessThan(20_000);
  });

  it('- writes the document to stderr, with the notes told before the scan', async () => {
    const input = write('one.ndjson', KERNEL_LINES.slice(1, 2));
    // The export without RULES= applies to no rule here: the notes say so, on stderr and in the document.
    const r = await runInProcess([...rulesArgs, '--exceptions', EXPORT, '--value-list', LAB_RANGES, '--quiet', '--stats', '-', '--format', 'json', input]);
    expect(r.code).toBe(1);
    expect(jsonLines(r.stdout)).toHaveLength(1);
    const [told, doc] = [r.stderr.slice(0, r.stderr.indexOf('{')), JSON.parse(r.stderr.slice(r.stderr.indexOf('{')))];
    expect(doc).toMatchObject({ exit_code: 1, alerts: 1, inputs: { events: 1 } });
    expect(doc.notes).toHaveLength(5);
    expect(doc.notes[0]).toMatch(/^--exceptions: exception "Build hosts compile DKMS modules" \(.*kernel-allow\.ndjson, line 2\) applies to no rule of this scan/);
    expect(told.split('\n').filter((l) => l.startsWith('lkm-scan: note: '))).toEqual(doc.notes.map((n: string) => `lkm-scan: note: ${n}`));
  });

  it('that cannot be written is an error with exit 2: before the scan when its folder is missing, after it when the write fails', async () => {
    const input = write('two.ndjson', KERNEL_LINES.slice(1, 2));
    const missing = join(tmp, 'no-such-folder', 'stats.json');
    const before = await runCli([...rulesArgs, '--format', 'json', '--stats', missing, input]);
    expect(before.code).toBe(2);
    expect(before.stdout).toBe('');
    expect(before.stderr).toContain(`lkm-scan: error: --stats ${missing}: the folder ${join(tmp, 'no-such-folder')} does not exist; nothing was scanned`);
    expect(existsSync(missing)).toBe(false);
    // /dev/full takes the open and fails every write with ENOSPC, as a full disk does.
    const after = await runCli([...rulesArgs, '--format', 'json', '--stats', '/dev/full', input]);
    expect(after.code).toBe(2);
    expect(jsonLines(after.stdout)).toHaveLength(1);
    expect(after.stderr).toContain('lkm-scan: error: cannot write --stats /dev/full: no space left on device (ENOSPC)');
  });

  it('is listed in --help', async () => {
    const r = await runInProcess(['--help']);
    expect(r.stdout).toMatch(/--stats <file> +after the scan, write its counts/);
  });
});
