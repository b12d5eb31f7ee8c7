import { describe, expect, it } from 'vitest';
import TOML from '@iarna/toml';
import { findKey, findQueryStart, indexKeys } from './tomlKeys.js';

/** An Elastic rule file's shape: an osquery investigation guide with its own queries before [rule]. */
const RULE = [
  '[metadata]', // 1
  'maturity = "production"',
  'query = "not the rule query"',
  '',
  '[transform]', // 5
  '[[transform.osquery]]',
  'label = "Osquery - Retrieve Running Processes"',
  'query = """',
  'SELECT * FROM processes',
  '"""', // 10
  '',
  '[rule]',
  'rule_id = "r"',
  'note = """## Triage',
  'query = "a line of the note, not a key"', // 15
  'severity = "of the note too"',
  '"""',
  "tags = [",
  '  "query = in an array",',
  ']', // 20
  "description = 'quote \"\"\" inside a literal string'",
  "query = '''",
  'process where true',
  "'''",
  'severity = "low"', // 25
  'new_terms.value = ["host.name"]',
  '',
  '[[rule.threat]]',
  'framework = "MITRE ATT&CK"',
  '[[rule.threat.technique]]', // 30
  'id = "T1"',
  '[[rule.threat.technique]]',
  'id = "T2"',
  '[rule.threat.tactic]',
  'id = "TA1"', // 35
  '[[rule.threat]]',
  'framework = "second"',
  '[[rule.threat.technique]]',
  'id = "T3"',
  '',
].join('\n');

describe('findKey', () => {
  it('finds a key only in its own table, never inside a string or an array', () => {
    // The test text is valid TOML with the values the lines below claim.
    const doc = TOML.parse(RULE) as { rule: { query: string; severity: string } };
    expect(doc.rule.query).toBe('process where true\n');
    expect(doc.rule.severity).toBe('low');
    expect(findKey(RULE, 'rule.query')).toEqual({ line: 22, valueOffset: 8 });
    expect(findKey(RULE, 'rule.severity')?.line).toBe(25);
    expect(findKey(RULE, 'metadata.query')?.line).toBe(3);
    expect(findKey(RULE, 'rule.description')?.line).toBe(21);
  });

  it('names array-of-tables elements by index, restarting nested arrays in each element', () => {
    expect(findKey(RULE, 'rule.threat[0].framework')?.line).toBe(29);
    expect(findKey(RULE, 'rule.threat[1].framework')?.line).toBe(37);
    expect(findKey(RULE, 'rule.threat[0].technique[1].id')?.line).toBe(33);
    expect(findKey(RULE, 'rule.threat[1].technique[0].id')?.line).toBe(39);
    expect(findKey(RULE, 'rule.threat[0].tactic.id')?.line).toBe(35);
    expect(findKey(RULE, 'transform.osquery[0].query')?.line).toBe(8);
  });

  it('finds a table by its header and a dotted key by its whole path', () => {
    expect(findKey(RULE, 'rule.threat')?.line).toBe(28);
    expect(findKey(RULE, 'rule.threat[1]')?.line).toBe(36);
    expect(findKey(RULE, 'rule.threat[0].tactic')?.line).toBe(34);
    expect(findKey(RULE, 'rule.new_terms.value')?.line).toBe(26);
  });

  it('returns undefined for a key the text does not define on a line of its own', () => {
    expect(findKey(RULE, 'rule.rule')).toBeUndefined();
    expect(findKey(RULE, 'rule.threat[2].framework')).toBeUndefined();
    expect(findKey('[rule]\nthreshold = { field = "a", value = 0 }\n', 'rule.threshold.value')).toBeUndefined();
    expect(findKey('[rule]\nthreshold = { field = "a", value = 0 }\n', 'rule.threshold')?.line).toBe(2);
  });
});

describe('indexKeys', () => {
  it('gives, in one pass, every key findKey finds, at the same place', () => {
    const index = indexKeys(RULE);
    expect(index.size).toBeGreaterThan(20);
    for (const [path, position] of index) expect(findKey(RULE, path), path).toEqual(position);
    expect(index.get('rule.threat')?.line).toBe(28);
    expect(index.get('rule.threat[1]')?.line).toBe(36);
    expect(index.has('rule.rule')).toBe(false);
  });
});

describe('findQueryStart', () => {
  it('points at the first character of the rule query, past an opening that ends its line', () => {
    expect(findQueryStart(RULE)).toEqual({ line: 23, column: 1 });
    expect(findQueryStart('[rule]\r\nquery = """\r\nx\r\n"""\r\n')).toEqual({ line: 3, column: 1 });
    expect(findQueryStart('[rule]\n  query =  "a : b"\n')).toEqual({ line: 2, column: 13 });
    expect(findQueryStart("[rule]\nquery = '''a : b'''\n")).toEqual({ line: 2, column: 12 });
    expect(findQueryStart('rule.query = "x"\n')).toEqual({ line: 1, column: 15 });
  });

  it('falls back to the start of the file when there is no rule query', () => {
    expect(findQueryStart('[metadata]\nquery = "x"\n')).toEqual({ line: 1, column: 1 });
  });
});
