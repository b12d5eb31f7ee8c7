import { describe, expect, it } from 'vitest';
import { compileRule, type CompiledRule } from '../engine/compileRule.js';
import type { EcsEvent } from '../event/types.js';
import { parseRuleText } from '../rules/load.js';
import { CappedCounts, CoverageCollector } from './collect.js';
import { coverageReport, renderCoverageText, type CoverageReport } from './report.js';
import { makeChalk } from '../output/color.js';

function rule(id: string, body: string): CompiledRule {
  const r = parseRuleText(`[metadata]\nmaturity = "production"\n\n[rule]\nrule_id = "${id}"\nname = "Rule ${id}"\ndescription = "d"\nseverity = "low"\nrisk_score = 1\n${body}`, `${id}.toml`);
  if ('unsupported' in r) throw new Error('expected a supported rule');
  return compileRule(r);
}

const kql = (query: string, extra = '') => `type = "query"\nlanguage = "kuery"\nquery = '''${query}'''\n${extra}`;

function cover(rules: CompiledRule[], events: EcsEvent[]): CoverageReport {
  const collector = new CoverageCollector(rules);
  for (const e of events) collector.event(e);
  return coverageReport(collector.result(), { files: 1, lines: events.length, malformed: 0, errors: [] });
}

const auditd = (action: string, extra: EcsEvent = {}): EcsEvent => ({
  agent: { type: 'auditbeat' },
  event: { module: 'auditd', dataset: 'auditd.log', category: ['file'], action },
  host: { os: { type: 'linux' } },
  file: { path: '/etc/shadow' },
  ...extra,
});

describe('coverage', () => {
  it('says a rule cannot fire when no event has a value it requires, and what the field holds instead', () => {
    const report = cover([rule('a', kql('event.category:file and event.action:"opened-file" and file.path:*'))], [auditd('changed-file-ownership-of'), auditd('changed-file-ownership-of')]);
    expect(report.rules[0]).toMatchObject({
      status: 'cannot_fire',
      eligible_events: 0,
      reasons: ['needs event.action "opened-file": never present (event.action has "changed-file-ownership-of" (2))'],
    });
    expect(report.rules[0]?.requirements).toContainEqual({ field: 'event.action', values: ['opened-file'], events: 0, seen_values: [{ value: 'changed-file-ownership-of', events: 2 }] });
    expect(report.totals).toEqual({ rules: 1, can_fire: 0, fields_missing: 0, cannot_fire: 1, reads_alerts: 0 });
  });

  it('counts a case-insensitive requirement (EQL :) by the folded values of the events', () => {
    const eql = `type = "eql"\nlanguage = "eql"\nquery = '''file where event.action : "Opened-File"'''\n`;
    const report = cover([rule('a', eql)], [auditd('OPENED-file'), auditd('changed-file-ownership-of')]);
    expect(report.rules[0]?.requirements).toContainEqual({ field: 'event.action', case_insensitive: true, values: ['opened-file'], events: 1 });
    expect(report.rules[0]).toMatchObject({ eligible_events: 1 });
  });

  it('says when a field it requires is in no event at all', () => {
    const report = cover([rule('a', kql('process.parent.name:(bash or sh)'))], [auditd('x')]);
    expect(report.rules[0]?.reasons).toEqual(['needs process.parent.name one of "bash", "sh": never present (no event has process.parent.name)']);
  });

  it("checks the rule's index patterns against the indices the events name", () => {
    const inStream = (e: EcsEvent): EcsEvent => ({ ...e, data_stream: { type: 'logs', dataset: 'auditd_manager.auditd', namespace: 'default' } });
    const report = cover([rule('a', kql('event.category:file', 'index = ["logs-endpoint.events.*"]')), rule('b', kql('event.category:file', 'index = ["logs-auditd_manager.auditd-*"]'))], [inStream(auditd('x'))]);
    expect(report.rules.map((r) => [r.status, r.reasons])).toEqual([
      ['cannot_fire', ['index patterns logs-endpoint.events.* match no input (the events are from logs-auditd_manager.auditd-default)']],
      ['can_fire', []],
    ]);
    expect(report.indices).toEqual([{ index: 'logs-auditd_manager.auditd-default', events: 1 }]);
  });

  it('tells values present in different events from values present together', () => {
    const report = cover([rule('a', kql('event.action:"a" and host.os.type:"windows"'))], [auditd('a'), auditd('b', { host: { os: { type: 'windows' } } })]);
    expect(report.rules[0]?.status).toBe('cannot_fire');
    expect(report.rules[0]?.reasons[0]).toMatch(/each present, but never together in one event/);
  });

  it('says a rule may not fire when a field it reads is in none of the events that meet its requirements', () => {
    const report = cover([rule('a', kql('event.category:file and process.parent.name:*'))], [auditd('x'), { process: { parent: { name: 'bash' } } }]);
    expect(report.rules[0]).toMatchObject({
      status: 'fields_missing',
      eligible_events: 1,
      reasons: ['reads process.parent.name: present in none of the 1 events that meet its requirements (other events hold it: 1)'],
    });
  });

  it('groups the eligible events by data source, and lists the fields no rule reads (patterns count as read)', () => {
    const report = cover([rule('a', kql('event.category:file and file.*:x'))], [auditd('x'), auditd('y')]);
    expect(report.rules[0]).toMatchObject({ status: 'can_fire', eligible_events: 2, sources: [{ source: 'auditbeat / auditd / auditd.log', events: 2 }] });
    expect(report.sources).toEqual([{ source: 'auditbeat / auditd / auditd.log', events: 2 }]);
    expect(report.unread_fields.map((f) => f.field)).toEqual(['agent.type', 'event.action', 'event.dataset', 'event.module', 'host.os.type']);
    const text = renderCoverageText(report, makeChalk(false));
    expect(text).toContain('  can fire      Rule a  a\n                2 events meet its requirements (auditbeat / auditd / auditd.log: 2)');
    expect(text).toContain('1 rule can fire, 0 may not (fields they read are missing), 0 cannot fire');
  });

  it('never says "cannot fire" of a rule that matches an event (its verdict rests on necessary conditions only)', () => {
    const rules = [
      rule('a', kql('event.category:file and event.action:("opened-file" or "x")')),
      rule('b', `type = "eql"\nlanguage = "eql"\nquery = '''file where event.action in ("y", "x") and host.os.type == "linux"'''`),
      rule('c', `type = "eql"\nlanguage = "eql"\nquery = '''sequence [file where event.action == "x"] [process where true]'''`),
      rule('d', kql('not event.action:x')),
      rule('e', kql('event.action:y')),
    ];
    const events = [auditd('x'), auditd('z'), { event: { category: 'process' } }];
    const report = cover(rules, events);
    for (const [i, r] of rules.entries()) {
      const matched = events.some((e) => r.matches(e));
      if (matched) expect(report.rules[i]?.status, r.rule.id).not.toBe('cannot_fire');
    }
    expect(report.rules.map((r) => r.status)).toEqual(['can_fire', 'can_fire', 'can_fire', 'can_fire', 'cannot_fire']);
  });

  it('calls rules over the alerts index alert readers, not events rules', () => {
    const report = cover([rule('a', kql('event.action:x')), rule('b', kql('kibana.alert.rule.name:*', 'index = [".alerts-security.*"]'))], [auditd('x')]);
    expect(report.rules[1]?.status).toBe('reads_alerts');
  });

  it('counts keys up to a cap and the rest together', () => {
    const counts = new CappedCounts(2);
    for (const k of ['a', 'b', 'a', 'c', 'd', 'c']) counts.add(k);
    expect(counts.sorted()).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect(counts.other).toBe(3);
  });
});

