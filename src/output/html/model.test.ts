import { describe, expect, it } from 'vitest';
import type { Alert } from '../../engine/alert.js';
import type { QueryRule } from '../../rules/types.js';
import { REPORT_BOUNDS, ReportModel } from './model.js';

function rule(over: Partial<QueryRule> = {}): QueryRule {
  return {
    type: 'query', language: 'kuery', id: 'r-1', name: 'Rule One', description: '', severity: 'high', riskScore: 73, tags: [], author: [], references: [], falsePositives: [], index: [],
    threat: [{ framework: 'MITRE ATT&CK', tactic: { id: 'TA0006', name: 'Credential Access' }, technique: [{ id: 'T1003', name: 'OS Credential Dumping' }] }],
    buildingBlock: false, deprecated: false, query: 'a:b', filters: [], enabled: true, source: { file: 'r.toml', queryStart: { line: 1, column: 1 }, bundled: false },
    ...over,
  };
}
const R = rule();
function alert(line: number, event: Record<string, unknown> = { host: { name: 'web-01' }, user: { name: 'root' }, process: { name: 'cat', pid: 7 } }, r: QueryRule = R): Alert {
  return { rule: r, timeMs: Date.UTC(2024, 4, 1) + line * 1000, event, location: { file: 'logs/a.ndjson', line } };
}
const outcome = { inputErrors: [], malformed: 0, interrupted: false };
const data = (m: ReportModel) => m.data({ version: '1.2.3', now: new Date(0), rules: [R], outcome });

