/** Lines longer than this are reported and skipped: a bound on what one hostile line can make us hold. */
export const DEFAULT_MAX_LINE_BYTES = 256 * 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;

/** Receives the lines found by a {@link LineSplitter}, numbered from 1. */
export interface LineSink {
  /**
   * One complete line, as `bytes[start..end)`: without its `\n`, without one trailing `\r`, and for
   * line 1 without a UTF-8 byte order mark. The bytes may be overwritten once this call returns, so
   * a sink that keeps them must copy them.
   */
  line(bytes: Buffer, start: number, end: number, line: number): void;
  /** A line of `length` bytes (excluding its `\n`) over the limit; its bytes were dropped unread. */
  overlong(line: number, length: number): void;
  /**
   * Optional bulk path: `bytes[start..end)` holds whole lines, each ending in `\n`, the first one
   * numbered `firstLine`. The sink handles them all (it may look at the buffer as a whole instead
   * of line by line) and returns how many lines there were. Never given line 1, whose BOM the
   * splitter strips itself.
   */
  block?(bytes: Buffer, start: number, end: number, firstLine: number): number;
}

/**
 * Splits a byte stream, given chunk by chunk, into `\n`-terminated lines.
 *
 * Lines inside a chunk are handed out as slices of that chunk, with no copy. Only the unfinished
 * tail of a chunk is copied, because the caller may reuse the chunk's memory for its next read; a
 * line spanning many chunks is kept as a list of pieces and joined once when its `\n` arrives, so
 * a 50 MB line costs two copies, not one per chunk.
 */
export class LineSplitter {
  private readonly pieces: Buffer[] = [];
  /** Bytes of the unfinished line seen so far, kept in `pieces` unless `skipping`. */
  private pendingBytes = 0;
  /** The unfinished line is over the limit: count its bytes, keep none. */
  private skipping = false;
  private lineCount = 0;

  /**
   * `midStream`: the bytes start inside a stream (a byte range of a file after its first line),
   * so line 1 here is not the stream's first line and a leading BOM is data, not a mark.
   */
  constructor(
    private readonly sink: LineSink,
    private readonly maxLineBytes: number = DEFAULT_MAX_LINE_BYTES,
    private readonly midStream = false,
  ) {
    if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
      throw new RangeError(`maxLineBytes must be a positive integer, got ${maxLineBytes}`);
    }
  }

  /** Lines handed to the sink so far (including overlong ones). */
  get lines(): number {
    return this.lineCount;
  }

  /** Feeds the next chunk. The chunk may be reused by the caller as soon as this returns. */
  push(chunk: Buffer): void {
    const length = chunk.length;
    let start = 0;
    if (this.pendingBytes > 0) {
      const newline = chunk.indexOf(LF);
      if (newline === -1) {
        this.hold(chunk, 0, length);
        return;
      }
      this.hold(chunk, 0, newline);
      this.finishPending();
      start = newline + 1;
    }
    const max = this.maxLineBytes;
    const sink = this.sink;
    if (sink.block !== undefined && start < length) {
      if (this.lineCount === 0) {
        const first = chunk.indexOf(LF, start);
        if (first === -1) {
          this.hold(chunk, start, length);
          return;
        }
        if (first - start > max) sink.overlong(++this.lineCount, first - start);
        else this.emit(chunk, start, first);
        start = first + 1;
      }
      // A chunk is far smaller than the line limit, so no line inside it can be overlong.
      const last = chunk.lastIndexOf(LF, length - 1);
      if (last >= start) {
        this.lineCount += sink.block(chunk, start, last + 1, this.lineCount + 1);
        start = last + 1;
      }
    }
    let newline: number;
    while ((newline = chunk.indexOf(LF, start)) !== -1) {
      if (newline - start > max) {
        sink.overlong(++this.lineCount, newline - start);
      } else {
        this.emit(chunk, start, newline);
      }
      start = newline + 1;
    }
    if (start < length) this.hold(chunk, start, length);
  }

  /** Ends the stream: a final line without `\n` still counts as a line. */
  end(): void {
    if (this.pendingBytes > 0) this.finishPending();
  }

  /**
   * Drops an unfinished line instead of delivering it, for a stream that broke off (a truncated
   * gzip member): its last bytes are not known to be the whole line. Returns whether one was dropped.
   */
  discardPartialLine(): boolean {
    const had = this.pendingBytes > 0;
    this.pieces.length = 0;
    this.pendingBytes = 0;
    this.skipping = false;
    return had;
  }

  private hold(chunk: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n === 0) return;
    this.pendingBytes += n;
    if (this.skipping) return;
    if (this.pendingBytes > this.maxLineBytes) {
      this.pieces.length = 0;
      this.skipping = true;
      return;
    }
    const piece = Buffer.allocUnsafe(n);
    chunk.copy(piece, 0, start, end);
    this.pieces.push(piece);
  }

  private finishPending(): void {
    const length = this.pendingBytes;
    const skipped = this.skipping;
    const line = skipped ? undefined : this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces, length);
    this.pieces.length = 0;
    this.pendingBytes = 0;
    this.skipping = false;
    if (line === undefined) this.sink.overlong(++this.lineCount, length);
    else this.emit(line, 0, length);
  }

  private emit(bytes: Buffer, start: number, end: number): void {
    const line = ++this.lineCount;
    if (end > start && bytes[end - 1] === CR) end--;
    // The BOM is only meaningful at the very start of the stream, i.e. of line 1.
    if (line === 1 && !this.midStream && end - start >= 3 && bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf) {
      start += 3;
    }
    this.sink.line(bytes, start, end, line);
  }
}
