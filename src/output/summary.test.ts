import { describe, expect, it } from 'vitest';
import { AlertsByHost, formatSummary, type ScanSummary } from './summary.js';

const base: ScanSummary = {
  files: 1, lines: 3, events: 3, skipped: 0, malformed: 0, blank: 0, warnings: 0, bytes: 300, inputErrors: 0, elapsedMs: 10,
  alertsByRule: [],
};

const rules = [
  { name: 'Seq', id: 'a', alerts: 2, untimed: 0, dropped: 1_500 },
  { name: 'Quiet', id: 'b', alerts: 0, untimed: 0, dropped: 0 },
  { name: 'Loud', id: 'c', alerts: 7, untimed: 0 },
  { name: 'Silent', id: 'd', alerts: 0, untimed: 0 },
  { name: 'Untimed', id: 'e', alerts: 0, untimed: 4 },
];

describe('formatSummary', () => {
  it('says how many pending sequences a rule dropped at its state cap, only when it dropped some', () => {
    const text = formatSummary({ ...base, alertsByRule: rules, rules: 'all' });
    expect(text).toContain('     2  Seq  (1,500 partial matches dropped at the state cap)\n');
    expect(text).toContain('     0  Quiet\n');
  });

  it('says threshold groups for a threshold rule that dropped some', () => {
    const text = formatSummary({
      ...base,
      alertsByRule: [
        { name: 'Sweep', id: 'a', alerts: 0, untimed: 0, dropped: 1, droppedWhat: 'threshold group' },
        { name: 'Flood', id: 'b', alerts: 3, untimed: 0, dropped: 2_000, droppedWhat: 'threshold group' },
      ],
    });
    expect(text).toContain('     0  Sweep  (1 threshold group dropped at the state cap)\n');
    expect(text).toContain('     3  Flood  (2,000 threshold groups dropped at the state cap)\n');
  });

  it('says how many alerts max_signals left out, and how many events suppression folded in, only when there are some', () => {
    const text = formatSummary({
      ...base,
      alertsByRule: [
        { name: 'Capped', id: 'a', alerts: 0, untimed: 0, leftOut: 1 },
        { name: 'Busy', id: 'b', alerts: 100, untimed: 0, leftOut: 1_234, suppressed: 1, closedEarly: 2 },
        { name: 'Calm', id: 'c', alerts: 3, untimed: 0, leftOut: 0, suppressed: 0 },
      ],
    });
    // A rule whose every alert was left out is listed too: that is news.
    expect(text).toContain('     0  Capped  (1 alert left out by max_signals; --no-max-signals keeps them)\n');
    expect(text).toContain(
      '   100  Busy  (1 more event suppressed into these alerts)  (2 suppression groups ended early at the state cap)  (1,234 alerts left out by max_signals; --no-max-signals keeps them)\n',
    );
    expect(text).toContain('     3  Calm\n');
  });

  it('lists the rules that alerted (or have something to report) and counts the silent ones', () => {
    const text = formatSummary({ ...base, alertsByRule: rules });
    expect(text).toContain('  9 alerts from 2 of 5 rules\n');
    expect(text).toContain('         2  Seq  (1,500 partial matches dropped at the state cap)\n');
    expect(text).toContain('         7  Loud\n');
    expect(text).toContain('         0  Untimed  (4 matching events without a usable timestamp skipped)\n');
    expect(text).not.toMatch(/Quiet|Silent/);
    expect(text).toContain('    2 rules without alerts (--summary all lists them)\n');
  });

  it('lists every rule in rule order with --summary all', () => {
    const text = formatSummary({ ...base, alertsByRule: rules, rules: 'all' });
    expect([...text.matchAll(/^ +\d+ {2}(\w+)/gm)].map((m) => m[1])).toEqual(['Seq', 'Quiet', 'Loud', 'Silent', 'Untimed']);
    expect(text).not.toMatch(/without alerts/);
  });

  it('counts alerts by host: host.name, else host.hostname, else "(no host)"; the top ten, then how many more', () => {
    const hosts = new AlertsByHost();
    for (let i = 0; i < 12; i++) for (let k = 0; k <= i; k++) hosts.add({ host: { name: `h${String(i).padStart(2, '0')}` } });
    hosts.add({ host: { hostname: 'only-hostname' } });
    hosts.add({});
    const text = formatSummary({ ...base, alertsByRule: [{ name: 'R', id: 'r', alerts: 80, untimed: 0 }], hosts });
    const section = text.slice(text.indexOf('  alerts by host:\n'));
    expect(section.split('\n').slice(1, 4)).toEqual(['        12  h11', '        11  h10', '        10  h09']);
    expect(section).toContain('         3  h02\n');
    expect(section).not.toMatch(/h01|h00|only-hostname|no host/);
    expect(section).toContain('    and 4 more hosts\n');

    const few = new AlertsByHost();
    few.add({ host: { hostname: 'only-hostname' } });
    few.add({ host: { name: '' } });
    const small = formatSummary({ ...base, alertsByRule: [{ name: 'R', id: 'r', alerts: 2, untimed: 0 }], hosts: few });
    expect(small).toContain('         1  only-hostname\n');
    expect(small).toContain('         1  (no host)\n');
  });

  it('lists under each host its three rules with most alerts, and how many more, when more than one rule alerted', () => {
    const hosts = new AlertsByHost();
    const rule = (i: number) => ({ id: `r${i}`, name: `Rule ${i}` });
    // db: rule 1 ×4, rule 2 ×3, rules 3 and 4 ×1 each (ties by name); web: rule 2 once.
    for (const [host, r, times] of [['db', 1, 4], ['db', 2, 3], ['db', 4, 1], ['db', 3, 1], ['web', 2, 1]] as const) {
      for (let k = 0; k < times; k++) hosts.add({ host: { name: host } }, rule(r));
    }
    const alertsByRule = [1, 2, 3, 4].map((i) => ({ name: `Rule ${i}`, id: `r${i}`, alerts: 1, untimed: 0 }));
    const text = formatSummary({ ...base, alertsByRule, hosts });
    expect(text.slice(text.indexOf('  alerts by host:\n'))).toBe(
      [
        '  alerts by host:',
        '         9  db',
        '             4  Rule 1',
        '             3  Rule 2',
        '             1  Rule 3',
        '                and 1 more rule',
        '         1  web',
        '             1  Rule 2',
        '',
      ].join('\n'),
    );
    expect(hosts.topRules('db', 1)).toEqual({ rules: [{ name: 'Rule 1', alerts: 4 }], moreRules: 3 });
    expect(hosts.topRules('nowhere', 3)).toEqual({ rules: [], moreRules: 0 });

    // With one rule alerting, its name under every host would say nothing new.
    const one = formatSummary({ ...base, alertsByRule: [{ name: 'Rule 1', id: 'r1', alerts: 9, untimed: 0 }, { name: 'Rule 2', id: 'r2', alerts: 0, untimed: 0 }], hosts });
    expect(one).not.toMatch(/^ {13}\d+ {2}Rule/m);
  });

  it('keeps a bounded number of distinct hosts and counts the alerts beyond them together', () => {
    const hosts = new AlertsByHost(3);
    for (let i = 0; i < 10; i++) hosts.add({ host: { name: `h${i}` } });
    hosts.add({ host: { name: 'h0' } });
    expect(hosts.top(10)).toEqual({
      hosts: [{ host: 'h0', alerts: 2 }, { host: 'h1', alerts: 1 }, { host: 'h2', alerts: 1 }],
      moreHosts: 0,
      uncountedAlerts: 7,
    });
  });

  it('escapes rule and host names from hostile files and events', () => {
    const hosts = new AlertsByHost();
    hosts.add({ host: { name: 'x\x1b]0;t\x07\x1b[2J' } }, { id: 'r', name: 'R\r\nforged' });
    hosts.add({ host: { name: 'x\x1b]0;t\x07\x1b[2J' } }, { id: 's', name: 'S' });
    const text = formatSummary({ ...base, alertsByRule: [{ name: 'R\r\nforged', id: 'r', alerts: 1, untimed: 0 }, { name: 'S', id: 's', alerts: 1, untimed: 0 }], hosts });
    expect(text).not.toMatch(/[\x1b\x07\r]/);
    expect(text).toContain('R\\r\\nforged');
    expect(text).toContain('             1  R\\r\\nforged\n');
    expect(text).toContain('x\\x1b]0;t\\x07\\x1b[2J');
  });

  it('says the scan was interrupted, and which input it cut short', () => {
    expect(formatSummary({ ...base, interrupted: { signal: 'SIGINT' } })).toContain('  interrupted by SIGINT: the counts above cover the input read before it\n');
    expect(formatSummary({ ...base, interrupted: { signal: 'SIGTERM', cutShort: { name: 'big.ndjson', lines: 12_000 } } })).toContain(
      '  interrupted by SIGTERM after line 12,000 of big.ndjson: the counts above leave that input out\n',
    );
  });
});
