import type { EcsEvent } from '../../event/types.js';
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
 * the whole input: memory grows with matches, not with input size.
 */
export function timeOrdered<T extends HeldEvent>(live: boolean, decide: (h: T) => void) {
  const held: T[] = [];
  return {
    add(h: T) {
      if (live) decide(h);
      else held.push(h);
    },
    flush() {
      held.sort((a, b) => a.timeMs - b.timeMs || a.seq - b.seq);
      for (const h of held) decide(h);
      held.length = 0;
    },
  };
}
