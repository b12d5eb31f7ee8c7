/**
 * The rule kinds and their runners, one module each: adding a kind means a CompiledRule variant
 * (compileRule.ts), its module here and one line in `ruleKindOf`.
 */
import type { CompiledRule } from '../compileRule.js';
import type { Extractor } from '../extract.js';
import { sampleRules, sequenceRules } from './sequence.js';
import { newTermsRules } from './newTerms.js';
import { queryRules } from './query.js';
import type { RuleKindHandler, RuleRunner, RunnerContext } from './runner.js';
import { thresholdRules } from './threshold.js';

export type { RuleCounts, RuleRunner, RunnerContext, ScannerOptions } from './runner.js';

/** One compiled rule with its kind's handler. */
export interface BoundRuleKind {
  start(context: RunnerContext): RuleRunner;
  extract(index: number): Extractor;
}

export function ruleKindOf(compiled: CompiledRule): BoundRuleKind {
  switch (compiled.kind) {
    case 'query':
      return bind(queryRules, compiled);
    case 'new_terms':
      return bind(newTermsRules, compiled);
    case 'threshold':
      return bind(thresholdRules, compiled);
    case 'sequence':
      return bind(sequenceRules, compiled);
    case 'sample':
      return bind(sampleRules, compiled);
  }
}

function bind<C extends CompiledRule>(handler: RuleKindHandler<C>, compiled: C): BoundRuleKind {
  return {
    start: (context) => handler.start(compiled, context),
    extract: (index) => handler.extractor(compiled, index),
  };
}
