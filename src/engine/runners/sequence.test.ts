import { describe, expect, it } from 'vitest';
import { isUnsupported, parseRuleText } from '../../rules/load.js';
import type { EqlRule } from '../../rules/types.js';
import type { EcsEvent } from '../../event/types.js';
import type { Alert } from '../alert.js';
import { compileRule } from '../compileRule.js';
import { createScanner } from '../scanner.js';
import type { CompiledRule } from '../compileRule.js';
import { SpillFile } from '../../state/spillFile.js';
import { prng } from '../../../test/support/randomEcs.js';
import { testRule } from '../../../test/support/testRules.js';

function eqlRule(query: string): EqlRule {
  const text = `[rule]
author = ["t"]
description = "t"
language = "eql"
name = "t"
risk_score = 1
rule_id = "t"
severity = "low"
type = "eql"
query = '''
${query}
'''
`;
  const rule = parseRuleText(text, 't.toml');
  if (isUnsupported(rule) || rule.type !== 'eql') throw new Error('not an EQL rule');
  return rule;
}

/** Runs one rule over the events (file mode) and returns each alert as the lines of its events. */
function run(query: string, events: EcsEvent[], live = false): number[][] {
  const alerts: Alert[] = [];
  const scanner = createScanner([compileRule(eqlRule(query))], (a) => alerts.push(a), { live });
  events.forEach((e, i) => scanner.event(e, { file: 'f', line: i + 1 }));
  scanner.finish();
  return alerts.map((a) => (a.events ?? []).map((e) => e.location.line));
}

const at = (s: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, s)).toISOString();

describe('sample rules (SPEC §A.9; Elasticsearch SampleIterator)', () => {
  const AB = 'sample by k [any where step == "a"] [any where step == "b"]';

  it('take the first matching events in input (index) order, not in time order', () => {
    // Elasticsearch reads each query's hits unsorted, in index order: the first "a" of the key wins.
    const events = [
      { k: 'h1', step: 'a', '@timestamp': at(10) },
      { k: 'h1', step: 'a', '@timestamp': at(0) },
      { k: 'h1', step: 'b', '@timestamp': at(5) },
    ];
    expect(run(AB, events)).toEqual([[1, 3]]);
    expect(run(AB, events, true)).toEqual([[1, 3]]);
  });

  it('treat an event without a timestamp like any other: its input position decides', () => {
    const events = [
      { k: 'h1', step: 'a' },
      { k: 'h1', step: 'a', '@timestamp': at(0) },
      { k: 'h1', step: 'b', '@timestamp': at(5) },
    ];
    expect(run(AB, events)).toEqual([[1, 3]]);
  });
});

describe('sequence rules (SPEC §A.9)', () => {
  it('still join their events in @timestamp order, whatever the input order', () => {
    const q = 'sequence by k [any where step == "a"] [any where step == "b"]';
    const events = [
      { k: 'h1', step: 'b', '@timestamp': at(5) },
      { k: 'h1', step: 'a', '@timestamp': at(1) },
    ];
    expect(run(q, events)).toEqual([[2, 1]]);
  });
});

describe('rules that hold events for time order, together in one scan', () => {
  it('alert as each would alone, whether the held events stay in memory or are spilled to disk', () => {
    const rules = [
      testRule('s1', 'eql', 'sequence by k [any where step == "a"] [any where step == "b"]'),
      testRule('s2', 'eql', 'sequence by k with maxspan=20s [any where step == "a"] [any where step == "c"]'),
      testRule('s3', 'eql', 'sequence [any where step == "b"] [any where step == "c"] [any where step == "a"]'),
      testRule('t1', 'threshold', 'step:*', '[rule.threshold]\nfield = ["k"]\nvalue = 3\n'),
    ];
    const random = prng(7);
    // Shuffled times with many ties: the hold decides the order, not the input.
    const events = Array.from({ length: 160 }, (_, i) => ({
      '@timestamp': at(Math.floor(random() * 120)),
      k: `h${Math.floor(random() * 4)}`,
      step: 'abc'[Math.floor(random() * 3)]!,
      pad: 'x'.repeat(Math.floor(random() * 300)),
      i,
    }));
    const scan = (ruleSet: CompiledRule[], spillFile?: () => SpillFile) => {
      const alerts: string[] = [];
      const scanner = createScanner(ruleSet, (a) => alerts.push(`${a.rule.id} ${a.location.line} ${(a.events ?? []).map((e) => e.location.line).join(',')} ${JSON.stringify(a.threshold ?? null)}`), {
        live: false,
        maxSignals: false,
        spillFile,
      });
      events.forEach((e, i) => scanner.event(e, { file: 'f', line: i + 1 }, JSON.stringify(e)));
      scanner.finish();
      return alerts;
    };
    const spilled: SpillFile[] = [];
    const small = () => {
      const file = new SpillFile(undefined, 16384, 4096);
      spilled.push(file);
      return file;
    };
    const together = scan(rules);
    expect(scan(rules, small)).toEqual(together);
    expect(spilled[0]?.onDisk).toBe(true);
    for (const rule of rules) {
      const alone = scan([rule], small);
      expect(alone.length).toBeGreaterThan(0);
      expect(together.filter((a) => a.startsWith(`${rule.rule.id} `))).toEqual(alone);
    }
  });
});
