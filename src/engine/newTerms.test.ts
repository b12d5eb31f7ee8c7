import { describe, expect, it } from 'vitest';
import { compileTermsOf, NewTermsState } from './newTerms.js';

const DAY = 86_400_000;

describe('new_terms terms (SPEC §D)', () => {
  it('gives every combination of array values', () => {
    const termsOf = compileTermsOf(['host.name', 'user.name']);
    expect(termsOf({ host: { name: ['a', 'b'] }, user: { name: 'u' } })).toEqual([
      ['a', 'u'],
      ['b', 'u'],
    ]);
  });

  it('gives no term when any field is missing or null', () => {
    const termsOf = compileTermsOf(['host.name', 'user.name']);
    expect(termsOf({ host: { name: 'a' } })).toEqual([]);
    expect(termsOf({ host: { name: 'a' }, user: { name: null } })).toEqual([]);
  });

  it('reads dotted keys like nested objects (SPEC §C)', () => {
    expect(compileTermsOf(['process.executable'])({ 'process.executable': '/bin/x' })).toEqual([['/bin/x']]);
  });
});

describe('NewTermsState (SPEC §D)', () => {
  it('alerts on a never-seen term and not on a repeat within the window', () => {
    const s = new NewTermsState(5 * DAY);
    expect(s.observe([['/bin/kmod']], 0)).toEqual([['/bin/kmod']]);
    expect(s.observe([['/bin/kmod']], 5 * DAY)).toEqual([]);
  });

  it('alerts again when the term was last seen more than the window before', () => {
    const s = new NewTermsState(5 * DAY);
    s.observe([['x']], 0);
    expect(s.observe([['x']], 5 * DAY + 1)).toEqual([['x']]);
  });

  it('lets every sighting extend the history', () => {
    const s = new NewTermsState(5 * DAY);
    s.observe([['x']], 0);
    s.observe([['x']], 4 * DAY);
    expect(s.observe([['x']], 8 * DAY)).toEqual([]);
  });
});
