// The bench generator declares, by construction, how many alerts each rule must raise on its file
// (independently checked in test/bench-generator.test.ts). lkm-scan must raise exactly those, with
// the prefilter and without: escapes, dotted keys and near misses are all in the file.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../bench/generate.mjs';
import { jsonLines, runInProcess } from './run.js';

let dir: string;
let file: string;
let expected: { alerts: Record<string, number>; lines: number };
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lkm-bench-counts-'));
  file = join(dir, 'bench.ndjson');
  await generate({ size: 3_000_000, matchRate: 0.05, nearMissRate: 0.3, seed: 7, out: file });
  expected = JSON.parse(await readFile(`${file}.expected.json`, 'utf8'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function countByRule(stdout: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of jsonLines(stdout)) counts[a.rule.id] = (counts[a.rule.id] ?? 0) + 1;
  return counts;
}

describe.concurrent('alerts on the bench generator’s file', () => {
  it.each([[[]], [['--no-prefilter']]])('are the counts it declares (flags %j)', async (flags) => {
    const r = await runInProcess(['--format', 'json', ...flags, file]);
    expect(r.code).toBe(1);
    expect(countByRule(r.stdout)).toEqual(expected.alerts);
    expect(r.stderr).toContain(`${expected.lines.toLocaleString('en-US')} lines`);
  });
});
