import { parseJson, stringifyJson } from '../../event/json.js';
import type { EcsEvent } from '../../event/types.js';
import type { SpillFile, SpillRef } from '../../state/spillFile.js';
import { lazyAlert, spilledAlert, type Alert, type Location } from '../alert.js';

/** What an alert whose lines are in a spill file is made of, to make it whole again when it is written. */
interface Spilled {
  file: SpillFile;
  fields: Omit<Alert, 'event' | 'raw' | 'events'>;
  ref: SpillRef;
  isRaw: boolean;
  events?: Array<{ location: Location; ref: SpillRef }>;
}

/** The alerts whose lines are in a spill file: spilling them again would only copy them. */
const spilled = new WeakMap<Alert, Spilled>();

const parseEvent = (line: string) => parseJson(line) as EcsEvent;

/**
 * The same alert with its line (or, without one, its event's JSON) and each event of a sequence
 * moved to `file`: an alert held until the end of the input then costs a small object in memory,
 * whatever the size of its events. `written` makes it whole again when it leaves the stages, with
 * the same bytes.
 */
export function spillAlert(alert: Alert, file: SpillFile): Alert {
  if (spilled.has(alert)) return alert;
  const raw = alert.raw;
  const ref = file.put(raw ?? stringifyJson(alert.event));
  const fields: Spilled['fields'] = { rule: alert.rule, timeMs: alert.timeMs, location: alert.location };
  if (alert.newTerms !== undefined) fields.newTerms = alert.newTerms;
  if (alert.threshold !== undefined) fields.threshold = alert.threshold;
  if (alert.suppression !== undefined) fields.suppression = alert.suppression;
  const events = alert.events?.map((e) => ({ location: e.location, ref: file.put(stringifyJson(e.event)) }));
  return register({ file, fields, ref, isRaw: raw !== undefined, events });
}

/** An alert of a line already in `file` (runners/newTerms.ts). */
export function alertOfSpilledLine(fields: Spilled['fields'], file: SpillFile, ref: SpillRef, isRaw: boolean): Alert {
  return register({ file, fields, ref, isRaw });
}

function register(s: Spilled): Alert {
  const { file, events } = s;
  const held: Omit<Alert, 'event' | 'raw'> = { ...s.fields };
  if (events !== undefined) {
    held.events = events.map(({ location, ref }) => ({
      location,
      get event() {
        return parseEvent(file.get(ref));
      },
    }));
  }
  const alert = spilledAlert(held, () => file.get(s.ref), s.isRaw, parseEvent);
  spilled.set(alert, s);
  return alert;
}

/**
 * The alert as it goes to the output: a spilled one read back once, with no tie to the spill
 * file (which closes when the scan ends), its event parsed only if the output asks for it.
 */
export function written(alert: Alert): Alert {
  const s = spilled.get(alert);
  if (s === undefined) return alert;
  const line = s.file.get(s.ref);
  const fields: Omit<Alert, 'event'> = { ...s.fields };
  if (s.isRaw) fields.raw = line;
  if (s.events !== undefined) {
    fields.events = s.events.map(({ location, ref }) => {
      const text = s.file.get(ref);
      let parsed: EcsEvent | undefined;
      return {
        location,
        get event() {
          return (parsed ??= parseEvent(text));
        },
      };
    });
  }
  return lazyAlert(fields, () => parseEvent(line));
}
