import { describe, expect, it } from 'vitest';
import type { FieldRef } from './ast.js';
import { compileRawReader } from './fieldPath.js';

const at = { offset: 0, line: 1, column: 1, length: 1 };
const field = (...path: Array<string | number>): FieldRef => ({ type: 'field', optional: false, path, text: path.join('.'), at });

describe('compileRawReader with [N] indexes', () => {
  it('reads the values after an index', () => {
    expect(compileRawReader(field('a', 1, 'b'))({ a: [{ b: 'x' }, { b: ['y', 'z'] }] })).toEqual(['y', 'z']);
    expect(compileRawReader(field('a', 0))({ a: ['x', 'y'] })).toEqual(['x']);
  });

  it('reads an event array of 300,000 values without a stack overflow (hostile events, issue 7)', () => {
    const values = Array.from({ length: 300_000 }, (_, i) => `v${i}`);
    expect(compileRawReader(field('a', 0, 'b'))({ a: [{ b: values }] })).toHaveLength(300_000);
  });
});
