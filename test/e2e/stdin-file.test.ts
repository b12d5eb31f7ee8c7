/**
 * Issue 11: `lkm-scan - < FILE` reads the file behind stdin as it reads a file argument (large
 * reads into reused buffers). What it finds and counts must not change, and stdin stays `<stdin>`.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, jsonLines, runShell } from './run.js';

const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-stdin-file-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const lkm = `"${process.execPath}" "${BIN}"`;
const demo = join(tmp, 'demo.ndjson');
copyFileSync(join(ROOT, 'examples/demo.ndjson'), demo);

/** The summary without its timing, which differs from run to run. */
const counts = (stderr: string) => stderr.replace(/ in [\d.]+ s \([\d.]+ MB\/s\)/, '');

describe('stdin redirected from a regular file', () => {
  it('finds the same alerts with the same counts as the file argument, located in <stdin>', async () => {
    const byPath = await runShell(`${lkm} --format json "${demo}"`);
    const byStdin = await runShell(`${lkm} --format json - < "${demo}"`);
    expect(byPath.code).toBe(1);
    expect(byStdin.code).toBe(1);
    const alerts = jsonLines(byStdin.stdout);
    expect(alerts).toHaveLength(5);
    expect(alerts.every((a) => a.location.file === '<stdin>')).toBe(true);
    // stdin is live (stateful rules decide in arrival order, README), so only the order may differ.
    const renamed = byPath.stdout.split(JSON.stringify(demo)).join(JSON.stringify('<stdin>'));
    expect(byStdin.stdout.split('\n').sort()).toEqual(renamed.split('\n').sort());
    expect(counts(byStdin.stderr)).toBe(counts(byPath.stderr));
    expect(byStdin.stderr).toContain('13 lines (13 events');
  });

  it('gives the same output as the same bytes piped in, also gzipped', async () => {
    const gz = join(tmp, 'demo.ndjson.gz');
    writeFileSync(gz, gzipSync(readFileSync(demo)));
    const piped = await runShell(`cat "${demo}" | ${lkm} --format json -`);
    const redirected = await runShell(`${lkm} --format json - < "${demo}"`);
    const gzipped = await runShell(`${lkm} --format json - < "${gz}"`);
    expect(jsonLines(piped.stdout)).toHaveLength(5);
    expect(redirected.stdout).toBe(piped.stdout);
    expect(gzipped.stdout).toBe(piped.stdout);
    expect(counts(gzipped.stderr)).toBe(counts(piped.stderr));
  });

  it('reads a pipe larger than the reader thread holds (4 MiB) whole, with the counts of the file argument', async () => {
    // ~9 MB of events no rule wants, with the demo's between them: the thread's ring wraps a few
    // times while the scan works, and lines of every length cross chunk edges.
    const big = join(tmp, 'big.ndjson');
    const filler = Array.from({ length: 2000 }, (_, i) => `{"@timestamp":"2024-05-01T10:00:00Z","event":{"category":["network"]},"n":${i},"pad":"${'x'.repeat(i % 900)}"}\n`).join('');
    const text = readFileSync(demo, 'utf8');
    writeFileSync(big, `${filler}${text}`.repeat(Math.ceil(9_000_000 / (filler.length + text.length))));
    const byPath = await runShell(`${lkm} --format json --no-max-signals "${big}"`);
    const piped = await runShell(`cat "${big}" | ${lkm} --format json --no-max-signals -`);
    expect(piped.code).toBe(1);
    const renamed = byPath.stdout.split(JSON.stringify(big)).join(JSON.stringify('<stdin>'));
    expect(piped.stdout.split('\n').sort()).toEqual(renamed.split('\n').sort());
    expect(counts(piped.stderr)).toBe(counts(byPath.stderr));
  });

  it('reads on from where the shell left the file, numbering lines from there', async () => {
    // `read` consumes the first line and leaves the shared offset just after it.
    const rest = await runShell(`{ read -r first; ${lkm} --format json -; } < "${demo}"`);
    const piped = await runShell(`tail -n +2 "${demo}" | ${lkm} --format json -`);
    expect(rest.stderr).toContain('12 lines');
    expect(rest.stdout).toBe(piped.stdout);
    expect(jsonLines(rest.stdout).length).toBeGreaterThan(0);
  });
});
