import { describe, expect, it } from 'vitest';
import { parseEql } from '../eql/index.js';
import { compileFieldReader } from '../event/fields.js';
import { eqlCategories } from './categories.js';
import { compileDispatch } from './dispatch.js';
import type { CompiledRule } from './compileRule.js';

describe('rule categories (SPEC §A.3, §B.3)', () => {
  it('reads `X where` of event queries, sequences and samples', () => {
    expect(eqlCategories(parseEql('process where true'), false)).toEqual(['process']);
    expect(eqlCategories(parseEql('sequence [process where true] [network where true] until [file where true]'), false)).toEqual([
      'process',
      'network',
      'file',
    ]);
    expect(eqlCategories(parseEql('sequence [process where true] [any where true]'), false)).toBeUndefined();
    expect(eqlCategories(parseEql('any where true'), false)).toBeUndefined();
  });

  it('gives none when the rule reads the category from another field (event_category_override)', () => {
    expect(eqlCategories(parseEql('process where true'), true)).toBeUndefined();
  });

});

describe('compileDispatch', () => {
  const rule = (categories?: string[]) => ({ categories }) as unknown as CompiledRule;

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
