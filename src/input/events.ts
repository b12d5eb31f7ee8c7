import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import type { EcsEvent } from '../event/types.js';
import { DEFAULT_CHUNK_BYTES, InputReadError, readFileChunks, readStreamChunks, type ByteRange } from './bytes.js';
import { GzipError, decodeBytes } from './decompress.js';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter, type LineSink } from './lines.js';
import type { InputSource } from './sources.js';
import { printable as escapeForTerminal } from '../output/printable.js';

/** Where a line came from: the input's name as the user gave it (or `<stdin>`) and its 1-based line. */
export interface Location {
  file: string;
  line: number;
}

/**
 * Receives what {@link readEvents} finds, synchronously and in input order. `event` may be slow
 * (it writes output); reading waits for it. The `Location` objects are fresh, so they may be kept.
 */
export interface EventHandler {
  /** `text` is the line the event was parsed from, for a handler that passes lines on (src/parallel). */
  event(event: EcsEvent, loc: Location, text: string): void;
  /** A line that is not a JSON object; `reason` is short and printable (control characters escaped). */
  malformed(loc: Location, reason: string): void;
  /** The line was delivered, but something about it is worth telling the user. */
  warning?(loc: Location, message: string): void;
  /**
   * How far reading got, after each chunk: bytes of the input read (as stored, before
   * decompression) and complete lines so far. For a progress display, and a place to stop
   * reading (by throwing) even when no line reaches the other methods.
   */
  progress?(bytes: number, lines: number): void;
}

/**
 * What reading one input found. Every line is exactly one of events, skipped, malformed or blank:
 * `events + skipped + malformed + blank === lines`.
 */
export interface SourceStats {
  lines: number;
  /** Lines parsed into an object and given to `handler.event`. */
  events: number;
  /** Object-shaped lines the `screen` ruled out without parsing them. */
  skipped: number;
  malformed: number;
  /** Empty or whitespace-only lines. */
  blank: number;
  /** Bytes after decompression, i.e. the bytes the lines are made of. */
  bytes: number;
  warnings: number;
  /** Set when the input could not be read to its end; the lines before were delivered and counted. */
  error?: string;
  /**
   * The pieces `error` was worded from when a plain file failed to read, so that a reader of a
   * byte range (src/parallel) can word it again with line numbers of the whole file.
   */
  readFailure?: { message: string; droppedPartialLine: boolean };
}

export interface ReadEventsOptions {
  /** Longer lines are reported malformed and skipped without being held in memory. Default 256 MiB. */
  maxLineBytes?: number;
  /** Size of each read from a file. Default 1 MiB. */
  chunkBytes?: number;
  /**
   * Read only these bytes of a file source, which must start at a line start and end just after
   * a `\n` (or at the end of the file). Lines are numbered from 1 within the range, and the
   * range's first line keeps a leading BOM unless the range starts at byte 0. Not for gzip files:
   * the bytes are taken as they are.
   */
  range?: ByteRange;
  /** The stream read for a `stdin` source. Default `process.stdin`. */
  stdin?: NodeJS.ReadableStream | Readable;
  /**
   * The fast path: rules out whole stretches of lines from their raw bytes, so only candidate
   * lines are decoded and parsed. Lines it rules out are counted in `skipped`.
   */
  screen?: LineScreen;
  /**
   * Asked after each chunk is handled: a promise means "wait before reading on" (the output is
   * full, see BatchedWriter.pace), so memory stays bounded when the consumer is slower than the input.
   */
  pace?: () => Promise<void> | undefined;
}

/**
 * Decides from raw bytes which lines might matter (see src/prefilter). `candidates` sees a whole
 * read buffer at once so it can search it with Buffer.indexOf instead of visiting every line.
 */
export interface LineScreen {
  /** Called once with the first buffer of each input, to tune itself to the data. */
  calibrate?(sample: Buffer): void;
  /** Start offsets, ascending, of the lines of `bytes[start..end)` that need a closer look. */
  candidates(bytes: Buffer, start: number, end: number): number[];
  /** False when the line (without its newline) cannot matter. */
  mayMatch(bytes: Buffer, start: number, end: number): boolean;
}

