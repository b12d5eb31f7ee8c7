/**
 * Issue 7, defects 2, 3 and 8 through the built binary: a scan that evaluated no event fails
 * (with a hint at what the bytes are), the input shapes Kibana and Elasticsearch export are read,
 * compressions Node cannot read are reported with the command that pipes them in, and a FIFO
 * named as a path is read once.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, jsonLines, runCli, runInProcess, type RunResult } from './run.js';

const R1 = '947827c6-9ed6-4dec-903e-c856c86e72f3';
const R2 = '80084fa9-8677-4453-8680-b891d3c0c778';
const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-shapes-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const demo = readFileSync(join(ROOT, 'examples/demo.ndjson'), 'utf8');
const demoEvents: Record<string, unknown>[] = demo
  .trimEnd()
  .split('\n')
  .map((l) => JSON.parse(l));
/** The demo's alerts, as [rule id, index of the event in the demo file (0-based)]. */
const DEMO_ALERTS: Array<[string, number]> = [
  [R1, 0],
  [R1, 11],
  [R2, 4],
  [R2, 9],
  [R2, 10],
];

function write(name: string, content: string | Buffer): string {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
}

/** The alerts of a JSON-format run as [rule id, line], sorted. */
function alertLines(stdout: string): Array<[string, number]> {
  return jsonLines(stdout)
    .map((a): [string, number] => [a.rule.id, a.location.line])
    .sort();
}

/** The line each event of a pretty-printed JSON array or object stream starts on. */
function startLines(text: string, opener: string): number[] {
  return text.split('\n').flatMap((l, i) => (l === opener ? [i + 1] : []));
}

/**
 * The backing index each demo event would be read from: Auditbeat's data stream for Auditbeat's
 * events, Elastic Defend's file events stream for the others. The rules read only the indices
 * their `index` patterns name (README "Alert chains and index patterns").
 */
const indexOf = (e: Record<string, unknown>): string =>
  (e.agent as { type?: string } | undefined)?.type === 'auditbeat' ? '.ds-auditbeat-8.12.0-2024.05.01-000001' : '.ds-logs-endpoint.events.file-default-2024.05.01-000001';

const searchResponse = (pretty: boolean) =>
  JSON.stringify(
    {
      took: 12,
      timed_out: false,
      _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
      hits: {
        total: { value: demoEvents.length, relation: 'eq' },
        max_score: 1,
        hits: demoEvents.map((e, i) => ({ _index: indexOf(e), _id: `id-${i}`, _score: 1, _source: e })),
      },
    },
    null,
    pretty ? 2 : undefined,
  );

