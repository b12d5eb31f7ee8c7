import { compileFieldReader, isScalar } from '../event/fields.js';
import type { EcsEvent, Scalar } from '../event/types.js';

/** One term: the values of the rule's new_terms fields in one event, in field order. */
export type Term = Scalar[];

/**
 * Compiles the function that lists every term of an event (SPEC §D): arrays give every
 * combination of their values; an event missing any of the fields has no term.
 */
export function compileTermsOf(fields: readonly string[]): (event: EcsEvent) => Term[] {
  const readers = fields.map((f) => compileFieldReader(f));
  return (event) => {
    let terms: Term[] = [[]];
    for (const read of readers) {
      const values = distinct(read(event).filter(isScalar));
      if (values.length === 0) return [];
      const next: Term[] = [];
      for (const t of terms) for (const v of values) next.push([...t, v]);
      terms = next;
    }
    return terms;
  };
}

function distinct(values: Scalar[]): Scalar[] {
  if (values.length < 2) return values;
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = termKey([v]);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A stable map key for a term; typed so that the number 5 and the string "5" stay distinct. */
export function termKey(term: Term): string {
  return JSON.stringify(term);
}

/**
 * The history of one new_terms rule, replayed in event time (SPEC §D): a term is new for an event
 * when it was never seen, or last seen more than the history window before that event.
 */
export class NewTermsState {
  private readonly lastSeen = new Map<string, number>();
  constructor(private readonly historyWindowMs: number) {}

  /** Records the event's terms at `timeMs` and returns those that were new. */
  observe(terms: Term[], timeMs: number): Term[] {
    const fresh: Term[] = [];
    for (const term of terms) {
      const key = termKey(term);
      const last = this.lastSeen.get(key);
      if (last === undefined || timeMs - last > this.historyWindowMs) fresh.push(term);
      if (last === undefined || timeMs > last) this.lastSeen.set(key, timeMs);
    }
    return fresh;
  }

  get size(): number {
    return this.lastSeen.size;
  }
}