/** Longest reason passed to `malformed`; V8's messages are short, this only bounds the unexpected. */
const MAX_REASON_CHARS = 200;

/**
 * Reads one input to its end: bytes (gunzipped if they are gzip), then lines, then JSON objects.
 * Never rejects for a problem with the input itself (missing file, I/O error, broken gzip): that
 * ends up in `error` of the returned stats, after every complete line before it was handled.
 * Errors thrown by the handler propagate, and the input is closed.
 */
export async function readEvents(
  source: InputSource,
  handler: EventHandler,
  options: ReadEventsOptions = {},
): Promise<SourceStats> {
  const stats: SourceStats = { lines: 0, events: 0, skipped: 0, malformed: 0, blank: 0, bytes: 0, warnings: 0 };
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const sink = new EventParser(source.name, handler, stats, maxLineBytes, options.screen);
  const range = source.kind === 'file' ? options.range : undefined;
  const splitter = new LineSplitter(sink, maxLineBytes, range !== undefined && range.start > 0);
  const raw =
    source.kind === 'stdin'
      ? readStreamChunks(options.stdin ?? process.stdin)
      : readFileChunks(source.path, options.chunkBytes ?? DEFAULT_CHUNK_BYTES, range);
  const progress = handler.progress?.bind(handler);
  const counted = progress === undefined ? raw : reportRead(raw, (bytes) => progress(bytes, splitter.lines));
  try {
    for await (const chunk of range === undefined ? decodeBytes(counted) : counted) {
      stats.bytes += chunk.length;
      splitter.push(chunk);
      const wait = options.pace?.();
      if (wait !== undefined) await wait;
    }
    splitter.end();
  } catch (error) {
    if (!(error instanceof InputReadError || error instanceof GzipError)) throw error;
    // A line cut off by the failure is not known to be complete: better dropped than misread.
    const dropped = splitter.discardPartialLine();
    stats.error = describeFailure(error, splitter.lines, dropped);
    if (error instanceof InputReadError) stats.readFailure = { message: error.message, droppedPartialLine: dropped };
  }
  stats.lines = splitter.lines;
  return stats;
}

/** Passes `chunks` on, telling `report` how many bytes were read once each one was handled. */
async function* reportRead(chunks: AsyncIterable<Buffer>, report: (bytes: number) => void): AsyncGenerator<Buffer, void, undefined> {
  let bytes = 0;
  for await (const chunk of chunks) {
    bytes += chunk.length;
    yield chunk;
    report(bytes);
  }
}

function describeFailure(error: InputReadError | GzipError, lines: number, droppedPartialLine: boolean): string {
  if (error instanceof GzipError) {
    const dropped = droppedPartialLine ? `; the incomplete line ${lines + 1} was skipped` : '';
    const what = error.failure === 'truncated' ? 'gzip data truncated' : `gzip data corrupt (${error.detail})`;
    return `${what} after line ${lines}${dropped}`;
  }
  return describeReadFailure(error.message, lines, droppedPartialLine);
}

/** How a file that failed to read after `lines` complete lines is reported. */
export function describeReadFailure(message: string, lines: number, droppedPartialLine: boolean): string {
  const dropped = droppedPartialLine ? `; the incomplete line ${lines + 1} was skipped` : '';
  return lines === 0 && !droppedPartialLine ? message : `${message} after line ${lines}${dropped}`;
}

/** Turns lines into events for one input, keeping its counts. */
class EventParser implements LineSink {
  constructor(
    private readonly file: string,
    private readonly handler: EventHandler,
    private readonly stats: SourceStats,
    private readonly maxLineBytes: number,
    private readonly screen: LineScreen | undefined,
  ) {
    if (screen === undefined) this.block = undefined;
  }

  private calibrated = false;

