import { describe, expect, it } from 'vitest';
import { compileGlob } from './wildcard.js';

describe('wildcard query patterns', () => {
  it('anchor the pattern: * any run (empty too), ? one code point, \\ escapes', () => {
    expect(compileGlob('a*c')('abbbc')).toBe(true);
    expect(compileGlob('a*c')('ac')).toBe(true);
    expect(compileGlob('a?c')('ac')).toBe(false);
    expect(compileGlob('a?c')('a😀c')).toBe(true);
    expect(compileGlob('a\\?c')('abc')).toBe(false);
    expect(compileGlob('a\\?c')('a?c')).toBe(true);
    expect(compileGlob('*')('')).toBe(true);
  });

  it('stay bounded on a hostile pattern and value', () => {
    const started = performance.now();
    expect(compileGlob(`${'*a'.repeat(200)}*b`)('a'.repeat(20_000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
