import { describe, expect, it } from 'vitest';
import type { EcsEvent } from '../../event/types.js';
import { isUnsupported, parseRuleText } from '../../rules/load.js';
import type { Alert } from '../alert.js';
import { compileRule } from '../compileRule.js';
import { createScanner } from '../scanner.js';
import { SpillFile } from '../../state/spillFile.js';
import { prng } from '../../../test/support/randomEcs.js';
import { testRule } from '../../../test/support/testRules.js';

const MIN = 60_000;
const thresholdRule = (extra: string) => {
  const rule = parseRuleText(
    `[rule]\nname = "t"\nrule_id = "t"\ndescription = "t"\nrisk_score = 1\nseverity = "low"\ntype = "threshold"\nlanguage = "kuery"\nquery = "event.action: login"\nfrom = "now-10m"\n${extra}\n[rule.threshold]\nfield = ["user.name"]\nvalue = 2\n`,
    't.toml',
  );
  if (isUnsupported(rule)) throw new Error('a threshold rule is supported');
  return compileRule(rule);
};
const login = (minute: number, user: string): EcsEvent => ({ '@timestamp': new Date(minute * MIN).toISOString(), event: { action: 'login' }, user: { name: user } });

function scan(extra: string, events: EcsEvent[], options: { live?: boolean; maxSignals?: boolean } = {}) {
  const alerts: Alert[] = [];
  const scanner = createScanner([thresholdRule(extra)], (a) => alerts.push(a), { live: options.live ?? false, maxSignals: options.maxSignals });
  events.forEach((e, i) => scanner.event(e, { file: 'f', line: i + 1 }));
  scanner.finish();
  return { alerts, counts: scanner.counts.get('t') };
}

const queryRule = (extra: string) => {
  const rule = parseRuleText(
    `[rule]\nname = "q"\nrule_id = "q"\ndescription = "q"\nrisk_score = 1\nseverity = "low"\ntype = "query"\nlanguage = "kuery"\nquery = "event.action: login"\n${extra}\n`,
    'q.toml',
  );
  if (isUnsupported(rule)) throw new Error('a query rule is supported');
  return compileRule(rule);
};

describe('alert stages in the scanner', () => {
  it('over files, holds per interval only what an execution could create, the newest ones a later run reaches included', () => {
    // max_signals 2 every 5m over 6m: the run at 10:05 creates two of the 10:01 logins, the run at
    // 10:10 (from 10:04) the two at 10:04:30; the lines come newest first.
    const events = [login(4.5, 'x'), login(4.6, 'y'), ...Array.from({ length: 3000 }, (_, i) => login(1, `u${i}`))];
    const alerts: Alert[] = [];
    const scanner = createScanner([queryRule('max_signals = 2')], (a) => alerts.push(a), { live: false });
    events.forEach((e, i) => scanner.event(e, { file: 'f', line: i + 1 }));
    scanner.finish();
    expect(alerts.map((a) => a.location.line)).toEqual([3, 4, 1, 2]);
    expect(scanner.counts.get('q')?.leftOut).toBe(2998);
  });

  it('a query rule with doNotSuppress fills a full execution with groups first, then the alerts without the fields', () => {
    const events = [login(1, 'z'), { ...login(2, 'x'), user: {} }, login(3, 'a'), { ...login(4, 'x'), user: {} }];
    const alerts: Alert[] = [];
    const rule = queryRule('max_signals = 2\n[rule.alert_suppression]\ngroup_by = ["user.name"]\nmissing_fields_strategy = "doNotSuppress"');
    const scanner = createScanner([rule], (a) => alerts.push(a), { live: false });
    events.forEach((e, i) => scanner.event(e, { file: 'f', line: i + 1 }));
    scanner.finish();
    expect(alerts.map((a) => a.location.line)).toEqual([1, 3]);
    expect(scanner.counts.get('q')?.leftOut).toBe(2);
  });

  it('a threshold rule suppresses by its threshold fields when alert_suppression names no group_by', () => {
    // Two logins make an alert; user a reaches it three times within the 30 minutes.
    const events = [0, 1, 2, 3, 4, 5].map((m) => login(m, 'a'));
    const { alerts, counts } = scan('[rule.alert_suppression]\nduration = {value = 30, unit = "m"}', events);
    expect(alerts.map((a) => [a.location.line, a.suppression?.terms, a.suppression?.docsCount])).toEqual([[2, [{ field: 'user.name', value: ['a'] }], 2]]);
    expect(counts?.suppressed).toBe(2);
  });

  it('caps a threshold rule’s groups per execution in key order, and --no-max-signals (maxSignals: false) keeps them all', () => {
    const events = ['c', 'b', 'a'].flatMap((u) => [login(1, u), login(2, u)]);
    const capped = scan('max_signals = 2', events);
    expect(capped.alerts.map((a) => a.threshold?.fields['user.name'])).toEqual(['b', 'a']);
    expect(capped.counts?.leftOut).toBe(1);
    expect(scan('max_signals = 2', events, { maxSignals: false }).alerts).toHaveLength(3);
  });

  it('caps a busy interval in key order exactly as a sort of all its alerts would, lines in time order or shuffled, held in memory or spilled', () => {
    // One alert per login (a group per user, threshold 1): 1,100 and 40 alerts in two
    // executions of 5m, max_signals 5: each keeps the 5 smallest user names, in event time.
    const random = prng(3);
    const at = (ms: number) => new Date(ms).toISOString();
    const events = [...Array.from({ length: 1100 }, (_, i) => 60_000 + i * 50), ...Array.from({ length: 40 }, (_, i) => 6 * MIN + i * 50)].map(
      (ms): EcsEvent => ({ '@timestamp': at(ms), event: { action: 'login' }, user: { name: random().toString(36).slice(2, 8) } }),
    );
    const rule = testRule('k', 'threshold', 'event.action: login', 'max_signals = 5\ninterval = "5m"\nfrom = "now-5m"\n[rule.threshold]\nfield = ["user.name"]\nvalue = 1\n');
    const run = (lines: EcsEvent[], maxSignals: boolean, spillFile?: () => SpillFile) => {
      const alerts: Alert[] = [];
      const scanner = createScanner([rule], (a) => alerts.push(a), { live: false, maxSignals, spillFile });
      lines.forEach((e, i) => scanner.event(e, { file: 'f', line: i + 1 }, JSON.stringify(e)));
      scanner.finish();
      return { users: alerts.map((a) => String(a.threshold?.fields['user.name'])), leftOut: scanner.counts.get('k')?.leftOut ?? 0 };
    };
    const all = run(events, false).users;
    expect(all).toHaveLength(events.length);
    const firstInterval = all.slice(0, 1100);
    const secondInterval = all.slice(1100);
    const smallest = (users: string[]) => {
      const kept = new Set([...users].sort().slice(0, 5));
      return users.filter((u) => kept.has(u));
    };
    const expected = [...smallest(firstInterval), ...smallest(secondInterval)];
    const shuffled = [...events];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const small = () => new SpillFile(undefined, 256 << 10, 4096);
    for (const [lines, spillFile] of [
      [events, undefined],
      [shuffled, undefined],
      [shuffled, small],
    ] as const) {
      expect(run(lines, true, spillFile)).toEqual({ users: expected, leftOut: events.length - 10 });
    }
  });
});
