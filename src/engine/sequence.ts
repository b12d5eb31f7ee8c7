import { readJoinKey, type CompiledEql, type JoinKey } from '../eql/compile.js';
import { stringifyJson } from '../event/json.js';
import type { EcsEvent, Predicate } from '../event/types.js';
import type { Location } from './alert.js';

export type CompiledSequence = Extract<CompiledEql, { kind: 'sequence' }>;

/**
 * How many join keys one sequence rule may hold state for at once. Beyond it the least recently
 * started key is dropped (and counted): a hostile or merely huge input with millions of distinct
 * `process.entity_id` values must not exhaust memory. Keys whose partial sequences expired (older
 * than maxspan) are swept first, so with a maxspan only a burst of that many live keys hits the cap.
 */
export const MAX_PENDING_KEYS = 100_000;

/** One event as the sequence sees it: `timeMs` is its `@timestamp` (SPEC §A.9), `seq` its input order. */
export interface SequenceEvent {
  event: EcsEvent;
  location: Location;
  timeMs: number;
  seq: number;
}

/** A partial sequence: the events of its positive steps so far, and what the missing-event checks need. */
interface Partial {
  events: SequenceEvent[];
  startMs: number;
  lastMs: number;
  /** Latest leading `![q]` event of this key strictly before the first event, or null. */
  leadingMs: number | null;
  /** Earliest `![q]` event of the gap after the last event so far (strictly later), or null. */
  gapMissMs: number | null;
}

/** A complete sequence waiting until no trailing `![q]` event can still come for it. */
interface Candidate {
  key: string;
  partial: Partial;
  firstTrailingMs: number | null;
}

interface KeyState {
  /** `states[i]`: the pending partial whose last event matched positive step i (one per state). */
  states: Array<Partial | undefined>;
  /** The two latest distinct times of a leading `![q]` event for this key (last > prev). */
  leadingLast: number | null;
  leadingPrev: number | null;
}

interface Step {
  predicate: Predicate;
  keys: JoinKey[];
}

/**
 * Runs one EQL sequence over events given in `@timestamp` order (ties in input order), the way
 * Elasticsearch's sequence matcher does (SPEC §A.9):
 *
 * - `with runs=N` is the step written N times.
 * - For each join key and state one partial sequence is pending: an event of step i+1 takes the
 *   pending partial of step i (Elasticsearch keeps the latest one before it and drops older ones),
 *   so a newer partial replaces an older one in the same state. A partial taken but then rejected
 *   (maxspan exceeded, missing event in its gap) is gone; no older one is tried.
 * - One event can advance a partial and start a new one, but never fills two steps of the same
 *   sequence: steps are tried from the last to the first.
 * - `until` drops every pending partial of its key, before the same event is matched as a step.
 * - Missing events `![q]` are decided as Elasticsearch does after finding the positive events:
 *   between two positive events, any such event strictly between their timestamps rejects the
 *   sequence; before the first / after the last one, the latest leading event before the first
 *   positive one and the earliest trailing event after the last one are compared with maxspan (see
 *   `acceptMissing`). A complete sequence with trailing `![q]` is held until maxspan after its
 *   first event has passed (or the input ends).
 */
export class SequenceState {
  private readonly positives: Step[] = [];
  /** `gaps[g]`: the missing steps before positive step g; `gaps[positives.length]`: after the last. */
  private readonly gaps: Step[][] = [[]];
  private readonly until: Step | null;
  private readonly maxspanMs: number;
  private readonly keys = new Map<string, KeyState>();
  private readonly awaiting: Candidate[] = [];
  private awaitingHead = 0;
  private readonly awaitingByKey = new Map<string, Candidate[]>();
  private watermarkMs = -Infinity;
  private sinceSweep = 0;
  /** Sweep after as many events as there were keys at the last sweep: amortised O(1) per event. */
  private sweepEvery = 1024;
  /** Partial sequences dropped because of the key cap (never because they expired). */
  dropped = 0;

