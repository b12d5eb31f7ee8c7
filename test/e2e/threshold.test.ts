import { describe, expect, it } from 'vitest';
import { jsonLines, runInProcess as runCli } from './run.js';

const login = (t: string, user: string, ip: string, outcome = 'failure') =>
  JSON.stringify({
    '@timestamp': `2024-05-01T10:${t}Z`,
    event: { category: ['authentication'], outcome },
    process: { name: 'sshd' },
    user: { name: user },
    source: { ip },
  });

const args = ['--no-bundled', '--rules', 'test/fixtures/rules/threshold_brute_force.toml', '--format', 'json'];

describe.concurrent('threshold rules end to end (SPEC §D)', () => {
  it('alerts once a user reaches the count and cardinality within the span, carrying both', async () => {
    const input = [
      login('00:00', 'root', '10.0.0.1'),
      login('01:00', 'root', '10.0.0.1'),
      login('01:30', 'alice', '10.0.0.9'),
      login('02:00', 'root', '10.0.0.2'),
      login('02:30', 'root', '10.0.0.3', 'success'),
    ].join('\n');
    const r = await runCli(args, { stdin: input });
    expect(r.code).toBe(1);
    const alerts = jsonLines(r.stdout);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].threshold).toEqual({ fields: { 'user.name': 'root' }, count: 3, cardinality: { field: 'source.ip', value: 2 } });
    expect(alerts[0].location.line).toBe(4);
    expect(Object.keys(alerts[0])).toEqual(['timestamp', 'rule', 'threshold', 'location', 'document']);
  });

  it('does not alert when the events are spread wider than the span', async () => {
    const input = [login('00:00', 'root', '10.0.0.1'), login('04:00', 'root', '10.0.0.2'), login('09:30', 'root', '10.0.0.3')].join('\n');
    const r = await runCli(args, { stdin: input });
    expect(r.code).toBe(0);
  });

  it('does not alert without enough distinct source IPs', async () => {
    const input = [login('00:00', 'root', '10.0.0.1'), login('00:10', 'root', '10.0.0.1'), login('00:20', 'root', '10.0.0.1')].join('\n');
    const r = await runCli(args, { stdin: input });
    expect(r.code).toBe(0);
  });
});

describe.concurrent('SARIF output', () => {
  it('writes one SARIF 2.1.0 log with the rules run and a result per alert', async () => {
    const r = await runCli(['--format', 'sarif', 'examples/demo.ndjson']);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout);
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0];
    expect(run.tool.driver.name).toBe('lkm-scan');
    expect(run.tool.driver.rules.map((x: any) => x.id)).toContain('947827c6-9ed6-4dec-903e-c856c86e72f3');
    expect(run.results).toHaveLength(5);
    expect(run.results[0]).toMatchObject({
      ruleId: '947827c6-9ed6-4dec-903e-c856c86e72f3',
      level: 'note',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'examples/demo.ndjson' }, region: { startLine: 1 } } }],
    });
  });
});
