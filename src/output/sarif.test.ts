import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../engine/alert.js';
import { parseJson } from '../event/json.js';
import type { QueryRule, Severity } from '../rules/types.js';
import { BatchedWriter } from './batchedWriter.js';
import { alertFingerprint, artifactLocation, helpUri, resultMessage, ruleHelp, ruleTags, securitySeverity } from './sarif.js';
import { SarifSink } from './sarifSink.js';

function rule(over: Partial<QueryRule> = {}): QueryRule {
  return {
    type: 'query',
    language: 'kuery',
    id: 'r-1',
    name: 'Rule One',
    description: 'Finds one thing.',
    severity: 'medium',
    riskScore: 47,
    tags: ['OS: Linux', 'Tactic: Persistence'],
    threat: [],
    author: [],
    references: [],
    falsePositives: [],
    index: [],
    buildingBlock: false,
    deprecated: false,
    query: 'a:b',
    filters: [],
    enabled: true,
    source: { file: 'r.toml', queryStart: { line: 1, column: 1 }, bundled: false },
    ...over,
  };
}

function alert(r: QueryRule, line: number, event: Record<string, unknown> = { host: { name: 'web-01' } }): Alert {
  return { rule: r, timeMs: Date.UTC(2024, 4, 1), event, location: { file: 'logs/a.ndjson', line } };
}

/** GitHub's reading of security-severity (its docs: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, else low). */
const githubBand = (score: string): Severity => {
  const n = Number(score);
  return n > 9 ? 'critical' : n >= 7 ? 'high' : n >= 4 ? 'medium' : 'low';
};

describe('security-severity', () => {
  it.each([
    ['low', 21, '3.9'],
    ['medium', 47, '6.9'],
    ['high', 73, '8.9'],
    ['critical', 99, '10.0'],
    ['critical', 74, '9.1'],
    ['medium', 22, '4.0'],
    ['low', 0, '0.1'],
  ] as const)('%s with risk %i is %s', (severity, riskScore, expected) => {
    expect(securitySeverity({ severity, riskScore })).toBe(expected);
  });

  it("lands in GitHub's band for the rule's severity whatever the risk score says", () => {
    for (const severity of ['low', 'medium', 'high', 'critical'] as const) {
      for (let riskScore = 0; riskScore <= 100; riskScore++) {
        const score = securitySeverity({ severity, riskScore });
        expect(score).toMatch(/^\d+\.\d$/);
        expect(githubBand(score)).toBe(severity);
      }
    }
  });
});

describe('rule descriptors', () => {
  const tactic = (id: string) => ({ id, name: id });
  const technique = { id: 'T1547', name: 'Boot', subtechnique: [{ id: 'T1547.006', name: 'Kernel Modules' }] };

  it('lists a technique mapped under two tactics once, ATT&CK ids before the rule tags', () => {
    const tags = ruleTags(
      rule({
        threat: [
          { framework: 'MITRE ATT&CK', tactic: tactic('TA0003'), technique: [technique] },
          { framework: 'MITRE ATT&CK', tactic: tactic('TA0004'), technique: [technique] },
        ],
      }),
    );
    expect(tags).toEqual(['T1547', 'T1547.006', 'TA0003', 'TA0004', 'OS: Linux', 'Tactic: Persistence']);
  });

  it('keeps at most 20 tags, ATT&CK ids first', () => {
    const tags = ruleTags(rule({ tags: Array.from({ length: 30 }, (_, i) => `tag ${i}`), threat: [{ framework: 'MITRE ATT&CK', tactic: tactic('TA0003') }] }));
    expect(tags).toHaveLength(20);
    expect(tags[0]).toBe('TA0003');
  });

  it('takes the first http(s) reference as helpUri, as a valid URI', () => {
    expect(helpUri(['not a url', 'ftp://x/y', 'https://example.com/a b', 'https://second'])).toBe('https://example.com/a%20b');
    expect(helpUri(['see the wiki'])).toBeUndefined();
  });

  it('writes help from the description, false positives, investigation note and references', () => {
    const help = ruleHelp(rule({ falsePositives: ['Admins loading drivers.'], note: '## Triage and analysis\n\nLook at the parent.', references: ['https://a'] }));
    expect(help.text).toBe(
      'Finds one thing.\n\nFalse positives:\n- Admins loading drivers.\n\nInvestigation notes:\n## Triage and analysis\n\nLook at the parent.\n\nReferences:\n- https://a',
    );
    expect(help.markdown).toContain('## False positives\n\n- Admins loading drivers.');
    expect(help.markdown).toContain('## Triage and analysis');
  });
});

