import { describe, expect, it } from 'vitest';
import type { EcsEvent } from '../../event/types.js';
import { ANY } from '../../prefilter/needles.js';
import { compileKql } from '../compile.js';
import { parseKql } from '../parse.js';
import { kqlCategories, kqlNeed } from './index.js';

const matches = (query: string, event: EcsEvent): boolean => compileKql(parseKql(query))(event);

describe('field:* (exists, SPEC §B.1)', () => {
  it('treats null, [] and [null] as missing, and "" as a value', () => {
    for (const value of [null, [], [null]]) expect(matches('f:*', { f: value })).toBe(false);
    expect(matches('f:*', { f: '' })).toBe(true);
  });

  it('holds for an object with a value inside', () => {
    expect(matches('process:*', { process: { name: 'x' } })).toBe(true);
  });

  it('expands a wildcard field name against the event’s own fields', () => {
    const event = { file: { hash: { sha256: 'abc' } }, 'file.hash.md5': 'def' };
    expect(matches('file.hash.*:*', event)).toBe(true);
    expect(matches('file.pe.*:*', event)).toBe(false);
  });

  it('reads only the event’s own keys', () => {
    expect(matches('__proto__:*', JSON.parse('{"__proto__": {"x": 1}}'))).toBe(true);
    expect(matches('constructor:*', {})).toBe(false);
  });

  it('promises no bytes and no category: any value will do', () => {
    expect(kqlNeed(parseKql('event.category:*'))).toEqual(ANY);
    expect(kqlCategories(parseKql('event.category:*'))).toBeUndefined();
  });
});
