// --workers N must not change a single byte of what a scan prints: alerts, their order and line
// numbers, malformed-line reports and the summary counts, wherever the byte ranges are cut.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomEcs } from '../support/randomEcs.js';
import { jsonLines, runCli, type RunResult } from './run.js';

const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-workers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Where files are cut, small so that a small file has many hand-overs (LKM_SCAN_RANGE_BYTES). */
const RANGE_BYTES = 64 << 10;
const env = { LKM_SCAN_RANGE_BYTES: String(RANGE_BYTES) };
const BOM = '\uFEFF';

/**
 * About `bytes` of generated events. The lines on both sides of every multiple of `rangeBytes`
 * (where a cut lands) are malformed, CRLF, blank, BOM-prefixed or invalid UTF-8, so line numbering
 * and reporting are tested exactly where one range hands over to the next.
 */
function generate(seed: number, bytes: number, rangeBytes: number): Buffer {
  const gen = randomEcs(seed);
  const parts: Buffer[] = [Buffer.from(BOM + gen.line() + '\n')];
  let size = parts[0]!.length;
  let nextCut = rangeBytes;
  let around = 0;
  const awkward = [
    () => 'not json at all',
    () => BOM + gen.line(),
    () => gen.line() + '\r',
    () => '',
    () => '{"half": ',
    () => '[1,2]',
  ];
  while (size < bytes) {
    let line: Buffer;
    const text = gen.line();
    if (around > 0 || size + text.length + 1 > nextCut) {
      if (around === 0) {
        around = 3;
        nextCut += rangeBytes;
      }
      around--;
      // One of the three is valid JSON with invalid UTF-8 in a string: a warning, not a malformed line.
      line =
        around === 1
          ? Buffer.concat([Buffer.from('{"note":"'), Buffer.from([0xff, 0xfe]), Buffer.from('",' + text.slice(1) + '\n')])
          : Buffer.from(awkward[(size >> 3) % awkward.length]!() + '\n');
    } else {
      line = Buffer.from(text + '\n');
    }
    parts.push(line);
    size += line.length;
  }
  return Buffer.concat(parts);
}

const withoutTiming = (stderr: string) => stderr.replace(/ in [\d.]+ s \([\d.,]+ MB\/s\)/g, ' in T');

function expectSameScan(a: RunResult, b: RunResult): void {
  expect(b.code).toBe(a.code);
  expect(b.stdout).toBe(a.stdout);
  expect(withoutTiming(b.stderr)).toBe(withoutTiming(a.stderr));
}

let big: string;
let small: string;
beforeAll(() => {
  big = join(tmp, 'big.ndjson');
  writeFileSync(big, generate(7, 40 * RANGE_BYTES + 12345, RANGE_BYTES));
  small = join(tmp, 'small.ndjson');
  writeFileSync(small, generate(8, 200_000, 10_000));
});

