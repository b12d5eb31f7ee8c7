#!/usr/bin/env node
// Thin launcher: all logic lives in dist/cli.js, which returns an exit code instead of exiting.
// This file is the one fatal-error boundary (as ESLint's bin/eslint.js is): whatever escapes the
// CLI — a thrown error, a rejected promise, a failed write to stdout — ends in one line on stderr
// and exit status 2, because a CI job must never read a crash as "alerts found" or "clean".
import { processInterrupts, run } from '../dist/cli.js';
import { EXIT_INTERRUPTED } from '../dist/commands/interrupt.js';
import { reportOutputFailure, watchOutput } from '../dist/commands/io.js';

// An object, not a `let`: onFatalError sets it from event listeners, which TypeScript's flow analysis
// (used by the linter) does not see.
const crash = { fatal: false };
function onFatalError(error) {
  process.exitCode = 2;
  if (crash.fatal) return;
  crash.fatal = true;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`lkm-scan: internal error: ${message}\n`);
  if (process.env.LKM_SCAN_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write('This is a bug in lkm-scan; please report it with the command line you used (LKM_SCAN_DEBUG=1 shows the stack trace).\n');
}
process.on('uncaughtException', onFatalError);
process.on('unhandledRejection', onFatalError);

// A reader that goes away (`lkm-scan big.ndjson | head -1`) is normal at a shell: quiet. Any other
// failed write (a full disk, EIO) leaves the output incomplete: exit 2, said once, whenever it
// happens — during a scan (which then stops reading) or after run() returned (help, rule lists).
const output = watchOutput(process.stdout);
output.onError = () => {
  process.exitCode = 2;
  reportOutputFailure(output, process.stderr);
};

try {
  const code = await run(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    stdinFd: 0,
    env: process.env,
    interrupts: processInterrupts(process),
  });
  if (output.error === undefined && !crash.fatal) process.exitCode = code;
  const signal = Object.keys(EXIT_INTERRUPTED).find((name) => EXIT_INTERRUPTED[name] === code);
  if (signal !== undefined) {
    // An interrupted scan has written all it will. A read it could not cancel (a FIFO named as an
    // input is read with blocking reads in Node's thread pool) keeps the process alive until the
    // writer's next line, and would hang a normal exit too: if the process has not ended soon,
    // it ends by the signal itself, which a shell reports as the same status (128 + signal).
    setTimeout(() => process.kill(process.pid, signal), 200).unref();
  }
} catch (error) {
  onFatalError(error);
}
