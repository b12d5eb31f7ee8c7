import { describe, expect, it } from 'vitest';
import { RuleError } from '../rules/ruleError.js';
import { compileRule, factsOf, mayCompileLazily, type RuleFacts, type RuleFactsStore } from './compileRule.js';
import { parseRuleQuery } from '../rules/parsedQuery.js';
import type { Rule } from '../rules/types.js';
import { queryRule } from '../../test/support/testRules.js';

const rule = queryRule;
const newTerms = '[rule.new_terms]\nfield = "new_terms_fields"\nvalue = ["user.name"]\n[[rule.new_terms.history_window_start]]\nfield = "history_window_start"\nvalue = "now-7d"\n';
const threshold = '[rule.threshold]\nfield = ["user.name"]\nvalue = 3\n';

describe('compileRule: the rule kind decides what a compiled rule carries', () => {
  it('gives each rule type and query shape its kind, with its compiled sequence or sample', () => {
    expect(compileRule(rule('query', 'kuery', 'process.name: a')).kind).toBe('query');
    expect(compileRule(rule('eql', 'eql', 'process where process.name == "a" | head 2'))).toMatchObject({ kind: 'query', pipes: [{ kind: 'head', count: 2 }] });
    expect(compileRule(rule('new_terms', 'kuery', 'process.name: a', newTerms)).kind).toBe('new_terms');
    expect(compileRule(rule('threshold', 'kuery', 'process.name: a', threshold)).kind).toBe('threshold');
    const sequence = compileRule(rule('eql', 'eql', 'sequence by host.id [process where true] [file where true]'));
    expect(sequence.kind === 'sequence' && sequence.sequence.steps.length).toBe(2);
    const sample = compileRule(rule('eql', 'eql', 'sample by host.id [process where true] [file where true]'));
    expect(sample.kind === 'sample' && sample.sample.steps.length).toBe(2);
  });

  it('rejects a sequence in a threshold or new_terms rule written in EQL, pointing into the rule file', () => {
    const compile = () => compileRule(rule('threshold', 'eql', 'sequence [process where true] [file where true]', threshold));
    expect(compile).toThrow(RuleError);
    expect(compile).toThrow('a sequence query needs an EQL rule (type = "eql"), not a threshold rule');
    expect(() => compileRule(rule('new_terms', 'eql', 'sample by host.id [process where true] [file where true]', newTerms))).toThrow(
      'a sample query needs an EQL rule (type = "eql"), not a new_terms rule',
    );
  });
});

