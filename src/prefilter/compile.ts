import type { LinePrefilter } from '../input/events.js';
import { MultiNeedle } from './multiNeedle.js';
import { bestAlternative, needleAlternatives, type Need } from './needles.js';
import type { LineRules } from './lineRules.js';
import { escapeHides, needleCodeUnits } from './unicodeEscape.js';
import { byteFrequency, HidingEscapeCursor, LiteralCursor } from './lineCursor.js';

/**
 * A compiled prefilter over raw line bytes. Its `needles` are searched for in whole read buffers
 * to find candidate lines; `lineRules` then tells, for one candidate, which rules it may match
 * (lineRules.ts), which the rule index intersects with its own choice (engine/dispatch.ts).
 */
export interface Prefilter extends LinePrefilter {
  /** Byte strings at least one of which every line that any rule with a needle can match contains. */
  readonly needles: readonly Buffer[];
  /**
   * Escapes that could hide a needle (`\uXXXX` always, `\/` when a needle has a slash): a line
   * that contains one is always a candidate, so the prefilter never relies on how a writer chose
   * to escape (issue: fast path). A `\u` counts only when it spells one of `hidden`.
   */
  readonly escapes: readonly Buffer[];
  /** The UTF-16 code units some needle's value holds: what a `\uXXXX` must spell to hide a needle. */
  readonly hidden: ReadonlySet<number>;
  /** False only when no rule with a needle can match the line: `lineRules(...) !== null`. */
  mayMatch(bytes: Buffer, start: number, end: number): boolean;
  /**
   * Tunes the search to a sample of the input (the first read buffer): per rule, the set of
   * needles with the fewest hits (`"ko"` is rarer than `"linux"` in Linux logs, which no static
   * guess can know). Changes the cost only, never which lines are parsed nor which rules a line
   * may match beyond `free` (which only ever offers more).
   */
  calibrate(sample: Buffer): void;
}

/** `slashEscaped`: the line has `\/`, so a `/` of a needle may be written either way. */
type CompiledNeed = (line: Buffer, slashEscaped: boolean) => boolean;

/** How a compiled need asks whether the line holds a literal: by searching it, or from a one-pass scan's hits. */
type Contains = (text: string) => (line: Buffer) => boolean;

