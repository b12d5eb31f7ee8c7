import { describe, expect, it } from 'vitest';
import { jsonLines, runInProcess as runCli } from './run.js';

const DIR = 'test/fixtures/realdata';

// Real ECS documents (sources in test/fixtures/README.md). None of the public ones fires either
// rule (SOURCES: no positive case exists), so they are the negatives; the derived file is built
// from their shapes to hold the positives and the near misses.
describe.concurrent('real ECS documents through the CLI', () => {
  it.each([
    ['auditd_manager-expected.ndjson', 1],
    ['auditbeat-golden-chown.ndjson', 1],
    ['endpoint-package-sample-events.ndjson', 8],
    ['kibana-esarchive-endpoint-linux-process.ndjson', 1],
  ])('%s parses cleanly and fires nothing', async (file, events) => {
    const r = await runCli([`${DIR}/${file}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`\\(${events} events?[ )]`));
  });

  it('fires each rule once on the documents derived from them', async () => {
    const r = await runCli(['--format', 'json', `${DIR}/derived-kernel-module.ndjson`]);
    expect(r.code).toBe(1);
    const alerts = jsonLines(r.stdout).map((a) => ({ rule: a.rule.name, line: a.location.line, term: a.new_terms }));
    // In event time across rules: the auditd read (line 4) is older than the Kibana process event.
    expect(alerts).toEqual([
      { rule: 'Enumeration of Kernel Modules via Proc', line: 4, term: { 'process.executable': '/usr/bin/kmod' } },
      { rule: 'Deprecated - Creation of Kernel Module', line: 1, term: undefined },
    ]);
  });
});