  constructor(
    query: CompiledSequence,
    private readonly maxKeys = MAX_PENDING_KEYS,
  ) {
    for (const step of query.steps) {
      if (step.missing) {
        this.gaps[this.gaps.length - 1]!.push({ predicate: step.predicate, keys: step.keys });
        continue;
      }
      for (let i = 0; i < step.runs; i++) {
        this.positives.push({ predicate: step.predicate, keys: step.keys });
        this.gaps.push([]);
      }
    }
    this.until = query.until;
    this.maxspanMs = query.maxspanMs ?? Infinity;
  }

  /** How many join keys hold state (for tests and the cap). */
  get pendingKeys(): number {
    return this.keys.size;
  }

  /** Feeds the next event; returns the sequences decided now, each as its positive events in order. */
  observe(h: SequenceEvent): SequenceEvent[][] {
    const out: SequenceEvent[][] = [];
    if (h.timeMs > this.watermarkMs) this.watermarkMs = h.timeMs;
    this.release(out, false);
    if (++this.sinceSweep > this.sweepEvery) this.sweep();

    if (this.until && this.until.predicate(h.event)) {
      const key = keyOf(this.until.keys, h.event);
      const state = key === null ? undefined : this.keys.get(key);
      if (state) state.states.fill(undefined);
    }
    this.observeMissing(h);

    const last = this.positives.length - 1;
    for (let p = last; p >= 0; p--) {
      const step = this.positives[p]!;
      if (!step.predicate(h.event)) continue;
      const key = keyOf(step.keys, h.event);
      if (key === null) continue;
      if (p === 0) {
        const state = this.keyState(key, true)!;
        const partial: Partial = { events: [h], startMs: h.timeMs, lastMs: h.timeMs, leadingMs: leadingBefore(state, h.timeMs), gapMissMs: null };
        if (last === 0) this.complete(key, partial, out);
        else state.states[0] = partial;
        continue;
      }
      const state = this.keys.get(key);
      const prev = state?.states[p - 1];
      if (!state || !prev) continue;
      state.states[p - 1] = undefined;
      if (h.timeMs - prev.startMs > this.maxspanMs) continue;
      if (prev.gapMissMs !== null && prev.gapMissMs < h.timeMs) continue;
      const next: Partial = { ...prev, events: [...prev.events, h], lastMs: h.timeMs, gapMissMs: null };
      if (p === last) this.complete(key, next, out);
      else state.states[p] = next;
    }
    return out;
  }

  /** The input ended: every held sequence is decided with what was seen. */
  finish(): SequenceEvent[][] {
    const out: SequenceEvent[][] = [];
    this.release(out, true);
    this.keys.clear();
    return out;
  }

  private observeMissing(h: SequenceEvent): void {
    const lastGap = this.positives.length;
    for (let g = 0; g <= lastGap; g++) {
      for (const step of this.gaps[g]!) {
        if (!step.predicate(h.event)) continue;
        const key = keyOf(step.keys, h.event);
        if (key === null) continue;
        if (g === 0) {
          const state = this.keyState(key, true)!;
          if (state.leadingLast === null || h.timeMs > state.leadingLast) {
            state.leadingPrev = state.leadingLast;
            state.leadingLast = h.timeMs;
          }
        } else if (g === lastGap) {
          for (const c of this.awaitingByKey.get(key) ?? []) {
            if (h.timeMs > c.partial.lastMs && c.firstTrailingMs === null) c.firstTrailingMs = h.timeMs;
          }
        } else {
          const partial = this.keys.get(key)?.states[g - 1];
          if (partial && h.timeMs > partial.lastMs && partial.gapMissMs === null) partial.gapMissMs = h.timeMs;
        }
      }
    }
  }

  private complete(key: string, partial: Partial, out: SequenceEvent[][]): void {
    if (this.gaps[this.positives.length]!.length === 0) {
      if (this.acceptMissing(partial, null)) out.push(partial.events);
      return;
    }
    const candidate: Candidate = { key, partial, firstTrailingMs: null };
    this.awaiting.push(candidate);
    const list = this.awaitingByKey.get(key);
    if (list) list.push(candidate);
    else this.awaitingByKey.set(key, [candidate]);
  }

