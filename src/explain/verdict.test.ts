import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExceptionSet } from '../exceptions/index.js';
import { FieldTypeTable } from '../fieldTypes/index.js';
import type { CompiledRule } from '../engine/compileRule.js';
import { testRule } from '../../test/support/testRules.js';
import { compileVerdict, settleVerdict } from './verdict.js';

const fieldTypes = FieldTypeTable.builtin();
const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-verdict-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const verdictOf = (rule: CompiledRule, event: Record<string, unknown>, window = {}) => compileVerdict(rule, { fieldTypes, window })(event);

const kmod = testRule('kmod', 'eql', 'process where process.name == "insmod" and not user.name : "root"', 'index = ["logs-endpoint.events.*"]\n');
const insmod = { '@timestamp': '2024-05-01T10:00:00Z', event: { category: 'process' }, process: { name: 'insmod' }, user: { name: 'alice' } };

describe('what stops a rule from taking an event, in the order a scan decides', () => {
  it('a match says so', () => {
    expect(verdictOf(kmod, insmod)).toMatchObject({ matched: true, stage: 'matched', reason: 'matched: the rule alerts on this event' });
  });

  it('the time window first', () => {
    const v = verdictOf(kmod, insmod, { since: Date.UTC(2024, 4, 2) });
    expect(v).toMatchObject({ matched: false, stage: 'time-window' });
    expect(v.reason).toContain('@timestamp is 2024-05-01T10:00:00.000Z');
  });

  it("then the rule's index patterns, when the event names its index", () => {
    const v = verdictOf(kmod, { ...insmod, _index: 'winlogbeat-2024' });
    expect(v).toMatchObject({ stage: 'index' });
    expect(v.reason).toBe("not offered: the event is from index winlogbeat-2024, which the rule's index patterns (logs-endpoint.events.*) do not take in");
    expect(verdictOf(kmod, { ...insmod, _index: '.ds-logs-endpoint.events.process-default-2024.05.01-000001' }).matched).toBe(true);
  });

  it('then the first clause that failed: a value that differs only in case', () => {
    const v = verdictOf(kmod, { ...insmod, process: { name: 'INSMOD' } });
    expect(v.failure).toEqual({
      clause: 'process.name == "insmod"',
      field: 'process.name',
      value: '"INSMOD"',
      reason: 'wrong case: process.name is "INSMOD", which differs from what the clause wants only in letter case, and the clause is case-sensitive',
    });
  });

  it('a missing field, and a value another clause excludes', () => {
    expect(verdictOf(kmod, { ...insmod, process: {} }).reason).toBe('not matched: missing field: the event has no process.name');
    expect(verdictOf(kmod, { ...insmod, user: { name: 'ROOT' } }).reason).toBe('not matched: excluded by the query: it leaves out events where user.name : "root" holds (user.name is "ROOT")');
  });

  it('the wrong category', () => {
    expect(verdictOf(kmod, { ...insmod, event: { category: ['file'] } }).reason).toBe('not matched: wrong category: event.category is "file", the query is about "process"');
  });

  it('an alternative none of whose values holds', () => {
    const rule = testRule('alt', 'query', 'process.name:(insmod or modprobe)');
    expect(verdictOf(rule, { process: { name: 'Modprobe' } }).reason).toBe(
      'not matched: none of the alternatives holds: process.name is "Modprobe"; a value differs from one only in letter case, and the clause is case-sensitive',
    );
  });

  it('a rule filter', () => {
    const rule = testRule('flt', 'query', 'process.name:insmod', '[[rule.filters]]\n[rule.filters.meta]\nnegate = true\n[rule.filters.query.match_phrase]\n"user.name" = "alice"\n');
    const v = verdictOf(rule, insmod);
    expect(v.reason).toBe('not matched: ruled out by a rule filter (user.name is "alice")');
    expect(v.failure?.clause).toBe('NOT user.name match_phrase "alice"');
  });

  it('an exception, after the query matched', () => {
    const file = join(tmp, 'ops.toml');
    writeFileSync(file, '[[exception]]\nitem_id = "alice-ok"\nname = "alice may"\nlist_id = "ops"\n[[exception.entries]]\nfield = "user.name"\ntype = "match"\noperator = "included"\nvalue = "alice"\n');
    const set = ExceptionSet.load({ args: [`kmod=${file}`], valueLists: [], fieldTypes, now: Date.UTC(2026, 0, 1), exists: () => false }, [kmod]);
    const v = compileVerdict(kmod, { fieldTypes, window: {}, gate: set.gateFor(kmod.rule) })(insmod);
    expect(v).toMatchObject({ matched: false, stage: 'exception', reason: 'ruled out by the exception "alice may" (list ops, item alice-ok)' });
    expect(set.items[0]?.dropped.size).toBe(0);
  });

  it('a rule over alerts is not offered events', () => {
    const chained = testRule('chain', 'query', 'kibana.alert.rule.name:*', 'index = [".alerts-security.*"]\n');
    expect(verdictOf(chained, insmod).stage).toBe('alerts-only');
  });
});

