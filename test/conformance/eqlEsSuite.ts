/**
 * Loads Elasticsearch's EQL QA suite (test/fixtures/es-eql, see its README) and runs a query of it
 * through lkm-scan's engine as a detection rule would: compileRule, then the scanner with its
 * runners (query, sequence, sample), over the suite's data in the order Elasticsearch reads it.
 *
 * How Elasticsearch's QA runner (x-pack/plugin/eql/qa/common/.../BaseEqlSpecTestCase, DataLoader,
 * EqlSpecLoader) uses these files, and what this harness does the same way:
 * - `test_data.json` is the index `endgame-140`: `@timestamp` is the Windows filetime `timestamp`
 *   turned into epoch milliseconds (filetime / 10^4 − 11644473600000, integer division), the
 *   tiebreaker and id field is `serial_event_id`, `event.category` is an alias of `event_type`.
 *   The filetimes exceed 2^53, so they are converted from their decimal text, not from JSON.parse.
 * - `extra.data.json` and `missing-events.data.json`: `@timestamp` as given (epoch-ms strings or
 *   ISO dates), tiebreaker and id field `sequence`; `-1` in `expected_event_ids` is the placeholder
 *   Elasticsearch returns for a missing `![...]` event, which a rule's alert does not carry.
 * - `sample.data.json` (indices sample1..3, concatenated) and `sample-multi.data.json`: id field
 *   `id`, no tiebreaker. A sample's queries read hits in index order, so they are fed in file order.
 * - Results: events in `@timestamp` then tiebreaker order; sequences flattened, one after the other;
 *   samples flattened, ordered by join key (Elasticsearch's composite aggregation walks keys in
 *   order). `expected_event_ids` may be a list of alternatives (Elasticsearch may pick either).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import TOML from '@iarna/toml';
import { compileRule } from '../../src/engine/compileRule.js';
import { createScanner } from '../../src/engine/scanner.js';
import type { Alert } from '../../src/engine/alert.js';
import { readJoinKey } from '../../src/eql/compile.js';
import { FieldTypeTable, loadMapping } from '../../src/fieldTypes/index.js';
import type { EcsEvent, Scalar } from '../../src/event/types.js';
import type { EqlRule } from '../../src/rules/types.js';
import { parseTimestamp } from '../../src/time/timestamp.js';

export const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../fixtures/es-eql/${name}`, import.meta.url)), 'utf8');

export interface SuiteCase {
  /** `file/name`, unique across the suite. */
  id: string;
  file: string;
  name: string;
  query: string;
  /** Each alternative is a full expected result (flattened ids). */
  expected: number[][];
  dataset: Dataset;
  /** Request parameters a rule cannot carry. */
  size?: number;
  maxSamplesPerKey?: number;
  caseInsensitive?: boolean;
  caseSensitive?: boolean;
  /** Samples: each sample's join key values as Elasticsearch prints them, flattened. */
  joinKeys?: string[];
}

export interface Dataset {
  name: string;
  /** In the order the engine gets them. */
  events: EcsEvent[];
  idField: string;
  /** The index mapping its queries run against (the suite's `data/<index>.mapping`). */
  fieldTypes: FieldTypeTable;
}

/**
 * The field types of the suite's indices, read as DataLoader.readMapping reads the `.mapping`
 * files: `#` lines dropped, `[runtime_random_keyword_type]` replaced by `keyword` (DataLoader
 * picks keyword or wildcard at random; both are exact keyword-like fields). Several indices
 * (sample1..3) load as a GET _mapping response of those indices.
 */
function indexMapping(...indices: string[]): FieldTypeTable {
  const response: Record<string, unknown> = {};
  for (const index of indices) {
    const text = fixture(`${index}.mapping`)
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .join('\n')
      .replaceAll('[runtime_random_keyword_type]', 'keyword');
    response[index] = { mappings: JSON.parse(text) as unknown };
  }
  return FieldTypeTable.withMapping(loadMapping(response, indices.join(',')));
}

interface RawCase {
  name: string;
  query: string;
  expected_event_ids: number[] | number[][];
  size?: number;
  max_samples_per_key?: number;
  case_insensitive?: boolean;
  case_sensitive?: boolean;
  join_keys?: string[];
}

const FILETIME_EPOCH_DIFF_MS = 11644473600000n;

function endgameEvents(): EcsEvent[] {
  // The filetimes are integers beyond 2^53: read them as text so the conversion is exact.
  const text = fixture('test_data.json').replace(/"timestamp": (\d+)/g, '"timestamp": "$1"');
  const events = JSON.parse(text) as EcsEvent[];
  for (const e of events) {
    const filetime = e['timestamp'];
    if (typeof filetime !== 'string') throw new Error('test_data.json: an event without a filetime');
    e['@timestamp'] = Number(BigInt(filetime) / 10_000n - FILETIME_EPOCH_DIFF_MS);
  }
  return sortedByTime(events, 'serial_event_id');
}

/** A data set's time or tiebreaker, read as the engine reads an event time. */
function num(v: unknown): number {
  const t = parseTimestamp(v);
  if (t === undefined) throw new Error(`not a time or a number: ${String(v)}`);
  return t;
}

function sortedByTime(events: EcsEvent[], tiebreaker: string): EcsEvent[] {
  return events.slice().sort((a, b) => num(a['@timestamp']) - num(b['@timestamp']) || num(a[tiebreaker]) - num(b[tiebreaker]));
}

const load = (name: string): EcsEvent[] => JSON.parse(fixture(name)) as EcsEvent[];

