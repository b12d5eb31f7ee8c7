// --exceptions and --value-list end to end (issue 10, "Exceptions without editing rules"), with
// real rules of the vendored elastic/detection-rules pack and an exception list written as
// Kibana's "Export exception list" writes it (test/fixtures/exceptions/kernel-allow.ndjson).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractPackRules, jsonLines, runCli, runInProcess } from './run.js';

const RULES = {
  tainted: 'rules/linux/persistence_tainted_kernel_module_load.toml',
  kills: 'rules/linux/impact_process_kill_threshold.toml',
} as const;
const TAINTED_ID = '05cad2fb-200c-407f-b472-02ea8c9e5e4a';
const EXPORT = 'test/fixtures/exceptions/kernel-allow.ndjson';
const LAB_RANGES = 'lab_ranges.txt=test/fixtures/exceptions/lab_ranges.txt';

const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-exceptions-'));
const rule = (key: keyof typeof RULES) => join(tmp, RULES[key]);
beforeAll(() => {
  extractPackRules(tmp, Object.values(RULES));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

const TAINT = 'module verification failed: signature and/or required key missing - tainting kernel';

/** A kernel line as the System integration's syslog data stream stores it. */
function syslog(host: string, extra: { message?: string; ip?: string | string[]; process?: object } = {}): string {
  return JSON.stringify({
    '@timestamp': '2024-05-01T10:00:00.000Z',
    event: { ingested: '2024-05-01T10:00:01.000Z' },
    host: { name: host, os: { type: 'linux' }, ...(extra.ip === undefined ? {} : { ip: extra.ip }) },
    data_stream: { dataset: 'system.syslog', namespace: 'default', type: 'logs' },
    process: { name: 'kernel', ...extra.process },
    message: extra.message ?? TAINT,
  });
}

const signatures = (...pairs: Array<[string, boolean]>) => ({ Ext: { code_signature: pairs.map(([subject_name, trusted]) => ({ subject_name, trusted })) } });

/** One line per exception item of the export, and lines that must still alert (comments: the 1-based line). */
const KERNEL_LINES = [
  syslog('build01'), //                                             1  build-hosts (match_any)
  syslog('web1'), //                                                2  alerts
  syslog('web2', { message: `nvidia_uvm: ${TAINT}` }), //          3  nvidia-driver (wildcard on text, os_types linux)
  syslog('lab1', { ip: ['10.20.3.4'] }), //                         4  lab-networks (ip_range list, CIDR)
  syslog('lab2', { ip: '192.168.50.15' }), //                       5  lab-networks (ip_range list, a-b range)
  syslog('lab3', { ip: '192.168.50.21' }), //                       6  alerts: just past the range
  syslog('x1', { process: signatures(['Vendor Inc', false], ['Other', true]) }), // 7 alerts: not in one object
  syslog('x2', { process: signatures(['Other', false], ['Vendor Inc', true]) }), // 8 signed-by-vendor (nested)
];

describe('--exceptions with a Kibana exception list export', () => {
  it('drops the events its items match from a real pack rule and counts each item, the stale one at 0', async () => {
    const events = write('kernel.ndjson', KERNEL_LINES.join('\n') + '\n');
    const r = await runInProcess(['--no-bundled', '--rules', rule('tainted'), '--exceptions', `${TAINTED_ID}=${EXPORT}`, '--value-list', LAB_RANGES, '--format', 'json', events]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(1);
    expect(jsonLines(r.stdout).map((a) => a.location.line)).toEqual([2, 6, 7]);
    expect(r.stderr).toContain('exceptions: 5 matching events dropped by 4 of 5 items');
    expect(r.stderr).toMatch(/\n +1 {2}Build hosts compile DKMS modules \[lkm-linux-kernel-allow\/build-hosts\] {2}\(Tainted Kernel Module Load: 1\)\n/);
    expect(r.stderr).toMatch(/\n +2 {2}Lab networks \[lkm-linux-kernel-allow\/lab-networks\]/);
    expect(r.stderr).toMatch(/\n +0 {2}Decommissioned test host \[lkm-linux-kernel-allow\/old-host\] {2}\(stale: dropped nothing\)\n/);
  });

  it('applies to a rule of the user that references the list in [[rule.exceptions_list]], without naming rules', async () => {
    const text = readFileSync(rule('tainted'), 'utf8').replace(
      '[[rule.threat]]',
      '[[rule.exceptions_list]]\nid = "2c3e5a10-8f2b-11ef-9a4e-3d5c1e2f0a11"\nlist_id = "lkm-linux-kernel-allow"\nnamespace_type = "single"\ntype = "detection"\n\n[[rule.threat]]',
    );
    const own = write('own_rule.toml', text);
    const events = write('kernel2.ndjson', KERNEL_LINES.join('\n') + '\n');
    const r = await runInProcess(['--no-bundled', '--rules', own, '--exceptions', EXPORT, '--value-list', LAB_RANGES, '--format', 'json', events]);
    expect(jsonLines(r.stdout).map((a) => a.location.line)).toEqual([2, 6, 7]);
    // Without the reference the list applies to nothing, and the scan says so.
    const plain = await runInProcess(['--no-bundled', '--rules', rule('tainted'), '--exceptions', EXPORT, '--value-list', LAB_RANGES, '--format', 'json', events]);
    expect(jsonLines(plain.stdout)).toHaveLength(8);
    expect(plain.stderr).toMatch(/note: --exceptions: exception "Build hosts compile DKMS modules" \(.*kernel-allow\.ndjson, line 2\) applies to no rule of this scan/);
  });

  it('gives the same alerts and counts with --workers 2', async () => {
    const filler = JSON.stringify({ '@timestamp': '2024-05-01T10:00:00.000Z', host: { name: 'web9', os: { type: 'linux' } }, message: 'x'.repeat(200) });
    const lines: string[] = [];
    for (let i = 0; i < 2000; i++) lines.push(i % 250 === 0 ? KERNEL_LINES[(i / 250) % KERNEL_LINES.length]! : filler);
    const events = write('big.ndjson', lines.join('\n') + '\n');
    const args = ['--no-bundled', '--rules', rule('tainted'), '--exceptions', `*=${EXPORT}`, '--value-list', LAB_RANGES, '--format', 'json', events];
    const env = { LKM_SCAN_RANGE_BYTES: String(64 << 10) };
    const one = await runCli(args, { env });
    const two = await runCli([...args, '--workers', '2'], { env });
    expect(one.code).toBe(1);
    expect(jsonLines(one.stdout).map((a) => a.location.line)).toEqual([251, 1251, 1501]);
    expect(two.stdout).toBe(one.stdout);
    const counts = (s: string) => s.split('\n').filter((l) => l.includes('exceptions:') || l.includes('['));
    expect(counts(two.stderr)).toEqual(counts(one.stderr));
    expect(counts(one.stderr)[0]).toContain('5 matching events dropped by 4 of 5 items');
  });
});

describe('--exceptions in the TOML form, on a threshold rule', () => {
  const kill = (i: number, parent: string, user = 'ops') =>
    JSON.stringify({
      '@timestamp': `2024-05-01T10:00:${String(i).padStart(2, '0')}.000Z`,
      event: { category: ['process'], type: ['start'], ingested: `2024-05-01T10:00:${String(i).padStart(2, '0')}.500Z` },
      host: { id: 'h1', os: { type: 'linux' } },
      user: { name: user },
      process: { name: 'pkill', args: ['pkill', '-f', `svc${i}`], executable: '/usr/bin/pkill', parent: { name: parent } },
    });

  it('keeps excepted events out of the count, so the group stays under the threshold', async () => {
    // 16 kills reach the rule's threshold of 15; two come from Ansible and are excepted.
    const lines = Array.from({ length: 16 }, (_, i) => kill(i, i < 2 ? 'ansible-playbook' : 'bash'));
    const events = write('kills.ndjson', lines.join('\n') + '\n');
    const base = ['--no-bundled', '--rules', rule('kills'), '--format', 'json', events];
    const without = await runInProcess(base);
    expect(jsonLines(without.stdout)).toHaveLength(1);
    const withExceptions = await runInProcess([...base, '--exceptions', 'test/fixtures/exceptions/process-kill.toml']);
    expect(withExceptions.code).toBe(0);
    expect(jsonLines(withExceptions.stdout)).toHaveLength(0);
    expect(withExceptions.stderr).toMatch(/\n +2 {2}Ansible restarts services with pkill -f \[.*\/ansible-restarts\] {2}\(High Number of Process Terminations: 2\)\n/);
  });
});

describe('bad exception files', () => {
  const scan = (args: string[]) => runInProcess(['--no-bundled', '--rules', rule('tainted'), ...args, write('one.ndjson', syslog('web1') + '\n')]);

  it('name the NDJSON line and key, exit 2 and scan nothing', async () => {
    const bad = write('bad.ndjson', '{"list_id":"l","type":"detection","namespace_type":"single"}\n{"item_id":"i","list_id":"l","entries":[{"field":"host.name","operator":"is","type":"match","value":"a"}]}\n');
    const r = await scan(['--exceptions', `*=${bad}`]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`lkm-scan: error: ${bad} (line 2, entries[0].operator): must be "included" or "excluded", found "is"`);
    expect(r.stderr).toContain('nothing was scanned');
  });

  it('name the TOML key, exit 2', async () => {
    const bad = write('bad.toml', '[[exception]]\nrules = ["*"]\n[[exception.entries]]\nfield = "host.name"\ntype = "match_any"\noperator = "included"\nvalue = []\n');
    const r = await scan(['--exceptions', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad} (key exception[0].entries[0].value): must be a non-empty list of strings, found a list`);
  });

  it('say which --value-list is missing, and which file cannot be read, exit 2', async () => {
    const missing = await scan(['--exceptions', `*=${EXPORT}`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/kernel-allow\.ndjson \(line 4\): the value list "lab_ranges\.txt" is not given: add --value-list lab_ranges\.txt=FILE/);
    const unreadable = await scan(['--exceptions', join(tmp, 'nope.ndjson')]);
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toMatch(/nope\.ndjson: cannot be read/);
  });
});
