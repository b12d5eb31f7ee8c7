import { compileFieldReader } from '../event/fields.js';
import type { EcsEvent } from '../event/types.js';
import type { CompiledRule } from './compileRule.js';

/**
 * For an event, the indices (ascending, so alerts keep rule order) of the rules that can match
 * it: those without a category condition, and those whose categories the event has (see
 * eql/categories.ts and kql/nodes/). The union is cached per combination of categories, so an
 * event costs one field read and one map lookup however many rules there are.
 */
export type Dispatch = (event: EcsEvent) => readonly number[];

const readCategory = compileFieldReader('event.category');
/** Combinations seen are few (an event has one to three categories); this only bounds hostile input. */
const MAX_CACHED = 4096;

export function compileDispatch(rules: readonly CompiledRule[]): Dispatch {
  const all = rules.map((_, i) => i);
  const always: number[] = [];
  const byCategory = new Map<string, number[]>();
  rules.forEach((r, i) => {
    if (!r.categories) always.push(i);
    else for (const c of r.categories) byCategory.set(c, [...(byCategory.get(c) ?? []), i]);
  });
  if (byCategory.size === 0) return () => all;
  const cache = new Map<string, number[]>();
  const union = (categories: string[]): number[] => {
    const marked = new Uint8Array(rules.length);
    for (const i of always) marked[i] = 1;
    for (const c of categories) for (const i of byCategory.get(c) ?? []) marked[i] = 1;
    const out: number[] = [];
    for (let i = 0; i < marked.length; i++) if (marked[i]) out.push(i);
    return out;
  };
  return (event) => {
    const values = readCategory(event);
    let key: string;
    let categories: string[];
    if (values.length === 1 && typeof values[0] === 'string') {
      key = values[0];
      categories = [key];
    } else {
      categories = [...new Set(values.filter((v): v is string => typeof v === 'string'))].sort();
      key = categories.join('\u0000');
    }
    let hit = cache.get(key);
    if (hit === undefined) {
      hit = union(categories);
      if (cache.size < MAX_CACHED) cache.set(key, hit);
    }
    return hit;
  };
}
