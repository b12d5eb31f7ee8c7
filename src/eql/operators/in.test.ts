import { describe, expect, it } from 'vitest';
import { holds, mappingTable, needleTable, needOf, prefilterKeepsTable, rejectionTable, table, typedNeedleTable, typedRejectionTable, typedTable } from '../../../test/support/eqlOperators.js';
import { compileEqlCondition, parseEql } from '../index.js';
import { parseJson } from '../../event/json.js';
import type { EcsEvent } from '../../event/types.js';

table('`in` / `in~` / `not in` (SPEC §A.4, row 39)', [
  ['a in ("x", "y")', { a: 'y' }, true],
  ['a in ("x", "y")', { a: 'Y' }, false],
  ['a in~ ("x", "y")', { a: 'Y' }, true],
  ['a in ("x*")', { a: 'xy' }, false],
  ['a in (1, 2)', { a: 2 }, true],
  ['a in (1, 2)', { a: '2' }, true],
  ['a in ("1")', { a: 1 }, true],
  ['a not in ("x")', {}, true],
  ['a not in ("x")', { a: ['x', 'z'] }, false],
]);

// Elasticsearch drops nulls from the terms query (ql ExpressionTranslators.InComparisons); a list
// of nulls only folds to null (ql In.fold), which never matches, negated or not.
table('`null` in an `in` list', [
  ['a in ("x", null)', {}, false],
  ['a in ("x", null)', { a: 'x' }, true],
  ['a in ("x", null)', { a: null }, false],
  ['a not in ("x", null)', {}, true],
  ['a not in ("x", null)', { a: 'y' }, true],
  ['a not in ("x", null)', { a: 'x' }, false],
  ['a in (null)', {}, false],
  ['a in (null)', { a: 'x' }, false],
  ['a not in (null)', {}, false],
  ['a not in (null)', { a: 'x' }, false],
  ['a in (null, null)', {}, false],
  ['a in (null) or b == 1', { b: 1 }, true],
  ['length(a) in (1, null)', { a: 'x' }, true],
  ['length(a) in (2, null)', { a: 'x' }, false],
  ['length(a) not in (2, null)', { a: 'x' }, false], // InProcessor: no match and a null is null
]);

table('on computed values `in` runs as a script (SPEC §A.2)', [
  ['length(a) in (1, 2)', { a: 'ab' }, true],
  ['length(a) not in (1, 2)', { a: 'ab' }, false],
  ['length(a) in (1, 2)', {}, false],
  ['string(a) in~ ("X")', { a: 'x' }, true],
]);

needleTable('needles: a positive, case-sensitive `in` over strings needs one of them', [
  ['a in ("x", "y")', ['"x"', '"y"']],
  ['a in~ ("x")', undefined],
  ['a not in ("x")', undefined],
  ['a in ("x", 5)', undefined], // 5 may be written many ways
  ['a in ("x", null)', ['"x"']], // the null matches nothing
  ['a in (null)', undefined],
  ['length(a) in ("x")', undefined],
]);

describe('the need of `in`', () => {
  it('is an OR of the quoted strings', () => {
    expect(needOf('a in ("change", "creation")')).toEqual({
      kind: 'or',
      of: [
        { kind: 'lit', text: '"change"' },
        { kind: 'lit', text: '"creation"' },
      ],
    });
  });
});

rejectionTable('compile-time rejections (QuerySyntaxError with position)', [['process where a in ("x", b)', /cannot compare field 'a' with field 'b'/, 15]]);

prefilterKeepsTable('the prefilter keeps every line `in` accepts, numbers and booleans included', [
  ['process where a in ("x", "50")', '{"event":{"category":"process"},"a":5e1}'],
  ['process where a in ("x", 50)', '{"event":{"category":"process"},"a":"5e1"}'],
  ['process where a in ("x", "true")', '{"event":{"category":"process"},"a":true}'],
  ['process where a in ("x", true)', '{"event":{"category":"process"},"a":true}'],
  ['process where a in ("x", null)', '{"event":{"category":"process"},"a":"x"}'],
]);

