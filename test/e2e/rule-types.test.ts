import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, runInProcess as runCli } from './run.js';

// EQL sequences, samples and pipes end to end (SPEC §A.9), through the built CLI.

const RULES = {
  tmpExec: { file: 'sequence_tmp_exec.toml', id: '22222222-0000-4000-8000-000000000001' },
  noMfa: { file: 'sequence_missing_mfa.toml', id: '22222222-0000-4000-8000-000000000002' },
  recon: { file: 'sample_recon.toml', id: '22222222-0000-4000-8000-000000000003' },
  lastCurl: { file: 'eql_tail_curl.toml', id: '22222222-0000-4000-8000-000000000004' },
  cat: { file: 'sequence_elastic_cat_network.toml', id: 'afd04601-12fc-4149-9b78-9c3f8fe45d39' },
};

const rulesArgs = (...rules: Array<{ file: string }>) => [
  '--no-bundled',
  ...rules.flatMap((r) => ['--rules', `test/fixtures/rules/${r.file}`]),
  '--format',
  'json',
];

/** `@timestamp` = 2024-05-01T10:00:00Z plus `s` seconds. */
const at = (s: number) => new Date(Date.UTC(2024, 4, 1, 10, 0, 0) + s * 1000).toISOString();

const file = (s: number, host: string, type: string, path: string) => ({
  '@timestamp': at(s),
  event: { category: ['file'], type: [type] },
  host: { id: host, os: { type: 'linux' } },
  file: { path },
});
const proc = (s: number, host: string, name: string, executable = `/usr/bin/${name}`, extra: object = {}) => ({
  '@timestamp': at(s),
  event: { category: ['process'], type: ['start'], action: 'exec' },
  host: { id: host, os: { type: 'linux' } },
  process: { name, executable },
  ...extra,
});
const auth = (s: number, user: string, outcome: string, action = 'login') => ({
  '@timestamp': at(s),
  event: { category: ['authentication'], outcome, action },
  user: { name: user },
});
const catExec = (s: number, entity: string) =>
  proc(s, 'h1', 'cat', '/usr/bin/cat', { process: { name: 'cat', executable: '/usr/bin/cat', entity_id: entity, parent: { name: 'bash' } } });
const catConnect = (s: number, entity: string, ip: string) => ({
  '@timestamp': at(s),
  event: { category: ['network'], type: ['start'], action: 'connection_attempted' },
  host: { id: 'h1', os: { type: 'linux' } },
  process: { name: 'cat', entity_id: entity },
  destination: { ip },
});

/** One input for every rule; the comment after each line says what it is for. Lines are 1-based. */
const EVENTS: object[] = [
  file(0, 'h1', 'creation', '/tmp/x'), //                     1  tmpExec: fires with 2
  proc(5, 'h1', 'x', '/tmp/x'), //                            2
  proc(10, 'h1', 'y', '/tmp/y'), //                           3  wrong order: exec before the write
  file(11, 'h1', 'creation', '/tmp/y'), //                    4
  file(20, 'h1', 'creation', '/tmp/z'), //                    5  outside maxspan: 40 s > 30 s
  proc(60, 'h1', 'z', '/tmp/z'), //                           6
  file(70, 'h1', 'creation', '/tmp/w'), //                    7  another host: different join key
  proc(71, 'h2', 'w', '/tmp/w'), //                           8
  file(80, 'h1', 'creation', '/tmp/v'), //                    9  interrupted by until (deleted first)
  file(81, 'h1', 'deletion', '/tmp/v'), //                   10
  proc(82, 'h1', 'v', '/tmp/v'), //                          11
  auth(200, 'alice', 'failure'), //                          12  noMfa: the MFA prompt in between rejects it
  auth(201, 'alice', 'unknown', 'mfa_prompt'), //            13
  auth(202, 'alice', 'success'), //                          14
  auth(300, 'bob', 'failure'), //                            15  noMfa: fires with 16
  auth(301, 'bob', 'success'), //                            16
  proc(400, 'h3', 'whoami'), //                              17  recon: h3 gets whoami, uname, id in any order
  proc(401, 'h4', 'uname'), //                               18  (h4 never completes)
  proc(402, 'h3', 'id'), //                                  19
  proc(403, 'h3', 'uname'), //                               20  completes h3's sample
  proc(404, 'h3', 'whoami'), //                              21  h3 already sampled: no second sample
  proc(502, 'h1', 'curl'), //                                22  lastCurl: the latest by time, though not the last line
  proc(501, 'h1', 'curl'), //                                23
  catExec(600, 'E1'), //                                     24  Elastic cat rule: fires with 25
  catConnect(601, 'E1', '8.8.8.8'), //                       25
  catExec(610, 'E2'), //                                     26  private destination: excluded by the query
  catConnect(611, 'E2', '10.1.2.3'), //                      27
  catExec(620, 'E3'), //                                     28  4 s later: outside maxspan=3s
  catConnect(624, 'E3', '1.1.1.1'), //                       29
  catExec(630, 'E4'), //                                     30  another process: different join key
  catConnect(631, 'E5', '1.1.1.1'), //                       31
];

