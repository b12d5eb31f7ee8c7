import { parseJson, stringifyJson } from '../../event/json.js';
import type { EcsEvent } from '../../event/types.js';
import type { SpillFile } from '../../state/spillFile.js';
import { SpillSorter } from '../../state/spillSort.js';
import type { Location } from '../alert.js';

/** A matching event waiting for its turn in event-time order. */
export interface HeldEvent {
  timeMs: number;
  seq: number;
  event: EcsEvent;
  location: Location;
}

/**
 * Feeds events to `decide` in event-time order (ties in input order). Live, they go through as
 * they come; otherwise they are held and sorted at the end. Only matching events are held, never
 * the whole input, and not in the heap: each goes, as its line (`raw`, else its event's JSON)
 * and location, to a sort that spills to `spill` (state/spillSort.ts), and is parsed again when
 * its turn comes. Memory stays flat however many events are held.
 */
export function timeOrdered(live: boolean, decide: (h: HeldEvent) => void, spill: SpillFile) {
  const held = new SpillSorter(spill);
  return {
    add(h: HeldEvent, raw?: string) {
      if (live) decide(h);
      else held.add(h.timeMs, h.seq, 0, `${JSON.stringify([h.location.file, h.location.line])}\t${raw ?? stringifyJson(h.event)}`);
    },
    flush() {
      for (const { k1: timeMs, k2: seq, text } of held.drain()) {
        // JSON escapes a tab inside a string: the first one ends the location.
        const tab = text.indexOf('\t');
        const where: unknown = JSON.parse(text.slice(0, tab));
        if (!Array.isArray(where) || typeof where[0] !== 'string' || typeof where[1] !== 'number') throw new Error('internal: a held event has no location');
        decide({ timeMs, seq, location: { file: where[0], line: where[1] }, event: parseJson(text.slice(tab + 1)) as EcsEvent });
      }
    },
  };
}
