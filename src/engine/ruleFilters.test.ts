import { describe, expect, it } from 'vitest';
import { RuleError } from '../rules/ruleError.js';
import { compileRule } from './compileRule.js';
import { queryRule } from '../../test/support/testRules.js';

const rule = queryRule;
const notSvc = '[[rule.filters]]\n[rule.filters.meta]\nnegate = true\n[rule.filters.query.term]\n"user.name" = "svc"\n';
const onlyProcess = '[[rule.filters]]\n[rule.filters.query.term]\n"event.category" = "process"\n';
const svc = { user: { name: 'svc' } };

describe('compileRule ANDs the rule filters into every search (README "Rule filters")', () => {
  it('into a query rule\'s predicate, with the need of both', () => {
    const c = compileRule(rule('query', 'kuery', 'process.name: "bash"', onlyProcess));
    expect(c.matches({ event: { category: 'process' }, process: { name: 'bash' } })).toBe(true);
    expect(c.matches({ event: { category: 'file' }, process: { name: 'bash' } })).toBe(false);
    expect(c.need).toEqual({ kind: 'and', of: [{ kind: 'lit', text: '"bash"' }, { kind: 'lit', text: '"process"' }] });
    // The query implies no category, so the filter's serve dispatch.
    expect(c.requirements.get('event.category')).toEqual(['process']);
  });

  it('keeps the query\'s categories when it has some', () => {
    expect(compileRule(rule('eql', 'eql', 'file where true', onlyProcess)).requirements.get('event.category')).toEqual(['file']);
  });

  it('into every step of a sequence, its until, and every step of a sample', () => {
    const seq = compileRule(rule('eql', 'eql', 'sequence by host.id [process where true] [file where true] until [network where true]', notSvc));
    if (seq.kind !== 'sequence') throw new Error('expected a sequence');
    const steps = [...seq.sequence.steps.map((s) => s.predicate), seq.sequence.until!.predicate];
    for (const [i, category] of ['process', 'file', 'network'].entries()) {
      expect(steps[i]!({ event: { category } })).toBe(true);
      expect(steps[i]!({ event: { category }, ...svc })).toBe(false);
    }
    expect(seq.matches({ event: { category: 'network' }, ...svc })).toBe(false);
    const sample = compileRule(rule('eql', 'eql', 'sample by host.id [process where true] [file where true]', notSvc));
    if (sample.kind !== 'sample') throw new Error('expected a sample');
    expect(sample.sample.steps.map((s) => s.predicate({ event: { category: 'file' }, ...svc }))).toEqual([false, false]);
    expect(sample.sample.steps.map((s) => s.predicate({ event: { category: 'file' } }))).toEqual([false, true]);
  });

  it('into new_terms and threshold rules', () => {
    const nt = '[rule.new_terms]\nfield = "new_terms_fields"\nvalue = ["user.name"]\n[[rule.new_terms.history_window_start]]\nfield = "history_window_start"\nvalue = "now-7d"\n';
    expect(compileRule(rule('new_terms', 'kuery', 'user.name: *', nt + notSvc)).matches(svc)).toBe(false);
    expect(compileRule(rule('threshold', 'kuery', 'user.name: *', '[rule.threshold]\nfield = ["user.name"]\nvalue = 3\n' + notSvc)).matches(svc)).toBe(false);
  });

  it('refuses a filter Elasticsearch would refuse for the field type, at the filter\'s line', () => {
    const text = '[[rule.filters]]\n[rule.filters.query.prefix]\n"@timestamp" = "2024"\n';
    try {
      compileRule(rule('query', 'kuery', 'a: b', notSvc + text));
      expect.unreachable();
    } catch (e) {
      if (!(e instanceof RuleError)) throw e;
      expect(e.message).toBe('Elasticsearch would refuse this filter on the date field @timestamp: Can only use prefix queries on keyword, text and wildcard fields - not on a field of type [date]');
      // The second [[rule.filters]] of the file, the one naming @timestamp.
      expect(e.diagnostic.line).toBe(18);
    }
  });
});
