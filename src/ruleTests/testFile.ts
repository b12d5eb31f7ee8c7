import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import TOML from '@iarna/toml';
import { stringifyJson } from '../event/json.js';
import { formatDiagnostic, type Diagnostic } from '../rules/diagnostic.js';
import { RULE_TESTS_DIR } from '../rules/pack.js';
import { indexKeys, type KeyPosition } from '../rules/tomlKeys.js';
import { parseTimeBound, type TimeWindow } from '../engine/timeWindow.js';

/**
 * A rule test file (README "Rule tests"): one rule, and cases that each give events and the
 * alerts the rule must raise on them. Read strictly: an unknown key, a missing rule or an event
 * file that cannot be read is a broken test, pointed at with file:line:column, never a pass.
 */
export interface RuleTestFile {
  /** The path as the user reaches it (relative to the working folder when below it). */
  file: string;
  rule: RuleRef;
  /** Where `rule = …` is, for errors about the rule it names. */
  ruleAt: Pick<Diagnostic, 'line' | 'column' | 'sourceLine' | 'length'>;
  cases: TestCase[];
}

/** `rule = "…"`: a rule_id, found among the rules of the folder that holds the `tests` folder, or a rule file. */
export type RuleRef =
  | { kind: 'id'; id: string; /** The rules folder searched; undefined when the test is not inside a `tests` folder. */ rulesDir: string | undefined }
  | { kind: 'path'; path: string; written: string };

/** Where a case reads events from: NDJSON files (named as written in the test) or events written in the test. */
export type EventSource = { kind: 'file'; name: string; path: string } | { kind: 'inline'; ndjson: string; count: number };

/** An event an alert points at: a line of an event file (as written in `events`), or the n-th inline `[[case.event]]` (1-based). */
export type EventRef = { kind: 'file'; file: string; line: number } | { kind: 'inline'; index: number };

/** The values of fields, as the JSON text of each value (so 5 and "5", and long integers, stay exact). */
export type FieldValues = Record<string, string>;

export interface ExpectedAlert {
  /** The 1-based line of its `[[case.alert]]` header in the test file. */
  line: number | undefined;
  event?: EventRef;
  /** A sequence's events, in order. */
  events?: EventRef[];
  newTerms?: FieldValues;
  threshold?: { fields?: FieldValues; count?: number; cardinality?: number };
}

export interface TestCase {
  name: string;
  /** The 1-based line of its `[[case]]` header. */
  line: number | undefined;
  events: EventSource[];
  /** Events learnt first as new_terms history, as `lkm-scan baseline` learns them. */
  baseline: EventSource[];
  window: TimeWindow;
  /** `--mapping` files, resolved against the test file's folder. */
  mapping: string[];
  /** `--exceptions [RULES=]FILE` arguments, their file resolved. */
  exceptions: string[];
  /** `--value-list ID=FILE` arguments, their file resolved. */
  valueLists: string[];
  maxSignals: boolean;
  expect: { count?: number; alerts?: ExpectedAlert[] };
}

/** A test file that cannot be run: what is wrong and where, as rule errors are told. */
export class BrokenTestError extends Error {
  override readonly name = 'BrokenTestError';
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }

  format(): string {
    return formatDiagnostic(this.diagnostic);
  }
}

const FILE_KEYS = ['rule', 'case'] as const;
const CASE_KEYS = ['name', 'events', 'event', 'baseline', 'baseline_event', 'since', 'until', 'mapping', 'exceptions', 'value_lists', 'max_signals', 'alerts', 'alert'] as const;
const ALERT_KEYS = ['event', 'events', 'new_terms', 'threshold'] as const;
const THRESHOLD_KEYS = ['fields', 'count', 'cardinality'] as const;

type Table = Record<string, unknown>;

