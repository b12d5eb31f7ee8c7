import { needleTable, rejectionTable, table } from '../../../test/support/eqlOperators.js';

table('arithmetic is a script: Java long arithmetic, null propagates (SPEC §A.8)', [
  ['a + 1 == 3', { a: 2 }, true],
  ['a - 1 : 81', { a: 82 }, true],
  ['a / 2 == 41', { a: 83 }, true], // integer division truncates
  ['a / 2.0 == 41.5', { a: 83 }, true],
  ['a % 40 == 2', { a: 82 }, true],
  ['-a == -2', { a: 2 }, true],
  ['a * 2 == 6', { a: '3' }, true],
  ['a + 1 == 3', {}, false],
  ['a / 0 == 0', { a: 7 }, false], // integer division by zero is null
  ['a + 1 == 3', { a: true }, false],
]);

needleTable('needles: none, a computed number need not appear in the line', [
  ['a + 1 == 3', undefined],
  ['-a == -2', undefined],
]);

rejectionTable('compile-time rejections (QuerySyntaxError with position)', [
  ['process where a + 1', /expected a condition/, 15],
  ['process where -a', /expected a condition/, 15],
]);
