import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRule, type CompiledRule } from '../engine/compileRule.js';
import type { EcsEvent } from '../event/types.js';
import { FieldTypeTable } from '../fieldTypes/index.js';
import { isUnsupported, loadRuleFile, parseRuleText } from '../rules/load.js';
import { randomEcs } from '../../test/support/randomEcs.js';
import { leavesOf, type ClauseNode } from './clause.js';
import { compileRuleExplainer } from './rule.js';

const fieldTypes = FieldTypeTable.builtin();
const NOW = Date.UTC(2024, 4, 1);

function ruleOf(id: string, language: 'kuery' | 'eql', query: string, extra = ''): CompiledRule {
  const type = language === 'eql' ? 'eql' : 'query';
  const text = `[rule]\nauthor = ["t"]\ndescription = "t"\nlanguage = "${language}"\nname = "${id}"\nrisk_score = 1\nrule_id = "${id}"\nseverity = "low"\ntype = "${type}"\nquery = '''\n${query}\n'''\n${extra}`;
  const loaded = parseRuleText(text, `${id}.toml`);
  if (isUnsupported(loaded)) throw new Error(`unsupported: ${id}`);
  return compileRule(loaded, { fieldTypes });
}

const bundled: CompiledRule[] = readdirSync('rules')
  .filter((f) => f.endsWith('.toml'))
  .map((f) => {
    const loaded = loadRuleFile(`rules/${f}`);
    if (isUnsupported(loaded)) throw new Error(f);
    return compileRule(loaded, { fieldTypes });
  });

/** Every 12th KQL or EQL query of the vendored pack's query corpus (not the whole pack: it is slow to load). */
function packSample(): CompiledRule[] {
  const out: CompiledRule[] = [];
  const lines = readFileSync('test/fixtures/detection-rules-queries.ndjson', 'utf8').split('\n');
  lines.forEach((text, i) => {
    if (text.trim() === '' || i % 12 !== 0) return;
    const r = JSON.parse(text) as { rule_id: string; language: string | null; query: string | null; type: string };
    if ((r.language !== 'kuery' && r.language !== 'eql') || r.query === null || r.query.includes("'''") || r.type === 'threat_match') return;
    try {
      out.push(ruleOf(r.rule_id, r.language, r.query.trim()));
    } catch {
      // A query the pack keeps but Elasticsearch would refuse (README "Rule packs"): not ours to explain.
    }
  });
  return out;
}

const sample = packSample();

/** Each field a rule's clauses name, with the strings those clauses compare it with (from a first explanation). */
function vocabulary(rule: CompiledRule): Map<string, string[]> {
  const explainer = compileRuleExplainer(rule, { fieldTypes, now: NOW });
  const byField = new Map<string, string[]>();
  for (const leaf of leavesOf(explainer.explain({}))) {
    if (leaf.field === undefined) continue;
    byField.set(leaf.field, [...(byField.get(leaf.field) ?? []), ...(leaf.literals ?? [])]);
  }
  return byField;
}

/**
 * Events whose fields mostly hold what the clauses ask for (so that many match), and otherwise case
 * variants, near misses, arrays, numbers, nulls or nothing.
 */
function eventsFor(rule: CompiledRule): fc.Arbitrary<EcsEvent> {
  const entries = [...vocabulary(rule)].map(([field, strings]) => {
    const own = strings.length === 0 ? fc.string({ maxLength: 6 }) : fc.constantFrom(...strings);
    const value = fc.oneof(
      { arbitrary: own, weight: 8 },
      { arbitrary: own.map((s) => s.toUpperCase()), weight: 1 },
      { arbitrary: own.map((s) => `${s}x`), weight: 1 },
      { arbitrary: fc.array(own, { minLength: 1, maxLength: 3 }), weight: 1 },
      { arbitrary: fc.oneof(fc.integer({ min: -2, max: 70000 }), fc.constant(null), fc.boolean(), fc.string({ maxLength: 4 })), weight: 1 },
    );
    return fc.option(value, { nil: undefined, freq: 8 }).map((v) => [field, v] as const);
  });
  return fc.tuple(...entries).map((pairs) => {
    const event: Record<string, unknown> = { '@timestamp': '2024-05-01T10:00:00Z' };
    for (const [f, v] of pairs) if (v !== undefined) event[f] = v;
    return event;
  });
}

function agrees(rule: CompiledRule, event: EcsEvent, explained: ClauseNode): void {
  expect({ rule: rule.rule.name, event, result: explained.result }).toEqual({ rule: rule.rule.name, event, result: rule.matches(event) });
}