/** Reads and validates a test file. Throws BrokenTestError. */
export function readTestFile(path: string, display = path): RuleTestFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new BrokenTestError({ message: `cannot read the test file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, file: display });
  }
  return parseTestText(text, path, display);
}

/** Validates the text of a test file read from `path` (event files and rules are found beside it). */
export function parseTestText(text: string, path: string, display = path): RuleTestFile {
  const doc = parseToml(text, display);
  const at = new Locator(text, display);
  const dir = dirname(path);

  if (isTable(doc.rule)) {
    throw at.error('rule', 'is a table: this is a rule file, not a rule test', [`a rule's tests go in ${RULE_TESTS_DIR}/<rule file name without .toml>/*.toml beside it (README "Rule tests")`]);
  }
  checkKeys(doc, FILE_KEYS, '', at, 'a test file takes `rule` and `[[case]]` tables');
  if (doc.rule === undefined) throw at.error('', 'names no rule: add `rule = "<rule_id>"` or `rule = "<path to the rule .toml>"`');
  if (typeof doc.rule !== 'string' || doc.rule.trim() === '') throw at.error('rule', 'must be a rule_id or the path of a rule file (a string)');
  const rule = ruleRef(doc.rule, path, dir);

  const cases = doc.case;
  if (cases === undefined) throw at.error('', 'has no `[[case]]`: a test needs at least one case');
  if (!Array.isArray(cases) || !cases.every(isTable)) throw at.error('case', 'must be tables: write each case as `[[case]]`');
  const names = new Set<string>();
  const parsed = cases.map((c: Table, i) => {
    const tc = parseCase(c, `case[${i}]`, dir, at);
    if (names.has(tc.name)) throw at.error(`case[${i}].name`, `repeats the case name "${tc.name}": each case needs its own name, reports tell them apart by it`);
    names.add(tc.name);
    return tc;
  });
  return { file: display, rule, ruleAt: at.where('rule'), cases: parsed };
}

function ruleRef(written: string, path: string, dir: string): RuleRef {
  if (written.toLowerCase().endsWith('.toml') || written.includes('/')) {
    return { kind: 'path', path: isAbsolute(written) ? written : join(dir, written), written };
  }
  return { kind: 'id', id: written, rulesDir: rulesDirOf(resolve(path)) };
}

/** The folder whose `tests` folder holds `testPath` (the nearest one up), where a rule_id is looked for. */
export function rulesDirOf(testPath: string): string | undefined {
  const parts = dirname(testPath).split(sep);
  for (let i = parts.length - 1; i > 0; i--) {
    if (parts[i] === RULE_TESTS_DIR) return parts.slice(0, i).join(sep) || sep;
  }
  return undefined;
}

