import type { Readable, Writable } from 'node:stream';
import type { Interrupts } from './interrupt.js';

/** The process streams a command uses; injected so tests can run commands in-process. */
export interface CliIO {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  stdin: Readable;
  env: NodeJS.ProcessEnv;
  /** SIGINT/SIGTERM for a scan to stop early (./interrupt.ts); without it a scan is never interrupted. */
  interrupts?: Interrupts;
}

/** Exit codes: a documented contract (README "Exit status"). */
export const EXIT_CLEAN = 0;
export const EXIT_ALERTS = 1;
export const EXIT_ERROR = 2;
