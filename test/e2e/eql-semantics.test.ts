import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, runInProcess as runCli } from './run.js';

// EQL corner cases settled from the Elasticsearch and Lucene sources (README "EQL operators:
// corner cases"), end to end: rule files in, alerts out, with and without the prefilter.

const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-eql-semantics-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** One rule per corner case; the id's last digits number them. */
const QUERIES: Record<string, string> = {
  '01': 'process where process.name > "\uFFFD"', // (a) code point order: an emoji sorts above U+FFFD
  '02': 'process where process.name regex "app<08-12>"', // (b) same-width interval: exactly 2 digits
  '03': 'process where process.name regex "app<1-20>"', // (b) mixed-width interval: leading zeros
  '04': 'process where process.name regex "a\\\\sb"', // (b) \s is [ \t\n\r], not \f
  '05': 'process where between(process.name, "", "-") == "y-z"', // (c) empty bound: the whole source
  '06': 'process where `process.title` == "t1"', // (d) backticks with dots: the dotted path
  '07': 'process where process.title in ("t2", null)', // (e) null in a list: no term
  '08': 'process where process.title not in ("t2", null)', // (e) missing title matches
  '09': 'process where process.pid == 50', // (f) 5e1 on the line
};

const rulePath = (n: string, query: string): string => {
  const path = join(tmp, `rule_${n}.toml`);
  writeFileSync(
    path,
    `[metadata]
creation_date = "2024/05/01"
maturity = "production"
updated_date = "2024/05/01"

[rule]
author = ["lkm-scan tests"]
description = "EQL corner case ${n}."
language = "eql"
license = "Apache-2.0"
name = "Corner ${n}"
risk_score = 21
rule_id = "33333333-0000-4000-8000-0000000000${n}"
severity = "low"
type = "eql"
query = '''
${query}
'''
`,
  );
  return path;
};

const proc = (name: string, extra = ''): string => `{"event":{"category":"process"},"process":{"name":${JSON.stringify(name)}${extra}}}`;

/** Raw lines (1-based in the comments), written as NDJSON exactly as here. */
const LINES = [
  proc('😀'), //                                        1  01
  proc('app09'), //                                     2  02 03
  proc('app009'), //                                    3  03 (not 02)
  proc('app9'), //                                      4  03 (not 02)
  proc('a\fb'), //                                      5  nothing (\s)
  proc('a\tb'), //                                      6  04
  proc('x', ',"title":"t1"'), //                        7  06 08
  '{"event":{"category":"process"},"process.title":"t1","process":{"name":"y-z"}}', // 8  05 06 08
  proc('w'), //                                         9  08
  proc('v', ',"title":"t2"'), //                       10  07
  proc('u', ',"pid":5e1'), //                          11  08 09
];

const expected: Record<string, number[]> = {
  '01': [1],
  '02': [2],
  '03': [2, 3, 4],
  '04': [6],
  '05': [8],
  '06': [7, 8],
  '07': [10],
  '08': [1, 2, 3, 4, 5, 6, 7, 8, 9, 11],
  '09': [11],
};

describe('EQL corner cases end to end (issue 9)', () => {
  const input = join(tmp, 'events.ndjson');
  writeFileSync(input, LINES.join('\n') + '\n');
  const args = ['--no-bundled', ...Object.entries(QUERIES).flatMap(([n, q]) => ['--rules', rulePath(n, q)]), '--format', 'json', input];

  it.each([[[]], [['--no-prefilter']]])('alerts on exactly the expected lines %j', async (extra) => {
    const r = await runCli([...extra, ...args]);
    expect(r.stderr).not.toMatch(/error/i);
    const got: Record<string, number[]> = {};
    for (const a of jsonLines(r.stdout)) (got[String(a.rule.id).slice(-2)] ??= []).push(a.location.line);
    for (const lines of Object.values(got)) lines.sort((x, y) => x - y);
    expect(got).toEqual(expected);
  });
});
