/** The signals that ask a scan to stop early and still finish its output. */
export type InterruptSignal = 'SIGINT' | 'SIGTERM';

/** Exit status after an interrupt: 128 + the signal's number, what a shell reports for it. */
export const EXIT_INTERRUPTED: Readonly<Record<InterruptSignal, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Where a command hears that the user wants it to stop (Ctrl-C, `kill`, a CI job cancelled).
 * Injected through CliIO: the launcher passes the process's signals (`processInterrupts`), tests
 * pass their own, and code run in-process without it never touches the process's handlers.
 */
export interface Interrupts {
  /** Calls `stop` when an interrupt arrives, until the returned function is called. */
  listen(stop: (signal: InterruptSignal) => void): () => void;
}

/** What processInterrupts uses of `process`. */
export interface SignalingProcess {
  readonly pid: number;
  on(signal: InterruptSignal, listener: (signal: InterruptSignal) => void): unknown;
  off(signal: InterruptSignal, listener: (signal: InterruptSignal) => void): unknown;
  kill(pid: number, signal: InterruptSignal): unknown;
  stderr: { write(text: string): unknown };
}

/**
 * The real process's SIGINT and SIGTERM. The first one calls `stop`, so the scan ends its output
 * properly; a second one means "now": the process dies of that signal at once, whatever the scan
 * is doing (a shell reports 130 or 143, as for the first). Not process.exit(): it waits for the
 * worker threads, and one may be stuck in a read from a pipe that nobody writes to.
 */
export function processInterrupts(proc: SignalingProcess): Interrupts {
  const signals: InterruptSignal[] = ['SIGINT', 'SIGTERM'];
  return {
    listen(stop) {
      let stopping = false;
      const onSignal = (signal: InterruptSignal) => {
        if (stopping) {
          proc.stderr.write(`\nlkm-scan: ${signal} again: exiting at once; the output may be incomplete\n`);
          // With no listener left the signal's default action applies again: termination.
          for (const s of signals) proc.off(s, onSignal);
          proc.kill(proc.pid, signal);
          return;
        }
        stopping = true;
        stop(signal);
      };
      for (const s of signals) proc.on(s, onSignal);
      return () => {
        for (const s of signals) proc.off(s, onSignal);
      };
    },
  };
}

/**
 * One command's view of interrupts: listens from creation until `dispose()`, and tells whether
 * (and by which signal) the user asked to stop. `signal` aborts at that moment, for whatever
 * waits on input; `interrupted` is the flag the end of a scan reads (summary, output, exit status).
 */
export class Interruption {
  private readonly controller = new AbortController();
  private received: InterruptSignal | undefined;
  private readonly unlisten: () => void;

  constructor(interrupts: Interrupts | undefined) {
    this.unlisten =
      interrupts?.listen((signal) => {
        this.received ??= signal;
        this.controller.abort();
      }) ?? (() => {});
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get interrupted(): boolean {
    return this.received !== undefined;
  }

  /** The signal that stopped the command, if one did. */
  get by(): InterruptSignal | undefined {
    return this.received;
  }

  dispose(): void {
    this.unlisten();
  }
}
