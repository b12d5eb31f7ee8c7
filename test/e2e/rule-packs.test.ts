import { describe, expect, it } from 'vitest';
import { jsonLines, runInProcess as runCli } from './run.js';

const QUERY_RULE = 'test/fixtures/rules/query_shadow_read.toml';
const open = (name: string, path = '/etc/shadow') =>
  JSON.stringify({
    '@timestamp': '2024-05-01T10:00:00Z',
    event: { category: ['file'], action: 'opened-file' },
    file: { path },
    process: { name },
  });
const events = [open('cat'), open('passwd'), open('cat', '/etc/passwd'), open('python3')].join('\n') + '\n';

describe.concurrent('rule packs and selection', () => {
  it('runs a KQL query rule from --rules on the events it is written for', async () => {
    const r = await runCli(['--no-bundled', '--rules', QUERY_RULE, '--format', 'json', '-'], { stdin: events });
    expect(r.code).toBe(1);
    expect(jsonLines(r.stdout).map((a) => [a.rule.name, a.rule.type, a.rule.severity, a.location.line])).toEqual([
      ['Test - Shadow File Read', 'query', 'high', 1],
      ['Test - Shadow File Read', 'query', 'high', 4],
    ]);
  });

  it('adds --rules to the bundled rules, which still run', async () => {
    const r = await runCli(['--rules', 'test/fixtures/rules', 'rules']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Test - Shadow File Read');
    expect(r.stdout).toContain('Deprecated - Creation of Kernel Module');
  });

  it('lists rules of types that need a cluster once, as skipped, without stopping the scan', async () => {
    const r = await runCli(['--rules', 'test/fixtures/rules', '--format', 'json', '-'], { stdin: events });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/warning: skipped 1 rule of types that need a live cluster \(esql\)/);
  });

  it('selects with --tag and --min-severity', async () => {
    const tagged = await runCli(['--rules', 'test/fixtures/rules', '--tag', 'tactic: credential access', 'rules']);
    expect(tagged.stdout).toContain('Test - Shadow File Read');
    expect(tagged.stdout).toContain('Test - SSH Brute Force');
    expect(tagged.stdout).not.toContain('Kernel');
    const severe = await runCli(['--rules', 'test/fixtures/rules', '--min-severity', 'high', 'rules']);
    expect(severe.stdout).toContain('Test - Shadow File Read');
    expect(severe.stdout).not.toContain('SSH Brute Force');
  });

  it('selects with --rule by id or name, and says when nothing matches', async () => {
    const byName = await runCli(['--rules', QUERY_RULE, '--rule', 'test - shadow file read', 'rules']);
    expect(byName.stdout.match(/^\S+ {2}/gm)).toHaveLength(1);
    const missing = await runCli(['--rule', 'no-such-rule', 'examples/demo.ndjson']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no rule matches --rule "no-such-rule"/);
  });

  it('rejects two rules with one rule_id in the user’s packs', async () => {
    const r = await runCli(['--no-bundled', '--rules', 'rules', '--rules', 'rules/persistence_creation_of_kernel_module.toml', 'examples/demo.ndjson']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/duplicate rule_id 947827c6-9ed6-4dec-903e-c856c86e72f3: already defined in rules\/persistence_creation_of_kernel_module\.toml/);
  });

  it('runs a user’s copy of a bundled rule in its place, and says so', async () => {
    const r = await runCli(['--rules', 'rules', '--format', 'json', 'examples/demo.ndjson']);
    expect(r.code).toBe(1);
    expect(jsonLines(r.stdout)).toHaveLength(5);
    expect(r.stderr).toMatch(/note: 2 bundled rules replaced by your copies with the same rule_id/);
  });

  it('rejects an unknown severity level with the choices', async () => {
    const r = await runCli(['--min-severity', 'urgent', 'examples/demo.ndjson']);
    expect(r.code).toBe(2);
    // Worded like every other option error (commander's), with the hint to --help, not like a rule-file error.
    expect(r.stderr).toMatch(/error: option '--min-severity <level>' argument 'urgent' is invalid\. Use one of low, medium, high, critical/);
    expect(r.stderr).toMatch(/run with --help/);
    expect(r.stderr).not.toMatch(/-->/);
  });
});

describe.concurrent('time window', () => {
  it('scans only events within --since/--until (new_terms history included)', async () => {
    const r = await runCli(['--since', '2024-05-02', '--until', '2024-05-05T00:00:00Z', '--format', 'json', 'examples/demo.ndjson']);
    expect(r.code).toBe(1);
    // kmod first seen on 05-01 is outside: its 05-02 read is now the first sighting in the window.
    // In event time across rules (README "max_signals and alert suppression").
    expect(jsonLines(r.stdout).map((a) => [a.rule.name, a.location.line])).toEqual([
      ['Enumeration of Kernel Modules via Proc', 6],
      ['Enumeration of Kernel Modules via Proc', 10],
      ['Deprecated - Creation of Kernel Module', 12],
    ]);
  });

  it('rejects a time it cannot read, with exit 2', async () => {
    const r = await runCli(['--since', 'last tuesday', 'examples/demo.ndjson']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"last tuesday" is not a time/);
  });
});