function parseCase(c: Table, key: string, dir: string, at: Locator): TestCase {
  checkKeys(c, CASE_KEYS, key, at, `a case takes ${CASE_KEYS.join(', ')}`);
  if (typeof c.name !== 'string' || c.name.trim() === '') throw at.error(c.name === undefined ? key : `${key}.name`, c.name === undefined ? 'has no `name`: name each case, reports list it by name' : '`name` must be a non-empty string');
  const name = c.name;

  const events = eventSources(c, 'events', 'event', key, dir, at);
  if (events.length === 0) throw at.error(key, `"${name}" has no events: give \`events = ["file.ndjson"]\` or \`[[case.event]]\` tables`);
  const baseline = eventSources(c, 'baseline', 'baseline_event', key, dir, at);

  const window: TimeWindow = {};
  for (const bound of ['since', 'until'] as const) {
    const v = c[bound];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw at.error(`${key}.${bound}`, 'must be a time as a string: ISO 8601 ("2024-05-01T10:00:00Z") or epoch milliseconds ("1714557600000")');
    // A span back from now (24h) would make the test's outcome depend on the day it runs.
    if (/^\s*\d+\s*[smhdw]\s*$/.test(v)) throw at.error(`${key}.${bound}`, `is "${v}", a span back from now: a test must not depend on when it runs; give an absolute time`);
    try {
      window[bound] = parseTimeBound(v);
    } catch (e) {
      throw at.error(`${key}.${bound}`, (e as Error).message);
    }
  }

  const files = (k: string) => stringList(c, k, key, at).map((f) => ({ written: f, path: isAbsolute(f) ? f : join(dir, f) }));
  const mapping = files('mapping').map((f) => mustRead(f, `${key}.mapping`, at));
  // `[RULES=]FILE` and `ID=FILE`: the file part is relative to the test, as every path in it.
  const prefixed = (k: string, required: boolean) =>
    stringList(c, k, key, at).map((arg) => {
      const eq = arg.indexOf('=');
      const asFile = isAbsolute(arg) ? arg : join(dir, arg);
      if (!required && (eq <= 0 || existsSync(asFile))) return mustRead({ written: arg, path: asFile }, `${key}.${k}`, at);
      if (eq <= 0) throw at.error(`${key}.${k}`, `"${arg}" must be ID=FILE`);
      const file = arg.slice(eq + 1);
      return `${arg.slice(0, eq)}=${mustRead({ written: file, path: isAbsolute(file) ? file : join(dir, file) }, `${key}.${k}`, at)}`;
    });
  const exceptions = prefixed('exceptions', false);
  const valueLists = prefixed('value_lists', true);

  let maxSignals = true;
  if (c.max_signals !== undefined) {
    if (typeof c.max_signals !== 'boolean') throw at.error(`${key}.max_signals`, 'must be true or false (false: as --no-max-signals)');
    maxSignals = c.max_signals;
  }

  const expect: TestCase['expect'] = {};
  if (c.alerts !== undefined) {
    if (typeof c.alerts !== 'number' || !Number.isInteger(c.alerts) || c.alerts < 0) throw at.error(`${key}.alerts`, 'must be a whole number of alerts (0: the rule must not fire)');
    expect.count = c.alerts;
  }
  if (c.alert !== undefined) {
    if (!Array.isArray(c.alert) || !c.alert.every(isTable)) throw at.error(`${key}.alert`, 'must be tables: write each expected alert as `[[case.alert]]`');
    const fileNames = new Set(events.flatMap((s) => (s.kind === 'file' ? [s.name] : [])));
    const inline = events.reduce((n, s) => n + (s.kind === 'inline' ? s.count : 0), 0);
    expect.alerts = c.alert.map((a: Table, i) => parseExpectedAlert(a, `${key}.alert[${i}]`, at, fileNames, inline));
  }
  if (expect.count === undefined && expect.alerts === undefined) {
    throw at.error(key, `"${name}" expects nothing: give \`alerts = N\` (0 for "no alert") or the alerts as \`[[case.alert]]\` tables`);
  }
  if (expect.count !== undefined && expect.alerts !== undefined && expect.count !== expect.alerts.length) {
    throw at.error(`${key}.alerts`, `is ${expect.count}, but the case lists ${expect.alerts.length} [[case.alert]]: make them agree, or leave out \`alerts\``);
  }
  return { name, line: at.line(key), events, baseline, window, mapping, exceptions, valueLists, maxSignals, expect };
}

function parseExpectedAlert(a: Table, key: string, at: Locator, files: ReadonlySet<string>, inline: number): ExpectedAlert {
  checkKeys(a, ALERT_KEYS, key, at, `an expected alert takes ${ALERT_KEYS.join(', ')}`);
  const ref = (v: unknown, k: string): EventRef => {
    if (typeof v === 'number' && Number.isInteger(v)) {
      if (v < 1 || v > inline) throw at.error(k, `is ${v}, but the case has ${inline} inline event${inline === 1 ? '' : 's'} ([[case.event]], counted from 1)`);
      return { kind: 'inline', index: v };
    }
    if (typeof v === 'string') {
      const m = /^(.*):(\d+)$/.exec(v);
      if (m === null || Number(m[2]) < 1) throw at.error(k, `is "${v}": name an event as "FILE:LINE" (a file of the case's \`events\`) or by the number of its [[case.event]]`);
      if (!files.has(m[1]!)) throw at.error(k, `names "${m[1]}", which is not among the case's \`events\` files (${[...files].join(', ') || 'none'})`);
      return { kind: 'file', file: m[1]!, line: Number(m[2]) };
    }
    throw at.error(k, 'must be "FILE:LINE" or the number of an inline [[case.event]]');
  };
  const out: ExpectedAlert = { line: at.line(key) };
  if (a.event !== undefined) out.event = ref(a.event, `${key}.event`);
  if (a.events !== undefined) {
    if (!Array.isArray(a.events) || a.events.length === 0) throw at.error(`${key}.events`, "must list a sequence's events in order");
    out.events = a.events.map((e: unknown) => ref(e, `${key}.events`));
  }
  if (a.new_terms !== undefined) out.newTerms = fieldValues(a.new_terms, `${key}.new_terms`, at);
  if (a.threshold !== undefined) {
    const t = a.threshold;
    if (!isTable(t)) throw at.error(`${key}.threshold`, 'must be a table: { fields = { "host.name" = "web-1" }, count = 5 }');
    checkKeys(t, THRESHOLD_KEYS, `${key}.threshold`, at, `threshold takes ${THRESHOLD_KEYS.join(', ')}`);
    const threshold: NonNullable<ExpectedAlert['threshold']> = {};
    if (t.fields !== undefined) threshold.fields = fieldValues(t.fields, `${key}.threshold`, at);
    for (const k of ['count', 'cardinality'] as const) {
      const v = t[k];
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw at.error(`${key}.threshold`, `\`${k}\` must be a whole number`);
      threshold[k] = v;
    }
    out.threshold = threshold;
  }
  return out;
}

