import { termKey, type Term } from '../engine/newTerms.js';
import type { NewTermsRule } from '../rules/types.js';

/**
 * What lkm-scan remembers of new_terms rules between runs (`--state FILE`): per rule, per term,
 * the time of the term's latest sighting. Kept per rule id with the rule's fields and window, so
 * a rule whose window changed keeps its history, and rules left out of a run keep theirs.
 */
export type TermHistory = Map<string, RuleTermHistory>;

export interface RuleTermHistory {
  /** The rule's name when last run, so a person reading the file knows what the id is. */
  name: string;
  fields: string[];
  historyWindowMs: number;
  /** termKey(term) → event time (epoch ms) of the term's latest sighting. */
  lastSeen: Map<string, number>;
}

/** Fields of a new_terms term: Elastic allows 1 to 3. */
export const MAX_TERM_FIELDS = 3;

/** A rule whose remembered history was dropped because its terms no longer mean the same. */
export interface ResetRule {
  id: string;
  name: string;
  before: string[];
  now: string[];
}

/**
 * Prepares `history` for a run of `rules`: each rule gets its entry (new, or the remembered one
 * with the rule's current name and window). A rule whose new_terms fields changed starts over:
 * its remembered terms are values of other fields. Rules not in this run are kept as they are, so
 * a run with a subset of the rules (`--rule`) does not erase the others' history.
 */
export function bindTermHistory(history: TermHistory, rules: readonly NewTermsRule[]): ResetRule[] {
  const reset: ResetRule[] = [];
  for (const rule of rules) {
    const fields = rule.newTerms.fields;
    const known = history.get(rule.id);
    if (known && !sameFields(known.fields, fields)) {
      reset.push({ id: rule.id, name: rule.name, before: known.fields, now: [...fields] });
    }
    const lastSeen = known && sameFields(known.fields, fields) ? known.lastSeen : new Map<string, number>();
    history.set(rule.id, { name: rule.name, fields: [...fields], historyWindowMs: rule.newTerms.historyWindowMs, lastSeen });
  }
  return reset;
}

function sameFields(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((f, i) => f === b[i]);
}

/**
 * Forgets the terms that can no longer make a difference: those last seen more than the rule's
 * window before the rule's newest sighting. "Newest" is event time, not the wall clock, because
 * logs scanned may be old: scanning last year's logs must not forget what they taught. Any event
 * at or after the newest sighting would find such a term new anyway, so for logs scanned in time
 * order forgetting changes no answer; only re-scanning events older than that can alert again on
 * a forgotten term. Returns how many terms were forgotten.
 */
export function pruneTermHistory(history: TermHistory): number {
  let pruned = 0;
  for (const rule of history.values()) {
    let newest = -Infinity;
    for (const t of rule.lastSeen.values()) if (t > newest) newest = t;
    for (const [key, t] of rule.lastSeen) {
      if (newest - t > rule.historyWindowMs) {
        rule.lastSeen.delete(key);
        pruned++;
      }
    }
  }
  return pruned;
}

export function countTerms(history: TermHistory): number {
  let n = 0;
  for (const rule of history.values()) n += rule.lastSeen.size;
  return n;
}

/** For tests and callers that build a history by hand. */
export function ruleTermHistory(name: string, fields: string[], historyWindowMs: number, terms: Array<[Term, number]> = []): RuleTermHistory {
  return { name, fields, historyWindowMs, lastSeen: new Map(terms.map(([term, t]) => [termKey(term), t])) };
}
