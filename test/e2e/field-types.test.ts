// KQL matches by field type, end to end through the CLI, with the real rules of the vendored
// elastic/detection-rules pack (issue 9): kernel-module and segfault rules on ECS `message`
// (match_only_text) and a PowerShell rule on `powershell.file.script_block_text` (text with the
// Windows integration's analyser), then `--mapping` making a custom field text, with workers too.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractPackRules, jsonLines, runCli, runInProcess } from './run.js';

const RULES = {
  tainted: 'rules/linux/persistence_tainted_kernel_module_load.toml',
  outOfTree: 'rules/linux/persistence_tainted_kernel_module_out_of_tree_load.toml',
  segfault: 'rules_building_block/execution_linux_segfault.toml',
  sensitive: 'rules/linux/credential_access_segfault_from_sensitive_process.toml',
  mimikatz: 'rules/windows/credential_access_mimikatz_powershell_module.toml',
} as const;

const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-field-types-'));
const rule = (key: keyof typeof RULES) => join(tmp, RULES[key]);
beforeAll(() => {
  extractPackRules(tmp, Object.values(RULES));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A kernel line as the System integration's syslog data stream stores it. */
function syslog(message: string | string[], processName = 'kernel'): string {
  return JSON.stringify({
    '@timestamp': '2024-05-01T10:00:00.000Z',
    host: { name: 'web1', os: { type: 'linux' } },
    data_stream: { dataset: 'system.syslog', namespace: 'default', type: 'logs' },
    event: { dataset: 'system.syslog', module: 'system' },
    process: { name: processName },
    message,
  });
}

function writeEvents(name: string, lines: string[]): string {
  const path = join(tmp, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/** [rule name, line] of each alert. */
function hits(stdout: string): [string, number][] {
  return jsonLines(stdout)
    .map((a): [string, number] => [a.rule.name, a.location.line])
    .sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0]));
}

const linuxRules = () => ['--no-bundled', '--rules', rule('tainted'), '--rules', rule('outOfTree'), '--rules', rule('segfault'), '--rules', rule('sensitive')];

describe('kernel-module and segfault rules on syslog message (match_only_text)', () => {
  const lines = [
    /* 1 */ syslog('[ 1234.567891] diamorphine: module verification failed: signature and/or required key missing - tainting kernel'),
    /* 2 */ syslog('[ 1234.567890] reptile: loading out-of-tree module taints kernel.'),
    /* 3 */ syslog('[98765.432100] sshd[4242]: segfault at 0 ip 00007f1e2d3c4b5a sp 00007ffd1234abcd error 4 in libc.so.6[7f1e2d228000+195000] likely on CPU 1 (core 1, socket 0)'),
    /* 4 */ syslog('[98765.432200] myapp[77]: SEGFAULT at 8 ip 000055d0c0ffee00 sp 00007ffc0ffee000 error 6 in myapp[55d0c0f00000+1000]'),
    // Near misses: the phrase's words out of order; the phrase split across two array elements;
    // the right message from another process; a word that only contains "segfault".
    /* 5 */ syslog('[ 1234.6] x: signature and/or required key missing - module verification failed: tainting kernel'),
    /* 6 */ syslog(['[ 1234.7] x: module verification failed: signature and/or', 'required key missing - tainting kernel']),
    /* 7 */ syslog('[98765.5] sshd[4242]: segfault at 0 ip 00007f1e2d3c4b5a error 4', 'systemd'),
    /* 8 */ syslog('[98765.6] sshd[4242]: segfaulted while exiting'),
  ];

  it('fire where Kibana alerts and nowhere else', async () => {
    const input = writeEvents('syslog.ndjson', lines);
    const r = await runInProcess([...linuxRules(), '--format', 'json', input]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(hits(r.stdout)).toEqual([
      ['Tainted Kernel Module Load', 1],
      ['Tainted Out-Of-Tree Kernel Module Load', 2],
      ['Segfault Detected', 3],
      ['Segfault from Sensitive Process Detected', 3],
      ['Segfault Detected', 4],
    ]);
    expect(r.code).toBe(1);
  });

  it('the prefilter changes nothing: --no-prefilter gives the same alerts', async () => {
    const input = writeEvents('syslog-prefilter.ndjson', lines);
    const [on, off] = await Promise.all([
      runInProcess([...linuxRules(), '--format', 'json', input]),
      runInProcess([...linuxRules(), '--format', 'json', '--no-prefilter', input]),
    ]);
    expect(hits(on.stdout)).toHaveLength(5);
    expect(on.stdout).toBe(off.stdout);
  });
});

describe('PowerShell script-block rule on powershell.file.script_block_text (text, powershell_script_analyzer)', () => {
  const block = (text: string) =>
    JSON.stringify({
      '@timestamp': '2024-05-01T10:00:00.000Z',
      host: { name: 'win1', os: { type: 'windows' } },
      event: { category: ['process'], code: '4104', provider: 'Microsoft-Windows-PowerShell' },
      powershell: { file: { script_block_text: text } },
    });

  it('matches the phrase and the and of words whatever the case, not a near miss', async () => {
    const input = writeEvents('powershell.ndjson', [
      /* 1 */ block('Invoke-Mimikatz -Command \'"privilege::debug" "SEKURLSA::LogonPasswords" exit\''),
      /* 2 */ block('function Invoke-Mimikatz { param([switch]$DumpCreds, [switch]$DumpCerts) }'),
      /* 3 */ block('Write-Host "only DumpCreds here"'),
      /* 4 */ block('$x = "logonpasswords::sekurlsa"'),
    ]);
    const r = await runInProcess(['--no-bundled', '--rules', rule('mimikatz'), '--format', 'json', input]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(hits(r.stdout)).toEqual([
      ['Potential Invoke-Mimikatz PowerShell Script', 1],
      ['Potential Invoke-Mimikatz PowerShell Script', 2],
    ]);
  });
});

const CUSTOM_RULE = `[metadata]
creation_date = "2024/05/01"
maturity = "production"
updated_date = "2024/05/01"

[rule]
author = ["test"]
description = "A disk filled up."
language = "kuery"
license = "Elastic License v2"
name = "Disk Full"
risk_score = 21
rule_id = "7d0e3a52-5b0e-4f61-9a51-1c1b2f0e9d11"
severity = "low"
type = "query"
index = ["logs-*"]
query = '''
app.note:"disk full" and app.code < 100
'''
`;

/** An index template as GET _index_template returns it, making app.note text and app.code a long. */
const TEMPLATE = {
  index_templates: [
    {
      name: 'logs-app',
      index_template: {
        index_patterns: ['logs-app-*'],
        template: { mappings: { properties: { app: { properties: { note: { type: 'text' }, code: { type: 'long' } } } } } },
      },
    },
  ],
};

describe('--mapping FILE', () => {
  let ruleFile: string;
  let template: string;
  beforeAll(() => {
    ruleFile = join(tmp, 'disk_full.toml');
    writeFileSync(ruleFile, CUSTOM_RULE);
    template = join(tmp, 'logs-app-template.json');
    writeFileSync(template, JSON.stringify(TEMPLATE));
  });
  const app = (note: string, code: number | string) => JSON.stringify({ '@timestamp': '2024-05-01T10:00:00Z', app: { note, code } });

  it('matches a field the index template maps as text by its words; without it the field is a keyword', async () => {
    const input = writeEvents('app.ndjson', [app('ALERT: Disk Full on /var', 5), app('disk is full', 5), app('disk full', '7'), app('disk full', 50), app('disk full', 200)]);
    const typed = await runInProcess(['--no-bundled', '--rules', ruleFile, '--mapping', template, '--format', 'json', input]);
    expect(typed.stderr).not.toMatch(/error/i);
    // A long reads "7" as 7 (coerce); app.note is analysed, so case and the words around do not matter.
    expect(hits(typed.stdout)).toEqual([
      ['Disk Full', 1],
      ['Disk Full', 3],
      ['Disk Full', 4],
    ]);
    // Unmapped, each value's JSON type decides: the string "7" is a keyword, after "100".
    const untyped = await runInProcess(['--no-bundled', '--rules', ruleFile, '--format', 'json', input]);
    expect(hits(untyped.stdout)).toEqual([['Disk Full', 4]]);
  });

  it('lets a later file override an earlier one', async () => {
    const keyword = join(tmp, 'keyword.json');
    writeFileSync(keyword, JSON.stringify({ mappings: { properties: { app: { properties: { note: { type: 'keyword' } } } } } }));
    const input = writeEvents('app-override.ndjson', [app('ALERT: Disk Full on /var', 5)]);
    const [textLast, keywordLast] = await Promise.all([
      runInProcess(['--no-bundled', '--rules', ruleFile, '--mapping', keyword, '--mapping', template, '--format', 'json', input]),
      runInProcess(['--no-bundled', '--rules', ruleFile, '--mapping', template, '--mapping', keyword, '--format', 'json', input]),
    ]);
    expect(hits(textLast.stdout)).toEqual([['Disk Full', 1]]);
    expect(hits(keywordLast.stdout)).toEqual([]);
  });

  it('reports a mapping it cannot read with the file and the JSON path, exit 2', async () => {
    const bad = join(tmp, 'bad-mapping.json');
    writeFileSync(bad, JSON.stringify({ mappings: { properties: { msg: { type: 'text', analyzer: 'english' } } } }));
    const input = writeEvents('app-bad.ndjson', [app('disk full', 5)]);
    const r = await runInProcess(['--no-bundled', '--rules', ruleFile, '--mapping', bad, input]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}: $.mappings.properties.msg.analyzer`);
    const missing = await runInProcess(['--no-bundled', '--rules', ruleFile, '--mapping', join(tmp, 'nope.json'), input]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json.*no such file/);
    const validate = await runInProcess(['validate', '--mapping', bad, ruleFile]);
    expect(validate.code).toBe(2);
    expect(validate.stderr).toContain('$.mappings.properties.msg.analyzer');
  });

  it('makes a clause Elasticsearch refuses under the types a rule error pointing into the .toml', async () => {
    const refused = join(tmp, 'refused.toml');
    writeFileSync(refused, CUSTOM_RULE.replace('app.note:"disk full" and app.code < 100', 'app.note:"disk full" and\n  source.ip:10.0.*'));
    const r = await runInProcess(['validate', refused]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${refused}:19:3: "Disk Full": Elasticsearch would refuse this clause on the ip field source.ip`);
    expect(r.stdout).toMatch(/\n {6}source\.ip:10\.0\.\*\n {6}\^{9}\n/);
    const scan = await runInProcess(['--no-bundled', '--rules', refused, writeEvents('refused.ndjson', [app('disk full', 5)])]);
    expect(scan.code).toBe(2);
    expect(scan.stderr).toMatch(/1 rule error/);
  });

  it('gives workers the same mapping: --workers 2 prints what one thread prints', async () => {
    const lines: string[] = [];
    for (let i = 0; lines.join('\n').length < 600_000; i++) lines.push(app(i % 97 === 0 ? `host ${i}: DISK FULL` : `host ${i}: disk ok`, i % 150));
    const big = writeEvents('app-big.ndjson', lines);
    const env = { LKM_SCAN_RANGE_BYTES: String(64 << 10) };
    const args = ['--no-bundled', '--rules', ruleFile, '--mapping', template, '--format', 'json', big];
    const [one, two] = await Promise.all([runCli(['--workers', '1', ...args], { env }), runCli(['--workers', '2', ...args], { env })]);
    expect(two.stderr).not.toMatch(/error/i);
    const expected = lines.flatMap((_, i) => (i % 97 === 0 && i % 150 < 100 ? [['Disk Full', i + 1]] : []));
    expect(expected.length).toBeGreaterThan(10);
    expect(hits(one.stdout)).toEqual(expected);
    expect(two.stdout).toBe(one.stdout);
  });
});

describe('validate on the whole vendored pack under field types', () => {
  it('accepts every runnable rule', async () => {
    const all = mkdtempSync(join(tmpdir(), 'lkm-scan-field-types-pack-'));
    try {
      extractPackRules(all);
      const r = await runInProcess(['validate', join(all, 'rules'), join(all, 'rules_building_block')]);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/validated 1864 rules in [\d.]+ s: 1864 ok, 0 failed; 328 skipped/);
      expect(r.code).toBe(0);
    } finally {
      rmSync(all, { recursive: true, force: true });
    }
  });
});
