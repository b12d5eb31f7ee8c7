import type { CompiledEql, JoinKey } from '../eql/compile.js';
import type { Predicate } from '../event/types.js';
import { keyOf, MAX_PENDING_KEYS, type SequenceEvent } from './sequence.js';

export type CompiledSample = Extract<CompiledEql, { kind: 'sample' }>;

interface SampleGroup {
  /** `hits[i]`: the first events of step i for this key, at most one per step of the sample. */
  hits: SequenceEvent[][];
  done: boolean;
}

/**
 * Runs one EQL `sample by k [q1] [q2] ...` (SPEC §A.9): events are grouped by join key, in no
 * order; a key yields one sample (Elasticsearch's default `max_samples_per_key` of 1) when it has
 * one distinct event for each query. Elasticsearch fetches, per key, the first hits of each query
 * in index order, as many as the sample has queries, and then picks distinct documents by a
 * depth-first search (SampleIterator). Here events come in input order (the index order of an
 * offline scan) and each query keeps its first that many hits, so an event that matches several
 * queries fills only one of them and an assignment is found whenever one exists.
 *
 * Over files the pick is Elasticsearch's: a key is decided once every query has all the hits it
 * keeps (no later event can change the pick) or when the input ends. Live, a key is decided as
 * soon as it can be filled, with the hits seen so far.
 *
 * State is bounded by MAX_PENDING_KEYS keys (pending or already sampled); beyond it the oldest key
 * is let go: sampled there and then if it can be, else dropped and counted (a pending sample lost);
 * a sampled key that comes back can be sampled again.
 */
export class SampleState {
  private readonly steps: Array<{ predicate: Predicate; keys: JoinKey[] }>;
  private readonly groups = new Map<string, SampleGroup>();
  dropped = 0;

  constructor(
    query: CompiledSample,
    private readonly maxKeys = MAX_PENDING_KEYS,
    private readonly live = false,
  ) {
    this.steps = query.steps;
  }

  get pendingKeys(): number {
    return this.groups.size;
  }

  /** Feeds the next event; returns the samples decided now, each as one event per query in query order. */
  observe(h: SequenceEvent): SequenceEvent[][] {
    const out: SequenceEvent[][] = [];
    const touched = new Set<SampleGroup>();
    const keep = this.steps.length;
    this.steps.forEach((step, i) => {
      if (!step.predicate(h.event)) return;
      const key = keyOf(step.keys, h.event);
      if (key === null) return;
      const group = this.group(key, out);
      if (group.done || group.hits[i]!.length >= keep) return;
      group.hits[i]!.push(h);
      touched.add(group);
    });
    for (const group of touched) {
      if (!this.live && group.hits.some((hits) => hits.length < keep)) continue;
      this.decide(group, out);
    }
    return out;
  }

  /** The input ended: every key not yet sampled is decided with the hits it has. */
  finish(): SequenceEvent[][] {
    const out: SequenceEvent[][] = [];
    for (const group of this.groups.values()) if (!group.done) this.decide(group, out);
    this.groups.clear();
    return out;
  }

  /** Samples the key if its hits can fill every query; false when they cannot. */
  private decide(group: SampleGroup, out: SequenceEvent[][]): boolean {
    const sample = distinctPick(group.hits);
    if (!sample) return false;
    out.push(sample);
    group.done = true;
    group.hits = [];
    return true;
  }

  private group(key: string, out: SequenceEvent[][]): SampleGroup {
    let group = this.groups.get(key);
    if (group) return group;
    while (this.groups.size >= this.maxKeys) {
      const oldest = this.groups.entries().next();
      if (oldest.done) break;
      const [oldestKey, oldestGroup] = oldest.value;
      this.groups.delete(oldestKey);
      if (!oldestGroup.done && !this.decide(oldestGroup, out)) this.dropped++;
    }
    group = { hits: this.steps.map(() => []), done: false };
    this.groups.set(key, group);
    return group;
  }
}

/**
 * One event per step, no event twice, chosen as Elasticsearch's depth-first search chooses
 * (SampleIterator.matchSample): step by step, the earliest hit that still leaves a way to fill
 * the later steps. The search itself is exponential in the number of steps, so a hostile rule
 * with many look-alike queries could make it explode; the same choice is made here with bipartite
 * matching (augmenting paths): one perfect matching first, then each step in turn moved to its
 * earliest hit for which the later steps can still be re-matched. Polynomial in the steps.
 */
function distinctPick(hits: SequenceEvent[][]): SequenceEvent[] | null {
  if (hits.some((h) => h.length === 0)) return null;
  const owner = new Map<SequenceEvent, number>();
  const pick: SequenceEvent[] = [];
  /** Steps up to this one keep their event; only later ones may be moved by `augment`. */
  let fixed = -1;
  const augment = (step: number, visited: Set<SequenceEvent>): boolean => {
    for (const h of hits[step]!) {
      if (visited.has(h)) continue;
      visited.add(h);
      const other = owner.get(h);
      if (other === undefined || (other > fixed && augment(other, visited))) {
        owner.set(h, step);
        pick[step] = h;
        return true;
      }
    }
    return false;
  };
  for (let step = 0; step < hits.length; step++) if (!augment(step, new Set())) return null;
  for (let step = 0; step < hits.length; step++) {
    fixed = step;
    for (const h of hits[step]!) {
      const current = pick[step]!;
      if (h === current) break;
      const other = owner.get(h);
      if (other !== undefined && other < step) continue;
      owner.delete(current);
      owner.set(h, step);
      pick[step] = h;
      // `other`, a later step, lost its event: it must find another (perhaps `current`).
      if (other === undefined || augment(other, new Set())) break;
      owner.set(h, other);
      owner.set(current, step);
      pick[step] = current;
    }
  }
  return pick;
}
