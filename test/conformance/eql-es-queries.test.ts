/**
 * Elasticsearch's whole EQL QA suite (test/fixtures/es-eql: every query file with its data), run
 * through lkm-scan's engine as detection rules under each index's own mapping (eqlEsSuite.ts says
 * how Elasticsearch's runner uses the files and how this one does the same). Every query either gives Elasticsearch's ids, in
 * order, or is listed in NOT_MODELLED with the reason; a listed query that starts passing fails
 * this test, so the list only shrinks.
 */
import { describe, expect, it } from 'vitest';
import { loadSuite, passes, runCase, type SuiteCase } from './eqlEsSuite.js';

/** Why a query does not give Elasticsearch's ids here. `rejects`: lkm-scan refuses the query. */
const REASONS = {
  caseInsensitiveMode: {
    rejects: false,
    why:
      'the request option `case_sensitive: false` (gone from Elasticsearch since 7.12; a rule cannot set it): ' +
      'lkm-scan runs the default case-sensitive mode (SPEC §A.4)',
  },
  fieldToField: { rejects: true, why: 'SPEC §A.4: a field compared with a field is rejected (Elasticsearch accepts it)' },
  endgamePipe: { rejects: true, why: 'SPEC §A.9: the only pipes are `head` and `tail` (`| unique`, `| filter` are the legacy Endgame dialect)' },
  endgameFunction: { rejects: true, why: 'SPEC §A.8: `arraySearch` is a legacy Endgame function, not an Elasticsearch EQL one' },
  unmappedField: {
    rejects: false,
    why:
      'a field the index mapping lacks: the old subset expected no hits, today Elasticsearch refuses the query ' +
      '("Unknown column [fake_field]", eql Verifier); lkm-scan reads a field its table does not know from the event ' +
      '(a --mapping may list only some fields), where it is missing, so `not` over it is true (SPEC §A.2)',
  },
  colonOnNonString: {
    rejects: true,
    why:
      'the old subset (057ebd7) uses `:` on a long field (`opcode:0`): Elasticsearch now refuses it ' +
      '("first argument of [:] must be [string] ... consider using [==] instead", eql VerifierTests.testIncorrectUsageOfStringEquals), ' +
      'and so does lkm-scan under the suite\'s index mapping',
  },
  requestSize: { rejects: false, why: 'the request parameter `size` (a rule cannot carry it)' },
  maxSamplesPerKey: { rejects: false, why: 'the request parameter `max_samples_per_key` (a rule samples each key once, the default)' },
} as const satisfies Record<string, { rejects: boolean; why: string }>;

type Reason = keyof typeof REASONS;

