import { compileFieldReader, isScalar } from '../event/fields.js';
import { stringifyJson } from '../event/json.js';
import type { EcsEvent, Scalar } from '../event/types.js';

/** One term: the values of the rule's new_terms fields in one event, in field order. */
export type Term = Scalar[];

/**
 * Most combinations one event yields for a new_terms rule of two or three fields. Kibana combines
 * the fields' values in a runtime field whose script stops emitting after 100 values, because
 * Elasticsearch rejects more (security_solution `new_terms/utils.ts`, getNewTermsRuntimeMappings:
 * "ES has limit in 100 values for runtime field"). It also keeps a hostile event with three
 * 1,000-value arrays from costing 10⁹ terms.
 */
export const MAX_COMBINED_TERMS = 100;

/**
 * Compiles the function that lists the terms of an event (SPEC §D): arrays give every
 * combination of their values, up to `maxTerms` of them (the first in field and value order);
 * an event missing any of the fields has no term. Work per event is bounded by the values read
 * plus `maxTerms` per field, however large the arrays.
 */
export function compileTermsOf(fields: readonly string[], maxTerms = fields.length > 1 ? MAX_COMBINED_TERMS : Infinity): (event: EcsEvent) => Term[] {
  const readers = fields.map((f) => compileFieldReader(f));
  return (event) => {
    let terms: Term[] = [[]];
    for (const read of readers) {
      const values = distinct(read(event).filter(isScalar));
      if (values.length === 0) return [];
      const next: Term[] = [];
      // Cutting every stage at maxTerms keeps exactly the first maxTerms combinations of the
      // whole product: they only ever extend the first maxTerms prefixes.
      fill: for (const t of terms) {
        for (const v of values) {
          if (next.length >= maxTerms) break fill;
          next.push([...t, v]);
        }
      }
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

/**
 * A stable map key for a term; typed so that the number 5 and the string "5" stay distinct, and
 * exact, so that 9007199254740993 and 9007199254740992 stay distinct (event/json.ts).
 */
export function termKey(term: Term): string {
  return stringifyJson(term);
}

/**
 * The history of one new_terms rule, replayed in event time (SPEC §D): a term is new for an event
 * when it was never seen, or last seen more than the history window before that event.
 *
 * `lastSeen` (term key → time of its latest sighting) may come from an earlier run (`--state`);
 * the map is updated in place, so the caller can save it at any moment.
 */
export class NewTermsState {
  constructor(
    private readonly historyWindowMs: number,
    private readonly lastSeen: Map<string, number> = new Map(),
  ) {}

  /** Records the event's terms at `timeMs` and returns those that were new. */
  observe(terms: Term[], timeMs: number): Term[] {
    const fresh: Term[] = [];
    for (const term of terms) {
      const key = termKey(term);
      const last = this.lastSeen.get(key);
      // An event older than the remembered sighting has it as predecessor: negative distance, not new.
      if (last === undefined || timeMs - last > this.historyWindowMs) fresh.push(term);
      if (last === undefined || timeMs > last) this.lastSeen.set(key, timeMs);
    }
    return fresh;
  }

  get size(): number {
    return this.lastSeen.size;
  }
}

/** One (event, new term) pair decided by a replay; `doc` is whatever the caller keeps of the event. */
export interface NewTermSighting<D> {
  term: Term;
  termIndex: number;
  timeMs: number;
  seq: number;
  doc: D;
}

interface TermHistory {
  times: number[];
  seqs: number[];
  /** The latest sighting so far: this run's, or the remembered one from an earlier run. */
  maxTime: number;
  /** The term's last sighting in an earlier run, which precedes all of this run's sightings. */
  remembered: number | undefined;
  /** Every sighting so far arrived in time order (the usual case for log files). */
  ordered: boolean;
}

/**
 * The file-mode decision of SPEC §D without holding every matching event: the result of replaying
 * all sightings in (time, input order), where a sighting is new when the latest earlier sighting
 * of the same term is more than the window older. Only times are kept per term; a document is
 * kept only for sightings that may still turn out new. A sighting that arrives in time order and
 * has a close predecessor can never become new again (later arrivals can only add closer
 * predecessors), so for time-ordered input the documents held are just the alerts.
 *
 * A term's remembered last sighting (`lastSeen`, from `--state`) counts as a sighting before all
 * of this run's, whatever this run's times: an event older than it is never new (it was seen
 * since), and adds nothing to the history (the remembered sighting stays the latest). So scanning
 * the same file twice alerts only the first time. `finish` writes each term's latest sighting
 * back into `lastSeen`.
 */
export class NewTermsReplay<D> {
  private readonly histories = new Map<string, TermHistory>();
  private readonly candidates: Array<NewTermSighting<D> & { key: string }> = [];

  constructor(
    private readonly historyWindowMs: number,
    private readonly lastSeen: Map<string, number> = new Map(),
  ) {}

  /**
   * Records the terms of one event; `keep` makes what is kept of the event, called at most once,
   * and only if some term may turn out new (so a spill file gets each held line once).
   */
  add(terms: Term[], timeMs: number, seq: number, keep: () => D): void {
    let doc: D | undefined;
    for (let termIndex = 0; termIndex < terms.length; termIndex++) {
      const term = terms[termIndex]!;
      const key = termKey(term);
      let h = this.histories.get(key);
      if (!h) {
        const remembered = this.lastSeen.get(key);
        h = { times: [], seqs: [], maxTime: remembered ?? -Infinity, remembered, ordered: true };
        this.histories.set(key, h);
      }
      if (h.remembered !== undefined && timeMs < h.remembered) continue;
      const inOrder = timeMs >= h.maxTime;
      if (!inOrder) h.ordered = false;
      const first = h.times.length === 0 && h.remembered === undefined;
      const mayBeNew = !inOrder || first || timeMs - h.maxTime > this.historyWindowMs;
      h.times.push(timeMs);
      h.seqs.push(seq);
      if (timeMs > h.maxTime) h.maxTime = timeMs;
      if (mayBeNew) this.candidates.push({ key, term, termIndex, timeMs, seq, doc: (doc ??= keep()) });
    }
  }

  /** The new sightings, in time order (ties in input order, then term order). */
  finish(): NewTermSighting<D>[] {
    const fresh = new Map<string, Set<number>>();
    for (const [key, h] of this.histories) {
      if (h.times.length > 0) this.lastSeen.set(key, h.maxTime);
      if (h.ordered) continue;
      const order = h.times.map((_, i) => i).sort((a, b) => h.times[a]! - h.times[b]! || h.seqs[a]! - h.seqs[b]!);
      const seqs = new Set<number>();
      // Every time kept is at or after the remembered sighting, so in sorted order the latest
      // earlier sighting is simply the previous one.
      let last = h.remembered;
      for (const i of order) {
        if (last === undefined || h.times[i]! - last > this.historyWindowMs) seqs.add(h.seqs[i]!);
        last = h.times[i]!;
      }
      fresh.set(key, seqs);
    }
    const result = this.candidates.filter((c) => fresh.get(c.key)?.has(c.seq) ?? true);
    result.sort((a, b) => a.timeMs - b.timeMs || a.seq - b.seq || a.termIndex - b.termIndex);
    this.histories.clear();
    this.candidates.length = 0;
    return result;
  }
}
