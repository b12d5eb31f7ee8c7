import { asciiFold } from './wildcard.js';

/**
 * What a query requires of an event's exact-valued fields, so the engine can offer an event only to
 * the rules it may match (engine/dispatch.ts). Each entry is a field and the values an event must
 * have one of: the query cannot match an event whose field (any of its values, SPEC §C) is none of
 * them, a missing field included. It must stay a *necessary* condition of the query; when unsure,
 * leave the field out. An empty map requires nothing.
 *
 * A requirement is exact (the key is the field name: some value of the field is one of the
 * strings) or case-folded (the key is `foldedKey(field)`: some value, ASCII-folded as EQL's `:`,
 * `like~` and `in~` fold it (event/wildcard.ts asciiFold), is one of the strings, which are folded
 * already). `requiredFields` reads a key back.
 */
export type Requirements = ReadonlyMap<string, readonly string[]>;

/** The key of a case-folded requirement on `field`: NUL cannot be written in a rule's field name. */
export function foldedKey(field: string): string {
  return field + FOLDED;
}

const FOLDED = '\u0000~';

/** A requirement's key read back: the field, and whether its values are compared folded. */
export function requiredField(key: string): { field: string; folded: boolean } {
  return key.endsWith(FOLDED) ? { field: key.slice(0, -FOLDED.length), folded: true } : { field: key, folded: false };
}

export const NO_REQUIREMENTS: Requirements = new Map();

/** One field's requirement. */
export function requirement(field: string, values: readonly string[]): Requirements {
  return new Map([[field, values]]);
}

/**
 * One field's case-folded requirement (see Requirements): `values` as written, folded here. None
 * when a folded value is no longer indexable (`"TRUE"` folds to `true`, which a boolean matches).
 */
export function foldedRequirement(field: string, values: readonly string[]): Requirements {
  const folded = [...new Set(values.map(asciiFold))];
  return folded.every(isIndexableValue) ? new Map([[foldedKey(field), folded]]) : NO_REQUIREMENTS;
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

/**
 * `a or b`: one holds, so only fields every side constrains remain, with the values of all sides.
 * A field some sides require exactly and others folded stays required folded: an exact value
 * folds to one of the folded ones (when every folded value is still indexable).
 */
export function disjoin(parts: readonly Requirements[]): Requirements {
  const first = parts[0];
  if (first === undefined) return NO_REQUIREMENTS;
  const out = new Map<string, readonly string[]>();
  const fields = new Set<string>();
  for (const key of first.keys()) fields.add(requiredField(key).field);
  for (const field of fields) {
    const folded = foldedKey(field);
    let all: string[] = [];
    let exact = true;
    let everywhere = true;
    for (const part of parts) {
      const same = part.get(field);
      const other = part.get(folded);
      // Exact on this side when it can be; folded when every side so far was exact: fold them.
      const values = exact && same !== undefined ? same : other;
      if (values === undefined) {
        if (same === undefined) {
          everywhere = false;
          break;
        }
        if (exact) all = all.map(asciiFold);
        exact = false;
        for (const v of same) all.push(asciiFold(v)); // not push(...same): a list of 200,000 values overflows the stack as arguments
        continue;
      }
      if (values === other && exact) {
        all = all.map(asciiFold);
        exact = false;
      }
      for (const v of values) all.push(v);
    }
    if (!everywhere) continue;
    if (exact) out.set(field, [...new Set(all)]);
    else if (all.every(isIndexableValue)) out.set(folded, [...new Set(all)]);
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
