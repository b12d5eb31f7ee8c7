// Alert chains, `--format elastic` and index patterns, end to end through the CLI with real rules of
// the vendored elastic/detection-rules pack (issue 10): the building block "Segfault Detected" feeds
// the threshold "Potential Buffer Overflow Attack Detected" (index .alerts-security.*), and the EQL
// building block "External IP Lookup from Non-Browser Process" feeds a new_terms rule over alerts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractPackRules, jsonLines, ROOT, runCli, runInProcess } from './run.js';

const FIXTURES = join(ROOT, 'test/fixtures/elastic-alerts');
const RULES = {
  segfault: 'rules_building_block/execution_linux_segfault.toml',
  overflow: 'rules/linux/privilege_escalation_potential_bufferoverflow_attack.toml',
  ipLookup: 'rules_building_block/discovery_post_exploitation_external_ip_lookup.toml',
  unusualExecutable: 'rules/windows/discovery_signal_unusual_discovery_signal_proc_executable.toml',
  githubUeba: 'rules/integrations/github/execution_github_ueba_multiple_behavior_alerts_from_account.toml',
  repoCreated: 'rules_building_block/execution_github_repo_created.toml',
  memberRemoved: 'rules_building_block/impact_github_member_removed_from_organization.toml',
  userBlocked: 'rules_building_block/impact_github_user_blocked_from_organization.toml',
  patRevoked: 'rules_building_block/impact_github_pat_access_revoked.toml',
  memberAdded: 'rules_building_block/persistence_github_new_user_added_to_organization.toml',
} as const;

