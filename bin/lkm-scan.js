#!/usr/bin/env node
// Thin launcher: all logic lives in dist/cli.js, which returns an exit code instead of exiting.
import { processInterrupts, run } from '../dist/cli.js';

// `lkm-scan --help | head -3`: a reader that goes away is normal at a shell; the scan notices it
// and stops (see commands/scan.ts), and anything else written after that is simply dropped.
process.stdout.on('error', (e) => {
  if (e.code !== 'EPIPE') throw e;
});

try {
  process.exitCode = await run(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    interrupts: processInterrupts(process),
  });
} catch (e) {
  process.stderr.write(`lkm-scan: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.stderr.write('This is a bug in lkm-scan; please report it with the command line you used.\n');
  process.exitCode = 2;
}
