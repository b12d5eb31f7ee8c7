import { describe, expect, it } from 'vitest';
import { QuerySyntaxError } from '../query/syntaxError.js';
import type { KqlField, KqlNode, KqlValue } from './ast.js';
import { parseKql, parseKqlLiteral } from './parse.js';

const name = (n: string, quoted = false): KqlField => ({ kind: 'name', name: n, quoted });
const str = (value: string, quoted = false): KqlValue => ({ kind: 'string', value, quoted });
const wild = (...parts: string[]): KqlValue => ({ kind: 'wildcard', parts });
const is = (field: string, value: KqlValue): KqlNode => ({ type: 'is', field: name(field), value });

function syntaxErrorOf(query: string): QuerySyntaxError {
  try {
    parseKql(query);
  } catch (error) {
    if (error instanceof QuerySyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(query)} to be rejected`);
}

describe('parseKql: structure (SPEC §B.1)', () => {
  it('parses an empty or blank query as match-all', () => {
    expect(parseKql('')).toEqual({ type: 'matchAll' });
    expect(parseKql(' \n\t ')).toEqual({ type: 'matchAll' });
  });

  it('parses field:value', () => {
    expect(parseKql('process.name:bash')).toEqual(is('process.name', str('bash')));
    expect(parseKql('process.name : bash')).toEqual(is('process.name', str('bash')));
  });

  it('gives or lower precedence than and, and and lower than not', () => {
    expect(parseKql('a:1 or b:2 and not c:3')).toEqual({
      type: 'or',
      children: [is('a', str('1')), { type: 'and', children: [is('b', str('2')), { type: 'not', child: is('c', str('3')) }] }],
    });
  });

  it('keeps same-level operands in one flat node', () => {
    expect(parseKql('a:1 and b:2 and c:3')).toEqual({ type: 'and', children: [is('a', str('1')), is('b', str('2')), is('c', str('3'))] });
  });

  it('groups with parentheses', () => {
    expect(parseKql('(a:1 or b:2) and c:3')).toEqual({
      type: 'and',
      children: [{ type: 'or', children: [is('a', str('1')), is('b', str('2'))] }, is('c', str('3'))],
    });
  });

  it('accepts keywords in any case (SPEC §B.1, §E row 47)', () => {
    expect(parseKql('a:1 AND NOT b:2 Or c:3')).toEqual(parseKql('a:1 and not b:2 or c:3'));
  });

  it('needs whitespace around or/and and after not', () => {
    expect(parseKql('a:1 andb')).toEqual(is('a', str('1 andb')));
    expect(() => parseKql('not(a:1)')).toThrow(QuerySyntaxError);
    expect(parseKql('not (a:1)')).toEqual({ type: 'not', child: is('a', str('1')) });
  });

  it('treats a no-break space as whitespace', () => {
    expect(parseKql('a:1 and\u00a0b:2')).toEqual({ type: 'and', children: [is('a', str('1')), is('b', str('2'))] });
  });

  it('expands a value list into one clause per value, keeping and/not/parentheses', () => {
    expect(parseKql('f:(a or (b and not c))')).toEqual({
      type: 'or',
      children: [is('f', str('a')), { type: 'and', children: [is('f', str('b')), { type: 'not', child: is('f', str('c')) }] }],
    });
  });

  it('parses field:* as exists and *:* as match-all', () => {
    expect(parseKql('process.name:*')).toEqual({ type: 'exists', field: name('process.name') });
    expect(parseKql('*:*')).toEqual({ type: 'matchAll' });
  });

  it('parses the four range operators', () => {
    expect(parseKql('a < 1')).toEqual({ type: 'range', field: name('a'), operator: 'lt', value: str('1') });
    expect(parseKql('a<=1')).toEqual({ type: 'range', field: name('a'), operator: 'lte', value: str('1') });
    expect(parseKql('a > "x y"')).toEqual({ type: 'range', field: name('a'), operator: 'gt', value: str('x y', true) });
    expect(parseKql('a >= now-1d')).toEqual({ type: 'range', field: name('a'), operator: 'gte', value: str('now-1d') });
  });

  it('parses nested queries with relative inner fields', () => {
    expect(parseKql('deltas:{ action:ADD and role:{ name:x } }')).toEqual({
      type: 'nested',
      path: 'deltas',
      query: { type: 'and', children: [is('action', str('ADD')), { type: 'nested', path: 'role', query: is('name', str('x')) }] },
    });
  });

  it('parses a value with no field as free text', () => {
    expect(parseKql('"hello world"')).toEqual({ type: 'freeText', value: str('hello world', true) });
    expect(parseKql('foo bar')).toEqual({ type: 'freeText', value: str('foo bar') });
  });

  it('makes field names with an unescaped * patterns, and quoted field names exact', () => {
    expect(parseKql('file.hash.*:*')).toEqual({ type: 'exists', field: { kind: 'pattern', parts: ['file.hash.', ''] } });
    expect(parseKql('"a*b":x')).toEqual({ type: 'is', field: name('a*b', true), value: str('x') });
  });
});

describe('parseKql: values (SPEC §B.2)', () => {
  it('keeps * literal inside quotes and resolves only \\" \\\\ \\t \\r \\n \\uXXXX', () => {
    expect(parseKqlLiteral('"py*"')).toEqual(str('py*', true));
    expect(parseKqlLiteral('"C:\\temp"')).toEqual(str('C:\temp', true));
    expect(parseKqlLiteral('"a\\"b\\\\c\\u0041\\q"')).toEqual(str('a"b\\cA\\q', true));
  });

  it('resolves escapes in unquoted values and treats an escaped * as a literal star', () => {
    expect(parseKqlLiteral('a\\*b')).toEqual(str('a*b'));
    expect(parseKqlLiteral('\\(\\)\\:\\<\\>\\"\\{\\}\\\\')).toEqual(str('():<>"{}\\'));
    expect(parseKqlLiteral('a\\tb\\u0041')).toEqual(str('a\tbA'));
    expect(parseKqlLiteral('\\or \\AND \\NOT')).toEqual(str('or AND NOT'));
  });

  it('reads \\not as an escaped newline followed by "ot", as Kibana does', () => {
    // Kibana's grammar tries \t \r \n before the escaped keywords, so only `\NOT` / `\Not`
    // escape the keyword; `\not` is a newline (SPEC §B.2 lists `\not` as text: Kibana decides).
    expect(parseKqlLiteral('a\\not')).toEqual(str('a\not'));
  });

  it('makes an unescaped * a wildcard, keeping escaped stars inside the pieces', () => {
    expect(parseKqlLiteral('python*')).toEqual(wild('python', ''));
    expect(parseKqlLiteral('a\\*b*c')).toEqual(wild('a*b', 'c'));
  });

  it('does not treat ? as a wildcard', () => {
    expect(parseKqlLiteral('cmd?.exe')).toEqual(str('cmd?.exe'));
  });

  it('trims unquoted values, which may contain spaces and stop before or/and/not', () => {
    expect(parseKql('f:  foo bar   and g:1')).toEqual({ type: 'and', children: [is('f', str('foo bar')), is('g', str('1'))] });
  });

  it('reads unquoted true/false/null as boolean/null and keeps numbers as written', () => {
    expect(parseKqlLiteral('true')).toEqual({ kind: 'boolean', value: true });
    expect(parseKqlLiteral('false')).toEqual({ kind: 'boolean', value: false });
    expect(parseKqlLiteral('null')).toEqual({ kind: 'null' });
    expect(parseKqlLiteral('"true"')).toEqual(str('true', true));
    expect(parseKqlLiteral('070')).toEqual(str('070'));
  });

  it('rejects unescaped special characters in unquoted values', () => {
    for (const bad of ['f:a:b', 'f:a<b', 'f:a\\qb', 'f:a{b']) expect(() => parseKql(bad)).toThrow(QuerySyntaxError);
  });
});

describe('parseKql: errors', () => {
  it('reports Kibana-style expectations at the failing offset', () => {
    const error = syntaxErrorOf('process.name:');
    expect(error.message).toBe('Expected "(", "{", value, whitespace but end of input found.');
    expect(error.position).toEqual({ offset: 13, line: 1, column: 14 });
  });

  it('points at the right line and column in a multi-line query', () => {
    const error = syntaxErrorOf('a:1 and\n  b:2 or\n  c:)');
    expect(error.position).toEqual({ offset: 21, line: 3, column: 5 });
    expect(error.message).toBe('Expected "(", "{", value, whitespace but ")" found.');
  });

  it('rejects unbalanced parentheses and quotes', () => {
    expect(syntaxErrorOf('(a:1').message).toBe('Expected ")", AND, OR but end of input found.');
    expect(syntaxErrorOf('a:"x').position.offset).toBe(2);
  });

  it('turns hostile nesting depth into a syntax error instead of a crash', () => {
    const deep = '('.repeat(50_000) + 'a:1' + ')'.repeat(50_000);
    expect(() => parseKql(deep)).toThrow(QuerySyntaxError);
  });

  it('parses moderately deep nesting quickly (no exponential backtracking)', () => {
    const q = '('.repeat(40) + 'a:' + '('.repeat(40) + 'x' + ')'.repeat(80);
    const start = performance.now();
    expect(parseKql(q)).toEqual(is('a', str('x')));
    expect(performance.now() - start).toBeLessThan(1000);
  });
});
