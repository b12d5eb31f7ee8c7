// The rule index (engine/dispatch.ts) may only ever save work: an event a rule's compiled query
// accepts must be offered to that rule, whatever the event's shape. Every runner drops the events
// its rule's `matches` rejects before doing anything (engine/runners/), so this is exactly what keeps
// alerts byte-identical with and without the index. Checked with the whole vendored Elastic pack on
// events built from the pack's own required values (so that many rules match), written as strings,
// arrays, dotted keys, case variants and numbers, and on the generated events the prefilter test uses.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/commands/io.js';
import { prepareRules } from '../../src/commands/scan.js';
import type { CompiledRule } from '../../src/engine/compileRule.js';
import { compileDispatch } from '../../src/engine/dispatch.js';
import { parseJson } from '../../src/event/json.js';
import type { EcsEvent } from '../../src/event/types.js';
import { prng, randomEcs } from '../support/randomEcs.js';
import { ROOT, TEST_CACHE_DIR } from '../e2e/run.js';

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
function packEvents(seed: number, count: number): EcsEvent[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const pairs: Array<[string, string]> = [];
  for (const r of rules) for (const [field, values] of r.requirements) for (const v of values) pairs.push([field, v]);
  const variant = (value: string): Json => {
    const roll = rnd();
    if (roll < 0.6) return value;
    if (roll < 0.75) return [pick(pairs)[1], value];
    if (roll < 0.85) return value.toUpperCase();
    if (roll < 0.9) return [value, null];
    if (roll < 0.95) return 1;
    return true;
  };
  const events: EcsEvent[] = [];
  for (let i = 0; i < count; i++) {
    const event: Record<string, Json> = { '@timestamp': new Date(Date.UTC(2024, 4, 1) + i * 1000).toISOString() };
    const target = pick(rules);
    for (const [field, values] of target.requirements) {
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
    // Round-tripped through the one event reader, as a scan reads lines.
    events.push(parseJson(JSON.stringify(event)) as EcsEvent);
  }
  return events;
}

/** Every (event, rule) whose query accepts the event but which the dispatch does not offer it. */
function missed(events: readonly EcsEvent[]): { missed: string[]; matched: number; offered: number; rulesMatched: number } {
  // Rules that read the alerts index see alert documents, in the second stage of a scan (engine/chain.ts).
  const events_ = compileDispatch(rules);
  const alerts = compileDispatch(rules, 'alerts');
  const out: string[] = [];
  const hitRules = new Set<number>();
  let matched = 0;
  let offered = 0;
  for (const event of events) {
    const picked = new Set([...events_(event), ...alerts(event)]);
    offered += picked.size;
    rules.forEach((r, i) => {
      if (!r.matches(event)) return;
      matched++;
      hitRules.add(i);
      if (!picked.has(i)) out.push(`${r.rule.id} ${r.rule.name}: ${JSON.stringify(event)}`);
    });
  }
  return { missed: out, matched, offered, rulesMatched: hitRules.size };
}

describe('the rule index against offering every rule every event (whole Elastic pack)', () => {
  it('offers each rule every event its query accepts, on events built from the pack’s required values', () => {
    expect(rules.length).toBeGreaterThan(1500);
    const result = missed(packEvents(11, 3000));
    expect(result.missed.slice(0, 5)).toEqual([]);
    // The events must reach many rules, or the comparison proves nothing; and the index must save work.
    expect(result.rulesMatched).toBeGreaterThan(100);
    expect(result.offered / 3000).toBeLessThan(rules.length / 2);
  });

  it('offers each rule every event its query accepts, on generated events with escapes, arrays and case variants', () => {
    const gen = randomEcs(20240501);
    const events: EcsEvent[] = [];
    for (let i = 0; i < 1000; i++) events.push(parseJson(gen.line()) as EcsEvent);
    const result = missed(events);
    expect(result.missed.slice(0, 5)).toEqual([]);
    expect(result.matched).toBeGreaterThan(50);
  });
});
