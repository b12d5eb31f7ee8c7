import { compileFieldReader, type FieldReader } from '../event/fields.js';
import type { EcsEvent } from '../event/types.js';
import type { CompiledRule } from './compileRule.js';
import { compileIndexPatterns, eventIndexNames, namesAlertsOnly } from './indexPattern.js';

/**
 * For an event, the indices (ascending, so alerts keep rule order) of the rules that can match
 * it: the rule index below offers it the rules whose chosen requirement (event/requirements.ts,
 * derived from each query's AST in eql/categories.ts and kql/nodes/) it meets, and the rules that
 * require nothing indexed; and, when the event says which index it is from, only those whose
 * `index` patterns take that index in (indexPattern.ts). Results are cached per combination of
 * index hits and index name, so an event costs a few field reads and map lookups however many
 * rules there are.
 */
export type Dispatch = ((event: EcsEvent) => readonly number[]) & { readonly stats: DispatchStats };

/** How much the rule index saves: events dispatched and rules offered to them in total (`LKM_SCAN_DEBUG`). */
export interface DispatchStats {
  events: number;
  offered: number;
}

/**
 * What a scanner reads: input events, or the alert documents of an earlier stage (chain.ts).
 * Rules whose `index` names only the alerts index read alerts, every other rule reads events.
 */
export type DocumentStream = 'events' | 'alerts';

/**
 * The fields a rule may be indexed by, most selective first: a rule is filed under the first of
 * these it has a requirement on, so an event reaches it only when the event has one of the values.
 * Keyword fields with many values across a pack (a process name, an action) split it finely; the
 * category, type and operating system in a few large parts. Each is read once per event.
 */
export const INDEX_FIELDS: readonly string[] = [
  'process.name',
  'process.parent.name',
  'event.action',
  'event.code',
  'event.provider',
  'event.dataset',
  'data_stream.dataset',
  'event.module',
  'event.category',
  'event.type',
  'host.os.type',
];

/** Combinations seen are few; this only bounds hostile input (an event of 100,000 process names). */
const MAX_CACHED = 4096;

interface IndexedField {
  read: FieldReader;
  /** value → id of the list in `lists` of the rules filed under it. */
  ids: Map<string, number>;
}

export function compileDispatch(rules: readonly CompiledRule[], stream: DocumentStream = 'events'): Dispatch {
  const stats: DispatchStats = { events: 0, offered: 0 };
  const reads = rules.map((r) => namesAlertsOnly(r.rule.index) === (stream === 'alerts'));
  const always: number[] = [];
  const lists: number[][] = [];
  const byField = new Map<string, IndexedField>();
  rules.forEach((r, i) => {
    if (!reads[i]) return;
    const field = INDEX_FIELDS.find((f) => r.requirements.has(f));
    const values = field === undefined ? undefined : r.requirements.get(field);
    if (field === undefined || values === undefined) {
      always.push(i);
      return;
    }
    let indexed = byField.get(field);
    if (indexed === undefined) {
      indexed = { read: compileFieldReader(field), ids: new Map() };
      byField.set(field, indexed);
    }
    for (const value of values) {
      let id = indexed.ids.get(value);
      if (id === undefined) {
        id = lists.length;
        lists.push([]);
        indexed.ids.set(value, id);
      }
      lists[id]!.push(i);
    }
  });
  const fields = [...byField.values()];
  const union = (hits: readonly number[]): number[] => {
    if (hits.length === 0) return always;
    const marked = new Uint8Array(rules.length);
    for (const i of always) marked[i] = 1;
    for (const id of hits) for (const i of lists[id]!) marked[i] = 1;
    const out: number[] = [];
    for (let i = 0; i < marked.length; i++) if (marked[i]) out.push(i);
    return out;
  };
  const cache = new Map<string, number[]>();
  // The ids of the lists an event's values hit, sorted: the key of its candidate rules.
  // seen[id] === stamp: list `id` is already among this event's hits (a hostile event may carry
  // 100,000 process names; a search of the hits per value would be quadratic).
  const seen = new Uint32Array(lists.length);
  let stamp = 0;
  const hitsOf = (event: EcsEvent): number[] => {
    const hits: number[] = [];
    stamp = stamp === 0xffffffff ? (seen.fill(0), 1) : stamp + 1;
    for (const { read, ids } of fields) {
      const values = read(event);
      for (let k = 0; k < values.length; k++) {
        const v = values[k];
        // Indexed values are strings no number or boolean stands for (isIndexableValue).
        if (typeof v !== 'string') continue;
        const id = ids.get(v);
        if (id !== undefined && seen[id] !== stamp) {
          seen[id] = stamp;
          hits.push(id);
        }
      }
    }
    return hits.length > 1 ? hits.sort((a, b) => a - b) : hits;
  };
  const candidatesOf = (event: EcsEvent): { key: string; rules: number[] } => {
    const hits = hitsOf(event);
    const key = hits.join(',');
    let hit = cache.get(key);
    if (hit === undefined) {
      hit = union(hits);
      if (cache.size < MAX_CACHED) cache.set(key, hit);
    }
    return { key, rules: hit };
  };
  const counted = (pick: (event: EcsEvent) => number[]): Dispatch =>
    Object.assign(
      (event: EcsEvent): readonly number[] => {
        const picked = pick(event);
        stats.events++;
        stats.offered += picked.length;
        return picked;
      },
      { stats },
    );
  // Alert documents all come from one index, which every alerts rule names: only events need the index test.
  if (stream === 'alerts') return counted((event) => candidatesOf(event).rules);

  // A rule without `index` (Kibana would search the space's default data view) takes in every index.
  if (!rules.some((r, i) => reads[i] && r.rule.index.length > 0)) return counted((event) => candidatesOf(event).rules);
  const matchers = rules.map((r) => (r.rule.index.length === 0 ? () => true : compileIndexPatterns(r.rule.index)));
  const indexed = new Map<string, number[]>();
  return counted((event) => {
    const { key, rules: candidates } = candidatesOf(event);
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
  });
}
