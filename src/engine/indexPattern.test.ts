import { describe, expect, it } from 'vitest';
import { ALERTS_INDEX, compileIndexPatterns, eventIndexNames, namesAlertsOnly } from './indexPattern.js';

describe('compileIndexPatterns (Elasticsearch multi-target syntax)', () => {
  it('takes in a name one pattern matches, `*` standing for any run of characters', () => {
    const takes = compileIndexPatterns(['logs-system.syslog-*', 'auditbeat-*']);
    expect(takes('logs-system.syslog-default')).toBe(true);
    expect(takes('auditbeat-8.12.0-2024.05.01')).toBe(true);
    expect(takes('logs-system.auth-default')).toBe(false);
    expect(takes('xauditbeat-8')).toBe(false);
  });

  it('matches a name without `*` exactly, and several `*` in order', () => {
    expect(compileIndexPatterns(['logs-okta.system-default'])('logs-okta.system-default')).toBe(true);
    expect(compileIndexPatterns(['logs-okta.system-default'])('logs-okta.system-default2')).toBe(false);
    const takes = compileIndexPatterns(['logs-*.events.*-prod']);
    expect(takes('logs-endpoint.events.process-prod')).toBe(true);
    expect(takes('logs-endpoint.events-prod')).toBe(false);
    // The pieces may not overlap the prefix or suffix.
    expect(compileIndexPatterns(['ab*ba'])('aba')).toBe(false);
    expect(compileIndexPatterns(['ab*ba'])('abba')).toBe(true);
  });

  it('reads comma lists, and `-name` after a wildcard as an exclusion', () => {
    const takes = compileIndexPatterns(['logs-*,-logs-system.*', 'logs-system.syslog-*']);
    expect(takes('logs-okta.system-default')).toBe(true);
    expect(takes('logs-system.auth-default')).toBe(false);
    // A later expression takes back in what an exclusion removed.
    expect(takes('logs-system.syslog-default')).toBe(true);
    // Before any wildcard, `-` is part of a name.
    expect(compileIndexPatterns(['-odd'])('-odd')).toBe(true);
  });

  it('stays linear on a hostile pattern and name', () => {
    const takes = compileIndexPatterns(['*a*a*a*a*a*a*a*a*a*a*b']);
    const started = performance.now();
    expect(takes('a'.repeat(100_000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('compileIndexPatterns, once per list', () => {
  it('gives rules with equal index lists one matcher', () => {
    const a = compileIndexPatterns(['logs-*', '-logs-x']);
    expect(compileIndexPatterns(['logs-*', '-logs-x'])).toBe(a);
    expect(compileIndexPatterns(['logs-*'])).not.toBe(a);
    expect([a('logs-y'), a('logs-x')]).toEqual([true, false]);
    // Lists are told apart whatever their names hold.
    expect(compileIndexPatterns(['a\nb'])('a')).toBe(false);
    expect(compileIndexPatterns(['a', 'b'])('a')).toBe(true);
  });
});

describe('namesAlertsOnly', () => {
  it('is true for rules that read only the security alerts index', () => {
    expect(namesAlertsOnly(['.alerts-security.*'])).toBe(true);
    expect(namesAlertsOnly(['.alerts-security.alerts-default'])).toBe(true);
    expect(namesAlertsOnly(['logs-fortinet_fortigate.log-*', '.alerts-security.*'])).toBe(false);
    expect(namesAlertsOnly(['*'])).toBe(false);
    expect(namesAlertsOnly([])).toBe(false);
    expect(namesAlertsOnly(['.alerts-security.other'])).toBe(false);
    expect(namesAlertsOnly(['.alerts-security.*,logs-*'])).toBe(false);
    expect(namesAlertsOnly([' .alerts-security.* , -.alerts-security.old'])).toBe(true);
    expect(ALERTS_INDEX).toBe('.alerts-security.alerts-default');
  });
});

describe('eventIndexNames', () => {
  it('reads `_index`, adding the data stream of a backing index', () => {
    expect(eventIndexNames({ _index: 'auditbeat-8.12.0' })).toEqual(['auditbeat-8.12.0']);
    expect(eventIndexNames({ _index: '.ds-logs-system.syslog-default-2024.05.01-000001' })).toEqual([
      '.ds-logs-system.syslog-default-2024.05.01-000001',
      'logs-system.syslog-default',
    ]);
  });

  it('names <type>-<dataset>-<namespace> from the data stream fields, dotted or nested', () => {
    expect(eventIndexNames({ data_stream: { type: 'logs', dataset: 'system.syslog', namespace: 'default' } })).toEqual(['logs-system.syslog-default']);
    expect(eventIndexNames({ 'data_stream.type': 'logs', 'data_stream.dataset': 'okta.system', 'data_stream.namespace': 'prod' })).toEqual(['logs-okta.system-prod']);
    // `_index` wins over the data stream fields.
    expect(eventIndexNames({ _index: 'x', data_stream: { type: 'logs', dataset: 'a', namespace: 'b' } })).toEqual(['x']);
  });

  it('says nothing for an event without them, with a part missing, or with only event.dataset', () => {
    expect(eventIndexNames({})).toBeUndefined();
    expect(eventIndexNames({ data_stream: { dataset: 'system.syslog', namespace: 'default' } })).toBeUndefined();
    expect(eventIndexNames({ event: { dataset: 'system.syslog' } })).toBeUndefined();
    expect(eventIndexNames({ _index: ['a', 'b'] })).toBeUndefined();
    expect(eventIndexNames({ _index: 7 })).toBeUndefined();
  });
});
