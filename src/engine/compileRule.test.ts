import { describe, expect, it } from 'vitest';
import { RuleError } from '../rules/ruleError.js';
import { compileRule } from './compileRule.js';
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
