import type { LinePrefilter } from '../input/events.js';
import { MultiNeedle } from './multiNeedle.js';
import { needleAlternatives, defaultNeedles, type Need } from './needles.js';
import { escapeHides, lineHasHidingEscape, needleCodeUnits } from './unicodeEscape.js';

/**
 * A compiled prefilter over raw line bytes. Its `needles` are searched for in whole read buffers
 * to find candidate lines; `mayMatch` then checks one candidate against every rule's full need.
 */
export interface Prefilter extends LinePrefilter {
  /** Byte strings at least one of which every line that any rule can match contains. */
  readonly needles: readonly Buffer[];
  /**
   * Escapes that could hide a needle (`\uXXXX` always, `\/` when a needle has a slash): a line
   * that contains one is always a candidate, so the prefilter never relies on how a writer chose
   * to escape (issue: fast path). A `\u` counts only when it spells one of `hidden`.
   */
  readonly escapes: readonly Buffer[];
  /** The UTF-16 code units some needle's value holds: what a `\uXXXX` must spell to hide a needle. */
  readonly hidden: ReadonlySet<number>;
  /** False only when no rule can match the line. Called on candidate lines only. */
  mayMatch(bytes: Buffer, start: number, end: number): boolean;
  /**
   * Picks, per rule, the set of needles with the fewest hits in a sample of the input (the first
   * read buffer): `"ko"` is rarer than `"linux"` in Linux logs, which no static guess can know.
   */
  calibrate(sample: Buffer): void;
}

/** `slashEscaped`: the line has `\/`, so a `/` of a needle may be written either way. */
type CompiledNeed = (line: Buffer, slashEscaped: boolean) => boolean;

/** How a compiled need asks whether the line holds a literal: by searching it, or from a one-pass scan's hits. */
type Contains = (text: string) => (line: Buffer) => boolean;

const searchLine: Contains = (text) => {
  const bytes = Buffer.from(text, 'utf8');
  return (line) => line.indexOf(bytes) !== -1;
};

function compileNeed(need: Need, contains: Contains = searchLine): CompiledNeed {
  switch (need.kind) {
    case 'any':
      return () => true;
    case 'lit': {
      const whole = contains(need.text);
      if (!need.text.includes('/')) return (line) => whole(line);
      // With `\/` about, only the pieces between slashes are certain to be there as written.
      const pieces = slashPieces(need.text).map(contains);
      return (line, slashEscaped) => (slashEscaped ? pieces.every((p) => p(line)) : whole(line));
    }
    case 'and': {
      const parts = need.of.map((n) => compileNeed(n, contains));
      return (line, slashEscaped) => parts.every((p) => p(line, slashEscaped));
    }
    case 'or': {
      const parts = need.of.map((n) => compileNeed(n, contains));
      return (line, slashEscaped) => parts.some((p) => p(line, slashEscaped));
    }
  }
}

function slashPieces(text: string): string[] {
  return text.split('/').filter((p) => p !== '');
}

/** Every literal a need's check looks for (with the slash-free pieces of those with a `/`). */
function literalsOf(need: Need, into: Set<string>): Set<string> {
  switch (need.kind) {
    case 'any':
      break;
    case 'lit':
      into.add(need.text);
      if (need.text.includes('/')) for (const p of slashPieces(need.text)) into.add(p);
      break;
    case 'and':
    case 'or':
      for (const n of need.of) literalsOf(n, into);
  }
  return into;
}

/**
 * Builds the prefilter for a set of rules, one need per rule: what the input layer asks which
 * lines to parse. Returns undefined when some rule has no safe needle: that rule must see every
 * event, so no line may be skipped.
 *
 * Two ways to find the lines, which pass exactly the same ones (src/prefilter/onePass.test.ts), so
 * choosing between them by the input changes the cost only: Buffer.indexOf per needle (fastest when
 * the needles are few and rare: the bundled rules over the benchmark's data), or one pass over each
 * buffer for all (many needles, or needles on many lines: Elastic's Linux rules). `mode` pins one
 * (tests); by default many needles take the one pass, and otherwise calibration decides.
 */