  /**
   * Emits held sequences, in completion order, once no trailing event can still reject them:
   * every later event is at or after the watermark, beyond maxspan from their first event.
   */
  private release(out: SequenceEvent[][], all: boolean): void {
    while (this.awaitingHead < this.awaiting.length) {
      const c = this.awaiting[this.awaitingHead]!;
      if (!all && !(this.watermarkMs - c.partial.startMs > this.maxspanMs)) break;
      this.awaitingHead++;
      const list = this.awaitingByKey.get(c.key)!;
      list.shift();
      if (list.length === 0) this.awaitingByKey.delete(c.key);
      if (this.acceptMissing(c.partial, c.firstTrailingMs)) out.push(c.partial.events);
    }
    if (this.awaitingHead > 1024 && this.awaitingHead * 2 > this.awaiting.length) {
      this.awaiting.splice(0, this.awaitingHead);
      this.awaitingHead = 0;
    }
  }

  /**
   * Elasticsearch's decision on leading and trailing `![q]` (TumblingWindow, missing events): with
   * only leading ones, reject when the latest leading event is within maxspan of the last positive
   * event; with only trailing ones, when the earliest trailing event is within maxspan of the first;
   * with both, only when a leading and a trailing event are both found within maxspan of each other.
   */
  private acceptMissing(partial: Partial, trailing: number | null): boolean {
    const hasLeading = this.gaps[0]!.length > 0;
    const hasTrailing = this.gaps[this.positives.length]!.length > 0;
    const leading = partial.leadingMs;
    if (hasLeading && hasTrailing) return leading === null || trailing === null || trailing - leading > this.maxspanMs;
    if (hasLeading) return leading === null || partial.lastMs - leading > this.maxspanMs;
    if (hasTrailing) return trailing === null || trailing - partial.startMs > this.maxspanMs;
    return true;
  }

  private keyState(key: string, create: boolean): KeyState | undefined {
    let state = this.keys.get(key);
    if (state && create) {
      // Touched again: move it to the young end, so the cap drops idle keys first.
      this.keys.delete(key);
      this.keys.set(key, state);
    }
    if (state || !create) return state;
    if (this.keys.size >= this.maxKeys) {
      this.sweep();
      while (this.keys.size >= this.maxKeys) this.evictOldest();
    }
    state = { states: new Array<Partial | undefined>(Math.max(0, this.positives.length - 1)).fill(undefined), leadingLast: null, leadingPrev: null };
    this.keys.set(key, state);
    return state;
  }

  private evictOldest(): void {
    const oldest = this.keys.entries().next();
    if (oldest.done) return;
    const [key, state] = oldest.value;
    this.dropped += state.states.filter(Boolean).length;
    this.keys.delete(key);
  }

  /**
   * Forgets what can no longer matter: a partial whose first event is more than maxspan before the
   * watermark can never complete, and a leading `![q]` event that old can no longer reject anything
   * (every future sequence ends at or after the watermark). Without maxspan nothing expires.
   */
  private sweep(): void {
    this.sinceSweep = 0;
    if (this.maxspanMs === Infinity) return;
    const horizon = this.watermarkMs - this.maxspanMs;
    for (const [key, state] of this.keys) {
      let live = false;
      for (const [i, p] of state.states.entries()) {
        if (p && p.startMs < horizon) state.states[i] = undefined;
        else if (p) live = true;
      }
      if (state.leadingPrev !== null && state.leadingPrev < horizon) state.leadingPrev = null;
      if (state.leadingLast !== null && state.leadingLast < horizon) state.leadingLast = null;
      if (!live && state.leadingLast === null) this.keys.delete(key);
    }
    this.sweepEvery = Math.max(1024, this.keys.size);
  }
}

/** The latest leading `![q]` time strictly before `timeMs` (Elasticsearch's range is `lt`). */
function leadingBefore(state: KeyState, timeMs: number): number | null {
  if (state.leadingLast !== null && state.leadingLast < timeMs) return state.leadingLast;
  if (state.leadingPrev !== null && state.leadingPrev < timeMs) return state.leadingPrev;
  return null;
}

/**
 * A map key for the join key tuple, typed (5 and "5" differ) and exact (9007199254740993 and
 * 9007199254740992 differ, event/json.ts); null when a required key is missing.
 */
export function keyOf(keys: readonly JoinKey[], event: EcsEvent): string | null {
  const tuple = readJoinKey(keys, event);
  return tuple === null ? null : stringifyJson(tuple);
}