describe.concurrent('input shapes (issue 7, defect 3)', () => {
  it('reads a pretty-printed JSON array (a Kibana export): the demo alerts, located at the line each event starts', async () => {
    const text = JSON.stringify(demoEvents, null, 2);
    const path = write('export.json', text);
    const r = await runCli(['--format', 'json', path]);
    expect(r.code).toBe(1);
    const starts = startLines(text, '  {');
    expect(starts).toHaveLength(demoEvents.length);
    expect(alertLines(r.stdout)).toEqual(DEMO_ALERTS.map(([id, i]): [string, number] => [id, starts[i]!]).sort());
    expect(r.stderr).toMatch(/1 input, \d+ lines \(13 events\)/);
  });

  it('reads a compact one-line JSON array, gzipped', async () => {
    const path = write('export.json.gz', gzipSync(JSON.stringify(demoEvents)));
    const r = await runInProcess(['--format', 'json', path]);
    expect(r.code).toBe(1);
    expect(alertLines(r.stdout)).toEqual(DEMO_ALERTS.map(([id]): [string, number] => [id, 1]).sort());
  });

  it('reads concatenated pretty-printed objects (jq output) from stdin', async () => {
    const text = demoEvents.map((e) => JSON.stringify(e, null, 2)).join('\n') + '\n';
    const r = await runInProcess(['--format', 'json', '-'], { stdin: text });
    expect(r.code).toBe(1);
    const starts = startLines(text, '{');
    expect(alertLines(r.stdout)).toEqual(DEMO_ALERTS.map(([id, i]): [string, number] => [id, starts[i]!]).sort());
  });

  it.each([
    ['pretty-printed', true],
    ['compact, on one line', false],
  ])('reads the hits of an Elasticsearch _search response (%s), keeping _index and _id on the event', async (_name, pretty) => {
    const path = write(`search-${pretty}.json`, searchResponse(pretty));
    const r = await runInProcess(['--format', 'json', path]);
    expect(r.code).toBe(1);
    const alerts = jsonLines(r.stdout);
    expect(alerts.map((a) => a.rule.id).sort()).toEqual(DEMO_ALERTS.map(([id]) => id).sort());
    for (const a of alerts) {
      expect(a.document._id).toMatch(/^id-\d+$/);
      expect(a.document._index).toBe(indexOf(demoEvents[Number(a.document._id.slice(3))]!));
    }
    expect(new Set(alerts.map((a) => a.document._index)).size).toBe(2);
    if (!pretty) expect(alerts.every((a) => a.location.line === 1)).toBe(true);
  });

  it('lets a rule query _index, as Elasticsearch can', async () => {
    const rule = write(
      'by-index.toml',
      `[metadata]\ncreation_date = "2024/01/01"\nupdated_date = "2024/01/01"\n\n[rule]\nauthor = ["t"]\ndescription = "d"\nname = "By index"\nrisk_score = 21\nrule_id = "00000000-0000-4000-8000-00000000aaaa"\nseverity = "low"\ntype = "query"\nlanguage = "kuery"\nquery = '_index : .ds-logs-endpoint* and _id : "id-3"'\n`,
    );
    const r = await runInProcess(['--format', 'json', '--no-bundled', '--rules', rule, write('search-q.json', searchResponse(true))]);
    expect(r.code).toBe(1);
    expect(jsonLines(r.stdout).map((a) => a.document._id)).toEqual(['id-3']);
  });

  it('reports malformed elements with file:line and scans the rest', async () => {
    const text = `[\n  ${JSON.stringify(demoEvents[0])},\n  {"broken": tru},\n  "a string",\n  ${JSON.stringify(demoEvents[11])}\n]\n`;
    const path = write('broken.json', text);
    const r = await runInProcess(['--format', 'json', path]);
    expect(r.code).toBe(1);
    expect(alertLines(r.stdout)).toEqual([
      [R1, 2],
      [R1, 5],
    ]);
    expect(r.stderr).toContain(`${path}:3: invalid JSON`);
    expect(r.stderr).toContain(`${path}:4: expected a JSON object, found a string`);
    expect(r.stderr).toMatch(/2 malformed/);
  });

  it('reports a JSON array cut off at the end, after scanning the events before the cut', async () => {
    const text = JSON.stringify(demoEvents, null, 2);
    const path = write('cut.json', text.slice(0, text.lastIndexOf('  {') + 20));
    const r = await runInProcess(['--format', 'json', path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`cut.json:${startLines(text, '  {')[12]}: truncated: the input ends inside the value that starts here`));
  });

  it('never gives a JSON array to worker threads, which can only split NDJSON', async () => {
    const many = Array.from({ length: 8 }, () => demoEvents).flat();
    const path = write('big-array.json', JSON.stringify(many, null, 2));
    const env = { LKM_SCAN_RANGE_BYTES: '4096' };
    const [parallel, single] = await Promise.all([runCli(['--format', 'json', '--workers', '2', path], { env }), runInProcess(['--format', 'json', path])]);
    expect(parallel.code).toBe(1);
    expect(parallel.stderr).not.toMatch(/malformed/);
    expect(alertLines(parallel.stdout)).toEqual(alertLines(single.stdout));
    expect(jsonLines(single.stdout)).toHaveLength(8 * 2 + 3);
  });

  it.each([
    ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04, 0xe6, 0xd6, 0xb4, 0x46], 'xz -dc'],
    ['zstd', [0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x05, 0x29, 0x00, 0x00], 'zstd -dc'],
    ['bzip2', [...Buffer.from('BZh91AY&SY'), 0x4e, 0xec, 0xe8, 0x36], 'bzip2 -dc'],
    ['zip', [0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00], 'unzip -p'],
  ])('reports %s input as unreadable with the command that pipes it in, and still scans the other inputs (exit 2)', async (format, magic, command) => {
    const path = write(`events.${format}`, Buffer.concat([Buffer.from(magic), Buffer.alloc(64, 7)]));
    // One through the binary; the others in-process, to keep the suite fast.
    const run = format === 'xz' ? runCli : runInProcess;
    const r = await run(['--format', 'json', path, 'examples/demo.ndjson']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`lkm-scan: error: ${path}: ${format}-compressed data, which lkm-scan cannot decompress (it reads gzip itself); decompress it into a pipe: ${command} ${path} | lkm-scan -`);
    expect(jsonLines(r.stdout)).toHaveLength(5);
  });
});

