import { describe, expect, it } from 'vitest';
import { defaultNeedles } from '../../prefilter/needles.js';
import { compileKql } from '../compile.js';
import { parseKql } from '../parse.js';
import { kqlCategories, kqlNeed } from './index.js';

describe('nested queries (path:{ query }, SPEC §B.1)', () => {
  it('evaluates a nested query inside each object, so both conditions need the same object', () => {
    const event = { deltas: [{ action: 'ADD', role: 'a' }, { action: 'REMOVE', role: 'b' }] };
    const matches = (query: string) => compileKql(parseKql(query))(event);
    expect(matches('deltas:{ action:ADD and role:a }')).toBe(true);
    expect(matches('deltas:{ action:ADD and role:b }')).toBe(false);
    expect(matches('deltas:{ not action:ADD }')).toBe(true);
    expect(matches('missing:{ a:1 }')).toBe(false);
  });

  it('needs what its inner query needs, whatever the path', () => {
    expect(defaultNeedles(kqlNeed(parseKql('deltas:{ action:ADD and role:admin }')))).toEqual(['"admin"']);
  });

  it('gives no category: the inner event.category is a field of the nested object', () => {
    expect(kqlCategories(parseKql('deltas:{ event.category:file }'))).toBeUndefined();
  });
});
