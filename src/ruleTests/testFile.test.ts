import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BrokenTestError, parseTestText, rulesDirOf, type RuleTestFile } from './testFile.js';

const dir = mkdtempSync(join(tmpdir(), 'lkm-testfile-'));
mkdirSync(join(dir, 'tests', 'my_rule'), { recursive: true });
const testPath = join(dir, 'tests', 'my_rule', 'cases.toml');
writeFileSync(join(dir, 'tests', 'my_rule', 'events.ndjson'), '{"a":1}\n{"a":2}\n');

function parse(text: string): RuleTestFile {
  return parseTestText(text, testPath, 'cases.toml');
}

function broken(text: string): BrokenTestError {
  try {
    parse(text);
  } catch (e) {
    if (e instanceof BrokenTestError) return e;
    throw e;
  }
  throw new Error('expected a broken test');
}

const HEAD = 'rule = "80084fa9-8677-4453-8680-b891d3c0c778"\n';

describe('rule test files', () => {
  it('reads a case with event files, inline events and exact alerts', () => {
    const t = parse(`${HEAD}
[[case]]
name = "fires"
events = ["events.ndjson"]
since = "2024-05-01T00:00:00Z"
[[case.event]]
"@timestamp" = "2024-05-01T10:00:00Z"
process.executable = "/usr/bin/kmod"
process.pid = 9007199254740993
[[case.alert]]
event = "events.ndjson:2"
[[case.alert]]
event = 1
new_terms = { "process.executable" = "/usr/bin/kmod" }
`);
    expect(t.rule).toEqual({ kind: 'id', id: '80084fa9-8677-4453-8680-b891d3c0c778', rulesDir: dir });
    const c = t.cases[0]!;
    expect(c.name).toBe('fires');
    expect(c.line).toBe(3);
    expect(c.window).toEqual({ since: Date.UTC(2024, 4, 1) });
    expect(c.events[0]).toEqual({ kind: 'file', name: 'events.ndjson', path: join(dir, 'tests', 'my_rule', 'events.ndjson') });
    // Dotted TOML keys nest, as ECS documents do; a long integer stays exact.
    expect(c.events[1]).toEqual({ kind: 'inline', count: 1, ndjson: '{"@timestamp":"2024-05-01T10:00:00Z","process":{"executable":"/usr/bin/kmod","pid":9007199254740993}}\n' });
    expect(c.expect.alerts).toEqual([
      { line: 11, event: { kind: 'file', file: 'events.ndjson', line: 2 } },
      { line: 13, event: { kind: 'inline', index: 1 }, newTerms: { 'process.executable': '"/usr/bin/kmod"' } },
    ]);
  });

  it('takes a rule file path relative to the test file', () => {
    const t = parse('rule = "../../my_rule.toml"\n[[case]]\nname = "x"\nevents = "events.ndjson"\nalerts = 0\n');
    expect(t.rule).toEqual({ kind: 'path', path: join(dir, 'my_rule.toml'), written: '../../my_rule.toml' });
  });

  it('finds the rules folder of a test by its nearest tests folder', () => {
    expect(rulesDirOf('/r/tests/x/a.toml')).toBe('/r');
    expect(rulesDirOf('/r/tests/a.toml')).toBe('/r');
    expect(rulesDirOf('/r/linux/tests/x/deep/a.toml')).toBe('/r/linux');
    expect(rulesDirOf('/r/x/a.toml')).toBeUndefined();
  });

  it.each([
    ['an unknown top-level key', `${HEAD}rules = 1\n[[case]]\nname = "x"\nevents = "events.ndjson"\nalerts = 0\n`, /`rules` unknown key `rules`; did you mean `rule`\?/, 2, 1],
    ['an unknown case key, with its position', `${HEAD}[[case]]\nname = "x"\nevents = "events.ndjson"\n  alert_count = 0\n`, /`case\[0\]\.alert_count` unknown key/, 5, 3],
    ['an unknown key of an expected alert', `${HEAD}[[case]]\nname = "x"\nevents = "events.ndjson"\n[[case.alert]]\nline = 3\n`, /`case\[0\]\.alert\[0\]\.line` unknown key `line`/, 6, 1],
    ['a missing event file', `${HEAD}[[case]]\nname = "x"\nevents = ["missing.ndjson"]\nalerts = 0\n`, /names "missing\.ndjson", which cannot be read \(no such file\)/, 4, 1],
    ['no rule', '[[case]]\nname = "x"\nevents = "events.ndjson"\nalerts = 0\n', /names no rule/, undefined, undefined],
    ['a rule file given as a test', '[metadata]\nx = 1\n[rule]\nname = "r"\n', /is a table: this is a rule file, not a rule test/, 3, 1],
    ['a case without events', `${HEAD}[[case]]\nname = "x"\nalerts = 0\n`, /"x" has no events/, 2, 1],
    ['a case that expects nothing', `${HEAD}[[case]]\nname = "x"\nevents = "events.ndjson"\n`, /"x" expects nothing/, 2, 1],
    ['a count that disagrees with the listed alerts', `${HEAD}[[case]]\nname = "x"\nevents = "events.ndjson"\nalerts = 2\n[[case.alert]]\nevent = "events.ndjson:1"\n`, /is 2, but the case lists 1/, 5, 1],
    ['an alert on a file the case does not read', `${HEAD}[[case]]\nname = "x"\nevents = "events.ndjson"\n[[case.alert]]\nevent = "other.ndjson:1"\n`, /names "other\.ndjson", which is not among the case's `events`/, 6, 1],
    ['an inline index beyond the inline events', `${HEAD}[[case]]\nname = "x"\n[[case.event]]\na = 1\n[[case.alert]]\nevent = 2\n`, /is 2, but the case has 1 inline event/, 7, 1],
    ['a time back from now', `${HEAD}[[case]]\nname = "x"\nevents = "events.ndjson"\nsince = "24h"\nalerts = 0\n`, /a span back from now: a test must not depend on when it runs/, 5, 1],
    ['a TOML date in an event', `${HEAD}[[case]]\nname = "x"\nalerts = 0\n[[case.event]]\n"@timestamp" = 2024-05-01T10:00:00Z\n`, /@timestamp is a TOML date: write event times as strings/, 5, 1],
    ['two cases with one name', `${HEAD}[[case]]\nname = "x"\nevents = "events.ndjson"\nalerts = 0\n[[case]]\nname = "x"\nevents = "events.ndjson"\nalerts = 1\n`, /repeats the case name "x"/, 7, 1],
    ['a dotted field name left unquoted in new_terms', `${HEAD}[[case]]\nname = "x"\nevents = "events.ndjson"\n[[case.alert]]\nnew_terms = { process.executable = "a" }\n`, /"process" holds a table: quote a dotted field name/, 6, 1],
    ['invalid TOML', `${HEAD}[[case]\n`, /invalid TOML/, 2, undefined],
    // Read as it is written, this once overflowed the stack (an internal error, not a broken test).
    ['an inline event nested too deep', `${HEAD}[[case]]\nname = "x"\nalerts = 0\n[[case.event]]\na = ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`, /`case\[0\]\.event\[0\]` is nested deeper than 1,000 levels/, 5, 1],
  ])('reports %s as a broken test with file:line:col', (_what, text, message, line, column) => {
    const e = broken(text);
    expect(e.message).toMatch(message);
    expect(e.diagnostic.file).toBe('cases.toml');
    expect(e.diagnostic.line).toBe(line);
    if (column !== undefined) expect(e.diagnostic.column).toBe(column);
    if (line !== undefined) expect(e.format()).toContain(` --> cases.toml:${line}:`);
  });
});
