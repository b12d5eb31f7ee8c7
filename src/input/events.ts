import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { parseJson as parseEventJson, parseJsonLine, stringifyJson } from '../event/json.js';
import { isJsonObject, type EcsEvent } from '../event/types.js';
import { DEFAULT_CHUNK_BYTES, InputReadError, readFileChunks, readPipeChunks, readStreamChunks, type ByteRange, type OpenFile } from './bytes.js';
import { GzipError, decodeBytes } from './decompress.js';
import { JsonElementReader, type ElementOrigin, type JsonElementSink } from './jsonStream.js';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter, type LineSink } from './lines.js';
import { readRawTimestamp } from './rawTimestamp.js';
import { CONTENT_SAMPLE_BYTES, describeCompressed, describeContent, describeContentHint, sniffShape, type InputShape } from './sniff.js';
import type { InputSource } from './sources.js';
import { printable as escapeForTerminal } from '../text/printable.js';
import type { LineRules } from '../prefilter/lineRules.js';

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
  /**
   * `text` is the line the event was parsed from, for a handler that passes lines on (src/parallel);
   * `rules`, with a prefilter, the rules the line may match (undefined: any).
   */
  event(event: EcsEvent, loc: Location, text: string, rules?: LineRules): void;
  /** A line that is not a JSON object; `reason` is short and printable (control characters escaped). */
  malformed(loc: Location, reason: string): void;
  /** The line was delivered, but something about it is worth telling the user. */
  warning?(loc: Location, message: string): void;
  /**
   * How far reading got, after each chunk: bytes of the input read (as stored, before
   * decompression), complete lines so far, and events so far (parsed or ruled out by the
   * prefilter: records, not blank or malformed lines). For a progress display, and a place to stop
   * reading (by throwing) even when no line reaches the other methods.
   */
  progress?(bytes: number, lines: number, events: number): void;
}

/**
 * What reading one input found. In NDJSON every line is exactly one of events, skipped, malformed
 * or blank: `events + skipped + malformed + blank === lines`. In JSON documents (an array, a search
 * response) `lines` counts the lines of the text and each element is an event or malformed.
 */