const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-rule-types-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const inputFile = (name: string, events: object[]) => {
  const path = join(tmp, name);
  writeFileSync(path, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  return path;
};

/** What identifies an alert: the rule, its own line and the lines of its events. */
const shape = (a: any) => ({ id: a.rule.id, line: a.location.line, events: a.events?.map((e: any) => e.location.line) });
const byIdThenLine = (a: { id: string; line: number }, b: { id: string; line: number }) => a.id.localeCompare(b.id) || a.line - b.line;

describe.concurrent('EQL sequences, samples and pipes end to end (SPEC §A.9)', () => {
  it('fires exactly the expected alerts over a file, and none of the near misses', async () => {
    const path = inputFile('all.ndjson', EVENTS);
    const r = await runCli([...rulesArgs(...Object.values(RULES)), path]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(1);
    const alerts = jsonLines(r.stdout);
    expect(alerts.map(shape).sort(byIdThenLine)).toEqual(
      [
        { id: RULES.tmpExec.id, line: 2, events: [1, 2] },
        { id: RULES.noMfa.id, line: 16, events: [15, 16] },
        // Sample events come in query order (whoami, uname, id); the alert is the last one's.
        { id: RULES.recon.id, line: 19, events: [17, 20, 19] },
        { id: RULES.lastCurl.id, line: 22, events: undefined },
        { id: RULES.cat.id, line: 25, events: [24, 25] },
      ].sort(byIdThenLine),
    );
    const seq = alerts.find((a) => a.rule.id === RULES.tmpExec.id);
    expect(Object.keys(seq)).toEqual(['timestamp', 'rule', 'events', 'location', 'document']);
    expect(seq.rule.type).toBe('eql');
    expect(seq.events[0]).toEqual({ location: { file: path, line: 1 }, document: EVENTS[0] });
    expect(seq.document).toEqual(EVENTS[1]);
    expect(seq.timestamp).toBe(at(5));
  });

  it('orders a sequence by @timestamp, not by line order nor timestamp_override (event.ingested)', async () => {
    const exec = { ...proc(5, 'h1', 'x', '/tmp/x'), event: { category: ['process'], type: ['start'], ingested: at(1) } };
    const write = { ...file(0, 'h1', 'creation', '/tmp/x'), event: { category: ['file'], type: ['creation'], ingested: at(9) } };
    const path = inputFile('reversed.ndjson', [exec, write]);
    const r = await runCli([...rulesArgs(RULES.tmpExec), path]);
    expect(jsonLines(r.stdout).map(shape)).toEqual([{ id: RULES.tmpExec.id, line: 1, events: [2, 1] }]);
    // The alert's own timestamp still follows the rule's timestamp_override (SPEC §D).
    expect(jsonLines(r.stdout)[0].timestamp).toBe(at(1));
  });

  it('decides sequences live on stdin, as events arrive', async () => {
    const input = EVENTS.slice(0, 11).map((e) => JSON.stringify(e)).join('\n');
    const r = await runCli(rulesArgs(RULES.tmpExec), { stdin: input });
    expect(jsonLines(r.stdout).map(shape)).toEqual([{ id: RULES.tmpExec.id, line: 2, events: [1, 2] }]);
  });

  it('prints a sequence in text output as numbered rows pointing at each event', async () => {
    const input = EVENTS.slice(0, 2).map((e) => JSON.stringify(e)).join('\n');
    const args = rulesArgs(RULES.tmpExec).slice(0, -2);
    const r = await runCli(args, { stdin: input });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('rule     22222222-0000-4000-8000-000000000001 (eql, eql)');
    expect(r.stdout).toMatch(/\n {2}sequence 1\. <stdin>:1 {2}\/tmp\/x\n {11}2\. <stdin>:2 {2}exec {2}x\n {2}at {7}<stdin>:2\n/);
  });
});
