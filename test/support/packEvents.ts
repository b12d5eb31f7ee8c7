// Events that make many rules of the detection-rules pack fire at once: one event per KQL query or
// new_terms rule, built from its query by kqlWitness. Read from the query corpus
// (test/fixtures/detection-rules-queries.ndjson, the same commit as the pack's TOML files), which
// is much faster than parsing 2,000 TOML files.
import { readFileSync } from 'node:fs';
import { parseKql } from '../../src/kql/index.js';
import { kqlWitness, toEvent } from './kqlWitness.js';

interface CorpusRule {
  type: string;
  language: string | null;
  query: string | null;
  new_terms: { fields: string[] } | null;
}

/** NDJSON lines, one per rule a witness was found for, all at one time so no window matters. */
export function packEvents(corpusPath: string): string[] {
  const lines: string[] = [];
  for (const text of readFileSync(corpusPath, 'utf8').split('\n')) {
    if (text.trim() === '') continue;
    const rule = JSON.parse(text) as CorpusRule;
    if (rule.language !== 'kuery' || rule.query === null || (rule.type !== 'query' && rule.type !== 'new_terms')) continue;
    let witness;
    try {
      witness = kqlWitness(parseKql(rule.query));
    } catch {
      continue;
    }
    if (witness === undefined) continue;
    for (const field of rule.new_terms?.fields ?? []) if (!witness.has(field)) witness.set(field, [`term of ${field}`]);
    lines.push(JSON.stringify({ '@timestamp': '2024-05-01T10:00:00Z', 'event.ingested': '2024-05-01T10:00:00Z', ...toEvent(witness) }));
  }
  return lines;
}
