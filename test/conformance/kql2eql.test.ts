/**
 * detection-rules' KQL → EQL pairs (test/fixtures/kql/kql2eql-cases.json) as a semantic
 * cross-check: every KQL side must parse and compile, and the pairs that state a semantic
 * equivalence are checked on events built for them (SPEC §B.3, §A.1–§A.2 agree on these).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EcsEvent } from '../../src/event/types.js';
import { compileKql, parseKql } from '../../src/kql/index.js';

interface Kql2EqlCase {
  kql: string;
  eql: string;
  source: string;
}
const cases = JSON.parse(readFileSync(new URL('../fixtures/kql/kql2eql-cases.json', import.meta.url), 'utf8')) as Kql2EqlCase[];
const kqlMatches = (query: string, event: EcsEvent): boolean => compileKql(parseKql(query))(event);

describe('kql2eql: every KQL side parses and compiles', () => {
  for (const c of cases) {
    it(`${JSON.stringify(c.kql)} (EQL ${c.eql})`, () => {
      expect(compileKql(parseKql(c.kql))).toBeTypeOf('function');
    });
  }
});

describe('kql2eql: stated equivalences hold', () => {
  it('not field:* is field == null, field:* is field != null', () => {
    for (const [event, exists] of [[{ field: 1 }, true], [{}, false], [{ field: null }, false], [{ field: '' }, true]] as const) {
      expect(kqlMatches('field:*', event)).toBe(exists);
      expect(kqlMatches('not field:*', event)).toBe(!exists);
    }
  });

  it('a:(0 or 1 or 2 or 3) is a in (0,1,2,3)', () => {
    for (let a = -1; a <= 4; a++) expect(kqlMatches('a:(0 or 1 or 2 or 3)', { a })).toBe(a >= 0 && a <= 3);
  });

  it('a:(0 or 1 and 2 or 3) is a == 0 or (a == 1 and a == 2) or a == 3', () => {
    expect(kqlMatches('a:(0 or 1 and 2 or 3)', { a: 1 })).toBe(false);
    expect(kqlMatches('a:(0 or 1 and 2 or 3)', { a: [1, 2] })).toBe(true);
    expect(kqlMatches('a:(0 or 1 and 2 or 3)', { a: 3 })).toBe(true);
  });

  it('a:1 or not b:2 and c:3 is a == 1 or (b != 2 and c == 3)', () => {
    expect(kqlMatches('a:1 or not b:2 and c:3', { b: 1, c: 3 })).toBe(true);
    expect(kqlMatches('a:1 or not b:2 and c:3', { b: 2, c: 3 })).toBe(false);
    expect(kqlMatches('a:1 or not b:2 and c:3', { a: 1, b: 2 })).toBe(true);
  });

  it('field:-1 and field:1.0 compare as numbers on numeric values', () => {
    expect(kqlMatches('field:-1', { field: -1 })).toBe(true);
    expect(kqlMatches('field:1.0', { field: 1 })).toBe(true);
    expect(kqlMatches('field > -1', { field: 0 })).toBe(true);
    expect(kqlMatches('field <= 1.0', { field: 1 })).toBe(true);
  });

  it('dest:192.168.0.0/16, quoted or not, is cidrMatch(dest, "192.168.0.0/16")', () => {
    for (const q of ['dest:192.168.0.0/16', 'dest:"192.168.0.0/16"']) {
      expect(kqlMatches(q, { dest: '192.168.4.5' })).toBe(true);
      expect(kqlMatches(q, { dest: '192.169.4.5' })).toBe(false);
    }
    expect(kqlMatches('dest:192.168.255.255', { dest: '192.168.255.255' })).toBe(true);
  });
});