describe.concurrent('a scan that evaluated no event fails (issue 7, defect 2)', () => {
  /** The one line that says nothing was evaluated. */
  const nothing = (r: RunResult) => r.stderr.split('\n').filter((l) => l.includes('no event was evaluated'));

  it('fails on a file whose lines are all malformed', async () => {
    const path = write('all-bad.ndjson', '{bad\nnot json\n{"a":\n');
    const r = await runCli([path]);
    expect(r.code).toBe(2);
    expect(nothing(r)).toEqual(['lkm-scan: error: no event was evaluated: read 1 input (3 lines, 20 bytes): no event in it, 3 malformed records; see the reports above']);
  });

  it('reads UTF-16 text with a byte-order mark (little- and big-endian, gzipped too) like UTF-8', async () => {
    const le = write('utf16le.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(demo, 'utf16le')]));
    const r = await runCli(['--format', 'json', le]);
    expect(r.code).toBe(1);
    const utf8 = await runInProcess(['--format', 'json', 'examples/demo.ndjson']);
    // Same alerts on the same lines; the documents are the decoded lines.
    expect(jsonLines(r.stdout).map((a) => [a.rule.id, a.location.line, a.document])).toEqual(
      jsonLines(utf8.stdout).map((a) => [a.rule.id, a.location.line, a.document]),
    );
    const be = write('utf16be.json', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(demo, 'utf16le').swap16()]));
    const gz = write('utf16le.json.gz', gzipSync(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(demo, 'utf16le')])));
    for (const path of [be, gz]) expect(jsonLines((await runInProcess(['--format', 'json', path])).stdout), path).toHaveLength(5);
  });

  it('fails on UTF-16 text without a byte-order mark, saying how to convert it', async () => {
    const path = write('utf16.json', Buffer.from(demo, 'utf16le'));
    const r = await runInProcess([path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`lkm-scan: note: ${path} looks like UTF-16 text; convert it to UTF-8: iconv -f UTF-16 -t UTF-8 ${path} | lkm-scan -`);
    expect(nothing(r)).toHaveLength(1);
    // The advice works: converted, the same bytes scan.
    const converted = await runInProcess(['--format', 'json', '-'], { stdin: execFileSync('iconv', ['-f', 'UTF-16LE', '-t', 'UTF-8', path]) });
    expect(converted.code).toBe(1);
    expect(jsonLines(converted.stdout)).toHaveLength(5);
  });

  it('fails on binary garbage, plain-text log lines and CSV, naming each', async () => {
    const binary = write('garbage.bin', Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 7919) % 256)));
    const syslog = write('auth.log', 'Dec  2 10:00:00 web-01 sshd[811]: Accepted publickey for root\n');
    const csv = write('export.csv', '@timestamp,host.name,process.name\n2024-05-01T10:00:00Z,web-01,kmod\n');
    const r = await runInProcess([binary, syslog, csv]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`lkm-scan: note: ${binary} looks like binary data, not text`);
    expect(r.stderr).toContain(`lkm-scan: note: ${syslog} looks like plain-text log lines; lkm-scan reads JSON ECS events`);
    expect(r.stderr).toContain(`lkm-scan: note: ${csv} looks like CSV`);
    expect(nothing(r)[0]).toMatch(/^lkm-scan: error: no event was evaluated: read 3 inputs \(/);
  });

  it('fails on xz data read from stdin alone', async () => {
    const r = await runCli(['-'], { stdin: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2, 3]) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('lkm-scan: error: <stdin>: xz-compressed data, which lkm-scan cannot decompress (it reads gzip itself); decompress it into a pipe: xz -dc FILE | lkm-scan -');
    expect(nothing(r)).toEqual(['lkm-scan: error: no event was evaluated: read 1 input (0 lines, 9 bytes): it could not be read; see the reports above']);
  });

  it.each([
    ['with the prefilter', []],
    ['without it', ['--no-prefilter']],
    ['with worker threads', ['--workers', '2']],
  ])('fails when --since excludes every event (%s), and passes with --allow-empty', async (_name, extra) => {
    const path = write(`window-${extra.join('')}.ndjson`, demo.repeat(4));
    const env = { LKM_SCAN_RANGE_BYTES: '4096' };
    const run = extra.includes('--workers') ? runCli : runInProcess;
    const r = await run([...extra, '--since', '2030-01-01', path], { env });
    expect(r.code).toBe(2);
    expect(nothing(r)).toEqual([
      'lkm-scan: error: no event was evaluated: read 1 input (52 lines, 30,128 bytes): none of the 52 events lies within --since/--until; pass --allow-empty if that is expected',
    ]);
    const allowed = await run([...extra, '--since', '2030-01-01', '--allow-empty', path], { env });
    expect(allowed.code).toBe(0);
    expect(nothing(allowed)).toEqual([]);
  });

  it('does not fail when the window keeps only events no rule matches (the prefilter rules them out unparsed)', async () => {
    // Line 2 of the demo fires nothing and is ruled out by the prefilter; it alone is in the window.
    const t = demoEvents[1]!['@timestamp'] as string;
    const r = await runInProcess(['--since', t, '--until', t, 'examples/demo.ndjson']);
    expect(r.stderr).toMatch(/ruled out unparsed/);
    expect(nothing(r)).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('fails on an empty file, an empty array or blank lines, unless --allow-empty', async () => {
    const empty = write('empty.ndjson', '');
    const array = write('empty-array.json', '[\n]\n');
    const blank = write('blank.ndjson', '\n  \n');
    for (const path of [empty, array, blank]) {
      const r = await runInProcess([path]);
      expect(r.code, path).toBe(2);
      expect(nothing(r)[0]).toMatch(/^lkm-scan: error: no event was evaluated: read 1 input.*: (it is empty|no event in it); pass --allow-empty if that is expected$/);
      const allowed = await runInProcess(['--allow-empty', path]);
      expect(allowed.code, path).toBe(0);
      expect(allowed.stderr).not.toMatch(/error/);
    }
    const stdin = await runInProcess(['--allow-empty', '-']);
    expect(stdin.code).toBe(0);
  });

  it('still fails with --allow-empty when the input held something other than events', async () => {
    const r = await runInProcess(['--allow-empty', write('bad-allowed.ndjson', '{bad\n')]);
    expect(r.code).toBe(2);
    expect(nothing(r)).toHaveLength(1);
  });

  it('documents --allow-empty in --help', async () => {
    const r = await runInProcess(['--help']);
    expect(r.stdout).toMatch(/--allow-empty\s+exit 0, not 2, when the inputs hold no event/);
    expect(r.stdout).toMatch(/no event evaluated at all \(see --allow-empty\)/);
  });
});