/** A TOML table of field → scalar value, as the JSON text each value has in an event. */
function fieldValues(v: unknown, key: string, at: Locator): FieldValues {
  if (!isTable(v)) throw at.error(key, 'must be a table of field = value, e.g. { "process.executable" = "/usr/bin/kmod" }');
  const out: FieldValues = {};
  for (const [field, value] of Object.entries(v)) {
    // `process.executable = "x"` without quotes is a nested table in TOML: quote dotted field names.
    if (isTable(value)) throw at.error(key, `"${field}" holds a table: quote a dotted field name ("${field}.${Object.keys(value)[0] ?? ''}" = …)`);
    if (typeof value !== 'string' && typeof value !== 'boolean' && typeof value !== 'bigint' && !(typeof value === 'number' && Number.isFinite(value))) {
      throw at.error(key, `"${field}" must be a string, number or boolean`);
    }
    out[field] = stringifyJson(value);
  }
  return out;
}

function eventSources(c: Table, filesKey: string, inlineKey: string, key: string, dir: string, at: Locator): EventSource[] {
  const sources: EventSource[] = [];
  const seen = new Set<string>();
  for (const name of stringList(c, filesKey, key, at)) {
    if (seen.has(name)) throw at.error(`${key}.${filesKey}`, `lists "${name}" twice`);
    seen.add(name);
    sources.push({ kind: 'file', name, path: mustRead({ written: name, path: isAbsolute(name) ? name : join(dir, name) }, `${key}.${filesKey}`, at) });
  }
  const inline = c[inlineKey];
  if (inline !== undefined) {
    if (!Array.isArray(inline) || !inline.every(isTable)) throw at.error(`${key}.${inlineKey}`, `must be tables: write each event as \`[[case.${inlineKey}]]\``);
    const lines = inline.map((e: Table, i) => {
      const problem = jsonProblem(e, '');
      if (problem !== undefined) throw at.error(`${key}.${inlineKey}[${i}]`, problem);
      return stringifyJson(e);
    });
    sources.push({ kind: 'inline', ndjson: lines.join('\n') + '\n', count: lines.length });
  }
  return sources;
}

/** Deepest nesting of an inline event: Elasticsearch refuses deeper documents, and it bounds the recursion here. */
const MAX_EVENT_DEPTH = 1_000;

/** Why a TOML value has no JSON form as written, if it has none (dates, infinities), or is nested too deep. */
function jsonProblem(v: unknown, path: string, depth = 0): string | undefined {
  if (depth > MAX_EVENT_DEPTH) return `is nested deeper than ${MAX_EVENT_DEPTH.toLocaleString('en-US')} levels, which Elasticsearch refuses`;
  if (v instanceof Date) return `${path || 'a value'} is a TOML date: write event times as strings ("2024-05-01T10:00:00Z"), as they are in JSON`;
  if (typeof v === 'number' && !Number.isFinite(v)) return `${path} is ${v}, which JSON cannot hold`;
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) {
      const p = jsonProblem(x, `${path}[${i}]`, depth + 1);
      if (p !== undefined) return p;
    }
  } else if (isTable(v)) {
    for (const [k, x] of Object.entries(v)) {
      const p = jsonProblem(x, path === '' ? k : `${path}.${k}`, depth + 1);
      if (p !== undefined) return p;
    }
  }
  return undefined;
}

