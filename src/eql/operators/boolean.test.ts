import { describe, expect, it } from 'vitest';
import { needleTable, needOf, table } from '../../../test/support/eqlOperators.js';

table('boolean logic and precedence (SPEC §A.2, §A.6)', [
  ['not a == 1 and b == 2', { a: 2, b: 2 }, true],
  ['not (a == 1 and b == 2)', { a: 1, b: 3 }, true],
  ['a == 1 or b == 2 and c == 3', { a: 1 }, true],
  ['(a == 1 or b == 2) and c == 3', { a: 1 }, false],
  ['not not a == 1', { a: 1 }, true],
  ['false or a == 1', { a: 1 }, true],
  ['not stringContains(a, "b")', {}, true],
  ['not cidrMatch(ip, "10.0.0.0/8")', {}, true],
]);

table('inside a script, Kleene logic: `not null` is null, which does not match (SPEC §A.2)', [
  ['not (length(a) > 0)', {}, false],
  ['not (length(a) > 0)', { a: '' }, true],
  ['true : (length(a) > 0 or b == 1)', { b: 1 }, true],
  ['true : (length(a) > 0 and b == 1)', { b: 1 }, false],
  ['false : (length(a) > 0 and b == 1)', { b: 2 }, true],
]);

needleTable('needles: `and` needs all, `or` one of each branch, `not` nothing', [
  ['a == "x" and b == "y"', ['"x"']],
  ['a == "x" or b == "y"', ['"x"', '"y"']],
  ['a == "x" or b : "y"', undefined],
  ['not a == "x"', undefined],
  ['not a : "x"', undefined],
]);

describe('the need of `and`', () => {
  it('keeps each operand’s need, dropping those with none', () => {
    expect(needOf('a == "x" and b : "z" and c in ("p", "q")')).toEqual({
      kind: 'and',
      of: [
        { kind: 'lit', text: '"x"' },
        { kind: 'or', of: [{ kind: 'lit', text: '"p"' }, { kind: 'lit', text: '"q"' }] },
      ],
    });
  });
});
