import { describe, expect, it } from 'vitest';
import { holds, needleTable, needOf, prefilterKeepsTable, rejectionTable, table, typedNeedleTable, typedRejectionTable, typedTable } from '../../../test/support/eqlOperators.js';
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
  nv: { type: 'keyword', null_value: 'NULL' },
  geo: { type: 'geo_point' },
  tm: { type: 'text', fields: { one: { type: 'keyword' }, two: { type: 'keyword' } } },
  procs: { type: 'nested', properties: { pid: { type: 'long' } } },
};

typedTable('a keyword\'s null_value stands in for a JSON null of the field (KeywordFieldMapper)', TYPES, [
  ['nv == "NULL"', { nv: null }, true],
  ['nv == "NULL"', { nv: ['x', null] }, true],
  ['nv == "NULL"', {}, false], // a missing field stays missing
  ['nv == null', { nv: null }, false],
  ['nv == null', {}, true],
  ['nv != null', { nv: null }, true],
  ['k == null', { k: null }, true], // without null_value a null is no value (SPEC §A.1)
]);

typedTable('on a date field `==` and ranges compare instants, UTC without a zone (ql ExpressionTranslators: a term or range query DateFieldType reads)', TYPES, [
  ['d == "2024-05-01T10:00:00Z"', { d: 1714557600000 }, true], // epoch millis in the event
  ['d == "2024-05-01T10:00:00Z"', { d: '2024-05-01T10:00:00.500Z' }, true], // the term is its second: from the date to the date rounded up
  ['d == "2024-05-01T10:00:00Z"', { d: '2024-05-01T10:00:01Z' }, false],
  ['d == "2024-05-01"', { d: '2024-05-01T23:59:59.999Z' }, true], // a whole day
  ['d == "2024-05-01T12:00:00+02:00"', { d: '2024-05-01T10:00:00Z' }, true],
  ['d == "2024-05-01T10:00:00"', { d: '2024-05-01T10:00:00Z' }, true], // no zone is UTC
  ['d == 1714557600000', { d: '2024-05-01T10:00:00Z' }, true], // a number is epoch millis
  ['d != "2024-05-01"', { d: '2024-05-02T00:00:00Z' }, true],
  ['d != "2024-05-01"', {}, true], // SPEC §A.2
  ['d < "2024-05-01T10:00:00Z"', { d: '2024-05-01T09:59:59.999Z' }, true],
  ['d < "2024-05-01T10:00:00Z"', { d: '2024-05-01T10:00:00Z' }, false],
  ['d <= "2024-05-01"', { d: '2024-05-01T23:00:00Z' }, true], // lte rounds up
  ['d > "2024-05-01"', { d: '2024-05-01T23:00:00Z' }, false], // gt rounds up
  ['d >= "2024-05-01"', { d: '2024-05-01T00:00:00Z' }, true],
  ['dp == "17-12-2022"', { dp: '17-12-2022' }, true], // the mapping's format
  ['dp < "16-12-2022"', { dp: '02-01-2023' }, false], // 2 January 2023 is later, though "02-…" < "16-…" as text
  ['dp > "16-12-2022"', { dp: '02-01-2023' }, true],
]);

typedTable('on an ip field `==` and ranges compare addresses (IpFieldMapper: a term may be a CIDR block)', TYPES, [
  ['ip == "10.0.0.1"', { ip: '10.0.0.1' }, true],
  ['ip == "10.0.0.0/8"', { ip: '10.20.30.40' }, true],
  ['ip == "10.0.0.0/8"', { ip: '11.0.0.1' }, false],
  ['ip == "0:0:0:0:0:0:0:1"', { ip: '::1' }, true], // one address, two spellings
  ['ip != "10.0.0.0/8"', { ip: '192.168.0.1' }, true],
  ['ip < "10.0.0.10"', { ip: '10.0.0.9' }, true], // address order ("10.0.0.9" > "10.0.0.10" as text)
]);

typedTable('a numeric or boolean field reads a literal of another type by its type (NumberFieldMapper, BooleanFieldMapper)', TYPES, [
  ['n == "5"', { n: 5 }, true],
  ['n == "5"', { n: '5.0' }, true], // a long indexes "5.0" as 5
  ['n < "10"', { n: 9 }, true], // 9 < 10, though "9" > "10" as text
  ['n == 5', { n: 5 }, true], // a number compares as it always did
  ['b == "false"', { b: '' }, true], // an empty string indexes as false
  ['b == "true"', { b: true }, true],
  ['b == true', { b: 'true' }, true],
]);

typedTable('keyword fields, a text field with a keyword multi-field, and its multi-field compare as always', TYPES, [
  ['k == "Foo"', { k: 'Foo' }, true],
  ['k < "b"', { k: 'a' }, true],
  ['tk == "Foo Bar"', { tk: 'Foo Bar' }, true], // Elasticsearch uses tk.raw, its exact field
  ['tk == "foo"', { tk: 'Foo Bar' }, false],
  ['tk.raw == "Foo Bar"', { tk: 'Foo Bar' }, true], // a multi-field reads its parent's value
  ['tk.raw != null', { tk: 'Foo Bar' }, true],
  ['tm.two == "x"', { tm: 'x' }, true], // either keyword multi-field may be named (VerifierTests.testMultiField)
  ['unmapped == "x"', { unmapped: 'x' }, true], // a field the table does not know reads as today
]);

typedRejectionTable('what Elasticsearch refuses on a typed field (TypeResolutions.isExact; a literal the field cannot read fails the search)', TYPES, [
  ['any where t == "x"', /^\[==\] cannot operate on first argument field of data type \[text\]: No keyword\/multi-field defined exact matches for \[t\]; define one or use MATCH\/QUERY instead/, 11],
  ['any where t < "x"', /\[<\] cannot operate on first argument field of data type \[text\]/, 11],
  ['any where kn == "x"', /\[==\] cannot operate on first argument field of data type \[keyword\]: Normalized keyword field cannot be used for exact match operations/, 11],
  ['any where d == "yesterday"', /failed to parse date field \[yesterday\]/, 16],
  ['any where d < "yesterday"', /failed to parse date field \[yesterday\]/, 15],
  ['any where ip == "localhost"', /'localhost' is not an IP string literal/, 17],
  ['any where b == "yes"', /Can't parse boolean value \[yes\]/, 16],
  ['any where tm == "x"', /Multiple exact keyword candidates available for \[tm\]; specify which one to use/, 11], // TextEsField.findExact
  ['any where geo == 0', /^Cannot use field \[geo\] with unsupported type \[geo_point\]$/, 11],
  ['any where procs == 0', /^Cannot use field \[procs\] type \[nested\] due to nested fields not being supported yet$/, 11],
  ['any where procs.pid == 0', /^Cannot use field \[procs\.pid\] type \[long\] with unsupported nested type in hierarchy \(field \[procs\]\)$/, 11],
]);

typedNeedleTable('on a typed field `==` needs nothing: the line may spell the value otherwise', TYPES, [
  ['d == "2024-05-01"', undefined],
  ['ip == "10.0.0.0/8"', undefined],
  ['n == "5"', undefined],
  ['k == "Foo"', ['"Foo"']],
  ['tk == "Foo"', ['"Foo"']],
]);
