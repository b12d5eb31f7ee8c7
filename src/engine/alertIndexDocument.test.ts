import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isUnsupported, parseRuleText } from '../rules/load.js';
import type { Rule } from '../rules/types.js';
import type { EcsEvent } from '../event/types.js';
import type { Alert } from './alert.js';
import { alertIndexDocumentOf, alertUuid, toAlertIndexDocument } from './alertIndexDocument.js';

function rule(extra = ''): Rule {
  const parsed = parseRuleText(
    `[rule]
author = ["Elastic"]
description = "d"
name = "Segfault Detected"
risk_score = 21
rule_id = "5c81fc9d"
severity = "low"
index = ["logs-system.syslog-*"]
language = "kuery"
type = "query"
tags = ["OS: Linux"]
${extra}
query = 'message:segfault'
`,
    'r.toml',
  );
  if (isUnsupported(parsed)) throw new Error('unsupported');
  return parsed;
}

const event: EcsEvent = {
  '@timestamp': '2024-05-01T10:00:00.000Z',
  event: { ingested: '2024-05-01T10:00:05.000Z', dataset: 'system.syslog', kind: 'event', nested: { a: 1 } },
  host: { name: 'web1', id: 'h1' },
  process: { name: 'kernel' },
  data_stream: { type: 'logs', dataset: 'system.syslog', namespace: 'default' },
  message: 'segfault',
  kibana: { stale: true },
  'signal.rule.name': 'stale',
};
const alertOf = (r: Rule, e: EcsEvent, extra: Partial<Alert> = {}): Alert => ({ rule: r, timeMs: Date.parse('2024-05-01T10:00:05.000Z'), event: e, location: { file: 'f', line: 1 }, ...extra });

