import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run.js';

// Defect 4 of issue 7: values from events, rule files and file names are hostile text. Nothing a
// terminal acts on may reach it from them (src/text/printable.ts); JSON output keeps them exact.
const TERMINAL_CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const demo = JSON.parse(
  '{"@timestamp":"2024-05-01T10:00:00Z","event":{"category":["file"],"type":["creation"],"action":"creation"},"host":{"name":"web-01","os":{"type":"linux"}},' +
    '"file":{"path":"/lib/modules/x.ko","extension":"ko"},"process":{"name":"insmod","executable":"/usr/sbin/insmod","pid":1}}',
);
const hostile = {
  ...demo,
  host: { name: 'evil\x1b]0;pwned\x07\x1b[2J\u202eexe.txt', os: { type: 'linux' } },
  file: { path: '/lib/modules/x\r\n  rule     forged line\x9b31m.ko', extension: 'ko' },
  user: { name: 'root\x00\x7f' },
};

function withoutLineBreaks(text: string) {
  return text.replace(/\n/g, '');
}

describe.concurrent('hostile text on the terminal', () => {
  it('escapes control characters of event values in text alerts and the summary, and keeps them exact in JSON', async () => {
    const input = JSON.stringify(hostile) + '\n';
    const [text, json] = await Promise.all([
      runCli(['--rule', '947827c6', '-'], { stdin: input }),
      runCli(['--rule', '947827c6', '--format', 'json', '-'], { stdin: input }),
    ]);
    expect(text.code).toBe(1);
    expect(withoutLineBreaks(text.stdout)).not.toMatch(TERMINAL_CONTROLS);
    expect(withoutLineBreaks(text.stderr)).not.toMatch(TERMINAL_CONTROLS);
    expect(text.stdout).toContain('  host     evil\\x1b]0;pwned\\x07\\x1b[2J\\u202eexe.txt (linux)\n');
    expect(text.stdout).toContain('  file     /lib/modules/x\\r\\n  rule     forged line\\x9b31m.ko\n');
    expect(text.stdout).toContain('  user     root\\x00\\x7f\n');
    // The forged "rule" line is not a line of its own: only the real one starts that way.
    expect(text.stdout.match(/^ {2}rule {5}/gm)).toHaveLength(1);
    expect(text.stderr).toContain('evil\\x1b]0;pwned\\x07\\x1b[2J\\u202eexe.txt\n');

    expect(JSON.parse(json.stdout).document.host.name).toBe(hostile.host.name);
  });

  it('escapes input file names in locations and error lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lkm-escape-'));
    const file = join(dir, 'a\x1b[2Jb\r.ndjson');
    writeFileSync(file, `${JSON.stringify(demo)}\nnot json\n`);
    const r = await runCli(['--rule', '947827c6', file, join(dir, 'gone\x1b]0;x\x07.ndjson')]);
    expect(r.code).toBe(2);
    expect(withoutLineBreaks(r.stdout + r.stderr)).not.toMatch(TERMINAL_CONTROLS);
    expect(r.stdout).toContain('a\\x1b[2Jb\\r.ndjson:1');
    expect(r.stderr).toContain('a\\x1b[2Jb\\r.ndjson:2: invalid JSON');
    expect(r.stderr).toMatch(/gone\\x1b\]0;x\\x07\.ndjson: .*no such file/i);
  });

  it('escapes rule-file text in rules, rules show, validate and rule errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lkm-escape-'));
    const rule = (name: string, query: string, id: string) => `[metadata]
maturity = "production"

[rule]
name = "${name}"
rule_id = "${id}"
type = "query"
language = "kuery"
severity = "low"
risk_score = 21
tags = ["Evil \\u001b[2J tag"]
description = "Line one\\r\\u001b]0;t\\u0007\\nline two"
query = """
${query}
"""
`;
    writeFileSync(join(dir, 'good.toml'), rule('Evil \\u001b]0;pwned\\u0007\\u202e rule', 'process.name : "x"', '11111111-2222-4333-8444-555555555555'));
    const badDir = mkdtempSync(join(tmpdir(), 'lkm-escape-'));
    // A query that fails to parse, with a BEL in it (TOML's escape, a raw one is a TOML error: below).
    writeFileSync(join(badDir, 'bad.toml'), rule('Broken \\u001b[2J rule', 'process.name : \\"\\u0007x\\" and )', '66666666-2222-4333-8444-555555555555'));
    const rawDir = mkdtempSync(join(tmpdir(), 'lkm-escape-'));
    writeFileSync(join(rawDir, 'raw.toml'), rule('Raw', 'process.name : "\u0007x"', '77777777-2222-4333-8444-555555555555'));

    const [list, show, validate, scan, raw] = await Promise.all([
      runCli(['rules', '--no-bundled', '--rules', dir]),
      runCli(['rules', 'show', '11111111', '--no-bundled', '--rules', dir]),
      runCli(['validate', badDir]),
      runCli(['--no-bundled', '--rules', badDir, '-'], { stdin: '' }),
      runCli(['validate', rawDir]),
    ]);
    expect(list.code).toBe(0);
    expect(withoutLineBreaks(list.stdout)).not.toMatch(TERMINAL_CONTROLS);
    expect(list.stdout).toContain('Evil \\x1b]0;pwned\\x07\\u202e rule');

    expect(show.code).toBe(0);
    expect(withoutLineBreaks(show.stdout)).not.toMatch(TERMINAL_CONTROLS);
    expect(show.stdout).toContain('tags        Evil \\x1b[2J tag');
    // A description keeps its own line breaks, and nothing else.
    expect(show.stdout).toContain('Line one\\r\\x1b]0;t\\x07\nline two');

    expect(validate.code).toBe(1);
    expect(withoutLineBreaks(validate.stdout + validate.stderr)).not.toMatch(TERMINAL_CONTROLS);
    expect(validate.stdout).toContain('"Broken \\x1b[2J rule"');
    // The caret still points into the escaped query line: under the `)` at its end.
    const lines = validate.stdout.split('\n');
    const at = lines.findIndex((l) => l.includes('\\x07x'));
    expect(lines[at]).toBe('    process.name : "\\x07x" and )');
    expect(lines[at + 1]!.indexOf("^")).toBe(lines[at]!.length - 1);

    expect(scan.code).toBe(2);
    expect(withoutLineBreaks(scan.stderr)).not.toMatch(TERMINAL_CONTROLS);
    expect(scan.stderr).toContain('process.name : "\\x07x" and )');

    // A raw control character in the file: TOML's own error, its caret under the escape.
    expect(raw.code).toBe(1);
    expect(withoutLineBreaks(raw.stdout + raw.stderr)).not.toMatch(TERMINAL_CONTROLS);
    const rawLines = raw.stdout.split('\n');
    const rawAt = rawLines.findIndex((l) => l.includes('\\x07x'));
    expect(rawLines[rawAt]).toBe('    process.name : "\\x07x"');
    expect(rawLines[rawAt + 1]!.trim()).toBe('^^^^');
    expect(rawLines[rawAt + 1]!.indexOf('^')).toBe(rawLines[rawAt]!.indexOf('\\x07'));
  });
});
