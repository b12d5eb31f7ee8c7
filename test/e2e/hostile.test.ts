import { describe, expect, it } from 'vitest';
import { jsonLines, runInProcess } from './run.js';

const deepArrays = (n: number) => `{"event":{"category":["process"]},"process":{"name":${'['.repeat(n)}"x"${']'.repeat(n)}}}`;
const deepObjects = (n: number) => `{"event":{"category":"file"},"o":${'{"a":'.repeat(n)}"mimikatz"${'}'.repeat(n)}}`;

// Events are hostile input (brief: "Security"): JSON.parse accepts nesting that a recursive walk of
// the event would overflow the stack on. Walks stop at MAX_NESTING levels (src/event/fields.ts).
describe('hostile events', () => {
  it('scans absurdly deep events with rules that walk the whole event, without a crash', async () => {
    const input = [deepArrays(200_000), deepObjects(50_000), '{"message":"mimikatz.exe ran","x":{"y":"mimikatz"}}'].join('\n');
    const r = await runInProcess(['--no-bundled', '--rules', 'test/fixtures/rules/query_free_text.toml', '--format', 'json', '-'], {
      stdin: input,
    });
    expect(r.stderr).not.toMatch(/internal error|Maximum call stack/);
    expect(r.code).toBe(1);
    expect(jsonLines(r.stdout).map((a) => a.location.line)).toEqual([3]);
    expect(r.stderr).toMatch(/3 lines \(3 events\)/);
  });

  it('finds values at ordinary depths with the same rule', async () => {
    const r = await runInProcess(['--no-bundled', '--rules', 'test/fixtures/rules/query_free_text.toml', '--format', 'json', '-'], {
      stdin: ['{"file":{"hash":{"sha256":"abc123"}}}', '{"process":{"parent":{"pid":1}}}', '{"process":{"parent":{}}}'].join('\n'),
    });
    expect(jsonLines(r.stdout).map((a) => a.location.line)).toEqual([1, 2]);
  });
});
