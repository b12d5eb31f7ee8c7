import { compileFieldReader, isScalar } from '../event/fields.js';
import { parseJson, stringifyJson } from '../event/json.js';
import { SpillFile } from '../state/spillFile.js';
import { SpillSorter, TEXT } from '../state/spillSort.js';
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

/** One (event, new term) pair decided by a replay; `doc` is the text the caller kept of the event. */
export interface NewTermSighting {
  term: Term;
  termIndex: number;
  timeMs: number;
  seq: number;
  doc: string;
}

/**
 * What a replay keeps of one term: not every sighting, but the clusters they form. Sorted by
 * (time, input order), a sighting is new when the one before it is more than the window older
 * (SPEC §D); so the sightings fall into clusters, runs in which each is within the window of the
 * one before, and exactly the first sighting of each cluster is new (the first cluster's only if
 * the remembered sighting, before all, is more than the window older). A cluster is kept as its
 * first sighting's (time, seq) and its latest time: memory grows with the term's new sightings,
 * not with how often it was seen.
 */
interface TermHistory {
  /**
   * While `clusters` is undefined, all sightings so far arrived in time order and form one cluster:
   * its first sighting, and its latest time. Inline, so a term in one cluster (the most common kind
   * when terms are many) costs no array.
   */
  firstTime: number;
  firstSeq: number;
  lastTime: number;
  /** Otherwise: every cluster as (first time, first seq, latest time), sorted by first time, all but `pending`. */
  clusters: number[] | undefined;
  /** Sightings not yet merged into `clusters` (out of time order), as (time, seq) pairs. */
  pending: number[] | undefined;
  /** The latest sighting so far: this run's, or the remembered one from an earlier run. */
  maxTime: number;
  /** The term's last sighting in an earlier run, which precedes all of this run's sightings. */
  remembered: number | undefined;
  /** Every sighting so far arrived in time order (the usual case for log files). */
  ordered: boolean;
}

/** Pending sightings a term may gather before they are merged into its clusters, at least. */
const MIN_PENDING = 8;

/** Records one more sighting of a term that has sightings in this run. */
function addSighting(h: TermHistory, timeMs: number, seq: number, windowMs: number): void {
  const inOrder = timeMs >= h.maxTime;
  if (h.clusters === undefined) {
    if (inOrder && timeMs - h.lastTime <= windowMs) {
      h.lastTime = timeMs;
      return;
    }
    h.clusters = [h.firstTime, h.firstSeq, h.lastTime];
  }
  const clusters = h.clusters;
  if (inOrder && h.pending === undefined) {
    // Later than every sighting: it extends the last cluster or starts one after it.
    const last = clusters.length - 1;
    if (timeMs - clusters[last]! <= windowMs) clusters[last] = timeMs;
    else clusters.push(timeMs, seq, timeMs);
    return;
  }
  const pending = (h.pending ??= []);
  pending.push(timeMs, seq);
  // Merging once the pending sightings outnumber the clusters costs O(log n) per sighting amortised.
  if (pending.length / 2 >= Math.max(MIN_PENDING, clusters.length / 3)) mergePending(h, windowMs);
}

/** Merges the pending sightings into the clusters (each sighting a cluster of one, then joined). */
function mergePending(h: TermHistory, windowMs: number): void {
  const clusters = h.clusters ?? [h.firstTime, h.firstSeq, h.lastTime];
  const pending = h.pending ?? [];
  const n = clusters.length / 3 + pending.length / 2;
  const start = new Float64Array(n);
  const startSeq = new Float64Array(n);
  const end = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < clusters.length; i += 3, k++) {
    start[k] = clusters[i]!;
    startSeq[k] = clusters[i + 1]!;
    end[k] = clusters[i + 2]!;
  }
  for (let i = 0; i < pending.length; i += 2, k++) {
    start[k] = end[k] = pending[i]!;
    startSeq[k] = pending[i + 1]!;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => start[a]! - start[b]! || startSeq[a]! - startSeq[b]!);
  const merged: number[] = [];
  for (const i of order) {
    const last = merged.length - 3;
    // Within the window of the cluster before (or overlapping it): one cluster, which keeps the
    // earlier first sighting; its latest time is the later of the two.
    if (last >= 0 && start[i]! - merged[last + 2]! <= windowMs) merged[last + 2] = Math.max(merged[last + 2]!, end[i]!);
    else merged.push(start[i]!, startSeq[i]!, end[i]!);
  }
  h.clusters = merged;
  h.pending = undefined;
}

