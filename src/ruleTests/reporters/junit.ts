import { hostname } from 'node:os';
import { printable, printableBlock } from '../../text/printable.js';
import type { CaseResult, FileResult } from '../run.js';
import { diffLines, failureMessage, type RunReport } from './report.js';

/**
 * JUnit XML (`--format junit`) as CI systems read it (Jenkins, GitLab, GitHub test reporters):
 * `testsuites` › one `testsuite` per test file › one `testcase` per case, with `failure` for a
 * failed case and `error` for one that could not run (or for a broken test file, as one testcase).
 * It keeps to both schemas CI tools are built on, Apache Ant's (strict: a suite's package, id,
 * hostname, timestamp without zone, properties, system-out and system-err are required; testsuites
 * takes no attributes) and Jenkins xUnit's junit-10.xsd; test/fixtures/junit/ holds both and the
 * tests validate against them.
 */
export function renderJunit(report: RunReport): string {
  // Ant's timestamp is a local date-time without a zone: UTC, written without the Z.
  const timestamp = new Date(report.startedMs).toISOString().slice(0, 19);
  const host = xmlAttr(hostname() || 'localhost');
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites>'];
  report.problems.forEach((p, id) => {
    out.push(`  <testsuite name="${xmlAttr(p.path)}" package="${xmlAttr(p.path)}" id="${id}" hostname="${host}" timestamp="${timestamp}" tests="1" failures="0" errors="1" skipped="0" time="0">`);
    out.push('    <properties/>');
    out.push(`    <testcase name="find rule tests" classname="${xmlAttr(className(p.path))}" time="0">`);
    out.push(`      <error type="no-tests" message="${xmlAttr(p.message)}">${xmlText(`${p.path}: ${p.message}`)}</error>`);
    out.push('    </testcase>', '    <system-out/>', '    <system-err/>', '  </testsuite>');
  });
  report.files.forEach((f, i) => out.push(...suite(f, report.problems.length + i, timestamp, host)));
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

function suite(f: FileResult, id: number, timestamp: string, host: string): string[] {
  const classname = xmlAttr(className(f.file));
  const cases = f.broken === undefined ? f.cases : [];
  const failures = cases.filter((c) => c.status === 'failed').length;
  const errors = f.broken === undefined ? cases.filter((c) => c.status === 'broken').length : 1;
  const tests = f.broken === undefined ? cases.length : 1;
  const out = [
    `  <testsuite name="${xmlAttr(f.file)}" package="${classname}" id="${id}" hostname="${host}" timestamp="${timestamp}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds(f.durationMs)}">`,
  ];
  out.push(f.rule === undefined ? '    <properties/>' : `    <properties>\n      <property name="rule_id" value="${xmlAttr(f.rule.id)}"/>\n      <property name="rule_name" value="${xmlAttr(f.rule.name)}"/>\n      <property name="rule_file" value="${xmlAttr(f.rule.file)}"/>\n    </properties>`);
  if (f.broken !== undefined) {
    out.push(`    <testcase name="load the test file" classname="${classname}" time="${seconds(f.durationMs)}">`);
    out.push(`      <error type="broken-test" message="${xmlAttr(f.broken.message)}">${xmlText(f.broken.text)}</error>`);
    out.push('    </testcase>');
  }
  for (const c of cases) out.push(...testcase(c, classname, f.file));
  out.push('    <system-out/>', '    <system-err/>', '  </testsuite>');
  return out;
}

function testcase(c: CaseResult, classname: string, file: string): string[] {
  const open = `    <testcase name="${xmlAttr(c.name)}" classname="${classname}" time="${seconds(c.durationMs)}"`;
  if (c.status === 'passed') return [`${open}/>`];
  const where = `${file}${c.line === undefined ? '' : `:${c.line}`}`;
  const element = c.status === 'failed' ? 'failure' : 'error';
  const type = c.status === 'failed' ? 'alerts' : 'broken-case';
  const body = c.status === 'failed' ? [where, ...diffLines(c)].join('\n') : `${where}\n${c.problem ?? ''}`;
  return [`${open}>`, `      <${element} type="${type}" message="${xmlAttr(failureMessage(c))}">${xmlText(body)}</${element}>`, '    </testcase>'];
}

/** `rules/tests/my_rule/basic.toml` → `rules.tests.my_rule.basic`: how Jenkins and GitLab group cases. */
function className(file: string): string {
  return file.replace(/\.toml$/i, '').replace(/[\\/]+/g, '.').replace(/^\.+/, '') || file;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/**
 * Characters XML 1.0 cannot hold at all (controls, lone surrogates, U+FFFE/U+FFFF) are escaped
 * as text first (src/text/printable.ts and \uXXXX); then markup characters become entities.
 */
function xmlSafe(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function xmlAttr(text: string): string {
  return xmlSafe(printable(text)).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function xmlText(text: string): string {
  return xmlSafe(printableBlock(text)).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
