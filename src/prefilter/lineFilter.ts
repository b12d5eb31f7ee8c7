import type { LineScreen } from '../input/events.js';
import { anchorAlternatives, anchorsOf, type Need } from './needles.js';

/**
 * A compiled prefilter over raw line bytes. `anchors` are searched for in whole read buffers to
 * find candidate lines; `mayMatch` then checks one candidate against every rule's full need.
 */
export interface LineFilter {
  /** Byte strings at least one of which every line that any rule can match contains. */
  readonly anchors: readonly Buffer[];
  /**
   * Escapes that could hide an anchor (`\uXXXX` always, `\/` when an anchor has a slash): a line
   * that contains one is always a candidate, so the prefilter never relies on how a writer chose
   * to escape (issue: fast path).
   */
  readonly escapes: readonly Buffer[];
  /** False only when no rule can match the line. Called on candidate lines only. */
  mayMatch(bytes: Buffer, start: number, end: number): boolean;
  /**
   * Picks, per rule, the anchor set with the fewest hits in a sample of the input (the first read
   * buffer): `"ko"` is rarer than `"linux"` in Linux logs, which no static guess can know.
   */
  calibrate(sample: Buffer): void;
}

/** `slashEscaped`: the line has `\/`, so a `/` of a needle may be written either way. */
type CompiledNeed = (line: Buffer, slashEscaped: boolean) => boolean;

function compileNeed(need: Need): CompiledNeed {
  switch (need.kind) {
    case 'any':
      return () => true;
    case 'lit': {
      const bytes = Buffer.from(need.text, 'utf8');
      if (!need.text.includes('/')) return (line) => line.indexOf(bytes) !== -1;
      // With `\/` about, only the pieces between slashes are certain to be there as written.
      const pieces = need.text.split('/').filter((p) => p !== '').map((p) => Buffer.from(p, 'utf8'));
      return (line, slashEscaped) =>
        slashEscaped ? pieces.every((p) => line.indexOf(p) !== -1) : line.indexOf(bytes) !== -1;
    }
    case 'and': {
      const parts = need.of.map(compileNeed);
      return (line, slashEscaped) => parts.every((p) => p(line, slashEscaped));
    }
    case 'or': {
      const parts = need.of.map(compileNeed);
      return (line, slashEscaped) => parts.some((p) => p(line, slashEscaped));
    }
  }
}

/**
 * Builds the prefilter for a set of rules, one need per rule. Returns undefined when some rule
 * has no safe needle: that rule must see every event, so no line may be skipped.
 */
export function compileLineFilter(needs: readonly Need[]): LineFilter | undefined {
  if (needs.length === 0) return undefined;
  const alternatives = needs.map(anchorAlternatives);
  if (alternatives.some((alts) => alts.length === 0)) return undefined;
  const union = (chosen: string[][]) => [...new Set(chosen.flat())].map((a) => Buffer.from(a, 'utf8'));
  let anchors = union(needs.map((n) => anchorsOf(n)!));
  const checks = needs.map(compileNeed);
  const unicodeEscape = Buffer.from('\\u');
  const slashEscape = Buffer.from('\\/');
  let escapes = anchors.some((a) => a.includes(0x2f)) ? [unicodeEscape, slashEscape] : [unicodeEscape];
  return {
    get anchors() {
      return anchors;
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
      anchors = [...new Set(chosen.flat().map((needle) => searchFragment(needle, frequency)))].map((a) => Buffer.from(a, 'utf8'));
      escapes = anchors.some((a) => a.includes(0x2f)) ? [unicodeEscape, slashEscape] : [unicodeEscape];
    },
    // Decided by the needs alone, never by which anchors calibration chose, so which lines are
    // parsed does not depend on the sample (and workers, each tuned on its own range, agree).
    mayMatch(bytes, start, end) {
      const line = bytes.subarray(start, end);
      // `\uXXXX` can spell any character of any needle.
      if (line.indexOf(unicodeEscape) !== -1) return true;
      const slashEscaped = line.indexOf(slashEscape) !== -1;
      for (const check of checks) if (check(line, slashEscaped)) return true;
      return false;
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
 * The part of `needle` to search whole buffers for: any line holding the needle holds it. Taken
 * from a slash-free stretch (2 bytes or more), starting at the byte that is rarest in the sample;
 * the whole needle when it has no such stretch.
 */
export function searchFragment(needle: string, frequency: Uint32Array): string {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const segment of needle.split('/')) {
    for (let i = 0; i + 2 <= segment.length; i++) {
      const fragment = segment.slice(i);
      const first = Buffer.from(fragment, 'utf8')[0]!;
      // Rarer first byte first; among equals, the longer fragment (fewer false hits).
      const score = frequency[first]! * 64 + Math.max(0, 64 - fragment.length) + (fragment.length < 3 ? 1e12 : 0);
      if (score < bestScore) {
        best = fragment;
        bestScore = score;
      }
    }
  }
  return best ?? needle;
}

function needHasSlash(need: Need): boolean {
  switch (need.kind) {
    case 'any':
      return false;
    case 'lit':
      return need.text.includes('/');
    default:
      return need.of.some(needHasSlash);
  }
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

/**
 * Start offsets of the lines in `bytes[start..end)` (which holds whole lines) that contain an
 * anchor or an escape, in increasing order. Searches the whole buffer per needle with
 * Buffer.indexOf, never line by line, so lines without any hit cost nothing here.
 */
export function candidateLineStarts(bytes: Buffer, start: number, end: number, filter: LineFilter): number[] {
  const starts: number[] = [];
  const search = (needle: Buffer) => {
    let p = bytes.indexOf(needle, start);
    while (p !== -1 && p < end) {
      const lineStart = Math.max(start, bytes.lastIndexOf(0x0a, p) + 1);
      starts.push(lineStart);
      const lineEnd = bytes.indexOf(0x0a, p);
      if (lineEnd === -1 || lineEnd >= end) break;
      p = bytes.indexOf(needle, lineEnd + 1);
    }
  };
  for (const a of filter.anchors) search(a);
  for (const e of filter.escapes) search(e);
  if (starts.length < 2) return starts;
  starts.sort((a, b) => a - b);
  let w = 1;
  for (let r = 1; r < starts.length; r++) if (starts[r] !== starts[w - 1]) starts[w++] = starts[r]!;
  starts.length = w;
  return starts;
}

/** The prefilter of a set of rules as the input layer's LineScreen, or undefined when it must be off. */
export function compileLineScreen(needs: readonly Need[]): LineScreen | undefined {
  const filter = compileLineFilter(needs);
  if (!filter) return undefined;
  return {
    calibrate: (sample) => filter.calibrate(sample),
    candidates: (bytes, start, end) => candidateLineStarts(bytes, start, end, filter),
    mayMatch: (bytes, start, end) => filter.mayMatch(bytes, start, end),
  };
}
