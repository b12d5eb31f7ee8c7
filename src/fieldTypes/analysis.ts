import type { AnalyzerName } from './types.js';

/**
 * The analysers of Elasticsearch's `text` / `match_only_text` fields: the value is split into
 * tokens, and a query matches tokens, not the whole value. Each analyser here reads its input
 * once, left to right (linear time, no backtracking, no regular expression over the value), and
 * hands tokens to a callback that may stop the scan early.
 *
 * `standard` is Lucene's StandardAnalyzer as Elasticsearch configures it (analysis-common
 * StandardAnalyzerProvider: no stop words, max_token_length 255): StandardTokenizer, which implements
 * the word boundaries of Unicode UAX#29 (lucene `StandardTokenizerImpl.jflex`), then LowerCaseFilter
 * (`Character.toLowerCase` per code point). What lkm-scan implements of that grammar:
 * - letters and digits join (`abc123`, `x86`); `_` (and every Pc connector) joins them and may
 *   lead or trail (`_foo_`, `x86_64`), but a run of `_` alone is no token;
 * - between two letters, `.` `'` `’` `:` (and the other MidLetter / MidNumLet characters) stay
 *   inside the token: `www.example.com`, `can't`, `foo:bar` are one token each;
 * - between two digits, `.` `,` `;` `'` stay inside: `3.14`, `1,000`, `10.0.0.1`;
 * - `a.1` and `1.a` break (a MidNumLet needs the same class on both sides), as do `-`, `/`, `\`,
 *   `@`, white space and every other symbol, which are never part of a token;
 * - each Han ideograph and each Hiragana character is a token of its own; a run of Katakana is one
 *   token; a run of Thai, Lao, Myanmar, Khmer (Line_Break Complex_Context) is one token;
 * - an emoji (Extended_Pictographic, with its modifiers and ZWJ sequences; `©` and `®` too) is a
 *   token, as is a pair of regional indicators (a flag);
 * - combining marks and format characters stay with the character before them;
 * - a token reaching 255 UTF-16 units is cut there and scanning starts afresh after it (Lucene
 *   sets its scanner buffer to max_token_length).
 * Why not Intl.Segmenter('und', {granularity: 'word'}): ICU segments Chinese and Japanese with a
 * dictionary (`日本語` is one word; Lucene makes one token per ideograph), splits Thai into words
 * (Lucene keeps the run), and reports emoji as not word-like (Lucene indexes them); it also costs
 * an object per segment. The grammar below is small enough to write out, with an ASCII table for
 * the common case.
 *
 * Not replicated (documented in README "### Field types"): Hebrew_Letter's quote rules (WB7a-c:
 * `'` after and `"` between Hebrew letters), keycap sequences (`1⃣`), emoji tag sequences,
 * skin-tone modifiers after a letter (they stay with the letter here, Lucene's Unicode 9 tables make
 * them an emoji token of their own), and character classes beyond what JavaScript's Unicode property escapes give (Lucene compiles its own
 * Unicode version's tables; a character whose Word_Break property changed between versions can
 * split differently).
 */

/** Receives each token, lowercased if the analyser lowercases; return true to stop the scan. */
export type TokenSink = (token: string) => boolean | void;

export const STANDARD_MAX_TOKEN_LENGTH = 255;

/** Runs `analyzer` over `text`; true when the sink stopped the scan. */
export function analyze(analyzer: AnalyzerName, text: string, sink: TokenSink): boolean {
  switch (analyzer) {
    case 'standard':
      return standardTokens(text, sink);
    case 'simple':
      return runTokens(text, isLetterCodePoint, true, STANDARD_MAX_TOKEN_LENGTH, sink);
    case 'whitespace':
      return runTokens(text, isNotWhitespace, false, STANDARD_MAX_TOKEN_LENGTH, sink);
    case 'keyword':
      return sink(text) === true;
    case 'pattern_word':
      return asciiRunTokens(text, false, sink);
    case 'pattern_word_hyphen':
      return asciiRunTokens(text, true, sink);
  }
}

/** All tokens of `text`, for compiling a query (event values are streamed through `analyze`). */
export function tokenize(analyzer: AnalyzerName, text: string): string[] {
  const tokens: string[] = [];
  analyze(analyzer, text, (t) => {
    tokens.push(t);
  });
  return tokens;
}

