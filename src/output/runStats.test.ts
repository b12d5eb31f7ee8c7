import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as nodeFs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exceptionCounts } from '../exceptions/summary.js';
import { checkStatsPath, renderRunStats, writeRunStats } from './runStats.js';
import { formatSummary, type ScanSummary } from './summary.js';

const summary: ScanSummary = {
  files: 2,
  lines: 120,
  events: 100,
  skipped: 15,
  malformed: 3,
  blank: 2,
  warnings: 1,
  bytes: 40_960,
  inputErrors: 1,
  elapsedMs: 1234.56,
  alertsByRule: [
    { name: 'Chattr', id: 'r1', type: 'eql', severity: 'medium', alerts: 33, untimed: 0, dropped: 0, leftOut: 67 },
    { name: 'Kills', id: 'r2', type: 'threshold', severity: 'low', alerts: 0, untimed: 2, dropped: 5, droppedWhat: 'threshold group' },
    { name: 'S3', id: 'r3', type: 'query', severity: 'high', alerts: 2, untimed: 0, dropped: 0, suppressed: 4, closedEarly: 1 },
  ],
  exceptions: [
    { listId: 'allow', itemId: 'build', name: 'Build hosts', dropped: 3, byRule: [{ id: 'r2', name: 'Kills', dropped: 2 }, { id: 'r1', name: 'Chattr', dropped: 1 }] },
    { listId: 'allow', itemId: 'old', name: 'Old host', dropped: 0, byRule: [] },
  ],
};

describe('renderRunStats', () => {
  it('renders every rule that ran, the inputs and the exception items with snake_case keys, zeros where nothing was counted', () => {
    const doc = JSON.parse(renderRunStats(summary, { version: '9.9.9', exitCode: 2, maxSignals: true }));
    expect(doc).toEqual({
      version: 1,
      lkm_scan: '9.9.9',
      exit_code: 2,
      stopped: null,
      interrupted: null,
      elapsed_ms: 1235,
      max_signals: true,
      inputs: { files: 2, lines: 120, events: 100, skipped_by_prefilter: 15, malformed: 3, blank: 2, warnings: 1, bytes: 40_960, unreadable: 1 },
      alerts: 35,
      rules: [
        { id: 'r1', name: 'Chattr', type: 'eql', severity: 'medium', alerts: 33, left_out: 67, suppressed: 0, closed_early: 0, untimed: 0, dropped: 0, dropped_kind: null },
        { id: 'r2', name: 'Kills', type: 'threshold', severity: 'low', alerts: 0, left_out: 0, suppressed: 0, closed_early: 0, untimed: 2, dropped: 5, dropped_kind: 'threshold_group' },
        { id: 'r3', name: 'S3', type: 'query', severity: 'high', alerts: 2, left_out: 0, suppressed: 4, closed_early: 1, untimed: 0, dropped: 0, dropped_kind: null },
      ],
      exceptions: [
        { list_id: 'allow', item_id: 'build', name: 'Build hosts', dropped: 3, by_rule: { r2: 2, r1: 1 } },
        { list_id: 'allow', item_id: 'old', name: 'Old host', dropped: 0, by_rule: {} },
      ],
      notes: [],
    });
  });

  it('says why the counts may be short: the signal and the input it cut, or what stopped the scan', () => {
    const cut = JSON.parse(
      renderRunStats({ ...summary, interrupted: { signal: 'SIGINT', cutShort: { name: 'big.ndjson', lines: 77 } } }, { version: '1', exitCode: 130, stopped: 'interrupted', maxSignals: false }),
    );
    expect(cut.stopped).toBe('interrupted');
    expect(cut.interrupted).toEqual({ signal: 'SIGINT', cut_short: { input: 'big.ndjson', lines: 77 } });
    expect(cut.max_signals).toBe(false);
    const closed = JSON.parse(renderRunStats({ ...summary, interrupted: { signal: 'SIGTERM' } }, { version: '1', exitCode: 1, stopped: 'output_closed', maxSignals: true }));
    expect(closed.interrupted).toEqual({ signal: 'SIGTERM', cut_short: null });
    expect(closed.stopped).toBe('output_closed');
  });

  it('lists the notes told before the scan, which the text summary does not repeat', () => {
    const noted: ScanSummary = { ...summary, notes: ['1 disabled rule (enabled = false) not run; name one with --rule ID to run it'] };
    expect(JSON.parse(renderRunStats(noted, { version: '1', exitCode: 0, maxSignals: true })).notes).toEqual(['1 disabled rule (enabled = false) not run; name one with --rule ID to run it']);
    expect(formatSummary(noted)).toBe(formatSummary(summary));
  });

  it('keeps names as they are (JSON escapes them), where the text summary makes them printable', () => {
    const named: ScanSummary = { ...summary, alertsByRule: [{ name: 'Bad\u001b[31mName', id: 'x', alerts: 1, untimed: 0 }], exceptions: [] };
    expect(JSON.parse(renderRunStats(named, { version: '1', exitCode: 1, maxSignals: true })).rules[0].name).toBe('Bad\u001b[31mName');
    expect(formatSummary(named)).not.toContain('\u001b');
  });

  it('and the text summary render the same exception counts from the one model', () => {
    const text = formatSummary(summary);
    expect(text).toContain('  exceptions: 3 matching events dropped by 1 of 2 items\n');
    expect(text).toContain('     3  Build hosts [allow/build]  (Kills: 2, Chattr: 1)\n');
    expect(text).toContain('     0  Old host [allow/old]  (stale: dropped nothing)\n');
  });
});

