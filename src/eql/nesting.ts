import type { EqlQuery, Expr } from './ast.js';
import { QuerySyntaxError } from '../query/syntaxError.js';
import { operandsOf } from './operators/index.js';

/**
 * How many levels an expression may nest: each `and` / `or` inside another, `not`, function call,
 * comparison, sign and arithmetic operator of a chain (`a + b + c` is two levels) adds one. Every
 * later stage (compiler, prefilter, category inference, the compiled predicate itself) walks the
 * tree recursively, so a rule nested 100,000 deep would otherwise end in a stack overflow. Elastic's
 * rules nest less than 15 levels; a long list of alternatives needs none (`a or b or c ...` and
 * `x in (...)` are flat, whatever their length). The parser copes with about three times this
 * depth of parentheses, so it overflows only on queries no check here could have accepted.
 */
export const MAX_EXPRESSION_DEPTH = 256;

/**
 * Throws a QuerySyntaxError at the first expression nested deeper than MAX_EXPRESSION_DEPTH.
 * Walks with an explicit stack: the check itself must not recurse.
 */
export function checkNesting(query: EqlQuery): void {
  const stack: Array<[Expr, number]> = [];
  for (const root of rootsOf(query)) stack.push([root, 1]);
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [expr, depth] = next;
    if (depth > MAX_EXPRESSION_DEPTH) {
      // The caret marks where the offending expression starts; underlining all of it could span pages.
      const { offset, line, column } = expr.at;
      throw new QuerySyntaxError(
        `the query nests expressions more than ${MAX_EXPRESSION_DEPTH} levels deep: flatten it ` +
          `('a or b or c' and 'x in (...)' need no nesting however long they are)`,
        { offset, line, column },
        1,
      );
    }
    for (const child of operandsOf(expr)) stack.push([child, depth + 1]);
  }
}

/**
 * How many parentheses may be open at once. Parentheses around one comparison build no tree, so
 * checkNesting cannot see them; the parser recurses on each. Where its stack runs out depends on
 * how far V8 has optimised the parser (an optimised frame is smaller), so without this limit the
 * same query could parse in one run and overflow in the next. Well below where it overflows when
 * cold (about 750), far above any rule's need.
 */
export const MAX_PARENTHESIS_DEPTH = 500;

/**
 * The offset of the first `(` opened beyond MAX_PARENTHESIS_DEPTH, outside strings, backtick
 * names and comments; undefined when there is none. A lexical scan, one pass, no recursion: the
 * parser reports any other problem of the text.
 */
export function excessParenthesis(text: string): number | undefined {
  let depth = 0;
  let i = 0;
  const n = text.length;
  const skipTo = (close: string, from: number): number => {
    const at = text.indexOf(close, from);
    return at < 0 ? n : at + close.length;
  };
  while (i < n) {
    const c = text[i];
    if (c === '(') {
      depth++;
      if (depth > MAX_PARENTHESIS_DEPTH) return i;
      i++;
    } else if (c === ')') {
      depth = Math.max(0, depth - 1);
      i++;
    } else if (text.startsWith('"""', i)) i = skipTo('"""', i + 3);
    else if (c === '"' || c === "'") {
      // A quoted string; a backslash escapes the next character.
      i++;
      while (i < n && text[i] !== c) i += text[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '`') i = skipTo('`', i + 1); // a doubled backtick reads as two names here: harmless
    else if (text.startsWith('//', i)) i = skipTo('\n', i + 2);
    else if (text.startsWith('/*', i)) i = skipTo('*/', i + 2);
    else i++;
  }
  return undefined;
}

function rootsOf(query: EqlQuery): Expr[] {
  const pipeArgs = query.pipes.flatMap((p) => p.args);
  switch (query.type) {
    case 'event':
      return [query.filter.condition, ...pipeArgs];
    case 'sequence':
      return [
        ...query.by,
        ...query.steps.flatMap((s) => [s.filter.condition, ...s.by]),
        ...(query.until ? [query.until.filter.condition, ...query.until.by] : []),
        ...pipeArgs,
      ];
    case 'sample':
    case 'join':
      return [...query.by, ...query.steps.flatMap((s) => [s.filter.condition, ...s.by]), ...pipeArgs];
  }
}
