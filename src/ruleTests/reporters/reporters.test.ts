import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { makeChalk } from '../../output/color.js';
import type { CaseResult } from '../run.js';
import { renderJunit } from './junit.js';
import { renderJson, type RunReport } from './report.js';
import { renderText } from './text.js';

const kmod = { 'process.executable': '"/usr/bin/kmod"' };
const base = { durationMs: 1.5, diff: { missing: [], unexpected: [] } };
const passed: CaseResult = { ...base, name: 'fires on lsmod', line: 3, status: 'passed', got: [{ event: { kind: 'file', file: 'e.ndjson', line: 1 }, newTerms: kmod }], expected: { count: 1 } };
const failed: CaseResult = {
  ...base,
  // Hostile text from a test file: a terminal escape, markup, a lone surrogate.
  name: 'wrong \u001b[31m<line> & "term" \ud800',
  line: 9,
  status: 'failed',
  got: [{ event: { kind: 'inline', index: 2 }, newTerms: { 'process.executable': '"/tmp/\\u001b[2J"' } }],
  expected: { alerts: [{ line: 12, event: { kind: 'file', file: 'e.ndjson', line: 4 }, newTerms: kmod }] },
  diff: {
    missing: [{ line: 12, event: { kind: 'file', file: 'e.ndjson', line: 4 }, newTerms: kmod }],
    unexpected: [{ event: { kind: 'inline', index: 2 }, newTerms: { 'process.executable': '"/tmp/\\u001b[2J"' } }],
  },
};
const countOnly: CaseResult = { ...base, name: 'quiet', line: 20, status: 'failed', got: [{ event: { kind: 'file', file: 'e.ndjson', line: 2 } }], expected: { count: 0 } };
const broken: CaseResult = { ...base, name: 'bad data', line: 30, status: 'broken', got: [], expected: { count: 0 }, problem: '1 malformed line (bad.ndjson:1: Unexpected token)' };

const report: RunReport = {
  startedMs: Date.UTC(2026, 11, 3, 10, 0, 0),
  durationMs: 12,
  version: '0.1.0',
  problems: [{ path: 'nowhere/', message: 'no such file or folder' }],
  files: [
    { file: 'rules/tests/r/a.toml', rule: { id: 'r-1', name: 'Rule <One>', file: 'rules/r.toml' }, cases: [passed, failed, countOnly, broken], durationMs: 8 },
    { file: 'rules/tests/r/b.toml', broken: { message: '`case[0].alrts` unknown key', text: 'error: `case[0].alrts` unknown key\n --> rules/tests/r/b.toml:4:1', line: 4, column: 1 }, cases: [], durationMs: 1 },
  ],
};

describe('rule test reports', () => {
  it('text: a mark per case, the diff of a failed one, escaped values, one summary line', () => {
    const text = renderText(report, makeChalk(false));
    expect(text).toBe(
      [
        'error: nowhere/: no such file or folder',
        '',
        'rules/tests/r/a.toml  (Rule <One>)',
        '  ✓ fires on lsmod',
        '  ✗ wrong \\x1b[31m<line> & "term" \ud800  rules/tests/r/a.toml:9',
        '      - alert on e.ndjson:4  new_terms process.executable="/usr/bin/kmod"  (line 12)',
        '      + alert on inline event 2  new_terms process.executable="/tmp/\\u001b[2J"',
        '  ✗ quiet  rules/tests/r/a.toml:20',
        '      expected 0 alerts, got 1',
        '        alert on e.ndjson:2',
        '  ! bad data  rules/tests/r/a.toml:30',
        '      1 malformed line (bad.ndjson:1: Unexpected token)',
        '',
        'rules/tests/r/b.toml',
        '  ! broken test file, nothing run',
        '    error: `case[0].alrts` unknown key',
        '     --> rules/tests/r/b.toml:4:1',
        '',
        'Rule tests: 2 failed, 3 broken, 1 passed (4 cases in 2 files)',
        '',
      ].join('\n'),
    );
    expect(text).not.toContain('\u001b');
  });

  it('json: one document with the summary, and per case what was expected, raised, missing and unexpected', () => {
    const doc = JSON.parse(renderJson(report));
    expect(doc.summary).toEqual({ files: 2, cases: 4, passed: 1, failed: 2, broken: 3 });
    const c = doc.files[0].cases[1];
    expect(c).toMatchObject({ status: 'failed', line: 9, message: '1 expected alert not raised; 1 alert not expected' });
    expect(c.missing).toEqual([{ line: 12, event: { file: 'e.ndjson', line: 4 }, new_terms: { 'process.executable': '/usr/bin/kmod' } }]);
    expect(c.unexpected).toEqual([{ event: { inline: 2 }, new_terms: { 'process.executable': '/tmp/\u001b[2J' } }]);
    expect(doc.files[1].broken).toMatchObject({ line: 4, column: 1 });
  });

  it.each([
    // The second document drops what the schema requires, to show the validator does reject.
    ['Apache Ant', 'ant-junit.xsd', (xml: string) => xml.replace(/ hostname="[^"]*"/, '')],
    ['Jenkins xUnit', 'jenkins-junit-10.xsd', (xml: string) => xml.replace(/ tests="\d+"/, '')],
  ])('junit: valid against the %s JUnit schema', async (_name, xsd, spoil) => {
    const xml = renderJunit(report);
    // One validator run (a WebAssembly start each) for both documents.
    const result = await validateXML({
      xml: [
        { fileName: 'report.xml', contents: xml },
        { fileName: 'spoiled.xml', contents: spoil(xml) },
      ],
      schema: [{ fileName: xsd, contents: readFileSync(`test/fixtures/junit/${xsd}`, 'utf8') }],
    });
    expect(result.errors.filter((e) => e.loc?.fileName !== 'spoiled.xml')).toEqual([]);
    expect(result.errors.filter((e) => e.loc?.fileName === 'spoiled.xml')).not.toEqual([]);
  });

  it('junit: a failure per failed case, an error per broken case or file, counts per suite', () => {
    const xml = renderJunit(report);
    expect(xml).toContain('tests="4" failures="2" errors="1"');
    expect(xml).toContain('<failure type="alerts" message="expected 0 alerts, got 1">rules/tests/r/a.toml:20\nexpected 0 alerts, got 1\n  alert on e.ndjson:2</failure>');
    expect(xml).toContain('<testcase name="wrong \\x1b[31m&lt;line&gt; &amp; &quot;term&quot; \\ud800" classname="rules.tests.r.a"');
    expect(xml).toContain('<error type="broken-test" message="`case[0].alrts` unknown key">');
    expect(xml).toContain('<error type="no-tests" message="no such file or folder">');
  });
});
