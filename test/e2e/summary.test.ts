import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from './run.js';

// The stderr summary (issue 7, CI features): the rules that alerted, a count of the silent ones
// (`--summary all` lists them too), and alerts per host. stdout holds only the alerts.
const silent = ['--rules', 'test/fixtures/rules/eql_tail_curl.toml', '--rules', 'test/fixtures/rules/query_shadow_read.toml'];

describe.concurrent('scan summary', () => {
  it('lists the rules that alerted, counts the silent ones, and counts alerts by host with the rules that fired on each', async () => {
    const r = await runCli([...silent, 'examples/demo.ndjson']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      [
        '  5 alerts from 2 of 4 rules',
        '         3  Enumeration of Kernel Modules via Proc',
        '         2  Deprecated - Creation of Kernel Module',
        '    2 rules without alerts (--summary all lists them)',
        '  alerts by host:',
        '         3  db-02',
        '             3  Enumeration of Kernel Modules via Proc',
        '         1  build-7',
        '             1  Deprecated - Creation of Kernel Module',
        '         1  web-01',
        '             1  Deprecated - Creation of Kernel Module',
        '',
      ].join('\n'),
    );
    expect(r.stderr).not.toMatch(/Last Curl|Shadow/);
    expect(r.stdout).not.toMatch(/alerts from|alerts by host/);
  });

  it('lists every rule with --summary all', async () => {
    const r = await runCli([...silent, '--summary', 'all', 'examples/demo.ndjson']);
    expect(r.stderr).toMatch(/^ {9}0 {2}Test - Last Curl$/m);
    expect(r.stderr).toMatch(/^ {9}2 {2}Deprecated - Creation of Kernel Module$/m);
    expect(r.stderr).not.toMatch(/without alerts/);
  });

  it('rejects an unknown --summary value as a usage error', async () => {
    const r = await runCli(['--summary', 'some', 'examples/demo.ndjson']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--summary.*Allowed choices are alerted, all/);
  });

  it('shows the top ten hosts and how many more there are', async () => {
    const first = JSON.parse(readFileSync('examples/demo.ndjson', 'utf8').split('\n')[0]!);
    // 13 hosts named by host.hostname, one alert each, and an event without a host.
    const events = Array.from({ length: 14 }, (_, i) =>
      JSON.stringify({ ...first, host: i < 13 ? { hostname: `h${String(i).padStart(2, '0')}`, os: first.host.os } : { os: first.host.os } }),
    );
    const r = await runCli(['--rule', '947827c6', '-'], { stdin: events.join('\n') });
    const section = r.stderr.slice(r.stderr.indexOf('  alerts by host:'));
    expect(section.split('\n').filter((l) => /^ +\d+ {2}/.test(l))).toHaveLength(10);
    expect(section).toContain('    and 4 more hosts\n');
    expect(r.stderr).toContain('  14 alerts from 1 of 1 rule\n');
  });
});