// Word_Break classes, as far as the grammar needs them.
const OTHER = 0;
const ALETTER = 1;
const NUMERIC = 2;
const KATAKANA = 3;
const EXTEND_NUM_LET = 4;
const MID_LETTER = 5; // MidLetter: between letters only
const MID_NUM = 6; // MidNum: between digits only
const MID_NUM_LET = 7; // MidNumLet and Single_Quote: between letters or between digits
const EXTEND = 8; // Extend, Format, ZWJ: belong to the character before (WB4)
const HAN = 9;
const HIRAGANA = 10;
const COMPLEX = 11;
const EMOJI = 12;
const ZWJ = 13;

const ASCII_CLASS = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) ASCII_CLASS[c] = NUMERIC;
for (let c = 0x41; c <= 0x5a; c++) ASCII_CLASS[c] = ALETTER;
for (let c = 0x61; c <= 0x7a; c++) ASCII_CLASS[c] = ALETTER;
ASCII_CLASS[0x5f] = EXTEND_NUM_LET; // _
ASCII_CLASS[0x3a] = MID_LETTER; // :
ASCII_CLASS[0x2e] = MID_NUM_LET; // .
ASCII_CLASS[0x27] = MID_NUM_LET; // ' (Single_Quote acts as MidNumLet in WB6/7/11/12)
ASCII_CLASS[0x2c] = MID_NUM; // ,
ASCII_CLASS[0x3b] = MID_NUM; // ;

const RE_COMPLEX = /[\p{Script=Thai}\p{Script=Lao}\p{Script=Myanmar}\p{Script=Khmer}\p{Script=Tai_Tham}\p{Script=Tai_Viet}\p{Script=New_Tai_Lue}\p{Script=Tai_Le}]/u;
const RE_HAN = /\p{Script=Han}/u;
const RE_HIRAGANA = /\p{Script=Hiragana}/u;
const RE_KATAKANA = /[\p{Script=Katakana}\u3031-\u3035\u309b\u309c\u30a0\u30fc\uff70]/u;
const RE_EXTEND = /[\p{M}\p{Cf}\p{Emoji_Modifier}]/u;
const RE_EMOJI = /[\p{Extended_Pictographic}\p{Regional_Indicator}]/u;
const RE_NUMERIC = /\p{Nd}/u;
const RE_ALETTER = /[\p{Alphabetic}\u05f3]/u;
const RE_EXTEND_NUM_LET = /[\p{Pc}\u202f]/u;
const MID_LETTER_CHARS = '\u00b7\u0387\u055f\u05f4\u2027\ufe13\ufe55\uff1a';
const MID_NUM_LET_CHARS = '\u2018\u2019\u2024\ufe52\uff07\uff0e';
const MID_NUM_CHARS = '\u037e\u0589\u060c\u060d\u066c\u07f8\u2044\ufe10\ufe14\ufe50\ufe54\uff0c\uff1b';

// Classes of BMP characters, computed on first sight (0 = not yet known, else class + 1).
const bmpCache = new Uint8Array(0x10000);

function classify(cp: number): number {
  if (cp < 128) return ASCII_CLASS[cp]!;
  if (cp < 0x10000) {
    const cached = bmpCache[cp]!;
    if (cached !== 0) return cached - 1;
    const c = classifyUncached(cp);
    bmpCache[cp] = c + 1;
    return c;
  }
  return classifyUncached(cp);
}

function classifyUncached(cp: number): number {
  if (cp === 0x200d) return ZWJ;
  // ZERO WIDTH SPACE is Cf but not Word_Break Format: it separates.
  if (cp === 0x200b) return OTHER;
  const ch = String.fromCodePoint(cp);
  if (RE_COMPLEX.test(ch)) return COMPLEX;
  if (RE_EXTEND.test(ch)) return EXTEND;
  if (RE_HAN.test(ch)) return HAN;
  if (RE_HIRAGANA.test(ch)) return HIRAGANA;
  if (RE_KATAKANA.test(ch)) return KATAKANA;
  if (RE_NUMERIC.test(ch)) return NUMERIC;
  if (RE_ALETTER.test(ch)) return ALETTER;
  if (RE_EMOJI.test(ch)) return EMOJI;
  if (RE_EXTEND_NUM_LET.test(ch)) return EXTEND_NUM_LET;
  if (MID_LETTER_CHARS.includes(ch)) return MID_LETTER;
  if (MID_NUM_LET_CHARS.includes(ch)) return MID_NUM_LET;
  if (MID_NUM_CHARS.includes(ch)) return MID_NUM;
  return OTHER;
}

function codePointAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return c;
}

function width(cp: number): number {
  return cp > 0xffff ? 2 : 1;
}

/** The index after any Extend / Format / ZWJ characters starting at `i` (WB4). */
function skipExtend(text: string, i: number): number {
  while (i < text.length) {
    const cp = codePointAt(text, i);
    const c = classify(cp);
    if (c !== EXTEND && c !== ZWJ) break;
    i += width(cp);
  }
  return i;
}

/** Letters, digits and katakana make a word token; `_` alone does not. */
function isWordCore(c: number): boolean {
  return c === ALETTER || c === NUMERIC || c === KATAKANA;
}

function standardTokens(text: string, sink: TokenSink): boolean {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const cp = codePointAt(text, i);
    const c = classify(cp);
    const start = i;
    if (isWordCore(c) || c === EXTEND_NUM_LET) {
      const end = scanWord(text, i);
      i = end.next;
      if (end.hasCore && emit(text, start, end.end, sink)) return true;
      continue;
    }
    if (c === HAN || c === HIRAGANA) {
      i = skipExtend(text, i + width(cp));
      if (emit(text, start, i, sink)) return true;
      continue;
    }
    if (c === COMPLEX) {
      i += width(cp);
      while (i < n && i - start < STANDARD_MAX_TOKEN_LENGTH) {
        const next = codePointAt(text, i);
        const nc = classify(next);
        if (nc !== COMPLEX && nc !== EXTEND && nc !== ZWJ) break;
        i += width(next);
      }
      if (emit(text, start, i, sink)) return true;
      continue;
    }
    if (c === EMOJI) {
      if (isRegionalIndicator(cp)) {
        // Flags are pairs of regional indicators; a lone one is no token.
        const next = i + width(cp) < n ? codePointAt(text, i + width(cp)) : -1;
        if (!isRegionalIndicator(next)) {
          i += width(cp);
          continue;
        }
        i = skipExtend(text, i + width(cp) + width(next));
      } else {
        i = scanEmoji(text, i + width(cp));
      }
      if (emit(text, start, i, sink)) return true;
      continue;
    }
    i += width(cp);
  }
  return false;
}

function isRegionalIndicator(cp: number): boolean {
  return cp >= 0x1f1e6 && cp <= 0x1f1ff;
}

function scanEmoji(text: string, i: number): number {
  // Modifiers and variation selectors attach; ZWJ followed by another pictograph joins it (WB3c).
  while (i < text.length) {
    const cp = codePointAt(text, i);
    const c = classify(cp);
    if (c === EXTEND) {
      i += width(cp);
      continue;
    }
    if (c === ZWJ && i + 1 < text.length && classify(codePointAt(text, i + 1)) === EMOJI) {
      i += 1 + width(codePointAt(text, i + 1));
      continue;
    }
    break;
  }
  return i;
}

interface WordEnd {
  /** Where the token ends. */
  end: number;
  /** Where scanning continues (after the token; equal to `end`). */
  next: number;
  /** Whether the token has a letter, digit or katakana (a run of `_` alone is no token). */
  hasCore: boolean;
}

/**
 * One ALPHANUM/NUM/KATAKANA token from `i`. `prev` is the class of the last character taken (marks
 * excluded); a Mid* character is taken only when the character after it has the class the rule
 * needs, so the scan looks ahead one character and never backtracks.
 */
