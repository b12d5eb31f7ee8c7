// Holding lines on disk (src/state/spillFile.ts, spillSort.ts) must change nothing but memory: a
// scan whose sorts spill every few kilobytes writes exactly the bytes of one that keeps all in
// memory, for each rule kind, on generated events in a shuffled order (times out of order).
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, mulberry32 } from '../../bench/generate.mjs';
import { createChainedScanner } from '../../src/engine/chain.js';
import { compileRule, type CompiledRule } from '../../src/engine/compileRule.js';
import { parseJson } from '../../src/event/json.js';
import type { EcsEvent } from '../../src/event/types.js';
import { alertJsonLine } from '../../src/output/alertJson.js';
import { isUnsupported, parseRuleText } from '../../src/rules/load.js';
import { SpillFile } from '../../src/state/spillFile.js';
import { runInProcess } from '../e2e/run.js';

const ROOT = join(import.meta.dirname, '../..');
const RULE_FILES = [
  'rules/persistence_creation_of_kernel_module.toml', // query
  'rules/discovery_kernel_module_enumeration_via_proc.toml', // new_terms
  'bench/rules/threshold_file_events_per_host.toml',
  'bench/rules/sequence_ko_then_proc_modules.toml',
];

let tmp: string;
let lines: string[];
let rules: CompiledRule[];

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'lkm-scan-spill-'));
  const file = join(tmp, 'events.ndjson');
  // Every line fires R1 or R2: many held lines, and threshold groups and sequences to decide.
  await generate({ size: 250_000, matchRate: 1, nearMissRate: 0, seed: 11, out: file });
  lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
  const rnd = mulberry32(5);
  for (let i = lines.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  }
  rules = await Promise.all(
    RULE_FILES.map(async (f) => {
      // The threshold a 400 KB file reaches (its lines span seconds, not the bench's hours).
      const text = (await readFile(join(ROOT, f), 'utf8')).replace('value = 20', 'value = 3');
      const loaded = parseRuleText(text, f);
      if (isUnsupported(loaded)) throw new Error(`${f} is not a runnable rule`);
      return compileRule(loaded);
    }),
  );
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

function scan(maxSignals: boolean, spillFile: () => SpillFile): string[] {
  const out: string[] = [];
  const scanner = createChainedScanner(rules, (a) => out.push(alertJsonLine(a)), { live: false, maxSignals, spillFile });
  lines.forEach((raw, i) => scanner.event(parseJson(raw) as EcsEvent, { file: 'events.ndjson', line: i + 1 }, raw));
  scanner.finish();
  return out;
}

describe('held lines on disk', () => {
  for (const maxSignals of [true, false]) {
    it(`give the same alerts, byte for byte, as held in memory (${maxSignals ? 'max_signals' : '--no-max-signals'})`, async () => {
      const inMemory = scan(maxSignals, () => new SpillFile(tmp, Number.MAX_SAFE_INTEGER, 1 << 30));
      const spillDir = join(tmp, `spill-${maxSignals}`);
      await mkdir(spillDir);
      const files: SpillFile[] = [];
      const onDisk = scan(maxSignals, () => {
        const f = new SpillFile(spillDir, 4096, 8192);
        files.push(f);
        return f;
      });
      expect(files.some((f) => f.onDisk)).toBe(true);
      const byRule = (alerts: string[]) => new Set(alerts.map((a) => (JSON.parse(a) as { rule: { name: string } }).rule.name));
      // Every kind alerts, so each kind's held lines went through the disk.
      expect(byRule(inMemory).size).toBe(4);
      expect(onDisk.length).toBeGreaterThan(100);
      expect(onDisk).toEqual(inMemory);
      // Nothing left behind: the temporary file was unlinked as soon as it was opened.
      expect(await readdir(spillDir)).toEqual([]);
    });
  }
});

describe('stdin among files', () => {
  it('has its held lines kept and decided like a file\'s (the scan is not live, nothing is read twice)', async () => {
    const half = Math.floor(lines.length / 2);
    const a = join(tmp, 'a.ndjson');
    const b = join(tmp, 'b.ndjson');
    await writeFile(a, lines.slice(0, half).join('\n') + '\n');
    const bText = lines.slice(half).join('\n') + '\n';
    await writeFile(b, bText);
    const args = ['--format', 'json', '--quiet', '--no-max-signals'];
    const files = await runInProcess([...args, a, b]);
    const withStdin = await runInProcess([...args, a, '-'], { stdin: bText });
    expect(files.code).toBe(1);
    expect(withStdin.code).toBe(1);
    expect(withStdin.stdout.split('\n').length).toBeGreaterThan(100);
    expect(withStdin.stdout).toBe(files.stdout.replaceAll(JSON.stringify(b), JSON.stringify('<stdin>')));
  });
});
