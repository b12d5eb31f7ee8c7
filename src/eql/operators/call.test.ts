import { describe, expect, it } from 'vitest';
import { holds, needleTable, rejectionTable, table, typedRejectionTable, typedTable } from '../../../test/support/eqlOperators.js';

table('functions applied to a field behave like leaf queries (SPEC §A.2, §A.8)', [
  ['startsWith(a, "ab")', { a: ['zz', 'abc'] }, true],
  ['startsWith(a, "AB")', { a: 'abc' }, false],
  ['startsWith~(a, "AB")', { a: 'abc' }, true],
  ['endsWith(a, ".exe")', { a: 'x.exe' }, true],
  ['endswith~(a, ".EXE")', { a: 'x.exe' }, true],
  ['stringContains(a, "b")', { a: 'abc' }, true],
  ['stringContains(a, "")', { a: 'abc' }, false],
  ['cidrMatch(ip, "10.0.0.0/8", "192.168.0.0/16")', { ip: '192.168.4.4' }, true],
  ['cidrmatch(ip, "10.0.0.0/8")', { ip: ['8.8.8.8', '10.1.1.1'] }, true],
  ['cidrMatch(ip, "::1")', { ip: '::1' }, true],
]);

table('other calls are scripts and propagate null (SPEC §A.2, §A.8)', [
  ['add(a, 1) == 3', { a: 2 }, true],
  ['subtract(a, 1) == 1', { a: 2 }, true],
  ['multiply(a, 3) == 6', { a: 2 }, true],
  ['divide(a, 2) == 3', { a: 7 }, true],
  ['modulo(a, 4) == 3', { a: 7 }, true],
  ['divide(a, 0) == 0', { a: 7 }, false],
  ['between(a, "<", ">") == "b"', { a: 'a<b>c' }, true],
  ['between(a, "x", "/", true) == "1/2"', { a: 'x1/2/3' }, true],
  ['between~(a, "X", "Y") == "b"', { a: 'xbyc' }, true],
  // An empty bound gives the whole source (Elasticsearch's StringUtils.between).
  ['between(a, "", "c") == "abc"', { a: 'abc' }, true],
  ['between(a, "a", "") == "abc"', { a: 'abc' }, true],
  ['between(a, "", "") == "abc"', { a: 'abc' }, true],
  ['between(a, "", "x", true) == "abc"', { a: 'abc' }, true],
  ['between(a, "x", "c") == ""', { a: 'abc' }, true],
  ['concat(a, "-", b) == "x-1"', { a: 'x', b: 1 }, true],
  ['concat(a, c) == "x"', { a: 'x' }, false],
  ['indexOf(a, "b") == 1', { a: 'abcb' }, true],
  ['indexOf(a, "b", 2) == 3', { a: 'abcb' }, true],
  ['indexOf(a, "z") == null', { a: 'abc' }, true],
  ['indexOf~(a, "B") == 1', { a: 'abc' }, true],
  ['length(a) == 3', { a: 'abc' }, true],
  ['number(a) == 16', { a: '0x10' }, true],
  ['number(a, 16) == 255', { a: 'ff' }, true],
  ['number(a) == 1.5', { a: '1.5' }, true],
  ['number(a) == null', { a: 'nope' }, true],
  ['string(a) == "5"', { a: 5 }, true],
  ['substring(a, 1, 3) == "bc"', { a: 'abcd' }, true],
  ['substring(a, -2) == "cd"', { a: 'abcd' }, true],
  ['substring(a, 0, -1) == "abc"', { a: 'abcd' }, true],
  ['stringContains(concat(a, b), "xy")', { a: 'x', b: 'y' }, true],
  ['startsWith(string(a), "4")', { a: 42 }, true],
  ['cidrMatch(string(ip), "10.0.0.0/8")', { ip: '10.1.1.1' }, true],
  ['cidrMatch(string(ip), "10.0.0.0/8")', {}, false],
]);

needleTable('needles: none, a function may compute text the line never holds', [
  ['startsWith(a, "abc")', undefined],
  ['stringContains(a, "abc")', undefined],
  ['concat(a, "x") == "yx"', undefined],
]);

rejectionTable('compile-time rejections (QuerySyntaxError with position)', [
  ['process where nope(a)', /unknown function 'nope'/, 15],
  ['process where length(a, 1) > 0', /takes 1 argument, not 2/, 15],
  ['process where add~(a, 1) > 0', /no case-insensitive/, 15],
  ['process where cidrMatch(a, "10.0.0.0/99")', /not a valid IPv4 or IPv6 CIDR/, 28],
]);

describe('hostile input', () => {
  it('many-valued fields in a script are bounded', () => {
    const many = Array.from({ length: 200 }, (_, i) => `v${i}`);
    const start = performance.now();
    expect(holds('concat(a, b) == "nope"', { a: many, b: many })).toBe(false);
    expect(performance.now() - start).toBeLessThan(2000);
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

typedTable('string functions on a text field with a keyword multi-field, and on the multi-field itself, read the value', TYPES, [
  ['startsWith(tk, "Foo")', { tk: 'Foo Bar' }, true],
  ['endsWith(tk.raw, "Bar")', { tk: 'Foo Bar' }, true],
  ['length(tk.raw) == 7', { tk: 'Foo Bar' }, true], // in a script too, the multi-field reads its parent
  ['cidrMatch(ip, "10.0.0.0/8")', { ip: '10.1.2.3' }, true],
]);

typedRejectionTable('a function on a text field without a keyword multi-field is refused (eql VerifierTests.testStringFunctionWithText)', TYPES, [
  ['any where startsWith(t, "x")', /^\[startsWith\] cannot operate on field of data type \[text\]: No keyword\/multi-field defined exact matches for \[t\]/, 11],
  ['any where string(t) == "foo"', /^\[string\] cannot operate on field of data type \[text\]: No keyword\/multi-field defined exact matches for \[t\]/, 11],
  ['any where length(t) > 3', /^\[length\] cannot operate on field of data type \[text\]/, 11],
  ['any where stringContains(kn, "x")', /^\[stringContains\] cannot operate on field of data type \[keyword\]: Normalized keyword/, 11],
]);