describe('a FIFO given as a path (issue 7, defect 8)', () => {
  /** Runs the binary, killing it after `ms`: a hang is a failure, not a stuck suite. */
  function runWithTimeout(args: string[], ms: number): Promise<RunResult & { timedOut: boolean }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, ms);
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr, timedOut });
      });
    });
  }

  it('reads every event a writer sends into it, once, and ends', async () => {
    const fifo = join(tmp, 'events.fifo');
    execFileSync('mkfifo', [fifo]);
    // More than a pipe buffer (64 KiB), written as soon as the FIFO is open: a reader that opens
    // and closes it before the real read (as the worker planning did) makes the write fail with
    // EPIPE, and the second open then waits forever for a writer that is gone.
    const source = write('fifo-source.ndjson', demo.repeat(12));
    const writerCode = 'const fs = require("fs"); fs.writeFileSync(process.argv[1], fs.readFileSync(process.argv[2]));';
    const writer = spawn(process.execPath, ['-e', writerCode, fifo, source], { stdio: 'ignore' });
    const writerDone = new Promise<number | null>((resolve) => writer.on('close', resolve));
    try {
      const r = await runWithTimeout(['--format', 'json', fifo], 15_000);
      expect(r.timedOut).toBe(false);
      expect(r.stderr).toMatch(/1 input, 156 lines \(156 events/);
      expect(r.code).toBe(1);
      expect(jsonLines(r.stdout).length).toBeGreaterThan(24);
      expect(await writerDone).toBe(0);
    } finally {
      writer.kill();
    }
  });

  it('reads /dev/stdin named as a path, when stdin is a pipe', async () => {
    // Through a shell pipe: Node gives a child's stdin as a socket, which cannot be opened by path.
    const source = write('dev-stdin.ndjson', demo);
    const r = await new Promise<RunResult>((resolve) => {
      const child = spawn('/bin/sh', ['-c', 'cat "$1" | "$2" "$3" --format json /dev/stdin', 'sh', source, process.execPath, BIN], { cwd: ROOT });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(r.stderr).toMatch(/1 input, 13 lines/);
    expect(r.code).toBe(1);
    expect(jsonLines(r.stdout)).toHaveLength(5);
  });
});
