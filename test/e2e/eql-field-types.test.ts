import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, runInProcess as runCli } from './run.js';

// EQL by field type (README "EQL and field types"), end to end with the ECS table every scan
// uses: rule files in, alerts out, with and without the prefilter; and a rule Elasticsearch
// refuses for its field's type is refused by `validate`.

const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-eql-field-types-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const QUERIES: Record<string, string> = {
  '01': 'network where source.ip == "10.0.0.0/8"', // ip: a term may be a CIDR block
  '02': 'network where destination.ip != "::1"', // ip: one address, any spelling
  '03': 'process where @timestamp < "2024-05-01T10:00:00Z"', // date: instants, whatever the spelling
  '04': 'process where @timestamp == "2024-05-01"', // date: the whole day
  '05': 'process where process.pid == "50"', // long: the string is read as a number (5e1 on the line)
};

const ruleText = (n: string, query: string): string => `[metadata]
creation_date = "2024/05/01"
maturity = "production"
updated_date = "2024/05/01"

[rule]
author = ["lkm-scan tests"]
description = "EQL field type case ${n}."
language = "eql"
license = "Apache-2.0"
name = "Field type ${n}"
risk_score = 21
rule_id = "44444444-0000-4000-8000-0000000000${n}"
severity = "low"
type = "eql"
query = '''
${query}
'''
`;

const rulePath = (n: string, query: string): string => {
  const path = join(tmp, `rule_${n}.toml`);
  writeFileSync(path, ruleText(n, query));
  return path;
};

const net = (src: string, dst: string): string => `{"event":{"category":["network"]},"source":{"ip":"${src}"},"destination":{"ip":"${dst}"}}`;
const proc = (time: string, extra = ''): string => `{"@timestamp":${time},"event":{"category":["process"]}${extra}}`;

/** Raw lines (1-based in the comments). */
const LINES = [
  net('10.1.2.3', '0:0:0:0:0:0:0:1'), //                      1  01
  net('11.0.0.1', '192.168.0.1'), //                          2  02
  proc('1714557599999'), //                                   3  03 04 (epoch millis)
  proc('"2024-05-01T12:00:00+02:00"'), //                     4  04 (10:00 UTC, not before it)
  proc('"2024-04-30T23:59:59Z"'), //                          5  03
  proc('"2024-05-02T00:00:00Z"', ',"process":{"pid":5e1}'), // 6  05
  proc('"2024-05-02T00:00:00Z"', ',"process":{"pid":"50.0"}'), // 7  05
];

const expected: Record<string, number[]> = {
  '01': [1],
  '02': [2],
  '03': [3, 5],
  '04': [3, 4],
  '05': [6, 7],
};

describe('EQL matches by field type end to end (issue 9)', () => {
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

  it('validate refuses `:` on ECS message (match_only_text, no keyword multi-field) with Elasticsearch\'s reason and a caret', async () => {
    const path = join(tmp, 'rule_message.toml');
    writeFileSync(path, ruleText('90', 'any where message : "*segfault*"'));
    const r = await runCli(['validate', path]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'rule_message.toml:17:11: "Field type 90": [:] cannot operate on first argument field of data type [text]: No keyword/multi-field defined exact matches for [message]; define one or use MATCH/QUERY instead',
    );
    expect(r.stdout).toContain('\n    any where message : "*segfault*"\n              ^^^^^^^^^^^^^^^^^^^^^^\n');
  });
});

describe('EQL under --mapping (issue 9)', () => {
  const mapping = join(tmp, 'mapping.json');
  writeFileSync(
    mapping,
    JSON.stringify({
      mappings: {
        properties: {
          app: { properties: { day: { type: 'date', format: 'dd-MM-yyyy' }, host: { type: 'text', fields: { raw: { type: 'keyword' } } }, note: { type: 'text' } } },
        },
      },
    }),
  );
  const input = join(tmp, 'app.ndjson');
  writeFileSync(
    input,
    [
      '{"event":{"category":["process"]},"app":{"day":"15-12-2022","host":"web 1"}}', // 1  a (b: same day as text too)
      '{"event":{"category":["process"]},"app":{"day":"02-01-2023","host":"web 2"}}', // 2  (as text "02-…" < "16-…": a wrongly)
      '{"event":{"category":["process"]},"app":{"day":"17-12-2022","host":"web 1"}}', // 3  b
    ].join('\n') + '\n',
  );
  const rules = [
    ['a', 'process where app.day < "16-12-2022"'],
    ['b', 'process where app.host.raw == "web 1" and app.day >= "15-12-2022"'],
  ].flatMap(([n, q]) => ['--rules', rulePath(`a${n === 'a' ? 1 : 2}`, q!)]);

  it.each([[[]], [['--workers', '2']], [['--no-prefilter']]])('dates by the mapping\'s format, a multi-field by its parent %j', async (extra) => {
    const r = await runCli(['--no-bundled', ...rules, '--mapping', mapping, ...extra, '--format', 'json', input]);
    expect(r.stderr).not.toMatch(/error/i);
    const got = jsonLines(r.stdout).map((a) => `${String(a.rule.id).slice(-2)}:${a.location.line}`).sort();
    expect(got).toEqual(['a1:1', 'a2:1', 'a2:3']);
  });

  it('refuses `:` on a text field the mapping gives no keyword multi-field', async () => {
    const r = await runCli(['--no-bundled', '--rules', rulePath('a3', 'process where app.note : "x"'), '--mapping', mapping, input]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[:] cannot operate on first argument field of data type [text]: No keyword/multi-field defined exact matches for [note]');
  });
});
