/**
 * Every KQL query of Elastic's detection-rules repository (test/fixtures/detection-rules-queries.ndjson)
 * must parse and compile: these are the queries the product exists to run (SPEC §B).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Predicate } from '../../src/event/types.js';
import { compileKql, parseKql } from '../../src/kql/index.js';

interface RuleQuery {
  path: string;
  language: string;
  query: string;
}

const rules = readFileSync(new URL('../fixtures/detection-rules-queries.ndjson', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as RuleQuery)
  .filter((rule) => rule.language === 'kuery');

describe('detection-rules KQL corpus', () => {
  const compiled: Predicate[] = [];

  it('parses and compiles every kuery query', () => {
    const failures: string[] = [];
    for (const rule of rules) {
      try {
        compiled.push(compileKql(parseKql(rule.query)));
      } catch (error) {
        failures.push(`${rule.path}: ${(error as Error).message}`);
      }
    }
    console.log(`KQL corpus: ${rules.length - failures.length}/${rules.length} parse+compile`);
    expect(rules.length).toBe(792);
    expect(failures).toEqual([]);
  });

  it('evaluates every compiled query on a sample event without throwing', () => {
    const event = {
      '@timestamp': '2024-05-01T10:00:00Z',
      event: { category: ['process'], type: ['start'], action: 'exec', outcome: 'success' },
      host: { os: { type: 'linux' }, name: 'h' },
      process: { name: 'bash', pid: 42, args: ['bash', '-c', 'id'], parent: { name: 'sshd' } },
      source: { ip: '10.0.0.1' },
    };
    expect(compiled.length).toBe(rules.length);
    for (const predicate of compiled) expect(typeof predicate(event)).toBe('boolean');
  });
});