function stringList(c: Table, k: string, key: string, at: Locator): string[] {
  const v = c[k];
  if (v === undefined) return [];
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw at.error(`${key}.${k}`, 'must be a list of strings');
  return v;
}


/** The path of a file the test names, after checking it can be read: a missing file is a broken test before anything runs. */
function mustRead(f: { written: string; path: string }, key: string, at: Locator): string {
  try {
    if (!statSync(f.path).isFile()) throw at.error(key, `names "${f.written}", which is not a file`);
    accessSync(f.path, constants.R_OK);
  } catch (e) {
    if (e instanceof BrokenTestError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw at.error(key, `names "${f.written}", which cannot be read (${code === 'ENOENT' ? 'no such file' : code ?? String(e)}); paths are relative to the test file`);
  }
  return f.path;
}

function checkKeys(t: Table, allowed: readonly string[], key: string, at: Locator, hint: string): void {
  for (const k of Object.keys(t)) {
    if (!allowed.includes(k)) {
      const near = allowed.find((a) => a.replace(/_/g, '') === k.replace(/[_-]/g, '').toLowerCase() || a === `${k}s` || `${a}s` === k);
      throw at.error(key === '' ? k : `${key}.${k}`, `unknown key \`${k}\`${near === undefined ? '' : `; did you mean \`${near}\`?`}`, [hint]);
    }
  }
}

function isTable(v: unknown): v is Table {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function parseToml(text: string, file: string): Table {
  try {
    return TOML.parse(text);
  } catch (e) {
    const err = e as Error & { line?: number; col?: number };
    const line = typeof err.line === 'number' ? err.line + 1 : undefined;
    const first = err.message.split('\n')[0]!.replace(/ at row \d+, col \d+, pos \d+:?$/, '');
    throw new BrokenTestError({
      message: `invalid TOML: ${first}`,
      file,
      line,
      column: typeof err.col === 'number' ? err.col + 1 : undefined,
      sourceLine: line === undefined ? undefined : text.split(/\r?\n/)[line - 1],
      notes: ['a rule test is TOML: `rule = "<rule_id>"` and `[[case]]` tables (README "Rule tests")'],
    });
  }
}

/** Points errors at the line of a key (or of the nearest enclosing table the text defines on a line of its own). */
class Locator {
  private readonly lines: string[];
  /** Every key's line, read in one pass when first asked: a file may have thousands of cases and alerts. */
  private index: Map<string, KeyPosition> | undefined;
  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {
    this.lines = text.split(/\r?\n/);
  }

  line(key: string): number | undefined {
    return this.find(key)?.line;
  }

  private find(key: string): { line: number; column: number } | undefined {
    // `a.b[2].c` → try it, then `a.b[2]`, then `a.b`, …: an inline table's keys have no line of their own.
    for (let k = key; k !== ''; k = k.replace(/(\.[^.[\]]+|\[\d+\])$/, '')) {
      this.index ??= indexKeys(this.text);
      const pos = this.index.get(k);
      if (pos !== undefined) {
        const text = this.lines[pos.line - 1] ?? '';
        return { line: pos.line, column: text.length - text.trimStart().length + 1 };
      }
      if (!/(\.[^.[\]]+|\[\d+\])$/.test(k)) break;
    }
    return undefined;
  }

  /** The position fields of a diagnostic about `key` (none when the text has no line for it). */
  where(key: string): Pick<Diagnostic, 'line' | 'column' | 'sourceLine' | 'length'> {
    const pos = key === '' ? undefined : this.find(key);
    if (pos === undefined) return {};
    const sourceLine = this.lines[pos.line - 1] ?? '';
    return { line: pos.line, column: pos.column, sourceLine, length: Math.max(1, sourceLine.trim().length) };
  }

  error(key: string, message: string, notes: string[] = []): BrokenTestError {
    const label = key === '' ? 'the test file' : `\`${key}\``;
    return new BrokenTestError({ message: `${label} ${message}`, file: this.file, ...this.where(key), notes });
  }
}
