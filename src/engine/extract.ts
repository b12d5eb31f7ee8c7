import type { EcsEvent } from '../event/types.js';
import type { CompiledRule } from './compileRule.js';
import type { Term } from './newTerms.js';
import { ruleKindOf } from './runners/index.js';

/**
 * What one rule needs of one event, worked out where the event was parsed (a worker thread) so
 * the thread that keeps the rules' state need not parse the line again. Each rule kind's runner
 * (runners/) says which of these it sends:
 * - a query rule: {@link QueryHit}, the event's time — everything its runner uses besides the line;
 * - a new_terms rule: {@link NewTermsHit}, its time and its terms;
 * - threshold, sequence and sample rules: the rule's index alone, as they need the whole event.
 * Plain data only: it crosses threads by structured clone.
 */
export type RuleHit = number | QueryHit | NewTermsHit;

/** A matching event of a query rule: the rule's index and the event's time (null when it has none). */
export interface QueryHit {
  rule: number;
  t: number | null;
}

/** A matching event of a new_terms rule: a {@link QueryHit} with the event's terms (possibly none). */
export interface NewTermsHit extends QueryHit {
  terms: Term[];
}

/** A hit that carries what the rule needs, so its runner does without the parsed event. */
export type PayloadHit = Exclude<RuleHit, number>;

/** The hit of one rule for one event, or null when the rule has no use for the event. */
export type Extractor = (event: EcsEvent) => RuleHit | null;

/** The extractor of the rule at `index` in the list both threads compile (see parallel/worker.ts). */
export function compileExtractor(compiled: CompiledRule, index: number): Extractor {
  return ruleKindOf(compiled).extract(index);
}

/**
 * The hits of the rules that want one event, in rule order. Sparse, and small per rule, because it
 * is cloned for every line a worker sends: with a pack of 2,000 rules a dense array per line cost
 * more than the scan.
 */
export type RuleHits = RuleHit[];