describe('a match of a rule decided across events says what it takes part in', () => {
  it('a sequence: which query the event satisfies, with its join key', () => {
    const seq = testRule('seq', 'eql', 'sequence by host.id [process where process.name == "wget"] [process where process.name == "insmod"]');
    expect(verdictOf(seq, { ...insmod, host: { id: 'h1' } }).reason).toBe(
      'matched query 2 with join key ["h1"] of the sequence: it alerts when the other queries match too (a scan decides across events)',
    );
    const none = verdictOf(seq, { ...insmod, process: { name: 'bash' } });
    expect(none.reason).toBe("not matched: the event satisfies none of the sequence's queries");
  });

  it('a new_terms rule: the term that may be new', () => {
    const nt = testRule('nt', 'new_terms', 'process.name:insmod', '[rule.new_terms]\nfield = "new_terms_fields"\nvalue = ["user.name"]\n[[rule.new_terms.history_window_start]]\nfield = "history_window_start"\nvalue = "now-7d"\n');
    expect(verdictOf(nt, insmod).reason).toBe('matched the query: alerts if user.name = "alice" was not seen within now-7d before it (a scan decides across events)');
  });

  it('a threshold rule: the group it counts toward', () => {
    const th = testRule('th', 'threshold', 'process.name:insmod', '[rule.threshold]\nfield = ["host.id"]\nvalue = 3\n');
    expect(verdictOf(th, insmod).reason).toBe('matched the query: counts toward the threshold of 3 events per host.id (a scan decides across events)');
  });

  it('once a scan has run, whether the match became an alert', () => {
    const seq = testRule('seq2', 'eql', 'sequence by host.id [process where process.name == "wget"] [process where process.name == "insmod"]');
    const v = verdictOf(seq, { ...insmod, host: { id: 'h1' } });
    expect(settleVerdict(v, true).reason).toBe('matched query 2 with join key ["h1"] of the sequence: part of a sequence the scan alerted on');
    expect(settleVerdict(v, false).reason).toBe('matched query 2 with join key ["h1"] of the sequence, but no sequence the scan completed took it');
    const th = testRule('th2', 'threshold', 'process.name:insmod', '[rule.threshold]\nfield = ["host.id"]\nvalue = 3\n');
    expect(settleVerdict(verdictOf(th, insmod), false).reason).toBe('matched the query: counted toward the threshold of 3 events per host.id, no alert at this event');
    expect(settleVerdict(verdictOf(kmod, insmod), false).reason).toMatch(/^matched the query, but the scan gave no alert for it: left out by max_signals/);
    const miss = verdictOf(kmod, { ...insmod, process: {} });
    expect(settleVerdict(miss, true)).toBe(miss);
  });
});
