import { readFileSync } from 'node:fs';
import TOML from '@iarna/toml';
import { RuleError, RulePathError } from './ruleError.js';
import { intervalMs, relativeWindowMs } from './duration.js';
import { msPerUnit } from '../time/duration.js';
import { findKey, findQueryStart } from './tomlKeys.js';
import { FilterSyntaxError, parseRuleFilters, SUPPORTED, type RuleFilter } from '../filters/index.js';
import { errorCode } from '../input/errors.js';
import {
  SEVERITIES,
  type AlertSuppression,
  type ExceptionListRef,
  type NewTermsRule,
  type Rule,
  type RuleCommon,
  type Severity,
  type Threat,
  type ThreatEntry,
  type ThreatTechnique,
  type ThresholdRule,
} from './types.js';

/** A rule file whose `type` lkm-scan cannot run offline (SPEC: esql, machine_learning, …). */
export interface UnsupportedRule {
  unsupported: true;
  file: string;
  id: string;
  name: string;
  type: string;
  language?: string;
}

export type LoadedRule = Rule | UnsupportedRule;

export function isUnsupported(r: LoadedRule): r is UnsupportedRule {
  return 'unsupported' in r;
}

/** Reads and validates one rule file. Throws RuleError naming the file and field. */
export function loadRuleFile(path: string, options: { displayPath?: string; bundled?: boolean } = {}): LoadedRule {
  const file = options.displayPath ?? path;
  return parseRuleText(readRuleFile(path, file).toString('utf8'), file, options.bundled ?? false);
}

/** The bytes of a rule file (`file` names it in the error). Throws RulePathError when it cannot be read. */
export function readRuleFile(path: string, file: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new RulePathError({ message: `cannot read rule file: ${errorCode(e) ?? (e instanceof Error ? e.message : String(e))}`, file });
  }
}

type Table = Record<string, unknown>;

