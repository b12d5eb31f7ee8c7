import { describe, expect, it } from 'vitest';
import { testRule } from '../../../test/support/testRules.js';
import { lazyAlert, type Alert } from '../alert.js';
import { deserializeAlert, serializeAlert } from './spill.js';

describe('an alert held as one line of a spill sort', () => {
  it('comes back as it went, whatever its file is called and whatever it carries', () => {
    const { rule } = testRule('r', 'eql', 'any where true');
    const event = { a: 1, n: 9007199254740993n, s: 'x\ty' };
    const files = ['a.ndjson', 'odd],"t":1,"r":0}\t.ndjson', '', 'b\\"c,d', 'a.ndjson'];
    const alerts: Alert[] = [];
    files.forEach((file, i) => {
      const base = { rule, location: { file, line: i + 1 } };
      alerts.push(lazyAlert({ ...base, timeMs: 1714557600000 + i, raw: '{"a":1}' }, () => ({ a: 1 })));
      alerts.push({ ...base, timeMs: undefined, event });
      alerts.push(lazyAlert({ ...base, timeMs: -5, raw: '{"a":2}', newTerms: { 'user.name': 'r' } }, () => ({ a: 2 })));
      alerts.push(lazyAlert({ ...base, timeMs: 0, raw: '{"a":3}', threshold: { fields: { x: 'r":0' }, count: 3 } }, () => ({ a: 3 })));
      alerts.push({ ...base, timeMs: 7, event, events: [{ event, location: { file, line: 9 } }] });
    });
    for (const alert of alerts) {
      const back = deserializeAlert(serializeAlert(alert), rule);
      const view = (a: Alert) => ({ t: a.timeMs, l: a.location, raw: a.raw, n: a.newTerms, h: a.threshold, s: a.suppression, e: a.events, event: a.event });
      expect(view(back)).toEqual(view(alert));
    }
  });
});
