import { describe, expect, it } from 'vitest';
import { colorEnabled } from './color.js';

describe('colorEnabled', () => {
  it('follows the terminal by default', () => {
    expect(colorEnabled(undefined, {}, true)).toBe(true);
    expect(colorEnabled(undefined, {}, false)).toBe(false);
  });
  it('honours NO_COLOR over FORCE_COLOR and a terminal', () => {
    expect(colorEnabled(undefined, { NO_COLOR: '1', FORCE_COLOR: '1' }, true)).toBe(false);
    expect(colorEnabled(undefined, { NO_COLOR: '' }, true)).toBe(true);
  });
  it('honours FORCE_COLOR when stdout is not a terminal', () => {
    expect(colorEnabled(undefined, { FORCE_COLOR: '1' }, false)).toBe(true);
    expect(colorEnabled(undefined, { FORCE_COLOR: '0' }, true)).toBe(false);
  });
  it('lets --color / --no-color win over the environment', () => {
    expect(colorEnabled(true, { NO_COLOR: '1' }, false)).toBe(true);
    expect(colorEnabled(false, { FORCE_COLOR: '1' }, true)).toBe(false);
  });
});
