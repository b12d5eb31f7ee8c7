import { needleTable, rejectionTable, table } from '../../../test/support/eqlOperators.js';

table('`true`, `false` and `null` as conditions (SPEC §A.2)', [
  ['true', {}, true],
  ['false', {}, false],
  ['null', {}, false],
  ['false or a == 1', { a: 1 }, true],
]);

table('in a script a literal is its value; a decimal makes arithmetic floating point', [
  ['a / 2.0 == 41.5', { a: 83 }, true],
  ['a / 2 == 41', { a: 83 }, true],
  ['concat(a, null) == null', { a: 'x' }, true],
]);

needleTable('needles: none', [
  ['true', undefined],
  ['false', undefined],
]);

rejectionTable('a string or number where a condition belongs (QuerySyntaxError with position)', [
  ['process where "x"', /expected a condition/, 15],
  ['process where 5', /expected a condition/, 15],
]);
