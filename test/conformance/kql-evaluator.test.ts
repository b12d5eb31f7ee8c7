/**
 * detection-rules' KQL evaluator cases (test/fixtures/kql/kql-evaluator-cases.json, see
 * test/fixtures/README.md): (query, document, expected) triples. Every case agrees with
 * Kibana + Elasticsearch semantics (SPEC §B.3, §C) on these documents, so none is excepted.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EcsEvent } from '../../src/event/types.js';
import { compileKql, parseKql } from '../../src/kql/index.js';

interface EvaluatorCase {
  query: string;
  doc_ref: string;
  expected: boolean;
  source: string;
}
const suite = JSON.parse(readFileSync(new URL('../fixtures/kql/kql-evaluator-cases.json', import.meta.url), 'utf8')) as {
  documents: Record<string, EcsEvent>;
  cases: EvaluatorCase[];
};

describe('detection-rules KQL evaluator cases', () => {
  for (const c of suite.cases) {
    const line = /\(line (\d+)\)/.exec(c.source)?.[1] ?? '?';
    it(`${JSON.stringify(c.query)} on ${c.doc_ref} is ${c.expected} (test_evaluator.py line ${line})`, () => {
      const document = suite.documents[c.doc_ref];
      expect(document).toBeDefined();
      expect(compileKql(parseKql(c.query))(document!)).toBe(c.expected);
    });
  }
});
