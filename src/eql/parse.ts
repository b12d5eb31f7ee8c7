import { parse as peggyParse, SyntaxError as PeggySyntaxError } from './generated/eqlParser.js';
import type { Expectation } from './generated/eqlParser.js';
import { QuerySyntaxError, positionAt } from '../query/syntaxError.js';
import type { EqlQuery } from './ast.js';
import { checkNesting, excessParenthesis } from './nesting.js';

/**
 * Parses an EQL query (SPEC §A). Throws QuerySyntaxError with a message for rule authors, also
 * for a query nested too deeply for the stages after the parser (see nesting.ts).
 */
export function parseEql(text: string): EqlQuery {
  const excess = excessParenthesis(text);
  if (excess !== undefined) throw tooDeepToParse(text, excess);
  let query: EqlQuery;
  try {
    // The generated parser's declaration types this start rule as EqlQuery
    // (grammars/eql.options.json); the grammar's actions build that shape.
    query = peggyParse(text, { startRule: 'Start' });
  } catch (error) {
    throw translateError(error, text);
  }
  checkNesting(query);
  return query;
}

function translateError(error: unknown, text: string): unknown {
  // Whatever nesting excessParenthesis does not count (none is known) could still exhaust the
  // parser's stack. Elasticsearch does the same: its parser's StackOverflowError is a parsing error.
  if (error instanceof RangeError) return tooDeepToParse(text, 0);
  if (!(error instanceof PeggySyntaxError)) return error;
  const start = error.location.start;
  const position = positionAt(text, start.offset);
  // A grammar action called error(): its message is already written for people.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- Peggy's .d.ts says `expected` is always set; error() leaves it null.
  if (error.expected === null || error.expected === undefined) {
    return new QuerySyntaxError(error.message, position, Math.max(1, error.location.end.offset - start.offset));
  }
  return new QuerySyntaxError(
    `expected ${describeExpected(error.expected)} but found ${describeFound(error.found)}`,
    position,
    1,
  );
}

/** More parentheses open at once than MAX_PARENTHESIS_DEPTH (nesting.ts): a parse error at `offset`. */
function tooDeepToParse(text: string, offset: number): QuerySyntaxError {
  return new QuerySyntaxError(
    `the query is nested too deeply to parse: flatten it ('a or b or c' and 'x in (...)' need no parentheses however long they are)`,
    positionAt(text, offset),
    1,
  );
}

/** Words for the grammar's expectation sets ("a field name", not `Field`). */
const OTHER_WORDS: Record<string, string | null> = {
  whitespace: null,
  comment: null,
  'field name': 'a field name',
  'function call': 'a function call',
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  'event category': 'an event category',
  'comparison operator': 'a comparison operator',
  'backtick-quoted field name': 'a field name',
  'time unit (ms, s, m, h or d)': 'a time unit (ms, s, m, h or d)',
  'with maxspan=...': "'with maxspan=...'",
  'with runs=N': "'with runs=N'",
  'pipe name (head or tail)': 'a pipe name (head or tail)',
};

/** Expectations that all mean "an operator could continue the expression here". */
const OPERATOR_WORDS = new Set([
  "'in'", "'in~'", "'not'", "'!:'", "':'", "'like'", "'like~'", "'regex'", "'regex~'", "'='", "'['", "'.'", 'a comparison operator', 'an operator',
]);

const LITERAL_WORDS: Record<string, string> = {
  '(': "'('",
  ')': "')'",
  '[': "'['",
  ']': "']'",
  ',': "','",
  '|': "a pipe '|'",
  '"': 'a string',
  '"""': 'a string',
  '`': 'a field name',
  '?': 'a field name',
  '!': "'!['",
  '-': 'a value',
  '+': 'a value',
};

function describeExpected(expected: readonly Expectation[]): string {
  const words: string[] = [];
  const add = (w: string | null): void => {
    if (w !== null && !words.includes(w)) words.push(w);
  };
  let wantsValue = false;
  for (const e of expected) {
    switch (e.type) {
      case 'literal': {
        const t = e.text.toLowerCase();
        if (t === 'null' || t === 'true' || t === 'false' || t === '-' || t === '+' || t === '"' || t === '"""') wantsValue = true;
        else if (LITERAL_WORDS[e.text] !== undefined) add(LITERAL_WORDS[e.text]!);
        else if (/^[a-z~]+$/i.test(e.text)) add(`'${t}'`);
        else add(`'${e.text}'`);
        break;
      }
      case 'other': {
        const value = ['field name', 'function call', 'number', 'string', 'sign'];
        if (value.includes(e.description)) {
          wantsValue = true;
        } else add(OTHER_WORDS[e.description] === undefined ? e.description : OTHER_WORDS[e.description]!);
        break;
      }
      case 'end':
        add('the end of the query');
        break;
      case 'class': {
        const parts = e.parts.map((p) => (Array.isArray(p) ? `${p[0]}-${p[1]}` : p)).join('');
        if (parts === '+\\-' || parts === '+-' || parts === '-+') add('an operator');
        else if (parts === '*/%') add('an operator');
        else if (parts.includes('0-9')) wantsValue = true;
        else add(`one of '${parts}'`);
        break;
      }
      case 'any':
        add('a character');
        break;
    }
  }
  // After a complete operand, Peggy lists every operator that could follow; one phrase says it.
  if (words.includes('a comparison operator') || words.includes('an operator')) {
    const kept = words.filter((w) => !OPERATOR_WORDS.has(w));
    words.length = 0;
    words.push('an operator', ...kept);
  }
  if (wantsValue) words.unshift('a field name or value');
  if (words.length === 0) return 'something else';
  if (words.length === 1) return words[0]!;
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

function describeFound(found: string | null | undefined): string {
  if (found === null || found === undefined) return 'the end of the query';
  if (found === '\n' || found === '\r') return 'the end of the line';
  return `'${found}'`;
}
