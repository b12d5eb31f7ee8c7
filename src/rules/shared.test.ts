import { describe, expect, it } from 'vitest';
import { loadRulePack } from './pack.js';
import { encodeQuery, parseRuleQuery } from './parsedQuery.js';
import { compileRule, factsOf } from '../engine/compileRule.js';
import type { Rule } from './types.js';
import { loadSharedRuleSet, ruleSetFingerprint, RuleSetMismatch, shareRuleSet } from './shared.js';

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
    const shared = shareRuleSet(rules, [text]);
    expect(shared.mappings).toEqual([text]);
    expect(loadSharedRuleSet(shared).rules).toEqual(rules);
    expect(() => loadSharedRuleSet({ ...shared, mappings: [] })).toThrow(RuleSetMismatch);
  });
});

describe('loadSharedRuleSet', () => {
  it('gives a worker the rules the main thread runs, in its order, with their parsed queries, from one shared copy', () => {
    const all = loadRulePack(BUNDLED).rules;
    const reversed = [all[1]!, all[0]!];
    const shared = shareRuleSet(reversed);
    expect(shared.ids).toEqual(reversed.map((r) => r.id));
    // Shared memory: workers read the one copy, however many there are.
    expect(shared.payload.buffer).toBeInstanceOf(SharedArrayBuffer);
    const { rules, query, facts } = loadSharedRuleSet(shared);
    expect(rules).toEqual(reversed);
    expect(rules.map((_, i) => query(i))).toEqual(reversed.map(parseRuleQuery));
    expect(facts).toEqual([undefined, undefined]);
  });

  it('sends the queries the main thread has as bytes (a cached AST is neither parsed nor read again), and its facts', () => {
    const rules = loadRulePack(BUNDLED).rules;
    const asked: string[] = [];
    const compiled = rules.map((r) => compileRule(r));
    const shared = shareRuleSet(rules, [], {
      encoded: (rule) => {
        asked.push(rule.id);
        return encodeQuery(parseRuleQuery(rule));
      },
      facts: compiled.map(factsOf),
    });
    expect(asked).toEqual(rules.map((r) => r.id));
    const loaded = loadSharedRuleSet(shared);
    expect(rules.map((_, i) => loaded.query(i))).toEqual(rules.map(parseRuleQuery));
    expect(loaded.facts).toEqual(compiled.map(factsOf));
    expect(loaded.facts.every((f) => f !== undefined)).toBe(true);
  });

  it('parses a query again whose bytes do not decode to a query of its language', () => {
    const rules = loadRulePack(BUNDLED).rules;
    const eql = parseRuleQuery(rules.find((r) => r.language === 'eql') ?? rules[0]!);
    const other = (rule: Rule) => encodeQuery(rule.language === 'eql' ? { language: 'kuery', ast: { type: 'matchAll' } } : eql);
    const shared = shareRuleSet(rules, [], { encoded: other });
    const loaded = loadSharedRuleSet(shared);
    expect(rules.map((_, i) => loaded.query(i))).toEqual(rules.map(parseRuleQuery));
  });

  it('throws RuleSetMismatch when what a worker got is not what the main thread described', () => {
    const rules = loadRulePack(BUNDLED).rules;
    const shared = shareRuleSet(rules);
    const other = shareRuleSet([{ ...rules[0]!, query: `${rules[0]!.query} ` }, rules[1]!]);
    expect(() => loadSharedRuleSet({ ...shared, payload: other.payload })).toThrow(
      /loaded other rules than the main thread: the same 2 rules differ in content .* meanwhile scan with --workers 1\./,
    );
    expect(() => loadSharedRuleSet({ ...shared, payload: shareRuleSet([rules[1]!]).payload })).toThrow(/1 of its 2 rules are missing \(80084fa9-8677-4453-8680-b891d3c0c778\)/);
  });
});
