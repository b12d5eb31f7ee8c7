import { describe, expect, it } from 'vitest';
import { holds, needleTable, needOf, prefilterKeepsTable, rejectionTable, table } from '../../../test/support/eqlOperators.js';
import { parseJson } from '../../event/json.js';
import type { EcsEvent } from '../../event/types.js';

table('`==` and `!=`: exact, case-sensitive, numbers and strings (SPEC §A.4, §C)', [
  ['a == "x"', { a: 'x' }, true],
  ['a == "x"', { a: 'X' }, false],
  ['a == "x*"', { a: 'xy' }, false],
  ['a == "5"', { a: 5 }, true], // string operators see numbers by JSON text (§C)
  ['a == 5', { a: '5' }, true],
  ['a == 5', { a: 5.0 }, true],
  ['a == 5', { a: 6 }, false],
  ['a == true', { a: true }, true],
  ['a == true', { a: 'true' }, true],
  ['a == "x"', { a: ['y', 'x'] }, true],
  ['a == "x"', { a: { b: 'x' } }, false], // an object has no comparable value (§C)
  ['a != "x"', {}, true], // §A.2: not (==)
  ['a != "x"', { a: ['y', 'x'] }, false],
  ['"x" == a', { a: 'x' }, true],
]);

table('ranges: numeric, or case-sensitive lexicographic on strings (SPEC §A.4)', [
  ['a < 4', { a: 3 }, true],
  ['a < 4', { a: '3' }, true],
  ['a < 4', { a: 'x' }, false],
  ['a >= 4.5', { a: 5 }, true],
  ['a > -1', { a: 0 }, true],
  ['-1 < a', { a: 0 }, true],
  ['4 <= a', { a: 3 }, false],
  ['a > "B"', { a: 'a' }, true], // 'a' (0x61) > 'B' (0x42)
  ['a < "b"', { a: 'abc' }, true],
  ['a < 4', {}, false],
  ['a < 4', { a: [10, 1] }, true],
  // A range query on a keyword orders by code point (UTF-8 bytes): U+FFFD is below U+1F600 (😀),
  // though its UTF-16 unit 0xFFFD is above the surrogate 0xD83D.
  ['a < "😀"', { a: '\uFFFD' }, true],
  ['a > "😀"', { a: '\uFFFD' }, false],
  ['a >= "\uE000"', { a: '😀' }, true],
  ['a <= "\uE000"', { a: '😀' }, false],
  ['a < "b"', { a: '😀' }, false],
]);

table('null and existence (SPEC §A.1, §A.7)', [
  ['a == null', {}, true],
  ['a == null', { a: null }, true],
  ['a == null', { a: [] }, true],
  ['a == null', { a: [null] }, true],
  ['a == null', { a: '' }, false],
  ['a != null', { a: '' }, true],
  ['a != null', { a: { b: 1 } }, true],
  ['?a == null', {}, true],
  ['null == a', {}, true],
]);

table('comparisons of computed values run as scripts: null propagates (SPEC §A.2)', [
  ['length(a) == 3', { a: 'abc' }, true],
  ['length(a) > 0', {}, false],
  ['indexOf(a, "z") == null', { a: 'abc' }, true],
  ['length(a) != null', { a: 'abc' }, true],
  ['string(a) == "5"', { a: 5 }, true],
  ['number(a) < 2', { a: '1.5' }, true],
  // A script compares strings with Java's String.compareTo: UTF-16 code units.
  ['string(a) < "😀"', { a: '\uFFFD' }, false],
  ['string(a) > "😀"', { a: '\uFFFD' }, true],
]);

needleTable('needles: only a case-sensitive `==` with a string promises its quoted text', [
  ['a == "x"', ['"x"']],
  ['"x" == a', ['"x"']],
  ['a == "C:\\\\temp"', ['"C:\\\\temp"']],
  ['a != "x"', undefined],
  ['a < "x"', undefined],
  ['a == 5', undefined],
  ['a == "5"', undefined], // may match the JSON number 5
  ['a == true', undefined],
  ['a == null', undefined],
  ['length(a) == "x"', undefined],
]);

describe('needles of `==`', () => {
  it('are the literal as JSON writes it', () => {
    expect(needOf('a == "x"')).toEqual({ kind: 'lit', text: '"x"' });
  });
});

rejectionTable('compile-time rejections (QuerySyntaxError with position)', [
  ['process where a == b', /cannot compare field 'a' with field 'b'/, 15],
  ['process where length(a) > length(b)', /cannot compare an expression over a field with an expression over a field/, 15],
]);

