import { describe, expect, it } from 'vitest';
import { ANY } from '../../prefilter/needles.js';
import { compileKql } from '../compile.js';
import { parseKql } from '../parse.js';
import { kqlCategories, kqlNeed } from './index.js';

describe('free text (a value with no field, SPEC §B.1)', () => {
  it('matches free text against any field at any depth', () => {
    const event = { a: { b: ['x', 'hello world'] }, n: 1 };
    const matches = (query: string) => compileKql(parseKql(query))(event);
    expect(matches('"hello world"')).toBe(true);
    expect(matches('hello*')).toBe(true);
    expect(matches('1')).toBe(true);
    expect(matches('Hello*')).toBe(false);
  });

  it('promises no bytes and no category', () => {
    expect(kqlNeed(parseKql('"hello world"'))).toEqual(ANY);
    expect(kqlCategories(parseKql('file'))).toBeUndefined();
  });
});
