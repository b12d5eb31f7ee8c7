#!/usr/bin/env node
// Thin launcher: all logic lives in dist/cli.js, which returns an exit code instead of exiting.
import { run } from '../dist/cli.js';

try {
  process.exitCode = await run(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
  });
} catch (e) {
  process.stderr.write(`lkm-scan: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.stderr.write('This is a bug in lkm-scan; please report it with the command line you used.\n');
  process.exitCode = 2;
}
