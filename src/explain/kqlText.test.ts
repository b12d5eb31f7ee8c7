import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseKql } from '../kql/parse.js';
import { kqlText } from './kqlText.js';

describe('a KQL clause written back from its AST', () => {
  it.each([
    ['process.name:bash', 'process.name:bash'],
    ['a:"x y" and not (b:1 or c:*)', 'a:"x y" and not (b:1 or c:*)'],
    ['(a:1 or b:2) and c >= 3', '(a:1 or b:2) and c >= 3'],
    ['a:1 and b:2 or c:3', '(a:1 and b:2) or c:3'],
    ['process.args:(*\\(x\\)* or "a\\"b") or y:1', '(process.args:*\\(x\\)* or process.args:"a\\"b") or y:1'],
    ['user:{ name:x }', 'user:{ name:x }'],
    ['x:a \\or b', 'x:a \\or b'],
  ])('%s reads as %s', (query, text) => {
    expect(kqlText(parseKql(query))).toBe(text);
  });

  it("parses back to the same query, for every 4th KQL query of the vendored pack's corpus", () => {
    let checked = 0;
    const lines = readFileSync('test/fixtures/detection-rules-queries.ndjson', 'utf8').split('\n');
    for (const [i, line] of lines.entries()) {
      if (line.trim() === '' || i % 4 !== 0) continue;
      const r = JSON.parse(line) as { language: string | null; query: string | null };
      if (r.language !== 'kuery' || r.query === null) continue;
      let ast;
      try {
        ast = parseKql(r.query);
      } catch {
        continue;
      }
      expect(parseKql(kqlText(ast))).toEqual(ast);
      checked++;
    }
    expect(checked).toBeGreaterThan(150);
  });

  it('stops writing past its budget, so a clause of a query nested 1,000 deep costs little', () => {
    const deep = parseKql(`${'a:1 and ('.repeat(1000)}b:2${')'.repeat(1000)}`);
    const text = kqlText(deep, 100);
    expect(text.startsWith('a:1 and (a:1 and (')).toBe(true);
    // Past the budget only the closing parentheses of the levels already opened follow.
    expect(text.length).toBeLessThan(200);
  });
});