const NOT_MODELLED: Record<string, Reason> = {
  'test_queries_subset.toml/simpleQueryEqual': 'colonOnNonString',
  'test_queries_subset.toml/processWithMultipleConditions1': 'colonOnNonString',
  'test_queries_subset.toml/INWithCondition': 'colonOnNonString',
  'test_queries_subset.toml/multipleConditions2': 'colonOnNonString',
  'test_queries_subset.toml/startsWithCaseSensitive': 'colonOnNonString',
  'test_queries_subset.toml/endsWith1': 'colonOnNonString',
  'test_queries_subset.toml/processWithMultipleConditions2': 'fieldToField',
  'test_queries_subset.toml/compareTwoFields1': 'fieldToField',
  'test_queries_subset.toml/compareTwoFields2': 'fieldToField',
  'test_queries_subset.toml/processWithStringComparisonCaseInsensitive1': 'caseInsensitiveMode',
  'test_queries_subset.toml/processWithStringComparisonCaseInsensitive2': 'caseInsensitiveMode',
  'test_queries_subset.toml/processWithStringComparisonCaseInsensitive3': 'caseInsensitiveMode',
  'test_queries_subset.toml/processWithStringComparisonCaseInsensitive4': 'caseInsensitiveMode',
  'test_queries_subset.toml/processWithStringEqualityCaseInsensitive1': 'endgamePipe',
  'test_queries_subset.toml/processNameIN': 'endgamePipe',
  'test_queries_subset.toml/processNameINCaseInsensitive1': 'endgamePipe',
  'test_queries_subset.toml/twoINs': 'fieldToField',
  'test_queries_subset.toml/twoINsCaseInsensitive': 'fieldToField',
  'test_queries_subset.toml/fakeFieldWithHead1': 'unmappedField',
  'test_queries_subset.toml/fakeFieldWithHead2': 'unmappedField',
  'test_queries_subset.toml/anyWithUnique': 'endgamePipe',
  'test_queries_subset.toml/stringEqualsCaseInsensitive1': 'endgamePipe',
  'test_queries_subset.toml/stringEqualsCaseInsensitive2': 'fieldToField',
  'test_queries_subset.toml/fieldsComparisonCaseInsensitive': 'fieldToField',
  'test_queries_subset.toml/startsWithCaseInsensitive1': 'colonOnNonString',
  'test_queries_subset.toml/startsWithCaseInsensitive2': 'colonOnNonString',
  'test_queries_subset.toml/endsWithCaseInsensitive': 'colonOnNonString',
  'test_queries_subset.toml/fieldComparisonCaseInsensitive': 'fieldToField',
  'test_queries_subset.toml/arraySearchWithMysteriousField1': 'endgameFunction',
  'test_queries_subset.toml/nestedSetComparisons': 'colonOnNonString',
  'test_sample.toml/optionalFieldAsQueryKeysOnly': 'fieldToField',
  'test_sample.toml/size0': 'requestSize',
  'test_sample.toml/size2': 'requestSize',
  'test_sample_multi.toml/twoSamplesPerKeyOutOfThree': 'maxSamplesPerKey',
  'test_sample_multi.toml/twoSamplesPerKeyOutOfThree_withCondition': 'maxSamplesPerKey',
  'test_sample_multi.toml/twoSamplesPerKeyOutOfThree2': 'maxSamplesPerKey',
  'test_sample_multi.toml/threeSamplesPerKey': 'maxSamplesPerKey',
  'test_sample_multi.toml/moreSamplesPerKey': 'maxSamplesPerKey',
  'test_sample_multi.toml/twoSamplesPerKeyOutOfThree_inlineByKey': 'maxSamplesPerKey',
};

const cases = loadSuite();
const label = (c: SuiteCase) => `${c.id}: ${c.query.trim().replace(/\s+/g, ' ')}`;

describe('the Elasticsearch EQL QA suite, run as rules', () => {
  it('loads every query of every file, each once, and lists only queries that exist', () => {
    const counts = Object.fromEntries([...new Set(cases.map((c) => c.file))].map((f) => [f, cases.filter((c) => c.file === f).length]));
    expect(counts).toEqual({
      'test_queries.toml': 133,
      'additional_test_queries.toml': 61,
      'test_queries_date.toml': 4,
      'test_between_queries.toml': 2,
      'test_queries_subset.toml': 89,
      'test_extra.toml': 9,
      'test_missing_events.toml': 26,
      'test_sample.toml': 25,
      'test_sample_multi.toml': 7,
    });
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    const ids = new Set(cases.map((c) => c.id));
    expect(Object.keys(NOT_MODELLED).filter((id) => !ids.has(id))).toEqual([]);
  });

  it('counts: 356 queries, 317 pass, the rest listed by reason', () => {
    const byReason: Record<string, number> = {};
    for (const reason of Object.values(NOT_MODELLED)) byReason[reason] = (byReason[reason] ?? 0) + 1;
    expect({ total: cases.length, listed: Object.keys(NOT_MODELLED).length, byReason }).toEqual({
      total: 356,
      listed: 39,
      byReason: {
        caseInsensitiveMode: 4,
        colonOnNonString: 10,
        fieldToField: 9,
        endgamePipe: 5,
        endgameFunction: 1,
        unmappedField: 2,
        requestSize: 2,
        maxSamplesPerKey: 6,
      },
    });
  });

  for (const c of cases) {
    const reason = NOT_MODELLED[c.id];
    if (reason === undefined) {
      it(label(c), () => {
        const outcome = runCase(c);
        if (!passes(c, outcome)) expect(outcome).toEqual({ ids: c.expected[0], joinKeys: c.joinKeys });
      });
    } else {
      const { rejects, why } = REASONS[reason];
      it(`${c.id} is not modelled — ${why}`, () => {
        const outcome = runCase(c);
        expect(passes(c, outcome), 'it passes now: remove it from NOT_MODELLED').toBe(false);
        if (rejects) expect(outcome).toHaveProperty('error');
        else expect(outcome).toHaveProperty('ids');
      });
    }
  }
});