export function compilePrefilter(needs: readonly Need[], options: { mode?: 'per-needle' | 'one-pass' } = {}): Prefilter | undefined {
  if (needs.length === 0) return undefined;
  const alternatives = needs.map(needleAlternatives);
  if (alternatives.some((alts) => alts.length === 0)) return undefined;
  const perNeedle = perNeedlePrefilter(needs, alternatives);
  const onePass = options.mode === 'per-needle' ? undefined : onePassPrefilter(needs, perNeedle.needles);
  if (onePass === undefined) return perNeedle;
  if (options.mode === 'one-pass' || perNeedle.needles.length >= ONE_PASS_MIN_NEEDLES) return onePass;
  // With a few rules the per-needle way wins even when every line is a candidate: checking a line
  // costs a few indexOf calls, while the one pass walks every byte in JavaScript.
  if (needs.length < ONE_PASS_MIN_RULES) return perNeedle;
  return adaptivePrefilter(perNeedle, onePass);
}

/**
 * Below this many rules the one pass is never chosen by sampling. Measured (CPU, 100 MB of the
 * benchmark's near-miss data, every line a candidate): the two bundled rules take 2.3-2.6 s with
 * the one pass and 1.5-1.7 s per needle; 10 of the Linux rules run 2x faster in one pass.
 */
export const ONE_PASS_MIN_RULES = 5;

/**
 * Above this share of lines passing in the first buffer, the one pass is used: then most lines
 * hold a needle, and the per-needle way searches each of them once per rule. Measured on 20 MB of
 * the benchmark's data: the bundled rules pass 0.7% of lines and run 2x faster per needle; 10 of
 * the Linux rules (3 needles) pass 25% and run 2x faster in one pass.
 */
export const ONE_PASS_MIN_SHARE = 0.1;

/** Starts per needle; calibration switches to the one pass when the sample says it is cheaper. */
function adaptivePrefilter(perNeedle: Prefilter, onePass: Prefilter): Prefilter {
  let current = perNeedle;
  return {
    get needles() {
      return current.needles;
    },
    get escapes() {
      return current.escapes;
    },
    hidden: perNeedle.hidden,
    get exact() {
      return current.exact;
    },
    calibrate(sample) {
      // The one pass costs milliseconds per MiB; the per-needle calibration much more.
      let lines = 0;
      for (let p = sample.indexOf(0x0a); p !== -1; p = sample.indexOf(0x0a, p + 1)) lines++;
      if (sample.length > 0 && sample[sample.length - 1] !== 0x0a) lines++;
      const passing = onePass.candidates(sample, 0, sample.length).length;
      if (passing > lines * ONE_PASS_MIN_SHARE) {
        current = onePass;
      } else {
        current = perNeedle;
        perNeedle.calibrate(sample);
      }
    },
    candidates: (bytes, start, end) => current.candidates(bytes, start, end),
    mayMatch: (bytes, start, end) => current.mayMatch(bytes, start, end),
  };
}

