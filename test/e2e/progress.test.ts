import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from './run.js';

// The progress line (issue 7, CI features): on a terminal's stderr, for file inputs, never with
// --quiet, on stdin or when stderr is not a terminal. Run under a pseudo-terminal from util-linux's
// `script`, with stdout to a file: what `script` passes on is exactly what reached the terminal.
const CLEAR = '\r\x1b[2K';
let big = '';

beforeAll(() => {
  // More than one read (1 MiB), with a malformed line after the first: progress is drawn, then
  // has to make way for the malformed-line report.
  const demo = readFileSync(join(ROOT, 'examples/demo.ndjson'), 'utf8').trimEnd().split('\n');
  const lines = Array.from({ length: 2500 }, (_, i) => demo[i % demo.length]);
  big = join(mkdtempSync(join(tmpdir(), 'lkm-progress-')), 'big.ndjson');
  writeFileSync(big, [...lines, 'not json', ...lines.slice(0, 200)].join('\n') + '\n');
});

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** What a terminal shows from `lkm-scan ARGS` run in a shell, with stdout sent to /dev/null unless `stdoutToo`. */
function onTerminal(args: string[], stdinFrom?: string, stdoutToo = false): Promise<string> {
  const command = `${stdinFrom ? `cat ${quote(stdinFrom)} | ` : ''}${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')}${stdoutToo ? '' : ' > /dev/null'}`;
  return new Promise((resolve, reject) => {
    execFile('script', ['-qfec', command, '/dev/null'], { cwd: ROOT, env: { ...process.env, SHELL: '/bin/sh', NO_COLOR: '1' } }, (error, stdout) =>
      // lkm-scan's exit status (1: alerts) is script's; the output is what is tested.
      error instanceof Error && typeof (error as NodeJS.ErrnoException & { code?: unknown }).code !== 'number' ? reject(error) : resolve(stdout),
    );
  });
}

describe.concurrent('progress line', () => {
  it('is drawn in place on a terminal while files are read, and erased before any other stderr line', async () => {
    const screen = await onTerminal([big]);
    const size = '1.6 MB';
    expect(screen).toMatch(new RegExp(`\\r\\x1b\\[2Klkm-scan: [\\d.]+ [kM]?B of ${size} \\(\\d+%\\), [\\d,]+ events/s, [\\d,]+ alerts?`));
    // Erased (carriage return, erase line) right before the malformed-line report and the summary.
    expect(screen).toContain(`${CLEAR}${big}:2501: invalid JSON`);
    expect(screen).toContain(`${CLEAR}lkm-scan: 1 input, 2,701 lines`);
    // Nothing of it after the summary began.
    expect(screen.slice(screen.indexOf('lkm-scan: 1 input'))).not.toContain(CLEAR);
  });

  it('never has alerts written after it when stdout is the same terminal', async () => {
    const screen = await onTerminal(['--rule', '947827c6', big], undefined, true);
    expect(screen).toContain('  rule     947827c6-9ed6-4dec-903e-c856c86e72f3');
    // Split where the line is erased: each drawn progress line is erased before anything else.
    const drawn = screen.split(CLEAR).filter((piece) => /^lkm-scan: [\d.]+ [kM]?B of /.test(piece));
    expect(drawn.length).toBeGreaterThan(0);
    for (const piece of drawn) expect(piece).toMatch(/^lkm-scan: [^\r\n]*(alerts?|ETA \d+:\d+)$/);
  });

  it('is not drawn with --quiet, nor for stdin', async () => {
    for (const screen of await Promise.all([onTerminal(['--quiet', big]), onTerminal(['-'], big)])) {
      expect(screen).not.toContain('\x1b[2K');
      expect(screen).not.toMatch(/ of [\d.]+ [kM]?B/);
    }
  });

  it('is not drawn when stderr is not a terminal', async () => {
    const r = await runCli([big]);
    expect(r.stderr).not.toContain('\x1b[2K');
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).toContain(`${big}:2501: invalid JSON`);
  });
});
