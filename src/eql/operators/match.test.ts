import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileError, holds, needleTable, rejectionTable, table, typedRejectionTable, typedTable } from '../../../test/support/eqlOperators.js';

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

table('on computed values they run as scripts (SPEC §A.2)', [
  ['length(a) : 2', { a: ['en-US', 'en'] }, true], // any value of a multi-valued field
  ['a - 1 : 81', { a: 82 }, true],
  ['null : (a > -1)', {}, true],
  ['null : (a > -1)', { a: 3 }, false],
  ['true : (a in ("x"))', { a: 'x' }, true],
  ['substring(a, 0, 2) : "A*"', { a: 'abc' }, true],
  ['substring(a, 0, 2) like "A*"', { a: 'abc' }, false],
  ['substring(a, 0, 2) regex~ "A."', { a: 'abc' }, true],
  ['length(a) : 2', {}, false],
]);

needleTable('needles: none, since folding case or a pattern may accept text written otherwise', [
  ['a : "cmd.exe"', undefined],
  ['a : ("x", "y")', undefined],
  ['a like "ab*"', undefined],
  ['a regex "abc"', undefined],
]);

rejectionTable('compile-time rejections (QuerySyntaxError with position)', [
  ['process where a : b', /cannot compare field 'a' with field 'b'/, 15],
  ['process where a regex "(ab"', /invalid regular expression/, 23],
  ['process where a like 5', /needs string patterns/, 22],
  ['process where a like null', /needs string patterns, not null/, 22],
  ['process where length(a) like 5', /needs string patterns/, 30],
]);

describe('hostile patterns', () => {
  it('a regex with nested quantifiers runs in linear time (no catastrophic backtracking)', () => {
    const value = 'a'.repeat(50_000);
    const start = performance.now();
    expect(holds('a regex "(a+)+b"', { a: value })).toBe(false);
    expect(holds('a regex "(a+)+b"', { a: `${value}b` })).toBe(true);
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('a huge bounded repetition is refused instead of exhausting memory', () => {
    expect(compileError('process where a regex "(((a{1000}){1000}){1000})"').message).toMatch(/too large/);
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

typedTable('`:`, like and regex on keyword fields and on a text field with a keyword multi-field match as always', TYPES, [
  ['k : "foo"', { k: 'FOO' }, true],
  ['tk : "foo*"', { tk: 'Foo Bar' }, true],
  ['tk like "Foo*"', { tk: 'Foo Bar' }, true],
  ['tk.raw regex "Foo.*"', { tk: 'Foo Bar' }, true],
  ['tk.raw : null', {}, true],
]);

typedRejectionTable('`:`, like and regex take strings only (eql VerifierTests: testIncorrectUsageOfStringEquals, testMultiField)', TYPES, [
  ['any where n : 123', /^first argument of \[:\] must be \[string\], found value \[n\] type \[long\]; consider using \[==\] instead/, 11],
  ['any where d : "2024-05-01"', /^first argument of \[:\] must be \[string\], found value \[d\] type \[datetime\]/, 11],
  ['any where ip like "10.*"', /^first argument of \[like\] must be \[string\], found value \[ip\] type \[ip\]$/, 11],
  ['any where b regex "t.*"', /^first argument of \[regex\] must be \[string\], found value \[b\] type \[boolean\]/, 11],
  ['any where t : "x"', /^\[:\] cannot operate on first argument field of data type \[text\]: No keyword\/multi-field defined exact matches for \[t\]/, 11],
  ['any where t like~ "x*"', /^\[like~\] cannot operate on first argument field of data type \[text\]/, 11],
  ['any where kn regex "x.*"', /^\[regex\] cannot operate on first argument field of data type \[keyword\]: Normalized keyword/, 11],
]);

describe('a list of patterns answers as its patterns one by one', () => {
  // The query leaf folds the value once and looks plain patterns up in a set; the script form
  // (`concat(a)` is no field) still tests each pattern on its own: both must agree.
  const piece = fc.constantFrom('a', 'b', 'A', 'B', 'é', 'É', '*', '?', '.', '/', 'exe');
  const text = fc.array(piece, { maxLength: 6 }).map((p) => p.join(''));
  const literal = fc.oneof({ weight: 5, arbitrary: text.map((t) => JSON.stringify(t)) }, { weight: 1, arbitrary: fc.constantFrom('3', '3.0', 'true') });
  it('for :, like and like~, on strings and numeric text', () => {
    fc.assert(
      fc.property(fc.constantFrom(':', 'like', 'like~', '!:'), fc.array(literal, { minLength: 1, maxLength: 6 }), fc.oneof(text, fc.constantFrom('3', 'true')), (op, literals, value) => {
        const list = op.startsWith('like') ? literals.filter((l) => l.startsWith('"')) : literals;
        if (list.length === 0) return;
        const patterns = `(${list.join(', ')})`;
        const event = { a: value };
        expect(holds(`a ${op} ${patterns}`, event), `a ${op} ${patterns} on ${value}`).toBe(holds(`concat(a) ${op} ${patterns}`, event));
      }),
      { numRuns: 600 },
    );
  });
});
