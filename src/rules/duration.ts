const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/**
 * Length of a relative date-math expression such as `now-5d` or `now-119m` (the form Elastic rules
 * use for `from` and `history_window_start`). Returns undefined for anything else so the caller
 * can name the field in its error.
 */
export function relativeWindowMs(expression: string): number | undefined {
  const m = /^\s*now\s*-\s*(\d+)\s*(ms|s|m|h|d|w)\s*$/.exec(expression);
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}
