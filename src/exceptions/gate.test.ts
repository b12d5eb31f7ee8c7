import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileRule, type CompiledRule } from '../engine/compileRule.js';
import { createScanner } from '../engine/scanner.js';
import type { Alert } from '../engine/alert.js';
import { FieldTypeTable } from '../fieldTypes/index.js';
import { isUnsupported, parseRuleText } from '../rules/load.js';
import { ExceptionSet } from './index.js';

const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-exceptions-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function rule(id: string, type: string, query: string, extra = ''): CompiledRule {
  const language = type === 'eql' ? 'eql' : 'kuery';
  const text = `[rule]\nauthor = ["t"]\ndescription = "t"\nlanguage = "${language}"\nname = "${id}"\nrisk_score = 1\nrule_id = "${id}"\nseverity = "low"\ntype = "${type}"\nquery = '''\n${query}\n'''\n${extra}`;
  const loaded = parseRuleText(text, `${id}.toml`);
  if (isUnsupported(loaded)) throw new Error('unsupported');
  return compileRule(loaded);
}

function file(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

const ANSIBLE = `[[exception]]
item_id = "ansible"
name = "ansible"
list_id = "ops"
[[exception.entries]]
field = "process.parent.name"
type = "match"
operator = "included"
value = "ansible-playbook"
`;

function load(args: string[], rules: CompiledRule[], now = Date.UTC(2026, 0, 1)) {
  return ExceptionSet.load({ args, valueLists: [], fieldTypes: FieldTypeTable.builtin(), now, exists: () => false }, rules);
}

function scan(rules: CompiledRule[], set: ExceptionSet, events: object[]): Alert[] {
  const alerts: Alert[] = [];
  const scanner = createScanner(rules, (a) => alerts.push(a), { live: false, exceptionGate: (c) => set.gateFor(c.rule) });
  events.forEach((e, i) => scanner.event(e as Record<string, unknown>, { file: 'f', line: i + 1 }));
  scanner.finish();
  return alerts;
}

const at = (s: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, s)).toISOString();
const pkill = (s: number, parent: string) => ({ '@timestamp': at(s), host: { id: 'h' }, process: { name: 'pkill', parent: { name: parent } } });

describe('exceptions in front of a rule', () => {
  it('keep excepted events from counting toward a threshold, and count what they dropped', () => {
    const threshold = rule('th', 'threshold', 'process.name:pkill', '[rule.threshold]\nfield = ["host.id"]\nvalue = 3\n');
    const set = load([`th=${file('ops.toml', ANSIBLE)}`], [threshold]);
    const events = [pkill(1, 'bash'), pkill(2, 'ansible-playbook'), pkill(3, 'bash'), pkill(4, 'ansible-playbook')];
    expect(scan([threshold], set, events)).toHaveLength(0);
    expect(set.items[0]!.dropped.get('th')).toBe(2);
    expect(scan([threshold], ExceptionSet.empty(), events)).toHaveLength(1);
  });

  it('keep an excepted event from taking a step of a sequence', () => {
    const seq = rule('seq', 'eql', 'sequence by host.id [process where process.name == "pkill"] [process where process.name == "rm"]');
    const set = load([`*=${file('ops2.toml', ANSIBLE)}`], [seq]);
    const rm = (s: number) => ({ '@timestamp': at(s), event: { category: 'process' }, host: { id: 'h' }, process: { name: 'rm' } });
    const step = (s: number, parent: string) => ({ ...pkill(s, parent), event: { category: 'process' } });
    expect(scan([seq], set, [step(1, 'ansible-playbook'), rm(2)])).toHaveLength(0);
    expect(scan([seq], set, [step(1, 'bash'), rm(2)])).toHaveLength(1);
  });

  it('count only events the rule itself matched', () => {
    const q = rule('q', 'query', 'process.name:pkill');
    const set = load([`q=${file('ops3.toml', ANSIBLE)}`], [q]);
    scan([q], set, [{ process: { name: 'ls', parent: { name: 'ansible-playbook' } } }, pkill(1, 'ansible-playbook')]);
    expect(set.items[0]!.dropped.get('q')).toBe(1);
  });
});

describe('which rules an item applies to', () => {
  it('the rules whose exceptions_list references its list, by list_id and namespace_type', () => {
    const refs = rule('refs', 'query', 'process.name:pkill', '[[rule.exceptions_list]]\nid = "x"\nlist_id = "ops"\nnamespace_type = "single"\ntype = "detection"\n');
    const other = rule('other', 'query', 'process.name:pkill', '[[rule.exceptions_list]]\nlist_id = "ops"\nnamespace_type = "agnostic"\n');
    const set = load([file('ops4.toml', ANSIBLE)], [refs, other]);
    expect(set.gateFor(refs.rule)?.items).toHaveLength(1);
    expect(set.gateFor(other.rule)).toBeUndefined();
  });

  it('the rules named by RULES=FILE or the TOML `rules`, `*` for all; a note for an item no rule takes', () => {
    const a = rule('a', 'query', 'x:1');
    const b = rule('b', 'query', 'x:1');
    expect(load([`a,zz=${file('ops5.toml', ANSIBLE)}`], [a, b]).gateFor(b.rule)).toBeUndefined();
    expect(load([`*=${file('ops6.toml', ANSIBLE)}`], [a, b]).gateFor(b.rule)?.items).toHaveLength(1);
    const unused = load([file('ops7.toml', ANSIBLE)], [a]);
    expect(unused.gateFor(a.rule)).toBeUndefined();
    expect(unused.notes[0]).toMatch(/applies to no rule of this scan: no rule's exceptions_list references list "ops"/);
  });

  it('not an item whose expire_time has passed, as Kibana drops expired items', () => {
    const a = rule('a', 'query', 'x:1');
    const expired = ANSIBLE.replace('name = "ansible"', 'name = "ansible"\nexpire_time = "2025-01-01T00:00:00Z"');
    const set = load([`*=${file('ops8.toml', expired)}`], [a]);
    expect(set.gateFor(a.rule)).toBeUndefined();
    expect(set.notes[0]).toMatch(/expired 2025-01-01T00:00:00.000Z/);
    expect(load([`*=${file('ops9.toml', expired)}`], [a], Date.UTC(2024, 0, 1)).gateFor(a.rule)?.items).toHaveLength(1);
  });
});
