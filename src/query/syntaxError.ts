/** Where a problem sits inside a query text (1-based line and column, 0-based offset). */
export interface QueryPosition {
  offset: number;
  line: number;
  column: number;
}

/**
 * A query that cannot be parsed or compiled. The message is written for a rule author ("expected
 * a field name", not a grammar rule name); the position points into the query text so the rule
 * loader can map it to the `.toml` file and draw a caret under it.
 */
export class QuerySyntaxError extends Error {
  override readonly name = 'QuerySyntaxError';
  constructor(
    message: string,
    readonly position: QueryPosition,
    /** How many characters the caret underline spans (at least 1). */
    readonly length: number = 1,
  ) {
    super(message);
  }
}

/** Position of `offset` within `text`, counting lines from 1 and columns from 1. */
export function positionAt(text: string, offset: number): QueryPosition {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset: end, line, column: end - lineStart + 1 };
}
