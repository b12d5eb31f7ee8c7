import type { Readable, Writable } from 'node:stream';
import type { ChalkInstance } from 'chalk';
import type { ResolvedInputs } from '../input/index.js';
import { printable } from '../text/printable.js';
import type { Interrupts } from './interrupt.js';

/** The process streams a command uses; injected so tests can run commands in-process. */
export interface CliIO {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  stdin: Readable;
  /**
   * The descriptor `stdin` reads, when the launcher knows it (0 for process.stdin): when it is a
   * regular file (`lkm-scan - < FILE`) a scan reads it directly, as it reads a file argument.
   */
  stdinFd?: number;
  env: NodeJS.ProcessEnv;
  /** SIGINT/SIGTERM for a scan to stop early (./interrupt.ts); without it a scan is never interrupted. */
  interrupts?: Interrupts;
}

/**
 * The inputs a command reads (files, folders, `-`), each unreadable one said on stderr and
 * returned to be counted. With `usage`, no input while stdin is a terminal says what it waits for,
 * as grep or jq would, rather than seem to hang.
 */
export async function openInputs(inputs: readonly string[], io: CliIO, usage?: string): Promise<ResolvedInputs> {
  if (usage !== undefined && inputs.length === 0 && 'isTTY' in io.stdin && io.stdin.isTTY === true) {
    io.stderr.write(`lkm-scan: reading events from the terminal; end with Ctrl-D, or name files: ${usage}\n`);
  }
  // Imported here, not by this module: the launcher imports it, and `lkm-scan rules` reads no event.
  const { resolveInputs } = await import('../input/index.js');
  const resolved = await resolveInputs(inputs);
  for (const e of resolved.errors) io.stderr.write(`lkm-scan: error: ${printable(e.source)}: ${printable(e.message)}\n`);
  return resolved;
}

/**
 * Colours for what a command writes to stdout: --color/--no-color, else NO_COLOR/FORCE_COLOR, else
 * whether it is a terminal. chalk is imported here, when asked for: a scan that writes json never loads it.
 */
export async function stdoutChalk(io: CliIO, color: boolean | undefined): Promise<ChalkInstance> {
  const { colorEnabled, makeChalk } = await import('../output/color.js');
  return makeChalk(colorEnabled(color, io.env, io.stdout.isTTY === true));
}

/** Exit codes: a documented contract (README "Exit status"). */
export const EXIT_CLEAN = 0;
export const EXIT_ALERTS = 1;
export const EXIT_ERROR = 2;

/** What became of an output stream: closed by its reader (quietly fine) or failed (the output is incomplete). */
export interface OutputState {
  /** The reader went away (EPIPE): stop writing, quietly, as cat or grep do. */
  closed: boolean;
  /** A write failed for another reason (ENOSPC, EIO): the output is incomplete, exit 2. */
  error?: NodeJS.ErrnoException;
  /** The failure was already told to the user, so it is told once. */
  reported: boolean;
  /** Called once, when `error` is first set (the launcher sets the exit code from it). */
  onError?: (error: NodeJS.ErrnoException) => void;
}

const watched = new WeakMap<Writable, OutputState>();

/**
 * The one listener for a stream's 'error' events, shared by the launcher and the commands, so a
 * failed write is noticed wherever it happens and never escapes as an uncaught 'error' event.
 */
export function watchOutput(stream: Writable): OutputState {
  const known = watched.get(stream);
  if (known !== undefined) return known;
  const state: OutputState = { closed: false, reported: false };
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (isClosedPipe(error)) state.closed = true;
    else if (state.error === undefined) {
      state.error = error;
      state.onError?.(error);
    }
  });
  watched.set(stream, state);
  return state;
}

/** Writes the output failure of `state` on `stderr` unless that was done already. */
export function reportOutputFailure(state: OutputState, stderr: Writable): void {
  if (state.error === undefined || state.reported) return;
  state.reported = true;
  stderr.write(`lkm-scan: error: ${describeOutputError(state.error)}\n`);
}

/** A reader that went away: EPIPE, or a write after the stream was destroyed because of it. */
export function isClosedPipe(error: NodeJS.ErrnoException): boolean {
  return error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED';
}

/** "cannot write the output: no space left on device (ENOSPC); it is incomplete" */
export function describeOutputError(error: NodeJS.ErrnoException): string {
  const reason = error.code === 'ENOSPC' ? 'no space left on device' : error.code === 'EIO' ? 'I/O error' : error.message;
  return `cannot write the output: ${reason}${error.code && !reason.includes(error.code) ? ` (${error.code})` : ''}; the output is incomplete`;
}
