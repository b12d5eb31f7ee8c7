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

/** What a parsed event costs in memory for each byte of its line, roughly (V8 objects and strings). */
const PARSED_BYTES_PER_BYTE = 4;
/** The size assumed for an event held without its line. */
const UNKNOWN_EVENT_BYTES = 4096;

/**
 * Feeds events to `decide` in event-time order (ties in input order). Live, they go through as
 * they come; otherwise they are held and sorted at the end. Only matching events are held, never
 * the whole input, and not all in memory: they go to a sort that spills to `spill`
 * (state/spillSort.ts) once the scan's sorts hold more than their budget, each written as its
 * location and line (`raw`, else its event's JSON) and parsed again when its turn comes. Memory
 * stays flat however many events are held.
 */
export function timeOrdered(live: boolean, decide: (h: HeldEvent) => void, spill: SpillFile) {
  const held = new SpillSorter<{ h: HeldEvent; raw: string | undefined }>(spill, {
    encode: ({ h, raw }) => `${JSON.stringify([h.location.file, h.location.line])}\t${raw ?? stringifyJson(h.event)}`,
    decode(text) {
      // JSON escapes a tab inside a string: the first one ends the location.
      const tab = text.indexOf('\t');
      const where: unknown = JSON.parse(text.slice(0, tab));
      if (!Array.isArray(where) || typeof where[0] !== 'string' || typeof where[1] !== 'number') throw new Error('internal: a held event has no location');
      // Time and order are the sort's keys (`drain` gives them back).
      return { h: { timeMs: 0, seq: 0, location: { file: where[0], line: where[1] }, event: parseJson(text.slice(tab + 1)) as EcsEvent }, raw: undefined };
    },
  });
  return {
    add(h: HeldEvent, raw?: string) {
      if (live) decide(h);
      else held.add(h.timeMs, h.seq, 0, { h, raw }, raw === undefined ? UNKNOWN_EVENT_BYTES : PARSED_BYTES_PER_BYTE * raw.length);
    },
    flush() {
      for (const { k1: timeMs, k2: seq, value } of held.drain()) decide({ ...value.h, timeMs, seq });
    },
  };
}
