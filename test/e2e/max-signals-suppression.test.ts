// max_signals and alert_suppression with real rules of the Elastic pack (issue 10; README
// "max_signals and alert suppression"): executions replayed in event time, through the CLI.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractPackRules, jsonLines, runCli, runInProcess } from './run.js';

// EQL, max_signals = 33, from = now-9m, interval 5m (Kibana's default), event.ingested time.
const CHATTR = 'rules/linux/defense_evasion_chattr_immutable_file.toml';
// KQL, max_signals = 1000, interval 1m, from = now-2m.
const EXTERNAL = 'rules/promotions/external_alerts.toml';
// KQL, alert_suppression by source.ip and cloud.account.id for 5m, missing fields suppressed.
const S3 = 'rules/integrations/aws/credential_access_credentials_in_s3_bucket.toml';
// KQL, alert_suppression by alert id and tenant for 24h, doNotSuppress, max_signals = 1000.
const M365 = 'rules/promotions/m365_defender_alert_external_alerts.toml';

const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-limits-'));
const rule = (path: string) => join(tmp, path);
beforeAll(() => {
  extractPackRules(tmp, [CHATTR, EXTERNAL, S3, M365]);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const time = (ms: number) => new Date(Date.UTC(2024, 4, 1, 10, 0, 0) + ms).toISOString();
const lines = (events: object[]) => events.map((e) => JSON.stringify(e)).join('\n') + '\n';
function file(name: string, events: object[]): string {
  const path = join(tmp, name);
  writeFileSync(path, lines(events));
  return path;
}

/** A `chattr +i` the rule matches, `ms` after 10:00. */
const chattr = (ms: number, i: number) => ({
  '@timestamp': time(ms),
  event: { ingested: time(ms), type: ['start'], action: 'exec', category: ['process'] },
  host: { os: { type: 'linux' }, name: 'web-1' },
  process: { name: 'chattr', args: ['chattr', '+i', `/etc/file-${i}`], parent: { executable: '/bin/bash', name: 'bash' } },
});
const external = (ms: number) => ({ '@timestamp': time(ms), event: { ingested: time(ms), kind: 'alert', module: 'suricata' } });
const getObject = (ms: number, ip: string | undefined, account = '111122223333') => ({
  '@timestamp': time(ms),
  event: { ingested: time(ms), provider: 's3.amazonaws.com', action: 'GetObject', outcome: 'success' },
  data_stream: { dataset: 'aws.cloudtrail' },
  aws: { cloudtrail: { flattened: { request_parameters: { key: 'home/u/.aws/credentials' } }, user_identity: { type: 'IAMUser' } } },
  cloud: { account: { id: account } },
  ...(ip === undefined ? {} : { source: { ip } }),
});
const m365 = (ms: number, id?: string) => ({
  '@timestamp': time(ms),
  event: { ingested: time(ms), kind: 'alert' },
  data_stream: { dataset: 'm365_defender.alert' },
  ...(id === undefined ? {} : { m365_defender: { alert: { id, tenant_id: 't1' } } }),
});

const MIN = 60_000;

describe('max_signals (Kibana keeps at most max_signals alerts per rule execution)', () => {
  // 100 matches between 10:02:00 and 10:02:49.5: the execution at 10:05 (range 09:56–10:05) asks
  // EQL for 33 hits; the one at 10:10 (10:01–10:10) gets the same 33 again, already created.
  const events = Array.from({ length: 100 }, (_, i) => chattr(2 * MIN + i * 500, i));

  it('an EQL rule with max_signals = 33 creates the first 33 matches and the summary counts the rest', async () => {
    const input = file('chattr.ndjson', events);
    const r = await runInProcess(['--no-bundled', '--rules', rule(CHATTR), '--format', 'json', input]);
    expect(r.code).toBe(1);
    const alerts = jsonLines(r.stdout);
    expect(alerts.map((a) => a.location.line)).toEqual(Array.from({ length: 33 }, (_, i) => i + 1));
    expect(r.stderr).toContain('    33  File made Immutable by Chattr  (67 alerts left out by max_signals; --no-max-signals keeps them)');
  });

  it('--no-max-signals keeps every alert', async () => {
    const input = file('chattr-all.ndjson', events);
    const r = await runInProcess(['--no-bundled', '--rules', rule(CHATTR), '--no-max-signals', '--format', 'json', input]);
    expect(jsonLines(r.stdout)).toHaveLength(100);
    expect(r.stderr).not.toMatch(/left out/);
  });

  it('keeps the same alerts whatever the order of the lines', async () => {
    const input = file('chattr-reversed.ndjson', [...events].reverse());
    const r = await runInProcess(['--no-bundled', '--rules', rule(CHATTR), '--format', 'json', input]);
    expect(jsonLines(r.stdout).map((a) => a.document.process.args[2])).toEqual(Array.from({ length: 33 }, (_, i) => `/etc/file-${i}`));
  });

  it('a query rule’s next execution creates, within its look-back, what the full one left out', async () => {
    // 2,500 external alerts in 10:00:30–10:00:59.99. max_signals 1000, every 1m over 2m: the run at
    // 10:01 creates 1,000, the run at 10:02 (range 10:00–10:02) 1,000 more; at 10:03 they are out of range.
    const input = file('external.ndjson', Array.from({ length: 2500 }, (_, i) => external(30_000 + i * 12)));
    const r = await runInProcess(['--no-bundled', '--rules', rule(EXTERNAL), '--format', 'json', input]);
    const alerts = jsonLines(r.stdout);
    expect(alerts).toHaveLength(2000);
    expect(alerts[1999].location.line).toBe(2000);
    expect(r.stderr).toContain('(500 alerts left out by max_signals; --no-max-signals keeps them)');
  });

  it('gives the same output with --workers 2 as with one thread', async () => {
    const filler = Array.from({ length: 300 }, (_, i) => ({ '@timestamp': time(i * 1000), message: `filler ${i}`.padEnd(120, '.') }));
    const input = file('chattr-workers.ndjson', [...filler, ...events, ...filler]);
    const env = { LKM_SCAN_RANGE_BYTES: '4096' };
    const args = ['--no-bundled', '--rules', rule(CHATTR), '--rules', rule(EXTERNAL), '--format', 'json', input];
    const [one, two] = await Promise.all([runCli(['--workers', '1', ...args], { env }), runCli(['--workers', '2', ...args], { env })]);
    expect(two.stdout).toBe(one.stdout);
    expect(jsonLines(one.stdout)).toHaveLength(33);
    const counts = (s: string) => s.split('\n').filter((l) => /alert|left out/.test(l));
    expect(counts(two.stderr)).toEqual(counts(one.stderr));
  });
});

describe('alert_suppression (Kibana kibana.alert.suppression.*)', () => {
  const events = [
    getObject(0, '198.51.100.7'),
    getObject(1 * MIN, '198.51.100.7'),
    getObject(2 * MIN, '203.0.113.9'),
    getObject(4 * MIN, '198.51.100.7'),
    getObject(5 * MIN, '198.51.100.7'),
    getObject(6 * MIN, '198.51.100.7'),
    getObject(7 * MIN, undefined),
    getObject(8 * MIN, undefined),
  ];

  it('one alert per group per 5 minutes from its first event, with the group, first and last time and the events folded in (JSON)', async () => {
    // Lines in another order than time: the result is the same.
    const input = file('s3.ndjson', [5, 0, 3, 1, 2, 4, 7, 6].map((i) => events[i]!));
    const r = await runInProcess(['--no-bundled', '--rules', rule(S3), '--format', 'json', input]);
    expect(r.code).toBe(1);
    const alerts = jsonLines(r.stdout).map((a) => [a.timestamp, a.suppression]);
    const terms = (ip: string | null) => [
      { field: 'source.ip', value: ip },
      { field: 'cloud.account.id', value: '111122223333' },
    ];
    expect(alerts).toEqual([
      [time(0), { terms: terms('198.51.100.7'), start: time(0), end: time(5 * MIN), docs_count: 3 }],
      [time(2 * MIN), { terms: terms('203.0.113.9'), start: time(2 * MIN), end: time(2 * MIN), docs_count: 0 }],
      [time(6 * MIN), { terms: terms('198.51.100.7'), start: time(6 * MIN), end: time(6 * MIN), docs_count: 0 }],
      // missing_fields_strategy = "suppress": events without source.ip are one group.
      [time(7 * MIN), { terms: terms(null), start: time(7 * MIN), end: time(8 * MIN), docs_count: 1 }],
    ]);
    expect(r.stderr).toContain('(4 more events suppressed into these alerts)');
  });

  it('text output shows the group and what it suppressed', async () => {
    const input = file('s3-text.ndjson', events.slice(0, 4));
    const r = await runInProcess(['--no-bundled', '--rules', rule(S3), '--no-color', input]);
    expect(r.stdout).toContain('group    source.ip = 198.51.100.7, cloud.account.id = 111122223333: 2 more events suppressed, 2024-05-01T10:00:00.000Z to 2024-05-01T10:04:00.000Z');
    expect(r.stdout).toContain('group    source.ip = 203.0.113.9, cloud.account.id = 111122223333: 0 more events suppressed');
  });

  it('on stdin, a group’s alert is written at its first event and later ones are only counted', async () => {
    const r = await runCli(['--no-bundled', '--rules', rule(S3), '--format', 'json', '-'], { stdin: lines(events.slice(0, 4)) });
    expect(jsonLines(r.stdout).map((a) => [a.timestamp, a.suppression.docs_count])).toEqual([
      [time(0), 0],
      [time(2 * MIN), 0],
    ]);
    expect(r.stderr).toContain('(2 more events suppressed into these alerts)');
  });

  it('doNotSuppress: each alert without the group-by fields is its own, unsuppressed alert', async () => {
    const input = file('m365.ndjson', [m365(0, 'da1'), m365(MIN, 'da1'), m365(2 * MIN), m365(3 * MIN), m365(25 * 60 * MIN, 'da1')]);
    const r = await runInProcess(['--no-bundled', '--rules', rule(M365), '--format', 'json', input]);
    expect(jsonLines(r.stdout).map((a) => [a.location.line, a.suppression?.docs_count ?? 'none'])).toEqual([
      [1, 1],
      [3, 'none'],
      [4, 'none'],
      // 24 hours after the first: a new alert.
      [5, 0],
    ]);
  });
});
