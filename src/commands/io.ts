import type { Readable, Writable } from 'node:stream';

/** The process streams a command uses; injected so tests can run commands in-process. */
export interface CliIO {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
  stdin: Readable;
  env: NodeJS.ProcessEnv;
}

/** Exit codes: a documented contract (README "Exit status"). */
export const EXIT_CLEAN = 0;
export const EXIT_ALERTS = 1;
export const EXIT_ERROR = 2;
