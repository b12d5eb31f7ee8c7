import { describe, expect, it } from 'vitest';
import { lazyAlert } from './alert.js';
import { compileRule } from './compileRule.js';
import { loadRulePack } from '../rules/pack.js';

describe('lazyAlert', () => {
  it('parses the event only when asked, and once', () => {
    const { rule } = compileRule(loadRulePack({ bundled: true, paths: [] }).rules[0]!);
    let parses = 0;
    const alert = lazyAlert({ rule, timeMs: 5, location: { file: 'f', line: 1 }, raw: '{"a":1}' }, () => {
      parses++;
      return { a: 1 };
    });
    expect(parses).toBe(0);
    expect(alert.raw).toBe('{"a":1}');
    expect(alert.event).toEqual({ a: 1 });
    expect(alert.event).toBe(alert.event);
    expect(parses).toBe(1);
  });
});
