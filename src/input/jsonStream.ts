import { DEFAULT_MAX_LINE_BYTES } from './lines.js';

/**
 * Where an element was found: `value` is a top-level value or an item of a top-level array, `hit`
 * an item of an Elasticsearch search response's `hits.hits` (its event is its `_source`).
 */
export type ElementOrigin = 'value' | 'hit';

/** Receives what a {@link JsonElementReader} finds, in input order. */
export interface JsonElementSink {
  /**
   * One complete value, `bytes[start..end)`, that starts on 1-based line `line`. Its structure
   * (brackets, strings) is balanced but it is not otherwise validated: the sink parses it. The
   * bytes may be overwritten once this call returns.
   */
  element(bytes: Buffer, start: number, end: number, line: number, origin: ElementOrigin): void;
  /** Input at `line` that is not JSON or is cut off; `reason` is printable and says where reading resumes. */
  malformed(line: number, reason: string): void;
}

/**
 * Deeper nesting than this is reported, not followed: the reader's bracket stack is bounded by it,
 * and no real event comes near (Elasticsearch's own JSON parser refuses depth over 1,000).
 */
export const MAX_NESTING_DEPTH = 10_000;

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

/** What the reader is doing with the bytes it is given. */
const NAV = 0; // between values, in the containers it walks through (top level, arrays of events, a search response)
const VALUE = 1; // inside a container or string value, captured as an element or skipped
const TOKEN = 2; // inside a number, true, false or null, captured or skipped
const FIRST_KEY = 3; // just inside a top-level `{`, reading its first key to tell a search response from an event
const NAV_KEY = 4; // inside a key of a search response object it walks through
const RESYNC = 5; // after a syntax error, dropping bytes until a line that starts a value
type Mode = typeof NAV | typeof VALUE | typeof TOKEN | typeof FIRST_KEY | typeof NAV_KEY | typeof RESYNC;

/** The containers the reader walks through rather than capturing whole. */
type Role = 'events' | 'response' | 'hitsObject' | 'hitsArray';

/** What a walked container accepts next. */
type Expect = 'valueOrClose' | 'value' | 'commaOrClose' | 'keyOrClose' | 'key' | 'colon';

interface Frame {
  role: Role;
  expect: Expect;
  /** The last key read, in an object. */
  key: string | undefined;
  /** Line and column where the container opened, for reports and resynchronisation. */
  line: number;
  column: number;
  /** Column of the last item of an array: its siblings are expected at the same indentation. */
  itemColumn: number;
}

/** Longest key the reader compares (`_scroll_id`, `hits`, ...); longer ones match nothing. */
const MAX_KEY_BYTES = 32;

/**
 * The keys Elasticsearch writes first in a search response (SearchResponse#innerToXContent:
 * `_scroll_id` and `pit_id` when set, then `took`, `timed_out`, `_shards`, `hits`).
 */
export const SEARCH_RESPONSE_FIRST_KEYS: ReadonlySet<string> = new Set(['_scroll_id', 'pit_id', 'took', 'timed_out', '_shards', 'hits']);

/**
 * Finds the elements of a stream of JSON documents, chunk by chunk, without building them: each
 * top-level value, each item of a top-level array, and each hit of an Elasticsearch search
 * response (`{"took": ..., "hits": {"hits": [...]}}`, recognised by its first key) is handed to
 * the sink as the bytes it was written in, with the line where it starts. Everything else in a
 * search response (`_shards`, `aggregations`, ...) is skipped without being held.
 *
 * Memory stays flat: only the element being read is held (copied in pieces when it spans chunks,
 * joined once at its end), at most `maxElementBytes` of it; a longer one is reported and skipped.
 * Work is linear: each byte is looked at once.
 *
 * A syntax error that breaks the structure (a mismatched bracket, a string left open at the end of
 * its line, a stray character between values) is reported once, and reading resumes at the next
 * line whose first character starts a value at the indentation of the broken element: sibling
 * elements of pretty-printed output (`jq .`, Kibana, `JSON.stringify(x, null, 2)`) share one.
 */
export class JsonElementReader {
  private mode: Mode = NAV;
  private readonly frames: Frame[] = [];
  /** Open brackets of the value being read (VALUE mode): the byte values of `{` and `[`. */
  private readonly brackets: number[] = [];
  private inString = false;
  private escaped = false;

