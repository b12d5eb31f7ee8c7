import { parseJson, stringifyJson } from '../../event/json.js';
import { describeRef, type GotAlert } from '../expect.js';
import type { CaseResult, FileResult } from '../run.js';
import type { ExpectedAlert, FieldValues } from '../testFile.js';

/** Everything one `lkm-scan test` run found, which each reporter renders. */
export interface RunReport {
  files: FileResult[];
  /** Paths given that hold no test or cannot be read. */
  problems: Array<{ path: string; message: string }>;
  /** When the run started, epoch ms (JUnit's timestamp). */
  startedMs: number;
  durationMs: number;
  version: string;
}

export interface Totals {
  files: number;
  cases: number;
  passed: number;
  failed: number;
  /** Cases that could not run, plus test files (and paths) that could not be used at all. */
  broken: number;
}

export function totalsOf(report: RunReport): Totals {
  const cases = report.files.flatMap((f) => f.cases);
  return {
    files: report.files.length,
    cases: cases.length,
    passed: cases.filter((c) => c.status === 'passed').length,
    failed: cases.filter((c) => c.status === 'failed').length,
    broken: cases.filter((c) => c.status === 'broken').length + report.files.filter((f) => f.broken !== undefined).length + report.problems.length,
  };
}

/** "expected 0 alerts, got 1": the count a case expected and the count raised, when they differ. */
export function countMismatch(c: CaseResult): string | undefined {
  const want = c.expected.count ?? c.expected.alerts?.length;
  if (want === undefined || want === c.got.length) return undefined;
  return `expected ${plural(want, 'alert')}, got ${c.got.length}`;
}

/** One line of why a failed or broken case did not pass (JUnit's failure message, JSON's `message`). */
export function failureMessage(c: CaseResult): string {
  if (c.status === 'broken') return c.problem?.split('\n')[0] ?? 'the case could not run';
  const parts = [countMismatch(c)];
  if (c.diff.missing.length > 0) parts.push(`${plural(c.diff.missing.length, 'expected alert')} not raised`);
  if (c.diff.unexpected.length > 0) parts.push(`${plural(c.diff.unexpected.length, 'alert')} not expected`);
  return parts.filter((p) => p !== undefined).join('; ');
}

/** Most alerts listed per side of a diff; the rest are counted. */
export const LISTED_ALERTS = 20;

/**
 * The diff lines of a failed case: `- ` an expected alert not raised, `+ ` a raised alert not
 * expected; for a case that expects a count, the alerts raised (`  `), so the reader sees what fired.
 * Values are JSON text; the caller escapes the lines for where they go.
 */
export function diffLines(c: CaseResult): string[] {
  const out: string[] = [];
  const list = (mark: string, items: readonly string[]) => {
    for (const item of items.slice(0, LISTED_ALERTS)) out.push(`${mark} ${item}`);
    if (items.length > LISTED_ALERTS) out.push(`${mark} … ${items.length - LISTED_ALERTS} more`);
  };
  const mismatch = countMismatch(c);
  if (mismatch !== undefined) out.push(mismatch);
  if (c.expected.alerts !== undefined) {
    list('-', c.diff.missing.map(describeExpected));
    list('+', c.diff.unexpected.map(describeGot));
  } else if (mismatch !== undefined && c.got.length > 0) {
    list(' ', c.got.map(describeGot));
  }
  return out;
}

export function describeGot(g: GotAlert): string {
  const parts = [`alert on ${g.events !== undefined ? `sequence ${g.events.map(describeRef).join(' → ')}` : describeRef(g.event)}`];
  if (g.newTerms !== undefined) parts.push(`new_terms ${describeValues(g.newTerms)}`);
  if (g.threshold !== undefined) {
    parts.push(`threshold ${describeValues(g.threshold.fields)} count=${g.threshold.count}${g.threshold.cardinality === undefined ? '' : ` cardinality=${g.threshold.cardinality}`}`);
  }
  return parts.join('  ');
}

export function describeExpected(w: ExpectedAlert): string {
  const parts = [w.events !== undefined ? `alert on sequence ${w.events.map(describeRef).join(' → ')}` : w.event !== undefined ? `alert on ${describeRef(w.event)}` : 'an alert'];
  if (w.newTerms !== undefined) parts.push(`new_terms ${describeValues(w.newTerms)}`);
  if (w.threshold !== undefined) {
    const t = w.threshold;
    const bits = [t.fields === undefined ? undefined : describeValues(t.fields), t.count === undefined ? undefined : `count=${t.count}`, t.cardinality === undefined ? undefined : `cardinality=${t.cardinality}`];
    parts.push(`threshold ${bits.filter((b) => b !== undefined).join(' ')}`);
  }
  if (w.line !== undefined) parts.push(`(line ${w.line})`);
  return parts.join('  ');
}

/** `process.executable="/usr/bin/kmod"`: each field with its value's JSON text. */
function describeValues(v: FieldValues): string {
  return Object.entries(v)
    .map(([k, x]) => `${k}=${x}`)
    .join(' ') || '{}';
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The JSON form of a run (`--format json`): one document. */
export function renderJson(report: RunReport): string {
  const totals = totalsOf(report);
  const doc = {
    tool: { name: 'lkm-scan', version: report.version },
    summary: totals,
    problems: report.problems,
    files: report.files.map((f) => ({
      file: f.file,
      rule: f.rule ?? null,
      broken: f.broken === undefined ? null : { message: f.broken.message, line: f.broken.line ?? null, column: f.broken.column ?? null, text: f.broken.text },
      cases: f.cases.map((c) => ({
        name: c.name,
        line: c.line ?? null,
        status: c.status,
        message: c.status === 'passed' ? null : failureMessage(c),
        expected: { alerts: c.expected.count ?? c.expected.alerts?.length ?? null, list: c.expected.alerts?.map(jsonExpected) ?? null },
        got: c.got.map(jsonGot),
        missing: c.diff.missing.map(jsonExpected),
        unexpected: c.diff.unexpected.map(jsonGot),
        problem: c.problem ?? null,
        duration_ms: Math.round(c.durationMs * 1000) / 1000,
      })),
    })),
  };
  return stringifyJson(doc, 2) + '\n';
}

function jsonRef(r: GotAlert['event']): unknown {
  return r.kind === 'file' ? { file: r.file, line: r.line } : { inline: r.index };
}

function jsonValues(v: FieldValues): Record<string, unknown> {
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, parseJson(x)]));
}

function jsonGot(g: GotAlert): unknown {
  return {
    event: jsonRef(g.event),
    ...(g.events === undefined ? {} : { events: g.events.map(jsonRef) }),
    ...(g.newTerms === undefined ? {} : { new_terms: jsonValues(g.newTerms) }),
    ...(g.threshold === undefined ? {} : { threshold: { ...g.threshold, fields: jsonValues(g.threshold.fields) } }),
  };
}

function jsonExpected(w: ExpectedAlert): unknown {
  return {
    line: w.line ?? null,
    ...(w.event === undefined ? {} : { event: jsonRef(w.event) }),
    ...(w.events === undefined ? {} : { events: w.events.map(jsonRef) }),
    ...(w.newTerms === undefined ? {} : { new_terms: jsonValues(w.newTerms) }),
    ...(w.threshold === undefined ? {} : { threshold: { ...w.threshold, ...(w.threshold.fields === undefined ? {} : { fields: jsonValues(w.threshold.fields) }) } }),
  };
}