describe('result locations and messages', () => {
  it('is relative to SRCROOT below the working directory, a file: URI elsewhere, /dev/stdin for stdin', () => {
    expect(artifactLocation('logs/a b#1%.ndjson', '/work/repo')).toEqual({ uri: 'logs/a%20b%231%25.ndjson', uriBaseId: '%SRCROOT%' });
    expect(artifactLocation('/work/repo/logs/x.ndjson', '/work/repo')).toEqual({ uri: 'logs/x.ndjson', uriBaseId: '%SRCROOT%' });
    expect(artifactLocation('../other/x.ndjson', '/work/repo')).toEqual({ uri: 'file:///work/other/x.ndjson' });
    expect(artifactLocation('/var/log/x y.ndjson', '/work/repo')).toEqual({ uri: 'file:///var/log/x%20y.ndjson' });
    expect(artifactLocation('<stdin>', '/work/repo')).toEqual({ uri: 'file:///dev/stdin' });
  });

  it('names the rule, host, user, process and file, with event values cut short', () => {
    const event = { host: { name: 'h' }, user: { name: 'u' }, process: { name: 'p', pid: 7, executable: '/bin/p' }, file: { path: 'x'.repeat(500) } };
    const text = resultMessage(alert(rule(), 1, event));
    expect(text).toBe(`Rule One (medium, risk 47): host h; user u; process p (pid 7, /bin/p); file ${'x'.repeat(199)}….`);
    expect(resultMessage(alert(rule(), 1, {}))).toBe('Rule One (medium, risk 47).');
  });
});

/** A Writable that keeps what it was given, as text. */
function capture() {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { out, text: () => text };
}

const outcome = { inputErrors: [], malformed: 0, interrupted: false };

describe('the SARIF sink', () => {
  it('writes each result as it comes, before the scan ends, and keeps no alert', async () => {
    const { out, text } = capture();
    const sink = new SarifSink(new BatchedWriter(out), [rule()], '1.0.0', { allRules: false, maxResults: 100, cwd: '/work' });
    sink.write(alert(rule(), 1));
    await sink.pace();
    await new Promise((resolve) => setImmediate(resolve));
    expect(text()).toContain('"startLine":1');
    expect(text()).not.toContain('"tool"');
    await sink.end(outcome);
    expect(JSON.parse(text()).runs[0].results).toHaveLength(1);
  });

  it('lists the rules that fired in the order they first fired, and points each result at its rule', async () => {
    const { out, text } = capture();
    const [a, b, c] = [rule({ id: 'a' }), rule({ id: 'b' }), rule({ id: 'c' })];
    const sink = new SarifSink(new BatchedWriter(out), [a, b, c], '1.0.0', { allRules: false, maxResults: 100, cwd: '/work' });
    for (const [r, line] of [[c, 1], [a, 2], [c, 3]] as const) sink.write(alert(r, line));
    await sink.end(outcome);
    const run = JSON.parse(text()).runs[0];
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(['c', 'a']);
    expect(run.results.map((r: { ruleId: string; ruleIndex: number }) => [r.ruleId, r.ruleIndex])).toEqual([['c', 0], ['a', 1], ['c', 0]]);
  });

  it('with allRules, lists the silent rules after those that fired', async () => {
    const { out, text } = capture();
    const [a, b] = [rule({ id: 'a' }), rule({ id: 'b' })];
    const sink = new SarifSink(new BatchedWriter(out), [a, b], '1.0.0', { allRules: true, maxResults: 100, cwd: '/work' });
    sink.write(alert(b, 1));
    await sink.end(outcome);
    expect(JSON.parse(text()).runs[0].tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(['b', 'a']);
  });

  it('is a complete document with no results, and says why a scan was incomplete', async () => {
    const { out, text } = capture();
    const sink = new SarifSink(new BatchedWriter(out), [rule()], '1.0.0', { allRules: false, maxResults: 100, cwd: '/work' });
    await sink.end({ inputErrors: [{ source: 'x.ndjson', message: 'cannot read: EIO' }], malformed: 3, interrupted: true });
    const run = JSON.parse(text()).runs[0];
    expect(run.results).toEqual([]);
    expect(run.tool.driver.rules).toEqual([]);
    expect(run.invocations[0].executionSuccessful).toBe(false);
    expect(run.invocations[0].toolExecutionNotifications.map((n: { level: string }) => n.level)).toEqual(['error', 'warning', 'error']);
    expect(run.invocations[0].toolExecutionNotifications[2].message.text).toMatch(/interrupted/);
  });
});

describe('SARIF with integers beyond 2^53', () => {
  it('writes their digits, and tells alerts on 9007199254740993 and 9007199254740992 apart', async () => {
    const event = (text: string) => parseJson(`{"process":{"name":"p","pid":${text}}}`) as Record<string, unknown>;
    const a993: Alert = { ...alert(rule(), 1, event('9007199254740993')), newTerms: { 'process.pid': 9007199254740993n } };
    const a992: Alert = { ...alert(rule(), 1, event('9007199254740992')), newTerms: { 'process.pid': 9007199254740992 } };
    expect(alertFingerprint(a993)).not.toBe(alertFingerprint(a992));
    expect(resultMessage(a993)).toContain('pid 9007199254740993');
    const { out, text } = capture();
    const sink = new SarifSink(new BatchedWriter(out), [rule()], '1.0.0', { allRules: false, maxResults: 100, cwd: '/work' });
    sink.write(a993);
    await sink.end(outcome);
    expect(text()).toContain('"new_terms":{"process.pid":9007199254740993}');
    expect(text()).not.toContain('9007199254740992');
  });
});