describe('`in` with integers beyond 2^53', () => {
  it('holds for the exact integer only', () => {
    const event = (text: string) => parseJson(`{"a":${text}}`) as EcsEvent;
    expect(holds('a in (1, 9007199254740993)', event('9007199254740993'))).toBe(true);
    expect(holds('a in (1, 9007199254740993)', event('9007199254740992'))).toBe(false);
    expect(holds('a in (1, 9007199254740992)', event('9007199254740993'))).toBe(false);
    expect(holds('a in (1, 9007199254740993)', event('"9007199254740993"'))).toBe(true);
    expect(holds('a not in (9007199254740993)', event('9007199254740992'))).toBe(true);
  });
});

/** The fields the typed tables below run against, as an index mapping would give them. */
const TYPES = {
  d: { type: 'date' },
  dp: { type: 'date', format: 'dd-MM-yyyy' },
  ip: { type: 'ip' },
  n: { type: 'long' },
  b: { type: 'boolean' },
  t: { type: 'text' },
  tk: { type: 'text', fields: { raw: { type: 'keyword', ignore_above: 256 } } },
  kn: { type: 'keyword', normalizer: 'lowercase' },
  k: { type: 'keyword' },
};

typedTable('`in` on typed fields: numbers in a numeric field, booleans in a boolean one, as always; a multi-field reads its parent', TYPES, [
  ['n in (1, 5)', { n: '5' }, true],
  ['b in (true)', { b: 'true' }, true],
  ['tk in ("Foo Bar", "x")', { tk: 'Foo Bar' }, true],
  ['tk.raw in ("Foo Bar")', { tk: 'Foo Bar' }, true],
  ['d in (null)', {}, false], // only nulls: never holds (see above), whatever the type
]);

typedRejectionTable('`in` refuses a literal of another type than the field (ql In.resolveType, DataTypes.areCompatible) and inexact fields', TYPES, [
  ['any where n in (1, "string")', /^2nd argument of \[in\] must be \[long\], found value \["string"\] type \[keyword\]/, 20],
  ['any where d in ("2024-05-01")', /^1st argument of \[in\] must be \[datetime\], found value \["2024-05-01"\] type \[keyword\]/, 17],
  ['any where ip in ("10.0.0.1", null)', /^1st argument of \[in\] must be \[ip\], found value \["10.0.0.1"\] type \[keyword\]/, 18],
  ['any where b in (true, 1)', /^2nd argument of \[in\] must be \[boolean\], found value \[1\] type \[integer\]/, 23],
  ['any where t in ("x")', /^\[in\] cannot operate on field of data type \[text\]: No keyword\/multi-field defined exact matches for \[t\]/, 11],
  ['any where kn in~ ("x")', /^\[in~\] cannot operate on field of data type \[keyword\]: Normalized keyword/, 11],
]);

typedNeedleTable('`in` on a typed field needs nothing of the line', TYPES, [
  ['n in (1, 2)', undefined],
  ['k in ("x", "y")', ['"x"', '"y"']],
]);

describe('`in` with integers beyond 2^53 on a long field', () => {
  it('accepts the literal as a long and compares exactly', () => {
    const fieldTypes = mappingTable({ n: { type: 'long' }, u: { type: 'unsigned_long' } });
    const holdsTyped = (condition: string, text: string) => {
      const query = parseEql(`any where ${condition}`);
      if (query.type !== 'event') throw new Error('an event query');
      return compileEqlCondition(query.filter.condition, { fieldTypes })(parseJson(text) as EcsEvent);
    };
    expect(holdsTyped('n in (1, 9007199254740993)', '{"n":9007199254740993}')).toBe(true);
    expect(holdsTyped('n in (1, 9007199254740993)', '{"n":9007199254740992}')).toBe(false);
    expect(holdsTyped('n == 9007199254740993', '{"n":"9007199254740993"}')).toBe(true);
    expect(holdsTyped('n > 9007199254740992', '{"n":9007199254740993}')).toBe(true);
    expect(holdsTyped('u in (18446744073709551615)', '{"u":18446744073709551615}')).toBe(true);
    expect(holdsTyped('u in (18446744073709551615)', '{"u":18446744073709551614}')).toBe(false);
  });
});
