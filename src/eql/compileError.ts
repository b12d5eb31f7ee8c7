import { QuerySyntaxError } from '../query/syntaxError.js';
import type { Expr, SourceSpan } from './ast.js';
import { RegexSyntaxError } from './regex.js';

/** Throws a QuerySyntaxError pointing at `node` (compile-time problems are reported like parse errors). */
export function failAt(node: { at: SourceSpan }, message: string): never {
  const { offset, line, column, length } = node.at;
  throw new QuerySyntaxError(message, { offset, line, column }, length);
}

/** Reports a Lucene pattern error at the pattern literal. */
export function regexFailure(pattern: Expr, error: unknown): never {
  if (error instanceof RegexSyntaxError) return failAt(pattern, error.message);
  throw error;
}