describe('exceptionCounts', () => {
  it('totals each item over its rules, most first (ties by rule id), names the rules, and leaves out rules it dropped nothing from', () => {
    const item = (itemId: string, dropped: Array<[string, number]>) => ({ itemId, name: itemId.toUpperCase(), listId: 'l', matches: () => true, dropped: new Map(dropped) });
    const counts = exceptionCounts(
      [item('a', [['r3', 1], ['r2', 4], ['r1', 1], ['r4', 0]]), item('b', [])],
      new Map([
        ['r1', 'One'],
        ['r2', 'Two'],
      ]),
    );
    expect(counts).toEqual([
      { listId: 'l', itemId: 'a', name: 'A', dropped: 6, byRule: [{ id: 'r2', name: 'Two', dropped: 4 }, { id: 'r1', name: 'One', dropped: 1 }, { id: 'r3', name: 'r3', dropped: 1 }] },
      { listId: 'l', itemId: 'b', name: 'B', dropped: 0, byRule: [] },
    ]);
  });
});

describe('writing --stats', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-stats-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('replaces the file whole and leaves no temporary file', () => {
    const path = join(tmp, 'stats.json');
    writeFileSync(path, 'old');
    expect(writeRunStats(path, '{"new":1}\n', { write: () => true })).toBeUndefined();
    expect(readFileSync(path, 'utf8')).toBe('{"new":1}\n');
    expect(readdirSync(tmp)).toEqual(['stats.json']);
  });

  it('writes - to stderr', () => {
    let written = '';
    expect(writeRunStats('-', '{}\n', { write: (s: string) => (written += s) })).toBeUndefined();
    expect(written).toBe('{}\n');
  });

  it('says why a write failed and leaves the old file as it was', () => {
    const folder = join(tmp, 'full');
    mkdirSync(folder);
    const path = join(folder, 'stats.json');
    writeFileSync(path, 'old');
    const full = {
      ...nodeFs,
      writeSync: () => {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      },
    };
    expect(writeRunStats(path, '{}\n', { write: () => true }, full)).toBe('no space left on device (ENOSPC)');
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(folder)).toEqual(['stats.json']);
  });

  it('checks before the scan that the file can be written: a folder that exists, a path that is not a folder', () => {
    expect(checkStatsPath('-')).toBeUndefined();
    expect(checkStatsPath(join(tmp, 'new.json'))).toBeUndefined();
    expect(checkStatsPath(tmp)).toBe('it is a folder; name a file');
    expect(checkStatsPath(join(tmp, 'missing', 'stats.json'))).toBe(`the folder ${join(tmp, 'missing')} does not exist`);
  });
});