/** The prefilter that searches whole buffers with Buffer.indexOf, once per needle. */
function perNeedlePrefilter(needs: readonly Need[], alternatives: readonly string[][][]): Prefilter {
  const asBuffers = (chosen: readonly string[]) => [...new Set(chosen)].map((n) => Buffer.from(n, 'utf8'));
  // Every rule has an alternative (checked by the caller), so each has default needles.
  let needles = asBuffers(needs.flatMap((n) => defaultNeedles(n) ?? []));
  const checks = needs.map((n) => compileNeed(n));
  const unicodeEscape = Buffer.from('\\u');
  const slashEscape = Buffer.from('\\/');
  let escapes = needles.some((n) => n.includes(0x2f)) ? [unicodeEscape, slashEscape] : [unicodeEscape];
  const literals = new Set<string>();
  for (const need of needs) literalsOf(need, literals);
  const hidden = needleCodeUnits(literals);
  const prefilter: Prefilter = {
    hidden,
    get needles() {
      return needles;
    },
    get escapes() {
      return escapes;
    },
    calibrate(sample) {
      const chosen = alternatives.map((alts) => {
        let best = alts[0]!;
        let bestHits = Infinity;
        for (const alt of alts) {
          let hits = 0;
          for (const needle of alt) hits += countHits(sample, Buffer.from(needle, 'utf8'), bestHits - hits);
          if (hits < bestHits) {
            best = alt;
            bestHits = hits;
          }
        }
        return best;
      });
      // Search for a piece of each needle that starts with a byte rare in this input (`ko"`
      // rather than `"ko"`: quotes are everywhere in JSON) and holds no `/`, which a writer may
      // escape as `\/`; then lines with `\/` need no buffer-wide search of their own.
      const frequency = byteFrequency(sample);
      needles = asBuffers(chosen.flat().map((needle) => searchNeedle(needle, frequency)));
      escapes = needles.some((n) => n.includes(0x2f)) ? [unicodeEscape, slashEscape] : [unicodeEscape];
    },
    candidates: (bytes, start, end) => candidateLineStarts(bytes, start, end, prefilter),
    // Decided by the needs alone, never by which needles calibration chose, so which lines are
    // parsed does not depend on the sample (and workers, each tuned on its own range, agree).
    mayMatch(bytes, start, end) {
      const line = bytes.subarray(start, end);
      if (lineHasHidingEscape(bytes, start, end, hidden)) return true;
      const slashEscaped = line.indexOf(slashEscape) !== -1;
      for (const check of checks) if (check(line, slashEscaped)) return true;
      return false;
    },
  };
  return prefilter;
}

/**
 * From this many needles on, one Aho-Corasick pass over a buffer is used without calibrating: the
 * per-needle calibration alone scans its sample once per alternative of every rule (2.9 s of CPU
 * for the Linux pack's 64 needles on one 1 MiB sample), and the scan ran 3x faster in one pass.
 */
export const ONE_PASS_MIN_NEEDLES = 64;

/**
 * The prefilter for many needles: one pass over each buffer finds every literal of every need (and
 * the escapes), and each line with a hit has the needs checked from those hits, so `candidates`
 * gives exactly the lines `mayMatch` passes. Nothing to calibrate: the pass costs the same whichever
 * needles are rare. Undefined when the literals would make too large a table.
 */
function onePassPrefilter(needs: readonly Need[], needles: readonly Buffer[]): Prefilter | undefined {
  const literals = new Set<string>();
  for (const need of needs) literalsOf(need, literals);
  const ids = new Map<string, number>();
  for (const text of literals) ids.set(text, ids.size);
  const unicodeEscape = ids.size;
  const slashEscape = ids.size + 1;
  // Lines end at `\n` (and a `\r` before it is no part of the line): a literal holding either
  // would make the pass's line differ from `mayMatch`'s. JSON writes both escaped, so none should.
  if ([...literals].some((t) => /[\r\n]/.test(t))) return undefined;
  const patterns = [...literals, '\\u', '\\/'].map((t) => Buffer.from(t, 'utf8'));
  const matcher = MultiNeedle.create(patterns);
  if (matcher === undefined) return undefined;
  // seen[id] === line: literal `id` occurs in the line being checked (numbered per scan, so
  // nothing needs clearing between lines).
  const seen = new Float64Array(patterns.length).fill(-1);
  let line = 0;
  const hidden = needleCodeUnits(literals);
  // What is being scanned, for reading the hex digits after a `\u`.
  let scanning: Buffer = Buffer.alloc(0);
  let scanEnd = 0;
  const hit = (id: number, after: number) => {
    if (id !== unicodeEscape || escapeHides(scanning, after, scanEnd, hidden)) seen[id] = line;
  };
  const contains: Contains = (text) => {
    const id = ids.get(text);
    // Every literal of every need is in `ids` (literalsOf walks the same tree compileNeed does).
    if (id === undefined) throw new Error(`the one-pass prefilter has no id for the literal ${JSON.stringify(text)}`);
    return () => seen[id] === line;
  };
  const checks = needs.map((n) => compileNeed(n, contains));
  const none = Buffer.alloc(0);
  const decide = (): boolean => {
    let result = seen[unicodeEscape] === line;
    if (!result) {
      const slashEscaped = seen[slashEscape] === line;
      for (const check of checks) {
        if (check(none, slashEscaped)) {
          result = true;
          break;
        }
      }
    }
    line++;
    return result;
  };
  return {
    needles,
    escapes: [patterns[unicodeEscape]!, patterns[slashEscape]!],
    calibrate() {},
    hidden,
    exact: true,
    candidates(bytes, start, end) {
      const starts: number[] = [];
      scanning = bytes;
      scanEnd = end;
      matcher.scan(bytes, start, end, hit, (lineStart) => {
        if (decide()) starts.push(lineStart);
      });
      return starts;
    },
    mayMatch(bytes, start, end) {
      let result = false;
      scanning = bytes;
      scanEnd = end;
      matcher.scan(bytes, start, end, hit, () => {
        result = decide();
      });
      return result;
    },
  };
}

