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
   * Escapes that could hide a needle (`\/`, `\uXXXX`): a line that contains one is always a
   * candidate, so the prefilter never relies on how a writer chose to escape (issue: fast path).
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

type CompiledNeed = (line: Buffer) => boolean;

function compileNeed(need: Need): CompiledNeed {
  switch (need.kind) {
    case 'any':
      return () => true;
    case 'lit': {
      const bytes = Buffer.from(need.text, 'utf8');
      return (line) => line.indexOf(bytes) !== -1;
    }
    case 'and': {
      const parts = need.of.map(compileNeed);
      return (line) => parts.every((p) => p(line));
    }
    case 'or': {
      const parts = need.of.map(compileNeed);
      return (line) => parts.some((p) => p(line));
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
  const escapes = [Buffer.from('\\u')];
  if (needs.some((n) => needHasSlash(n))) escapes.push(Buffer.from('\\/'));
  return {
    get anchors() {
      return anchors;
    },
    escapes,
    calibrate(sample) {
      anchors = union(alternatives.map((alts) => {
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
      }));
    },
    mayMatch(bytes, start, end) {
      const line = bytes.subarray(start, end);
      for (const e of escapes) if (line.indexOf(e) !== -1) return true;
      for (const check of checks) if (check(line)) return true;
      return false;
    },
  };
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