  /** Line of the byte being read, and the absolute offset where that line starts. */
  private line = 1;
  private lineStart = 0;
  /** Absolute offset of the chunk being read. */
  private base = 0;
  /** The last chunk did not end with a newline: its last line counts once it ends. */
  private openLine = false;

  /** Whether the value being read is kept (an element) or only walked past (skipped). */
  private capturing = false;
  private captureFrom = 0;
  private readonly pieces: Buffer[] = [];
  private held = 0;
  private overlong = false;
  private elementLine = 0;
  private elementColumn = 0;
  private origin: ElementOrigin = 'value';

  /** The first key of a top-level object, or a key of a walked object, as read so far. */
  private keyBytes: number[] = [];
  private keyUsable = true;

  private resyncColumn = -1;
  private resyncAtLineStart = false;
  private resyncIndent = 0;

  constructor(
    private readonly sink: JsonElementSink,
    private readonly maxElementBytes: number = DEFAULT_MAX_LINE_BYTES,
    private readonly maxDepth: number = MAX_NESTING_DEPTH,
  ) {
    if (!Number.isSafeInteger(maxElementBytes) || maxElementBytes < 1) {
      throw new RangeError(`maxElementBytes must be a positive integer, got ${maxElementBytes}`);
    }
  }

  /** Lines read so far; a last line without `\n` counts once the input ended. */
  get lines(): number {
    return this.line - 1 + (this.openLine ? 1 : 0);
  }

  /** Feeds the next chunk. The chunk may be reused by the caller as soon as this returns. */
  push(chunk: Buffer): void {
    const length = chunk.length;
    if (length === 0) return;
    let i = 0;
    this.captureFrom = 0;
    while (i < length) {
      switch (this.mode) {
        case NAV:
          i = this.walk(chunk, i);
          break;
        case VALUE:
          i = this.value(chunk, i);
          break;
        case TOKEN:
          i = this.token(chunk, i);
          break;
        case FIRST_KEY:
          i = this.firstKey(chunk, i);
          break;
        case NAV_KEY:
          i = this.navKey(chunk, i);
          break;
        case RESYNC:
          i = this.resync(chunk, i);
          break;
      }
    }
    if (this.capturing) this.hold(chunk, this.captureFrom, length);
    this.openLine = chunk[length - 1] !== LF;
    this.base += length;
  }

  /** Ends the input: a value still open is reported as cut off. */
  end(): void {
    const empty = Buffer.alloc(0);
    if (this.mode === TOKEN) {
      this.captureFrom = 0;
      this.finishValue(empty, 0);
    }
    if (this.mode === VALUE || this.mode === FIRST_KEY) {
      const line = this.capturing ? this.elementLine : (this.frames[0]?.line ?? this.elementLine);
      this.dropCapture();
      this.sink.malformed(line, 'truncated: the input ends inside the value that starts here');
    } else if (this.mode !== RESYNC && this.frames[0] !== undefined) {
      const outer = this.frames[0];
      const what = outer.role === 'events' ? 'array' : 'search response';
      this.sink.malformed(outer.line, `truncated: the input ends before the ${what} that starts here is closed`);
    }
    this.frames.length = 0;
    this.mode = NAV;
  }

  /**
   * Drops a value cut off by a failed read instead of reporting it: its end is not known. Returns
   * the line it started on, if one was being read.
   */
  discardPartialElement(): number | undefined {
    if (!this.capturing) return undefined;
    const line = this.elementLine;
    this.dropCapture();
    this.mode = RESYNC;
    return line;
  }

