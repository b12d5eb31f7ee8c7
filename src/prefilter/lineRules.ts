/**
 * Which rules a line may match, as the prefilter tells from its raw bytes (issue 11). The rule
 * index (engine/dispatch.ts) offers a parsed event only the rules it selects that are also here,
 * so a rule whose needles are not in the line is never run on it, even when the line is parsed
 * for other rules (a rule without any needle makes every line parsed).
 *
 * Rule numbers are indices into the list of needs the prefilter was compiled from, which is the
 * scanner's list of rules.
 */
export interface LineRules {
  /**
   * The rules, in no particular order, whose need the line meets (prefilter/needles.ts); undefined when the
   * line may match every rule (a `\u` escape in it may spell a needle's character).
   */
  readonly listed: readonly number[] | undefined;
  /**
   * `free[i] === 1`: rule `i` is offered every parsed line without a look at its need: it has no
   * needle, or its needles are on so many lines that checking them costs more than they save
   * (decided per input from a sample, compile.ts). Shared by every line: read, never written.
   */
  readonly free: Uint8Array;
}

/** Whether rule `rule` may match a line with `rules`. */
export function lineMayMatchRule(rules: LineRules, rule: number): boolean {
  return rules.free[rule] === 1 || rules.listed === undefined || rules.listed.includes(rule);
}
