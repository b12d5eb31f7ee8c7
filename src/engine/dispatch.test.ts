import { describe, expect, it } from 'vitest';
import { compileFieldReader } from '../event/fields.js';
import { compileDispatch } from './dispatch.js';
import type { CompiledRule } from './compileRule.js';

// The categories a rule implies are tested beside their clause: src/eql/operators/eventFilter.test.ts
// (EQL `X where`) and src/kql/nodes/ (KQL).
describe('compileDispatch', () => {
  const rule = (categories?: string[], index: string[] = []) => ({ categories, rule: { index } }) as unknown as CompiledRule;

  it('runs, in rule order, the rules without a category and those of the event’s categories', () => {
    const dispatch = compileDispatch([rule(['file']), rule(), rule(['process', 'file']), rule(['network'])]);
    expect(dispatch({ event: { category: ['file'] } })).toEqual([0, 1, 2]);
    expect(dispatch({ event: { category: ['network', 'process'] } })).toEqual([1, 2, 3]);
    expect(dispatch({ 'event.category': 'network' })).toEqual([1, 3]);
    expect(dispatch({})).toEqual([1]);
    expect(dispatch({ event: { category: 'File' } })).toEqual([1]);
  });
});

describe('shared field readers', () => {
  it('read each new event afresh, even one equal to the last', () => {
    const read = compileFieldReader('process.name');
    expect(compileFieldReader('process.name')).toBe(read);
    const a = { process: { name: 'a' } };
    expect(read(a)).toEqual(['a']);
    expect(read({ process: { name: 'b' } })).toEqual(['b']);
    expect(read(a)).toEqual(['a']);
  });
});
