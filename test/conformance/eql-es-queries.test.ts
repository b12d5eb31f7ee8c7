/**
 * Elasticsearch's own EQL test suite (single-event subset of x-pack/plugin/eql/qa/common/src/main/
 * resources/test_queries.toml) over its test_data.json, with `event_category_override =
 * "event_type"` (the suite's category field). Results compare on `serial_event_id`, in that order.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import TOML from '@iarna/toml';
import { describe, expect, it } from 'vitest';
import { compileEql, parseEql } from '../../src/eql/index.js';
import { QuerySyntaxError } from '../../src/query/syntaxError.js';
import type { EcsEvent } from '../../src/event/types.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../fixtures/es-eql/${name}`, import.meta.url)), 'utf8');

interface Case {
  name: string;
  query: string;
  expected_event_ids: number[];
  case_sensitive?: boolean;
  case_insensitive?: boolean;
}

const events = (JSON.parse(fixture('test_data.json')) as EcsEvent[])
  .slice()
  .sort((a, b) => (a['serial_event_id'] as number) - (b['serial_event_id'] as number));
const cases = (TOML.parse(fixture('test_queries_subset.toml')) as unknown as { queries: Case[] }).queries;

/**
 * Cases where lkm-scan deliberately differs from this suite, each with the SPEC section deciding.
 * `rejects`: the query is refused at compile time; `differs`: it runs but gives other ids.
 */
const DIFFERENCES: Record<string, { kind: 'rejects' | 'differs'; why: string }> = {
  processWithMultipleConditions2: { kind: 'rejects', why: 'SPEC §A.4: comparing a field with a field (`opcode : pid`) is rejected' },
  compareTwoFields2: { kind: 'rejects', why: 'SPEC §A.4: field compared with field' },
  twoINs: { kind: 'rejects', why: 'SPEC §A.4: field compared with field (`in (parent_process_name, ...)`)' },
  processNameIN: { kind: 'rejects', why: 'SPEC §A.9: the only pipes are head and tail (`| unique` is rejected)' },
  anyWithUnique: { kind: 'rejects', why: 'SPEC §A.9: the only pipes are head and tail (`| unique`)' },
  arraySearchWithMysteriousField1: { kind: 'rejects', why: 'SPEC §A.8: arraySearch is not an Elasticsearch EQL function (legacy Endgame dialect)' },
  fakeFieldWithHead1: {
    kind: 'differs',
    why:
      'SPEC §A.2: offline there is no index mapping, so an absent field is "missing in the document" and ' +
      '`not`/`!:` over it is true; Elasticsearch turns a field unknown to the mapping into a null literal, ' +
      'so this suite expects no hits',
  },
  fakeFieldWithHead2: { kind: 'differs', why: 'SPEC §A.2: same as fakeFieldWithHead1 (`not (fake_field : "*")`)' },
};

/** Applies the compiled head/tail pipes to the ordered matches. */
function runQuery(text: string): number[] {
  const compiled = compileEql(parseEql(text), { eventCategoryField: 'event_type' });
  if (compiled.kind !== 'event') throw new Error(`${text} is not a single-event query`);
  let ids = events.filter((e) => compiled.predicate(e)).map((e) => e['serial_event_id'] as number);
  for (const pipe of compiled.pipes) ids = pipe.kind === 'head' ? ids.slice(0, pipe.count) : ids.slice(Math.max(0, ids.length - pipe.count));
  return ids;
}

describe('Elasticsearch EQL test_queries (single-event subset)', () => {
  // case_insensitive cases only hold under the request option `case_sensitive: false`, which
  // detection rules never set: lkm-scan runs Elasticsearch's default, case-sensitive mode (SPEC §A.4).
  const applicable = cases.filter((c) => c.case_insensitive !== true);
  const notApplicable = cases.filter((c) => c.case_insensitive === true);

  it('loads the whole suite', () => {
    expect(cases.length).toBe(89);
    expect(applicable.length + notApplicable.length).toBe(89);
  });

  for (const c of applicable) {
    const difference = DIFFERENCES[c.name];
    if (difference === undefined) {
      it(`${c.name}: ${c.query.trim().replace(/\s+/g, ' ')}`, () => {
        expect(runQuery(c.query)).toEqual(c.expected_event_ids);
      });
    } else if (difference.kind === 'rejects') {
      it(`${c.name} is rejected at compile time — ${difference.why}`, () => {
        expect(() => runQuery(c.query)).toThrow(QuerySyntaxError);
      });
    } else {
      it(`${c.name} differs on purpose — ${difference.why}`, () => {
        expect(runQuery(c.query)).not.toEqual(c.expected_event_ids);
      });
    }
  }

  // Under the default mode the case_insensitive cases are not expected to give the suite's ids;
  // they must still compile, unless rejected for a reason listed here.
  const rejectedInsensitive: Record<string, string> = {
    processWithStringEqualityCaseInsensitive1: 'SPEC §A.9: `| filter` is not an Elasticsearch EQL pipe',
    processNameINCaseInsensitive1: 'SPEC §A.9: `| unique` is not an Elasticsearch EQL pipe',
    stringEqualsCaseInsensitive1: 'SPEC §A.9: `| filter` is not an Elasticsearch EQL pipe',
    twoINsCaseInsensitive: 'SPEC §A.4: field compared with field',
    stringEqualsCaseInsensitive2: 'SPEC §A.4: field compared with field',
    fieldsComparisonCaseInsensitive: 'SPEC §A.4: field compared with field',
    fieldComparisonCaseInsensitive: 'SPEC §A.4: field compared with field',
    compareTwoFields1: 'SPEC §A.4: field compared with field',
  };
  for (const c of notApplicable) {
    const reason = rejectedInsensitive[c.name];
    if (reason === undefined) {
      it(`${c.name} (case_insensitive mode only) compiles and runs`, () => {
        expect(Array.isArray(runQuery(c.query))).toBe(true);
      });
    } else {
      it(`${c.name} (case_insensitive mode only) is rejected — ${reason}`, () => {
        expect(() => runQuery(c.query)).toThrow(QuerySyntaxError);
      });
    }
  }
});

describe('Elasticsearch EQL test_extra (sequences and ?optional fields; its data file was not published)', () => {
  const extra = (TOML.parse(fixture('test_extra.toml')) as unknown as { queries: Case[] }).queries;
  for (const c of extra) {
    it(`${c.name} parses and compiles to the ${/^\s*sequence/.test(c.query) ? 'sequence' : 'event'} shape`, () => {
      const compiled = compileEql(parseEql(c.query), { eventCategoryField: 'event_type' });
      expect(compiled.kind).toBe(/^\s*sequence/.test(c.query) ? 'sequence' : 'event');
    });
  }
});
