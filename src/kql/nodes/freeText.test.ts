import { describe, expect, it } from 'vitest';
import type { EcsEvent } from '../../event/types.js';
import { ANY } from '../../prefilter/needles.js';
import { compileKql } from '../compile.js';
import { parseKql } from '../parse.js';
import { kqlCategories, kqlNeed } from './index.js';

describe('free text by field type (a lenient multi_match over every field)', () => {
  const matches = (query: string, event: EcsEvent) => compileKql(parseKql(query))(event);
  it('matches an analysed field by its words and a multi-field through its parent', () => {
    expect(matches('segfault', { message: 'sshd[1]: SEGFAULT at 0' })).toBe(true);
    expect(matches('"general protection"', { message: 'x: General Protection fault' })).toBe(true);
    // process.command_line is a wildcard field; its .text multi-field is analysed.
    expect(matches('segfault', { process: { command_line: 'x SEGFAULT y' } })).toBe(true);
    // An unmapped field is a keyword for a string: the whole value, case kept.
    expect(matches('segfault', { custom: 'SEGFAULT' })).toBe(false);
  });
  it('skips, rather than fails on, fields whose type cannot read the value', () => {
    expect(matches('hello', { process: { pid: 5 }, source: { ip: '10.0.0.1' }, '@timestamp': '2024-05-01T00:00:00Z' })).toBe(false);
    expect(matches('5', { process: { pid: 5 } })).toBe(true);
  });
});

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
