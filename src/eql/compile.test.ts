import { describe, expect, it } from 'vitest';
import { rejectionTable, typedRejectionTable } from '../../test/support/eqlOperators.js';
import { compileEql, readJoinKey } from './compile.js';
import { parseEql } from './parse.js';
import { FieldTypeTable, loadMapping } from '../fieldTypes/index.js';

// Rejections of one operator are tested beside it, in operators/<operator>.test.ts.
rejectionTable('compile-time rejections of pipes, sequences and samples (QuerySyntaxError with position)', [
    ['process where true | unique a', /only '\| head N' and '\| tail N'/, 20],
    ['process where true | head x', /one non-negative integer/, 20],
    ['sequence by a [x where true] by b [y where true]', /same number of join keys/, 35],
    ['sequence [x where true] ![y where true] [z where true]', /needs the sequence to have "with maxspan/, 25],
    ['sequence [x where true]', /at least two/, 1],
    ['join [x where true] [y where true]', /not supported by Elasticsearch EQL/, 1],
]);

describe('compileEql shapes', () => {
  it('compiles pipes', () => {
    expect(compileEql(parseEql('process where true | head 3 | tail 1')).pipes).toEqual([
      { kind: 'head', count: 3 },
      { kind: 'tail', count: 1 },
    ]);
  });

  it('compiles a sequence to per-step predicates, join keys, runs, missing flags and until (SPEC §A.9)', () => {
    const c = compileEql(
      parseEql(
        'sequence by host.id with maxspan=2h [process where process.name == "a"] by ?user.id with runs=3 ![file where true] by user.id until [process where process.name == "stop"] by user.id',
      ),
    );
    if (c.kind !== 'sequence') throw new Error('expected a sequence');
    expect(c.maxspanMs).toBe(7_200_000);
    expect(c.keyCount).toBe(2);
    expect(c.steps.map((s) => [s.runs, s.missing, s.keys.map((k) => `${k.text}${k.optional ? '?' : ''}`)])).toEqual([
      [3, false, ['host.id', '?user.id?']],
      [1, true, ['host.id', 'user.id']],
    ]);
    const event = { event: { category: 'process' }, process: { name: 'a' }, host: { id: ['h1', 'h2'] } };
    expect(c.steps[0]!.predicate(event)).toBe(true);
    expect(c.steps[1]!.predicate(event)).toBe(false);
    expect(c.until!.predicate({ event: { category: 'process' }, process: { name: 'stop' } })).toBe(true);
    expect(readJoinKey(c.steps[0]!.keys, event)).toEqual(['h1', null]); // ?user.id may be missing
    expect(readJoinKey(c.steps[1]!.keys, event)).toBeNull(); // user.id is required
  });

  it('compiles a sample to per-step predicates and keys (SPEC §A.9)', () => {
    const c = compileEql(parseEql('sample by host.id [process where true] [network where true]'));
    if (c.kind !== 'sample') throw new Error('expected a sample');
    expect(c.keyCount).toBe(1);
    expect(c.steps).toHaveLength(2);
    expect(c.steps[1]!.predicate({ event: { category: ['network'] } })).toBe(true);
  });
});

describe('hostile input', () => {
  it('a string literal that looks like code is only data', () => {
    const payload = '"); globalThis.pwned = true; ("';
    const query = `process where a == ${JSON.stringify(payload)}`;
    const c = compileEql(parseEql(query));
    if (c.kind !== 'event') throw new Error('expected an event query');
    expect(c.predicate({ event: { category: 'process' }, a: payload })).toBe(true);
    expect((globalThis as Record<string, unknown>)['pwned']).toBeUndefined();
  });

});

describe('compileEql and field types (README "### EQL and field types")', () => {
  it('without fieldTypes uses ECS: @timestamp is a date, source.ip an ip', () => {
    const byDate = compileEql(parseEql('any where @timestamp == "2024-05-01"'));
    const byIp = compileEql(parseEql('any where source.ip == "10.0.0.0/8"'));
    if (byDate.kind !== 'event' || byIp.kind !== 'event') throw new Error('expected event queries');
    expect(byDate.predicate({ '@timestamp': 1714557600000 })).toBe(true);
    expect(byIp.predicate({ source: { ip: '10.1.2.3' } })).toBe(true);
  });

  it('refuses `:` on ECS message, a match_only_text without keyword multi-field, as Elasticsearch does', () => {
    expect(() => compileEql(parseEql('any where message : "*segfault*"'))).toThrow(
      /\[:\] cannot operate on first argument field of data type \[text\]: No keyword\/multi-field defined exact matches for \[message\]/,
    );
  });

  it('joins by a date field on its instant, read with the mapping\'s format (epoch millis, as Elasticsearch returns the key)', () => {
    const fieldTypes = FieldTypeTable.withMapping(loadMapping({ properties: { day: { type: 'date', format: 'dd-MM-yyyy||yyyy-MM-dd' } } }));
    const c = compileEql(parseEql('sample by day [a where true] [b where true]'), { fieldTypes });
    if (c.kind !== 'sample') throw new Error('expected a sample');
    const keys = c.steps[0]!.keys;
    expect(readJoinKey(keys, { day: '17-12-2022' })).toEqual([1671235200000]);
    expect(readJoinKey(keys, { day: '2022-12-17' })).toEqual([1671235200000]);
    expect(readJoinKey(keys, { day: 'not a date' })).toBeNull();
  });
});

const KEY_TYPES = { n: { type: 'long' }, m: { type: 'integer' }, k: { type: 'keyword' }, t: { type: 'text' }, d: { type: 'date' } };

typedRejectionTable('join keys of incompatible types are refused (eql Verifier.checkJoinKeyTypes)', KEY_TYPES, [
  ['sequence [a where true] by n [b where true] by k', /^Sequence key \[k\] type \[keyword\] is incompatible with key \[n\] type \[long\]$/, 48],
  ['sequence [a where true] by n [b where true] by n until [c where true] by d', /^Sequence key \[d\] type \[date\] is incompatible with key \[n\] type \[long\]/, 74],
  ['sample [a where true] by d [b where true] by k', /^Sample key \[k\] type \[keyword\] is incompatible with key \[d\] type \[date\]/, 46],
]);

describe('join keys of compatible types', () => {
  it('joins a long with an integer, a keyword with a text, and a field the table does not know with anything', () => {
    const fieldTypes = FieldTypeTable.withMapping(loadMapping({ properties: KEY_TYPES }));
    for (const query of ['sequence [a where true] by n [b where true] by m', 'sequence [a where true] by k [b where true] by t', 'sample [a where true] by n [b where true] by unknown']) {
      expect(() => compileEql(parseEql(query), { fieldTypes })).not.toThrow();
    }
  });
});
