import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli.js';
import type { InterruptSignal } from '../../src/commands/interrupt.js';
import { BIN, ROOT, jsonLines } from './run.js';

// SIGINT/SIGTERM (issue 7, CI features): stop reading, decide and write what was read, end the
// output as a complete document, print the summary, exit 130/143. The input is a pipe that stays
// open, as a live `auditbeat | lkm-scan` is: without the interrupt the scan would never end.
const R1 = '947827c6-9ed6-4dec-903e-c856c86e72f3';
const R2 = '80084fa9-8677-4453-8680-b891d3c0c778';
const TAIL = '22222222-0000-4000-8000-000000000004';
const demoLines = readFileSync(join(ROOT, 'examples/demo.ndjson'), 'utf8').split('\n');
const demoLine = demoLines[0]!;
const curl = '{"@timestamp":"2024-05-01T10:00:01Z","event":{"category":["process"],"type":["start"]},"process":{"name":"curl"}}';
const rules = ['--rules', 'test/fixtures/rules/eql_tail_curl.toml', '--rule', R1, '--rule', TAIL];

interface Scan {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once `pattern` appears on stdout or stderr. */
  seen(where: 'stdout' | 'stderr', pattern: RegExp): Promise<void>;
  exit: Promise<number | null>;
}

function startScan(args: string[]): Scan {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '0' } });
  const text = { stdout: '', stderr: '' };
  const waiting: Array<{ where: 'stdout' | 'stderr'; pattern: RegExp; resolve: () => void }> = [];
  const check = () => {
    for (const w of [...waiting]) {
      if (!w.pattern.test(text[w.where])) continue;
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => ((text.stdout += d), check()));
  child.stderr.setEncoding('utf8').on('data', (d: string) => ((text.stderr += d), check()));
  child.stdin.on('error', () => {});
  return {
    child,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    seen: (where, pattern) =>
      new Promise<void>((resolve) => {
        waiting.push({ where, pattern, resolve });
        check();
      }),
    exit: new Promise((resolve) => child.on('close', (code) => resolve(code))),
  };
}

