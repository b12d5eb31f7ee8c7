import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from './run.js';

// Start-up is most of a small scan's time, and most of start-up is loading modules: a command
// imports what it uses when it runs (src/cli.ts `commands`, output/sink.ts createSink, the options
// of commands/scan.ts). These runs record which of lkm-scan's own files a command really loaded
// (test/support/moduleLog.mjs) and hold it to what the command needs.

const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-startup-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The files of lkm-scan (dist/) and of its packages a run with `args` loaded, as `dist/commands/scan.js`. */
async function loadedBy(name: string, args: string[]): Promise<{ code: number | null; files: string[] }> {
  const log = join(tmp, `${name}.log`);
  const r = await runCli(args, { env: { NODE_OPTIONS: `--import=${JSON.stringify(join(ROOT, 'test/support/moduleLog.mjs'))}`, MODULE_LOG: log } });
  const root = new URL(`file://${ROOT}`).href;
  const files = readFileSync(log, 'utf8')
    .split('\n')
    .filter((url) => url.startsWith(root))
    .map((url) => url.slice(root.length));
  return { code: r.code, files };
}

/** What a plain scan writing json never uses (text would add chalk, for its colours). */
const NOT_FOR_A_PLAIN_SCAN = [
  /^dist\/output\/html\//,
  /^dist\/explain\//,
  /^dist\/ruleTests\//,
  /^dist\/coverage\//,
  /^dist\/output\/(sarif|sarifSink|navigator|elasticSink|color)\.js$/,
  /^dist\/commands\/(baseline|coverage|explain|hunt|ruleTest|rulesExport|rulesList|state|validate)\.js$/,
  /^dist\/state\/(historyFile|termHistory)\.js$/,
  /^dist\/rules\/(kibanaExport|shared)\.js$/,
  /^dist\/parallel\/(reader|protocol|ranges)\.js$/,
  /^node_modules\/(chalk|ndjson)\//,
];

describe.concurrent('what a command loads', () => {
  it('a plain scan loads the scan, not the other commands, formats, the HTML report or the explainer', async () => {
    const { code, files } = await loadedBy('scan', ['--format', 'json', 'examples/demo.ndjson']);
    expect(code).toBe(1);
    expect(files).toEqual(expect.arrayContaining(['dist/cli.js', 'dist/commands/scan.js', 'dist/output/sink.js', 'dist/engine/chain.js', 'node_modules/commander/index.js']));
    expect(files.filter((f) => NOT_FOR_A_PLAIN_SCAN.some((p) => p.test(f)))).toEqual([]);
  });

  it('`lkm-scan rules` loads neither the scan nor the event readers', async () => {
    const { code, files } = await loadedBy('rules', ['rules']);
    expect(code).toBe(0);
    expect(files).toContain('dist/commands/rulesList.js');
    expect(files.filter((f) => /^dist\/(commands\/scan|engine\/(chain|scanner)|input\/(index|events|jsonStream|lines))\.js$/.test(f))).toEqual([]);
  });
});
