import { describe, expect, it } from 'vitest';
import { prng } from '../../test/support/randomEcs.js';
import { compileFieldReader, compileFieldTester, hasAnyValue, listFieldNames, MAX_NESTING } from './fields.js';
import type { EcsEvent } from './types.js';

/** A seeded whole number below `n`, the same every run. */
function random(seed: number): (n: number) => number {
  const next = prng(seed);
  return (n) => Math.floor(next() * n);
}

/** `value` inside `depth` arrays: `[[[value]]]`. */
function nestedArrays(value: unknown, depth: number): unknown {
  let v = value;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('compileFieldTester', () => {
  it('answers as the field reader does, for dotted keys, objects in arrays, nulls and null_value', () => {
    const rnd = random(3);
    const leaves: unknown[] = ['a', 'b', 1, true, null, [], ['a', null], [['b']], { x: 'a' }];
    const leaf = (): unknown => leaves[rnd(leaves.length)];
    // Events whose `process.parent.name` is spelt every way: nested, dotted, under arrays. At
    // segment `at`, a key may take in the segments up to any later one.
    const segments = ['process', 'parent', 'name'];
    const shape = (at: number): unknown => {
      if (at === segments.length || rnd(6) === 0) return leaf();
      const obj: Record<string, unknown> = {};
      for (let last = at; last < segments.length; last++) if (rnd(2) === 0) obj[segments.slice(at, last + 1).join('.')] = shape(last + 1);
      return rnd(4) === 0 ? [obj, shape(at)] : obj;
    };
    const tests: Array<[string, (v: unknown) => boolean]> = [
      ['is a', (v) => v === 'a'],
      ['is null', (v) => v === null],
      ['is the null value', (v) => v === 'N/A'],
      ['anything', () => true],
    ];
    for (let i = 0; i < 1500; i++) {
      const node = shape(0);
      const event: EcsEvent = node !== null && typeof node === 'object' && !Array.isArray(node) ? (node as EcsEvent) : { process: node };
      for (const nullValue of [undefined, 'N/A']) {
        const reader = compileFieldReader('process.parent.name', nullValue);
        const tester = compileFieldTester('process.parent.name', nullValue);
        for (const [what, test] of tests) {
          expect([JSON.stringify(event), nullValue, what, tester(event, test)]).toEqual([JSON.stringify(event), nullValue, what, reader(event).some(test)]);
        }
      }
    }
  });

  it('reads a one-segment field, its null_value, and stops at arrays nested deeper than MAX_NESTING', () => {
    const tester = compileFieldTester('tag', 'none');
    expect(tester({ tag: null }, (v) => v === 'none')).toBe(true);
    expect(tester({ tag: [null, 'x'] }, (v) => v === 'x')).toBe(true);
    expect(tester({}, () => true)).toBe(false);
    expect(tester({ tag: nestedArrays('x', MAX_NESTING) }, (v) => v === 'x')).toBe(true);
    expect(tester({ tag: nestedArrays('x', MAX_NESTING + 3) }, (v) => v === 'x')).toBe(false);
    const deep = compileFieldTester('a.b');
    expect(deep({ a: nestedArrays({ b: 'x' }, MAX_NESTING) }, (v) => v === 'x')).toBe(true);
    expect(deep({ a: nestedArrays({ b: 'x' }, MAX_NESTING + 3) }, (v) => v === 'x')).toBe(false);
  });
});

describe('hasAnyValue', () => {
  it('finds a value in an object field or an array, never in nulls or empty shapes, and stops past MAX_NESTING', () => {
    expect(hasAnyValue([{ a: { b: null }, c: [] }])).toBe(false);
    expect(hasAnyValue([{ a: { b: null }, c: [null, 0] }])).toBe(true);
    expect(hasAnyValue([null, undefined, [[]]])).toBe(false);
    expect(hasAnyValue([false])).toBe(true);
    expect(hasAnyValue([nestedArrays('x', MAX_NESTING)])).toBe(true);
    expect(hasAnyValue([nestedArrays('x', MAX_NESTING + 2)])).toBe(false);
  });
});

describe('listFieldNames', () => {
  it('lists leaf names with dots, arrays adding no segment, and stops past MAX_NESTING', () => {
    // A null is no value: `f` has none.
    expect(listFieldNames({ a: { b: 1, 'c.d': [{ e: 2 }, 3] }, f: null }).sort()).toEqual(['a.b', 'a.c.d', 'a.c.d.e']);
    const deep = listFieldNames({ a: nestedArrays({ b: 1 }, MAX_NESTING + 2), c: 1 });
    expect(deep).toEqual(['c']);
  });
});