describe.concurrent('SIGINT and SIGTERM during a scan', () => {
  it('on SIGINT: decides what was read (held alerts too), ends the JSON output, prints the summary, exits 130', async () => {
    const scan = startScan(['--format', 'json', ...rules, '-']);
    scan.child.stdin.write(`${curl}\n${demoLine}\n`);
    await scan.seen('stdout', /\n/);
    // The tail rule holds its alert until the end of the input, which never comes.
    expect(scan.stdout()).not.toContain(TAIL);
    scan.child.kill('SIGINT');
    expect(await scan.exit).toBe(130);
    const alerts = jsonLines(scan.stdout());
    expect(alerts.map((a) => a.rule.id).sort()).toEqual([R1, TAIL].sort());
    expect(scan.stderr()).toMatch(/^lkm-scan: 1 input, 2 lines \(2 events/m);
    expect(scan.stderr()).toContain('  interrupted by SIGINT: the counts above cover the input read before it\n');
    expect(scan.stderr()).toContain('  2 alerts from 2 of 2 rules\n');
    expect(scan.stderr()).toContain('  alerts by host:\n');
  });

  it('on SIGTERM: SARIF is still one complete document; exits 143', async () => {
    const scan = startScan(['--format', 'sarif', ...rules, '-']);
    // SARIF writes nothing before the end: a malformed line, reported at once, shows the scan is reading.
    scan.child.stdin.write(`${demoLine}\nnot json\n`);
    await scan.seen('stderr', /<stdin>:2: invalid JSON/);
    scan.child.kill('SIGTERM');
    expect(await scan.exit).toBe(143);
    const sarif = JSON.parse(scan.stdout());
    expect(sarif.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toEqual([R1]);
    expect(scan.stderr()).toContain('interrupted by SIGTERM');
  });

  it('saves --state on the way out, with the terms of what was read', async () => {
    const state = join(mkdtempSync(join(tmpdir(), 'lkm-signal-')), 'state.json');
    const scan = startScan(['--format', 'json', '--rule', R2, '--state', state, '-']);
    scan.child.stdin.write(`${demoLines[4]}\n`);
    await scan.seen('stdout', /\n/);
    scan.child.kill('SIGINT');
    expect(await scan.exit).toBe(130);
    expect(jsonLines(scan.stdout()).map((a) => a.new_terms)).toEqual([{ 'process.executable': '/usr/bin/kmod' }]);
    expect(readFileSync(state, 'utf8')).toContain('/usr/bin/kmod');
    expect(scan.stderr()).toContain('interrupted by SIGINT');
  });

  it('one signal ends a scan whose read is stuck on a quiet FIFO: output and summary complete, exit 130', async () => {
    // A FIFO named as a file is read with blocking reads in Node's thread pool, which nothing can
    // cancel: the interrupt stops the reading, the scan finishes its output, and the launcher
    // ends by the signal itself (a shell shows 130) instead of waiting for the writer's next line
    // (before, it took a second signal).
    const fifo = join(mkdtempSync(join(tmpdir(), 'lkm-signal-')), 'events');
    execFileSync('mkfifo', [fifo]);
    // Opened read-write: a writer exists from the start, so the scan's open does not block.
    const writer = openSync(fifo, constants.O_RDWR);
    try {
      const scan = startScan(['--format', 'json', ...rules, fifo]);
      writeSync(writer, `${demoLine}\n`);
      await scan.seen('stdout', /\n/);
      scan.child.kill('SIGINT');
      await scan.exit;
      expect(scan.child.signalCode).toBe('SIGINT');
      expect(jsonLines(scan.stdout()).map((a) => a.rule.id)).toEqual([R1]);
      expect(scan.stderr()).toMatch(/1 lines \(1 events/);
      expect(scan.stderr()).toContain('interrupted by SIGINT');
      expect(scan.stderr()).not.toMatch(/again: exiting at once/);
    } finally {
      closeSync(writer);
    }
  });

  it('without a signal, an open pipe keeps the scan waiting (the interrupt is what ends it)', async () => {
    const scan = startScan(['--format', 'json', ...rules, '-']);
    scan.child.stdin.write(`${demoLine}\n`);
    await scan.seen('stdout', /\n/);
    scan.child.stdin.end(`${curl}\n`);
    expect(await scan.exit).toBe(1);
    expect(jsonLines(scan.stdout()).map((a) => a.rule.id)).toEqual([R1, TAIL]);
    expect(scan.stderr()).not.toMatch(/interrupted/);
  });
});

describe('interrupts in-process (CliIO.interrupts)', () => {
  it('stops reading a file between reads, and says which input it cut short', async () => {
    // Five reads' worth of lines (1 MiB each); the interrupt comes with the first alert written.
    const file = join(mkdtempSync(join(tmpdir(), 'lkm-signal-')), 'big.ndjson');
    const lines = Array.from({ length: 9000 }, (_, i) => demoLines[i % 13]);
    writeFileSync(file, lines.join('\n') + '\n');
    let stop: ((s: InterruptSignal) => void) | undefined;
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let err = '';
    stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    stdout.once('data', () => stop?.('SIGINT'));
    stdout.resume();
    // Over files, max_signals holds alerts to the end: streamed, the first one comes while reading.
    const code = await run(['--no-max-signals', '--workers', '1', '--rule', R1, file], {
      stdin: new PassThrough(),
      stdout,
      stderr,
      env: { NO_COLOR: '', FORCE_COLOR: '0' },
      interrupts: { listen: (s) => ((stop = s), () => {}) },
    });
    expect(code).toBe(130);
    const cut = /interrupted by SIGINT after line ([\d,]+) of (.*): the counts above leave that input out/.exec(err);
    expect(cut?.[2]).toBe(file);
    const at = Number(cut?.[1]?.replace(/,/g, ''));
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(9000);
  });


  it('listens only while a scan runs, and stops it when told', async () => {
    let stop: ((s: InterruptSignal) => void) | undefined;
    let listening = 0;
    const interrupts = {
      listen(s: (signal: InterruptSignal) => void) {
        stop = s;
        listening++;
        return () => void listening--;
      },
    };
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const io = { stdin, stdout, stderr, env: { NO_COLOR: '', FORCE_COLOR: '0' }, interrupts };

    expect(await run(['rules'], { ...io, stdout: new PassThrough() })).toBe(0);
    expect(listening).toBe(0);
    expect(stop).toBeUndefined();

    const scanning = run(['--format', 'json', ...rules, '-'], io);
    stdin.write(`${demoLine}\n`);
    while (!out.includes('\n')) await new Promise((r) => setTimeout(r, 5));
    expect(listening).toBe(1);
    stop?.('SIGTERM');
    expect(await scanning).toBe(143);
    expect(listening).toBe(0);
    expect(jsonLines(out).map((a) => a.rule.id)).toEqual([R1]);
    expect(err).toContain('interrupted by SIGTERM');
  });
});