function compileNeed(need: Need, contains: Contains): CompiledNeed {
  switch (need.kind) {
    case 'any':
      return () => true;
    case 'lit': {
      const whole = contains(need.text);
      if (!need.text.includes('/')) return whole;
      // With `\/` about, only the pieces between slashes are certain to be there as written.
      const pieces = slashPieces(need.text).map(contains);
      return (line, slashEscaped) => (slashEscaped ? pieces.every((p) => p(line)) : whole(line));
    }
    // Loops, not every/some: the one pass checks a need per triggered group on every line.
    case 'and': {
      const parts = need.of.map((n) => compileNeed(n, contains));
      return (line, slashEscaped) => {
        for (let k = 0; k < parts.length; k++) if (!parts[k]!(line, slashEscaped)) return false;
        return true;
      };
    }
    case 'or': {
      const parts = need.of.map((n) => compileNeed(n, contains));
      return (line, slashEscaped) => {
        for (let k = 0; k < parts.length; k++) if (parts[k]!(line, slashEscaped)) return true;
        return false;
      };
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
 * The rules with a needle, grouped by equal need (many of a pack's rules share one, such as the
 * category and operating system of theirs): a group's need is checked once per line for all.
 */
interface RuleGroups {
  /** The rules a prefilter is for. */
  count: number;
  needs: Need[];
  /** The rules of each group, ascending. */
  rules: number[][];
  alternatives: string[][][];
  /** Each group's needles before any sample (`defaultNeedles`). */
  defaults: string[][];
  /** Every literal of every group's need (literalsOf). */
  literals: Set<string>;
  /** The rules without a needle, marked: they are offered every line (lineRules.ts). */
  needleless: Uint8Array;
}

function groupRules(needs: readonly (Need | undefined)[]): RuleGroups {
  const groups: RuleGroups = { count: needs.length, needs: [], rules: [], alternatives: [], defaults: [], literals: new Set(), needleless: new Uint8Array(needs.length) };
  const byKey = new Map<string, number>();
  needs.forEach((need, rule) => {
    if (need === undefined) return;
    const alternatives = needleAlternatives(need);
    if (alternatives.length === 0) {
      groups.needleless[rule] = 1;
      return;
    }
    const key = JSON.stringify(need);
    let g = byKey.get(key);
    if (g === undefined) {
      g = groups.needs.length;
      byKey.set(key, g);
      groups.needs.push(need);
      groups.rules.push([]);
      groups.alternatives.push(alternatives);
      // Non-empty alternatives have a best.
      groups.defaults.push(bestAlternative(alternatives) ?? []);
      literalsOf(need, groups.literals);
    }
    groups.rules[g]!.push(rule);
  });
  return groups;
}

/** The rules of the groups `matched`, in no particular order (the rule index marks them, dispatch.ts). */
function rulesOfGroups(matched: readonly number[], rules: readonly (readonly number[])[]): readonly number[] {
  if (matched.length === 1) return rules[matched[0]!]!;
  const out: number[] = [];
  for (const g of matched) for (const r of rules[g]!) out.push(r);
  return out;
}

/**
 * Builds the prefilter for a set of rules, one need per rule: what the input layer asks which
 * lines to parse, and which rules each may match. A rule whose need is undefined reads no line (it
 * reads alerts, engine/chain.ts): no line is parsed for it. Returns undefined when no rule has a needle: every
 * line must then be parsed for every rule, and there is nothing to narrow. Rules without a needle
 * do not switch it off for the others: every line is then parsed (`parseAll`), and offered to
 * them, and to the others only when it holds their needles.
 *
 * Two ways to find the lines, which pass exactly the same ones with the same rules
 * (src/prefilter/onePass.test.ts), so choosing between them by the input changes the cost only:
 * Buffer.indexOf per needle (fastest when the needles are few and rare: the bundled rules over the
 * benchmark's data), or one pass over each buffer for all (many needles, or needles on many lines:
 * Elastic's Linux rules). `mode` pins one (tests); by default many needles take the one pass, and
 * otherwise calibration decides.
 */
export function compilePrefilter(needs: readonly (Need | undefined)[], options: { mode?: 'per-needle' | 'one-pass' } = {}): Prefilter | undefined {
  const groups = groupRules(needs);
  if (groups.needs.length === 0) return undefined;
  const needles = [...new Set(groups.defaults.flat())].map((n) => Buffer.from(n, 'utf8'));
  // Only the way that can be chosen is built: for the whole Elastic pack the per-needle one was
  // built beside the one pass for its default needles alone.
  const many = needles.length >= ONE_PASS_MIN_NEEDLES;
  // With a few rules the per-needle way wins even when every line is a candidate: checking a line
  // costs a few searches, while the one pass walks every byte in JavaScript.
  if (options.mode === 'per-needle' || (options.mode === undefined && !many && needs.length < ONE_PASS_MIN_RULES)) return perNeedlePrefilter(groups);
  const onePass = onePassPrefilter(groups, needles);
  if (onePass === undefined) return perNeedlePrefilter(groups);
  if (options.mode === 'one-pass' || many) return onePass;
  return adaptivePrefilter(perNeedlePrefilter(groups), onePass);
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
    get candidateRules() {
      return current.candidateRules;
    },
    parseAll: perNeedle.parseAll,
    get freeOnly() {
      return current.freeOnly;
    },
    calibrate(sample) {
      // Decided on the whole first buffer (each way then tunes itself on its start): the one pass
      // costs milliseconds per MiB once compiled.
      let lines = 0;
      for (let p = sample.indexOf(0x0a); p !== -1; p = sample.indexOf(0x0a, p + 1)) lines++;
      if (sample.length > 0 && sample[sample.length - 1] !== 0x0a) lines++;
      const passing = onePass.candidates(sample, 0, sample.length).length;
      if (passing > lines * ONE_PASS_MIN_SHARE) {
        current = onePass;
        onePass.calibrate(sample);
      } else {
        current = perNeedle;
        perNeedle.calibrate(sample);
      }
    },
    candidates: (bytes, start, end) => current.candidates(bytes, start, end),
    get lineDecider() {
      return current.lineDecider;
    },
    lineRules: (bytes, start, end) => current.lineRules(bytes, start, end),
    mayMatch: (bytes, start, end) => current.mayMatch(bytes, start, end),
  };
}

/**
 * A need checked on a line of the buffer the cursors were last reset to, whose lines are asked
 * about in increasing order (lineCursor.ts).
 */
type LineCheck = (start: number, end: number) => boolean;

/**
 * `need` as a check over cursors, one per literal (`cursorOf`); `slash` finds the `\\/` escape.
 * `cost` (of searching a sample for a literal, lineCursor.ts) orders the parts of an AND, cheapest
 * first: it is asked on every line, the others only on lines that hold it. The order changes the
 * cost only: the result is the same boolean.
 */
function compileLineCheck(need: Need, cursorOf: (text: string) => LiteralCursor, slash: LiteralCursor, cost: (text: string) => number): LineCheck {
  switch (need.kind) {
    case 'any':
      return () => true;
    case 'lit': {
      const whole = cursorOf(need.text);
      if (!need.text.includes('/')) return (start, end) => whole.inLine(start, end);
      // With `\\/` about, only the pieces between slashes are certain to be there as written;
      // one inside another (the `"` of `"/proc/"`) says nothing more. The cheapest is asked first.
      const all = slashPieces(need.text);
      const pieces = all
        .filter((p, i) => all.every((q, j) => j === i || !q.includes(p) || (q === p && j > i)))
        .sort((a, b) => cost(a) - cost(b))
        .map(cursorOf);
      return (start, end) => {
        if (!slash.inLine(start, end)) return whole.inLine(start, end);
        for (let k = 0; k < pieces.length; k++) if (!pieces[k]!.inLine(start, end)) return false;
        return true;
      };
    }
    case 'and': {
      const parts = [...need.of].sort((a, b) => needCost(a, cost) - needCost(b, cost)).map((n) => compileLineCheck(n, cursorOf, slash, cost));
      return (start, end) => {
        for (let k = 0; k < parts.length; k++) if (!parts[k]!(start, end)) return false;
        return true;
      };
    }
    case 'or': {
      const parts = need.of.map((n) => compileLineCheck(n, cursorOf, slash, cost));
      return (start, end) => {
        for (let k = 0; k < parts.length; k++) if (parts[k]!(start, end)) return true;
        return false;
      };
    }
  }
}

/** What checking `need` on every line costs, from its literals' `cost`: an AND its cheapest part's, an OR the sum. */
function needCost(need: Need, cost: (text: string) => number): number {
  switch (need.kind) {
    case 'any':
      return 0;
    case 'lit':
      return cost(need.text);
    case 'and': {
      let least = Infinity;
      for (const n of need.of) least = Math.min(least, needCost(n, cost));
      return least;
    }
    case 'or': {
      let sum = 0;
      for (const n of need.of) sum += needCost(n, cost);
      return sum;
    }
  }
}

/**
 * The prefilter for a few needles. It reads a buffer's lines in order (`lineDecider`) with one
 * cursor per literal (lineCursor.ts), so a literal on no line costs one search of the buffer and
 * one on every line one search per line, from its rarest byte: with the two bundled rules over
 * the near-miss data, where every line holds most of their literals, 1.7 s of CPU for 100 MB went
 * to `line.indexOf` of literals starting with a quote. `candidates` (whole-buffer searches of the
 * calibrated needles) remains for callers without the line decider.
 */
function perNeedlePrefilter(groups: RuleGroups): Prefilter {
  const { alternatives } = groups;
  const asBuffers = (chosen: readonly string[]) => [...new Set(chosen)].map((n) => Buffer.from(n, 'utf8'));
  // Every group has an alternative (groupRules), so each has default needles.
  let needles = asBuffers(groups.defaults.flat());
  const unicodeEscape = Buffer.from('\\u');
  const slashEscape = Buffer.from('\\/');
  let escapes = needles.some((n) => n.includes(0x2f)) ? [unicodeEscape, slashEscape] : [unicodeEscape];
  const literals = groups.literals;
  const hidden = needleCodeUnits(literals);
  const cursors = new Map<string, LiteralCursor>();
  for (const text of literals) cursors.set(text, new LiteralCursor(Buffer.from(text, 'utf8')));
  const cursorOf = (text: string): LiteralCursor => {
    const cursor = cursors.get(text);
    // Every literal of every need has a cursor (literalsOf walks the same tree compileLineCheck does).
    if (cursor === undefined) throw new Error(`the prefilter has no cursor for the literal ${JSON.stringify(text)}`);
    return cursor;
  };
  const slash = new LiteralCursor(slashEscape);
  const escape = new HidingEscapeCursor(hidden);
  const every = [...cursors.values(), slash];
  let checks = groups.needs.map((n) => compileLineCheck(n, cursorOf, slash, () => 0));
  const free = groups.needleless;
  const everyRule: LineRules = { listed: undefined, free };
  // With a few rules, all needing strings, naming which ones a line holds costs more searches than
  // offering it to all of them (the rule index picks among a few cheaply): the first need met
  // decides, as before line rules. Measured on 100 MB of near-miss lines with the bundled rules:
  // 1.82 s CPU listing, 1.70 s without (the same as before line rules).
  const listing = checks.length >= ONE_PASS_MIN_RULES || free.includes(1);
  const freeOnly: LineRules = { listed: [], free };
  // Decided by the needs alone, never by which needles calibration chose nor in which order the
  // cursors are asked, so which lines are parsed does not depend on the sample (and workers, each
  // tuned on its own range, agree).
  const decide = (start: number, end: number): LineRules | null => {
    if (escape.inLine(start, end)) return everyRule;
    if (!listing) {
      for (let g = 0; g < checks.length; g++) if (checks[g]!(start, end)) return everyRule;
      return null;
    }
    let matched: number[] | undefined;
    for (let g = 0; g < checks.length; g++) if (checks[g]!(start, end)) (matched ??= []).push(g);
    return matched === undefined ? null : { listed: rulesOfGroups(matched, groups.rules), free };
  };
  const resetAll = (bytes: Buffer) => {
    escape.reset(bytes);
    for (const c of every) c.reset(bytes);
  };
  const lineDecider = (bytes: Buffer): ((start: number, end: number) => LineRules | null) => {
    resetAll(bytes);
    return decide;
  };
  const lineRules = (bytes: Buffer, start: number, end: number): LineRules | null => {
    // A line on its own: its own view, so no search runs past its end.
    resetAll(bytes.subarray(start, end));
    return decide(0, end - start);
  };
  const prefilter: Prefilter = {
    hidden,
    get needles() {
      return needles;
    },
    get escapes() {
      return escapes;
    },
    parseAll: free.includes(1),
    freeOnly,
    calibrate(whole) {
      const sample = calibrationSample(whole);
      const frequency = byteFrequency(sample);
      for (const c of every) c.tune(frequency);
      const counts = new Map<string, number>();
      const costs = new Map<string, number>();
      for (const [text, cursor] of cursors) {
        // Beyond one occurrence in 256 bytes a literal is common: no need to count them all.
        const n = cursor.count(sample, Math.max(64, sample.length >> 8));
        counts.set(text, n);
        costs.set(text, cursor.searchCost(sample.length, frequency, n));
      }
      const hits = (text: string) => counts.get(text) ?? 0;
      checks = groups.needs.map((n) => compileLineCheck(n, cursorOf, slash, (text) => costs.get(text) ?? 0));
      const chosen = alternatives.map((alts) => {
        let best = alts[0]!;
        let bestHits = Infinity;
        for (const alt of alts) {
          let sum = 0;
          for (const needle of alt) sum += hits(needle);
          if (sum < bestHits) {
            best = alt;
            bestHits = sum;
          }
        }
        return best;
      });
      // Search for a piece of each needle that starts with a byte rare in this input (`ko"`
      // rather than `"ko"`: quotes are everywhere in JSON) and holds no `/`, which a writer may
      // escape as `\/`; then lines with `\/` need no buffer-wide search of their own.
      needles = asBuffers(chosen.flat().map((needle) => searchNeedle(needle, frequency)));
      escapes = needles.some((n) => n.includes(0x2f)) ? [unicodeEscape, slashEscape] : [unicodeEscape];
    },
    candidates: (bytes, start, end) => candidateLineStarts(bytes, start, end, prefilter),
    lineDecider,
    lineRules,
    mayMatch: (bytes, start, end) => lineRules(bytes, start, end) !== null,
  };
  return prefilter;
}

/**
 * What calibration reads of the first buffer: the whole lines of its first quarter MiB (all of it
 * for one line longer). That tells which literals are rare about as well as the whole MiB, for a
 * quarter of the time, and calibration is part of every scan's start-up: the one pass over the
 * first MiB took 130 ms of CPU with the Linux rules (its code is not compiled yet).
 */
export const CALIBRATION_BYTES = 1 << 18;

function calibrationSample(whole: Buffer): Buffer {
  if (whole.length <= CALIBRATION_BYTES) return whole;
  const end = whole.lastIndexOf(0x0a, CALIBRATION_BYTES - 1);
  return end === -1 ? whole : whole.subarray(0, end + 1);
}

/**
 * From this many needles on, one Aho-Corasick pass over a buffer is used without calibrating: the
 * per-needle calibration alone scans its sample once per alternative of every rule (2.9 s of CPU
 * for the Linux pack's 64 needles on one 1 MiB sample), and the scan ran 3x faster in one pass.
 */
export const ONE_PASS_MIN_NEEDLES = 64;

/**
 * A group whose fewest-hit set of needles is on more than this share of the sample's lines is
 * offered every line unchecked (`free`) instead of being checked on each line that holds its
 * needles: checking it there costs about what running its rules on the events the rule index
 * gives them does, and it rules out almost nothing. Measured: see BENCHMARKS.md "Prefilter line
 * masks".
 */
export const FREE_SHARE = 0.5;

/**
 * The prefilter for many needles: one pass over each buffer finds every literal of every need (and
 * the escapes), and each line with a hit is decided from those hits, so `candidates` gives exactly
 * the lines `mayMatch` passes, each with its rules (`candidateRules`). Undefined when the literals
 * would make too large a table.
 *
 * A line costs in proportion to the needles found in it, not to the rules: each group of rules is
 * filed under one needle of one of its sets of needles (its *trigger*, every line meeting its need
 * holds one of them), and its need is checked only on lines where a trigger was found. Calibration
 * picks the set with the fewest lines in the sample, and lets groups whose every set is on most
 * lines go unchecked (FREE_SHARE); those are checked only on a line no other group took, to tell
 * whether it is parsed at all, so which lines are parsed never depends on the sample.
 */
function onePassPrefilter(groups: RuleGroups, needles: readonly Buffer[]): Prefilter | undefined {
  const literals = groups.literals;
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
  const idOf = (text: string): number => {
    const id = ids.get(text);
    // Every literal of every need is in `ids` (literalsOf walks the same tree compileNeed does).
    if (id === undefined) throw new Error(`the one-pass prefilter has no id for the literal ${JSON.stringify(text)}`);
    return id;
  };
  /**
   * The ids one of which a line holds when it holds `needle` as a need's check sees it (with `\/`
   * about, the pieces between slashes): its longest slash-free piece, or for a needle of slashes
   * only, itself or the `\/` escape.
   */
  const triggerIds = (needle: string): number[] => {
    if (!needle.includes('/')) return [idOf(needle)];
    const pieces = slashPieces(needle);
    if (pieces.length === 0) return [idOf(needle), slashEscape];
    let longest = pieces[0]!;
    for (const p of pieces) if (p.length > longest.length) longest = p;
    return [idOf(longest)];
  };
  // seen[id] === line: literal `id` occurs in the line being checked (numbered per scan, so
  // nothing needs clearing between lines); lineHits lists those ids once each.
  const seen = new Float64Array(patterns.length).fill(-1);
  const lineHits: number[] = [];
  let line = 0;
  const hidden = needleCodeUnits(literals);
  // What is being scanned, for reading the hex digits after a `\u`.
  let scanning: Buffer = Buffer.alloc(0);
  let scanEnd = 0;
  const hit = (id: number, after: number) => {
    if (seen[id] === line || (id === unicodeEscape && !escapeHides(scanning, after, scanEnd, hidden))) return;
    seen[id] = line;
    lineHits.push(id);
  };
  const contains: Contains = (text) => {
    const id = idOf(text);
    return () => seen[id] === line;
  };
  const checks = groups.needs.map((n) => compileNeed(n, contains));
  // checked[g] === line: group g's need was checked on this line already.
  const checked = new Float64Array(groups.needs.length).fill(-1);
  const none = Buffer.alloc(0);

  /** Trigger ids → groups, the unchecked groups (most lines first), and the rules offered unchecked. */
  interface Plan {
    byTrigger: number[][];
    unchecked: number[];
    free: Uint8Array;
    everyRule: LineRules;
    freeOnly: LineRules;
  }
  const planFor = (triggers: readonly (readonly string[] | undefined)[], unchecked: number[]): Plan => {
    const byTrigger: number[][] = patterns.map(() => []);
    triggers.forEach((needles, g) => {
      if (needles === undefined) return;
      const ids = new Set(needles.flatMap(triggerIds));
      for (const id of ids) byTrigger[id]!.push(g);
    });
    const free = Uint8Array.from(groups.needleless);
    for (const g of unchecked) for (const r of groups.rules[g]!) free[r] = 1;
    return { byTrigger, unchecked, free, everyRule: { listed: undefined, free }, freeOnly: { listed: [], free } };
  };
  let plan = planFor(
    groups.defaults,
    [],
  );

  const decide = (): LineRules | null => {
    let result: LineRules | null = null;
    if (seen[unicodeEscape] === line) {
      result = plan.everyRule;
    } else {
      const slashEscaped = seen[slashEscape] === line;
      let matched: number[] | undefined;
      const { byTrigger } = plan;
      for (let h = 0; h < lineHits.length; h++) {
        const triggered = byTrigger[lineHits[h]!]!;
        for (let k = 0; k < triggered.length; k++) {
          const g = triggered[k]!;
          if (checked[g] === line) continue;
          checked[g] = line;
          if (checks[g]!(none, slashEscaped)) (matched ??= []).push(g);
        }
      }
      if (matched !== undefined) {
        result = { listed: rulesOfGroups(matched, groups.rules), free: plan.free };
      } else {
        for (const g of plan.unchecked) {
          if (checks[g]!(none, slashEscaped)) {
            result = plan.freeOnly;
            break;
          }
        }
      }
    }
    lineHits.length = 0;
    line++;
    return result;
  };
  let candidateRules: LineRules[] = [];
  const lineRules = (bytes: Buffer, start: number, end: number): LineRules | null => {
    let result: LineRules | null = null;
    scanning = bytes;
    scanEnd = end;
    matcher.scan(bytes, start, end, hit, () => {
      result = decide();
    });
    return result;
  };
  return {
    needles,
    escapes: [patterns[unicodeEscape]!, patterns[slashEscape]!],
    hidden,
    exact: true,
    get candidateRules() {
      return candidateRules;
    },
    parseAll: groups.needleless.includes(1),
    get freeOnly() {
      return plan.freeOnly;
    },
    calibrate(whole) {
      const sample = calibrationSample(whole);
      // Lines of the sample holding each literal: one pass, as a scan.
      const lines = new Float64Array(patterns.length);
      const lastLine = new Float64Array(patterns.length).fill(-1);
      let sampleLines = 0;
      let lineNo = 0;
      matcher.scan(
        sample,
        0,
        sample.length,
        (id) => {
          if (lastLine[id] === lineNo) return;
          lastLine[id] = lineNo;
          lines[id]!++;
        },
        () => lineNo++,
      );
      for (let p = sample.indexOf(0x0a); p !== -1; p = sample.indexOf(0x0a, p + 1)) sampleLines++;
      if (sample.length > 0 && sample[sample.length - 1] !== 0x0a) sampleLines++;
      const shares: number[] = [];
      const linesOf = (needle: string) => triggerIds(needle).reduce((sum, id) => sum + lines[id]!, 0);
      const triggers = groups.needs.map((need, g) => {
        // Every group's need has a needle (groupRules), so it has a trigger.
        const best = cheapestTrigger(need, linesOf) ?? { needles: groups.defaults[g]!, lines: sampleLines };
        const share = sampleLines === 0 ? 0 : best.lines / sampleLines;
        shares[g] = share;
        return share > FREE_SHARE ? undefined : best.needles;
      });
      const unchecked = triggers.flatMap((t, g) => (t === undefined ? [g] : [])).sort((a, b) => shares[b]! - shares[a]!);
      plan = planFor(triggers, unchecked);
    },
    candidates(bytes, start, end) {
      const starts: number[] = [];
      const rules: LineRules[] = [];
      scanning = bytes;
      scanEnd = end;
      matcher.scan(bytes, start, end, hit, (lineStart) => {
        const r = decide();
        if (r !== null) {
          starts.push(lineStart);
          rules.push(r);
        }
      });
      candidateRules = rules;
      return starts;
    },
    lineRules,
    mayMatch: (bytes, start, end) => lineRules(bytes, start, end) !== null,
  };
}

/**
 * Of the sets of needles one of which every line meeting `need` holds, the one on the fewest lines
 * of a sample (`linesOf` a needle; a set counts the sum): for an AND, its cheapest part's; for an
 * OR, the union of each part's cheapest, which may mix rare needles of one branch with those of
 * another where needleAlternatives takes each branch's static best. Undefined when the need
 * promises no needle.
 */
export function cheapestTrigger(need: Need, linesOf: (needle: string) => number): { needles: string[]; lines: number } | undefined {
  switch (need.kind) {
    case 'any':
      return undefined;
    case 'lit':
      return { needles: [need.text], lines: linesOf(need.text) };
    case 'and': {
      let best: { needles: string[]; lines: number } | undefined;
      for (const n of need.of) {
        const t = cheapestTrigger(n, linesOf);
        if (t !== undefined && (best === undefined || t.lines < best.lines)) best = t;
      }
      return best;
    }
    case 'or': {
      const needles: string[] = [];
      let lines = 0;
      for (const n of need.of) {
        const t = cheapestTrigger(n, linesOf);
        if (t === undefined) return undefined;
        for (const needle of t.needles) needles.push(needle);
        lines += t.lines;
      }
      return { needles, lines };
    }
  }
}

/**
 * `prefilter` as it is tuned now, not to be calibrated again (a worker reads a file's ranges one
 * after the other and tunes on the first, parallel/worker.ts). Its state is read through, not
 * copied: `candidateRules` changes with every `candidates` call.
 */
export function tunedPrefilter(prefilter: LinePrefilter): LinePrefilter {
  return {
    candidates: (bytes, start, end) => prefilter.candidates(bytes, start, end),
    get exact() {
      return prefilter.exact;
    },
    get candidateRules() {
      return prefilter.candidateRules;
    },
    get lineDecider() {
      return prefilter.lineDecider;
    },
    lineRules: (bytes, start, end) => prefilter.lineRules(bytes, start, end),
    parseAll: prefilter.parseAll,
    get freeOnly() {
      return prefilter.freeOnly;
    },
  };
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