  /** NAV: whitespace and punctuation between values; returns where the mode changed or the chunk ended. */
  private walk(chunk: Buffer, i: number): number {
    const length = chunk.length;
    for (; i < length; i++) {
      const c = chunk[i]!;
      if (c === LF) {
        this.newline(i);
        continue;
      }
      if (c === SPACE || c === TAB || c === CR) continue;
      const frame = this.frames[this.frames.length - 1];
      if (frame === undefined) {
        if (c === LBRACKET) {
          this.frames.push({ role: 'events', expect: 'valueOrClose', key: undefined, line: this.line, column: this.column(i), itemColumn: -1 });
          continue;
        }
        return this.startValue(chunk, i, 'value', true);
      }
      const isArray = frame.role === 'events' || frame.role === 'hitsArray';
      switch (frame.expect) {
        case 'valueOrClose':
          if (c === RBRACKET) {
            this.closeFrame();
            continue;
          }
          return this.startItem(chunk, i, frame);
        case 'value':
          return this.startItem(chunk, i, frame);
        case 'commaOrClose':
          if (c === COMMA) {
            frame.expect = isArray ? 'value' : 'key';
            continue;
          }
          if (c === (isArray ? RBRACKET : RBRACE)) {
            this.closeFrame();
            continue;
          }
          return this.fail(i, `expected ',' or '${isArray ? ']' : '}'}' but found ${describeByte(c)}`);
        case 'keyOrClose':
        case 'key':
          if (c === RBRACE && frame.expect === 'keyOrClose') {
            this.closeFrame();
            continue;
          }
          if (c !== QUOTE) return this.fail(i, `expected a key in quotes but found ${describeByte(c)}`);
          this.keyBytes = [];
          this.keyUsable = true;
          this.mode = NAV_KEY;
          return i + 1;
        case 'colon':
          if (c !== COLON) return this.fail(i, `expected ':' but found ${describeByte(c)}`);
          frame.expect = 'value';
          continue;
      }
    }
    return i;
  }

  /** A value inside a walked container: an element, a container to walk into, or a value to skip. */
  private startItem(chunk: Buffer, i: number, frame: Frame): number {
    const c = chunk[i]!;
    switch (frame.role) {
      case 'events':
      case 'hitsArray':
        frame.itemColumn = this.column(i);
        return this.startValue(chunk, i, frame.role === 'hitsArray' ? 'hit' : 'value', false);
      case 'response':
        if (frame.key === 'hits' && c === LBRACE) {
          frame.expect = 'commaOrClose';
          this.frames.push({ role: 'hitsObject', expect: 'keyOrClose', key: undefined, line: this.line, column: this.column(i), itemColumn: -1 });
          return i + 1;
        }
        return this.startValue(chunk, i, undefined, false);
      case 'hitsObject':
        if (frame.key === 'hits' && c === LBRACKET) {
          frame.expect = 'commaOrClose';
          this.frames.push({ role: 'hitsArray', expect: 'valueOrClose', key: undefined, line: this.line, column: this.column(i), itemColumn: -1 });
          return i + 1;
        }
        return this.startValue(chunk, i, undefined, false);
    }
  }

  /**
   * Starts reading the value at `chunk[i]`: captured as an element of `origin`, or skipped when
   * `origin` is undefined. `topLevel`: an object here may turn out to be a search response.
   */
  private startValue(chunk: Buffer, i: number, origin: ElementOrigin | undefined, topLevel: boolean): number {
    const c = chunk[i]!;
    if (!isValueStart(c)) return this.fail(i, `expected a JSON value but found ${describeByte(c)}`);
    this.capturing = origin !== undefined;
    if (origin !== undefined) {
      this.origin = origin;
      this.captureFrom = i;
      this.held = 0;
      this.overlong = false;
      this.elementLine = this.line;
      this.elementColumn = this.column(i);
    }
    this.brackets.length = 0;
    this.inString = false;
    this.escaped = false;
    if (c === LBRACE || c === LBRACKET) {
      this.brackets.push(c);
      if (topLevel && c === LBRACE) {
        this.keyBytes = [];
        this.keyUsable = true;
        this.inString = false;
        this.mode = FIRST_KEY;
      } else {
        this.mode = VALUE;
      }
      return i + 1;
    }
    if (c === QUOTE) {
      this.inString = true;
      this.mode = VALUE;
      return i + 1;
    }
    this.mode = TOKEN;
    return i + 1;
  }

