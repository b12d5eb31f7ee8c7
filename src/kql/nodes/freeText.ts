import { MAX_NESTING } from '../../event/fields.js';
import { ANY } from '../../prefilter/needles.js';
import type { KqlNodeKind, KqlNodeOf } from './kind.js';
import { valueTestOf } from './is.js';

/**
 * A value with no field (`"hello world"`, `hello*`): it matches when any field of the event
 * matches it as `field:value` would (SPEC §B.1), at any depth.
 */
export const freeTextKind: KqlNodeKind<KqlNodeOf<'freeText'>> = {
  compile(node) {
    const test = valueTestOf([node.value]);
    return (event) => anyLeaf(event, test);
  },
  // The value must be some leaf of the line, so `is`'s need of it would be as safe; free text
  // is rare in rules and has never given one. `ANY` is always safe.
  need: () => ANY,
  categories: () => undefined,
};

/**
 * True when any scalar leaf anywhere in the event passes (free text, SPEC §B.1). Nothing deeper
 * than MAX_NESTING levels is looked at (see fields.ts).
 */
function anyLeaf(node: unknown, test: (value: unknown) => boolean, depth = 0): boolean {
  if (node === null || node === undefined || depth > MAX_NESTING) return false;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) if (anyLeaf(node[i], test, depth + 1)) return true;
    return false;
  }
  if (typeof node === 'object') {
    const obj = node as Record<string, unknown>;
    for (const key in obj) {
      if (Object.prototype.hasOwnProperty.call(obj, key) && anyLeaf(obj[key], test, depth + 1)) return true;
    }
    return false;
  }
  return test(node);
}
