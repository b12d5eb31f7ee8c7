import { parse as peggyParse, SyntaxError as PeggySyntaxError } from './generated/kqlParser.js';
import type { Expectation } from './generated/kqlParser.js';
import { QuerySyntaxError, positionAt } from '../query/syntaxError.js';
import type { KqlNode, KqlValue } from './ast.js';

/**
 * Parses a KQL query into its AST (SPEC §B.1, §B.2). Every failure is a `QuerySyntaxError` whose
 * message reads like Kibana's ("Expected "(", NOT, field name, value but end of input found."),
 * pointing at the offset where Kibana would draw its `---^` caret.
 */
export function parseKql(text: string): KqlNode {
  // The generated parser's declaration types both start rules (grammars/kql.options.json); the
  // grammar's actions build those shapes.
  return withKqlErrors(text, () => peggyParse(text, { startRule: 'start' }));
}

/** Parses one value on its own, as Kibana's `fromLiteralExpression` does (SPEC §B.2). */
export function parseKqlLiteral(text: string): KqlValue {
  return withKqlErrors(text, () => peggyParse(text, { startRule: 'Literal' }));
}

function withKqlErrors<T>(text: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof PeggySyntaxError) {
      const offset = error.location.start.offset;
      throw new QuerySyntaxError(describeSyntaxError(error.expected, error.found), positionAt(text, offset), 1);
    }
    if (error instanceof RangeError) {
      // A hostile query such as 100 000 opening parentheses exhausts the parser's stack.
      throw new QuerySyntaxError('The query is nested too deeply to parse.', positionAt(text, 0), 1);
    }
    throw error;
  }
}

/** Kibana's words for the grammar's rule names (its kuery_syntax_error.ts). */
const RULE_WORDS: Readonly<Record<string, string>> = {
  fieldName: 'field name',
  value: 'value',
  literal: 'literal',
  whitespace: 'whitespace',
};

function expectationText(item: Expectation): string {
  switch (item.type) {
    case 'other':
      return RULE_WORDS[item.description] ?? item.description;
    case 'literal':
      return `"${item.text}"`;
    case 'end':
      return 'end of input';
    case 'any':
      return 'any character';
    case 'class':
      return 'character';
  }
}

/**
 * Kibana's message shape: the unique expectations, sorted by code unit, joined with ", ".
 * Exported for the conformance suite, which compares it with Kibana's own messages.
 */
export function describeSyntaxError(expected: readonly Expectation[] | null, found: string | null | undefined): string {
  const items = [...new Set((expected ?? []).map(expectationText))].sort();
  const foundText = found ? `"${found}"` : 'end of input';
  return `Expected ${items.join(', ')} but ${foundText} found.`;
}

/** The query with Kibana's caret line under the error, for messages shown outside a rule file. */
export function formatKqlSyntaxError(text: string, error: QuerySyntaxError): string {
  return [error.message, text, '-'.repeat(error.position.offset) + '^'].join('\n');
}