describe('an explanation decides as the scan does', () => {
  it('for the bundled rules, on the generated ECS events the fast-path tests use', () => {
    const gen = randomEcs(7);
    const explainers = bundled.map((r) => compileRuleExplainer(r, { fieldTypes, now: NOW }));
    let matched = 0;
    for (let i = 0; i < 1500; i++) {
      const event = JSON.parse(gen.line()) as EcsEvent;
      bundled.forEach((r, k) => {
        const explained = explainers[k]!.explain(event);
        agrees(r, event, explained);
        if (explained.result) matched++;
      });
    }
    // The generator aims at these rules: both outcomes are exercised.
    expect(matched).toBeGreaterThanOrEqual(20);
  });

  it(`for a sample of the vendored pack's queries (${sample.length}), on events built from their clauses`, () => {
    expect(sample.length).toBeGreaterThan(100);
    let matched = 0;
    for (const rule of sample) {
      const explainer = compileRuleExplainer(rule, { fieldTypes, now: NOW });
      fc.assert(
        fc.property(eventsFor(rule), (event) => {
          const explained = explainer.explain(event);
          if (explained.result) matched++;
          return explained.result === rule.matches(event);
        }),
        { numRuns: 25, seed: 12 },
      );
    }
    expect(matched).toBeGreaterThan(200);
  });

  it('with rule filters, each filter a clause of its own', () => {
    const rule = ruleOf(
      'f',
      'kuery',
      'process.name:(bash or sh)',
      `[[rule.filters]]\n[rule.filters.meta]\nnegate = true\n[rule.filters.query.match_phrase]\n"user.name" = "root"\n`,
    );
    const explainer = compileRuleExplainer(rule, { fieldTypes, now: NOW });
    for (const event of [{ process: { name: 'bash' }, user: { name: 'root' } }, { process: { name: 'bash' }, user: { name: 'alice' } }, { process: { name: 'zsh' } }]) {
      const explained = explainer.explain(event);
      agrees(rule, event, explained);
      expect(explained.children?.map((c) => c.role ?? 'query')).toEqual(['query', 'filter']);
    }
  });
});

describe('a clause names the field it read and the value found', () => {
  it('KQL: a value that differs in case, and a missing field', () => {
    const rule = ruleOf('k', 'kuery', 'event.category:process and process.name:"insmod" and not user.name:root');
    const explained = compileRuleExplainer(rule, { fieldTypes, now: NOW }).explain({ event: { category: 'process' }, process: { name: 'Insmod' } });
    expect(explained.result).toBe(false);
    expect(explained.children?.map(({ clause, field, value, result }) => ({ clause, field, value, result }))).toEqual([
      { clause: 'event.category:process', field: 'event.category', value: '"process"', result: true },
      { clause: 'process.name:"insmod"', field: 'process.name', value: '"Insmod"', result: false },
      { clause: 'not user.name:root', field: undefined, value: undefined, result: true },
    ]);
    expect(explained.children?.[2]?.children?.[0]).toMatchObject({ field: 'user.name', value: null, result: false });
  });

  it('EQL: the category clause and the source text of each clause', () => {
    const rule = ruleOf('e', 'eql', 'process where process.name : ("insmod", "kmod") and process.args != null');
    const explained = compileRuleExplainer(rule, { fieldTypes, now: NOW }).explain({ event: { category: ['network'] }, process: { name: 'kmod', args: ['x'] } });
    expect(explained.result).toBe(false);
    const [category, condition] = explained.children ?? [];
    expect(category).toMatchObject({ clause: 'event.category == "process"', role: 'category', value: '"network"', result: false });
    expect(condition?.children?.map((c) => [c.clause, c.value, c.result])).toEqual([
      ['process.name : ("insmod", "kmod")', '"kmod"', true],
      ['process.args != null', '"x"', true],
    ]);
  });

  it('escapes a hostile field name, from the query or a rule filter', () => {
    const rule = ruleOf(
      'hf',
      'kuery',
      '"a\\u001b[2Jb":x',
      `[[rule.filters]]\n[rule.filters.query.exists]\nfield = "c\\u001b]0;t\\u0007d"\n`,
    );
    const explained = compileRuleExplainer(rule, { fieldTypes, now: NOW }).explain({});
    for (const leaf of leavesOf(explained)) expect(`${leaf.clause} ${leaf.field}`).not.toMatch(/[\u0000-\u001f]/);
    expect(leavesOf(explained).map((l) => l.field)).toEqual(['a\\x1b[2Jb', 'c\\x1b]0;t\\x07d']);
  });

  it('escapes a hostile value and cuts a long one', () => {
    const rule = ruleOf('h', 'kuery', 'process.name:x');
    const explained = compileRuleExplainer(rule, { fieldTypes, now: NOW }).explain({ process: { name: `\u001b]0;pwned\u0007${'a'.repeat(500)}` } });
    expect(explained.value).not.toMatch(/[\u0000-\u001f]/);
    expect(explained.value?.length).toBeLessThan(140);
  });
});
