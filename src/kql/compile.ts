import type { Predicate } from '../event/types.js';
import { QuerySyntaxError } from '../query/syntaxError.js';
import type { FieldTypeTable } from '../fieldTypes/index.js';
import type { KqlNode } from './ast.js';
import { builtinTypeContext, compileKqlNode } from './nodes/index.js';

export interface KqlCompileOptions {
  /** The instant `now` means in date math (`@timestamp >= now-1d`); defaults to compile time. */
  now?: number;
  /** Field types (`FieldTypeTable.withMapping` for `--mapping`); defaults to ECS and the integration fields. */
  fieldTypes?: FieldTypeTable;
}

/**
 * Compiles a KQL AST into a predicate over one event, with the detection engine's semantics
 * (SPEC §B.3, §C): each clause as Elasticsearch answers it for the field's type (exact and
 * case-sensitive on keywords, analysed on text); a clause holds when any value of the field
 * satisfies it; a missing field makes a positive clause false and its `not` true. Each node type
 * compiles itself (src/kql/nodes/); all work that does not depend on the event is done here, once
 * per rule.
 */
export function compileKql(node: KqlNode, options: KqlCompileOptions = {}): Predicate {
  const ctx = { ...builtinTypeContext(), ...(options.fieldTypes === undefined ? {} : { fieldTypes: options.fieldTypes }), now: options.now ?? Date.now() };
  try {
    return compileKqlNode(node, ctx);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new QuerySyntaxError('The query is nested too deeply to compile.', { offset: 0, line: 1, column: 1 }, 1);
    }
    throw error;
  }
}
