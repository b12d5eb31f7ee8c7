import { formatCount } from '../text/count.js';

/** What a whole scan read, summed over its inputs (see SourceStats). */
export interface ReadTotals {
  /** Inputs scanned or attempted, including those that could not be read. */
  inputs: number;
  /** Inputs that could not be read (missing, unreadable, a compression lkm-scan cannot decode). */
  unreadable: number;
  lines: number;
  bytes: number;
  events: number;
  skipped: number;
  malformed: number;
  evaluated: number;
}

export interface NothingEvaluated {
  /** One line for stderr: what was read and why no event was evaluated. */
  message: string;
  /** False when `--allow-empty` accepts this: the inputs held no event, but nothing was wrong with them. */
  fails: boolean;
}

/**
 * Judges a scan that evaluated no event: a CI gate that passes on it would pass on a wrong path, a
 * UTF-16 export or a `--since` that excludes everything. Undefined when some event was evaluated.
 * `--allow-empty` accepts inputs that hold no event (empty, blank, `[]`, all outside the time
 * window), never ones that held something other than events (malformed records).
 */
export function judgeNothingEvaluated(t: ReadTotals, options: { windowed: boolean; allowEmpty: boolean }): NothingEvaluated | undefined {
  if (t.evaluated > 0) return undefined;
  const read = `read ${plural(t.inputs, 'input')}${t.bytes > 0 ? ` (${plural(t.lines, 'line')}, ${plural(t.bytes, 'byte')})` : ''}`;
  let why: string;
  let empty = false;
  const found = t.events + t.skipped;
  const them = t.inputs === 1 ? 'it' : 'them';
  if (t.inputs === t.unreadable) {
    why = t.inputs === 1 ? 'it could not be read' : 'none of them could be read';
  } else if (t.malformed > 0) {
    why = found === 0 ? `no event in ${them}, ${plural(t.malformed, 'malformed record')}` : `${plural(t.malformed, 'malformed record')}, and none of the ${plural(found, 'event')} lies within --since/--until`;
  } else if (found > 0 && options.windowed) {
    why = `none of the ${plural(found, 'event')} lies within --since/--until`;
    empty = true;
  } else {
    why = t.bytes === 0 ? (t.inputs === 1 ? 'it is empty' : 'they are empty') : `no event in ${them}`;
    empty = true;
  }
  const fails = !(empty && options.allowEmpty);
  const advice = !fails ? '' : empty ? '; pass --allow-empty if that is expected' : '; see the reports above';
  return { message: `no event was evaluated: ${read}: ${why}${advice}`, fails };
}

function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
}
