import { describe, expect, it } from 'vitest';
import { parseKql } from '../kql/index.js';
import type { KqlNode } from '../kql/ast.js';
import { compileFieldReader } from '../event/fields.js';
import { kqlCategories } from './categories.js';
import { compileDispatch } from './dispatch.js';
import type { CompiledRule } from './compileRule.js';

describe('rule categories (SPEC §B.3)', () => {
  it('reads event.category from the top-level conjunction of a KQL query only', () => {
    expect(kqlCategories(parseKql('event.category:file and host.os.type:linux'))).toEqual(['file']);
    expect(kqlCategories(parseKql('host.os.type:linux and event.category:(file or process)'))).toEqual(['file', 'process']);
    expect(kqlCategories(parseKql('event.category:file or host.os.type:linux'))).toBeUndefined();
    expect(kqlCategories(parseKql('not event.category:file'))).toBeUndefined();
    expect(kqlCategories(parseKql('event.category:fi*'))).toBeUndefined();
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

describe('rule categories of huge queries (issue 7, defect 6)', () => {
  it('lists 200,000 KQL category values without a stack overflow', () => {
    // The tree of `event.category:(c0 or ... c199999) or event.category:z`, built without the parser.
    const is = (value: string): KqlNode => ({ type: 'is', field: { kind: 'name', name: 'event.category', quoted: false }, value: { kind: 'string', value, quoted: false } });
    const list: KqlNode = { type: 'or', children: Array.from({ length: 200_000 }, (_, i) => is(`c${i}`)) };
    expect(kqlCategories({ type: 'or', children: [list, is('z')] })).toHaveLength(200_001);
  });
});
