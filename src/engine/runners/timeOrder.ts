import { parseJson, stringifyJson } from '../../event/json.js';
import type { EcsEvent } from '../../event/types.js';
import type { SpillFile, SpillRef } from '../../state/spillFile.js';
import type { Location } from '../alert.js';

/** A matching event waiting for its turn in event-time order. */
export interface HeldEvent {
  timeMs: number;
  seq: number;
  event: EcsEvent;
  location: Location;
}

/** What is held of an event in the heap: its line is in the spill file. */
interface Spilled {
  timeMs: number;
  seq: number;
  location: Location;
  ref: SpillRef;
}

/**
 * Feeds events to `decide` in event-time order (ties in input order). Live, they go through as
 * they come; otherwise they are held and sorted at the end. Only matching events are held, never
 * the whole input, and each as a few numbers: its line (`raw`, else its event's JSON) goes to
 * `spill` and is parsed again when its turn comes, so a parsed event (several times its line's
 * size) lives only while it is decided.
 */
export function timeOrdered(live: boolean, decide: (h: HeldEvent) => void, spill: SpillFile) {
  const held: Spilled[] = [];
  return {
    add(h: HeldEvent, raw?: string) {
      if (live) decide(h);
      else held.push({ timeMs: h.timeMs, seq: h.seq, location: h.location, ref: spill.put(raw ?? stringifyJson(h.event)) });
    },
    flush() {
      held.sort((a, b) => a.timeMs - b.timeMs || a.seq - b.seq);
      for (const { timeMs, seq, location, ref } of held) decide({ timeMs, seq, location, event: parseJson(spill.get(ref)) as EcsEvent });
      held.length = 0;
    },
  };
}
