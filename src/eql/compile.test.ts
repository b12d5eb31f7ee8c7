import { describe, expect, it } from 'vitest';
import type { EcsEvent } from '../event/types.js';
import { QuerySyntaxError } from '../query/syntaxError.js';
import { compileEql, compileEqlCondition, readJoinKey } from './compile.js';
import { parseEql } from './parse.js';
import type { EventQuery } from './ast.js';

/** Evaluates `any where <condition>` on an event. */
const holds = (condition: string, event: EcsEvent): boolean => {
  const q = parseEql(`any where ${condition}`) as EventQuery;
  return compileEqlCondition(q.filter.condition)(event);
};

const compileError = (query: string): QuerySyntaxError => {
  try {
    compileEql(parseEql(query));
  } catch (error) {
    if (error instanceof QuerySyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${query} to be rejected`);
};

type Row = [condition: string, event: EcsEvent, expected: boolean];
const table = (title: string, rows: Row[]): void => {
  describe(title, () => {
    it.each(rows)('%s on %j → %s', (condition, event, expected) => {
      expect(holds(condition, event)).toBe(expected);
    });
  });
};

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

table('`:` / `!:`: case-insensitive, wildcards * and ? (SPEC §A.4, §A.5)', [
  ['a : "ABC"', { a: 'abc' }, true],
  ['a : "a*c"', { a: 'A/b/C' }, true],
  ['a : "a?c"', { a: 'abc' }, true],
  ['a : "a?c"', { a: 'ac' }, false],
  ['a : "é*"', { a: 'Éx' }, false], // ASCII-only folding (§A.5)
  ['a : "é*"', { a: 'éx' }, true],
  ['a : "a\\\\*"', { a: 'a\\bc' }, true], // no escape for *: the backslash is literal
  ['a : ("x", "y*")', { a: 'Yes' }, true],
  ['a : 3', { a: 3 }, true],
  ['a !: "x"', {}, true],
  ['a !: "x"', { a: 'X' }, false],
  ['a : null', {}, true],
  ['a !: null', { a: 'x' }, true],
  ['"NET.exe" : a', { a: 'net.EXE' }, true],
]);

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
  ['a in ("x", null)', {}, true],
]);

table('`like` / `like~` / `regex` / `regex~` (SPEC §A.4)', [
  ['a like "ab*"', { a: 'abc' }, true],
  ['a like "ab*"', { a: 'ABC' }, false],
  ['a like~ "ab*"', { a: 'ABC' }, true],
  ['a like ("x", "a?c")', { a: 'abc' }, true],
  ['a regex "ab+c"', { a: 'abbbc' }, true],
  ['a regex "b"', { a: 'abc' }, false], // anchored to the whole value
  ['a regex "[a-c]{3}"', { a: 'abc' }, true],
  ['a regex "AB.*"', { a: 'abc' }, false],
  ['a regex~ "AB.*"', { a: 'abc' }, true],
  ['a regex ("x", "a.c")', { a: 'abc' }, true],
  ['a regex "a@"', { a: 'a anything' }, true], // Lucene: @ is any string
  ['a regex "<1-20>"', { a: '15' }, true],
  ['a regex "<1-20>"', { a: '21' }, false],
  ['a regex "a\\\\.b"', { a: 'a.b' }, true],
  ['a regex "a\\\\.b"', { a: 'axb' }, false],
  ['a regex "\\"a+\\""', { a: 'a+' }, true], // Lucene "..." is a literal string
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

table('boolean logic and precedence (SPEC §A.2, §A.6)', [
  ['not a == 1 and b == 2', { a: 2, b: 2 }, true],
  ['not (a == 1 and b == 2)', { a: 1, b: 3 }, true],
  ['a == 1 or b == 2 and c == 3', { a: 1 }, true],
  ['(a == 1 or b == 2) and c == 3', { a: 1 }, false],
  ['not not a == 1', { a: 1 }, true],
  ['true', {}, true],
  ['false or a == 1', { a: 1 }, true],
  ['flag', { flag: true }, true],
  ['flag', { flag: false }, false],
]);

table('functions applied to a field behave like leaf queries (SPEC §A.2, §A.8)', [
  ['startsWith(a, "ab")', { a: ['zz', 'abc'] }, true],
  ['startsWith(a, "AB")', { a: 'abc' }, false],
  ['startsWith~(a, "AB")', { a: 'abc' }, true],
  ['endsWith(a, ".exe")', { a: 'x.exe' }, true],
  ['endswith~(a, ".EXE")', { a: 'x.exe' }, true],
  ['stringContains(a, "b")', { a: 'abc' }, true],
  ['stringContains(a, "")', { a: 'abc' }, false],
  ['not stringContains(a, "b")', {}, true],
  ['cidrMatch(ip, "10.0.0.0/8", "192.168.0.0/16")', { ip: '192.168.4.4' }, true],
  ['cidrmatch(ip, "10.0.0.0/8")', { ip: ['8.8.8.8', '10.1.1.1'] }, true],
  ['cidrMatch(ip, "::1")', { ip: '::1' }, true],
  ['not cidrMatch(ip, "10.0.0.0/8")', {}, true],
]);

table('script expressions propagate null; `not null` is no match (SPEC §A.2, §A.8)', [
  ['length(a) == 3', { a: 'abc' }, true],
  ['length(a) > 0', {}, false],
  ['not (length(a) > 0)', {}, false],
  ['length(a) : 2', { a: ['en-US', 'en'] }, true], // any value of a multi-valued field
  ['a + 1 == 3', { a: 2 }, true],
  ['a - 1 : 81', { a: 82 }, true],
  ['a / 2 == 41', { a: 83 }, true], // integer division truncates
  ['a / 2.0 == 41.5', { a: 83 }, true],
  ['a % 40 == 2', { a: 82 }, true],
  ['-a == -2', { a: 2 }, true],
  ['add(a, 1) == 3', { a: 2 }, true],
  ['subtract(a, 1) == 1', { a: 2 }, true],
  ['multiply(a, 3) == 6', { a: 2 }, true],
  ['divide(a, 2) == 3', { a: 7 }, true],
  ['modulo(a, 4) == 3', { a: 7 }, true],
  ['divide(a, 0) == 0', { a: 7 }, false],
  ['between(a, "<", ">") == "b"', { a: 'a<b>c' }, true],
  ['between(a, "x", "/", true) == "1/2"', { a: 'x1/2/3' }, true],
  ['between~(a, "X", "Y") == "b"', { a: 'xbyc' }, true],
  ['concat(a, "-", b) == "x-1"', { a: 'x', b: 1 }, true],
  ['concat(a, c) == "x"', { a: 'x' }, false],
  ['indexOf(a, "b") == 1', { a: 'abcb' }, true],
  ['indexOf(a, "b", 2) == 3', { a: 'abcb' }, true],
  ['indexOf(a, "z") == null', { a: 'abc' }, true],
  ['indexOf~(a, "B") == 1', { a: 'abc' }, true],
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
  ['null : (a > -1)', {}, true],
  ['null : (a > -1)', { a: 3 }, false],
  ['true : (a in ("x"))', { a: 'x' }, true],
  ['length(a) in (1, 2)', { a: 'ab' }, true],
  ['length(a) not in (1, 2)', { a: 'ab' }, false],
  ['substring(a, 0, 2) : "A*"', { a: 'abc' }, true],
  ['substring(a, 0, 2) like "A*"', { a: 'abc' }, false],
  ['substring(a, 0, 2) regex~ "A."', { a: 'abc' }, true],
]);

describe('compile-time rejections (QuerySyntaxError with position)', () => {
  it.each([
    ['process where a == b', /cannot compare field 'a' with field 'b'/, 15],
    ['process where a : b', /cannot compare field 'a' with field 'b'/, 15],
    ['process where a in ("x", b)', /cannot compare field 'a' with field 'b'/, 15],
    ['process where length(a) > length(b)', /cannot compare an expression over a field with an expression over a field/, 15],
    ['process where nope(a)', /unknown function 'nope'/, 15],
    ['process where length(a, 1) > 0', /takes 1 argument, not 2/, 15],
    ['process where add~(a, 1) > 0', /no case-insensitive/, 15],
    ['process where cidrMatch(a, "10.0.0.0/99")', /not a valid IPv4 or IPv6 CIDR/, 28],
    ['process where a regex "(ab"', /invalid regular expression/, 23],
    ['process where a like 5', /needs string patterns/, 22],
    ['process where a + 1', /expected a condition/, 15],
    ['process where true | unique a', /only '\| head N' and '\| tail N'/, 20],
    ['process where true | head x', /one non-negative integer/, 20],
    ['sequence by a [x where true] by b [y where true]', /same number of join keys/, 35],
    ['sequence [x where true] ![y where true] [z where true]', /needs the sequence to have "with maxspan/, 25],
    ['sequence [x where true]', /at least two/, 1],
    ['join [x where true] [y where true]', /not supported by Elasticsearch EQL/, 1],
  ])('%s', (query, message, column) => {
    const error = compileError(query);
    expect(error.message).toMatch(message);
    expect(error.position.column).toBe(column);
  });
});

describe('compileEql shapes', () => {
  it('adds the event.category clause, or the eventCategoryField override (SPEC §A.3)', () => {
    const q = parseEql('process where true');
    const plain = compileEql(q);
    const override = compileEql(q, { eventCategoryField: 'event_type' });
    if (plain.kind !== 'event' || override.kind !== 'event') throw new Error('expected event queries');
    expect(plain.predicate({ event: { category: ['process'] } })).toBe(true);
    expect(plain.predicate({ event: { category: 'Process' } })).toBe(false);
    expect(plain.predicate({ event_type: 'process' })).toBe(false);
    expect(override.predicate({ event_type: 'process' })).toBe(true);
    expect(compileEql(parseEql('any where true')).kind).toBe('event');
  });

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
  it('a regex with nested quantifiers runs in linear time (no catastrophic backtracking)', () => {
    const match = compileEqlCondition((parseEql('any where a regex "(a+)+b"') as EventQuery).filter.condition);
    const value = 'a'.repeat(50_000);
    const start = performance.now();
    expect(match({ a: value })).toBe(false);
    expect(match({ a: `${value}b` })).toBe(true);
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('a huge bounded repetition is refused instead of exhausting memory', () => {
    expect(compileError('process where a regex "(((a{1000}){1000}){1000})"').message).toMatch(/too large/);
  });

  it('a string literal that looks like code is only data', () => {
    const payload = '"); globalThis.pwned = true; ("';
    const query = `process where a == ${JSON.stringify(payload)}`;
    const c = compileEql(parseEql(query));
    if (c.kind !== 'event') throw new Error('expected an event query');
    expect(c.predicate({ event: { category: 'process' }, a: payload })).toBe(true);
    expect((globalThis as Record<string, unknown>)['pwned']).toBeUndefined();
  });

  it('many-valued fields in a script are bounded', () => {
    const many = Array.from({ length: 200 }, (_, i) => `v${i}`);
    const start = performance.now();
    expect(holds('concat(a, b) == "nope"', { a: many, b: many })).toBe(false);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});