/** How often each byte value occurs in a sample (of at most 1 MiB). */
function byteFrequency(sample: Buffer): Uint32Array {
  const counts = new Uint32Array(256);
  const end = Math.min(sample.length, 1 << 20);
  for (let i = 0; i < end; i++) counts[sample[i]!]!++;
  return counts;
}

/**
 * The needle to search whole buffers for in place of `needle`: a tail of one of its slash-free
 * stretches (2 bytes or more), so any line holding `needle` holds it too, starting at the byte
 * that is rarest in the sample; `needle` itself when it has no such stretch.
 */
export function searchNeedle(needle: string, frequency: Uint32Array): string {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const segment of needle.split('/')) {
    for (let i = 0; i + 2 <= segment.length; i++) {
      const tail = segment.slice(i);
      const first = Buffer.from(tail, 'utf8')[0]!;
      // Rarer first byte first; among equals, the longer tail (fewer false hits).
      const score = frequency[first]! * 64 + Math.max(0, 64 - tail.length) + (tail.length < 3 ? 1e12 : 0);
      if (score < bestScore) {
        best = tail;
        bestScore = score;
      }
    }
  }
  return best ?? needle;
}

/** Occurrences of `needle` in `sample`, counting no further than `limit`. */
function countHits(sample: Buffer, needle: Buffer, limit: number): number {
  let n = 0;
  let p = sample.indexOf(needle);
  while (p !== -1 && n < limit) {
    n++;
    p = sample.indexOf(needle, p + needle.length);
  }
  return n;
}

const BACKSLASH_U = Buffer.from('\\u');

/**
 * Start offsets of the lines in `bytes[start..end)` (which holds whole lines) that contain a
 * needle or an escape that may hide one, in increasing order. Searches the whole buffer per needle with
 * Buffer.indexOf, never line by line, so lines without any hit cost nothing here.
 */
export function candidateLineStarts(bytes: Buffer, start: number, end: number, prefilter: Pick<Prefilter, 'needles' | 'escapes' | 'hidden'>): number[] {
  const starts: number[] = [];
  const search = (needle: Buffer) => {
    const unicode = needle.equals(BACKSLASH_U);
    let p = bytes.indexOf(needle, start);
    while (p !== -1 && p < end) {
      if (unicode && !escapeHides(bytes, p + 2, end, prefilter.hidden)) {
        p = bytes.indexOf(needle, p + 2);
        continue;
      }
      const lineStart = Math.max(start, bytes.lastIndexOf(0x0a, p) + 1);
      starts.push(lineStart);
      const lineEnd = bytes.indexOf(0x0a, p);
      if (lineEnd === -1 || lineEnd >= end) break;
      p = bytes.indexOf(needle, lineEnd + 1);
    }
  };
  for (const n of prefilter.needles) search(n);
  for (const e of prefilter.escapes) search(e);
  if (starts.length < 2) return starts;
  starts.sort((a, b) => a - b);
  let w = 1;
  for (let r = 1; r < starts.length; r++) if (starts[r] !== starts[w - 1]) starts[w++] = starts[r]!;
  starts.length = w;
  return starts;
}
