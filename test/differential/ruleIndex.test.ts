// The rule index (engine/dispatch.ts) may only ever save work: an event a rule's compiled query
// accepts must be offered to that rule, whatever the event's shape, also when the index's choice is
// narrowed to the rules whose needles the event's line holds (prefilter/lineRules.ts). Every runner drops the events
// its rule's `matches` rejects before doing anything (engine/runners/), so this is exactly what keeps
// alerts byte-identical with and without the index. Checked with the whole vendored Elastic pack on
// events built from the pack's own required values (so that many rules match), written as strings,
// arrays, dotted keys, case variants (for the case-folded requirements of `:`, `like~` and `in~`)
// and numbers, and on the generated events the prefilter test uses.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/commands/io.js';
import { prepareRules } from '../../src/commands/scan.js';
import type { CompiledRule } from '../../src/engine/compileRule.js';
import { compileDispatch, lineNeeds } from '../../src/engine/dispatch.js';
import { namesAlertsOnly } from '../../src/engine/indexPattern.js';
import { compilePrefilter, tunedPrefilter } from '../../src/prefilter/compile.js';
import { parseJson } from '../../src/event/json.js';
import { requiredField } from '../../src/event/requirements.js';
import type { EcsEvent } from '../../src/event/types.js';
import { prng, randomEcs } from '../support/randomEcs.js';
import { ROOT, TEST_CACHE_DIR } from '../e2e/run.js';
import { addStats, emptyStats, readEvents, type EventHandler, type SourceStats } from '../../src/input/events.js';
import { splitAtLines } from '../../src/parallel/ranges.js';

const PACK = join(ROOT, 'test/fixtures/detection-rules/detection-rules-toml.tar.gz');
const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-ruleindex-'));
let rules: CompiledRule[] = [];

function quietIO(): CliIO {
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
  return { stdout: sink(), stderr: sink(), stdin: new PassThrough(), env: {} };
}

beforeAll(() => {
  execFileSync('tar', ['xzf', PACK, '-C', tmp]);
  // The suite's rule cache: warm after the first load of the pack, here or in another test.
  const selection = { rulePaths: [join(tmp, 'rules'), join(tmp, 'rules_building_block')], bundled: false, only: [], tags: [], cacheDir: TEST_CACHE_DIR };
  rules = prepareRules(selection, quietIO()) ?? [];
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Sets `path` in `event`, nested or as one dotted key (both are the same field, SPEC §C). */
function put(event: Record<string, Json>, path: string, value: Json, dotted: boolean): void {
  if (dotted) {
    event[path] = value;
    return;
  }
  const parts = path.split('.');
  let node = event;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, Json>;
  }
  node[parts[parts.length - 1]!] = value;
}

/**
 * Events aimed at the pack: a rule's required values (each field one of its values, sometimes as
 * an array beside another value, in another case, or under a dotted key; sometimes missing or
 * another value), plus required values of other rules, and now and then a number or a boolean.
 */
function packEvents(seed: number, count: number): string[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const pairs: Array<[string, string]> = [];
  // A case-folded requirement (event/requirements.ts) is on its field, with values in lower case.
  for (const r of rules) for (const [key, values] of r.requirements) for (const v of values) pairs.push([requiredField(key).field, v]);
  const variant = (value: string): Json => {
    const roll = rnd();
    if (roll < 0.6) return value;
    if (roll < 0.75) return [pick(pairs)[1], value];
    if (roll < 0.8) return value.toUpperCase();
    if (roll < 0.85) return value.replace(/^[a-z]/, (c) => c.toUpperCase());
    if (roll < 0.9) return [value, null];
    if (roll < 0.95) return 1;
    return true;
  };
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const event: Record<string, Json> = { '@timestamp': new Date(Date.UTC(2024, 4, 1) + i * 1000).toISOString() };
    const target = pick(rules);
    for (const [key, values] of target.requirements) {
      const { field } = requiredField(key);
      // Sometimes a requirement is left unmet (the field missing, or another rule's value): were
      // it wrongly derived (from a negation, a case-insensitive operator), the rule would still match.
      const roll = rnd();
      if (roll < 0.1) continue;
      put(event, field, variant(roll < 0.2 ? pick(pairs)[1] : pick(values)), rnd() < 0.2);
    }
    const extra = Math.floor(rnd() * 4);
    for (let k = 0; k < extra; k++) {
      const [field, value] = pick(pairs);
      put(event, field, variant(value), rnd() < 0.2);
    }
    lines.push(JSON.stringify(event));
  }
  return lines;
}

/**
 * Every (line, rule) whose query accepts the line's event but which the dispatch does not offer
 * it: by the index alone, and by the index and the rules the prefilter finds the line may match
 * (prefilter/lineRules.ts), tuned on the lines as a scan tunes on its first buffer.
 */
