import { describe, expect, it } from 'vitest';
import { parseJson } from '../event/json.js';
import { compileRangeMatcher, compileTermMatcher, compileWildcardMatcher, FieldQueryError } from './matchers.js';
import type { FieldType } from './types.js';
import { DEFAULT_DATE_FORMAT } from './types.js';

const MESSAGE: FieldType = { type: 'match_only_text', analyzer: 'standard' };
const KEYWORD: FieldType = { type: 'keyword', ignoreAbove: 1024 };
const SCRIPT: FieldType = { type: 'text', analyzer: 'pattern_word_hyphen' };
const DATE: FieldType = { type: 'date', format: DEFAULT_DATE_FORMAT };

const KERNEL_LINE =
  'kernel: [  123.456] diamorphine: module verification failed: signature and/or required key missing - tainting kernel';

describe('text fields (match / match_phrase)', () => {
  it('a quoted value is a phrase found inside a longer line (Tainted Kernel Module Load)', () => {
    const m = compileTermMatcher(MESSAGE, 'module verification failed: signature and/or required key missing - tainting kernel', { phrase: true });
    expect(m(KERNEL_LINE)).toBe(true);
    expect(m(KERNEL_LINE.toUpperCase())).toBe(true);
    expect(m('module verification failed: signature missing - tainting kernel')).toBe(false);
  });

  it('a phrase needs consecutive positions, in order', () => {
    const m = compileTermMatcher(MESSAGE, 'tainting kernel', { phrase: true });
    expect(m('tainting the kernel')).toBe(false);
    expect(m('kernel tainting')).toBe(false);
    expect(m('Tainting, kernel!')).toBe(true);
  });

  it('a phrase never spans two array elements (position_increment_gap)', () => {
    const m = compileTermMatcher(MESSAGE, 'tainting kernel', { phrase: true });
    expect(m(['tainting', 'kernel'])).toBe(false);
    expect(m(['x', 'now tainting kernel'])).toBe(true);
  });

  it('a phrase with repeated tokens is found after a partial match (KMP)', () => {
    const m = compileTermMatcher(MESSAGE, 'a a b', { phrase: true });
    expect(m('a a a b')).toBe(true);
    expect(m('a a a c b')).toBe(false);
  });

  it('an unquoted value matches any of its tokens (Segfault Detected)', () => {
    expect(compileTermMatcher(MESSAGE, 'segfault', { phrase: false })('sshd[42]: segfault at 0 ip 00007f')).toBe(true);
    expect(compileTermMatcher(MESSAGE, 'segfault', { phrase: false })('segfaulted')).toBe(false);
    expect(compileTermMatcher(MESSAGE, 'foo-bar', { phrase: false })('only bar here')).toBe(true);
  });

  it('a value without tokens matches nothing', () => {
    expect(compileTermMatcher(MESSAGE, '--', { phrase: true })('--')).toBe(false);
    expect(compileTermMatcher(MESSAGE, '--', { phrase: false })('--')).toBe(false);
  });

  it('numbers and booleans are analysed as their text; objects never match', () => {
    const m = compileTermMatcher(MESSAGE, '200', { phrase: false });
    expect(m(200)).toBe(true);
    expect(m({ a: '200' })).toBe(false);
    expect(compileTermMatcher(MESSAGE, 'true', { phrase: false })(true)).toBe(true);
  });

  it('a wildcard is lowercased and tried on each token (query_string, no analyze_wildcard)', () => {
    const m = compileWildcardMatcher(MESSAGE, ['Seg', '']);
    expect(m('Kernel SEGFAULT at 0')).toBe(true);
    expect(m('kernel fault')).toBe(false);
    // No token contains a space or a hyphen, so such a pattern never matches.
    expect(compileWildcardMatcher(MESSAGE, ['', 'a-b', ''])('a-b')).toBe(false);
  });

  it('powershell.file.script_block_text tokens keep hyphens ([\\W&&[^-]]+)', () => {
    expect(compileTermMatcher(SCRIPT, 'Invoke-Expression', { phrase: true })('iex; Invoke-Expression $x')).toBe(true);
    expect(compileTermMatcher(SCRIPT, '[string]::join', { phrase: true })('[String]::Join(",", $a)')).toBe(true);
    expect(compileTermMatcher(SCRIPT, 'Invoke', { phrase: false })('Invoke-Expression')).toBe(false);
  });

  it('a range on text compares each token with the bound as written', () => {
    expect(compileRangeMatcher(MESSAGE, 'gte', 'm')('Alpha zulu')).toBe(true);
    expect(compileRangeMatcher(MESSAGE, 'gte', 'm')('Alpha Beta')).toBe(false);
  });

  it('scans a huge value once per clause', () => {
    const m = compileTermMatcher(MESSAGE, 'needle in', { phrase: true });
    const hay = 'word '.repeat(400_000) + 'needle in';
    const started = performance.now();
    expect(m(hay)).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('keyword-like fields', () => {
  it('compare the whole value, case-sensitive, quoted or not', () => {
    for (const phrase of [true, false]) {
      const m = compileTermMatcher(KEYWORD, 'insmod', { phrase });
      expect(m('insmod')).toBe(true);
      expect(m('Insmod')).toBe(false);
      expect(m('insmod x')).toBe(false);
      expect(m(['x', 'insmod'])).toBe(true);
    }
  });

  it('a value longer than ignore_above is not indexed, so nothing matches it', () => {
    const field: FieldType = { type: 'keyword', ignoreAbove: 5 };
    expect(compileTermMatcher(field, 'abcde', { phrase: false })('abcde')).toBe(true);
    expect(compileTermMatcher(field, 'abcdef', { phrase: false })('abcdef')).toBe(false);
    expect(compileWildcardMatcher(field, ['abc', ''])('abcdef')).toBe(false);
    expect(compileRangeMatcher(field, 'gte', 'a')('abcdef')).toBe(false);
  });

  it('a lowercase normalizer folds both the value and the pattern', () => {
    const field: FieldType = { type: 'keyword', normalizer: 'lowercase' };
    expect(compileTermMatcher(field, 'AeroAdmin.exe', { phrase: true })('AEROADMIN.EXE')).toBe(true);
    expect(compileWildcardMatcher(field, ['AA_v', '.exe'])('aa_v3.EXE')).toBe(true);
  });

  it('numbers and booleans compare by their JSON text', () => {
    expect(compileTermMatcher(KEYWORD, '4624', { phrase: false })(4624)).toBe(true);
    expect(compileTermMatcher(KEYWORD, 'true', { phrase: false })(true)).toBe(true);
  });

  it('wildcard and constant_keyword fields are exact too, without ignore_above', () => {
    const line = 'x'.repeat(5000);
    expect(compileTermMatcher({ type: 'wildcard' }, line, { phrase: true })(line)).toBe(true);
    expect(compileWildcardMatcher({ type: 'wildcard' }, ['', 'x', ''])(line)).toBe(true);
    expect(compileTermMatcher({ type: 'constant_keyword' }, 'logs', { phrase: false })('logs')).toBe(true);
  });

  it("a flattened field's own name matches any leaf; a keyword never looks into objects", () => {
    const flat: FieldType = { type: 'flattened' };
    const labels = { team: 'red', nested: { env: ['prod', 'dev'] } };
    expect(compileTermMatcher(flat, 'dev', { phrase: false })(labels)).toBe(true);
    expect(compileWildcardMatcher(flat, ['pr', ''])(labels)).toBe(true);
    expect(compileTermMatcher(flat, 'blue', { phrase: false })(labels)).toBe(false);
    expect(compileTermMatcher(KEYWORD, 'red', { phrase: false })(labels)).toBe(false);
  });

  it('stops at arrays nested deeper than 100 levels', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(compileTermMatcher(KEYWORD, 'x', { phrase: false })(deep)).toBe(false);
    let shallow: unknown = 'x';
    for (let i = 0; i < 50; i++) shallow = [shallow];
    expect(compileTermMatcher(KEYWORD, 'x', { phrase: false })(shallow)).toBe(true);
  });

  it('a range compares by code point', () => {
    expect(compileRangeMatcher(KEYWORD, 'gt', 'b')('c')).toBe(true);
    expect(compileRangeMatcher(KEYWORD, 'lt', '\uffff')('😀')).toBe(false);
  });
});

describe('ip fields', () => {
  const IP: FieldType = { type: 'ip' };
  it('match an address or a CIDR block; event text that is no address matches nothing', () => {
    expect(compileTermMatcher(IP, '10.0.0.0/8', { phrase: false })('10.1.2.3')).toBe(true);
    expect(compileTermMatcher(IP, '10.0.0.0/8', { phrase: false })('11.1.2.3')).toBe(false);
    expect(compileTermMatcher(IP, '::1', { phrase: true })('0:0:0:0:0:0:0:1')).toBe(true);
    expect(compileTermMatcher(IP, '10.1.2.3', { phrase: false })('10.1.2.3 ')).toBe(false);
  });
  it('refuse query text that is no address, unless lenient', () => {
    expect(() => compileTermMatcher(IP, 'localhost', { phrase: false })).toThrow(FieldQueryError);
    expect(compileTermMatcher(IP, 'localhost', { phrase: false, lenient: true })('localhost')).toBe(false);
    expect(() => compileWildcardMatcher(IP, ['10.', ''])).toThrow(/wildcard/);
  });
  it('order addresses as 16 bytes in a range', () => {
    expect(compileRangeMatcher(IP, 'gte', '10.0.0.5')('10.0.0.10')).toBe(true);
    expect(compileRangeMatcher(IP, 'lt', '10.0.0.5')('::1')).toBe(true);
  });
});

describe('date fields', () => {
  const NOW = Date.UTC(2024, 4, 10, 12, 0, 0);
  it('an exact date covers what it leaves out, rounded up (is.ts sends gte=v, lte=v)', () => {
    const m = compileTermMatcher(DATE, '2024-05-01', { phrase: true });
    expect(m('2024-05-01T00:00:00Z')).toBe(true);
    expect(m('2024-05-01T23:59:59.999Z')).toBe(true);
    expect(m('2024-05-02T00:00:00Z')).toBe(false);
  });
  it('reads a value without a zone as UTC, and epoch millis', () => {
    const m = compileTermMatcher(DATE, '2024-05-01T10:00:00Z', { phrase: false });
    expect(m('2024-05-01T10:00:00')).toBe(true);
    expect(m(Date.UTC(2024, 4, 1, 10))).toBe(true);
    expect(m(String(Date.UTC(2024, 4, 1, 10)))).toBe(true);
    expect(m('2024-05-01T12:00:00+02:00')).toBe(true);
  });
  it('ranges round gt and lte up, gte and lt down, and read date math', () => {
    expect(compileRangeMatcher(DATE, 'gt', '2024-05-01')('2024-05-01T23:00:00Z')).toBe(false);
    expect(compileRangeMatcher(DATE, 'gte', '2024-05-01')('2024-05-01T00:00:00Z')).toBe(true);
    expect(compileRangeMatcher(DATE, 'lte', '2024-05')('2024-05-01T23:59:59Z')).toBe(true);
    expect(compileRangeMatcher(DATE, 'lte', '2024-05')('2024-05-02T00:00:00Z')).toBe(false);
    expect(compileRangeMatcher(DATE, 'gte', 'now-1d', { nowMs: NOW })('2024-05-09T13:00:00Z')).toBe(true);
    expect(compileRangeMatcher(DATE, 'gte', 'now-1d/d', { nowMs: NOW })('2024-05-09T00:00:00Z')).toBe(true);
    expect(compileRangeMatcher(DATE, 'lte', 'now/d', { nowMs: NOW })('2024-05-10T23:59:59.999Z')).toBe(true);
  });
  it('refuses text that is no date', () => {
    expect(() => compileTermMatcher(DATE, 'yesterday', { phrase: false })).toThrow(/failed to parse date/);
  });
});

describe('numeric fields', () => {
  const LONG: FieldType = { type: 'long' };
  it('coerce event strings and compare numerically', () => {
    const m = compileTermMatcher(LONG, '200', { phrase: false });
    expect(m(200)).toBe(true);
    expect(m('200')).toBe(true);
    expect(m('200.7')).toBe(true);
    expect(m('0200')).toBe(true);
    expect(m('2e2')).toBe(true);
    expect(m('abc')).toBe(false);
    expect(m(true)).toBe(false);
  });
  it('a fractional or out-of-range value on an integer field matches nothing', () => {
    expect(compileTermMatcher(LONG, '200.5', { phrase: false })(200)).toBe(false);
    expect(compileTermMatcher({ type: 'byte' }, '300', { phrase: false })(300)).toBe(false);
    expect(compileTermMatcher(LONG, '2e2', { phrase: false })(200)).toBe(true);
  });
  it('refuses text that is not a number', () => {
    expect(() => compileTermMatcher(LONG, 'abc', { phrase: false })).toThrow(FieldQueryError);
    expect(() => compileWildcardMatcher(LONG, ['1', ''])).toThrow(/wildcard/);
  });
  it('compares longs beyond 2^53 exactly when the event carries them as text', () => {
    const m = compileTermMatcher(LONG, '9007199254740993', { phrase: false });
    expect(m('9007199254740993')).toBe(true);
    expect(m('9007199254740992')).toBe(false);
    expect(compileRangeMatcher(LONG, 'gt', '9007199254740992')('9007199254740993')).toBe(true);
  });
  it('compares longs beyond 2^53 exactly when the event carries them as JSON numbers (read by parseJson)', () => {
    const m = compileTermMatcher(LONG, '9007199254740993', { phrase: false });
    expect(m(parseJson('9007199254740993'))).toBe(true);
    expect(m(parseJson('9007199254740992'))).toBe(false);
    // A double is the value Elasticsearch stores too (a decimal token on a long field goes through a double).
    expect(m(parseJson('9007199254740993.0'))).toBe(false);
    expect(compileTermMatcher(LONG, '9007199254740992', { phrase: false })(parseJson('9007199254740993'))).toBe(false);
    expect(compileRangeMatcher(LONG, 'gt', '9007199254740992')(parseJson('9007199254740993'))).toBe(true);
    expect(compileRangeMatcher(LONG, 'lte', '9007199254740992')(parseJson('9007199254740993'))).toBe(false);
    expect(compileRangeMatcher(LONG, 'lt', '9007199254740993.5')(parseJson('9007199254740993'))).toBe(true);
    // Beyond a long's range Elasticsearch refuses the value: it matches nothing.
    expect(compileTermMatcher(LONG, '18446744073709551615', { phrase: false })(parseJson('18446744073709551615'))).toBe(false);
    expect(compileTermMatcher({ type: 'unsigned_long' }, '18446744073709551615', { phrase: false })(parseJson('18446744073709551615'))).toBe(true);
    expect(compileTermMatcher({ type: 'unsigned_long' }, '18446744073709551614', { phrase: false })(parseJson('18446744073709551615'))).toBe(false);
  });
  it('round float kinds as they are stored', () => {
    expect(compileTermMatcher({ type: 'float' }, '0.1', { phrase: false })(0.1)).toBe(true);
    expect(compileTermMatcher({ type: 'half_float' }, '0.1', { phrase: false })(0.09999)).toBe(true);
    expect(compileTermMatcher({ type: 'half_float' }, '0.1', { phrase: false })(0.1001)).toBe(false);
    expect(compileTermMatcher({ type: 'double' }, '0.1', { phrase: false })(0.1001)).toBe(false);
    expect(compileTermMatcher({ type: 'scaled_float', scalingFactor: 100 }, '1.234', { phrase: false })(1.2305)).toBe(true);
  });
  it('ranges hold against fractional bounds exactly', () => {
    expect(compileRangeMatcher(LONG, 'gt', '1.5')(2)).toBe(true);
    expect(compileRangeMatcher(LONG, 'gt', '1.5')(1)).toBe(false);
    expect(compileRangeMatcher({ type: 'float' }, 'gte', '4.5')('4.6')).toBe(true);
  });
});

describe('boolean fields', () => {
  const BOOL: FieldType = { type: 'boolean' };
  it('read true, false and "" as Elasticsearch does', () => {
    expect(compileTermMatcher(BOOL, 'true', { phrase: false })('true')).toBe(true);
    expect(compileTermMatcher(BOOL, 'false', { phrase: false })('')).toBe(true);
    expect(compileTermMatcher(BOOL, 'true', { phrase: false })('True')).toBe(false);
    expect(() => compileTermMatcher(BOOL, 'yes', { phrase: false })).toThrow(/Can't parse boolean/);
  });
});

describe('fields Elasticsearch cannot search', () => {
  it('object fields match nothing; unindexed fields refuse', () => {
    expect(compileTermMatcher({ type: 'object' }, 'x', { phrase: false })('x')).toBe(false);
    expect(() => compileTermMatcher({ type: 'unindexed', esType: 'keyword' }, 'x', { phrase: false })).toThrow(/not indexed/);
  });
});

describe('a dynamic (unmapped) field reads each value by its JSON type', () => {
  const dynamic = { type: 'dynamic' } as const;
  it('does not turn numbers and booleans into keywords', () => {
    const m = compileTermMatcher(dynamic, '50', { phrase: false });
    expect(m(50)).toBe(true);
    expect(m(50.0)).toBe(true);
    expect(m('50')).toBe(true);
    expect(m('50.0')).toBe(false);
    expect(compileTermMatcher(dynamic, 'true', { phrase: false })(true)).toBe(true);
    expect(compileRangeMatcher(dynamic, 'gt', '9', {})(10)).toBe(true);
    // As keywords, "10" sorts before "9".
    expect(compileRangeMatcher(dynamic, 'gt', '9', {})('10')).toBe(false);
  });
  it('matches nothing, rather than fail, where a type cannot read the text', () => {
    expect(compileTermMatcher(dynamic, 'abc', { phrase: false })(5)).toBe(false);
    expect(compileWildcardMatcher(dynamic, ['a', ''])('abc')).toBe(true);
  });
});
