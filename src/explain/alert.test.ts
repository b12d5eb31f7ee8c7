import { describe, expect, it } from 'vitest';
import type { Alert } from '../engine/alert.js';
import type { CompiledRule } from '../engine/compileRule.js';
import { termKey } from '../engine/newTerms.js';
import { createScanner } from '../engine/scanner.js';
import { FieldTypeTable } from '../fieldTypes/index.js';
import { makeChalk } from '../output/color.js';
import { testRule } from '../../test/support/testRules.js';
import { createAlertExplainer } from './alert.js';
import { alertExplanationEntries, alertExplanationText } from './render.js';

const fieldTypes = FieldTypeTable.builtin();
const at = (s: number) => new Date(Date.UTC(2024, 4, 1, 10, 0, s)).toISOString();

function scan(rules: CompiledRule[], events: object[], termHistory?: Map<string, Map<string, number>>): Alert[] {
  const alerts: Alert[] = [];
  const scanner = createScanner(rules, (a) => alerts.push(a), { live: false, ...(termHistory === undefined ? {} : { termHistory }) });
  events.forEach((e, i) => scanner.event(e as Record<string, unknown>, { file: 'events.ndjson', line: i + 1 }));
  scanner.finish();
  return alerts;
}

describe('--explain: why an alert fired', () => {
  it('a sequence: each event with the query it satisfied and its join key', () => {
    const seq = testRule('seq', 'eql', 'sequence by host.id [process where process.name == "wget"] [file where file.extension == "ko"]');
    const events = [
      { '@timestamp': at(1), event: { category: 'process' }, host: { id: 'h1' }, process: { name: 'wget' } },
      { '@timestamp': at(2), event: { category: 'file' }, host: { id: 'h1' }, file: { extension: 'ko' } },
    ];
    const [alert] = scan([seq], events);
    const explanation = createAlertExplainer([seq], { fieldTypes })(alert!);
    expect(explanation.clauses.map((c) => c.step)).toEqual([
      { step: 1, at: 'events.ndjson:1', key: '["h1"]' },
      { step: 2, at: 'events.ndjson:2', key: '["h1"]' },
    ]);
    expect(explanation.clauses.every((c) => c.node.result)).toBe(true);
    const entries = alertExplanationEntries(explanation);
    expect(entries.filter((e) => e.step !== undefined).map((e) => [e.clause, e.step, e.join_key])).toEqual([
      ['[process where process.name == "wget"]', 1, '["h1"]'],
      ['[file where file.extension == "ko"]', 2, '["h1"]'],
    ]);
    const text = alertExplanationText(explanation, makeChalk(false));
    expect(text).toContain('query 2, events.ndjson:2, join key ["h1"]:');
    expect(text).toContain('✓ file.extension == "ko"   file.extension = "ko"');
  });

  it('a sequence with runs: the events of one query in a row', () => {
    const seq = testRule('runs', 'eql', 'sequence by host.id [process where process.name == "sudo"] with runs=2 [process where process.name == "insmod"]');
    const p = (s: number, name: string) => ({ '@timestamp': at(s), event: { category: 'process' }, host: { id: 'h' }, process: { name } });
    const [alert] = scan([seq], [p(1, 'sudo'), p(2, 'sudo'), p(3, 'insmod')]);
    expect(createAlertExplainer([seq], { fieldTypes })(alert!).clauses.map((c) => c.step?.step)).toEqual([1, 1, 2]);
  });

  it('a new_terms alert: its term, the history window, and the --state history as read before the scan', () => {
    const nt = testRule('nt', 'new_terms', 'process.name:insmod', '[rule.new_terms]\nfield = "new_terms_fields"\nvalue = ["user.name"]\n[[rule.new_terms.history_window_start]]\nfield = "history_window_start"\nvalue = "now-2d"\n');
    const remembered = Date.UTC(2024, 3, 1);
    const history = new Map([['nt', new Map([[termKey(['alice']), remembered]])]]);
    const snapshot = new Map([...history].map(([id, m]) => [id, new Map(m)]));
    const [alert] = scan([nt], [{ '@timestamp': at(1), process: { name: 'insmod' }, user: { name: 'alice' } }], history);
    const explanation = createAlertExplainer([nt], { fieldTypes, history: snapshot })(alert!);
    expect(explanation.context).toEqual([
      'new term user.name = "alice": not seen in the 2d before 2024-05-01T10:00:01.000Z (history_window_start = now-2d); last seen 2024-04-01T00:00:00.000Z (--state history)',
    ]);
    expect(explanation.clauses[0]?.node).toMatchObject({ clause: 'process.name:insmod', result: true, value: '"insmod"' });
  });

  it('a threshold alert: the group, the count and the window', () => {
    const th = testRule('th', 'threshold', 'process.name:insmod', 'from = "now-10m"\n[rule.threshold]\nfield = ["host.id"]\nvalue = 2\n');
    const e = (s: number) => ({ '@timestamp': at(s), host: { id: 'h9' }, process: { name: 'insmod' } });
    const [alert] = scan([th], [e(1), e(2)]);
    expect(createAlertExplainer([th], { fieldTypes })(alert!).context).toEqual(['threshold: 2 matching events (at least 2) for host.id = "h9" within 10m (from = now-10m)']);
  });
});
