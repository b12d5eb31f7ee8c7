// A real Elastic sample rule picks each query's events in input (index) order, not by time, as
// Elasticsearch's SampleIterator does (README: Sequences), through the CLI.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractPackRules, jsonLines, runInProcess as runCli } from './run.js';

// "Network Connection from Binary with RWX Memory Region": sample by host.id, process.pid, process.name.
const RULE = 'rules/linux/execution_netcon_from_rwx_mem_region_binary.toml';
const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-sample-order-'));
beforeAll(() => {
  extractPackRules(tmp, [RULE]);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const host = { id: 'h1', os: { type: 'linux' } };
const mprotect = (second: number) => ({
  '@timestamp': `2024-05-01T10:00:${String(second).padStart(2, '0')}Z`,
  event: { category: ['process'], type: ['info'] },
  host,
  process: { pid: 4242, name: 'payload' },
  auditd: { data: { syscall: 'mprotect', a2: '7' } },
});
const connect = (second: number) => ({
  '@timestamp': `2024-05-01T10:00:${String(second).padStart(2, '0')}Z`,
  event: { category: ['network'], type: ['start'], action: 'connection_attempted' },
  host,
  process: { pid: 4242, name: 'payload' },
  destination: { ip: '8.8.8.8' },
});

describe('sample rules over a file (SPEC §A.9)', () => {
  it('take the first matching event of each query in line order, even when a later line is earlier in time', async () => {
    const input = join(tmp, 'events.ndjson');
    writeFileSync(input, [mprotect(10), mprotect(0), connect(5)].map((e) => JSON.stringify(e)).join('\n') + '\n');
    const r = await runCli(['--no-bundled', '--rules', join(tmp, RULE), '--format', 'json', input]);
    expect(r.stderr).not.toMatch(/error/i);
    const alerts = jsonLines(r.stdout);
    expect(alerts.map((a) => a.events.map((e: { location: { line: number } }) => e.location.line))).toEqual([[1, 3]]);
  });
});
