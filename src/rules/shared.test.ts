import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRulePack } from './pack.js';
import { loadSharedRuleSet, ruleSetFingerprint, RuleSetMismatch, shareRuleSet } from './shared.js';

const tmp = mkdtempSync(join(tmpdir(), 'lkm-shared-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const BUNDLED = { bundled: true, paths: [] };

describe('ruleSetFingerprint', () => {
  it('is the same for the same rules loaded twice, and differs with their order, their set or any field', () => {
    const a = loadRulePack(BUNDLED).rules;
    const b = loadRulePack(BUNDLED).rules;
    expect(a).toHaveLength(2);
    const [first, second] = [a[0]!, a[1]!];
    expect(ruleSetFingerprint(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(ruleSetFingerprint(b)).toBe(ruleSetFingerprint(a));
    const variants = [
      [second, first],
      [first],
      [],
      [{ ...first, query: `${first.query} ` }, second],
      [{ ...first, severity: 'critical' as const }, second],
      [{ ...first, source: { ...first.source, file: 'elsewhere.toml' } }, second],
    ];
    const prints = new Set([ruleSetFingerprint(a), ...variants.map((v) => ruleSetFingerprint(v))]);
    expect(prints.size).toBe(variants.length + 1);
  });
});

describe('the mappings in the fingerprint', () => {
  it('changes with the --mapping text the rules are compiled with, and workers get that text', () => {
    const rules = loadRulePack(BUNDLED).rules;
    const text = { file: 'm.json', text: '{"mappings":{"properties":{"a":{"type":"text"}}}}' };
    const prints = new Set([
      ruleSetFingerprint(rules),
      ruleSetFingerprint(rules, [text]),
      ruleSetFingerprint(rules, [{ ...text, text: text.text.replace('text', 'keyword') }]),
      ruleSetFingerprint(rules, [text, text]),
    ]);
    expect(prints.size).toBe(4);
    const shared = shareRuleSet(BUNDLED, rules, [text]);
    expect(shared.mappings).toEqual([text]);
    expect(loadSharedRuleSet(shared)).toEqual(rules);
    expect(() => loadSharedRuleSet({ ...shared, mappings: [] })).toThrow(RuleSetMismatch);
  });
});

describe('loadSharedRuleSet', () => {
  it('loads the rules the main thread runs, in its order, whatever the selection left out', () => {
    const all = loadRulePack(BUNDLED).rules;
    const chosen = [all[1]!];
    const shared = shareRuleSet(BUNDLED, chosen);
    expect(shared.ids).toEqual([all[1]!.id]);
    expect(loadSharedRuleSet(shared)).toEqual(chosen);
    const reversed = [all[1]!, all[0]!];
    expect(loadSharedRuleSet(shareRuleSet(BUNDLED, reversed))).toEqual(reversed);
  });

  it('throws RuleSetMismatch when a rule file changed after the main thread loaded it', () => {
    const file = join(tmp, 'kmod.toml');
    copyFileSync(new URL('../../rules/persistence_creation_of_kernel_module.toml', import.meta.url), file);
    const pack = { bundled: false, paths: [file] };
    const shared = shareRuleSet(pack, loadRulePack(pack).rules);
    expect(loadSharedRuleSet(shared)).toHaveLength(1);
    writeFileSync(file, readFileSync(file, 'utf8').replace('file.extension == "ko"', 'file.extension == "kx"'));
    expect(() => loadSharedRuleSet(shared)).toThrow(RuleSetMismatch);
    expect(() => loadSharedRuleSet(shared)).toThrow(/other rules than the main thread: the same 1 rules differ in content .* Scan again, or with --workers 1\./);
  });

  it('throws RuleSetMismatch naming the rules a worker cannot find', () => {
    const shared = shareRuleSet(BUNDLED, loadRulePack(BUNDLED).rules);
    const onlyKmod = join(tmp, 'only-kmod.toml');
    copyFileSync(new URL('../../rules/persistence_creation_of_kernel_module.toml', import.meta.url), onlyKmod);
    const gone = { ...shared, pack: { bundled: false, paths: [onlyKmod] } };
    expect(() => loadSharedRuleSet(gone)).toThrow(/1 of its 2 rules are missing \(80084fa9-8677-4453-8680-b891d3c0c778\)/);
  });
});