describe('coverage on hostile input', () => {
  it('keeps at most MAX_KEY_CHARS of a huge value or field name', () => {
    const huge = 'x'.repeat(1_000_000);
    const report = cover([rule('a', kql('event.action:"opened-file"'))], [{ event: { action: huge }, [huge]: 1 }]);
    const seen = report.rules[0]?.requirements[0]?.seen_values ?? [];
    expect(seen).toEqual([{ value: `${'x'.repeat(200)}…`, events: 1 }]);
    expect(report.unread_fields.every((f) => f.field.length <= 201)).toBe(true);
  });
});

describe('coverage of sequences', () => {
  it('says a sequence cannot fire when one of its steps matches no event, though the others do', () => {
    const seq = rule('s', `type = "eql"\nlanguage = "eql"\nquery = '''sequence by host.id with maxspan=1m [file where event.action == "x"] [network where destination.port == 4444] ![process where process.name == "never"]'''`);
    const report = cover([seq], [auditd('x', { host: { id: 'h', os: { type: 'linux' } } })]);
    expect(report.rules[0]).toMatchObject({ status: 'cannot_fire', eligible_events: 1 });
    expect(report.rules[0]?.reasons).toEqual(['step 2 of 3 (network where …) needs event.category "network": never present']);
    expect(report.rules[0]?.steps?.map((s) => [s.step, s.eligible_events])).toEqual([
      ['step 1 of 3 (file where …)', 1],
      ['step 2 of 3 (network where …)', 0],
    ]);
    const both = cover([seq], [auditd('x', { host: { id: 'h' } }), { event: { category: 'network' }, host: { id: 'h' }, destination: { port: 4444 } }]);
    expect(both.rules[0]?.status).toBe('can_fire');
  });
});