describe('compileRule with known facts: the predicate waits for the first event', () => {
  /** A facts store in memory, and a parse that counts its calls: what the rule cache gives. */
  function setup() {
    const kept = new Map<Rule, RuleFacts>();
    const store: RuleFactsStore = { get: (r) => kept.get(r), put: (r, f) => kept.set(r, f) };
    const parsed: Rule[] = [];
    const parse = (r: Rule) => {
      parsed.push(r);
      return parseRuleQuery(r);
    };
    return { kept, store, parsed, parse };
  }
  const event = (name: string) => ({ process: { name }, event: { category: ['process'] } });

  it('compiles a rule it does not know at once and keeps its facts; one it knows only when an event reaches it, to the same rule', () => {
    const cases = [
      rule('query', 'kuery', 'process.name: (a or b*)'),
      rule('eql', 'eql', 'process where process.name : ("a", "b*") | tail 3'),
      rule('new_terms', 'kuery', 'process.name: a', newTerms),
      rule('threshold', 'kuery', 'process.name: a', threshold),
    ];
    for (const r of cases) {
      const { kept, store, parsed, parse } = setup();
      const eager = compileRule(r, { parse, facts: store });
      expect(parsed).toHaveLength(1);
      expect(kept.get(r)).toEqual({ kind: eager.kind, need: eager.need, requirements: eager.requirements, pipes: eager.kind === 'query' ? eager.pipes : [] });
      expect(factsOf(eager)).toEqual(kept.get(r));
      const lazy = compileRule(r, { parse, facts: store });
      expect(parsed).toHaveLength(1);
      const { matches: m1, eventTime: _t1, ...eagerRest } = eager;
      const { matches: m2, eventTime: _t2, ...lazyRest } = lazy;
      expect(lazyRest).toEqual(eagerRest);
      for (const name of ['a', 'b', 'bee', 'c']) expect(m2(event(name))).toBe(m1(event(name)));
      // Compiled once, on the first event.
      expect(parsed).toHaveLength(2);
    }
  });

  it('gives a sequence or sample known from its facts the steps, runs, missing events, until, maxspan and join keys of a compile, compiled on first use', () => {
    const joined = [
      rule('eql', 'eql', 'sequence by host.id with maxspan=5m [process where process.name == "a"] by user.name with runs=2 ![file where true] by ?user.name [process where process.name : "b*"] by user.name until [network where true] by user.name | head 3'),
      rule('eql', 'eql', 'sample by host.id [process where process.name == "a"] [process where process.name : "b*"]'),
    ];
    const events = [
      { host: { id: 'h' }, user: { name: 'u' }, process: { name: 'a' }, event: { category: ['process'] } },
      { host: { id: 'h' }, user: { name: ['v', 'w'] }, process: { name: 'bee' }, event: { category: ['process'] } },
      { host: { id: 'h' }, event: { category: ['file'] } },
      { event: { category: ['network'] }, user: { name: 'u' } },
    ];
    for (const r of joined) {
      const { kept, store, parsed, parse } = setup();
      const eager = compileRule(r, { parse, facts: store });
      expect(kept.get(r)).toEqual(factsOf(eager));
      const lazy = compileRule(r, { parse, facts: store });
      expect(parsed).toHaveLength(1);
      const partsOf = (c: typeof eager) => {
        const j = c.kind === 'sequence' ? c.sequence : c.kind === 'sample' ? c.sample : undefined;
        const steps = j?.steps ?? [];
        const until = j?.kind === 'sequence' ? j.until : null;
        return {
          shape: { ...j, steps: steps.map((s) => ({ ...s, predicate: typeof s.predicate, keys: s.keys.map((k) => ({ ...k, read: typeof k.read })) })), until: until && { keys: until.keys.map((k) => k.text) } },
          answers: () => events.map((e) => [c.matches(e), ...steps.flatMap((s) => [s.predicate(e), ...s.keys.map((k) => k.read(e))]), until?.predicate(e), ...(until?.keys ?? []).map((k) => k.read(e))]),
        };
      };
      expect(lazy.kind).toBe(eager.kind);
      expect(partsOf(lazy).shape).toEqual(partsOf(eager).shape);
      expect(parsed).toHaveLength(1);
      expect(partsOf(lazy).answers()).toEqual(partsOf(eager).answers());
      expect(parsed).toHaveLength(2);
    }
  });

  it('compiles at once a rule whose query or filters may hold date math (the clock)', () => {
    const filters = '[[rule.filters]]\n[rule.filters.query.range."@timestamp"]\ngte = "now-1d"\n';
    const eager = [
      rule('query', 'kuery', '@timestamp >= now-5m and process.name: a'),
      rule('query', 'kuery', 'process.name: a', filters),
    ];
    for (const r of eager) {
      const { kept, store, parsed, parse } = setup();
      compileRule(r, { parse, facts: store });
      compileRule(r, { parse, facts: store });
      expect(parsed).toHaveLength(2);
      expect(kept.size).toBe(0);
    }
    expect(mayCompileLazily(rule('query', 'kuery', 'process.name: unknown and file.name: nowhere.exe'))).toBe(false);
    expect(mayCompileLazily(rule('query', 'kuery', 'process.name: unknown and file.name: known.exe'))).toBe(true);
  });

  it('keeps no facts of a rule that does not compile, so its error is reported before the scan every time', () => {
    const { kept, store, parse } = setup();
    const bad = rule('query', 'kuery', 'source.ip: "not-an-address"');
    for (let i = 0; i < 2; i++) expect(() => compileRule(bad, { parse, facts: store })).toThrow(RuleError);
    expect(kept.size).toBe(0);
  });
});
