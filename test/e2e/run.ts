import { execFileSync, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The vendored elastic/detection-rules pack (see test/fixtures/README.md). */
export const PACK = `${ROOT}test/fixtures/detection-rules/detection-rules-toml.tar.gz`;

/** Extracts rule files of the vendored pack (paths like `rules/linux/x.toml`; none = all) into `dir`. */
export function extractPackRules(dir: string, files: readonly string[] = []): void {
  execFileSync('tar', ['xzf', PACK, '-C', dir, ...files.map((f) => `./${f}`)]);
}
export const BIN = fileURLToPath(new URL('../../bin/lkm-scan.js', import.meta.url));

/**
 * The rule cache (src/rules/cache.ts) of every run through runCli and runInProcess (vitest.config.ts
 * sets it for every other process a test starts too): never the user's own ~/.cache. One folder for the whole suite, kept between runs (a rebuild changes the
 * code key in its file names; entries are found by content, so a pack extracted anywhere hits),
 * so the tests that load the whole vendored pack share one warm cache.
 */
export const TEST_CACHE_DIR = process.env.LKM_SCAN_CACHE_DIR ?? join(tmpdir(), `lkm-scan-test-cache-${process.getuid?.() ?? 'user'}`);

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built binary (`npm test` builds first) the way a user does, in the project folder. */
export function runCli(args: string[], options: { stdin?: string | Buffer; env?: Record<string, string> } = {}): Promise<RunResult> {
  return collect(process.execPath, [BIN, ...args], options);
}

/** Runs a shell command line in the project folder: for redirections (`> /dev/full`) and pipes. */
export function runShell(command: string, env: Record<string, string> = {}): Promise<RunResult> {
  return collect('/bin/sh', ['-c', command], { env });
}

function collect(file: string, args: string[], options: { stdin?: string | Buffer; env?: Record<string, string> }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '0', LKM_SCAN_CACHE_DIR: TEST_CACHE_DIR, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');
  });
}

export function jsonLines(text: string): any[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

/**
 * Runs the CLI in this process (src/cli.ts `run`, the function bin/lkm-scan.js calls) with
 * in-memory streams: the same arguments, output and exit code as `runCli` without the cost of
 * starting Node, for the many tests about what a scan prints. Process-level behaviour (the
 * launcher, closed pipes, worker threads, live stdin) is tested with `runCli`.
 */
export async function runInProcess(args: string[], options: { stdin?: string | Buffer; env?: Record<string, string> } = {}): Promise<RunResult> {
  const { PassThrough, Readable } = await import('node:stream');
  const { run } = await import('../../src/cli.js');
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  // Relative paths in the tests are relative to the project, where npm test runs.
  if (process.cwd() !== ROOT.replace(/\/$/, '')) throw new Error(`run the tests from ${ROOT}`);
  const code = await run(args, {
    stdout,
    stderr,
    stdin: Readable.from([Buffer.from(options.stdin ?? '')]),
    env: { NO_COLOR: '', FORCE_COLOR: '0', LKM_SCAN_CACHE_DIR: TEST_CACHE_DIR, ...options.env },
  });
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: out, stderr: err };
}
