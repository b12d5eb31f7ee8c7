import * as nodeFs from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic, type AtomicWriteFs } from '../state/atomicWrite.js';
import type { ScanSummary } from './summary.js';

/** Bumped when a key changes meaning or goes away; new keys may be added within a version. */
export const RUN_STATS_VERSION = 1;

/**
 * Why the counts may cover less than the inputs: a signal, the output's reader went away, a write
 * to the output failed, or --strict stopped at a malformed line. Null when the scan read everything.
 */
export type ScanStop = 'interrupted' | 'output_closed' | 'output_failed' | 'strict';

/** What `--stats` adds to the summary's model: facts about the run, not counts. */
export interface RunFacts {
  version: string;
  exitCode: number;
  stopped?: ScanStop;
  /** False with `--no-max-signals`: then no rule's `left_out` can be above 0. */
  maxSignals: boolean;
}

/**
 * `--stats FILE`: the run's counts as one JSON document (README "Run statistics (--stats)"), from
 * the same ScanSummary the stderr summary prints. Keys are snake_case and always present (0, null
 * or [] when there is nothing to count), so a reader needs no defaults.
 */
export function renderRunStats(s: ScanSummary, run: RunFacts): string {
  const doc = {
    version: RUN_STATS_VERSION,
    lkm_scan: run.version,
    exit_code: run.exitCode,
    stopped: run.stopped ?? null,
    interrupted: s.interrupted
      ? { signal: s.interrupted.signal, cut_short: s.interrupted.cutShort ? { input: s.interrupted.cutShort.name, lines: s.interrupted.cutShort.lines } : null }
      : null,
    elapsed_ms: Math.round(s.elapsedMs),
    max_signals: run.maxSignals,
    inputs: {
      files: s.files,
      lines: s.lines,
      events: s.events,
      skipped_by_prefilter: s.skipped,
      malformed: s.malformed,
      blank: s.blank,
      warnings: s.warnings,
      bytes: s.bytes,
      unreadable: s.inputErrors,
    },
    alerts: s.alertsByRule.reduce((a, r) => a + r.alerts, 0),
    rules: s.alertsByRule.map((r) => ({
      id: r.id,
      name: r.name,
      type: r.type ?? null,
      severity: r.severity ?? null,
      alerts: r.alerts,
      left_out: r.leftOut ?? 0,
      suppressed: r.suppressed ?? 0,
      closed_early: r.closedEarly ?? 0,
      untimed: r.untimed,
      dropped: r.dropped ?? 0,
      // What `dropped` counts; null when nothing was dropped.
      dropped_kind: !r.dropped ? null : r.droppedWhat === 'threshold group' ? 'threshold_group' : 'partial_match',
    })),
    exceptions: (s.exceptions ?? []).map((item) => ({
      list_id: item.listId,
      item_id: item.itemId,
      name: item.name,
      dropped: item.dropped,
      by_rule: Object.fromEntries(item.byRule.map((r) => [r.id, r.dropped])),
    })),
    notes: s.notes ?? [],
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

type StatsFs = AtomicWriteFs & Pick<typeof nodeFs, 'statSync' | 'accessSync' | 'writeFileSync'>;

/**
 * Says before the scan why `--stats PATH` could not be written after it, so a long scan is not
 * wasted: its folder must exist and be writable (the file is replaced by a rename there), and
 * PATH must not be a folder. `-` is stderr.
 */
export function checkStatsPath(path: string, fs: StatsFs = nodeFs): string | undefined {
  if (path === '-') return undefined;
  try {
    const existing = fs.statSync(path, { throwIfNoEntry: false });
    if (existing?.isDirectory()) return 'it is a folder; name a file';
    // A device or a FIFO is written in place (writeRunStats), so it, not its folder, must be writable.
    if (existing !== undefined && !existing.isFile()) {
      fs.accessSync(path, nodeFs.constants.W_OK);
      return undefined;
    }
    const folder = dirname(path);
    if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) return `the folder ${folder} does not exist`;
    fs.accessSync(folder, nodeFs.constants.W_OK);
    return undefined;
  } catch (e) {
    return reason(e);
  }
}

/**
 * Writes the document: `-` to stderr; a regular file (or a new one) through a temporary file and
 * a rename, so a reader never sees half a document; anything else (/dev/stdout, a FIFO) directly,
 * as it cannot be renamed over. Returns why it failed, or undefined.
 */
export function writeRunStats(path: string, text: string, stderr: { write(s: string): unknown }, fs: StatsFs = nodeFs): string | undefined {
  if (path === '-') {
    stderr.write(text);
    return undefined;
  }
  try {
    const existing = fs.statSync(path, { throwIfNoEntry: false });
    if (existing !== undefined && !existing.isFile() && !existing.isDirectory()) fs.writeFileSync(path, text);
    else writeFileAtomic(path, text, fs);
    return undefined;
  } catch (e) {
    return reason(e);
  }
}

function reason(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = 'code' in e && typeof e.code === 'string' ? e.code : undefined;
  const what = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOSPC' ? 'no space left on device' : code === 'ENOENT' ? 'no such file or folder' : code === 'EISDIR' ? 'it is a folder' : e.message;
  return code !== undefined && !what.includes(code) ? `${what} (${code})` : what;
}