/** Validates the TOML text of a rule. Exported for tests and for in-memory rule packs. */
export function parseRuleText(text: string, file: string, bundled = false): LoadedRule {
  let doc: Table;
  try {
    doc = TOML.parse(text);
  } catch (e) {
    const err = e as Error & { line?: number; col?: number };
    const line = typeof err.line === 'number' ? err.line + 1 : undefined;
    const firstLine = err.message.split('\n')[0]!.replace(/ at row \d+, col \d+, pos \d+:?$/, '');
    throw new RuleError({
      message: `invalid TOML: ${firstLine}`,
      file,
      line,
      column: typeof err.col === 'number' ? err.col + 1 : undefined,
      sourceLine: line === undefined ? undefined : text.split(/\r?\n/)[line - 1],
      notes: ['rule files use the format of github.com/elastic/detection-rules'],
    });
  }

  const fail = (field: string, message: string, notes?: string[]): never => {
    const line = findKey(text, field)?.line;
    throw new RuleError({
      message: `rule field \`${field}\` ${message}`,
      file,
      line,
      column: line === undefined ? undefined : 1,
      sourceLine: line === undefined ? undefined : text.split(/\r?\n/)[line - 1],
      notes,
    });
  };

  const rule = doc.rule;
  if (!isTable(rule)) return fail('rule', 'is missing: a rule file needs a [rule] table');
  const metadata = isTable(doc.metadata) ? doc.metadata : {};

  const str = (key: string, required: boolean): string | undefined => {
    const v = rule[key];
    if (v === undefined) return required ? fail(`rule.${key}`, 'is missing') : undefined;
    if (typeof v !== 'string') return fail(`rule.${key}`, `must be a string, found ${describe(v)}`);
    return flatten(v);
  };
  const strList = (key: string): string[] => {
    const v = rule[key];
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      return fail(`rule.${key}`, `must be a list of strings, found ${describe(v)}`);
    }
    return (v as string[]).map(flatten);
  };

  const id = str('rule_id', true)!;
  const name = str('name', true)!;
  const type = str('type', true)!;
  const language = str('language', false);

  if (type === 'machine_learning' || type === 'esql' || type === 'threat_match' || language === 'lucene' || language === 'esql') {
    return { unsupported: true, file, id, name, type: language === 'lucene' ? 'lucene' : type, language };
  }
  if (type !== 'query' && type !== 'eql' && type !== 'new_terms' && type !== 'threshold') {
    return fail('rule.type', `is "${type}", which lkm-scan does not know`, [
      'supported: query, eql, new_terms, threshold (esql, machine_learning, threat_match are skipped)',
    ]);
  }
  if (language !== 'eql' && language !== 'kuery') {
    return fail('rule.language', `must be "eql" or "kuery" for a ${type} rule, found ${describe(language)}`);
  }
  if (type === 'eql' && language !== 'eql') fail('rule.language', 'must be "eql" for an eql rule');
  if (type === 'query' && language !== 'kuery') fail('rule.language', 'must be "kuery" for a query rule');

  const query = str('query', true)!;
  const severity = str('severity', true)!;
  if (!SEVERITIES.includes(severity as Severity)) {
    fail('rule.severity', `is "${severity}"; expected one of ${SEVERITIES.join(', ')}`);
  }
  const riskScore = rule.risk_score;
  if (typeof riskScore !== 'number' || !Number.isFinite(riskScore) || riskScore < 0 || riskScore > 100) {
    fail('rule.risk_score', `must be a number from 0 to 100, found ${describe(riskScore)}`);
  }

  const common: RuleCommon = {
    id,
    name,
    description: str('description', false) ?? '',
    severity: severity as Severity,
    riskScore: riskScore as number,
    tags: strList('tags'),
    threat: readThreats(rule.threat, fail),
    author: strList('author'),
    license: str('license', false),
    references: strList('references'),
    falsePositives: strList('false_positives'),
    exceptionsList: readExceptionsList(rule.exceptions_list, fail),
    setup: str('setup', false),
    note: str('note', false),
    index: strList('index'),
    buildingBlock: rule.building_block_type === 'default',
    deprecated: metadata.maturity === 'deprecated',
    maturity: typeof metadata.maturity === 'string' ? metadata.maturity : undefined,
    timestampOverride: str('timestamp_override', false),
    eventCategoryOverride: str('event_category_override', false),
    from: str('from', false),
    interval: str('interval', false),
    maxSignals: readMaxSignals(rule.max_signals, fail),
    alertSuppression: readAlertSuppression(rule.alert_suppression, type, fail),
    language,
    query,
    filters: readFilters(rule.filters, text, file),
    enabled: readEnabled(rule.enabled, fail),
    source: { file, queryStart: findQueryStart(text), bundled },
  };

  if (common.interval !== undefined && intervalMs(common.interval) === undefined) {
    fail('rule.interval', `is "${common.interval}"; expected a whole number and a unit s, m, h or d, e.g. "5m"`);
  }

  switch (type) {
    case 'query':
      return { ...common, type, language: 'kuery' };
    case 'eql':
      return { ...common, type, language: 'eql' };
    case 'new_terms': {
      const nt = rule.new_terms;
      if (!isTable(nt)) return fail('rule.new_terms', 'is missing: a new_terms rule needs a [rule.new_terms] table');
      const fields = nt.value;
      if (!Array.isArray(fields) || fields.length < 1 || fields.length > 3 || fields.some((f) => typeof f !== 'string')) {
        return fail('rule.new_terms.value', `must list 1 to 3 field names, found ${describe(fields)}`);
      }
      const hws = nt.history_window_start;
      const start = Array.isArray(hws) && isTable(hws[0]) ? hws[0].value : hws;
      if (typeof start !== 'string') {
        return fail('rule.new_terms.history_window_start', `must be a date-math string such as "now-5d", found ${describe(start)}`);
      }
      const ms = relativeWindowMs(start);
      if (ms === undefined) {
        return fail('rule.new_terms.history_window_start', `is "${start}"; expected the form now-N(s|m|h|d|w), e.g. "now-5d"`);
      }
      const loaded: NewTermsRule = { ...common, type: 'new_terms', newTerms: { fields: fields as string[], historyWindowStart: start, historyWindowMs: ms } };
      return loaded;
    }
    case 'threshold': {
      const th = rule.threshold;
      if (!isTable(th)) return fail('rule.threshold', 'is missing: a threshold rule needs a [rule.threshold] table');
      const rawFields = th.field === undefined ? [] : Array.isArray(th.field) ? th.field : [th.field];
      if (rawFields.some((f) => typeof f !== 'string')) fail('rule.threshold.field', 'must be a field name or a list of them');
      const value = th.value;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
        return fail('rule.threshold.value', `must be a whole number of at least 1, found ${describe(value)}`);
      }
      let cardinality: { field: string; value: number } | undefined;
      const card: unknown = Array.isArray(th.cardinality) ? th.cardinality[0] : th.cardinality;
      if (card !== undefined) {
        if (!isTable(card) || typeof card.field !== 'string' || typeof card.value !== 'number') {
          return fail('rule.threshold.cardinality', 'must have a string `field` and a number `value`');
        }
        cardinality = { field: card.field, value: card.value };
      }
      const loaded: ThresholdRule = { ...common, type: 'threshold', threshold: { fields: rawFields as string[], value, cardinality } };
      return loaded;
    }
  }
}

