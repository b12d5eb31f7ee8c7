import { compileFieldReader } from '../event/fields.js';
import type { EcsEvent } from '../event/types.js';
import type { CompiledRule } from './compileRule.js';
import { compileIndexPatterns, eventIndexNames, namesAlertsOnly } from './indexPattern.js';

/**
 * For an event, the indices (ascending, so alerts keep rule order) of the rules that can match
 * it: those without a category condition, and those whose categories the event has (see
 * eql/categories.ts and kql/nodes/), and, when the event says which index it is from, whose
 * `index` patterns take that index in (indexPattern.ts). The result is cached per combination of
 * categories and index, so an event costs a few field reads and one or two map lookups however
 * many rules there are.
 */
export type Dispatch = (event: EcsEvent) => readonly number[];

/**
 * What a scanner reads: input events, or the alert documents of an earlier stage (chain.ts).
 * Rules whose `index` names only the alerts index read alerts, every other rule reads events.
 */
export type DocumentStream = 'events' | 'alerts';

const readCategory = compileFieldReader('event.category');
/** Combinations seen are few (an event has one to three categories); this only bounds hostile input. */
const MAX_CACHED = 4096;

export function compileDispatch(rules: readonly CompiledRule[], stream: DocumentStream = 'events'): Dispatch {
  const reads = rules.map((r) => namesAlertsOnly(r.rule.index) === (stream === 'alerts'));
  const always: number[] = [];
  const byCategory = new Map<string, number[]>();
  rules.forEach((r, i) => {
    if (!reads[i]) return;
    if (!r.categories) always.push(i);
    else for (const c of r.categories) byCategory.set(c, [...(byCategory.get(c) ?? []), i]);
  });
  const union = (categories: string[]): number[] => {
    const marked = new Uint8Array(rules.length);
    for (const i of always) marked[i] = 1;
    for (const c of categories) for (const i of byCategory.get(c) ?? []) marked[i] = 1;
    const out: number[] = [];
    for (let i = 0; i < marked.length; i++) if (marked[i]) out.push(i);
    return out;
  };
  const all = always.length === rules.length ? always : undefined;
  const cache = new Map<string, number[]>();
  const byCategories = (event: EcsEvent): { key: string; rules: number[] } => {
    if (all) return { key: '', rules: all };
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
    return { key, rules: hit };
  };
  // Alert documents all come from one index, which every alerts rule names: only events need the index test.
  if (stream === 'alerts') return (event) => byCategories(event).rules;

  // A rule without `index` (Kibana would search the space's default data view) takes in every index.
  if (!rules.some((r, i) => reads[i] && r.rule.index.length > 0)) return (event) => byCategories(event).rules;
  const matchers = rules.map((r) => (r.rule.index.length === 0 ? () => true : compileIndexPatterns(r.rule.index)));
  const indexed = new Map<string, number[]>();
  return (event) => {
    const { key, rules: candidates } = byCategories(event);
    const names = eventIndexNames(event);
    // An event that does not say where it is from is seen by every rule, as before index patterns.
    if (names === undefined) return candidates;
    const indexKey = names.join('\u0001') + '\u0002' + key;
    let hit = indexed.get(indexKey);
    if (hit === undefined) {
      hit = candidates.filter((i) => names.some((n) => matchers[i]!(n)));
      if (indexed.size < MAX_CACHED) indexed.set(indexKey, hit);
    }
    return hit;
  };
}
