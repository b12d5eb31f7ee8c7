// The rule cache (src/rules/cache.ts) may only ever save time: the whole vendored Elastic pack
// served from a warm cache must give the rules, parsed queries and alerts of a fresh load.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRulePack } from '../../src/rules/pack.js';
import { parseRuleQuery } from '../../src/rules/parsedQuery.js';
import { ruleSetFingerprint } from '../../src/rules/shared.js';
import { packEvents } from '../support/packEvents.js';
import { extractPackRules, jsonLines, ROOT, runInProcess } from '../e2e/run.js';

const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-rulecache-'));
const cacheDir = join(tmp, 'cache');
const paths = [join(tmp, 'rules'), join(tmp, 'rules_building_block')];
const events = join(tmp, 'events.ndjson');

beforeAll(() => {
  extractPackRules(tmp);
  writeFileSync(events, packEvents(join(ROOT, 'test/fixtures/detection-rules-queries.ndjson')).join('\n') + '\n');
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the whole Elastic pack through the rule cache', () => {
  it('gives the alerts of a fresh load from a cold cache and a warm one', async () => {
    const args = ['--no-bundled', ...paths.flatMap((p) => ['--rules', p]), '--format', 'json', '--quiet', events];
    // Cold: every file parsed, the cache written; warm: every rule and query read from it.
    const cold = await runInProcess([...args, '--cache-dir', cacheDir]);
    const warm = await runInProcess([...args, '--cache-dir', cacheDir]);
    expect(new Set(jsonLines(cold.stdout).map((a) => a.rule.id)).size).toBeGreaterThanOrEqual(100);
    expect(warm.stdout).toBe(cold.stdout);
    expect(warm.stderr).toBe(cold.stderr);
    expect(warm.code).toBe(cold.code);
  }, 60_000);

  it('gives every rule, unsupported rule and parsed query of a fresh load', () => {
    const fresh = loadRulePack({ bundled: false, paths });
    const cached = loadRulePack({ bundled: false, paths, cacheDir });
    expect(cached.rules.length).toBeGreaterThan(1800);
    expect(ruleSetFingerprint(cached.rules)).toBe(ruleSetFingerprint(fresh.rules));
    expect(cached.unsupported).toEqual(fresh.unsupported);
    expect(cached.errors.map((e) => e.format())).toEqual(fresh.errors.map((e) => e.format()));
    // The scan above compiled every query, so the cache holds them all: the same AST as parsing it
    // now (every 8th rule; the alerts above cover the rest).
    cached.rules.forEach((rule, i) => {
      if (i % 8 === 0) expect(cached.queries.parse(rule)).toEqual(parseRuleQuery(rule));
    });
    expect(cached.queries.save()).toBeUndefined();
  }, 60_000);
});
