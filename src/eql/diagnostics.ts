import { QuerySyntaxError } from '../query/syntaxError.js';
import { parseCidr, type Cidr } from '../event/cidr.js';
import type { CallExpr, Expr, SourceSpan } from './ast.js';
import type { LeafLiteral } from './compare.js';
import { FUNCTION_NAMES, lookupFunction, type FunctionSpec } from './functions.js';
import { RegexSyntaxError } from './regex.js';

/** Throws a QuerySyntaxError pointing at `node` (compile-time problems are reported like parse errors). */
export function failAt(node: { at: SourceSpan }, message: string): never {
  const { offset, line, column, length } = node.at;
  throw new QuerySyntaxError(message, { offset, line, column }, length);
}

/** The value of a literal node; `null` for the null literal, `undefined` when `expr` is not a literal. */
export function literalOf(expr: Expr): LeafLiteral | null | undefined {
  switch (expr.type) {
    case 'string':
    case 'number':
    case 'boolean':
      return expr.value;
    case 'null':
      return null;
    default:
      return undefined;
  }
}

/** A CIDR argument of cidrMatch: a string literal holding an IPv4 or IPv6 block. */
export function parseCidrLiteral(expr: Expr): Cidr {
  if (expr.type !== 'string') return failAt(expr, 'cidrMatch needs CIDR blocks as string literals, e.g. "10.0.0.0/8"');
  const cidr = parseCidr(expr.value);
  if (cidr === null) return failAt(expr, `"${expr.value}" is not a valid IPv4 or IPv6 CIDR block`);
  return cidr;
}

/** Reports a Lucene pattern error at the pattern literal. */
export function regexFailure(pattern: Expr, error: unknown): never {
  if (error instanceof RegexSyntaxError) return failAt(pattern, error.message);
  throw error;
}

/** Resolves a call's function and checks its arity and `~` use (SPEC §A.8). */
export function checkCall(expr: CallExpr): FunctionSpec {
  const spec = lookupFunction(expr.name);
  if (spec === undefined) {
    return failAt(expr, `unknown function '${expr.name}': EQL functions are ${FUNCTION_NAMES.join(', ')}`);
  }
  if (expr.caseInsensitive && !spec.acceptsTilde) failAt(expr, `function '${spec.name}' has no case-insensitive '~' variant`);
  const n = expr.args.length;
  if (n < spec.minArgs || n > spec.maxArgs) {
    const want =
      spec.maxArgs === Infinity
        ? `at least ${spec.minArgs}`
        : spec.minArgs === spec.maxArgs
          ? `${spec.minArgs}`
          : `${spec.minArgs} to ${spec.maxArgs}`;
    failAt(expr, `function '${spec.name}' takes ${want} argument${want === '1' ? '' : 's'}, not ${n}`);
  }
  return spec;
}
