import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { Writable } from 'node:stream';
import { formatBytes } from './summary.js';
import { formatCount } from '../text/count.js';

/** At most this many redraws a second: enough to look live, too few to cost anything. */
const REDRAWS_PER_SECOND = 10;
/** Carriage return, then erase the whole line (ECMA-48 EL 2): the line is redrawn in place. */
const CLEAR_LINE = '\r\x1b[2K';

/**
 * One line on a terminal's stderr, redrawn in place while files are scanned: bytes read of the
 * total, events per second, alerts so far and the time left. Whoever writes anything else to the
 * terminal calls `clear()` first, so the line never mixes with it; it is drawn again at the next
 * update. Only for files: a stream has no total to measure against.
 *
 * A draw waits for the event loop to be free (setImmediate), like the alert output's batched
 * writes (./batchedWriter.ts): when stdout is the same terminal, alerts written in the meantime
 * land on a cleared line, and the progress line is drawn again under them.
 */
export class ProgressLine {
  private shown = false;
  private lastDraw = -Infinity;
  /** Bumped by clear(): a draw scheduled before it is dropped. */
  private generation = 0;
  private drawScheduled = false;
  private readonly started: number;
  /** Bytes and events of the inputs already read, and of the one being read. */
  private doneBytes = 0;
  private doneEvents = 0;
  private bytes = 0;
  private events = 0;

  constructor(
    private readonly out: Writable & { columns?: number },
    private readonly totalBytes: number,
    private readonly alerts: () => number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
  }

  /**
   * The input being read got to `bytes` (as stored, before decompression) and `events`: records
   * decided so far, evaluated or ruled out by the prefilter (not blank or malformed lines).
   */
  update(bytes: number, events: number): void {
    this.bytes = bytes;
    this.events = events;
    if (this.drawScheduled || this.now() - this.lastDraw < 1000 / REDRAWS_PER_SECOND) return;
    this.drawScheduled = true;
    const generation = this.generation;
    setImmediate(() => {
      this.drawScheduled = false;
      if (generation !== this.generation) return;
      const now = this.now();
      this.lastDraw = now;
      this.shown = true;
      this.out.write(CLEAR_LINE + this.text(now));
    });
  }

  /** The input being read is done; the next one counts from zero. */
  nextInput(): void {
    this.doneBytes += this.bytes;
    this.doneEvents += this.events;
    this.bytes = 0;
    this.events = 0;
  }

  /** Erases the line, if it is shown, so that other text can be written to the terminal. */
  clear(): void {
    this.generation++;
    // Redraw at the next update, not a tenth of a second later: the line should not vanish.
    this.lastDraw = -Infinity;
    if (!this.shown) return;
    this.shown = false;
    this.out.write(CLEAR_LINE);
  }

  private text(now: number): string {
    const read = this.doneBytes + this.bytes;
    const events = this.doneEvents + this.events;
    const seconds = (now - this.started) / 1000;
    const parts = [`${formatBytes(read)} of ${formatBytes(this.totalBytes)}`];
    if (this.totalBytes > 0) parts[0] += ` (${Math.min(100, Math.floor((read / this.totalBytes) * 100))}%)`;
    if (seconds > 0) parts.push(`${formatCount(Math.round(events / seconds))} events/s`);
    const alerts = this.alerts();
    parts.push(`${formatCount(alerts)} alert${alerts === 1 ? '' : 's'}`);
    if (seconds > 0 && read > 0 && this.totalBytes > read) parts.push(`ETA ${formatDuration(((this.totalBytes - read) / read) * seconds)}`);
    const text = `lkm-scan: ${parts.join(', ')}`;
    // A line longer than the terminal wraps, and `\r` would then redraw only its last part.
    const width = this.out.columns;
    return width !== undefined && width > 1 && text.length >= width ? text.slice(0, width - 1) : text;
  }
}

/** `0:07`, `12:34`, `1:02:03`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Total size of the files, for the progress line; a file that cannot be measured counts 0. */
export async function totalFileBytes(paths: readonly string[]): Promise<number> {
  const sizes = await Promise.all(paths.map((p) => stat(p).then((s) => (s.isFile() ? s.size : 0), () => 0)));
  return sizes.reduce((a, b) => a + b, 0);
}
