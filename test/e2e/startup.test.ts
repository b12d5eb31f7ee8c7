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

/** The files under dist/ a run of lkm-scan with `args` loaded, as `commands/scan.js`. */
async function loadedBy(name: string, args: string[]): Promise<{ code: number | null; files: string[] }> {
  const log = join(tmp, `${name}.log`);
  const r = await runCli(args, { env: { NODE_OPTIONS: `--import=${join(ROOT, 'test/support/moduleLog.mjs')}`, MODULE_LOG: log } });
  const dist = new URL('dist/', `file://${ROOT}`).href;
  const files = readFileSync(log, 'utf8')
    .split('\n')
    .filter((url) => url.startsWith(dist))
    .map((url) => url.slice(dist.length));
  return { code: r.code, files };
}

/** What a plain scan writing text or json never uses. */
const NOT_FOR_A_PLAIN_SCAN = [
  /^output\/html\//,
  /^explain\//,
  /^ruleTests\//,
  /^coverage\//,
  /^output\/(sarif|sarifSink|navigator|elasticSink)\.js$/,
  /^commands\/(baseline|coverage|explain|hunt|ruleTest|rulesExport|rulesList|state|validate)\.js$/,
  /^state\/(historyFile|termHistory)\.js$/,
  /^rules\/kibanaExport\.js$/,
];

describe.concurrent('what a command loads', () => {
  it('a plain scan loads the scan, not the other commands, formats, the HTML report or the explainer', async () => {
    const { code, files } = await loadedBy('scan', ['--format', 'json', 'examples/demo.ndjson']);
    expect(code).toBe(1);
    expect(files).toEqual(expect.arrayContaining(['cli.js', 'commands/scan.js', 'output/sink.js', 'engine/chain.js']));
    expect(files.filter((f) => NOT_FOR_A_PLAIN_SCAN.some((p) => p.test(f)))).toEqual([]);
  });

  it('`lkm-scan rules` loads neither the scan nor the event readers', async () => {
    const { code, files } = await loadedBy('rules', ['rules']);
    expect(code).toBe(0);
    expect(files).toContain('commands/rulesList.js');
    expect(files.filter((f) => /^commands\/scan\.js$|^engine\/(chain|scanner)\.js$|^input\/(index|events|jsonStream|lines)\.js$/.test(f))).toEqual([]);
  });
});
