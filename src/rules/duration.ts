import { msPerUnit } from '../time/duration.js';

/**
 * Length of a relative date-math expression such as `now-5d` or `now-119m` (the form Elastic rules
 * use for `from` and `history_window_start`). Returns undefined for anything else so the caller
 * can name the field in its error.
 */
export function relativeWindowMs(expression: string): number | undefined {
  const m = /^\s*now\s*-\s*(\d+)\s*(ms|s|m|h|d|w)\s*$/.exec(expression);
  const unitMs = msPerUnit(m?.[2]);
  return m && unitMs !== undefined ? Number(m[1]) * unitMs : undefined;
}

/**
 * Length of a rule's `interval` (`5m`, `1h`, `30s`): how often Kibana runs it. Undefined for
 * anything else, so the caller can name the field in its error.
 */
export function intervalMs(text: string): number | undefined {
  const m = /^\s*(\d+)\s*(s|m|h|d)\s*$/.exec(text);
  const unitMs = msPerUnit(m?.[2]);
  return m && unitMs !== undefined && Number(m[1]) > 0 ? Number(m[1]) * unitMs : undefined;
}
