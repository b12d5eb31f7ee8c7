/**
 * Every EQL query of elastic/detection-rules must parse and compile (SPEC §A), and sequences and
 * samples must compile to their stateful shapes (SPEC §A.9).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileEql, parseEql } from '../../src/eql/index.js';

interface CorpusRule {
  language: string;
  query: string;
  type: string;
  path: string;
  event_category_override?: string;
}

const rules = readFileSync(fileURLToPath(new URL('../fixtures/detection-rules-queries.ndjson', import.meta.url)), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as CorpusRule)
  .filter((rule) => rule.language === 'eql');

describe('detection-rules EQL corpus', () => {
  it('parses and compiles every EQL query', () => {
    const failures: string[] = [];
    const shapes = { event: 0, sequence: 0, sample: 0 };
    for (const rule of rules) {
      try {
        const ast = parseEql(rule.query);
        const compiled = compileEql(ast);
        shapes[compiled.kind]++;
        const expectedKind = ast.type === 'join' ? 'join' : ast.type;
        if (compiled.kind !== expectedKind) failures.push(`${rule.path}: ${ast.type} compiled to ${compiled.kind}`);
      } catch (error) {
        failures.push(`${rule.path}: ${(error as Error).message}`);
      }
    }
    const ok = rules.length - failures.length;
    console.log(`EQL corpus: ${ok}/${rules.length} parse+compile (${shapes.event} event, ${shapes.sequence} sequence, ${shapes.sample} sample)`);
    expect(failures).toEqual([]);
    expect(rules.length).toBe(1081);
    expect(shapes.sequence).toBeGreaterThan(200);
    expect(shapes.sample).toBeGreaterThan(0);
  });
});