/** The seqs of a term's new sightings (the first of each cluster), given what it remembers. */
function newSightings(h: TermHistory, windowMs: number): Set<number> {
  if (h.pending !== undefined || h.clusters === undefined) mergePending(h, windowMs);
  const clusters = h.clusters ?? [];
  const fresh = new Set<number>();
  for (let i = 0; i < clusters.length; i += 3) {
    // Every time kept is at or after the remembered sighting: only the first cluster can be near it.
    if (i === 0 && h.remembered !== undefined && clusters[0]! - h.remembered <= windowMs) continue;
    fresh.add(clusters[i + 1]!);
  }
  return fresh;
}

/**
 * The file-mode decision of SPEC §D without holding every matching event: the result of replaying
 * all sightings in (time, input order), where a sighting is new when the latest earlier sighting
 * of the same term is more than the window older. Only times are kept per term; a document is
 * kept only for sightings that may still turn out new, in a sort that spills to disk
 * (state/spillSort.ts), so memory grows with the distinct terms (as the rule's history does), not
 * with the lines held. A sighting that arrives in time order and has a close predecessor can never
 * become new again (later arrivals can only add closer predecessors), so for time-ordered input
 * the documents held are just the alerts.
 *
 * A term's remembered last sighting (`lastSeen`, from `--state`) counts as a sighting before all
 * of this run's, whatever this run's times: an event older than it is never new (it was seen
 * since), and adds nothing to the history (the remembered sighting stays the latest). So scanning
 * the same file twice alerts only the first time. `finish` writes each term's latest sighting
 * back into `lastSeen`.
 */
export class NewTermsReplay {
  private readonly histories = new Map<string, TermHistory>();
  /** Possibly-new sightings by (time, seq, term index); text: the term's key, a tab, the document. */
  private readonly candidates: SpillSorter<string>;

  constructor(
    private readonly historyWindowMs: number,
    private readonly lastSeen: Map<string, number> = new Map(),
    spill: SpillFile = new SpillFile(),
  ) {
    this.candidates = new SpillSorter(spill, TEXT);
  }

  /** Sightings held as possibly new. */
  get held(): number {
    return this.candidates.size;
  }

  /** Numbers kept in memory for the sightings of all terms (three a cluster, two a pending sighting, three a term). */
  get sightingsKept(): number {
    let n = 0;
    for (const h of this.histories.values()) n += 3 + (h.clusters?.length ?? 0) + (h.pending?.length ?? 0);
    return n;
  }

  /**
   * Records the terms of one event; `keep` makes the text kept of the event (one line), called at
   * most once, and only if some term may turn out new.
   */
  add(terms: Term[], timeMs: number, seq: number, keep: () => string): void {
    let doc: string | undefined;
    for (let termIndex = 0; termIndex < terms.length; termIndex++) {
      const term = terms[termIndex]!;
      const key = termKey(term);
      let h = this.histories.get(key);
      let first = false;
      if (!h) {
        const remembered = this.lastSeen.get(key);
        if (remembered !== undefined && timeMs < remembered) continue;
        h = { firstTime: timeMs, firstSeq: seq, lastTime: timeMs, clusters: undefined, pending: undefined, maxTime: remembered ?? -Infinity, remembered, ordered: true };
        this.histories.set(key, h);
        first = remembered === undefined;
      } else {
        if (h.remembered !== undefined && timeMs < h.remembered) continue;
        addSighting(h, timeMs, seq, this.historyWindowMs);
      }
      const inOrder = timeMs >= h.maxTime;
      if (!inOrder) h.ordered = false;
      const mayBeNew = !inOrder || first || timeMs - h.maxTime > this.historyWindowMs;
      if (timeMs > h.maxTime) h.maxTime = timeMs;
      if (mayBeNew) {
        const text = `${key}\t${(doc ??= keep())}`;
        this.candidates.add(timeMs, seq, termIndex, text, 2 * text.length);
      }
    }
  }

  /** The new sightings, in time order (ties in input order, then term order), one at a time. */
  *finish(): Generator<NewTermSighting, void, undefined> {
    const fresh = new Map<string, Set<number>>();
    for (const [key, h] of this.histories) {
      this.lastSeen.set(key, h.maxTime);
      if (h.ordered) continue;
      fresh.set(key, newSightings(h, this.historyWindowMs));
    }
    this.histories.clear();
    for (const { k1: timeMs, k2: seq, k3: termIndex, value: text } of this.candidates.drain()) {
      // The key is JSON, which escapes tabs: the first one ends it.
      const tab = text.indexOf('\t');
      const key = text.slice(0, tab);
      if (!(fresh.get(key)?.has(seq) ?? true)) continue;
      yield { term: termOfKey(key), termIndex, timeMs, seq, doc: text.slice(tab + 1) };
    }
  }
}

/** The term a `termKey` was made from (exact: integers beyond 2^53 come back as they went). */
function termOfKey(key: string): Term {
  const value = parseJson(key);
  if (!Array.isArray(value) || !value.every(isScalar)) throw new Error(`internal: a held new_terms key is not a term: ${key}`);
  return value;
}
