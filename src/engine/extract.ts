import type { EcsEvent } from '../event/types.js';
import type { CompiledRule } from './compileRule.js';
import { compileTermsOf, type Term } from './newTerms.js';

/**
 * What one rule needs of one event, worked out where the event was parsed (a worker thread) so
 * the thread that keeps the rules' state need not parse the line again:
 * - `null`: the rule has no use for the event;
 * - `{ t, terms? }`: the event matches an event or new_terms rule; its time (null when it has
 *   none) and, for new_terms, its terms — everything those runners use besides the line itself;
 * - `0`: the rule needs the whole event (threshold, sequence, sample).
 * Plain data only: it crosses threads by structured clone.
 */
export type RulePayload = null | 0 | { t: number | null; terms?: Term[] };

export type Extractor = (event: EcsEvent) => RulePayload;

export function compileExtractor(compiled: CompiledRule): Extractor {
  const { matches, eventTime } = compiled;
  switch (compiled.kind) {
    case 'event':
      return (event) => (matches(event) ? { t: eventTime(event) ?? null } : null);
    case 'new_terms': {
      if (compiled.rule.type !== 'new_terms') throw new Error('new_terms kind on a rule of another type');
      const termsOf = compileTermsOf(compiled.rule.newTerms.fields);
      return (event) => {
        if (!matches(event)) return null;
        // Sent even without terms: every event a rule's `matches` accepts reaches the main thread.
        return { t: eventTime(event) ?? null, terms: termsOf(event) };
      };
    }
    default:
      return (event) => (matches(event) ? 0 : null);
  }
}

/**
 * The rules that want one event and their payloads, flat and in rule order: `[rule index,
 * payload, rule index, payload, ...]`. Flat and sparse because it is cloned for every line a
 * worker sends: with a pack of 2,000 rules a dense array per line cost more than the scan.
 */
export type RuleHits = Array<number | Exclude<RulePayload, null>>;
