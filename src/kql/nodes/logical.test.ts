import { describe, expect, it } from 'vitest';
import type { EcsEvent } from '../../event/types.js';
import { ANY, defaultNeedles } from '../../prefilter/needles.js';
import type { KqlNode } from '../ast.js';
import { compileKql } from '../compile.js';
import { parseKql } from '../parse.js';
import { kqlRequirements, kqlCategories, kqlNeed } from './index.js';

const matches = (query: string, event: EcsEvent): boolean => compileKql(parseKql(query))(event);
const needles = (query: string): string[] | undefined => defaultNeedles(kqlNeed(parseKql(query)));

describe('and, or, not and the empty query (SPEC §B.3)', () => {
  it('merges a value list on one field without changing what it means', () => {
    const q = 'f:(a or b* or 3 or true or 10.0.0.0/8) or g:x';
    expect(matches(q, { f: 'a' })).toBe(true);
    expect(matches(q, { f: 'bee' })).toBe(true);
    expect(matches(q, { f: 3 })).toBe(true);
    expect(matches(q, { f: true })).toBe(true);
    expect(matches(q, { f: '10.9.9.9' })).toBe(true);
    expect(matches(q, { g: 'x' })).toBe(true);
    expect(matches(q, { f: 'c', g: 'y' })).toBe(false);
  });

  it('matches everything for the empty query and *:*', () => {
    expect(matches('', {})).toBe(true);
    expect(matches('*:*', {})).toBe(true);
  });

  it('throws a syntax error, not a stack overflow, for a query too deep to compile', () => {
    let node: KqlNode = { type: 'matchAll' };
    for (let i = 0; i < 200_000; i++) node = { type: 'not', child: node };
    expect(() => compileKql(node)).toThrow(/nested too deeply to compile/);
  });
});

describe('and, or, not: needles (prefilter)', () => {
  it('needs every conjunct and one of the alternatives', () => {
    expect(needles('a:x and b:y')).toHaveLength(1);
    expect(needles('a:x or b:y')).toEqual(['"x"', '"y"']);
  });

  it('gives no needle under not, or for the empty query', () => {
    expect(needles('not process.name:a')).toBeUndefined();
    expect(kqlNeed(parseKql(''))).toEqual(ANY);
  });
});

describe('and, or, not: categories (dispatch)', () => {
  it('reads event.category from the top-level conjunction of a KQL query only', () => {
    expect(kqlCategories(parseKql('event.category:file and host.os.type:linux'))).toEqual(['file']);
    expect(kqlCategories(parseKql('host.os.type:linux and event.category:(file or process)'))).toEqual(['file', 'process']);
    expect(kqlCategories(parseKql('event.category:file or host.os.type:linux'))).toBeUndefined();
    expect(kqlCategories(parseKql('not event.category:file'))).toBeUndefined();
    expect(kqlCategories(parseKql(''))).toBeUndefined();
  });

  it('lists 200,000 KQL category values without a stack overflow (issue 7, defect 6)', () => {
    // The tree of `event.category:(c0 or ... c199999) or event.category:z`, built without the parser.
    const is = (value: string): KqlNode => ({ type: 'is', field: { kind: 'name', name: 'event.category', quoted: false }, value: { kind: 'string', value, quoted: false } });
    const list: KqlNode = { type: 'or', children: Array.from({ length: 200_000 }, (_, i) => is(`c${i}`)) };
    expect(kqlCategories({ type: 'or', children: [list, is('z')] })).toHaveLength(200_001);
  });
});

describe('and, or, not: requirements (the rule index)', () => {
  const req = (query: string) => Object.fromEntries(kqlRequirements(parseKql(query)));

  it('keeps every conjunct\'s requirement, and the first where two constrain one field', () => {
    expect(req('event.category:file and host.os.type:linux and process.name:(cp or mv)')).toEqual({
      'event.category': ['file'],
      'host.os.type': ['linux'],
      'process.name': ['cp', 'mv'],
    });
    // An event may have both categories, one for each conjunct: intersecting would require neither.
    expect(req('event.category:process and event.category:network')).toEqual({ 'event.category': ['process'] });
  });

  it('keeps, of a disjunction, only the fields every branch requires, with all their values', () => {
    expect(req('(process.name:a and host.os.type:linux) or (process.name:b and event.type:start)')).toEqual({ 'process.name': ['a', 'b'] });
    expect(req('process.name:a or host.os.type:linux')).toEqual({});
  });

  it('requires nothing under not (a missing field matches it)', () => {
    expect(req('not process.name:a')).toEqual({});
    expect(req('host.os.type:linux and not process.name:a')).toEqual({ 'host.os.type': ['linux'] });
  });
});
