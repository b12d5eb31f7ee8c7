import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT, jsonLines, runCli, runInProcess, type RunResult } from './run.js';

// The HTML report in a real browser (issue 12): Debian's Chromium, driven by playwright-core,
// opens the report of a real scan from a file. One browser launch for the whole file.
const CHROMIUM = '/usr/bin/chromium';
/** Where the screenshot goes; .ci/run prints the path, and .gitignore keeps it out of commits. */
export const ARTIFACTS = join(ROOT, 'artifacts');
const missing = !existsSync(CHROMIUM);
const HOSTILE_HOST = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';

describe('HTML report in Chromium', () => {
  let dir: string;
  let scan: RunResult;
  let browser: Browser | undefined;
  let page: Page;
  const problems: string[] = [];
  const requests: string[] = [];
  let url: string;

  beforeAll(async () => {
    if (missing) return;
    dir = mkdtempSync(join(tmpdir(), 'lkm-report-'));
    const report = join(dir, 'report.html');
    // Several hosts and rules (the bundled kernel-module rules, a query and a threshold rule), a
    // malformed line and a hostile event: markup in host.name, escapes in user.name, a huge value.
    scan = await runCli(['--rules', 'test/fixtures/rules/query_shadow_read.toml', '--rules', 'test/fixtures/rules/threshold_brute_force.toml', '--report', report, 'test/fixtures/report/events.ndjson']);
    url = pathToFileURL(report).href;
    // Flags as the machine's notes give them: no GPU, no background connections to Google's hosts.
    // playwright-core starts it headless with a new empty profile of its own.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(url);
    await page.waitForSelector('html[data-ready="true"]', { state: 'attached', timeout: 10_000 }).catch((e: unknown) => {
      throw new Error(`the report did not draw itself: ${problems.join('; ')}`, { cause: e });
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws the report of a real scan with no console error and no request but the file', async (ctx) => {
    if (missing) {
      if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium package before the tests`);
      ctx.skip(`${CHROMIUM} is missing (apt-get install -y chromium); CI installs it and fails without it`);
    }
    expect(scan.code).toBe(1);
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    expect(await page.locator('#alert-table tbody tr.alert-row').count()).toBe(10);
    const overview = await page.locator('#overview').innerText();
    expect(overview).toMatch(/10\s+alerts/);
    expect(overview).toMatch(/1 malformed/);
    expect(await page.locator('#attack').innerText()).toContain('T1003.008 /etc/passwd and /etc/shadow');
    // One row per host, most alerts first; a long name is cut, whole in its tooltip; each cell says its count.
    expect(await page.locator('#timeline text.tl-label').allTextContents()).toEqual(['all hosts', 'db-02', 'build-7', 'web-01', '</script><script>window._…', 'bastion']);
    expect(await page.locator('#timeline g > title').allTextContents()).toContain(HOSTILE_HOST);
    expect(await page.locator('#timeline rect.tl-cell').count()).toBe(9);
    expect(await page.locator('#timeline rect.tl-cell > title').first().textContent()).toMatch(/^db-02, 2024-05-01 11:00:00Z – 2024-05-01 12:00:00Z: 2 alerts$/);

    // Hostile values are text: no script of theirs ran, no element of theirs exists.
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('[onerror]').count()).toBe(0);
    expect(await page.locator('#alert-table td', { hasText: HOSTILE_HOST }).count()).toBe(1);
    expect(await page.locator('#alert-table td', { hasText: '<b>eve</b>\\u2028\\x1b]0;owned\\x07\\x1b[2J' }).count()).toBe(1);
    expect(await page.locator('#alert-table td', { hasText: 'cat\\u202egnp.exe' }).count()).toBe(1);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    expect(readFileSync(join(ARTIFACTS, 'report.png')).subarray(1, 4).toString()).toBe('PNG');
  });

  it('filters, sorts and expands the alert table', async (ctx) => {
    if (missing) ctx.skip(`${CHROMIUM} is missing`);
    const rows = page.locator('#alert-table tbody tr.alert-row');
    await page.fill('#filter', 'shadow');
    expect(await rows.count()).toBe(4);
    await page.fill('#filter', 'bastion admin');
    expect(await rows.count()).toBe(1);
    expect(await page.locator('#alert-count').innerText()).toBe('1 of 10 alerts');
    await page.fill('#filter', '');
    expect(await rows.count()).toBe(10);

    // Sorted by time at first; the Host header sorts by host, twice reverses.
    const hosts = () => page.locator('#alert-table tbody tr.alert-row td:nth-child(4)').allInnerTexts();
    await page.click('button.sort[data-key="host"]');
    const ascending = await hosts();
    expect(ascending).toEqual([...ascending].sort());
    expect(ascending[0]).toBe(HOSTILE_HOST);
    await page.click('button.sort[data-key="host"]');
    expect(await hosts()).toEqual([...ascending].reverse());
    expect(await page.getAttribute('#alert-table th:nth-child(4)', 'aria-sort')).toBe('descending');

    // The hostile alert expands to its event's fields, with the huge value cut and counted.
    await page.fill('#filter', 'pwned');
    await rows.first().click();
    const detail = page.locator('#alert-table tr.detail-row');
    expect(await detail.count()).toBe(1);
    const text = await detail.innerText();
    expect(text).toContain('process.command_line');
    expect(text).toMatch(/… \(49,016 more characters\)/);
    expect(text).toContain('<script>window.__pwned=3</script>, --><!--');
    await rows.first().click();
    expect(await detail.count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(problems).toEqual([]);
  });

  it('cannot reach the network: its Content-Security-Policy refuses a request', async (ctx) => {
    if (missing) ctx.skip(`${CHROMIUM} is missing`);
    const before = requests.length;
    const outcome = await page.evaluate(() => fetch('http://127.0.0.1:9/').then(() => 'fetched', (e: unknown) => String(e)));
    expect(outcome).toMatch(/TypeError/);
    expect(requests.length).toBe(before);
  });
});

/** The report's data block, read back as the page's script reads it. */
function reportData(html: string): any {
  const json = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)?.[1];
  if (json === undefined) throw new Error('no report data in the document');
  return JSON.parse(json);
}

describe.concurrent('--format html and --report', () => {
  it('--format html writes the report to stdout and the summary to stderr as usual', async () => {
    const r = await runInProcess(['--format', 'html', 'examples/demo.ndjson']);
    expect(r.code).toBe(1);
    expect(r.stdout.startsWith('<!DOCTYPE html>\n')).toBe(true);
    const data = reportData(r.stdout);
    expect(data.totals).toMatchObject({ alerts: 5, rulesAlerted: 2, hosts: 3, lines: 13, files: 1 });
    expect(data.inputs).toEqual([{ name: 'examples/demo.ndjson', lines: 13, events: 10, skipped: 3, malformed: 0, blank: 0, bytes: statSync('examples/demo.ndjson').size, error: null }]);
    expect(r.stderr).toContain('  5 alerts from 2 of 2 rules\n');
  });

  it('--report FILE writes the report beside an unchanged output format', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lkm-report-'));
    try {
      const file = join(dir, 'r.html');
      const plain = await runInProcess(['-q', '--format', 'json', 'examples/demo.ndjson']);
      const both = await runInProcess(['-q', '--format', 'json', '--report', file, 'examples/demo.ndjson']);
      expect(both.code).toBe(1);
      expect(jsonLines(both.stdout)).toEqual(jsonLines(plain.stdout));
      expect(both.stderr).toBe('');
      const data = reportData(readFileSync(file, 'utf8'));
      expect(data.rows).toHaveLength(5);
      expect(data.top.hosts.items.map((h: { name: string }) => h.name)).toEqual(['db-02', 'build-7', 'web-01']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a --report path that cannot be written stops the scan before it starts, with exit 2', async () => {
    const r = await runInProcess(['--report', 'no/such/folder/r.html', 'examples/demo.ndjson']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('lkm-scan: error: --report no/such/folder/r.html: the folder no/such/folder does not exist; nothing was scanned\n');
    const dash = await runInProcess(['--report', '-', 'examples/demo.ndjson']);
    expect(dash.code).toBe(2);
    expect(dash.stderr).toMatch(/--report -: the report goes to a file; --format html writes it to stdout/);
  });

  it('a report that cannot be written after the scan makes it exit 2, after the alerts and the summary', async () => {
    const r = await runInProcess(['--report', '/dev/full', 'examples/demo.ndjson']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Enumeration of Kernel Modules via Proc');
    expect(r.stderr).toMatch(/ {2}5 alerts from 2 of 2 rules\n[^]*\nlkm-scan: error: cannot write --report \/dev\/full: no space left on device \(ENOSPC\)\n$/);
  });

  it('baseline refuses --report: it learns, it does not alert', async () => {
    const r = await runInProcess(['baseline', '--state', 'unused.json', '--report', 'r.html', 'examples/demo.ndjson']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: --report is for scans; baseline prints what it learnt');
  });
});
