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

/** One held event and the rules that want it (their indexes among the hold's takers, in the order they took it). */
interface HeldRecord {
  h: HeldEvent;
  raw: string | undefined;
  takers: number[];
}

/**
 * The events a scan's stateful runners hold for event-time order until the input ends, in one
 * sort for all of them: an event several rules want (a line that matches steps of k sequence
 * rules) is held, written to disk and parsed back once, not k times. Only matching events are
 * held, never the whole input, and not all in memory: they go to a sort that spills to `spill`
 * (state/spillSort.ts) once the scan's sorts hold more than their budget, each written as its
 * takers, its location and its line (`raw`, else its event's JSON), and parsed again when its
 * turn comes. Memory stays flat however many events are held.
 */
export class EventHold {
  private readonly takers: Array<(h: HeldEvent) => void> = [];
  private readonly sorter: SpillSorter<HeldRecord>;
  /**
   * The last event added, kept out of the sort while the rules after the first may still take it
   * (they see it one after another, with the same seq): a run written in between would miss them.
   */
  private pending: HeldRecord | undefined;
  /** Records given to the sort: their third key, since two rules may hold one line at different times. */
  private records = 0;

  constructor(spill: SpillFile) {
    this.sorter = new SpillSorter<HeldRecord>(spill, {
      encode: ({ h, raw, takers }) => `${takers.join(',')}\t${JSON.stringify([h.location.file, h.location.line])}\t${raw ?? stringifyJson(h.event)}`,
      decode(text) {
        // Takers are digits and commas; JSON escapes a tab inside a string: the second tab ends the location.
        const first = text.indexOf('\t');
        const second = text.indexOf('\t', first + 1);
        const takers = text.slice(0, first).split(',').map(Number);
        const where: unknown = JSON.parse(text.slice(first + 1, second));
        if (!Array.isArray(where) || typeof where[0] !== 'string' || typeof where[1] !== 'number') throw new Error('internal: a held event has no location');
        // Time and order are the sort's keys (`flush` gives them back).
        const event = parseJson(text.slice(second + 1)) as EcsEvent;
        return { h: { timeMs: 0, seq: 0, location: { file: where[0], line: where[1] }, event }, raw: undefined, takers };
      },
    });
  }

  /** Events held and not decided yet (one per line, however many rules want it). */
  get size(): number {
    return this.sorter.size + (this.pending === undefined ? 0 : 1);
  }

  /** A rule's way into the hold: `add` holds an event for `decide`, which `flush` calls in event-time order. */
  taker(decide: (h: HeldEvent) => void): (h: HeldEvent, raw?: string) => void {
    const taker = this.takers.length;
    this.takers.push(decide);
    return (h, raw) => {
      const last = this.pending;
      // The same line for another rule, at the same time: one more taker of the same record.
      if (last !== undefined && last.h.seq === h.seq && last.h.timeMs === h.timeMs && last.h.event === h.event) {
        last.takers.push(taker);
        return;
      }
      this.commit();
      this.pending = { h, raw, takers: [taker] };
    };
  }

  /**
   * Decides every held event, in event-time order (ties in input order), for each rule that took
   * it, in the order the rules took it; the hold is empty afterwards. Each rule sees its events
   * in the order a hold of its own would give: the rules' calls interleave, one event at a time.
   */
  flush(): void {
    this.commit();
    for (const { k1: timeMs, k2: seq, value } of this.sorter.drain()) {
      for (const taker of value.takers) {
        const decide = this.takers[taker];
        if (decide === undefined) throw new Error(`internal: a held event names taker ${taker} of ${this.takers.length}`);
        decide({ ...value.h, timeMs, seq });
      }
    }
  }

  private commit(): void {
    const record = this.pending;
    if (record === undefined) return;
    this.pending = undefined;
    const { raw } = record;
    this.sorter.add(record.h.timeMs, record.h.seq, this.records++, record, raw === undefined ? UNKNOWN_EVENT_BYTES : PARSED_BYTES_PER_BYTE * raw.length);
  }
}

/**
 * Feeds events to `decide` in event-time order (ties in input order). Live, they go through as
 * they come; otherwise they wait in the scan's `hold` and are decided when it is flushed, once
 * the input ends (by the first runner to finish, for every rule that holds events).
 */
export function timeOrdered(live: boolean, decide: (h: HeldEvent) => void, hold: EventHold) {
  if (live) return { add: (h: HeldEvent) => decide(h), flush() {} };
  return { add: hold.taker(decide), flush: () => hold.flush() };
}
