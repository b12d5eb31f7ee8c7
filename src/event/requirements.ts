/**
 * What a query requires of an event's exact-valued fields, so the engine can offer an event only to
 * the rules it may match (engine/dispatch.ts). Each entry is a field and the values an event must
 * have one of: the query cannot match an event whose field (any of its values, SPEC §C) is none of
 * them, a missing field included. It must stay a *necessary* condition of the query; when unsure,
 * leave the field out. An empty map requires nothing.
 */
export type Requirements = ReadonlyMap<string, readonly string[]>;

export const NO_REQUIREMENTS: Requirements = new Map();

/** One field's requirement. */
export function requirement(field: string, values: readonly string[]): Requirements {
  return new Map([[field, values]]);
}

/**
 * `a and b`: both hold, so each requirement of either does. For a field both constrain the first is
 * kept, not the intersection: a multi-valued field (`event.category: [process, network]`) may meet
 * each side with a different value.
 */
export function conjoin(parts: readonly Requirements[]): Requirements {
  const out = new Map<string, readonly string[]>();
  for (const part of parts) for (const [field, values] of part) if (!out.has(field)) out.set(field, values);
  return out;
}

/** `a or b`: one holds, so only fields every side constrains remain, with the values of all sides. */
export function disjoin(parts: readonly Requirements[]): Requirements {
  const [first, ...rest] = parts;
  if (first === undefined) return NO_REQUIREMENTS;
  const out = new Map<string, readonly string[]>();
  for (const [field, values] of first) {
    const all = [...values];
    let everywhere = true;
    for (const part of rest) {
      const more = part.get(field);
      if (more === undefined) {
        everywhere = false;
        break;
      }
      for (const v of more) all.push(v); // not push(...more): a list of 200,000 values overflows the stack as arguments
    }
    if (everywhere) out.set(field, [...new Set(all)]);
  }
  return out;
}

/**
 * A value the dispatch may index: one an event string equals exactly and no number or boolean can
 * stand for (`5` matches `"5"` and `5.0` alike; `true` matches `true` and `"true"`), which keeps
 * the index to comparing strings. Numbers' text is left out whatever its spelling.
 */
export function isIndexableValue(text: string): boolean {
  return text !== '' && !NUMBERISH.test(text) && !WORDS.has(text);
}

const NUMBERISH = /^[\s0-9.eE+-]*$/;
const WORDS = new Set(['true', 'false', 'Infinity', '-Infinity', '+Infinity', 'NaN']);
