/**
 * The typed AST of a KQL query (SPEC §B). The parser (grammars/kql.peggy) builds these nodes
 * directly. Kibana's shorthand forms are already expanded here: `f:(a or b)` is an `or` of two
 * `is` nodes, `f:*` is `exists`, a value with no field is `freeText`, and an empty query is
 * `matchAll` — so the compiler only ever sees the operators below.
 */

/** A field name as written. Quoted names are always exact. */
export type KqlField =
  | { kind: 'name'; name: string; quoted: boolean }
  /**
   * An unquoted name with an unescaped `*`: it expands against the event's own flattened field
   * names (SPEC §B.1). `parts` are the literal pieces between the wildcards (escaped `\*` stays
   * inside a part as a literal star), so `parts.length >= 2`.
   */
  | { kind: 'pattern'; parts: string[] };

/** A value as written (SPEC §B.2). */
export type KqlValue =
  /** Quoted, or unquoted without a wildcard. Numbers stay strings; the event value's type decides. */
  | { kind: 'string'; value: string; quoted: boolean }
  /** Unquoted with at least one unescaped `*`; the pieces between stars, as in `KqlField`. */
  | { kind: 'wildcard'; parts: string[] }
  /** Unquoted `true` / `false`. */
  | { kind: 'boolean'; value: boolean }
  /** Unquoted `null`. */
  | { kind: 'null' };

export type KqlRangeOperator = 'lt' | 'lte' | 'gt' | 'gte';

export type KqlNode =
  | { type: 'matchAll' }
  | { type: 'and'; children: KqlNode[] }
  | { type: 'or'; children: KqlNode[] }
  | { type: 'not'; child: KqlNode }
  /** `field:value` with a value other than a lone `*`. */
  | { type: 'is'; field: KqlField; value: KqlValue }
  /** `field:*`. */
  | { type: 'exists'; field: KqlField }
  | { type: 'range'; field: KqlField; operator: KqlRangeOperator; value: KqlValue }
  /** `path:{ query }`: `query`'s field names are relative to `path` (SPEC §B.1). */
  | { type: 'nested'; path: string; query: KqlNode }
  /** A value with no field: it matches when any field of the event matches it (SPEC §B.1). */
  | { type: 'freeText'; value: KqlValue };

export type KqlNodeType = KqlNode['type'];

/** The text of a value as a string operator sees it (wildcards written back as `*`). */
export function valueText(value: KqlValue): string | null {
  switch (value.kind) {
    case 'string':
      return value.value;
    case 'wildcard':
      return value.parts.join('*');
    case 'boolean':
      return String(value.value);
    case 'null':
      return null;
  }
}