function readMaxSignals(value: unknown, fail: (field: string, message: string) => never): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    return fail('rule.max_signals', `must be a whole number of at least 1, found ${describe(value)}`);
  }
  return value;
}

/** Kibana's rule schema: `group_by` 1 to 3 fields, `duration` {value, unit s|m|h}, `missing_fields_strategy`. */
function readAlertSuppression(value: unknown, type: string, fail: (field: string, message: string) => never): AlertSuppression | undefined {
  if (value === undefined) return undefined;
  if (!isTable(value)) return fail('rule.alert_suppression', `must be a table, found ${describe(value)}`);
  const groupBy = value.group_by;
  let fields: string[] = [];
  if (groupBy !== undefined || type !== 'threshold') {
    if (!Array.isArray(groupBy) || groupBy.length < 1 || groupBy.length > 3 || groupBy.some((f) => typeof f !== 'string' || f === '')) {
      return fail('rule.alert_suppression.group_by', `must list 1 to 3 field names, found ${describe(groupBy)}`);
    }
    fields = groupBy as string[];
  }
  let durationMs: number | undefined;
  const duration = value.duration;
  if (duration !== undefined) {
    const unitMs = isTable(duration) && typeof duration.unit === 'string' && /^[smh]$/.test(duration.unit) ? msPerUnit(duration.unit) : undefined;
    if (!isTable(duration) || typeof duration.value !== 'number' || !Number.isInteger(duration.value) || duration.value < 1 || unitMs === undefined) {
      return fail('rule.alert_suppression.duration', `must be a table with a whole \`value\` of at least 1 and a \`unit\` of "s", "m" or "h", found ${describe(duration)}`);
    }
    durationMs = duration.value * unitMs;
  }
  const strategy = value.missing_fields_strategy ?? 'suppress';
  if (strategy !== 'suppress' && strategy !== 'doNotSuppress') {
    return fail('rule.alert_suppression.missing_fields_strategy', `must be "suppress" or "doNotSuppress", found ${describe(strategy)}`);
  }
  return { groupBy: fields, durationMs, missingFields: strategy };
}

function readEnabled(value: unknown, fail: (field: string, message: string) => never): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'boolean') return fail('rule.enabled', `must be true or false, found ${describe(value)}`);
  return value;
}

/**
 * `rule.filters`, parsed into typed filters (src/filters). A filter lkm-scan cannot evaluate is a
 * rule error at its line: the deepest key of its path the file defines on a line of its own, else
 * the filter's `[[rule.filters]]` header.
 */
function readFilters(raw: unknown, text: string, file: string): RuleFilter[] {
  let filters: RuleFilter[];
  try {
    filters = parseRuleFilters(raw);
  } catch (e) {
    if (!(e instanceof FilterSyntaxError)) throw e;
    const line = filterKeyLine(text, e.segments, raw);
    throw new RuleError({
      message: `rule field \`rule.filters${e.path}\` ${e.message}`,
      file,
      line,
      column: line === undefined ? undefined : 1,
      sourceLine: line === undefined ? undefined : text.split(/\r?\n/)[line - 1],
      notes: [`lkm-scan evaluates these Query DSL clauses in filters: ${SUPPORTED.join(', ')} (README "Rule filters")`],
    });
  }
  return filters.map((f, i) => {
    const line = filterKeyLine(text, [i]);
    return line === undefined ? f : { ...f, line };
  });
}

/**
 * The line of `rule.filters` + segments; else of a key just below it (a table header such as
 * `[rule.filters.query.regexp."process.name"]` defines the path's child, not the path); else of
 * the nearest enclosing key the file defines.
 */
