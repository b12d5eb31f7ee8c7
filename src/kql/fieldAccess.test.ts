import { describe, expect, it } from 'vitest';
import { compileFieldClause } from './fieldAccess.js';

const isX = (value: unknown): boolean => value === 'x';

describe('compileFieldClause (SPEC §C)', () => {
  it('reads nested objects, dotted keys and mixed forms alike', () => {
    const clause = compileFieldClause({ kind: 'name', name: 'process.parent.name', quoted: false }, isX);
    expect(clause({ process: { parent: { name: 'x' } } })).toBe(true);
    expect(clause({ 'process.parent.name': 'x' })).toBe(true);
    expect(clause({ process: { 'parent.name': 'x' } })).toBe(true);
    expect(clause({ 'process.parent': { name: 'x' } })).toBe(true);
    expect(clause({ process: { parent: { name: 'y' } }, 'process.parent.name': 'x' })).toBe(true);
    expect(clause({ process: { parent: { name: 'y' } } })).toBe(false);
  });

  it('flattens arrays of objects and arrays of values', () => {
    const clause = compileFieldClause({ kind: 'name', name: 'process.name', quoted: false }, isX);
    expect(clause({ process: [{ name: 'a' }, { name: ['b', 'x'] }] })).toBe(true);
    expect(clause({ process: [{ name: 'a' }, { name: null }] })).toBe(false);
  });

  it('expands a field pattern with an escaped literal star only against names with that star', () => {
    const clause = compileFieldClause({ kind: 'pattern', parts: ['a*b.', ''] }, isX);
    expect(clause({ 'a*b': { c: 'x' } })).toBe(true);
    expect(clause({ aXb: { c: 'x' } })).toBe(false);
  });
});