  /**
   * The fast path over a buffer of whole lines. Candidate lines are parsed as usual. Every other
   * line is skipped unparsed when it looks like a JSON object (`{` first, `}` last); one that does
   * not (blank, truncated, not an object) is parsed too, so it is counted and reported exactly as
   * without the screen. A line shaped like an object but invalid inside is the one thing only the
   * full path (`--no-prefilter`) reports.
   */
  block?(bytes: Buffer, start: number, end: number, firstLine: number): number {
    const screen = this.screen!;
    if (!this.calibrated) {
      screen.calibrate?.(bytes.subarray(start, end));
      this.calibrated = true;
    }
    const candidates = screen.candidates(bytes, start, end);
    const stats = this.stats;
    let next = 0;
    let nextCandidate = candidates.length > 0 ? candidates[0]! : end;
    let line = firstLine;
    let p = start;
    while (p < end) {
      const newline = bytes.indexOf(0x0a, p);
      let lineEnd = newline;
      if (lineEnd > p && bytes[lineEnd - 1] === 0x0d) lineEnd--;
      if (p === nextCandidate) {
        nextCandidate = ++next < candidates.length ? candidates[next]! : end;
        if (screen.mayMatch(bytes, p, lineEnd)) {
          this.parse(bytes, p, lineEnd, line);
          line++;
          p = newline + 1;
          continue;
        }
      }
      if (isObjectShaped(bytes, p, lineEnd)) stats.skipped++;
      else this.parse(bytes, p, lineEnd, line);
      line++;
      p = newline + 1;
    }
    return line - firstLine;
  }

  /**
   * A line outside `block`: line 1, or one cut by a read boundary. The screen decides it the same
   * way `block` would, so which lines are skipped never depends on where reads happen to end
   * (a byte range read by a worker ends elsewhere than a whole-file read, and counts must agree).
   */
  line(bytes: Buffer, start: number, end: number, line: number): void {
    const screen = this.screen;
    if (screen !== undefined && isObjectShaped(bytes, start, end) && !screen.mayMatch(bytes, start, end)) {
      this.stats.skipped++;
      return;
    }
    this.parse(bytes, start, end, line);
  }

  private parse(bytes: Buffer, start: number, end: number, line: number): void {
    const stats = this.stats;
    if (isBlank(bytes, start, end)) {
      stats.blank++;
      return;
    }
    const text = bytes.toString('utf8', start, end);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      stats.malformed++;
      this.handler.malformed({ file: this.file, line }, printable(`invalid JSON: ${(error as Error).message}`));
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      stats.malformed++;
      this.handler.malformed({ file: this.file, line }, `expected a JSON object, found ${describeJsonValue(value)}`);
      return;
    }
    const loc = { file: this.file, line };
    // toString() already replaced bad bytes with U+FFFD; the event is still worth scanning, but
    // the user should know a field value they see is not quite what was in the file.
    if (text.includes('\uFFFD') && !isUtf8(bytes.subarray(start, end))) {
      stats.warnings++;
      this.handler.warning?.(loc, 'invalid UTF-8 replaced with U+FFFD');
    }
    stats.events++;
    this.handler.event(value as EcsEvent, loc, text);
  }

  overlong(line: number, length: number): void {
    this.stats.malformed++;
    this.handler.malformed({ file: this.file, line }, `line longer than ${this.maxLineBytes} bytes (${length} bytes)`);
  }
}

/** `{` first and `}` last: what a line the screen rules out must look like to be skipped unparsed. */
function isObjectShaped(bytes: Buffer, start: number, end: number): boolean {
  return end > start && bytes[start] === 0x7b && bytes[end - 1] === 0x7d;
}

/** True for an empty line or one of only spaces, tabs, CR, VT or FF. */
function isBlank(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c !== 0x20 && (c < 0x09 || c > 0x0d)) return false;
  }
  return true;
}

function describeJsonValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return typeof value;
  }
}

/**
 * V8 quotes a few characters of the bad input in its message; they come from hostile data and
 * must not reach a terminal as escape sequences.
 */
function printable(reason: string): string {
  const escaped = escapeForTerminal(reason);
  return escaped.length > MAX_REASON_CHARS ? `${escaped.slice(0, MAX_REASON_CHARS - 1)}…` : escaped;
}

/** Adds the counts of `stats` to `total` (not `error`: that belongs to one input). */
export function addStats(total: SourceStats, stats: SourceStats): void {
  total.lines += stats.lines;
  total.events += stats.events;
  total.skipped += stats.skipped;
  total.malformed += stats.malformed;
  total.blank += stats.blank;
  total.bytes += stats.bytes;
  total.warnings += stats.warnings;
}
