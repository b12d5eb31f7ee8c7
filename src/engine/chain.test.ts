import { describe, expect, it } from 'vitest';
import { isUnsupported, parseRuleText } from '../rules/load.js';
import type { Rule } from '../rules/types.js';
import type { EcsEvent } from '../event/types.js';
import type { Alert } from './alert.js';
import { alertIndexDocumentOf } from './alertIndexDocument.js';
import { createChainedScanner } from './chain.js';
import { compileRule, type CompiledRule } from './compileRule.js';

function rule(id: string, fields: string): CompiledRule {
  const text = `[rule]
author = ["t"]
description = "t"
name = "${id}"
risk_score = 21
rule_id = "${id}"
severity = "low"
${fields}
`;
  const parsed = parseRuleText(text, `${id}.toml`);
  if (isUnsupported(parsed)) throw new Error('unsupported');
  const r: Rule = parsed;
  return compileRule(r);
}

// A building block on events and a threshold over its alerts, shaped like the pack's
// "Segfault Detected" and "Potential Buffer Overflow Attack Detected".
const block = rule('block', `index = ["logs-*"]\nlanguage = "kuery"\ntype = "query"\nbuilding_block_type = "default"\nquery = 'message:segfault'`);
const overAlerts = rule(
  'higher',
  `index = [".alerts-security.*"]\nlanguage = "kuery"\ntype = "threshold"\nfrom = "now-9m"\nquery = 'kibana.alert.rule.rule_id:"block" and event.kind:signal'\n[rule.threshold]\nfield = ["host.id"]\nvalue = 3`,
);
const anySignal = rule('any-signal', `index = ["logs-*"]\nlanguage = "kuery"\ntype = "query"\nquery = 'event.kind:signal'`);

const at = (s: number) => new Date(Date.UTC(2024, 4, 1, 10, 0, s)).toISOString();
const segfault = (s: number, host = 'h1'): EcsEvent => ({ '@timestamp': at(s), host: { id: host }, message: 'app: segfault at 0' });

function run(rules: CompiledRule[], events: EcsEvent[], live = false) {
  const alerts: Alert[] = [];
  const scanner = createChainedScanner(rules, (a) => alerts.push(a), { live });
  events.forEach((e, i) => scanner.event(e, { file: 'f', line: i + 1 }));
  scanner.finish();
  return { alerts, scanner, names: alerts.map((a) => `${a.rule.id}@${a.location.line}`) };
}

describe('alert chains', () => {
  it('feeds the building block’s alerts to the rule over the alerts index', () => {
    const { names, scanner } = run([block, overAlerts], [segfault(0), segfault(1, 'h2'), segfault(2), segfault(3)]);
    expect(names).toEqual(['block@1', 'block@2', 'block@3', 'block@4', 'higher@4']);
    expect(scanner.counts.get('higher')?.alerts).toBe(1);
    expect(scanner.counts.get('block')?.alerts).toBe(4);
    expect(scanner.finished).toBe(true);
  });

  it('never runs a rule over the alerts index on input events, even ones that look like alerts', () => {
    const lookalikes = [0, 1, 2].map((s) => ({ ...segfault(s), 'event.kind': 'signal', 'kibana.alert.rule.rule_id': 'block', message: 'none' }));
    expect(run([block, overAlerts], lookalikes).names).toEqual([]);
  });

  it('never shows alerts to rules that read events', () => {
    const { names } = run([block, anySignal], [segfault(0)]);
    expect(names).toEqual(['block@1']);
  });

  it('decides in event time across the stages, whatever the input order', () => {
    // In event time the third alert within the span is line 2's (0 s, 1 s, 2 s); line 1 is far later.
    const { names } = run([block, overAlerts], [segfault(900), segfault(2), segfault(0), segfault(1)]);
    expect(names.filter((n) => n.startsWith('higher'))).toEqual(['higher@2']);
  });

  it('gives the higher-order alert the ancestry of its parent alert', () => {
    const { alerts } = run([block, overAlerts], [segfault(0), segfault(1), segfault(2)]);
    const higher = alerts.find((a) => a.rule.id === 'higher');
    expect(higher?.event['kibana.alert.rule.rule_id']).toBe('block');
    expect(higher?.event['kibana.alert.depth']).toBe(1);
  });

  it('is a plain scanner when no rule reads alerts', () => {
    const { names, scanner } = run([block], [segfault(0)]);
    expect(names).toEqual(['block@1']);
    expect([...scanner.counts.keys()]).toEqual(['block']);
  });
});

describe('legacy signal.* aliases', () => {
  // Shaped like the pack's GitHub UEBA rule: a threshold with a cardinality over `signal.rule.name`.
  const blockB = rule('block-b', `index = ["logs-*"]\nlanguage = "kuery"\ntype = "query"\ntags = ["Use Case: UEBA"]\nquery = 'message:segfault'`);
  const blockA = rule('block-a', `index = ["logs-*"]\nlanguage = "kuery"\ntype = "query"\ntags = ["Use Case: UEBA"]\nquery = 'message:segfault'`);
  const ueba = rule(
    'ueba',
    `index = [".alerts-security.*"]\nlanguage = "kuery"\ntype = "threshold"\nquery = 'signal.rule.tags:"Use Case: UEBA" and signal.status:open and signal.rule.severity:low'\n[rule.threshold]\nfield = ["host.id"]\nvalue = 1\n[[rule.threshold.cardinality]]\nfield = "signal.rule.name"\nvalue = 2`,
  );

  it('lets a rule over alerts query the signal.* names of alert fields', () => {
    expect(run([blockA, ueba], [segfault(0), segfault(1)]).names).toEqual(['block-a@1', 'block-a@2']);
    expect(run([blockA, blockB, ueba], [segfault(0)]).names).toEqual(['block-a@1', 'block-b@1', 'ueba@1']);
  });

  it('keeps the aliases out of the alert document itself', () => {
    const { alerts } = run([blockA, blockB, ueba], [segfault(0)]);
    const higher = alerts.find((a) => a.rule.id === 'ueba');
    expect(higher?.event['signal.rule.name']).toBe('block-b');
    // The document written for block-b's alert (--format elastic) has no alias: they are mapping, not _source.
    const written = alertIndexDocumentOf(alerts[1]!);
    expect(written['kibana.alert.rule.name']).toBe('block-b');
    expect(Object.keys(written).some((k) => k.startsWith('signal.'))).toBe(false);
  });
});
