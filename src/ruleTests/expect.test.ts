import { describe, expect, it } from 'vitest';
import { compareAlerts, fitsAlert, type GotAlert } from './expect.js';
import type { ExpectedAlert } from './testFile.js';

const at = (line: number): GotAlert['event'] => ({ kind: 'file', file: 'e.ndjson', line });
const got = (line: number, exe?: string): GotAlert => ({ event: at(line), ...(exe === undefined ? {} : { newTerms: { 'process.executable': JSON.stringify(exe) } }) });
const want = (w: Omit<ExpectedAlert, 'line'>): ExpectedAlert => ({ line: undefined, ...w });

describe('expected alerts against raised ones', () => {
  it('pairs them whatever the order', () => {
    const diff = compareAlerts({ alerts: [want({ event: at(3) }), want({ event: at(1) })] }, [got(1), got(3)]);
    expect(diff).toEqual({ missing: [], unexpected: [] });
  });

  it('names the expected alert not raised and the raised alert not expected', () => {
    const diff = compareAlerts({ alerts: [want({ event: at(2) })] }, [got(1)]);
    expect(diff.missing).toEqual([want({ event: at(2) })]);
    expect(diff.unexpected).toEqual([got(1)]);
  });

  it('finds a pairing where taking the first fit would strand a stricter expectation', () => {
    // "any alert" fits both; first-fit would give it line 1, leaving "line 1" nothing.
    const diff = compareAlerts({ alerts: [want({}), want({ event: at(1) })] }, [got(1), got(2)]);
    expect(diff).toEqual({ missing: [], unexpected: [] });
  });

  it('uses each raised alert once', () => {
    const diff = compareAlerts({ alerts: [want({ event: at(1) }), want({ event: at(1) })] }, [got(1)]);
    expect(diff.missing).toHaveLength(1);
  });

  it('compares new_terms values as JSON, so 5 and "5" differ', () => {
    const numeric: GotAlert = { event: at(1), newTerms: { 'user.id': '5' } };
    expect(fitsAlert(want({ newTerms: { 'user.id': '"5"' } }), numeric)).toBe(false);
    expect(fitsAlert(want({ newTerms: { 'user.id': '5' } }), numeric)).toBe(true);
    // Every term field must be named: a partial term is another term.
    expect(fitsAlert(want({ newTerms: {} }), numeric)).toBe(false);
  });

  it('compares a threshold group by what the test names of it', () => {
    const g: GotAlert = { event: at(4), threshold: { fields: { 'host.name': '"web-1"' }, count: 5, cardinality: 2 } };
    expect(fitsAlert(want({ threshold: { count: 5 } }), g)).toBe(true);
    expect(fitsAlert(want({ threshold: { fields: { 'host.name': '"web-1"' }, count: 5, cardinality: 2 } }), g)).toBe(true);
    expect(fitsAlert(want({ threshold: { count: 4 } }), g)).toBe(false);
    expect(fitsAlert(want({ threshold: { fields: { 'host.name': '"web-2"' } } }), g)).toBe(false);
    expect(fitsAlert(want({ threshold: {} }), got(4))).toBe(false);
  });

  it('compares a sequence by its events in order', () => {
    const seq: GotAlert = { event: at(3), events: [at(1), at(3)] };
    expect(fitsAlert(want({ events: [at(1), at(3)] }), seq)).toBe(true);
    expect(fitsAlert(want({ events: [at(3), at(1)] }), seq)).toBe(false);
    expect(fitsAlert(want({ events: [at(1)] }), seq)).toBe(false);
  });

  it('has no diff for a case that expects only a count', () => {
    expect(compareAlerts({ count: 0 }, [got(1)])).toEqual({ missing: [], unexpected: [] });
  });
});