  /** VALUE: inside a container or a string, until the value closes. */
  private value(chunk: Buffer, i: number): number {
    const length = chunk.length;
    const brackets = this.brackets;
    for (; i < length; i++) {
      const c = chunk[i]!;
      if (this.inString) {
        if (c === LF) return this.fail(i, 'a string is not closed before the end of its line');
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (brackets.length === 0) return this.finishValue(chunk, i + 1);
        }
        continue;
      }
      switch (c) {
        case QUOTE:
          this.inString = true;
          break;
        case LBRACE:
        case LBRACKET:
          if (brackets.length >= this.maxDepth) return this.fail(i, `nested deeper than ${this.maxDepth.toLocaleString('en-US')} levels`);
          brackets.push(c);
          break;
        case RBRACE:
        case RBRACKET: {
          const open = brackets.pop();
          if (open !== (c === RBRACE ? LBRACE : LBRACKET)) {
            return this.fail(i, `'${c === RBRACE ? '}' : ']'}' closes ${open === LBRACE ? "a '{'" : "a '['"}`);
          }
          if (brackets.length === 0) return this.finishValue(chunk, i + 1);
          break;
        }
        case LF:
          this.newline(i);
          break;
      }
    }
    return i;
  }

  /** TOKEN: a number or literal, which ends at the first byte that cannot be part of it (not consumed). */
  private token(chunk: Buffer, i: number): number {
    const length = chunk.length;
    for (; i < length; i++) {
      const c = chunk[i]!;
      if (c === SPACE || c === LF || c === CR || c === TAB || c === COMMA || c === RBRACE || c === RBRACKET || c === COLON) {
        return this.finishValue(chunk, i);
      }
      if (c === QUOTE || c === LBRACE || c === LBRACKET) return this.finishValue(chunk, i);
    }
    return i;
  }

  /** FIRST_KEY: the start of a top-level object, until its first key tells whether it is a search response. */
  private firstKey(chunk: Buffer, i: number): number {
    const length = chunk.length;
    for (; i < length; i++) {
      const c = chunk[i]!;
      if (!this.inString) {
        if (c === LF) {
          this.newline(i);
          continue;
        }
        if (c === SPACE || c === TAB || c === CR) continue;
        if (c !== QUOTE) {
          this.mode = VALUE;
          return i;
        }
        this.inString = true;
        continue;
      }
      if (c === QUOTE) {
        this.inString = false;
        const key = String.fromCharCode(...this.keyBytes);
        if (this.keyUsable && SEARCH_RESPONSE_FIRST_KEYS.has(key)) {
          // A search response: walk it to its hits instead of capturing it whole.
          this.dropCapture();
          this.frames.push({ role: 'response', expect: 'colon', key, line: this.elementLine, column: this.elementColumn, itemColumn: -1 });
          this.mode = NAV;
          return i + 1;
        }
        this.mode = VALUE;
        return i + 1;
      }
      if (c === BACKSLASH || c === LF || this.keyBytes.length >= MAX_KEY_BYTES) {
        // Not a key we look for: read on as an ordinary object, from inside this string.
        this.mode = VALUE;
        return i;
      }
      this.keyBytes.push(c);
    }
    return i;
  }

  /** NAV_KEY: a key of a walked object (`hits`, `took`, ...). */
  private navKey(chunk: Buffer, i: number): number {
    const length = chunk.length;
    const frame = this.frames[this.frames.length - 1];
    // NAV_KEY is only entered inside a walked object.
    if (frame === undefined) throw new Error('internal: a key outside an object');
    for (; i < length; i++) {
      const c = chunk[i]!;
      if (c === LF) return this.fail(i, 'a string is not closed before the end of its line');
      if (this.escaped) {
        this.escaped = false;
        this.keyUsable = false;
      } else if (c === BACKSLASH) {
        this.escaped = true;
      } else if (c === QUOTE) {
        frame.key = this.keyUsable ? String.fromCharCode(...this.keyBytes) : undefined;
        frame.expect = 'colon';
        this.mode = NAV;
        return i + 1;
      } else if (this.keyBytes.length < MAX_KEY_BYTES) {
        this.keyBytes.push(c);
      } else {
        this.keyUsable = false;
      }
    }
    return i;
  }

  /** RESYNC: drops bytes until a line whose first character starts a value at the expected indentation. */
  private resync(chunk: Buffer, i: number): number {
    const length = chunk.length;
    const atTop = this.frames.length === 0;
    for (; i < length; i++) {
      const c = chunk[i]!;
      if (c === LF) {
        this.newline(i);
        this.resyncAtLineStart = true;
        this.resyncIndent = 0;
        continue;
      }
      if (!this.resyncAtLineStart) continue;
      if (c === SPACE || c === TAB) {
        this.resyncIndent++;
        continue;
      }
      this.resyncAtLineStart = false;
      const starts = c === LBRACE || (atTop && c === LBRACKET);
      if (starts && (this.resyncColumn < 0 || this.resyncIndent === this.resyncColumn)) {
        const frame = this.frames[this.frames.length - 1];
        if (frame !== undefined) frame.expect = 'value';
        this.mode = NAV;
        return i;
      }
    }
    return i;
  }

  /** A value ended just before `chunk[end]`: hands it to the sink if captured, then walks on. */
  private finishValue(chunk: Buffer, end: number): number {
    if (this.capturing) {
      const total = this.held + (end - this.captureFrom);
      if (this.overlong || total > this.maxElementBytes) {
        this.sink.malformed(this.elementLine, `value longer than ${this.maxElementBytes} bytes (${total} bytes)`);
      } else if (this.pieces.length === 0) {
        this.sink.element(chunk, this.captureFrom, end, this.elementLine, this.origin);
      } else {
        this.pieces.push(chunk.subarray(this.captureFrom, end));
        const whole = Buffer.concat(this.pieces, total);
        this.pieces.length = 0;
        this.sink.element(whole, 0, total, this.elementLine, this.origin);
      }
      this.capturing = false;
      this.pieces.length = 0;
    }
    const frame = this.frames[this.frames.length - 1];
    if (frame !== undefined) frame.expect = 'commaOrClose';
    this.mode = NAV;
    return end;
  }

  private closeFrame(): void {
    this.frames.pop();
    const parent = this.frames[this.frames.length - 1];
    if (parent !== undefined) parent.expect = 'commaOrClose';
  }

  /**
   * Reports a syntax error at `chunk[i]` and resynchronises. Inside an element, its siblings are
   * looked for at its indentation. A broken search response is left as a whole: its remaining
   * hits cannot be found reliably, so reading resumes at the next top-level value.
   */
  private fail(i: number, what: string): number {
    const inElement = this.capturing;
    const line = inElement ? this.elementLine : this.line;
    const frame = this.frames[this.frames.length - 1];
    if (inElement) {
      this.resyncColumn = this.elementColumn;
    } else if (frame !== undefined && (frame.role === 'events' || frame.role === 'hitsArray')) {
      this.resyncColumn = frame.itemColumn;
    } else {
      this.resyncColumn = this.frames[0]?.column ?? 0;
      this.frames.length = 0;
    }
    const top = this.frames.length === 0;
    let resume = `reading resumes at the next line that starts with ${top ? "'{' or '['" : "'{'"}`;
    if (this.resyncColumn > 0) resume += ` indented by ${this.resyncColumn}`;
    const where = inElement && this.line !== line ? ` (at line ${this.line}, in the value that starts here)` : '';
    this.sink.malformed(line, `invalid JSON${where}: ${what}; ${resume}`);
    this.dropCapture();
    this.inString = false;
    this.escaped = false;
    this.brackets.length = 0;
    this.mode = RESYNC;
    // The byte at `i` is looked at again in RESYNC mode: a newline there starts the next line.
    this.resyncAtLineStart = false;
    this.resyncIndent = 0;
    return i;
  }

  private dropCapture(): void {
    this.capturing = false;
    this.pieces.length = 0;
    this.held = 0;
    this.overlong = false;
  }

  /** Keeps `chunk[start..end)` of the element being captured, which goes on in the next chunk. */
  private hold(chunk: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n === 0) return;
    this.held += n;
    if (this.overlong) return;
    if (this.held > this.maxElementBytes) {
      this.pieces.length = 0;
      this.overlong = true;
      return;
    }
    this.pieces.push(Buffer.from(chunk.subarray(start, end)));
  }

  private newline(i: number): void {
    this.line++;
    this.lineStart = this.base + i + 1;
  }

  private column(i: number): number {
    return this.base + i - this.lineStart;
  }
}

/** The first characters a JSON value can have. */
function isValueStart(c: number): boolean {
  return c === LBRACE || c === LBRACKET || c === QUOTE || c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e;
}

/** A byte as a user can read it in a message: the character, or its code when it is not printable. */
function describeByte(c: number): string {
  return c > 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}
