import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli, runInProcess } from './run.js';

const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-explain-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// The bundled "Creation of Kernel Module" rule (947827c6): a .ko written under /lib/modules.
const KO = (extension: string, at: string) =>
  `{"@timestamp":"${at}","host":{"name":"web1","os":{"type":"linux"}},"event":{"category":"file","type":"creation"},"file":{"path":"/lib/modules/6.1/extra/rk.ko","extension":"${extension}"},"process":{"name":"insmod"}}`;
const events = join(tmp, 'events.ndjson');
writeFileSync(events, `${KO('ko', '2024-05-01T10:00:00Z')}\n${KO('KO', '2024-05-01T10:01:00Z')}\n`);

describe('lkm-scan explain', () => {
  it('says which event the rule took, and for the other the first clause that failed, in words', async () => {
    const r = await runInProcess(['explain', '--rule', '947827c6', events]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `${events}:1  Deprecated - Creation of Kernel Module (947827c6-9ed6-4dec-903e-c856c86e72f3)\n` +
        '  matched: the rule alerts on this event\n\n' +
        `${events}:2  Deprecated - Creation of Kernel Module (947827c6-9ed6-4dec-903e-c856c86e72f3)\n` +
        '  not matched: wrong case: file.extension is "KO", which differs from what the clause wants only in letter case, and the clause is case-sensitive\n' +
        '  clause  file.extension == "ko"\n\n',
    );
    expect(r.stderr).toBe('lkm-scan explain: 2 events x 1 rule, 1 matched\n');
  });

  it('as JSON, with every clause and the time window', async () => {
    const r = await runInProcess(['explain', '--format', 'json', '--rule', '947827c6', '--until', '2024-05-01T10:00:30Z', events]);
    const [first, second] = jsonLines(r.stdout);
    expect(first).toMatchObject({ matched: true, stage: 'matched', location: { line: 1 } });
    expect(first.explanation).toContainEqual({ clause: 'file.extension == "ko"', field: 'file.extension', value: '"ko"', result: true, depth: 2 });
    expect(second).toMatchObject({ matched: false, stage: 'time-window', reason: 'excluded by the time window (--since/--until): @timestamp is 2024-05-01T10:01:00.000Z' });
  });

  it('stops at --limit and says so', async () => {
    const r = await runInProcess(['explain', '--limit', '1', events]);
    expect(r.stdout.split('\n\n').filter(Boolean)).toHaveLength(2);
    expect(r.stderr).toBe('lkm-scan explain: 1 event x 2 rules, 1 matched; stopped after 1 events (--limit N for more)\n');
  });

  it('says, from a scan of the same events, whether a match of a rule decided across events alerted', async () => {
    const cat = (at: string) => `{"@timestamp":"${at}","host":{"os":{"type":"linux"}},"event":{"category":"file","action":"opened-file"},"file":{"path":"/proc/modules"},"process":{"executable":"/usr/bin/cat"}}`;
    const file = join(tmp, 'cat.ndjson');
    writeFileSync(file, `${cat('2024-05-01T10:00:00Z')}\n${cat('2024-05-01T11:00:00Z')}\n`);
    const r = await runInProcess(['explain', '--format', 'json', '--rule', '80084fa9', file]);
    expect(jsonLines(r.stdout).map((l) => l.reason)).toEqual([
      'matched: the scan alerted, process.executable = "/usr/bin/cat" is a new term: not seen within now-5d before it',
      'matched the query, but no alert: process.executable = "/usr/bin/cat" was seen within now-5d before it',
    ]);
  });

  it('exits 2 for an input it cannot read', async () => {
    expect((await runInProcess(['explain', join(tmp, 'missing.ndjson')])).code).toBe(2);
  });
});

describe('scan --explain', () => {
  it('text: an indented tree of the clauses under each alert', async () => {
    const r = await runInProcess(['--explain', '--rule', '947827c6', '-q', events]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      [
        '  why      ✓ all of  file where host.os.type == "linux" and event.type in ("chan…',
        '             ✓ event.category == "file"   event.category = "file"',
        '             ✓ all of  host.os.type == "linux" and event.type in ("change", "creat…',
        '               ✓ host.os.type == "linux"   host.os.type = "linux"',
      ].join('\n'),
    );
    expect(r.stdout).toContain('✗ process.name : ( "dpkg", "systemd", "falcon-sensor*", "dnf", "yum", "rpm", "cp" )   process.name = "insmod"');
  });

  it('json: an explanation array of {clause, field, value, result}; without --explain none', async () => {
    const [alert] = jsonLines((await runInProcess(['--explain', '--format', 'json', '--rule', '947827c6', '-q', events])).stdout);
    expect(alert.explanation[0]).toMatchObject({ field: null, value: null, result: true, depth: 0, op: 'and' });
    expect(alert.explanation).toContainEqual({ clause: 'host.os.type == "linux"', field: 'host.os.type', value: '"linux"', result: true, depth: 2 });
    const [plain] = jsonLines((await runInProcess(['--format', 'json', '--rule', '947827c6', '-q', events])).stdout);
    expect(plain.explanation).toBeUndefined();
  });

  it('is for text and json output only', async () => {
    const r = await runInProcess(['--explain', '--format', 'sarif', events]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--explain is for --format text or json, not sarif');
  });

  it('through the binary: scan --explain and lkm-scan explain', async () => {
    const scan = await runCli(['--explain', '--format', 'json', '-q', events]);
    expect(scan.code).toBe(1);
    expect(jsonLines(scan.stdout).every((a) => Array.isArray(a.explanation) && a.explanation.length > 0)).toBe(true);
    const explain = await runCli(['explain', '--format', 'json', events]);
    expect(explain.code).toBe(0);
    expect(jsonLines(explain.stdout)).toHaveLength(4);
  });
});