function filterKeyLine(text: string, segments: readonly (string | number)[], raw?: unknown): number | undefined {
  const pathOf = (segs: readonly (string | number)[]) => segs.reduce<string>((path, s) => path + (typeof s === 'number' ? `[${s}]` : `.${s}`), 'rule.filters');
  const exact = findKey(text, pathOf(segments))?.line;
  if (exact !== undefined) return exact;
  let value = raw;
  for (const s of segments) value = typeof s === 'number' ? (Array.isArray(value) ? value[s] : undefined) : isTable(value) ? value[s] : undefined;
  if (isTable(value)) {
    for (const key of Object.keys(value)) {
      const below = findKey(text, pathOf([...segments, key]))?.line;
      if (below !== undefined) return below;
    }
  }
  for (let n = segments.length - 1; n >= 0; n--) {
    const found = findKey(text, pathOf(segments.slice(0, n)))?.line;
    if (found !== undefined) return found;
  }
  return undefined;
}

function readThreats(value: unknown, fail: (field: string, message: string) => never): Threat[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return fail('rule.threat', 'must be an array of tables ([[rule.threat]])');
  return value.map((t, i) => {
    if (!isTable(t) || typeof t.framework !== 'string') return fail(`rule.threat[${i}].framework`, 'is missing');
    const threat: Threat = { framework: t.framework };
    if (t.tactic !== undefined) threat.tactic = readEntry(t.tactic, `rule.threat[${i}].tactic`, fail);
    if (t.technique !== undefined) {
      if (!Array.isArray(t.technique)) return fail(`rule.threat[${i}].technique`, 'must be an array of tables');
      threat.technique = t.technique.map((tech, j): ThreatTechnique => {
        const base: ThreatTechnique = readEntry(tech, `rule.threat[${i}].technique[${j}]`, fail);
        const subs = (tech as Table).subtechnique;
        if (subs !== undefined) {
          if (!Array.isArray(subs)) return fail(`rule.threat[${i}].technique[${j}].subtechnique`, 'must be an array of tables');
          base.subtechnique = subs.map((s, k) => readEntry(s, `rule.threat[${i}].technique[${j}].subtechnique[${k}]`, fail));
        }
        return base;
      });
    }
    return threat;
  });
}

function readExceptionsList(value: unknown, fail: (field: string, message: string) => never): ExceptionListRef[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return fail('rule.exceptions_list', 'must be an array of tables ([[rule.exceptions_list]])');
  return value.map((t, i) => {
    const at = `rule.exceptions_list[${i}]`;
    if (!isTable(t) || typeof t.list_id !== 'string' || t.list_id === '') return fail(`${at}.list_id`, 'must be the list_id of an exception list');
    const ns = t.namespace_type ?? 'single';
    if (ns !== 'single' && ns !== 'agnostic') return fail(`${at}.namespace_type`, `must be "single" or "agnostic", found ${describe(ns)}`);
    const ref: ExceptionListRef = { listId: t.list_id, namespaceType: ns };
    if (typeof t.id === 'string') ref.id = t.id;
    if (typeof t.type === 'string') ref.type = t.type;
    return ref;
  });
}

function readEntry(value: unknown, field: string, fail: (field: string, message: string) => never): ThreatEntry {
  if (!isTable(value) || typeof value.id !== 'string' || typeof value.name !== 'string') {
    return fail(field, 'needs string `id` and `name`');
  }
  const entry: ThreatEntry = { id: value.id, name: value.name };
  if (typeof value.reference === 'string') entry.reference = value.reference;
  return entry;
}

/**
 * @iarna/toml builds strings a character at a time, and V8 keeps such strings as long chains of
 * pieces: a rule pack of 2,000 files then holds ~400 MB and spends most of its load time in GC.
 * Copying a kept string once makes it one flat block.
 */
function flatten(s: string): string {
  return s.length < 64 ? s : Buffer.from(s, 'utf8').toString('utf8');
}

function isTable(v: unknown): v is Table {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  if (typeof v === 'string') return `"${v}"`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  // A TOML date or time is a Date; any other object is a table (String() would say `[object Object]`).
  if (v instanceof Date) return `object ${v.toString()}`;
  return isTable(v) ? 'a table' : typeof v;
}