const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-alert-chains-'));
const rule = (key: keyof typeof RULES) => join(tmp, RULES[key]);
const rules = (...keys: Array<keyof typeof RULES>) => ['--no-bundled', ...keys.flatMap((k) => ['--rules', rule(k)])];
beforeAll(() => {
  extractPackRules(tmp, Object.values(RULES));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function writeEvents(name: string, lines: string[]): string {
  const path = join(tmp, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const at = (seconds: number) => new Date(Date.UTC(2024, 4, 1, 10, 0, 0) + seconds * 1000).toISOString();

/** A kernel segfault line as the System integration's syslog data stream stores it. */
function segfault(seconds: number, hostId = 'h1', extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    '@timestamp': at(seconds),
    event: { ingested: at(seconds), dataset: 'system.syslog', module: 'system' },
    host: { id: hostId, name: `web-${hostId}`, os: { type: 'linux' } },
    data_stream: { type: 'logs', dataset: 'system.syslog', namespace: 'default' },
    process: { name: 'kernel' },
    message: `[${seconds}.0] app[${seconds}]: segfault at 0 ip 0000 sp 0000 error 4 in libc.so.6`,
    ...extra,
  });
}

const names = (stdout: string): string[] => jsonLines(stdout).map((a) => a.rule.name);
const count = (list: string[], name: string) => list.filter((n) => n === name).length;

describe('building block → higher-order rule (Segfault Detected → Potential Buffer Overflow Attack Detected)', () => {
  it('fires once 100 segfault alerts of one host fall within the 9-minute look-back', async () => {
    // 100 segfaults of h1 three seconds apart (within 9 minutes), in shuffled line order, and
    // 99 of h2: the threshold counts alerts per event.kind and host.id.
    const h1 = Array.from({ length: 100 }, (_, i) => segfault(i * 3, 'h1'));
    const h2 = Array.from({ length: 99 }, (_, i) => segfault(i * 3, 'h2'));
    const lines = [...h1.slice(50), ...h2, ...h1.slice(0, 50)];
    const r = await runInProcess([...rules('segfault', 'overflow'), '--format', 'json', writeEvents('segfaults.ndjson', lines)]);
    expect(r.stderr).not.toMatch(/error/i);
    const alerts = jsonLines(r.stdout);
    expect(count(names(r.stdout), 'Segfault Detected')).toBe(199);
    const overflow = alerts.filter((a) => a.rule.name === 'Potential Buffer Overflow Attack Detected');
    expect(overflow).toHaveLength(1);
    expect(overflow[0].threshold).toEqual({ fields: { 'event.kind': 'signal', 'host.id': 'h1' }, count: 100 });
    // The alert is the 100th segfault in event time: h1's last, line 50 of the file.
    expect(overflow[0].location.line).toBe(50);
    expect(overflow[0].document['kibana.alert.rule.rule_id']).toBe('5c81fc9d-1eae-437f-ba07-268472967013');
    expect(r.stderr).toMatch(/1 {2}Potential Buffer Overflow Attack Detected/);
  });

  it('stays silent below the threshold, when the segfaults spread beyond the look-back, and without its building block', async () => {
    const ninetyNine = writeEvents('99.ndjson', Array.from({ length: 99 }, (_, i) => segfault(i * 3)));
    const spread = writeEvents('spread.ndjson', Array.from({ length: 100 }, (_, i) => segfault(i * 10)));
    const hundred = writeEvents('100.ndjson', Array.from({ length: 100 }, (_, i) => segfault(i * 3)));
    for (const [args, file] of [
      [rules('segfault', 'overflow'), ninetyNine],
      [rules('segfault', 'overflow'), spread],
      [rules('overflow'), hundred],
    ] as const) {
      const r = await runInProcess([...args, '--format', 'json', file]);
      expect(count(names(r.stdout), 'Potential Buffer Overflow Attack Detected')).toBe(0);
    }
  });

  it('applies a higher-order rule’s exceptions to the alert documents it reads', async () => {
    const file = writeEvents('excepted.ndjson', Array.from({ length: 100 }, (_, i) => segfault(i)));
    const exception = (ruleId: string) =>
      writeEvents(
        `exception-${ruleId.slice(0, 8)}.toml`,
        [`[[exception]]`, `item_id = "lab"`, `name = "Lab host"`, `rules = ["${ruleId}"]`, `[[exception.entries]]`, `field = "kibana.alert.original_event.module"`, `type = "match"`, `operator = "included"`, `value = "system"`],
      );
    // On the higher-order rule: its query reads alert documents, so does its exception.
    const onHigher = await runInProcess([...rules('segfault', 'overflow'), '--exceptions', exception('b7c05aaf-78c2-4558-b069-87fa25973489'), '--format', 'json', file]);
    expect(onHigher.stderr).not.toMatch(/error/i);
    expect(count(names(onHigher.stdout), 'Segfault Detected')).toBe(100);
    expect(count(names(onHigher.stdout), 'Potential Buffer Overflow Attack Detected')).toBe(0);
    const without = await runInProcess([...rules('segfault', 'overflow'), '--format', 'json', file]);
    expect(count(names(without.stdout), 'Potential Buffer Overflow Attack Detected')).toBe(1);
  });

  it('gives the same alerts with --workers 2 as with one thread', async () => {
    const lines: string[] = [];
    for (let i = 0; lines.join('\n').length < 400_000; i++) lines.push(segfault(i % 600, `h${i % 3}`));
    const big = writeEvents('segfaults-big.ndjson', lines);
    const env = { LKM_SCAN_RANGE_BYTES: String(64 << 10) };
    const args = [...rules('segfault', 'overflow'), '--format', 'elastic', big];
    const [one, two] = await Promise.all([runCli(['--workers', '1', ...args], { env }), runCli(['--workers', '2', ...args], { env })]);
    expect(two.stderr).not.toMatch(/error/i);
    expect(count(jsonLines(one.stdout).map((d) => d['kibana.alert.rule.name']), 'Potential Buffer Overflow Attack Detected')).toBeGreaterThan(0);
    expect(two.stdout).toBe(one.stdout);
  });
});

describe('index patterns with a real rule (Segfault Detected reads logs-system.syslog-*)', () => {
  it('reads events of its data stream and events that do not say their index, not those of other indices', async () => {
    const bare = JSON.parse(segfault(0)) as Record<string, unknown>;
    delete bare.data_stream;
    const file = writeEvents('indices.ndjson', [
      /* 1 */ segfault(0),
      // No data_stream: event.dataset (system.syslog) alone names no index, so every rule reads it.
      /* 2 */ JSON.stringify(bare),
      /* 3 */ segfault(1, 'h1', { data_stream: { type: 'logs', dataset: 'system.auth', namespace: 'default' } }),
      /* 4 */ segfault(2, 'h1', { _index: 'filebeat-8.12.0-2024.05.01' }),
      /* 5 */ segfault(3, 'h1', { _index: '.ds-logs-system.syslog-prod-2024.05.01-000002' }),
    ]);
    const r = await runInProcess([...rules('segfault'), '--format', 'json', file]);
    expect(jsonLines(r.stdout).map((a) => a.location.line)).toEqual([1, 2, 5]);
  });
});

describe('EQL building block → new_terms rule over alerts (External IP Lookup → Unusual Process Executable)', () => {
  function lookup(seconds: number, executable: string, extra: Record<string, unknown> = {}): string {
    return JSON.stringify({
      '@timestamp': at(seconds),
      event: { category: ['network'], action: 'lookup_requested', ingested: at(seconds) },
      host: { id: 'w1', name: 'desk1', os: { type: 'windows' } },
      user: { id: 'S-1-5-21-1000' },
      network: { protocol: 'dns' },
      process: { name: executable.split('\\').pop(), executable },
      dns: { question: { name: 'api.ipify.org' } },
      data_stream: { type: 'logs', dataset: 'endpoint.events.network', namespace: 'default' },
      ...extra,
    });
  }

  it('alerts on the first alert of each new executable, and not on an event from another index', async () => {
    const file = writeEvents('lookups.ndjson', [
      lookup(0, 'C:\\Users\\a\\evil.exe'),
      lookup(60, 'C:\\Users\\a\\evil.exe'),
      lookup(120, 'C:\\Users\\a\\other.exe'),
      // The same lookup, but from the endpoint's process data stream: the building block reads network events only.
      lookup(180, 'C:\\Users\\a\\third.exe', { data_stream: { type: 'logs', dataset: 'endpoint.events.process', namespace: 'default' } }),
    ]);
    const r = await runInProcess([...rules('ipLookup', 'unusualExecutable'), '--format', 'json', file]);
    expect(r.stderr).not.toMatch(/error/i);
    const alerts = jsonLines(r.stdout).map((a) => [a.rule.name, a.location.line, a.new_terms]);
    expect(alerts).toEqual([
      ['External IP Lookup from Non-Browser Process', 1, undefined],
      ['External IP Lookup from Non-Browser Process', 2, undefined],
      ['External IP Lookup from Non-Browser Process', 3, undefined],
      ['Unusual Discovery Signal Alert with Unusual Process Executable', 1, { 'host.id': 'w1', 'user.id': 'S-1-5-21-1000', 'process.executable': 'C:\\Users\\a\\evil.exe' }],
      ['Unusual Discovery Signal Alert with Unusual Process Executable', 3, { 'host.id': 'w1', 'user.id': 'S-1-5-21-1000', 'process.executable': 'C:\\Users\\a\\other.exe' }],
    ]);
  });
});

describe('legacy signal.* names over alerts (GitHub UEBA - Multiple Alerts from a GitHub Account)', () => {
  // The higher-order rule counts, per user.name, distinct `signal.rule.name` (an alias of
  // kibana.alert.rule.name) among alerts tagged UEBA and GitHub, over the last 60 minutes.
  const audit = (minute: number, action: string, user = 'mallory') =>
    JSON.stringify({
      '@timestamp': at(minute * 60),
      event: { category: ['configuration'], dataset: 'github.audit', module: 'github', action, ingested: at(minute * 60) },
      data_stream: { type: 'logs', dataset: 'github.audit', namespace: 'default' },
      user: { name: user },
      github: { org: 'acme' },
    });
  const blocks = ['repoCreated', 'memberRemoved', 'userBlocked', 'patRevoked', 'memberAdded'] as const;
  const actions = ['repo.create', 'org.remove_member', 'org.block_user', 'personal_access_token.access_revoked', 'org.add_member'];

  it('fires when alerts of five different UEBA rules concern one account within the hour', async () => {
    const file = writeEvents('github.ndjson', [
      ...actions.map((a, i) => audit(i * 10, a)),
      // Another account with four behaviours, one of them twice: four distinct rules, not enough.
      ...actions.slice(0, 4).map((a, i) => audit(i, a, 'bob')),
      audit(5, actions[0]!, 'bob'),
    ]);
    const r = await runInProcess([...rules('githubUeba', ...blocks), '--format', 'json', file]);
    expect(r.stderr).not.toMatch(/error/i);
    const ueba = jsonLines(r.stdout).filter((a) => a.rule.name === 'GitHub UEBA - Multiple Alerts from a GitHub Account');
    expect(ueba.map((a) => [a.threshold.fields, a.threshold.cardinality])).toEqual([[{ 'user.name': 'mallory' }, { field: 'signal.rule.name', value: 5 }]]);
  });

  it('does not fire when the five behaviours spread over more than the hour', async () => {
    const file = writeEvents('github-slow.ndjson', actions.map((a, i) => audit(i * 20, a)));
    const r = await runInProcess([...rules('githubUeba', ...blocks), '--format', 'json', file]);
    expect(names(r.stdout).filter((n) => n.startsWith('GitHub UEBA'))).toEqual([]);
    expect(names(r.stdout)).toHaveLength(5);
  });
});

/**
 * The `kibana.*` fields Kibana's detection engine writes in an alert (security_solution
 * `build_alert.ts`, `common/field_maps/field_names.ts`, `@kbn/rule-data-utils`): every such key of
 * an lkm-scan document must be one of them, with the value type Kibana's alert mappings give it.
 */
describe('a scan whose rules all read alerts', () => {
  it('exits 2 through the binary: without the rules that make the alerts, no event is evaluated', async () => {
    const r = await runCli([...rules('overflow'), writeEvents('segfault-only.ndjson', [segfault(0)])]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('every selected rule reads alerts (index .alerts-security.*) and none reads events');
  });
});

const KIBANA_FIELDS: Record<string, 'string' | 'number' | 'boolean' | 'array' | 'object'> = {
  'kibana.space_ids': 'array',
  'kibana.alert.original_time': 'string',
  'kibana.alert.rule.consumer': 'string',
  'kibana.alert.ancestors': 'array',
  'kibana.alert.status': 'string',
  'kibana.alert.workflow_status': 'string',
  'kibana.alert.depth': 'number',
  'kibana.alert.reason': 'string',
  'kibana.alert.building_block_type': 'string',
  'kibana.alert.severity': 'string',
  'kibana.alert.risk_score': 'number',
  'kibana.alert.rule.author': 'array',
  'kibana.alert.rule.description': 'string',
  'kibana.alert.rule.enabled': 'boolean',
  'kibana.alert.rule.false_positives': 'array',
  'kibana.alert.rule.from': 'string',
  'kibana.alert.rule.immutable': 'boolean',
  'kibana.alert.rule.interval': 'string',
  'kibana.alert.rule.indices': 'array',
  'kibana.alert.rule.license': 'string',
  'kibana.alert.rule.name': 'string',
  'kibana.alert.rule.note': 'string',
  'kibana.alert.rule.references': 'array',
  'kibana.alert.rule.rule_id': 'string',
  'kibana.alert.rule.tags': 'array',
  'kibana.alert.rule.threat': 'array',
  'kibana.alert.rule.timestamp_override': 'string',
  'kibana.alert.rule.type': 'string',
  'kibana.alert.rule.uuid': 'string',
  'kibana.alert.rule.risk_score': 'number',
  'kibana.alert.rule.severity': 'string',
  'kibana.alert.rule.building_block_type': 'string',
  'kibana.alert.new_terms': 'array',
  'kibana.alert.threshold_result': 'object',
  'kibana.alert.uuid': 'string',
};

function shapeProblems(doc: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const typeOf = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
  for (const [key, value] of Object.entries(doc)) {
    if (key.startsWith('kibana.alert.original_event.')) continue;
    if (key.startsWith('kibana')) {
      if (!(key in KIBANA_FIELDS)) problems.push(`unknown field ${key}`);
      else if (typeOf(value) !== KIBANA_FIELDS[key]) problems.push(`${key} is ${typeOf(value)}, not ${KIBANA_FIELDS[key]}`);
    }
  }
  for (const required of ['@timestamp', 'event.kind', 'kibana.alert.uuid', 'kibana.alert.rule.rule_id', 'kibana.alert.rule.name', 'kibana.alert.severity', 'kibana.alert.risk_score', 'kibana.alert.status', 'kibana.alert.workflow_status']) {
    if (!(required in doc)) problems.push(`no ${required}`);
  }
  if (doc['event.kind'] !== 'signal') problems.push('event.kind is not signal');
  if (typeof doc['@timestamp'] !== 'string' || Number.isNaN(Date.parse(doc['@timestamp']))) problems.push('@timestamp is not a date');
  if (typeof doc['kibana.alert.uuid'] !== 'string' || !/^[0-9a-f]{64}$/.test(doc['kibana.alert.uuid'])) problems.push('kibana.alert.uuid is not a sha256');
  if ('event' in doc) problems.push('the event object is not flattened');
  return problems;
}

describe('--format elastic', () => {
  it('writes the expected alert documents of the fixture, in the shape of the alerts index', async () => {
    const r = await runInProcess([...rules('segfault'), '--format', 'elastic', join(FIXTURES, 'segfault-events.ndjson')]);
    expect(r.code).toBe(1);
    const docs = jsonLines(r.stdout);
    expect(docs).toEqual(jsonLines(readFileSync(join(FIXTURES, 'segfault-alerts.expected.ndjson'), 'utf8')));
    // Lines 1 and 3: line 2 is no segfault, line 4 comes from a filebeat-* index the rule does not read.
    expect(docs.map((d) => d['kibana.alert.ancestors'][0].index)).toEqual(['logs-system.syslog-default', '.ds-logs-system.syslog-default-2024.05.01-000001']);
    for (const doc of docs) expect(shapeProblems(doc)).toEqual([]);
  });

  it('writes a long beyond 2^53 with its own digits', async () => {
    const line = segfault(0).replace('"process":{"name":"kernel"}', '"process":{"name":"kernel","pid":9007199254740993}');
    const r = await runInProcess([...rules('segfault'), '--format', 'elastic', writeEvents('long.ndjson', [line])]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.stdout).toContain('"process":{"name":"kernel","pid":9007199254740993}');
    expect(jsonLines(r.stdout)).toHaveLength(1);
  });

  it('gives the same kibana.alert.uuid for the same event and rule, run after run', async () => {
    const args = [...rules('segfault'), '--format', 'elastic', join(FIXTURES, 'segfault-events.ndjson')];
    const [a, b] = [await runInProcess(args), await runInProcess(args)];
    expect(a.stdout).toBe(b.stdout);
    const ids = jsonLines(a.stdout).map((d) => d['kibana.alert.uuid']);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('writes threshold, new_terms and higher-order alerts in the same shape', async () => {
    const file = writeEvents('shape.ndjson', Array.from({ length: 100 }, (_, i) => segfault(i)));
    const r = await runInProcess([...rules('segfault', 'overflow'), '--format', 'elastic', file]);
    const docs = jsonLines(r.stdout);
    const overflow = docs.filter((d) => d['kibana.alert.rule.name'] === 'Potential Buffer Overflow Attack Detected');
    expect(overflow).toHaveLength(1);
    // As Kibana builds a threshold alert: from the group's terms and time only, its one parent the
    // group (type event, in the rule's indices), so depth 1 even over alerts.
    expect(overflow[0]).toMatchObject({
      '@timestamp': at(99),
      host: { id: 'h1' },
      'event.kind': 'signal',
      'kibana.alert.depth': 1,
      'kibana.alert.rule.type': 'threshold',
      'kibana.alert.threshold_result': { terms: [{ field: 'event.kind', value: 'signal' }, { field: 'host.id', value: 'h1' }], count: 100 },
      'kibana.alert.original_event.kind': 'signal',
      'kibana.alert.original_time': at(99),
    });
    expect(overflow[0]).not.toHaveProperty('message');
    expect(overflow[0]['kibana.alert.ancestors']).toEqual([{ id: expect.stringMatching(/^[0-9a-f]{64}$/), type: 'event', index: '.alerts-security.*', depth: 0 }]);
    for (const doc of docs) expect(shapeProblems(doc)).toEqual([]);
  });
});
