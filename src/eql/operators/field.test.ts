import { needleTable, table } from '../../../test/support/eqlOperators.js';

table('a bare field as a condition is `field == true` (SPEC §A.2)', [
  ['flag', { flag: true }, true],
  ['flag', { flag: false }, false],
  ['flag', { flag: 'true' }, true],
  ['flag', { flag: [false, true] }, true],
  ['flag', {}, false],
  ['a.b', { a: { b: true } }, true],
  ['?flag', { flag: true }, true],
]);

// Elasticsearch names the field by joining the unquoted segments with dots (eql IdentifierBuilder):
// `a.b` in backticks is the field a.b, which nested objects and dotted keys both hold.
table('a backtick-quoted name with dots is the dotted path', [
  ['`a.b` == "x"', { a: { b: 'x' } }, true],
  ['`a.b` == "x"', { 'a.b': 'x' }, true],
  ['`a.b`.c == "x"', { a: { b: { c: 'x' } } }, true],
  ['`a.b`.c == "x"', { 'a.b.c': 'x' }, true],
  ['`process.name` : "CMD.exe"', { process: { name: 'cmd.exe' } }, true],
  ['length(`a.b`) == 1', { a: { b: 'x' } }, true],
  ['`a b` == "x"', { 'a b': 'x' }, true],
]);

table('in a script a field gives each of its values in turn, null when missing (SPEC §A.1)', [
  ['length(a) == 2', { a: ['abc', 'de'] }, true],
  ['length(a) == null', {}, true],
  ['length(a[1]) == 2', { a: ['abc', 'de'] }, true],
]);

needleTable('needles: none, a condition may hold when the field is missing', [['flag', undefined]]);