export interface SourceStats {
  lines: number;
  /** Lines or elements parsed into an object (given to `handler.event` unless outside the window). */
  events: number;
  /** Object-shaped lines the `prefilter` ruled out without parsing them. */
  skipped: number;
  malformed: number;
  /** Empty or whitespace-only lines. */
  blank: number;
  /** Bytes after decompression, i.e. the bytes the lines are made of. */
  bytes: number;
  warnings: number;
  /**
   * Events the scan decided on: those given to `handler.event`, and lines the prefilter ruled out
   * (decided unparsed: no rule can match them). Under a time `window` a ruled-out line only counts
   * when it is known to lie in the window, and ruled-out lines are checked against it only until
   * the input has one evaluated event (checking each would cost the parse the prefilter saves): the
   * count is then a lower bound, exact in telling whether nothing at all was evaluated.
   */
  evaluated: number;
  /** Parsed events the `window` left out. */
  outsideWindow: number;
  /** How the input was read, once its first bytes showed it (src/input/sniff.ts). */
  shape?: InputShape['kind'];
  /** Set when the input gave no event and its content looks like something nameable (UTF-16, CSV, ...): what to do. */
  hint?: string;
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
   * stdin's descriptor (src/input/bytes.ts describeStdin), read instead of `stdin`: a regular file
   * (`lkm-scan - < FILE`) as a file is read, in large reads into reused buffers, from its current
   * offset; a pipe or socket (`cat FILE | lkm-scan -`) by a reader thread, in large chunks.
   */
  stdinFile?: OpenFile;
  /**
   * Ends the reading of a stream (stdin, a FIFO) at once, even while a live pipe stays open and
   * quiet; what was read is handled and counted as usual. Files end at their next chunk instead.
   */
  stopStreams?: AbortSignal;
  /**
   * The fast path: rules out whole stretches of lines from their raw bytes, so only candidate
   * lines are decoded and parsed. Lines it rules out are counted in `skipped`. NDJSON only.
   */
  prefilter?: LinePrefilter;
  /**
   * Bytes of lines after which the prefilter tunes itself again (`calibrate`), on the buffer at
   * hand, so a file whose mix of events changes (hours of one host, then another) is still served
   * by needles rare in what it holds now. Default RECALIBRATE_BYTES.
   */
  recalibrateBytes?: number;
  /**
   * `--since` / `--until`: events it rejects are counted in `outsideWindow`, not delivered. It must
   * depend on the event's top-level `@timestamp` only: lines the prefilter rules out are judged by
   * that field read from their raw bytes (src/input/rawTimestamp.ts).
   */
  window?: (event: EcsEvent) => boolean;
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
export interface LinePrefilter {
  /** Called once with the first buffer of each input, to tune itself to the data. */
  calibrate?(sample: Buffer): void;
  /** Start offsets, ascending, of the lines of `bytes[start..end)` that need a closer look. */
  candidates(bytes: Buffer, start: number, end: number): number[];
  /**
   * True when `candidates` gives exactly the lines `lineRules` passes, so they need no second
   * look (the one-pass prefilter decides each line while it scans), with their rules in
   * `candidateRules`, one per line of the last `candidates` call.
   */
  readonly exact?: boolean;
  readonly candidateRules?: readonly LineRules[];
  /**
   * Present when the prefilter decides a buffer's lines one after the other, cheaper than finding
   * candidates first (prefilter/lineCursor.ts): returns, for `bytes` (which it may search beyond
   * a line, never beyond its length), what `lineRules` gives each line, asked in increasing
   * order of lines and only until the next call.
   */
  readonly lineDecider?: (bytes: Buffer) => (start: number, end: number) => LineRules | null;
  /** The rules the line (without its newline) may match; null when only `freeOnly` ones may. */
  lineRules(bytes: Buffer, start: number, end: number): LineRules | null;
  /** Some rule has no needle: every line is parsed, those `lineRules` rules out for `freeOnly`. */
  readonly parseAll?: boolean;
  /** The rules of a line no rule with a needle may match (those without one, if any). */
  readonly freeOnly: LineRules;
}

/**
 * How often the prefilter is tuned again (ReadEventsOptions.recalibrateBytes). Calibration reads a
 * quarter MiB (prefilter/compile.ts), a few milliseconds once compiled: every 32 MiB costs well
 * under 1% of a scan. Tuning changes the cost only, never which lines are parsed nor the alerts.
 */
export const RECALIBRATE_BYTES = 32 << 20;

/** Longest reason passed to `malformed`; V8's messages are short, this only bounds the unexpected. */
const MAX_REASON_CHARS = 200;

/** Counts of nothing read yet. */
export function emptyStats(): SourceStats {
  return { lines: 0, events: 0, skipped: 0, malformed: 0, blank: 0, bytes: 0, warnings: 0, evaluated: 0, outsideWindow: 0 };
}

/** Bytes read for a path that is not a regular file (a FIFO, a device): as for stdin, one pipe's worth. */
const STREAM_READ_BYTES = 1 << 16;

/**
 * Reads one input to its end: bytes (gunzipped if they are gzip), then, in the shape its first
 * bytes show (src/input/sniff.ts), lines of NDJSON or the elements of JSON documents, then JSON
 * objects. Never rejects for a problem with the input itself (missing file, I/O error, broken gzip,
 * a compression it cannot read): that ends up in `error` of the returned stats, after every
 * complete line or element before it was handled. Errors thrown by the handler propagate, and the
 * input is closed.
 *
 * Each input is opened once and read sequentially, so a FIFO or a device (`/dev/stdin`) given as
 * a path reads like stdin.
 */
export async function readEvents(
  source: InputSource,
  handler: EventHandler,
  options: ReadEventsOptions = {},
): Promise<SourceStats> {
  const stats = emptyStats();
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const delivery = new EventDelivery(source.name, handler, stats, options.window);
  const range = source.kind === 'file' ? options.range : undefined;
  const raw =
    source.kind === 'stdin'
      ? stdinChunks(options)
      : source.kind === 'stream'
        ? readStreamChunks(createReadStream(source.path, { highWaterMark: STREAM_READ_BYTES }), options.stopStreams)
        : readFileChunks(source.path, options.chunkBytes ?? DEFAULT_CHUNK_BYTES, range);
  // A byte range is part of a file already known to be NDJSON (src/parallel/plan.ts).
  const reader: ShapeReader =
    range === undefined
      ? new SniffingReader(source.name, stats, (shape) => shapeReader(shape, delivery, maxLineBytes, options.prefilter, false, options.recalibrateBytes))
      : shapeReader({ kind: 'ndjson' }, delivery, maxLineBytes, options.prefilter, range.start > 0, options.recalibrateBytes);
  const progress = handler.progress?.bind(handler);
  const counted = progress === undefined ? raw : reportRead(raw, (bytes) => progress(bytes, reader.lines, stats.events + stats.skipped));
  try {
    for await (const chunk of range === undefined ? decodeBytes(counted) : counted) {
      stats.bytes += chunk.length;
      reader.push(chunk);
      const wait = options.pace?.();
      if (wait !== undefined) await wait;
    }
    reader.end();
  } catch (error) {
    if (error instanceof UnreadableInputError) {
      stats.error = error.message;
    } else if (error instanceof InputReadError || error instanceof GzipError) {
      // A record cut off by the failure is not known to be complete: better dropped than misread.
      const dropped = reader.discardPartial();
      stats.error = describeFailure(error, reader.lines, dropped);
      if (error instanceof InputReadError) stats.readFailure = { message: error.message, droppedPartialLine: dropped !== undefined };
    } else {
      throw error;
    }
  }
  stats.lines = reader.lines;
  if (stats.events === 0 && stats.skipped === 0 && stats.error === undefined && reader instanceof SniffingReader) {
    const kind = describeContent(reader.sample);
    if (kind !== undefined) stats.hint = describeContentHint(kind, source.name);
  }
  return stats;
}

/** The bytes of stdin: through its stream, or its descriptor when that is a regular file or a pipe (`stdinFile`). */
function stdinChunks(options: ReadEventsOptions): AsyncGenerator<Buffer, void, undefined> {
  // Made first, whatever is read: making process.stdin (on first use) sets a pipe or socket
  // non-blocking (libuv), which the pipe reader thread needs to end when the scan is interrupted;
  // blocked in a read, it would hold the process at exit until the writer's next line.
  const stream = options.stdin ?? process.stdin;
  const file = options.stdinFile;
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (file === undefined) return readStreamChunks(stream, options.stopStreams);
  return file.kind === 'pipe' ? readPipeChunks(file.fd, options.stopStreams, chunkBytes) : readFileChunks(file, chunkBytes);
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

function describeFailure(error: InputReadError | GzipError, lines: number, dropped: string | undefined): string {
  if (error instanceof GzipError) {
    const what = error.failure === 'truncated' ? 'gzip data truncated' : `gzip data corrupt (${error.detail})`;
    return `${what} after line ${lines}${dropped === undefined ? '' : `; ${dropped} was skipped`}`;
  }
  if (lines === 0 && dropped === undefined) return error.message;
  return `${error.message} after line ${lines}${dropped === undefined ? '' : `; ${dropped} was skipped`}`;
}

/** How a file that failed to read after `lines` complete lines is reported. */
export function describeReadFailure(message: string, lines: number, droppedPartialLine: boolean): string {
  const dropped = droppedPartialLine ? `; the incomplete line ${lines + 1} was skipped` : '';
  return lines === 0 && !droppedPartialLine ? message : `${message} after line ${lines}${dropped}`;
}

/** An input in a shape that cannot be read at all (xz, zip, ...); the message says what to do. */
class UnreadableInputError extends Error {}

/** Turns one input's bytes into events, in one shape. */
interface ShapeReader {
  push(chunk: Buffer): void;
  end(): void;
  /** Lines read so far. */
  readonly lines: number;
  /** Drops a record cut off by a failed read; says what was dropped ("the incomplete line 7"). */
  discardPartial(): string | undefined;
}

function shapeReader(
  shape: InputShape,
  delivery: EventDelivery,
  maxLineBytes: number,
  prefilter: LinePrefilter | undefined,
  midStream: boolean,
  recalibrateBytes = RECALIBRATE_BYTES,
): ShapeReader {
  if (shape.kind === 'json') {
    const elements = new JsonElementReader(new ElementParser(delivery), maxLineBytes);
    return {
      push: (chunk) => elements.push(chunk),
      end: () => elements.end(),
      get lines() {
        return elements.lines;
      },
      discardPartial() {
        const line = elements.discardPartialElement();
        return line === undefined ? undefined : `the incomplete value at line ${line}`;
      },
    };
  }
  const splitter = new LineSplitter(new EventParser(delivery, maxLineBytes, prefilter, recalibrateBytes), maxLineBytes, midStream);
  return {
    push: (chunk) => splitter.push(chunk),
    end: () => splitter.end(),
    get lines() {
      return splitter.lines;
    },
    discardPartial() {
      const lines = splitter.lines;
      return splitter.discardPartialLine() ? `the incomplete line ${lines + 1}` : undefined;
    },
  };
}

/**
 * Holds an input's first bytes until they show its shape (sniff.ts), then reads on in that shape.
 * Usually the first chunk decides and nothing is held; a live stream that trickles in is decided
 * as soon as its first line shows what it is.
 */
class SniffingReader implements ShapeReader {
  private reader: ShapeReader | undefined;
  private head: Buffer | undefined;
  /** The first bytes, kept to explain an input that gives no event. */
  sample: Buffer = Buffer.alloc(0);

  constructor(
    private readonly name: string,
    private readonly stats: SourceStats,
    private readonly open: (shape: InputShape) => ShapeReader,
  ) {}

  get lines(): number {
    return this.reader?.lines ?? 0;
  }

  push(chunk: Buffer): void {
    // Copied (concat): the caller may reuse the chunk's memory for its next read.
    if (this.sample.length < CONTENT_SAMPLE_BYTES) this.sample = Buffer.concat([this.sample, chunk.subarray(0, CONTENT_SAMPLE_BYTES - this.sample.length)]);
    if (this.reader !== undefined) {
      this.reader.push(chunk);
      return;
    }
    const head = this.head === undefined ? chunk : Buffer.concat([this.head, chunk]);
    if (this.decide(head, false) === undefined) this.head = this.head === undefined ? Buffer.from(chunk) : head;
  }

  end(): void {
    (this.reader ?? this.decide(this.head ?? Buffer.alloc(0), true))?.end();
  }

  discardPartial(): string | undefined {
    return this.reader?.discardPartial();
  }

  /** Opens the reader for the shape `head` shows, handing it `head`; undefined while undecided. */
  private decide(head: Buffer, ended: boolean): ShapeReader | undefined {
    const shape = sniffShape(head, ended);
    if (shape === undefined) return undefined;
    if (shape.kind === 'compressed') throw new UnreadableInputError(describeCompressed(shape.format, this.name));
    this.head = undefined;
    if (head.length > 0) this.stats.shape = shape.kind;
    const reader = this.open(shape);
    this.reader = reader;
    if (head.length > 0) reader.push(head);
    return reader;
  }
}

/** Hands parsed objects to the handler, through the time window, and keeps the counts. */
class EventDelivery {
  constructor(
    readonly file: string,
    readonly handler: EventHandler,
    readonly stats: SourceStats,
    private readonly window: ((event: EcsEvent) => boolean) | undefined,
  ) {}

  /** `event` was parsed from `text`, the bytes `bytes[start..end)`, which start on `line`; `rules` as EventHandler.event. */
  event(event: EcsEvent, text: string, bytes: Buffer, start: number, end: number, line: number, rules?: LineRules): void {
    const stats = this.stats;
    const loc = { file: this.file, line };
    // toString() already replaced bad bytes with U+FFFD; the event is still worth scanning, but
    // the user should know a field value they see is not quite what was in the file.
    if (text.includes('\uFFFD') && !isUtf8(bytes.subarray(start, end))) {
      stats.warnings++;
      this.handler.warning?.(loc, 'invalid UTF-8 replaced with U+FFFD');
    }
    stats.events++;
    if (this.window !== undefined && !this.window(event)) {
      stats.outsideWindow++;
      return;
    }
    stats.evaluated++;
    this.handler.event(event, loc, text, rules);
  }

  malformed(line: number, reason: string): void {
    this.stats.malformed++;
    this.handler.malformed({ file: this.file, line }, reason);
  }

  /**
   * A line the prefilter ruled out unparsed: no rule can match it, so it is decided. Under a time
   * window it is only evaluated if it lies in the window; see SourceStats.evaluated for why that
   * is checked only until the input has one evaluated event.
   */
  ruledOut(bytes: Buffer, start: number, end: number): void {
    const stats = this.stats;
    stats.skipped++;
    if (this.window === undefined) stats.evaluated++;
    else if (stats.evaluated === 0 && inWindow(this.window, bytes, start, end)) stats.evaluated++;
  }
}

/** Whether the unparsed JSON object line `bytes[start..end)` lies in `window`. */
function inWindow(window: (event: EcsEvent) => boolean, bytes: Buffer, start: number, end: number): boolean {
  const raw = readRawTimestamp(bytes, start, end);
  if (raw.kind === 'absent') return false;
  // One occurrence out of the window: the top-level @timestamp is that one, or there is none.
  if (raw.kind === 'once' && !window({ '@timestamp': raw.value })) return false;
  // In the window (or unknown): the occurrence may be nested; only the parsed event tells.
  let value: unknown;
  try {
    value = parseEventJson(bytes.toString('utf8', start, end));
  } catch {
    return false;
  }
  return isJsonObject(value) && window(value);
}

/** Turns lines into events for one input, keeping its counts. */
class EventParser implements LineSink {
  private readonly stats: SourceStats;

  constructor(
    private readonly delivery: EventDelivery,
    private readonly maxLineBytes: number,
    private readonly prefilter: LinePrefilter | undefined,
    private readonly recalibrateBytes = RECALIBRATE_BYTES,
  ) {
    this.stats = delivery.stats;
    if (prefilter !== undefined) this.block = (bytes, start, end, firstLine) => this.prefilterBlock(prefilter, bytes, start, end, firstLine);
  }

  /** Present only with a prefilter: without one, the splitter hands over every line on its own. */
  readonly block?: (bytes: Buffer, start: number, end: number, firstLine: number) => number;

  private calibrated = false;
  /** Bytes of blocks since the prefilter was last tuned. */
  private sinceCalibration = 0;

  /**
   * The fast path over a buffer of whole lines. Candidate lines are parsed as usual. Every other
   * line is skipped unparsed when it looks like a JSON object (`{` first, `}` last); one that does
   * not (blank, truncated, not an object) is parsed too, so it is counted and reported exactly as
   * without the prefilter. A line shaped like an object but invalid inside is the one thing only the
   * full path (`--no-prefilter`) reports.
   */
  private prefilterBlock(prefilter: LinePrefilter, bytes: Buffer, start: number, end: number, firstLine: number): number {
    if (!this.calibrated || this.sinceCalibration >= this.recalibrateBytes) {
      prefilter.calibrate?.(bytes.subarray(start, end));
      this.calibrated = true;
      this.sinceCalibration = 0;
    }
    this.sinceCalibration += end - start;
    const decide = prefilter.lineDecider?.(bytes);
    if (decide !== undefined) return this.decidedBlock(prefilter, decide, bytes, start, end, firstLine);
    const candidates = prefilter.candidates(bytes, start, end);
    const decided = prefilter.exact === true ? prefilter.candidateRules : undefined;
    const delivery = this.delivery;
    let next = 0;
    let nextCandidate = candidates.length > 0 ? candidates[0]! : end;
    let line = firstLine;
    let p = start;
    while (p < end) {
      const newline = bytes.indexOf(0x0a, p);
      const lineEnd = withoutCarriageReturn(bytes, p, newline);
      if (p === nextCandidate) {
        const rules = decided !== undefined ? decided[next]! : prefilter.lineRules(bytes, p, lineEnd);
        nextCandidate = ++next < candidates.length ? candidates[next]! : end;
        if (rules !== null) {
          this.parse(bytes, p, lineEnd, line, rules);
          line++;
          p = newline + 1;
          continue;
        }
      }
      if (!prefilter.parseAll && isObjectShaped(bytes, p, lineEnd)) delivery.ruledOut(bytes, p, lineEnd);
      else this.parse(bytes, p, lineEnd, line, prefilter.freeOnly);
      line++;
      p = newline + 1;
    }
    return line - firstLine;
  }

  /** `prefilterBlock` with a prefilter that decides each line in order. */
  private decidedBlock(
    prefilter: LinePrefilter,
    decide: (start: number, end: number) => LineRules | null,
    bytes: Buffer,
    start: number,
    end: number,
    firstLine: number,
  ): number {
    const delivery = this.delivery;
    const parseAll = prefilter.parseAll === true;
    let line = firstLine;
    let p = start;
    while (p < end) {
      const newline = bytes.indexOf(0x0a, p);
      const lineEnd = withoutCarriageReturn(bytes, p, newline);
      const rules = decide(p, lineEnd);
      if (rules !== null) this.parse(bytes, p, lineEnd, line, rules);
      else if (!parseAll && isObjectShaped(bytes, p, lineEnd)) delivery.ruledOut(bytes, p, lineEnd);
      else this.parse(bytes, p, lineEnd, line, prefilter.freeOnly);
      line++;
      p = newline + 1;
    }
    return line - firstLine;
  }

  /**
   * A line outside `block`: line 1, or one cut by a read boundary. The prefilter decides it the same
   * way `block` would, so which lines are skipped never depends on where reads happen to end
   * (a byte range read by a worker ends elsewhere than a whole-file read, and counts must agree).
   */
  line(bytes: Buffer, start: number, end: number, line: number): void {
    const prefilter = this.prefilter;
    if (prefilter === undefined) {
      this.parse(bytes, start, end, line);
      return;
    }
    const rules = prefilter.lineRules(bytes, start, end);
    if (rules === null && !prefilter.parseAll && isObjectShaped(bytes, start, end)) {
      this.delivery.ruledOut(bytes, start, end);
      return;
    }
    this.parse(bytes, start, end, line, rules ?? prefilter.freeOnly);
  }

  private parse(bytes: Buffer, start: number, end: number, line: number, rules?: LineRules): void {
    const stats = this.stats;
    if (isBlank(bytes, start, end)) {
      stats.blank++;
      return;
    }
    const text = bytes.toString('utf8', start, end);
    const value = parseJson(text, bytes, start, end);
    if (value instanceof JsonProblem) {
      this.delivery.malformed(line, value.message);
      return;
    }
    if (!isJsonObject(value)) {
      this.delivery.malformed(line, `expected a JSON object, found ${describeJsonValue(value)}`);
      return;
    }
    this.delivery.event(value, text, bytes, start, end, line, rules);
  }

  overlong(line: number, length: number): void {
    this.delivery.malformed(line, `line longer than ${this.maxLineBytes} bytes (${length} bytes)`);
  }
}

/** Why a record is not JSON, worded for a `file:line:` report (V8's message, escaped). */
class JsonProblem {
  constructor(readonly message: string) {}
}

/**
 * The record's JSON value, or what is wrong with it: one wording for lines and elements alike.
 * A line still in its bytes is given with them (parseJsonLine looks at them, not at the text).
 */
function parseJson(text: string, bytes?: Buffer, start = 0, end = 0): unknown {
  try {
    return bytes === undefined ? parseEventJson(text) : parseJsonLine(text, bytes, start, end);
  } catch (error) {
    return new JsonProblem(printable(`invalid JSON: ${error instanceof Error ? error.message : String(error)}`));
  }
}

/** Turns the elements of JSON documents (jsonStream.ts) into events. */
class ElementParser implements JsonElementSink {
  constructor(private readonly delivery: EventDelivery) {}

  element(bytes: Buffer, start: number, end: number, line: number, origin: ElementOrigin): void {
    let text = bytes.toString('utf8', start, end);
    const value = parseJson(text);
    if (value instanceof JsonProblem) {
      this.delivery.malformed(line, value.message);
      return;
    }
    if (!isJsonObject(value)) {
      this.delivery.malformed(line, `expected ${origin === 'hit' ? 'a search hit' : 'a JSON object'}, found ${describeJsonValue(value)}`);
      return;
    }
    let event = value;
    if (origin === 'hit') {
      const source = value._source;
      if (!isJsonObject(source)) {
        this.delivery.malformed(line, 'search hit without a _source object (was the search made with "_source": false?)');
        return;
      }
      // Elasticsearch can query _index and _id, so rules may name them; the _source wins if it has its own.
      for (const key of ['_index', '_id']) {
        if (!Object.hasOwn(source, key) && value[key] !== undefined) source[key] = value[key];
      }
      event = source;
      text = stringifyJson(source);
    } else if (text.includes('\n') || text.includes('\r')) {
      // The text is passed on as one line (src/output writes it into an NDJSON alert).
      text = stringifyJson(value);
    }
    this.delivery.event(event, text, bytes, start, end, line);
  }

  malformed(line: number, reason: string): void {
    this.delivery.malformed(line, printable(reason));
  }
}

/** `{` first and `}` last: what a line the prefilter rules out must look like to be skipped unparsed. */
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
    case 'bigint':
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

/** Adds the counts of `stats` to `total` (not `error`, `shape` or `hint`: those belong to one input). */
export function addStats(total: SourceStats, stats: SourceStats): void {
  total.evaluated += stats.evaluated;
  total.outsideWindow += stats.outsideWindow;
  total.lines += stats.lines;
  total.events += stats.events;
  total.skipped += stats.skipped;
  total.malformed += stats.malformed;
  total.blank += stats.blank;
  total.bytes += stats.bytes;
  total.warnings += stats.warnings;
}

/** The end of the line `bytes[start, newline)` without a final `\r` (CRLF input). */
function withoutCarriageReturn(bytes: Buffer, start: number, newline: number): number {
  return newline > start && bytes[newline - 1] === 0x0d ? newline - 1 : newline;
}