// The prefilter never changes results, whatever way JSON writes a number or boolean the
// comparison accepts (SPEC §C: string operators see numbers by their JSON text).
prefilterKeepsTable('the prefilter keeps every line `==` or a range accepts, numbers and booleans included', [
  ['process where a == 50', '{"event":{"category":"process"},"a":5e1}'],
  ['process where a == 50', '{"event":{"category":"process"},"a":"50"}'],
  ['process where a == "50"', '{"event":{"category":"process"},"a":5e1}'],
  ['process where a == "50"', '{"event":{"category":"process"},"a":50.0}'],
  ['process where a == "0"', '{"event":{"category":"process"},"a":-0}'],
  ['process where a == "1e+21"', '{"event":{"category":"process"},"a":1E21}'],
  ['process where a == "5e-7"', '{"event":{"category":"process"},"a":0.0000005}'],
  ['process where a == true', '{"event":{"category":"process"},"a":true}'],
  ['process where a == true', '{"event":{"category":"process"},"a":"true"}'],
  ['process where a == "true"', '{"event":{"category":"process"},"a":true}'],
  ['process where a == "false"', '{"event":{"category":"process"},"a":[1,false]}'],
  ['process where a >= "5"', '{"event":{"category":"process"},"a":6}'],
  ['process where a == "x/y"', '{"event":{"category":"process"},"a":"x\\/y"}'],
  ['process where a == "é"', '{"event":{"category":"process"},"a":"\\u00e9"}'],
  ['process where a == 9007199254740993', '{"event":{"category":"process"},"a":9007199254740993}'],
  ['process where a == "9007199254740993"', '{"event":{"category":"process"},"a":9007199254740993}'],
  ['process where a > 9007199254740992', '{"event":{"category":"process"},"a":"9007199254740993"}'],
]);

// Integers beyond 2^53 compare as Elasticsearch's long compares them: exactly. Events are read
// with parseJson, as the scanner reads them (README "Integers beyond 2^53").
describe('`==` and ranges on integers beyond 2^53', () => {
  const pid = (text: string) => parseJson(`{"a":${text}}`) as EcsEvent;
  it('tells 9007199254740993 from 9007199254740992, which JSON.parse makes the same number', () => {
    expect(holds('a == 9007199254740993', pid('9007199254740993'))).toBe(true);
    expect(holds('a == 9007199254740993', pid('9007199254740992'))).toBe(false);
    expect(holds('a == 9007199254740992', pid('9007199254740993'))).toBe(false);
    expect(holds('a == 9007199254740992', pid('9007199254740992'))).toBe(true);
    expect(holds('a != 9007199254740993', pid('9007199254740992'))).toBe(true);
    expect(holds('a == -9007199254740993', pid('-9007199254740993'))).toBe(true);
    expect(holds('a == -9007199254740993', pid('-9007199254740992'))).toBe(false);
    expect(holds('a == 18446744073709551615', pid('18446744073709551615'))).toBe(true);
  });

  it('reads a numeric string exactly too, and compares text with the exact digits', () => {
    expect(holds('a == 9007199254740993', pid('"9007199254740993"'))).toBe(true);
    expect(holds('a == 9007199254740993', pid('"9007199254740992"'))).toBe(false);
    expect(holds('a == "9007199254740993"', pid('9007199254740993'))).toBe(true);
    expect(holds('a : "9007199254740993"', pid('9007199254740993'))).toBe(true);
  });

  it('orders them exactly against literals and doubles', () => {
    expect(holds('a > 9007199254740992', pid('9007199254740993'))).toBe(true);
    expect(holds('a > 9007199254740992', pid('9007199254740992'))).toBe(false);
    expect(holds('a >= 9007199254740993', pid('9007199254740992'))).toBe(false);
    expect(holds('a < 9007199254740993', pid('9007199254740992'))).toBe(true);
    expect(holds('a < 9007199254740994', pid('9007199254740993'))).toBe(true);
    expect(holds('a > 1.5', pid('9007199254740993'))).toBe(true);
  });

  it('compares exactly in scripts, and does arithmetic in doubles', () => {
    expect(holds('a + 0 == 9007199254740992', pid('9007199254740993'))).toBe(true);
    expect(holds('number(a) == 9007199254740993', pid('"9007199254740993"'))).toBe(true);
    expect(holds('number(a) == 9007199254740992', pid('"9007199254740993"'))).toBe(false);
    expect(holds('length(a) == 16', pid('9007199254740993'))).toBe(true);
  });
});
