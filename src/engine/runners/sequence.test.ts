import { describe, expect, it } from 'vitest';
import { isUnsupported, parseRuleText } from '../../rules/load.js';
import type { EqlRule } from '../../rules/types.js';
import type { EcsEvent } from '../../event/types.js';
import type { Alert } from '../alert.js';
import { compileRule } from '../compileRule.js';
import { createScanner } from '../scanner.js';

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