describe.concurrent('scanning with worker threads', () => {
  it('prints the same alerts, reports and counts with --workers 2 as with --workers 1', async () => {
    const [one, two] = await Promise.all([
      runCli(['--format', 'json', '--workers', '1', big], { env }),
      runCli(['--format', 'json', '--workers', '2', big], { env }),
    ]);
    expectSameScan(one, two);
    expect(one.code).toBe(1);
    const alerts = jsonLines(one.stdout);
    expect(alerts.length).toBeGreaterThan(50);
    expect(new Set(alerts.map((a) => a.rule.id)).size).toBe(2);
    expect(one.stderr).toMatch(/malformed or warned lines not shown/);
  });

  it('keeps line numbers of a second file and of a small file read by the main thread', async () => {
    const args = ['--format', 'json', big, small, big];
    const [one, three] = await Promise.all([runCli(['--workers', '1', ...args], { env }), runCli(['--workers', '3', ...args], { env })]);
    expectSameScan(one, three);
    const files = new Set(jsonLines(one.stdout).map((a) => a.location.file));
    expect(files).toEqual(new Set([big, small]));
  });

  it('stops at the same malformed line with --strict', async () => {
    const [one, two] = await Promise.all([
      runCli(['--format', 'json', '--strict', '--workers', '1', big], { env }),
      runCli(['--format', 'json', '--strict', '--workers', '2', big], { env }),
    ]);
    expectSameScan(one, two);
    expect(one.code).toBe(2);
  });

  it('agrees with --no-prefilter on the same workers', async () => {
    const [one, two] = await Promise.all([
      runCli(['--format', 'json', '--no-prefilter', '--workers', '1', big], { env }),
      runCli(['--format', 'json', '--no-prefilter', '--workers', '2', big], { env }),
    ]);
    expectSameScan(one, two);
  });

  it('reads gzip input on the main thread with the same result', async () => {
    const gz = join(tmp, 'big.ndjson.gz');
    writeFileSync(gz, gzipSync(readFileSync(big)));
    const [plain, zipped] = await Promise.all([
      runCli(['--format', 'json', '--workers', '2', big], { env }),
      runCli(['--format', 'json', '--workers', '2', gz], { env }),
    ]);
    expect(zipped.code).toBe(plain.code);
    expect(jsonLines(zipped.stdout).map((a) => [a.rule.id, a.location.line])).toEqual(
      jsonLines(plain.stdout).map((a) => [a.rule.id, a.location.line], { env }),
    );
  });

  it('applies --since/--until in the workers as on one thread', async () => {
    const all = await runCli(['--format', 'json', '--workers', '1', big], { env });
    const times = jsonLines(all.stdout)
      .map((a) => a.document['@timestamp'])
      .filter((t): t is string => typeof t === 'string')
      .sort();
    const window = ['--since', times[Math.floor(times.length / 3)]!, '--until', times[Math.floor((2 * times.length) / 3)]!];
    const [one, two] = await Promise.all([
      runCli(['--format', 'json', ...window, '--workers', '1', big], { env }),
      runCli(['--format', 'json', ...window, '--workers', '2', big], { env }),
    ]);
    expectSameScan(one, two);
    expect(jsonLines(one.stdout).length).toBeGreaterThan(0);
    expect(jsonLines(one.stdout).length).toBeLessThan(jsonLines(all.stdout).length);
  });

  it('runs the same rules in the workers as in the main thread with --exclude-rule', async () => {
    // The workers once reloaded the selection without --exclude-rule: their hits named rules by
    // index into a longer list, and the scan died with an internal error.
    const args = ['--format', 'json', '--exclude-rule', '947827c6', big];
    const [one, two] = await Promise.all([runCli(['--workers', '1', ...args], { env }), runCli(['--workers', '2', ...args], { env })]);
    expectSameScan(one, two);
    expect(one.code).toBe(1);
    expect(new Set(jsonLines(one.stdout).map((a) => a.rule.id))).toEqual(new Set(['80084fa9-8677-4453-8680-b891d3c0c778']));
  });

  it('learns the same baseline with workers as on one thread (only the new_terms rules run)', async () => {
    // The main thread keeps only the new_terms rules for a baseline; the workers once ran them all.
    const states = [join(tmp, 'baseline-1.json'), join(tmp, 'baseline-2.json')] as const;
    const [one, two] = await Promise.all([
      runCli(['baseline', '--state', states[0], '--workers', '1', big], { env }),
      runCli(['baseline', '--state', states[1], '--workers', '2', big], { env }),
    ]);
    expect(two.code).toBe(0);
    const named = (r: RunResult, state: string) => ({ ...r, stdout: r.stdout.replaceAll(state, 'STATE'), stderr: r.stderr.replaceAll(state, 'STATE') });
    expectSameScan(named(one, states[0]), named(two, states[1]));
    expect(one.stdout + one.stderr).toMatch(/learnt [1-9]\d* new terms?/);
    expect(readFileSync(states[1], 'utf8')).toBe(readFileSync(states[0], 'utf8'));
  });

  it('rejects a worker count that is not a positive whole number', async () => {
    const r = await runCli(['--workers', '0', big]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--workers/);
  });
});
