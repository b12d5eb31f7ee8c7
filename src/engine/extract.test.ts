import { describe, expect, it } from 'vitest';
import { randomEcs } from '../../test/support/randomEcs.js';
import { loadRulePack } from '../rules/pack.js';
import type { Alert } from './alert.js';
import { compileRule } from './compileRule.js';
import { compileExtractor, type RuleHits } from './extract.js';
import { createScanner } from './scanner.js';

const rules = loadRulePack({ bundled: true, paths: ['test/fixtures/rules'] }).rules.map((rule) => compileRule(rule));
const summary = (a: Alert) => JSON.stringify([a.rule.id, a.location.line, a.timeMs, a.newTerms, a.threshold, a.event, a.raw]);

describe('worker payloads (extract.ts) and Scanner.hits', () => {
  it('give the same alerts as handing the scanner every parsed event', () => {
    const gen = randomEcs(11);
    const lines = Array.from({ length: 3000 }, () => gen.line());
    const extractors = rules.map((compiled, index) => compileExtractor(compiled, index));
    for (const live of [false, true]) {
      const direct: string[] = [];
      const viaHits: string[] = [];
      const a = createScanner(rules, (x) => direct.push(summary(x)), { live });
      const b = createScanner(rules, (x) => viaHits.push(summary(x)), { live });
      lines.forEach((text, i) => {
        const event = JSON.parse(text);
        const location = { file: 'f', line: i + 1 };
        a.event(event, location, text);
        const hits: RuleHits = [];
        for (const extract of extractors) {
          const hit = extract(event);
          if (hit !== null) hits.push(hit);
        }
        if (hits.length > 0) b.hits(hits, location, text);
      });
      a.finish();
      b.finish();
      expect(direct.length).toBeGreaterThan(10);
      expect(viaHits).toEqual(direct);
    }
  });

  it('fail loudly on a hit that does not fit the rules (a worker that compiled other rules)', () => {
    const scanner = createScanner(rules, () => {}, { live: false });
    const location = { file: 'f', line: 1 };
    expect(() => scanner.hits([rules.length], location, '{}')).toThrow(`a hit names rule ${rules.length} of ${rules.length}`);
    const newTerms = rules.findIndex((r) => r.kind === 'new_terms');
    expect(newTerms).toBeGreaterThanOrEqual(0);
    expect(() => scanner.hits([{ rule: newTerms, t: 1 }], location, '{}')).toThrow('was sent a hit without terms');
  });
});