export const DATASETS = {
  endgame: { name: 'test_data.json', events: endgameEvents(), idField: 'serial_event_id', fieldTypes: indexMapping('endgame-140') },
  extra: { name: 'extra.data.json', events: sortedByTime(load('extra.data.json'), 'sequence'), idField: 'sequence', fieldTypes: indexMapping('extra') },
  missing: {
    name: 'missing-events.data.json',
    events: sortedByTime(load('missing-events.data.json'), 'sequence'),
    idField: 'sequence',
    fieldTypes: indexMapping('missing-events'),
  },
  sample: { name: 'sample.data.json', events: load('sample.data.json'), idField: 'id', fieldTypes: indexMapping('sample1', 'sample2', 'sample3') },
  sampleMulti: { name: 'sample-multi.data.json', events: load('sample-multi.data.json'), idField: 'id', fieldTypes: indexMapping('sample-multi') },
} satisfies Record<string, Dataset>;

/** Every query file of the suite and the data it runs over. */
export const SUITE_FILES: ReadonlyArray<[file: string, dataset: Dataset]> = [
  ['test_queries.toml', DATASETS.endgame],
  ['additional_test_queries.toml', DATASETS.endgame],
  ['test_queries_date.toml', DATASETS.endgame],
  ['test_between_queries.toml', DATASETS.endgame],
  ['test_queries_subset.toml', DATASETS.endgame],
  ['test_extra.toml', DATASETS.extra],
  ['test_missing_events.toml', DATASETS.missing],
  ['test_sample.toml', DATASETS.sample],
  ['test_sample_multi.toml', DATASETS.sampleMulti],
];

export function loadSuite(): SuiteCase[] {
  const cases: SuiteCase[] = [];
  for (const [file, dataset] of SUITE_FILES) {
    const raw = (TOML.parse(fixture(file)) as unknown as { queries: RawCase[] }).queries;
    for (const c of raw) {
      const ids = c.expected_event_ids;
      const alternatives = ids.length > 0 && Array.isArray(ids[0]) ? (ids as number[][]) : [ids as number[]];
      cases.push({
        id: `${file}/${c.name}`,
        file,
        name: c.name,
        query: c.query,
        // A missing event's placeholder (-1) is not part of a rule's alert.
        expected: alternatives.map((a) => a.filter((id) => id !== -1)),
        dataset,
        size: c.size,
        maxSamplesPerKey: c.max_samples_per_key,
        caseInsensitive: c.case_insensitive,
        caseSensitive: c.case_sensitive,
        joinKeys: c.join_keys,
      });
    }
  }
  return cases;
}

function ruleOf(query: string): EqlRule {
  return {
    id: 'es-eql-suite',
    name: 'es-eql-suite',
    description: '',
    severity: 'low',
    riskScore: 0,
    tags: [],
    threat: [],
    author: [],
    references: [],
    falsePositives: [],
    index: [],
    buildingBlock: false,
    deprecated: false,
    eventCategoryOverride: 'event_type',
    type: 'eql',
    language: 'eql',
    query,
    filters: [],
    enabled: true,
    source: { file: 'es-eql', queryStart: { line: 1, column: 1 }, bundled: false },
  };
}

export type Outcome = { ids: number[]; joinKeys?: string[] } | { error: string };

/** Runs one query over its data set as a rule; the ids of its alerts' events, flattened. */
export function runCase(c: SuiteCase): Outcome {
  let compiled;
  try {
    compiled = compileRule(ruleOf(c.query), { fieldTypes: c.dataset.fieldTypes });
  } catch (e) {
    return { error: e instanceof Error ? e.message.split('\n')[0]! : String(e) };
  }
  const alerts: Alert[] = [];
  const scanner = createScanner([compiled], (a) => alerts.push(a), { live: false });
  c.dataset.events.forEach((event, i) => scanner.event(event, { file: c.dataset.name, line: i + 1 }));
  scanner.finish();
  const groups = alerts.map((a) => (a.events ?? [{ event: a.event }]).map((e) => e.event));
  const idsOf = (gs: EcsEvent[][]) => gs.flat().map((e) => Number(e[c.dataset.idField]));
  if (compiled.kind !== 'sample') return { ids: idsOf(groups) };
  // The first query's keys (sample-level then its own) are the sample's composite key.
  const keys = compiled.sample.steps[0]!.keys;
  const keyed = groups.map((g) => ({ g, key: readJoinKey(keys, g[0]!) ?? [] }));
  keyed.sort((a, b) => compareKeys(a.key, b.key));
  return { ids: idsOf(keyed.map((k) => k.g)), joinKeys: keyed.flatMap((k) => k.key.map((v) => String(v))) };
}

/** Composite-aggregation order of keys: a missing (null) value first, then by value. */
function compareKeys(a: ReadonlyArray<Scalar | null>, b: ReadonlyArray<Scalar | null>): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === y) continue;
    if (x === null) return -1;
    if (y === null) return 1;
    const nx = typeof x === 'boolean' ? Number(x) : x;
    const ny = typeof y === 'boolean' ? Number(y) : y;
    if (nx < ny) return -1;
    if (nx > ny) return 1;
  }
  return 0;
}

export function passes(c: SuiteCase, outcome: Outcome): boolean {
  if (!('ids' in outcome)) return false;
  if (c.joinKeys !== undefined && JSON.stringify(c.joinKeys) !== JSON.stringify(outcome.joinKeys)) return false;
  return c.expected.some((alt) => alt.length === outcome.ids.length && alt.every((id, i) => id === outcome.ids[i]));
}