describe('ReportModel', () => {
  it('makes a row per alert with its time, rule, host, user, process and source, and counts by rule, host, user and process', () => {
    const m = new ReportModel();
    const other = rule({ id: 'r-2', name: 'Rule Two', severity: 'low', threat: [] });
    m.add(alert(1));
    m.add(alert(2, { host: { hostname: 'db-02' }, process: { name: 'vim' } }, other));
    m.add(alert(3));
    const d = data(m);
    expect(d.rows[0]).toEqual({ t: Date.UTC(2024, 4, 1, 0, 0, 1), r: 0, h: 'web-01', u: 'root', p: 'cat  pid 7', at: 'logs/a.ndjson:1', d: 0 });
    expect(d.rows[1]).toMatchObject({ r: 1, h: 'db-02', u: '', p: 'vim' });
    expect(d.rules.map((r) => [r.name, r.alerts, r.mitre])).toEqual([
      ['Rule One', 2, ['TA0006', 'T1003']],
      ['Rule Two', 1, []],
    ]);
    expect(d.totals).toMatchObject({ alerts: 3, rulesAlerted: 2, hosts: 2, alertSpan: ['2024-05-01T00:00:01.000Z', '2024-05-01T00:00:03.000Z'] });
    expect(d.top.hosts.items).toEqual([
      { name: 'web-01', alerts: 2, rules: ['Rule One (2)'] },
      { name: 'db-02', alerts: 1, rules: ['Rule Two (1)'] },
    ]);
    expect(d.top.processes.items).toEqual([
      { name: 'cat', alerts: 2 },
      { name: 'vim', alerts: 1 },
    ]);
    expect(d.attack.tactics.map((t) => [t.name, t.alerts])).toEqual([['Credential Access', 2]]);
    expect(d.attack.unmapped).toBe(1);
  });

  it('keeps the first `rows` alerts in the table and counts the rest everywhere else', () => {
    const m = new ReportModel({ ...REPORT_BOUNDS, rows: 3 });
    for (let i = 1; i <= 5; i++) m.add(alert(i));
    const d = data(m);
    expect(d.rows.map((r) => r.at)).toEqual(['logs/a.ndjson:1', 'logs/a.ndjson:2', 'logs/a.ndjson:3']);
    expect(d.omitted).toEqual({ rows: 2, details: 0 });
    expect(d.totals.alerts).toBe(5);
    expect(d.rules[0]?.alerts).toBe(5);
    expect(d.top.hosts.items[0]?.alerts).toBe(5);
    expect(d.timeline.rows[0]?.counts.reduce((a, b) => a + b, 0)).toBe(5);
  });

  it('shows an event as dotted fields, cuts long values with a count, and stops at the per-alert and report budgets', () => {
    const m = new ReportModel({ ...REPORT_BOUNDS, valueChars: 10, alertChars: 300, detailChars: 500 });
    m.add(alert(1, { host: { name: 'h' }, event: { category: ['file', 'exec'] }, args: [{ a: 1 }, { a: 2 }], empty: {}, n: null, long: 'x'.repeat(25) }));
    const fields = data(m).details[0]?.sections[1]?.fields;
    expect(fields).toEqual([
      ['host.name', 'h'],
      ['event.category', 'file, exec'],
      ['args[0].a', '1'],
      ['args[1].a', '2'],
      ['empty', '{}'],
      ['n', 'null'],
      ['long', 'xxxxxxxxxx… (15 more characters)'],
    ]);
    // A wide event: fields past the alert's budget are counted, not kept.
    const wide = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`field${i}`, 'value']));
    m.add(alert(2, wide));
    const d = data(m);
    const detail = d.details[1];
    expect(detail?.omitted).toBeGreaterThan(50);
    const chars = (detail?.sections ?? []).flatMap((s) => s.fields).reduce((a, [k, v]) => a + k.length + v.length, 0);
    expect(chars).toBeLessThanOrEqual(300);
    // The report's budget is spent: later alerts are rows without details.
    for (let i = 3; i < 6; i++) m.add(alert(i, wide));
    const after = data(m);
    expect(after.rows.at(-1)?.d).toBe(-1);
    expect(after.omitted.details).toBeGreaterThan(0);
  });

  it('escapes control, line-separator and bidi characters in every value, and survives nesting deeper than the field reader follows', () => {
    const m = new ReportModel();
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 5000; i++) deep = { d: deep };
    m.add(alert(1, { host: { name: 'x\u001b]0;t\u0007' }, user: { name: 'a\u2028b' }, process: { name: 'cat\u202egnp.exe' }, deep }, rule({ name: 'R\r\nforged' })));
    const d = data(m);
    expect(d.rows[0]).toMatchObject({ h: 'x\\x1b]0;t\\x07', u: 'a\\u2028b', p: 'cat\\u202egnp.exe' });
    expect(d.rules[0]?.name).toBe('R\\r\\nforged');
    const fields = d.details[0]?.sections[1]?.fields ?? [];
    expect(fields.find(([k]) => k.startsWith('deep.'))?.[1]).toMatch(/nested deeper than 100 levels/);
  });

  it('shows each event of a sequence, and new terms, threshold and suppression facts', () => {
    const m = new ReportModel();
    m.add({
      ...alert(9),
      newTerms: { 'user.name': 'eve' },
      threshold: { fields: { 'user.name': 'admin' }, count: 5, cardinality: { field: 'source.ip', value: 2 } },
      suppression: { terms: [{ field: 'host.name', value: null }], start: 0, end: 1000, docsCount: 2 },
      events: [
        { event: { process: { name: 'a' } }, location: { file: 'f', line: 1 } },
        { event: { process: { name: 'b' } }, location: { file: 'f', line: 2 } },
      ],
    });
    const sections = data(m).details[0]?.sections ?? [];
    expect(sections.map((s) => s.title)).toEqual(['alert', 'event 1 of 2 (f:1)', 'event 2 of 2 (f:2)']);
    const about = Object.fromEntries(sections[0]?.fields ?? []);
    expect(about).toMatchObject({
      'new terms': 'user.name = eve',
      threshold: '5 events for user.name = admin, 2 distinct source.ip',
      suppressed: 'host.name = (missing): 2 more events, 1970-01-01T00:00:00.000Z to 1970-01-01T00:00:01.000Z',
      source: 'logs/a.ndjson:9',
    });
  });

  it('takes the totals and inputs from the scan summary, and notes interruptions and unreadable inputs', () => {
    const m = new ReportModel();
    m.add(alert(1));
    const d = m.data({
      version: '1',
      now: new Date(0),
      rules: [R],
      window: { since: Date.UTC(2024, 0, 1) },
      outcome: { inputErrors: [{ source: 'gone.ndjson', message: 'no such file' }], malformed: 1, interrupted: true },
      summary: {
        files: 1, lines: 10, events: 6, skipped: 2, malformed: 1, blank: 1, warnings: 0, bytes: 999, inputErrors: 1, elapsedMs: 12.4,
        alertsByRule: [{ name: 'Rule One', id: 'r-1', alerts: 1, untimed: 0 }, { name: 'Quiet', id: 'q', alerts: 0, untimed: 0 }],
        inputs: [{ name: 'a.ndjson', lines: 10, events: 6, skipped: 2, malformed: 1, blank: 1, bytes: 999 }, { name: 'gone.ndjson', lines: 0, events: 0, skipped: 0, malformed: 0, blank: 0, bytes: 0, error: 'no such file' }],
        interrupted: { signal: 'SIGINT' },
      },
    });
    expect(d.totals).toMatchObject({ rulesRun: 2, rulesAlerted: 1, files: 1, lines: 10, events: 8, skipped: 2, malformed: 1, blank: 1, unreadable: 1, elapsedMs: 12, window: { since: '2024-01-01T00:00:00.000Z', until: null } });
    expect(d.inputs).toEqual([
      { name: 'a.ndjson', lines: 10, events: 6, skipped: 2, malformed: 1, blank: 1, bytes: 999, error: null },
      { name: 'gone.ndjson', lines: 0, events: 0, skipped: 0, malformed: 0, blank: 0, bytes: 0, error: 'no such file' },
    ]);
    expect(d.notes).toEqual(['interrupted by SIGINT: the report covers the input read before it', 'gone.ndjson: no such file']);
  });
});