describe('toAlertIndexDocument (Kibana build_bulk_body / build_alert)', () => {
  it('keeps the source fields, flattens event.* and copies it under original_event, marks it a signal', () => {
    const doc = toAlertIndexDocument(alertOf(rule(), event));
    expect(doc.host).toEqual({ name: 'web1', id: 'h1' });
    expect(doc.message).toBe('segfault');
    expect(doc.event).toBeUndefined();
    expect(doc['event.ingested']).toBe('2024-05-01T10:00:05.000Z');
    expect(doc['event.nested.a']).toBe(1);
    expect(doc['event.kind']).toBe('signal');
    expect(doc['kibana.alert.original_event.kind']).toBe('event');
    expect(doc['kibana.alert.original_event.dataset']).toBe('system.syslog');
    // The parent's own kibana/signal fields are not carried over.
    expect(doc.kibana).toBeUndefined();
    expect(doc['signal.rule.name']).toBeUndefined();
  });

  it('carries the rule and the alert’s state', () => {
    const doc = toAlertIndexDocument(alertOf(rule('building_block_type = "default"\nfrom = "now-9m"'), event));
    expect(doc).toMatchObject({
      '@timestamp': '2024-05-01T10:00:05.000Z',
      'kibana.alert.original_time': '2024-05-01T10:00:00.000Z',
      'kibana.alert.rule.rule_id': '5c81fc9d',
      'kibana.alert.rule.uuid': '5c81fc9d',
      'kibana.alert.rule.name': 'Segfault Detected',
      'kibana.alert.rule.type': 'query',
      'kibana.alert.rule.tags': ['OS: Linux'],
      'kibana.alert.rule.threat': [],
      'kibana.alert.rule.from': 'now-9m',
      'kibana.alert.rule.indices': ['logs-system.syslog-*'],
      'kibana.alert.severity': 'low',
      'kibana.alert.risk_score': 21,
      'kibana.alert.rule.severity': 'low',
      'kibana.alert.rule.risk_score': 21,
      'kibana.alert.building_block_type': 'default',
      'kibana.alert.rule.building_block_type': 'default',
      'kibana.alert.status': 'active',
      'kibana.alert.workflow_status': 'open',
      'kibana.alert.depth': 1,
      'kibana.space_ids': ['default'],
      'kibana.alert.reason': 'event with process kernel, on web1, created low alert Segfault Detected.',
    });
    expect(toAlertIndexDocument(alertOf(rule(), event))).not.toHaveProperty('kibana.alert.building_block_type');
  });

  it('derives kibana.alert.uuid as Kibana does: sha256 of the ancestors’ id and index, then the rule uuid', () => {
    const withId = { ...event, _id: 'abc', _index: '.ds-logs-system.syslog-default-2024.05.01-000001' };
    const doc = toAlertIndexDocument(alertOf(rule(), withId));
    const expected = createHash('sha256').update('abc').update('.ds-logs-system.syslog-default-2024.05.01-000001').update('5c81fc9d').digest('hex');
    expect(doc['kibana.alert.uuid']).toBe(expected);
    expect(doc['kibana.alert.ancestors']).toEqual([{ id: 'abc', type: 'event', index: '.ds-logs-system.syslog-default-2024.05.01-000001', depth: 0 }]);
    expect(doc._id).toBeUndefined();
    // Without `_id`, the id is the hash of the event's JSON: stable for the same event, new for another.
    const a = toAlertIndexDocument(alertOf(rule(), event))['kibana.alert.uuid'];
    expect(toAlertIndexDocument(alertOf(rule(), JSON.parse(JSON.stringify(event))))['kibana.alert.uuid']).toBe(a);
    expect(toAlertIndexDocument(alertOf(rule(), { ...event, message: 'segfault 2' }))['kibana.alert.uuid']).not.toBe(a);
    expect(alertUuid([{ id: 'x', type: 'event', index: 'i', depth: 0 }], 'r')).toBe(createHash('sha256').update('xir').digest('hex'));
  });

  it('adds the new terms', () => {
    const nt = toAlertIndexDocument(alertOf(rule(), event, { newTerms: { 'host.id': 'h1', 'user.id': 'u' } }));
    expect(nt['kibana.alert.new_terms']).toEqual(['h1', 'u']);
  });

  it('builds a threshold alert from the group’s terms and time alone, its parent the group', () => {
    const threshold = { fields: { 'host.id': 'h1', 'event.kind': 'event' }, count: 100, cardinality: { field: 'user.name', value: 3 } };
    const th = toAlertIndexDocument(alertOf(rule(), event, { threshold }));
    expect(th['kibana.alert.threshold_result']).toEqual({
      terms: [
        { field: 'host.id', value: 'h1' },
        { field: 'event.kind', value: 'event' },
      ],
      count: 100,
      cardinality: [{ field: 'user.name', value: 3 }],
    });
    expect(th.host).toEqual({ id: 'h1' });
    expect(th.message).toBeUndefined();
    expect(th['event.kind']).toBe('signal');
    expect(th['kibana.alert.original_event.kind']).toBe('event');
    expect(th['@timestamp']).toBe('2024-05-01T10:00:05.000Z');
    expect(th['kibana.alert.original_time']).toBe('2024-05-01T10:00:05.000Z');
    expect(th['kibana.alert.depth']).toBe(1);
    const [parent] = th['kibana.alert.ancestors'] as Array<{ id: string; index: string; type: string }>;
    expect(parent).toMatchObject({ type: 'event', index: 'logs-system.syslog-*' });
    // Another group, or the same group later, is another alert.
    const other = toAlertIndexDocument(alertOf(rule(), event, { threshold: { ...threshold, fields: { 'host.id': 'h2', 'event.kind': 'event' } } }));
    const later = toAlertIndexDocument({ ...alertOf(rule(), event, { threshold }), timeMs: Date.parse('2024-05-01T11:00:00Z') });
    expect(new Set([th, other, later].map((d) => d['kibana.alert.uuid'])).size).toBe(3);
  });

  it('keeps a hostile `__proto__` key as a field, never as a prototype', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": 1}, "event": {"__proto__": {"x": 2}}, "message": "segfault"}') as EcsEvent;
    const doc = toAlertIndexDocument(alertOf(rule(), hostile));
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(Object.hasOwn(doc, '__proto__')).toBe(true);
    expect(doc['event.__proto__.x']).toBe(2);
    const th = toAlertIndexDocument(alertOf(rule(), event, { threshold: { fields: { '__proto__.polluted': 'yes' }, count: 1 } }));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(th, '__proto__')).toBe(true);
  });

  it('stamps an event without time with the clock, and has no original time', () => {
    const untimed = { message: 'segfault' };
    const doc = toAlertIndexDocument({ ...alertOf(rule(), untimed), timeMs: undefined }, () => Date.parse('2030-01-01T00:00:00Z'));
    expect(doc['@timestamp']).toBe('2030-01-01T00:00:00.000Z');
    expect(doc).not.toHaveProperty('kibana.alert.original_time');
  });

  it('makes an alert on an alert its child: ancestry extended, depth one more', () => {
    const parent = alertIndexDocumentOf(alertOf(rule(), event));
    expect(alertIndexDocumentOf(alertOf(rule(), event))).not.toBe(parent);
    const child = toAlertIndexDocument(alertOf(rule(), parent));
    expect(child['kibana.alert.depth']).toBe(2);
    expect(child['kibana.alert.ancestors']).toEqual([
      ...(parent['kibana.alert.ancestors'] as unknown[]),
      { id: parent['kibana.alert.uuid'], type: 'signal', index: '.alerts-security.alerts-default', depth: 1, rule: '5c81fc9d' },
    ]);
    expect(child['kibana.alert.original_event.kind']).toBe('signal');
  });
});
