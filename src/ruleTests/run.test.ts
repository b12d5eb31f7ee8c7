import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RuleFolders, runTestFile, type FileResult } from './run.js';

const FIXTURE_RULES = resolve('test/fixtures/rules');
const BUNDLED = resolve('rules');
const root = mkdtempSync(join(tmpdir(), 'lkm-ruletest-'));
let n = 0;

/** Writes a test file (and extra files beside it) in a fresh folder and runs it. */
async function run(text: string, files: Record<string, string> = {}): Promise<FileResult> {
  const dir = join(root, String(n++));
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  writeFileSync(join(dir, 't.toml'), text);
  return runTestFile(join(dir, 't.toml'), 't.toml', new RuleFolders(), { mappingPaths: [], now: Date.UTC(2026, 0, 1) });
}

const PROC_RULE = `rule = "${BUNDLED}/discovery_kernel_module_enumeration_via_proc.toml"\n`;
const read = (ts: string, exe: string) => JSON.stringify({ '@timestamp': ts, host: { os: { type: 'linux' } }, event: { category: ['file'], action: 'opened-file' }, file: { path: '/proc/modules' }, process: { executable: exe } });

describe('running rule tests through the scan engine', () => {
  it('passes a case whose alerts are the ones expected and fails one whose are not', async () => {
    const r = await run(
      `${PROC_RULE}
[[case]]
name = "right"
events = ["e.ndjson"]
[[case.alert]]
event = "e.ndjson:2"
new_terms = { "process.executable" = "/usr/bin/kmod" }

[[case]]
name = "wrong"
events = ["e.ndjson"]
alerts = 0
`,
      { 'e.ndjson': `${read('2024-05-02T00:00:00Z', '/usr/bin/kmod')}\n${read('2024-05-01T00:00:00Z', '/usr/bin/kmod')}\n` },
    );
    expect(r.broken).toBeUndefined();
    expect(r.rule?.name).toBe('Enumeration of Kernel Modules via Proc');
    expect(r.cases.map((c) => [c.name, c.status])).toEqual([
      ['right', 'passed'],
      ['wrong', 'failed'],
    ]);
    expect(r.cases[1]!.got).toEqual([{ event: { kind: 'file', file: 'e.ndjson', line: 2 }, newTerms: { 'process.executable': '"/usr/bin/kmod"' } }]);
  });

  it('gives every case a fresh new_terms history', async () => {
    // Shared history would make the second case's term old, and it would not alert.
    const kase = (name: string) => `[[case]]\nname = "${name}"\nevents = ["e.ndjson"]\nalerts = 1\n`;
    const r = await run(`${PROC_RULE}${kase('first')}${kase('second')}`, { 'e.ndjson': read('2024-05-01T00:00:00Z', '/usr/bin/kmod') + '\n' });
    expect(r.cases.map((c) => c.status)).toEqual(['passed', 'passed']);
  });

  it('learns a baseline as new_terms history before the events', async () => {
    const r = await run(`${PROC_RULE}[[case]]\nname = "b"\nbaseline = ["old.ndjson"]\nevents = ["e.ndjson"]\nalerts = 0\n`, {
      'old.ndjson': read('2024-04-30T00:00:00Z', '/usr/bin/kmod') + '\n',
      'e.ndjson': read('2024-05-01T00:00:00Z', '/usr/bin/kmod') + '\n',
    });
    expect(r.cases[0]!.status).toBe('passed');
  });

  it('checks threshold groups, counts and cardinality', async () => {
    const fail = (i: number, user: string, ip: string) => JSON.stringify({ '@timestamp': `2024-05-01T10:00:0${i}Z`, event: { category: ['authentication'], outcome: 'failure' }, process: { name: 'sshd' }, user: { name: user }, source: { ip } });
    const events = [fail(1, 'root', '10.0.0.1'), fail(2, 'root', '10.0.0.2'), fail(3, 'root', '10.0.0.1'), fail(4, 'bob', '10.0.0.1')].join('\n') + '\n';
    const r = await run(
      `rule = "${FIXTURE_RULES}/threshold_brute_force.toml"
[[case]]
name = "root reaches 3 failures from 2 addresses"
events = ["e.ndjson"]
[[case.alert]]
event = "e.ndjson:3"
threshold = { fields = { "user.name" = "root" }, count = 3, cardinality = 2 }

[[case]]
name = "not bob"
events = ["e.ndjson"]
[[case.alert]]
threshold = { fields = { "user.name" = "bob" } }
`,
      { 'e.ndjson': events },
    );
    expect(r.cases.map((c) => c.status)).toEqual(['passed', 'failed']);
    expect(r.cases[1]!.diff.unexpected).toEqual([{ event: { kind: 'file', file: 'e.ndjson', line: 3 }, threshold: { fields: { 'user.name': '"root"' }, count: 3, cardinality: 2 } }]);
  });

  it("checks a sequence's events, inline events counted from 1", async () => {
    const r = await run(`rule = "${FIXTURE_RULES}/sequence_tmp_exec.toml"
[[case]]
name = "write then exec"
[[case.event]]
"@timestamp" = "2024-05-01T10:00:00Z"
event = { category = ["file"], type = ["creation"] }
host.id = "h1"
file.path = "/tmp/x"
[[case.event]]
"@timestamp" = "2024-05-01T10:00:05Z"
event = { category = ["process"], type = ["start"] }
host.id = "h1"
process.executable = "/tmp/x"
[[case.alert]]
events = [1, 2]
`);
    expect(r.cases[0]!.status).toBe('passed');
    expect(r.cases[0]!.got).toEqual([{ event: { kind: 'inline', index: 2 }, events: [{ kind: 'inline', index: 1 }, { kind: 'inline', index: 2 }] }]);
  });

  it('applies a case’s exceptions as a scan applies --exceptions', async () => {
    const exception = `[[exception]]\nitem_id = "kmod"\nname = "kmod is fine"\nrules = ["*"]\n[[exception.entries]]\nfield = "process.executable"\ntype = "match"\noperator = "included"\nvalue = "/usr/bin/kmod"\n`;
    const r = await run(`${PROC_RULE}[[case]]\nname = "excepted"\nevents = ["e.ndjson"]\nexceptions = ["exc.toml"]\nalerts = 0\n`, { 'exc.toml': exception, 'e.ndjson': read('2024-05-01T00:00:00Z', '/usr/bin/kmod') + '\n' });
    expect(r.cases[0]!.problem).toBeUndefined();
    expect(r.cases[0]!.status).toBe('passed');
  });

  it('marks a case broken when its events hold a malformed line, and runs the others', async () => {
    const r = await run(`${PROC_RULE}[[case]]\nname = "bad"\nevents = ["bad.ndjson"]\nalerts = 0\n[[case]]\nname = "good"\nevents = ["e.ndjson"]\nalerts = 1\n`, {
      'bad.ndjson': 'not json at all\n',
      'e.ndjson': read('2024-05-01T00:00:00Z', '/usr/bin/kmod') + '\n',
    });
    expect(r.cases.map((c) => c.status)).toEqual(['broken', 'passed']);
    expect(r.cases[0]!.problem).toMatch(/^1 malformed line \(bad\.ndjson:1: /);
  });

  it('marks a case broken when it gives a baseline to a rule without history', async () => {
    const r = await run(`rule = "${BUNDLED}/persistence_creation_of_kernel_module.toml"\n[[case]]\nname = "b"\nbaseline = ["e.ndjson"]\nevents = ["e.ndjson"]\nalerts = 0\n`, { 'e.ndjson': '{}\n' });
    expect(r.cases[0]!.status).toBe('broken');
    expect(r.cases[0]!.problem).toMatch(/`baseline` is new_terms history, and "Deprecated - Creation of Kernel Module" is a eql rule/);
  });

  it('breaks the test file when its rule_id names no rule of the rules folder', async () => {
    const dir = join(root, 'pack');
    mkdirSync(join(dir, 'tests', 'x'), { recursive: true });
    writeFileSync(join(dir, 'tests', 'x', 't.toml'), 'rule = "no-such-id"\n[[case]]\nname = "x"\nevents = "e.ndjson"\nalerts = 0\n');
    writeFileSync(join(dir, 'tests', 'x', 'e.ndjson'), '{}\n');
    const r = await runTestFile(join(dir, 'tests', 'x', 't.toml'), 't.toml', new RuleFolders(), { mappingPaths: [], now: 0 });
    expect(r.cases).toEqual([]);
    expect(r.broken?.message).toMatch(/^no rule with rule_id "no-such-id" in /);
    expect(r.broken?.text).toContain('`rule` takes a rule_id exactly');
    expect(r.broken?.line).toBe(1);
  });

  it('breaks the test file, at its rule line, when the rule file is missing', async () => {
    const r = await run('# tests\nrule = "../missing.toml"\n[[case]]\nname = "x"\nevents = "e.ndjson"\nalerts = 0\n', { 'e.ndjson': '{}\n' });
    expect(r.broken).toMatchObject({ message: '`rule` names "../missing.toml", which cannot be read (ENOENT); the path is relative to the test file', line: 2, column: 1 });
  });

  it('breaks the test file when its rule file does not load', async () => {
    const r = await run('rule = "rule.toml"\n[[case]]\nname = "x"\nevents = "e.ndjson"\nalerts = 0\n', { 'rule.toml': '[rule]\nname = "half a rule"\n', 'e.ndjson': '{}\n' });
    expect(r.broken?.message).toMatch(/rule field `rule.rule_id` is missing/);
  });
  it('reads a case’s mapping: a text field matches by its words', async () => {
    const mapping = JSON.stringify({ mappings: { properties: { file: { properties: { path: { type: 'text' } } } } } });
    const event = read('2024-05-01T00:00:00Z', '/usr/bin/kmod').replace('"/proc/modules"', '"/proc/modules/extra"');
    const kase = (name: string, extra: string, alerts: number) => `[[case]]\nname = "${name}"\nevents = ["e.ndjson"]\n${extra}alerts = ${alerts}\n`;
    const r = await run(`${PROC_RULE}${kase('keyword: exact', '', 0)}${kase('text: the phrase proc modules', 'mapping = ["m.json"]\n', 1)}`, { 'm.json': mapping, 'e.ndjson': event + '\n' });
    expect(r.cases.map((c) => [c.status, c.problem])).toEqual([
      ['passed', undefined],
      ['passed', undefined],
    ]);
  });

  it('marks a case broken when its mapping cannot be read as one', async () => {
    const r = await run(`${PROC_RULE}[[case]]\nname = "m"\nevents = ["e.ndjson"]\nmapping = "m.json"\nalerts = 0\n`, { 'm.json': '{ not json', 'e.ndjson': '{}\n' });
    expect(r.cases[0]!.status).toBe('broken');
    expect(r.cases[0]!.problem).toMatch(/^mapping: /);
  });

  it('breaks a test that names a rule_id from outside a tests folder', async () => {
    const r = await run('rule = "80084fa9-8677-4453-8680-b891d3c0c778"\n[[case]]\nname = "x"\nevents = "e.ndjson"\nalerts = 0\n', { 'e.ndjson': '{}\n' });
    expect(r.broken?.message).toMatch(/names rule_id "80084fa9-8677-4453-8680-b891d3c0c778", but the test is not in a tests\/ folder/);
  });

  it('breaks a test of a rule that reads only alerts: alone it could never fire', async () => {
    const rule = readFileSync(`${BUNDLED}/persistence_creation_of_kernel_module.toml`, 'utf8').replace(/^index = .*$/m, 'index = [".alerts-security.*"]');
    const r = await run('rule = "r.toml"\n[[case]]\nname = "x"\nevents = "e.ndjson"\nalerts = 0\n', { 'r.toml': rule, 'e.ndjson': '{}\n' });
    expect(r.broken?.message).toMatch(/reads only alerts \(index \.alerts-security\.\*\)/);
  });
});