function scanWord(text: string, i: number): WordEnd {
  const start = i;
  const n = text.length;
  let cp = codePointAt(text, i);
  let prev = classify(cp);
  let hasCore = isWordCore(prev);
  i = skipExtend(text, i + width(cp));
  while (i < n) {
    if (i - start >= STANDARD_MAX_TOKEN_LENGTH) return { end: start + STANDARD_MAX_TOKEN_LENGTH, next: start + STANDARD_MAX_TOKEN_LENGTH, hasCore };
    cp = codePointAt(text, i);
    const c = classify(cp);
    if (joins(prev, c)) {
      const after = skipExtend(text, i + width(cp));
      if (after - start > STANDARD_MAX_TOKEN_LENGTH) break;
      prev = c;
      hasCore ||= isWordCore(c);
      i = after;
      continue;
    }
    if (c === MID_LETTER || c === MID_NUM_LET || c === MID_NUM) {
      const afterMid = skipExtend(text, i + width(cp));
      if (afterMid >= n) break;
      const nextCp = codePointAt(text, afterMid);
      const next = classify(nextCp);
      const letters = prev === ALETTER && next === ALETTER && (c === MID_LETTER || c === MID_NUM_LET);
      const digits = prev === NUMERIC && next === NUMERIC && (c === MID_NUM || c === MID_NUM_LET);
      if (!letters && !digits) break;
      const after = skipExtend(text, afterMid + width(nextCp));
      if (after - start > STANDARD_MAX_TOKEN_LENGTH) break;
      prev = next;
      i = after;
      continue;
    }
    break;
  }
  // A token longer than the limit is cut at it; the rest is scanned afresh.
  if (i - start > STANDARD_MAX_TOKEN_LENGTH) return { end: start + STANDARD_MAX_TOKEN_LENGTH, next: start + STANDARD_MAX_TOKEN_LENGTH, hasCore };
  return { end: i, next: i, hasCore };
}

/** WB5, WB8-10, WB13, WB13a/b: which classes sit side by side inside one token. */
function joins(prev: number, c: number): boolean {
  switch (c) {
    case ALETTER:
    case NUMERIC:
      return prev === ALETTER || prev === NUMERIC || prev === EXTEND_NUM_LET;
    case KATAKANA:
      return prev === KATAKANA || prev === EXTEND_NUM_LET;
    case EXTEND_NUM_LET:
      return prev === ALETTER || prev === NUMERIC || prev === KATAKANA || prev === EXTEND_NUM_LET;
    default:
      return false;
  }
}

function emit(text: string, start: number, end: number, sink: TokenSink): boolean {
  return sink(lowerCase(text.slice(start, end))) === true;
}

/**
 * Java's Character.toLowerCase per code point (LowerCaseFilter). JavaScript's toLowerCase agrees
 * except where it is not one-to-one or looks at context: U+0130 (İ) lowercases to `i`, and a
 * final capital sigma to σ, never ς.
 */
export function lowerCase(token: string): string {
  let ascii = true;
  for (let i = 0; i < token.length; i++) {
    if (token.charCodeAt(i) >= 128) {
      ascii = false;
      break;
    }
  }
  if (ascii) return token.toLowerCase();
  let out = '';
  for (const ch of token) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp === 0x130) out += 'i';
    else if (cp === 0x3a3) out += '\u03c3';
    else {
      const lower = ch.toLowerCase();
      out += lower.length === ch.length ? lower : ch;
    }
  }
  return out;
}

/** The `pattern` analyser's tokens for `\W+` or `[\W&&[^-]]+` (Java's ASCII `\W`), lowercased. */
function asciiRunTokens(text: string, hyphen: boolean, sink: TokenSink): boolean {
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : -1;
    const word =
      (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || (hyphen && c === 0x2d);
    if (word) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      if (sink(text.slice(start, i).toLowerCase()) === true) return true;
      start = -1;
    }
  }
  return false;
}

const RE_LETTER = /\p{L}/u;

function isLetterCodePoint(cp: number): boolean {
  if (cp < 128) return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  return RE_LETTER.test(String.fromCodePoint(cp));
}

// Java's Character.isWhitespace: space separators except no-break spaces, and \t \n \v \f \r, FS-US.
function isNotWhitespace(cp: number): boolean {
  if (cp === 0x20 || (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x1f)) return false;
  if (cp < 128) return true;
  if (cp === 0xa0 || cp === 0x2007 || cp === 0x202f) return true;
  return !/[\p{Zs}\u2028\u2029]/u.test(String.fromCodePoint(cp));
}

/** CharTokenizer: maximal runs of accepted code points, cut at `max` UTF-16 units. */
function runTokens(text: string, accept: (cp: number) => boolean, lower: boolean, max: number, sink: TokenSink): boolean {
  let start = -1;
  let i = 0;
  const flush = (end: number): boolean => {
    const token = text.slice(start, end);
    start = -1;
    return sink(lower ? lowerCase(token) : token) === true;
  };
  while (i < text.length) {
    const cp = codePointAt(text, i);
    const w = width(cp);
    if (accept(cp)) {
      if (start >= 0 && i + w - start > max && flush(i)) return true;
      if (start < 0) start = i;
    } else if (start >= 0 && flush(i)) return true;
    i += w;
  }
  return start >= 0 && flush(text.length);
}