function missed(lines: readonly string[]): { missed: string[]; matched: number; offered: number; narrowed: number; rulesMatched: number } {
  // Rules that read the alerts index see alert documents, in the second stage of a scan (engine/chain.ts).
  const events_ = compileDispatch(rules);
  const alerts = compileDispatch(rules, 'alerts');
  const prefilter = compilePrefilter(lineNeeds(rules))!;
  const bytes = Buffer.from(lines.join('\n') + '\n');
  prefilter.calibrate(bytes);
  const out: string[] = [];
  const hitRules = new Set<number>();
  let matched = 0;
  let offered = 0;
  let narrowed = 0;
  let at = 0;
  for (const line of lines) {
    // Parsed by the one event reader, as a scan reads lines.
    const event = parseJson(line) as EcsEvent;
    const end = at + Buffer.byteLength(line);
    const lineRules = prefilter.lineRules(bytes, at, end) ?? (prefilter.parseAll ? prefilter.freeOnly : undefined);
    at = end + 1;
    const picked = new Set([...events_(event), ...alerts(event)]);
    const narrow = new Set(lineRules === undefined ? [] : [...events_(event, lineRules), ...alerts(event)]);
    offered += picked.size;
    narrowed += narrow.size;
    rules.forEach((r, i) => {
      if (!r.matches(event)) return;
      matched++;
      hitRules.add(i);
      if (!picked.has(i)) out.push(`index: ${r.rule.id} ${r.rule.name}: ${line}`);
      if (!narrow.has(i) && !namesAlertsOnly(r.rule.index)) out.push(`index and prefilter: ${r.rule.id} ${r.rule.name}: ${line}`);
    });
  }
  return { missed: out, matched, offered, narrowed, rulesMatched: hitRules.size };
}

/** The lines again with every `/` written `\/`, and with a letter written as a `\u` escape. */
function escaped(lines: readonly string[]): string[] {
  return [...lines.map((l) => l.replaceAll('/', '\\/')), ...lines.map((l) => l.replace(/"([a-z])/, (_, c: string) => `"\\u00${c.charCodeAt(0).toString(16)}`))];
}

describe('the rule index against offering every rule every event (whole Elastic pack)', () => {
  it('offers each rule every event its query accepts, on events built from the pack’s required values', () => {
    expect(rules.length).toBeGreaterThan(1500);
    // 3,000 lines: 2,500 events and 500 of them escaped.
    const lines = packEvents(11, 2500);
    const result = missed([...lines, ...escaped(lines.slice(0, 250))]);
    expect(result.missed.slice(0, 5)).toEqual([]);
    // The events must reach many rules, or the comparison proves nothing; and the index must save work.
    expect(result.rulesMatched).toBeGreaterThan(100);
    expect(result.offered / 3000).toBeLessThan(rules.length / 2);
    // So must the prefilter's rules of a line, even though some rules of the pack have no needle.
    expect(result.narrowed).toBeLessThan(result.offered * 0.8);
  });

  it('offers each rule every event its query accepts, on generated events with escapes, arrays and case variants', () => {
    const gen = randomEcs(20240501);
    const lines = Array.from({ length: 1000 }, () => gen.line());
    const result = missed(lines);
    expect(result.missed.slice(0, 5)).toEqual([]);
    expect(result.matched).toBeGreaterThan(50);
  });
});

/**
 * Reads `file` as a scan does (with the prefilter tuned on its first buffer), or in byte ranges
 * as workers do (parallel/worker.ts: tuned on the first range, each range read on its own), or
 * without the prefilter; gives each parsed event to the rules the index and the line's rules
 * offer, and records which of them match, with the counts.
 */
async function scanLines(file: string, how: 'whole' | 'ranges' | 'no prefilter'): Promise<{ matches: string[]; stats: SourceStats[] }> {
  const dispatch = compileDispatch(rules);
  const prefilter = how === 'no prefilter' ? undefined : compilePrefilter(lineNeeds(rules))!;
  const matches: string[] = [];
  const handler: EventHandler = {
    event(event, loc, _text, lineRules) {
      for (const i of dispatch(event, lineRules)) if (rules[i]!.matches(event)) matches.push(`${loc.line} ${i}`);
    },
    malformed: (loc) => void matches.push(`${loc.line} malformed`),
  };
  const source = { kind: 'file' as const, path: file, name: file };
  const chunkBytes = 64 << 10;
  if (how !== 'ranges') return { matches, stats: [await readEvents(source, handler, { prefilter, chunkBytes })] };
  const stats: SourceStats[] = [];
  const ranges = await splitAtLines(file, statSync(file).size, 100_000);
  let offset = 0;
  for (const [k, range] of ranges.entries()) {
    const local: string[] = [];
    const byRange: EventHandler = {
      event: (e, loc, _t, r) => dispatch(e, r).forEach((i) => rules[i]!.matches(e) && local.push(`${loc.line + offset} ${i}`)),
      malformed: (loc) => void local.push(`${loc.line + offset} malformed`),
    };
    const read = await readEvents(source, byRange, { prefilter: k === 0 ? prefilter : tunedPrefilter(prefilter!), range, chunkBytes });
    matches.push(...local);
    stats.push(read);
    offset += read.lines;
  }
  return { matches, stats };
}

describe('the prefilter with the whole Elastic pack, read whole and in ranges as workers do', () => {
  it('gives every rule the events it matches, with the counts of one read, tuned on any part of the input', async () => {
    // Generated events first (the sample the first buffer tunes on), then events aimed at the pack.
    const gen = randomEcs(7);
    const aimed = packEvents(5, 1000);
    const lines = [...Array.from({ length: 1000 }, () => gen.line()), ...aimed, ...escaped(aimed.slice(0, 100)), '{"half": ', '[1]'];
    const file = join(tmp, 'events.ndjson');
    writeFileSync(file, lines.join('\n') + '\n');
    const whole = await scanLines(file, 'whole');
    const ranges = await scanLines(file, 'ranges');
    const full = await scanLines(file, 'no prefilter');
    expect(new Set(full.matches.map((m) => m.split(' ')[1])).size).toBeGreaterThan(50);
    expect(whole.matches).toEqual(full.matches);
    expect(ranges.matches).toEqual(full.matches);
    const total = (all: SourceStats[]) => {
      const sum = emptyStats();
      for (const s of all) addStats(sum, s);
      return sum;
    };
    expect(total(ranges.stats)).toEqual({ ...total(whole.stats) });
  }, 60_000);
});
