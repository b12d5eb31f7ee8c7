import { parseJson, stringifyJson } from '../../event/json.js';
import type { EcsEvent } from '../../event/types.js';
import { lazyAlert, type Alert } from '../alert.js';

const parseEvent = (line: string) => parseJson(line) as EcsEvent;

/** An alert as one line of a spill sort (state/spillSort.ts): its rule is the holder's to know. */
interface AlertHeader {
  /** file, line */
  l: [string, number];
  t: number | null;
  /** The line after the header is the input line (1), or the event's JSON (0). */
  r: 0 | 1;
  n?: Alert['newTerms'];
  h?: Alert['threshold'];
  s?: Alert['suppression'];
  e?: Array<[string, number, EcsEvent]>;
}

/**
 * One line holding all of an alert but its rule: a JSON header, a tab (JSON escapes those inside
 * strings), and its line or its event's JSON. Numbers beyond 2^53 stay exact (event/json.ts).
 */
export function serializeAlert(alert: Alert): string {
  const raw = alert.raw;
  const header: AlertHeader = { l: [alert.location.file, alert.location.line], t: alert.timeMs ?? null, r: raw === undefined ? 0 : 1 };
  if (alert.newTerms !== undefined) header.n = alert.newTerms;
  if (alert.threshold !== undefined) header.h = alert.threshold;
  if (alert.suppression !== undefined) header.s = alert.suppression;
  if (alert.events !== undefined) header.e = alert.events.map((e) => [e.location.file, e.location.line, e.event]);
  return `${stringifyJson(header)}\t${raw ?? stringifyJson(alert.event)}`;
}

/** The alert of a `serializeAlert` line, for `rule`; its event is parsed only if asked for. */
export function deserializeAlert(text: string, rule: Alert['rule']): Alert {
  const tab = text.indexOf('\t');
  // Written by serializeAlert, in this process: its shape is known.
  const header = parseJson(text.slice(0, tab)) as AlertHeader;
  const line = text.slice(tab + 1);
  const fields: Omit<Alert, 'event'> = { rule, timeMs: header.t ?? undefined, location: { file: header.l[0], line: header.l[1] } };
  if (header.r === 1) fields.raw = line;
  if (header.n !== undefined) fields.newTerms = header.n;
  if (header.h !== undefined) fields.threshold = header.h;
  if (header.s !== undefined) fields.suppression = header.s;
  if (header.e !== undefined) fields.events = header.e.map(([file, l, event]) => ({ event, location: { file, line: l } }));
  return lazyAlert(fields, () => parseEvent(line));
}

/**
 * What an alert held in memory costs, roughly, for the spill sorts' budget: its line twice (the
 * string, and the event parsed from it when something read it), or a guess for each event it holds
 * without one.
 */
export function alertSize(alert: Alert): number {
  const events = alert.events?.length ?? 0;
  return 256 + (alert.raw === undefined ? 4096 : 2 * alert.raw.length) + 4096 * events;
}
