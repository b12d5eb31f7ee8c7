// Issue 13 through the CLI: `lkm-scan coverage`, ATT&CK Navigator layers (`rules --format
// navigator`, a scan's `--navigator FILE`) and `rules export --kibana FILE`, with the bundled rules
// and the real events of test/fixtures/realdata. The built binary runs once per command; the
// exit-code cases run in-process.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { schemaErrors } from '../support/jsonSchema.js';
import { jsonLines, runCli, runInProcess } from './run.js';

const KERNEL = 'test/fixtures/realdata/derived-kernel-module.ndjson';
const ENDPOINT = 'test/fixtures/realdata/endpoint-package-sample-events.ndjson';
const PROC_ID = '80084fa9-8677-4453-8680-b891d3c0c778';
const KO_ID = '947827c6-9ed6-4dec-903e-c856c86e72f3';

const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-dac-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('lkm-scan coverage', () => {
  it('reports per rule whether it can fire, as JSON, through the built binary', async () => {
    const { code, stdout, stderr } = await runCli(['coverage', '--format', 'json', KERNEL, ENDPOINT]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.events).toBe(14);
    expect(report.totals).toEqual({ rules: 2, can_fire: 2, fields_missing: 0, cannot_fire: 0, reads_alerts: 0 });
    const ko = report.rules.find((r: { id: string }) => r.id === KO_ID);
    expect(ko).toMatchObject({ status: 'can_fire', eligible_events: 3, data_source: 'Elastic Defend, Elastic Endgame', sources: [{ source: 'endpoint / endpoint / endpoint.events.process', events: 3 }] });
    expect(ko.requirements).toContainEqual({ field: 'file.extension', values: ['ko'], events: 3 });
    expect(report.unread_fields.length).toBeGreaterThan(0);
  });

  it('says which value is missing, in text, and exits 0: a report, not a gate', async () => {
    const { code, stdout } = await runInProcess(['coverage', ENDPOINT]);
    expect(code).toBe(0);
    expect(stdout).toContain('  cannot fire   Enumeration of Kernel Modules via Proc  80084fa9-8677-4453-8680-b891d3c0c778\n');
    expect(stdout).toContain('needs host.os.type "linux": never present (host.os.type has "windows" (8))');
    expect(stdout).toContain('0 rules can fire, 0 may not (fields they read are missing), 2 cannot fire');
  });

  it('exits 1 under --fail-under, 2 for an unreadable input, no event, or a format it does not write', async () => {
    expect((await runInProcess(['coverage', '--fail-under', '50', ENDPOINT])).code).toBe(1);
    expect((await runInProcess(['coverage', '--fail-under', '50', KERNEL])).code).toBe(0);
    const missing = await runInProcess(['coverage', 'no/such/file.ndjson', KERNEL]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no/such/file.ndjson');
    expect((await runInProcess(['coverage'], { stdin: '' })).code).toBe(2);
    expect((await runInProcess(['coverage', '--format', 'sarif', KERNEL])).code).toBe(2);
  });
});

describe('ATT&CK Navigator layers', () => {
  it('rules --format navigator writes a valid layer of the selected rules; a scan\'s --navigator one of what fired', async () => {
    const listed = await runCli(['rules', '--format', 'navigator']);
    expect(listed.code).toBe(0);
    const layer = JSON.parse(listed.stdout);
    expect(schemaErrors('navigator/layer-4.5.schema.json', layer)).toEqual([]);
    expect(layer.techniques.map((t: { techniqueID: string; tactic: string; score: number }) => `${t.techniqueID}/${t.tactic}/${t.score}`)).toEqual([
      'T1082/discovery/1',
      'T1518/discovery/1',
      'T1547/persistence/1',
      'T1547.006/persistence/1',
    ]);

    const path = join(tmp, 'fired.json');
    const scan = await runInProcess(['-q', '--navigator', path, '--format', 'json', ENDPOINT, KERNEL]);
    expect(scan.code).toBe(1);
    const fired = JSON.parse(readFileSync(path, 'utf8'));
    expect(schemaErrors('navigator/layer-4.5.schema.json', fired)).toEqual([]);
    expect(fired.techniques.find((t: { techniqueID: string }) => t.techniqueID === 'T1547.006')).toMatchObject({ score: 1, comment: '1 rule fired, 1 alert' });
  });

  it('a scan with --format navigator is a usage error; an unwritable --navigator stops before the scan', async () => {
    const wrong = await runInProcess(['--format', 'navigator', KERNEL]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--navigator FILE');
    const unwritable = await runInProcess(['--navigator', join(tmp, 'no-such-dir', 'layer.json'), KERNEL]);
    expect(unwritable.code).toBe(2);
    expect(unwritable.stderr).toContain('nothing was scanned');
  });
});

describe('rules export --kibana', () => {
  it('writes the rules, the exception list and its items, and the summary, each line as Kibana imports it', async () => {
    const path = join(tmp, 'rules.ndjson');
    const { code, stderr } = await runCli(['--exceptions', `${PROC_ID}=test/fixtures/exceptions/kernel-allow.ndjson`, 'rules', 'export', '--kibana', path]);
    expect(code).toBe(0);
    expect(stderr).toBe(`lkm-scan: exported 2 rules, 1 exception list and 5 exception items to ${path}\n`);
    const lines = jsonLines(readFileSync(path, 'utf8'));
    for (const line of lines) expect(schemaErrors('kibana/rule-import.schema.json', line)).toEqual([]);
    expect(lines.map((l) => l.rule_id ?? l.item_id ?? (l.exported_count === undefined ? l.list_id : 'summary'))).toEqual([
      PROC_ID,
      KO_ID,
      'lkm-linux-kernel-allow',
      'build-hosts',
      'nvidia-driver',
      'lab-networks',
      'old-host',
      'signed-by-vendor',
      'summary',
    ]);
    expect(lines[0].exceptions_list).toEqual([{ id: '2c3e5a10-8f2b-11ef-9a4e-3d5c1e2f0a11', list_id: 'lkm-linux-kernel-allow', type: 'detection', namespace_type: 'single' }]);
    expect(lines.at(-1)).toMatchObject({ exported_count: 8, exported_rules_count: 2, exported_exception_list_count: 1, exported_exception_list_item_count: 5 });
  });

  it('exits 2 and writes nothing for a bad exception file, and needs --kibana', async () => {
    const path = join(tmp, 'never.ndjson');
    const bad = await runInProcess(['--exceptions', 'test/fixtures/rules/threshold_brute_force.toml', 'rules', 'export', '--kibana', path]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('nothing was exported');
    expect(() => readFileSync(path)).toThrow();
    expect((await runInProcess(['rules', 'export'])).code).toBe(2);
  });
});
