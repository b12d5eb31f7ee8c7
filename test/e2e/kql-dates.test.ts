// KQL date ranges end to end (issue 9): the built CLI, spawned with the machine's time zone set
// far from UTC, reads dates without a zone as UTC and epoch millis (numbers or strings) as
// instants, as an Elasticsearch date field with its default format does.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './run.js';

const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-kql-dates-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function rule(id: string, name: string, query: string): string {
  return `[metadata]
creation_date = "2024/05/01"
maturity = "production"
updated_date = "2024/05/01"

[rule]
author = ["lkm-scan tests"]
description = "A test rule over a time range."
from = "now-9m"
language = "kuery"
license = "Apache-2.0"
name = "${name}"
risk_score = 21
rule_id = "${id}"
severity = "low"
type = "query"
query = '''
${query}
'''
`;
}

// 2024-05-01T10:00:00Z is 1714557600000.
const rules: [string, string, string][] = [
  ['44444444-0000-4000-8000-000000000001', 'epoch bounds', 'event.code:a and @timestamp >= 1714557600000 and @timestamp < 1714557601000'],
  ['44444444-0000-4000-8000-000000000002', 'zone-less bounds', 'event.code:b and @timestamp >= "2024-05-01T10:00:00" and @timestamp < "2024-05-01T10:00:01"'],
  ['44444444-0000-4000-8000-000000000003', 'quoted epoch bound', 'event.code:c and @timestamp >= "1714557600000" and @timestamp < "2024-05-01T10:00:01Z"'],
];
const events = [
  { event: { code: 'a' }, '@timestamp': '2024-05-01T10:00:00.500' },
  { event: { code: 'a' }, '@timestamp': '2024-05-01T10:00:01' },
  { event: { code: 'b' }, '@timestamp': 1714557600500 },
  { event: { code: 'b' }, '@timestamp': '1714557600999' },
  { event: { code: 'b' }, '@timestamp': '1714557601000' },
  { event: { code: 'c' }, '@timestamp': '2024-05-01T10:00:00' },
  { event: { code: 'c' }, '@timestamp': '2024-05-01T09:59:59.999' },
];

describe('KQL date ranges in any machine time zone (issue 9)', () => {
  const input = join(tmp, 'events.ndjson');

  it.each(['Asia/Kolkata', 'America/Los_Angeles', 'UTC'])('TZ=%s: zone-less dates are UTC, epoch millis are instants', async (tz) => {
    writeFileSync(input, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const ruleDir = mkdtempSync(join(tmp, 'rules-'));
    for (const [id, name, query] of rules) writeFileSync(join(ruleDir, `${name.replaceAll(' ', '_')}.toml`), rule(id, name, query));
    const result = await runCli(['--no-bundled', '--rules', ruleDir, '--format', 'json', '--quiet', input], { env: { TZ: tz } });
    expect(result.stderr).toBe('');
    const alerts = jsonLines(result.stdout).map((a) => [a.rule.name, a.document['@timestamp']]);
    // Over files, alerts are written in event time across rules (README "max_signals and alert suppression").
    expect(alerts).toEqual([
      ['quoted epoch bound', '2024-05-01T10:00:00'],
      ['epoch bounds', '2024-05-01T10:00:00.500'],
      ['zone-less bounds', 1714557600500],
      ['zone-less bounds', '1714557600999'],
    ]);
  });
});
