// A reader of stdout slower than the scan must slow the scan down, not fill memory with output
// waiting to be written. Measured by counting: how many bytes the process read (/proc/PID/io
// rchar) once it has nothing left to do while nobody reads its stdout. With back-pressure it
// stops reading after about one input chunk; without, it read the whole input and held its
// output in memory.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from './run.js';

const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-backpressure-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** 32 MB of events that all alert (the demo's first line: a kernel module created by insmod). */
const big = join(tmp, 'alerts.ndjson');
beforeAll(() => {
  const line = readFileSync(join(ROOT, 'examples/demo.ndjson'), 'utf8').split('\n')[0]!;
  writeFileSync(big, (line + '\n').repeat(Math.ceil(32e6 / (line.length + 1))));
});

interface Idle {
  /** Bytes the process read, its own modules and rules included. */
  rchar: number;
}

/**
 * Starts lkm-scan with a stdout pipe that is never read, and resolves once the process has been
 * idle (no CPU time, no bytes read) for ten samples in a row: blocked on its full output.
 */
function runUntilIdle(args: string[], env: Record<string, string> = {}): Promise<Idle> {
  return new Promise((resolve, reject) => {
    // --no-cache: the rule cache's files are reads too, of a size that depends on what other tests cached.
    const child = spawn(process.execPath, [BIN, '--no-cache', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
    child.on('error', reject);
    let last = '';
    let same = 0;
    const timer = setInterval(() => {
      let io: string;
      let stat: string;
      try {
        io = readFileSync(`/proc/${child.pid}/io`, 'utf8');
        stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      } catch (e) {
        clearInterval(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      const rchar = Number(/rchar: (\d+)/.exec(io)?.[1]);
      // utime and stime: fields 14 and 15, counted after the command name's closing parenthesis.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const key = `${rchar}:${fields[11]}:${fields[12]}`;
      same = key === last ? same + 1 : 0;
      last = key;
      if (same >= 10) {
        clearInterval(timer);
        // SIGKILL: a SIGTERM would be handled as an interrupt that waits for the output to drain.
        child.kill('SIGKILL');
        resolve({ rchar });
      }
    }, 100);
    child.on('exit', (code) => {
      clearInterval(timer);
      // Finished: it never waited for its reader (its whole output fit in the pipe).
      reject(new Error(`lkm-scan exited (${code}) although its output was never read`));
    });
  });
}

// Every line has the same time, so max_signals would keep a few hundred alerts of one execution
// and write them at the end: streamed output is what these tests pace, so the caps are off.
describe.concurrent('a slow reader of stdout', () => {
  const size = () => statSync(big).size;

  it.each([['text'], ['sarif']])('stops the scan from reading on until it catches up (--format %s)', async (format) => {
    const idle = await runUntilIdle(['--no-max-signals', '--format', format, '-q', big]);
    // Node, the CLI's modules and the rules are a few MB; the input chunk in hand is 1 MiB.
    expect(idle.rchar).toBeLessThan(size() / 4);
  });

  it('stops worker threads too: no more ranges are read than the reader keeps in flight', async () => {
    const idle = await runUntilIdle(['--no-max-signals', '--workers', '2', '-q', big], { LKM_SCAN_RANGE_BYTES: String(256 << 10) });
    // Each worker loads the modules and rules again (about 10 MB read in all, measured); the
    // ranges in flight are 5 × 256 KiB. Without back-pressure the whole 32 MB was read.
    expect(idle.rchar).toBeLessThan(size() / 2);
  });
});

