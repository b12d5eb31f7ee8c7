import { describe, expect, it } from 'vitest';
import { defaultNeedles } from '../../prefilter/needles.js';
import { eqlNeed } from '../../prefilter/fromEql.js';
import { eqlCategories } from '../categories.js';
import { prefilterKeepsTable } from '../../../test/support/eqlOperators.js';
import { compileEql } from '../compile.js';
import { parseEql } from '../parse.js';

describe('`X where`: the event.category clause (SPEC §A.3)', () => {
  it('adds the event.category clause, or the eventCategoryField override', () => {
    const q = parseEql('process where true');
    const plain = compileEql(q);
    const override = compileEql(q, { eventCategoryField: 'event_type' });
    if (plain.kind !== 'event' || override.kind !== 'event') throw new Error('expected event queries');
    expect(plain.predicate({ event: { category: ['process'] } })).toBe(true);
    expect(plain.predicate({ event: { category: 'Process' } })).toBe(false);
    expect(plain.predicate({ event_type: 'process' })).toBe(false);
    expect(override.predicate({ event_type: 'process' })).toBe(true);
    expect(compileEql(parseEql('any where true')).kind).toBe('event');
  });

  it('holds only with the condition', () => {
    const c = compileEql(parseEql('process where a == 1'));
    if (c.kind !== 'event') throw new Error('expected an event query');
    expect(c.predicate({ event: { category: 'process' }, a: 1 })).toBe(true);
    expect(c.predicate({ event: { category: 'process' }, a: 2 })).toBe(false);
    expect(c.predicate({ a: 1 })).toBe(false);
  });
});

describe('needles of `X where`', () => {
  it('need the quoted category and the condition’s needles', () => {
    expect(eqlNeed(parseEql('process where process.name : "cmd.exe"'))).toEqual({ kind: 'lit', text: '"process"' });
    expect(eqlNeed(parseEql('process where a == "x"'))).toEqual({
      kind: 'and',
      of: [
        { kind: 'lit', text: '"process"' },
        { kind: 'lit', text: '"x"' },
      ],
    });
    expect(defaultNeedles(eqlNeed(parseEql('any where process.name : "cmd.exe"')))).toBeUndefined();
  });

  it('in a sequence or sample, need any of the queries, `until` included', () => {
    expect(eqlNeed(parseEql('sequence [process where true] [file where true] until [network where true]'))).toEqual({
      kind: 'or',
      of: [
        { kind: 'lit', text: '"process"' },
        { kind: 'lit', text: '"file"' },
        { kind: 'lit', text: '"network"' },
      ],
    });
    expect(defaultNeedles(eqlNeed(parseEql('sample [process where true] [any where true]')))).toBeUndefined();
  });
});

describe('rule categories (SPEC §A.3)', () => {
  it('reads `X where` of event queries, sequences and samples', () => {
    expect(eqlCategories(parseEql('process where true'), false)).toEqual(['process']);
    expect(eqlCategories(parseEql('sequence [process where true] [network where true] until [file where true]'), false)).toEqual([
      'process',
      'network',
      'file',
    ]);
    expect(eqlCategories(parseEql('sample [process where true] [process where a == 1]'), false)).toEqual(['process']);
    expect(eqlCategories(parseEql('sequence [process where true] [any where true]'), false)).toBeUndefined();
    expect(eqlCategories(parseEql('any where true'), false)).toBeUndefined();
  });

  it('gives none when the rule reads the category from another field (event_category_override)', () => {
    expect(eqlCategories(parseEql('process where true'), true)).toBeUndefined();
  });
});

prefilterKeepsTable('the prefilter keeps every line whose category the clause accepts', [
  ['`5` where true', '{"event":{"category":5}}'],
  ['`50` where true', '{"event":{"category":5e1}}'],
  ['`true` where true', '{"event":{"category":true}}'],
  ['process where true', '{"event.category":["x","process"]}'],
  ['process where true', '{"event":{"category":"proc\\u0065ss"}}'],
]);
