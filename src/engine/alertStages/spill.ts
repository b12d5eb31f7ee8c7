import { parseJson, stringifyJson } from '../../event/json.js';
import type { EcsEvent } from '../../event/types.js';
import { fileNameJson, readFileNameJson, lazyAlert, type Alert } from '../alert.js';

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
  const { file, line } = alert.location;
  const t = alert.timeMs;
  // The header of most alerts (no new terms, group, suppression or events) is written by hand:
  // this runs for every alert a sort holds, once or twice. JSON writes a non-finite number as null.
  let header = `{"l":[${fileNameJson(file)},${line}],"t":${t !== undefined && Number.isFinite(t) ? String(t) : 'null'},"r":${raw === undefined ? 0 : 1}`;
  if (alert.newTerms !== undefined) header += `,"n":${stringifyJson(alert.newTerms)}`;
  if (alert.threshold !== undefined) header += `,"h":${stringifyJson(alert.threshold)}`;
  if (alert.suppression !== undefined) header += `,"s":${stringifyJson(alert.suppression)}`;
  if (alert.events !== undefined) header += `,"e":${stringifyJson(alert.events.map((e): [string, number, EcsEvent] => [e.location.file, e.location.line, e.event]))}`;
  return `${header}}\t${raw ?? stringifyJson(alert.event)}`;
}

/** The alert of a `serializeAlert` line, for `rule`; its event is parsed only if asked for. */
export function deserializeAlert(text: string, rule: Alert['rule']): Alert {
  const tab = text.indexOf('\t');
  const line = text.slice(tab + 1);
  const header = plainHeader(text, tab) ?? fullHeader(text.slice(0, tab));
  const fields: Omit<Alert, 'event'> = { rule, timeMs: header.t ?? undefined, location: { file: header.l[0], line: header.l[1] } };
  if (header.r === 1) fields.raw = line;
  if (header.n !== undefined) fields.newTerms = header.n;
  if (header.h !== undefined) fields.threshold = header.h;
  if (header.s !== undefined) fields.suppression = header.s;
  if (header.e !== undefined) fields.events = header.e.map(([file, l, event]) => ({ event, location: { file, line: l } }));
  return lazyAlert(fields, () => parseEvent(line));
}

function fullHeader(text: string): AlertHeader {
  // Written by serializeAlert, in this process: its shape is known.
  return parseJson(text) as AlertHeader;
}

/**
 * The header `{"l":[FILE,LINE],"t":T,"r":R}` (nothing else) of the line's first `tab` characters,
 * read by hand; undefined for any other header. No JSON string holds `],"t":` (its quote would be
 * escaped), so the last one ends the location, whose line number follows its last comma.
 */
function plainHeader(text: string, tab: number): AlertHeader | undefined {
  if (tab < 6 || text.charCodeAt(tab - 1) !== CLOSE_BRACE || !text.startsWith('{"l":[')) return undefined;
  const r = text.charCodeAt(tab - 2) - ZERO;
  if ((r !== 0 && r !== 1) || !text.startsWith(',"r":', tab - 7)) return undefined;
  const locationEnd = text.lastIndexOf('],"t":', tab - 7);
  if (locationEnd < 0) return undefined;
  const comma = text.lastIndexOf(',', locationEnd);
  const t = text.slice(locationEnd + 6, tab - 7);
  const timeMs = t === 'null' ? null : Number(t);
  const lineNumber = Number(text.slice(comma + 1, locationEnd));
  const fileText = text.slice(6, comma);
  const file = readFileNameJson(fileText);
  if (typeof file !== 'string' || !Number.isInteger(lineNumber) || (timeMs !== null && Number.isNaN(timeMs))) return undefined;
  return { l: [file, lineNumber], t: timeMs, r };
}

const CLOSE_BRACE = 0x7d;
const ZERO = 0x30;


/**
 * What an alert held in memory costs, roughly, for the spill sorts' budget: its line twice (the
 * string, and the event parsed from it when something read it), or a guess for each event it holds
 * without one.
 */
export function alertSize(alert: Alert): number {
  const events = alert.events?.length ?? 0;
  return 256 + (alert.raw === undefined ? 4096 : 2 * alert.raw.length) + 4096 * events;
}
