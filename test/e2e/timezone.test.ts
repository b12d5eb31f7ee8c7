// Timestamps without a zone are UTC, whatever the machine's zone: the same input gives the same
// alerts and times under TZ=UTC and TZ=America/New_York, for every kind of stateful rule.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './run.js';

const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-tz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const rule = (id: string, type: string, language: string, query: string, extra = '') => `[rule]
rule_id = "${id}"
name = "Test - ${type} in any zone"
description = "Test rule"
type = "${type}"
language = "${language}"
severity = "low"
risk_score = 21
from = "now-5m"
query = '''
${query}
'''
${extra}`;

const SEQUENCE = 'cccccccc-0000-4000-8000-000000000001';
const NEW_TERMS = 'cccccccc-0000-4000-8000-000000000002';
const THRESHOLD = 'cccccccc-0000-4000-8000-000000000003';
writeFileSync(
  join(tmp, 'sequence.toml'),
  rule(SEQUENCE, 'eql', 'eql', 'sequence by host.id with maxspan=1m [process where process.name == "a"] [process where process.name == "b"]'),
);
writeFileSync(
  join(tmp, 'new_terms.toml'),
  rule(
    NEW_TERMS,
    'new_terms',
    'kuery',
    'event.category:authentication',
    '[rule.new_terms]\nfield = "new_terms_fields"\nvalue = ["user.name"]\n[[rule.new_terms.history_window_start]]\nfield = "history_window_start"\nvalue = "now-1h"\n',
  ),
);
writeFileSync(join(tmp, 'threshold.toml'), rule(THRESHOLD, 'threshold', 'kuery', 'event.category:network', '[rule.threshold]\nfield = ["host.id"]\nvalue = 3\n'));

// Each rule sees one event with a zone and the others without, 30 s to 30 min later in UTC
// (hours apart if a zone-less time were read in New York's zone).
const ev = (t: string, fields: object) => JSON.stringify({ '@timestamp': t, ...fields });
const proc = (t: string, name: string) => ev(t, { event: { category: 'process' }, host: { id: 'h1' }, process: { name } });
const auth = (t: string) => ev(t, { event: { category: 'authentication' }, user: { name: 'alice' } });
const net = (t: string) => ev(t, { event: { category: 'network' }, host: { id: 'h1' } });
const input = join(tmp, 'events.ndjson');
writeFileSync(
  input,
  [
    proc('2024-05-01T10:00:00Z', 'a'),
    proc('2024-05-01T10:00:30', 'b'),
    auth('2024-05-01T11:00:00Z'),
    auth('2024-05-01T11:30:00'),
    net('2024-05-01T12:00:00.000Z'),
    net('2024-05-01T12:01:00'),
    net('2024-05-01T12:02:00.000'),
  ].join('\n') + '\n',
);

const scan = (tz: string) => runCli(['--no-bundled', '--rules', tmp, '--format', 'json', input], { env: { TZ: tz } });

describe.concurrent('timestamps without a zone (SPEC §D: event time)', () => {
  it('are UTC: sequences, new_terms and threshold give the same alerts and times in any machine zone', async () => {
    const [utc, newYork] = await Promise.all([scan('UTC'), scan('America/New_York')]);
    expect(utc.stderr).not.toMatch(/error/i);
    expect(newYork.stdout).toBe(utc.stdout);
    const alerts = jsonLines(utc.stdout).map((a) => [a.rule.id, a.timestamp, a.location.line]);
    expect(alerts.sort()).toEqual(
      [
        [SEQUENCE, '2024-05-01T10:00:30.000Z', 2],
        [NEW_TERMS, '2024-05-01T11:00:00.000Z', 3],
        [THRESHOLD, '2024-05-01T12:02:00.000Z', 7],
      ].sort(),
    );
  });

  it('are UTC in --since / --until too', async () => {
    const since = (tz: string) => runCli(['--no-bundled', '--rules', join(tmp, 'new_terms.toml'), '--format', 'json', '--since', '2024-05-01T11:15:00', input], { env: { TZ: tz } });
    const [utc, newYork] = await Promise.all([since('UTC'), since('America/New_York')]);
    expect(newYork.stdout).toBe(utc.stdout);
    expect(jsonLines(utc.stdout).map((a) => a.location.line)).toEqual([4]);
  });
});
