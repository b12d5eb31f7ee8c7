import { describe, expect, it } from 'vitest';
import { isUnsupported, parseRuleText } from '../../rules/load.js';
import { RuleError } from '../../rules/ruleError.js';
import { compareKeys, executionOf, scheduleOf } from './stage.js';

const MIN = 60_000;
const ruleText = (extra: string) =>
  `[rule]\nname = "r"\nrule_id = "r"\ndescription = "r"\nrisk_score = 1\nseverity = "low"\ntype = "query"\nlanguage = "kuery"\nquery = "*"\n${extra}\n`;
function load(extra: string) {
  const rule = parseRuleText(ruleText(extra), 'r.toml');
  if (isUnsupported(rule)) throw new Error('a query rule is supported');
  return rule;
}
function refusal(extra: string): string {
  try {
    load(extra);
  } catch (e) {
    if (e instanceof RuleError) return e.format();
    throw e;
  }
  throw new Error('expected a rule error');
}

describe('rule fields of max_signals and alert_suppression', () => {
  it('reads max_signals, and alert_suppression in both TOML shapes of the pack', () => {
    const inline = load('max_signals = 33\n[rule.alert_suppression]\ngroup_by = ["source.ip", "cloud.account.id"]\nduration = {value = 5, unit = "m"}\nmissing_fields_strategy = "suppress"');
    expect(inline.maxSignals).toBe(33);
    expect(inline.alertSuppression).toEqual({ groupBy: ['source.ip', 'cloud.account.id'], durationMs: 5 * MIN, missingFields: 'suppress' });
    const table = load('[rule.alert_suppression]\ngroup_by = ["m365_defender.alert.id"]\nmissing_fields_strategy = "doNotSuppress"\n\n[rule.alert_suppression.duration]\nunit = "h"\nvalue = 24');
    expect(table.maxSignals).toBeUndefined();
    expect(table.alertSuppression).toEqual({ groupBy: ['m365_defender.alert.id'], durationMs: 24 * 60 * MIN, missingFields: 'doNotSuppress' });
  });

  it('defaults missing_fields_strategy to suppress and a missing duration to per execution', () => {
    expect(load('[rule.alert_suppression]\ngroup_by = ["host.name"]').alertSuppression).toEqual({ groupBy: ['host.name'], durationMs: undefined, missingFields: 'suppress' });
  });

  it('refuses what Kibana’s rule schema refuses, naming the field', () => {
    expect(refusal('max_signals = 0')).toMatch(/rule field `rule.max_signals` must be a whole number of at least 1, found number 0/);
    expect(refusal('[rule.alert_suppression]\ngroup_by = ["a", "b", "c", "d"]')).toMatch(/`rule.alert_suppression.group_by` must list 1 to 3 field names/);
    expect(refusal('[rule.alert_suppression]\ngroup_by = ["a"]\nduration = {value = 5, unit = "d"}')).toMatch(/`rule.alert_suppression.duration` must be a table/);
    expect(refusal('[rule.alert_suppression]\ngroup_by = ["a"]\nmissing_fields_strategy = "drop"')).toMatch(/must be "suppress" or "doNotSuppress", found "drop"/);
    expect(refusal('interval = "five minutes"')).toMatch(/rule field `rule.interval` is "five minutes"; expected a whole number and a unit/);
  });
});

describe('the schedule of a rule', () => {
  it('is every interval over the look-back of `from`, Kibana’s 5m and now-6m when absent', () => {
    expect(scheduleOf(load(''))).toEqual({ intervalMs: 5 * MIN, lookbackMs: 6 * MIN });
    expect(scheduleOf(load('interval = "60m"\nfrom = "now-119m"'))).toEqual({ intervalMs: 60 * MIN, lookbackMs: 119 * MIN });
  });

  it('never looks back less than one interval (Kibana fills such gaps)', () => {
    expect(scheduleOf(load('interval = "2m"\nfrom = "now-1m"'))).toEqual({ intervalMs: 2 * MIN, lookbackMs: 2 * MIN });
  });

  it('puts an event in the first execution whose range ends at or after it, runs aligned on the epoch', () => {
    expect(executionOf(0, 5 * MIN)).toBe(0);
    expect(executionOf(1, 5 * MIN)).toBe(1);
    expect(executionOf(5 * MIN, 5 * MIN)).toBe(1);
    expect(executionOf(5 * MIN + 1, 5 * MIN)).toBe(2);
  });
});

describe('composite aggregation key order', () => {
  it('orders numbers by value, strings by characters, missing last, then field by field', () => {
    const keys = [['b', 2], [null, 1], ['a', 10], ['a', 9], [true, 0], [1, 0]];
    expect(keys.sort(compareKeys)).toEqual([[1, 0], [true, 0], ['a', 9], ['a', 10], ['b', 2], [null, 1]]);
  });
});
