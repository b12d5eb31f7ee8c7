import type { CompiledRule } from '../engine/compileRule.js';
import type { NewTermsRule } from '../rules/types.js';
import { checkStateWritable, readTermHistory, StateFileError, writeTermHistory } from '../state/historyFile.js';
import { bindTermHistory, countTerms, pruneTermHistory, type RuleTermHistory, type TermHistory } from '../state/termHistory.js';
import type { CliIO } from './io.js';
import { formatCount } from '../text/count.js';

/**
 * How often a scan of stdin saves its history while it runs, besides at the end: a crash or a
 * `kill -9` then loses at most a minute of history, and a busy stream is not slowed by writes.
 * LKM_SCAN_STATE_SAVE_MS overrides it (for tests).
 */
export const AUTOSAVE_INTERVAL_MS = 60_000;

function autosaveInterval(env: NodeJS.ProcessEnv): number {
  const ms = Number(env.LKM_SCAN_STATE_SAVE_MS);
  return Number.isInteger(ms) && ms > 0 ? ms : AUTOSAVE_INTERVAL_MS;
}

/** The `--state FILE` of one scan: loaded before anything is read, saved at the normal end. */
export class ScanState {
  private saveFailed = false;
  private failureReported = false;
  private forgotten = 0;

  private constructor(
    readonly path: string,
    private readonly history: TermHistory,
    private readonly firstRun: boolean,
    private readonly rememberedAtStart: number,
  ) {}

  /**
   * Reads the state for a run of `rules`. On an unusable file prints why and what to do and
   * returns undefined: the caller scans nothing and exits 2, and the file is not touched.
   */
  static open(path: string, rules: readonly CompiledRule[], io: CliIO): ScanState | undefined {
    let loaded: TermHistory | undefined;
    try {
      loaded = readTermHistory(path);
      checkStateWritable(path);
    } catch (e) {
      if (!(e instanceof StateFileError)) throw e;
      io.stderr.write(e.format());
      return undefined;
    }
    const history: TermHistory = loaded ?? new Map<string, RuleTermHistory>();
    const rememberedAtStart = countTerms(history);
    for (const r of bindTermHistory(history, newTermsRules(rules))) {
      io.stderr.write(
        `lkm-scan: note: state ${path}: rule "${r.name}" now takes its terms from ${r.now.join(', ')} (was ${r.before.join(', ')}); its history starts over\n`,
      );
    }
    return new ScanState(path, history, loaded === undefined, rememberedAtStart);
  }

  /** For the scanner: each rule's remembered sightings, which its runner updates in place. */
  get termHistory(): ReadonlyMap<string, Map<string, number>> {
    return new Map([...this.history].map(([id, rule]) => [id, rule.lastSeen]));
  }

  /** How many terms a rule remembers now. */
  termsOf(ruleId: string): number {
    return this.history.get(ruleId)?.lastSeen.size ?? 0;
  }

  /** Forgets what no window can use any more and writes the file; false (after saying why) on failure. */
  save(io: CliIO): boolean {
    this.forgotten += pruneTermHistory(this.history);
    try {
      writeTermHistory(this.path, this.history);
      this.saveFailed = false;
      return true;
    } catch (e) {
      if (!(e instanceof StateFileError)) throw e;
      // One message per scan: a stream saving every minute onto a full disk should not flood.
      if (!this.failureReported) io.stderr.write(e.format());
      this.failureReported = true;
      this.saveFailed = true;
      return false;
    }
  }

  /** Saves every `intervalMs` while a live scan runs; returns the function that stops it. */
  autosave(io: CliIO, intervalMs = autosaveInterval(io.env)): () => void {
    const timer = setInterval(() => this.save(io), intervalMs);
    // The timer must not keep the process alive once the input ends.
    timer.unref();
    return () => clearInterval(timer);
  }

  /** True when the latest save failed: this run's history is not on disk, so the result is incomplete. */
  get failed(): boolean {
    return this.saveFailed;
  }

  /** The summary's line about the history read at the start. */
  describeStart(): string {
    if (this.firstRun) return `state: ${this.path} does not exist yet; starting a new history (first run)\n`;
    return `state: read ${plural(this.rememberedAtStart, 'remembered term')} from ${this.path}\n`;
  }

  /** The summary's line after the final save. */
  describeSaved(): string {
    const rules = [...this.history.values()].filter((r) => r.lastSeen.size > 0).length;
    const forgotten = this.forgotten > 0 ? ` (${plural(this.forgotten, 'term')} last seen longer than the rule's window ago forgotten)` : '';
    return `state: saved ${plural(countTerms(this.history), 'term')} of ${plural(rules, 'rule')} to ${this.path}${forgotten}\n`;
  }
}

export function newTermsRules(rules: readonly CompiledRule[]): NewTermsRule[] {
  return rules.flatMap((c) => (c.rule.type === 'new_terms' ? [c.rule] : []));
}

/**
 * `lkm-scan baseline` runs only the new_terms rules of the selection: the others have nothing
 * to learn. Prints an error and returns undefined when none is left.
 */
export function baselineRules(rules: CompiledRule[], io: CliIO): CompiledRule[] | undefined {
  const kept = rules.filter((c) => c.rule.type === 'new_terms');
  if (kept.length === 0) {
    io.stderr.write('lkm-scan: error: baseline: none of the selected rules is a new_terms rule, so there is nothing to learn; check --rule, --tag and --rules\n');
    return undefined;
  }
  return kept;
}

/** What `lkm-scan baseline` prints: per rule, the terms it met for the first time and how many it knows. */
export function formatBaselineSummary(
  rules: readonly CompiledRule[],
  newTerms: (ruleId: string) => number,
  state: ScanState,
  scanned: { events: number; inputs: number },
): string {
  const rows = rules.map((c) => ({ name: c.rule.name, fresh: newTerms(c.rule.id), known: state.termsOf(c.rule.id) }));
  const fresh = rows.reduce((n, r) => n + r.fresh, 0);
  const lines = [
    `baseline: learnt ${plural(fresh, 'new term')} for ${plural(rows.length, 'new_terms rule')} from ${plural(scanned.events, 'event')} in ${plural(scanned.inputs, 'input')}; nothing is reported as an alert`,
  ];
  const width = Math.max(...rows.map((r) => String(r.fresh).length));
  for (const r of rows.sort((a, b) => b.fresh - a.fresh || a.name.localeCompare(b.name))) {
    lines.push(`  ${String(r.fresh).padStart(width)} new, ${r.known} remembered  ${r.name}`);
  }
  return lines.join('\n') + '\n';
}

function plural(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? '' : 's'}`;
}
