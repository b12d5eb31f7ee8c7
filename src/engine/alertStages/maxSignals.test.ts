import { describe, expect, it } from 'vitest';
import type { Alert } from '../alert.js';
import { isUnsupported, parseRuleText } from '../../rules/load.js';
import { maxSignalsStage, type CapOrder } from './maxSignals.js';
import type { AlertStage, Schedule } from './stage.js';

const MIN = 60_000;
const loaded = parseRuleText('[rule]\nname = "r"\nrule_id = "r"\ndescription = "r"\nrisk_score = 1\nseverity = "low"\ntype = "query"\nlanguage = "kuery"\nquery = "*"\n', 'r.toml');
if (isUnsupported(loaded)) throw new Error('a query rule is supported');
const rule = loaded;
const at = (minute: number | undefined, group?: string): Alert => ({
  rule,
  timeMs: minute === undefined ? undefined : minute * MIN,
  event: {},
  location: { file: 'f', line: minute ?? 0 },
  ...(group === undefined ? {} : { threshold: { fields: { 'host.name': group }, count: 1 } }),
});

function run(cap: number, schedule: Schedule, order: CapOrder, alerts: Alert[], live = false) {
  const out: Alert[] = [];
  const counts = { leftOut: 0 };
  let finished = false;
  const sink: AlertStage = { push: (a) => out.push(a), finish: () => (finished = true) };
  const stage = maxSignalsStage(cap, schedule, order, sink, counts, live);
  for (const a of alerts) stage.push(a);
  stage.finish();
  expect(finished).toBe(true);
  return { minutes: out.map((a) => (a.timeMs === undefined ? undefined : a.timeMs / MIN)), leftOut: counts.leftOut };
}

const fiveOfSix: Schedule = { intervalMs: 5 * MIN, lookbackMs: 6 * MIN };
const fiveOfTen: Schedule = { intervalMs: 5 * MIN, lookbackMs: 10 * MIN };
const byHost: CapOrder = { kind: 'key', keyOf: (a) => [a.threshold?.fields['host.name'] ?? null] };

describe('max_signals per execution', () => {
  it('a query rule creates the oldest alerts; one left out is created by the next execution while its range still holds it', () => {
    // Execution at 5m takes 1m and 2m; the one at 10m searches from 4m: 3m is out of reach, 4m is created.
    expect(run(2, fiveOfSix, { kind: 'newFirst' }, [at(1), at(2), at(3), at(4)])).toEqual({ minutes: [1, 2, 4], leftOut: 1 });
  });

  it('counts only new alerts against a query rule’s cap: an overlapping execution creates what the last one had no room for', () => {
    expect(run(2, fiveOfTen, { kind: 'newFirst' }, [at(1), at(2), at(3)])).toEqual({ minutes: [1, 2, 3], leftOut: 0 });
  });

  it('an EQL rule’s search size counts the hits already created: the overlap brings nothing new', () => {
    expect(run(2, fiveOfTen, { kind: 'searchSize' }, [at(1), at(2), at(3)])).toEqual({ minutes: [1, 2], leftOut: 1 });
  });

  it('keeps executions apart: each interval has its own cap', () => {
    expect(run(1, fiveOfSix, { kind: 'newFirst' }, [at(1), at(6), at(11), at(12)])).toEqual({ minutes: [1, 6, 11], leftOut: 1 });
  });

  it('runs the executions after the last alert, as Kibana keeps running the rule', () => {
    // 4m waits: the execution at 10m searches from 0m and creates it.
    expect(run(3, fiveOfTen, { kind: 'newFirst' }, [at(1), at(2), at(3), at(4)])).toEqual({ minutes: [1, 2, 3, 4], leftOut: 0 });
  });

  it('keeps the first groups in key order for threshold and new_terms rules, written in the order they came', () => {
    const alerts = [at(1, 'c'), at(2, 'a'), at(3, 'b')];
    const r = run(2, fiveOfSix, byHost, alerts);
    expect(r).toEqual({ minutes: [2, 3], leftOut: 1 });
  });

  it('live, keeps the first groups to come rather than hold alerts back to sort them', () => {
    expect(run(2, fiveOfSix, byHost, [at(1, 'c'), at(2, 'a'), at(3, 'b')], true)).toEqual({ minutes: [1, 2], leftOut: 1 });
  });

  it('passes alerts without a time uncapped: no execution’s range holds them', () => {
    expect(run(1, fiveOfSix, { kind: 'newFirst' }, [at(1), at(undefined), at(2), at(undefined)])).toEqual({ minutes: [1, undefined, undefined], leftOut: 1 });
  });

  it('keeps waiting the newest alerts a later execution can still reach, however many older ones wait', () => {
    // The run at 5m creates two of the 1-minute alerts; the one at 10m searches from 4m: 4.5m's.
    const alerts = [...Array.from({ length: 50 }, () => at(1)), at(4.5), at(4.6)];
    expect(run(2, fiveOfSix, { kind: 'newFirst' }, alerts)).toEqual({ minutes: [1, 1, 4.5, 4.6], leftOut: 48 });
  });

  it('creates at most the cap per execution however many alerts one interval holds', () => {
    // 4.5m lies in the ranges of the executions at 5m and at 10m: ten each.
    const many = Array.from({ length: 100_000 }, () => at(4.5));
    expect(run(10, fiveOfSix, { kind: 'newFirst' }, many)).toEqual({ minutes: Array(20).fill(4.5), leftOut: 99_980 });
  });
});
