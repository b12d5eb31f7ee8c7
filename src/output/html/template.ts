import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ReportData } from './model.js';

/**
 * The report's script, beside this module in src/ and in dist/ (tsc copies it: allowJs), less
 * what tsc appends to it there as to any module: `export {};` and the source map comment, which
 * a classic script cannot hold and a report has no use for.
 */
const CLIENT = readFileSync(new URL('./client.js', import.meta.url), 'utf8')
  .replace(/^export \{\};$/m, '')
  .replace(/^\/\/# sourceMappingURL=.*$/m, '')
  .trimEnd();

const CSS = `
:root { --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --bg: #f6f8fa; --card: #fff; --accent: #2563eb; --warn: #9a6700; --heat: 0.5; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1280px; margin: 0 auto; padding: 16px 20px 40px; }
header h1 { margin: 8px 0 0; font-size: 22px; }
h2 { font-size: 16px; margin: 0 0 10px; }
h3 { font-size: 14px; margin: 0 0 6px; }
h4 { font-size: 13px; margin: 10px 0 4px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin: 14px 0; }
.muted { color: var(--muted); }
.small { font-size: 12px; }
.warn { color: var(--warn); }
.totals { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; }
.stat { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
.stat-value { font-size: 20px; font-weight: 600; overflow-wrap: anywhere; }
.stat-label { color: var(--muted); }
.stat-small { font-size: 13px; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.totals .stat:last-child { grid-column: span 2; }
.stat-note { color: var(--muted); font-size: 12px; }
.notes { color: var(--warn); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.path, td.time { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
td, dd, .tech-name, .top-list li { overflow-wrap: anywhere; }
tr.error td { color: #cf222e; }
details.inputs-box { margin-top: 12px; }
.tl-label { font-size: 11px; fill: var(--fg); }
.tl-other { fill: var(--muted); font-style: italic; }
.tl-axis { font-size: 10px; fill: var(--muted); }
.tl-lane { fill: #eef1f4; }
.tl-cell { fill: var(--accent); }
.tl-bar { fill: #57606a; }
.matrix { display: flex; gap: 8px; overflow-x: auto; padding-bottom: 4px; }
.tactic { flex: 1 0 150px; max-width: 240px; }
.tactic-head { border-bottom: 2px solid var(--fg); margin-bottom: 6px; padding-bottom: 4px; }
.tactic-name { font-weight: 600; }
.technique { border-radius: 5px; padding: 6px 8px; margin-bottom: 6px; background: rgba(207, 34, 46, calc(var(--heat) * 0.55)); border: 1px solid rgba(207, 34, 46, 0.45); }
.tech-name { font-weight: 600; font-size: 12px; }
.tech-count, .subtech { font-size: 12px; }
.subtech { margin-top: 2px; padding-left: 8px; border-left: 2px solid rgba(0, 0, 0, 0.2); }
.tops { display: grid; grid-template-columns: repeat(auto-fit, minmax(250px, 1fr)); gap: 16px; }
.top-list ol { list-style: none; padding: 0; margin: 0; }
.top-list li { padding: 3px 0; border-bottom: 1px solid var(--line); display: flex; flex-wrap: wrap; align-items: baseline; }
.top-list li button.link { flex: 1; min-width: 0; }
.top-list li .small { flex-basis: 100%; padding-left: calc(3.5em + 8px); }
.count { display: inline-block; min-width: 3.5em; text-align: right; margin-right: 8px; font-variant-numeric: tabular-nums; color: var(--muted); }
button.link { background: none; border: none; padding: 0; color: var(--accent); cursor: pointer; font: inherit; text-align: left; }
button.link:hover { text-decoration: underline; }
.sev { display: inline-block; border-radius: 10px; padding: 0 7px; font-size: 11px; font-weight: 600; text-transform: uppercase; margin-left: 6px; }
td .sev { margin-left: 0; }
.sev-low { background: #ddf4ff; color: #0969da; }
.sev-medium { background: #fff8c5; color: #7d4e00; }
.sev-high { background: #ffebe9; color: #cf222e; }
.sev-critical { background: #cf222e; color: #fff; }
.table-bar { display: flex; gap: 12px; align-items: center; margin-bottom: 8px; }
#filter { flex: 1; padding: 6px 10px; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
.table-wrap { overflow-x: auto; }
button.sort { background: none; border: none; padding: 0; font: inherit; font-weight: 600; cursor: pointer; color: var(--fg); }
th[aria-sort="ascending"] button.sort::after { content: " \\25B2"; }
th[aria-sort="descending"] button.sort::after { content: " \\25BC"; }
tr.alert-row { cursor: pointer; }
tr.alert-row:hover, tr.alert-row:focus { background: #f3f6fa; outline: none; }
tr.alert-row[aria-expanded="true"] { background: #eaf1fb; }
td.detail { background: #fbfcfd; padding: 8px 16px 12px; }
dl.fields { display: grid; grid-template-columns: minmax(140px, max-content) 1fr; gap: 2px 16px; margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
dl.fields dt { color: var(--muted); overflow-wrap: anywhere; }
dl.fields dd { margin: 0; white-space: pre-wrap; }
footer { margin-top: 20px; font-size: 12px; }
`;

/**
 * Writes `text` as JSON that is safe inside `<script type="application/json">`: no `<` (so no
 * `</script>` nor `<!--`), `>` and `&` can end or start nothing, and U+2028/U+2029 are escaped
 * for readers that treat them as line ends. JSON.parse reads the escapes back as the characters.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The report as one HTML document: the data as JSON, the script that draws it, the styles, and a
 * Content-Security-Policy that lets only these run (by hash) and forbids every request (no
 * connect, image, font, frame, form or base URL): opened from a file, it never touches a network.
 */
export function renderReport(data: ReportData): string {
  if (/<\/script|<!--/i.test(CLIENT)) throw new Error('internal error: the report script would end its own <script> element');
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(CLIENT)}`,
    `style-src ${sha256(CSS)}`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return (
    '<!DOCTYPE html>\n' +
    '<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    `<meta http-equiv="Content-Security-Policy" content="${csp}">\n` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    '<meta name="referrer" content="no-referrer">\n' +
    '<title>lkm-scan report</title>\n' +
    `<style>${CSS}</style>\n` +
    '</head>\n<body>\n' +
    '<main id="report"><noscript>This report draws itself with its inline script (no network): allow scripts for this file to see it.</noscript></main>\n' +
    `<script type="application/json" id="report-data">${scriptJson(data)}</script>\n` +
    `<script>${CLIENT}</script>\n` +
    '</body>\n</html>\n'
  );
}
