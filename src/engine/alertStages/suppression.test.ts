import { describe, expect, it } from 'vitest';
import type { EcsEvent } from '../../event/types.js';
import { isUnsupported, parseRuleText } from '../../rules/load.js';
import type { AlertSuppression } from '../../rules/types.js';
import type { Alert } from '../alert.js';
import type { AlertStage } from './stage.js';
import { compileGroupsOf, SuppressionStage, type GroupValues } from './suppression.js';

const MIN = 60_000;
const loaded = parseRuleText('[rule]\nname = "r"\nrule_id = "r"\ndescription = "r"\nrisk_score = 1\nseverity = "low"\ntype = "query"\nlanguage = "kuery"\nquery = "*"\n', 'r.toml');
if (isUnsupported(loaded)) throw new Error('a query rule is supported');
const rule = loaded;

const at = (minute: number, event: EcsEvent): Alert => ({ rule, timeMs: minute * MIN, event, location: { file: 'f', line: minute } });
const host = (name: unknown) => ({ host: { name } });

interface Options {
  values?: GroupValues;
  live?: boolean;
  maxGroups?: number;
}

function run(spec: AlertSuppression, alerts: Alert[], { values = 'each', live = false, maxGroups }: Options = {}) {
  const out: Alert[] = [];
  const counts = { suppressed: 0, closedEarly: 0 };
  const sink: AlertStage = { push: (a) => out.push(a), finish() {} };
  const stage = new SuppressionStage(spec, 5 * MIN, compileGroupsOf(spec, values), sink, counts, live, maxGroups);
  for (const a of alerts) stage.push(a);
  stage.finish();
  const shown = out.map((a) => {
    const s = a.suppression;
    if (s === undefined) return { line: a.location.line };
    return { line: a.location.line, terms: s.terms.map((t) => t.value), start: s.start / MIN, end: s.end / MIN, docs: s.docsCount };
  });
  return { alerts: shown, ...counts };
}

const byHost = (durationMinutes?: number, missingFields: AlertSuppression['missingFields'] = 'suppress'): AlertSuppression => ({
  groupBy: ['host.name'],
  durationMs: durationMinutes === undefined ? undefined : durationMinutes * MIN,
  missingFields,
});

describe('alert suppression (Kibana kibana.alert.suppression.*)', () => {
  it('one alert per group per duration, from its first event, carrying first and last time and the events folded in', () => {
    const r = run(byHost(5), [at(0, host('a')), at(1, host('a')), at(2, host('a')), at(3, host('b')), at(6, host('a'))]);
    expect(r.alerts).toEqual([
      { line: 0, terms: ['a'], start: 0, end: 2, docs: 2 },
      { line: 3, terms: ['b'], start: 3, end: 3, docs: 0 },
      { line: 6, terms: ['a'], start: 6, end: 6, docs: 0 },
    ]);
    expect(r.suppressed).toBe(2);
  });

  it('the window includes its end: an event exactly `duration` after the first is suppressed', () => {
    expect(run(byHost(5), [at(0, host('a')), at(5, host('a'))]).alerts).toEqual([{ line: 0, terms: ['a'], start: 0, end: 5, docs: 1 }]);
  });

  it('without a duration, suppresses within one rule execution (interval)', () => {
    // Executions at 5m and 10m: 1m and 4m are one execution's, 6m the next one's.
    expect(run(byHost(), [at(1, host('a')), at(4, host('a')), at(6, host('a'))]).alerts).toEqual([
      { line: 1, terms: ['a'], start: 1, end: 4, docs: 1 },
      { line: 6, terms: ['a'], start: 6, end: 6, docs: 0 },
    ]);
  });

  it('missing_fields_strategy suppress: events without the field form one group with a null value', () => {
    expect(run(byHost(5), [at(0, {}), at(1, host(null)), at(2, host([]))]).alerts).toEqual([{ line: 0, terms: [null], start: 0, end: 2, docs: 2 }]);
  });

  it('missing_fields_strategy doNotSuppress: each event without the field alerts alone, unsuppressed, in time order', () => {
    const r = run(byHost(5, 'doNotSuppress'), [at(0, host('a')), at(1, {}), at(2, {}), at(3, host('a'))]);
    expect(r.alerts).toEqual([{ line: 0, terms: ['a'], start: 0, end: 3, docs: 1 }, { line: 1 }, { line: 2 }]);
  });

  it('a query rule puts an event with several values in one group per value (composite terms)', () => {
    const r = run(byHost(5), [at(0, host(['b', 'a'])), at(1, host('a'))]);
    expect(r.alerts).toEqual([
      { line: 0, terms: ['b'], start: 0, end: 0, docs: 0 },
      { line: 0, terms: ['a'], start: 0, end: 1, docs: 1 },
    ]);
  });

  it('EQL, new_terms and threshold rules take the sorted list of values as one group', () => {
    const r = run(byHost(5), [at(0, host(['b', 'a'])), at(1, host(['a', 'b'])), at(2, host('a'))], { values: 'sorted' });
    expect(r.alerts).toEqual([
      { line: 0, terms: [['a', 'b']], start: 0, end: 1, docs: 1 },
      { line: 2, terms: [['a']], start: 2, end: 2, docs: 0 },
    ]);
  });

  it('groups by up to three fields together, numbers and strings kept apart', () => {
    const spec: AlertSuppression = { groupBy: ['host.name', 'source.port'], durationMs: 5 * MIN, missingFields: 'suppress' };
    const r = run(spec, [at(0, { host: { name: 'a' }, source: { port: 22 } }), at(1, { host: { name: 'a' }, source: { port: '22' } }), at(2, { host: { name: 'a' }, source: { port: 22 } })]);
    expect(r.alerts.map((a) => ('terms' in a ? [a.terms, a.docs] : []))).toEqual([
      [['a', 22], 1],
      [['a', '22'], 0],
    ]);
  });

  it('groups integers beyond 2^53 by their exact digits (event/json.ts reads them as bigint)', () => {
    const big = (n: bigint) => ({ host: { name: 'a' }, process: { pid: n } });
    const spec: AlertSuppression = { groupBy: ['process.pid'], durationMs: 5 * MIN, missingFields: 'suppress' };
    const r = run(spec, [at(0, big(12345678901234567891n)), at(1, big(12345678901234567891n)), at(2, big(12345678901234567892n))]);
    expect(r.alerts.map((a) => ('terms' in a ? [a.terms, a.docs] : []))).toEqual([
      [[12345678901234567891n], 1],
      [[12345678901234567892n], 0],
    ]);
  });

  it('live, passes a group’s alert on at its first event and counts what it suppresses afterwards', () => {
    const r = run(byHost(5), [at(0, host('a')), at(1, host('a')), at(6, host('a'))], { live: true });
    expect(r.alerts).toEqual([
      { line: 0, terms: ['a'], start: 0, end: 0, docs: 0 },
      { line: 6, terms: ['a'], start: 6, end: 6, docs: 0 },
    ]);
    expect(r.suppressed).toBe(1);
  });

  it('at the cap of open groups, ends the one opened longest ago as it stands and counts it', () => {
    const r = run(byHost(60), [at(0, host('a')), at(1, host('b')), at(2, host('c')), at(3, host('a'))], { maxGroups: 2 });
    expect(r.alerts.map((a) => ('terms' in a ? [a.line, a.docs] : []))).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
      [3, 0],
    ]);
    expect(r.closedEarly).toBe(2);
  });
});
