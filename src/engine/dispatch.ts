import { compileFieldReader, type FieldReader } from '../event/fields.js';
import { foldedKey } from '../event/requirements.js';
import type { EcsEvent } from '../event/types.js';
import { asciiFold } from '../event/wildcard.js';
import type { LineRules } from '../prefilter/lineRules.js';
import type { Need } from '../prefilter/needles.js';
import type { CompiledRule } from './compileRule.js';
import { compileIndexPatterns, eventIndexNames, namesAlertsOnly } from './indexPattern.js';

/**
 * For an event, the indices (ascending, so alerts keep rule order) of the rules that can match
 * it: the rule index below offers it the rules whose chosen requirement (event/requirements.ts,
 * derived from each query's AST in eql/categories.ts and kql/nodes/) it meets, and the rules that
 * require nothing indexed; and, when the event says which index it is from, only those whose
 * `index` patterns take that index in (indexPattern.ts). Results are cached per combination of
 * index hits and index name, so an event costs a few field reads and map lookups however many
 * rules there are. Of those, an event parsed from a line the prefilter looked at gets only the
 * rules the line may match (`rules`, prefilter/lineRules.ts): those whose needles it holds, and
 * those offered every line.
 */
export type Dispatch = ((event: EcsEvent, rules?: LineRules) => readonly number[]) & { readonly stats: DispatchStats };

/**
 * How much the rule index and the prefilter's line rules save (`LKM_SCAN_DEBUG`): events
 * dispatched, the rules the index chose for them in total, and of those the rules offered (also
 * in the line's rules).
 */
export interface DispatchStats {
  events: number;
  indexed: number;
  offered: number;
}

/**
 * What a scanner reads: input events, or the alert documents of an earlier stage (chain.ts).
 * Rules whose `index` names only the alerts index read alerts, every other rule reads events.
 */
export type DocumentStream = 'events' | 'alerts';

/**
 * The keys a rule may be indexed by, most selective first: a rule is filed under the first key it
 * has requirements on (every field of it), so an event reaches it only when it has one of the
 * values (for a pair, one value of each field the rule allows). Keyword fields with many values
 * across a pack (a process name, an action) split it finely; the category with the operating
 * system in a few dozen parts, which keeps a Linux event from the Windows rules of its category.
 * Each field is read once per event.
 */
export const INDEX_KEYS: ReadonlyArray<readonly [string] | readonly [string, string]> = [
  ['process.name'],
  ['process.parent.name'],
  ['event.action'],
  ['event.code'],
  ['event.provider'],
  ['event.dataset'],
  ['data_stream.dataset'],
  ['event.module'],
  ['event.category', 'host.os.type'],
  ['event.category'],
  ['host.os.type', 'event.type'],
  ['host.os.type'],
  ['event.type'],
];

/** Combinations seen are few; this only bounds hostile input (an event of 100,000 process names). */
const MAX_CACHED = 4096;
/** A rule is filed under a pair of fields only for this many value pairs at most (else a later key). */
const MAX_PAIRS = 10_000;

/**
 * value (of the first field) → value of the second field, or '' for a one-field key → list id.
 * A field whose requirement is case-folded (event/requirements.ts) is looked up by its folded values.
 */
interface IndexedKey {
  first: FieldReader;
  firstFolded: boolean;
  second: FieldReader | undefined;
  secondFolded: boolean;
  ids: Map<string, Map<string, number>>;
}

/**
 * What the prefilter is compiled from (prefilter/compile.ts): each rule's need, or undefined for a
 * rule that reads alerts, never input lines, so that no line is parsed for it alone.
 */
export function lineNeeds(rules: readonly CompiledRule[]): (Need | undefined)[] {
  return rules.map((r) => (namesAlertsOnly(r.rule.index) ? undefined : r.need));
}

export function compileDispatch(rules: readonly CompiledRule[], stream: DocumentStream = 'events'): Dispatch {
  const stats: DispatchStats = { events: 0, indexed: 0, offered: 0 };
  const reads = rules.map((r) => namesAlertsOnly(r.rule.index) === (stream === 'alerts'));
  const always: number[] = [];
  const lists: number[][] = [];
  // By the key's fields and whether each is folded: one key may file rules both ways.
  const byKey = new Map<string, IndexedKey>();
  const file = (indexed: IndexedKey, first: string, second: string, rule: number): void => {
    let inner = indexed.ids.get(first);
    if (inner === undefined) {
      inner = new Map();
      indexed.ids.set(first, inner);
    }
    let id = inner.get(second);
    if (id === undefined) {
      id = lists.length;
      lists.push([]);
      inner.set(second, id);
    }
    lists[id]!.push(rule);
  };
  // A field's requirement: exact when the rule has one (a string compare, cheaper), else folded.
  const required = (r: CompiledRule, field: string): { values: readonly string[]; folded: boolean } | undefined => {
    const exact = r.requirements.get(field);
    if (exact !== undefined) return { values: exact, folded: false };
    const folded = r.requirements.get(foldedKey(field));
    return folded === undefined ? undefined : { values: folded, folded: true };
  };
  rules.forEach((r, i) => {
    if (!reads[i]) return;
    for (const key of INDEX_KEYS) {
      const firsts = required(r, key[0]);
      const seconds = key.length === 2 ? required(r, key[1]) : { values: [''], folded: false };
      if (firsts === undefined || seconds === undefined || firsts.values.length * seconds.values.length > MAX_PAIRS) continue;
      const name = `${key.join(',')}\u0000${firsts.folded}\u0000${seconds.folded}`;
      let indexed = byKey.get(name);
      if (indexed === undefined) {
        indexed = {
          first: compileFieldReader(key[0]),
          firstFolded: firsts.folded,
          second: key.length === 2 ? compileFieldReader(key[1]) : undefined,
          secondFolded: seconds.folded,
          ids: new Map(),
        };
        byKey.set(name, indexed);
      }
      for (const first of firsts.values) for (const second of seconds.values) file(indexed, first, second, i);
      return;
    }
    always.push(i);
  });
  const keys = [...byKey.values()];
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
    const hit = (id: number | undefined): void => {
      if (id !== undefined && seen[id] !== stamp) {
        seen[id] = stamp;
        hits.push(id);
      }
    };
    for (const { first, firstFolded, second, secondFolded, ids } of keys) {
      const values = first(event);
      // Inner maps already walked for this key: a value repeated 100,000 times is looked at once.
      const walked = values.length > 1 ? new Set<Map<string, number>>() : undefined;
      for (let k = 0; k < values.length; k++) {
        const v = values[k];
        // Indexed values are strings no number or boolean stands for (isIndexableValue).
        if (typeof v !== 'string') continue;
        const inner = ids.get(firstFolded ? asciiFold(v) : v);
        if (inner === undefined || walked?.has(inner)) continue;
        walked?.add(inner);
        if (second === undefined) {
          hit(inner.get(''));
          continue;
        }
        const others = second(event);
        for (let j = 0; j < others.length; j++) {
          const w = others[j];
          if (typeof w === 'string') hit(inner.get(secondFolded ? asciiFold(w) : w));
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
  const narrow = narrowToLine(rules.length);
  const counted = (pick: (event: EcsEvent) => number[]): Dispatch =>
    Object.assign(
      (event: EcsEvent, lineRules?: LineRules): readonly number[] => {
        const indexed = pick(event);
        const picked = lineRules === undefined ? indexed : narrow(indexed, lineRules);
        stats.events++;
        stats.indexed += indexed.length;
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
  // Per index name, per rule: 1 when its patterns take the name in, -1 when not, 0 not asked yet.
  // A new combination of index hits then costs a look-up per rule, not its patterns again.
  const takes = new Map<string, Int8Array>();
  const takesOf = (name: string): Int8Array => {
    let known = takes.get(name);
    if (known === undefined) {
      known = new Int8Array(rules.length);
      if (takes.size < MAX_CACHED) takes.set(name, known);
    }
    return known;
  };
  const taken = (known: Int8Array, name: string, i: number): boolean => {
    if (known[i] === 0) known[i] = matchers[i]!(name) ? 1 : -1;
    return known[i] === 1;
  };
  return counted((event) => {
    const { key, rules: candidates } = candidatesOf(event);
    const names = eventIndexNames(event);
    // An event that does not say where it is from is seen by every rule, as before index patterns.
    if (names === undefined) return candidates;
    const indexKey = names.join('\u0001') + '\u0002' + key;
    let hit = indexed.get(indexKey);
    if (hit === undefined) {
      const known = names.map(takesOf);
      hit = candidates.filter((i) => names.some((n, k) => taken(known[k]!, n, i)));
      if (indexed.size < MAX_CACHED) indexed.set(indexKey, hit);
    }
    return hit;
  });
}

/**
 * `indexed ∩ rules`, ascending: a walk of the index's choice (a few dozen rules) after marking the
 * line's listed rules, so a line costs what its own rules and the index's choice number, never
 * the pack. A line that lists none (parsed only for the rules offered every line) gets the
 * index's choice filtered by `free` alone, cached per choice, since such lines are most of them.
 */
function narrowToLine(ruleCount: number): (indexed: readonly number[], rules: LineRules) => readonly number[] {
  // marked[i] === stamp: rule i is listed for the line being dispatched.
  const marked = new Uint32Array(ruleCount);
  let stamp = 0;
  const freeOf = new WeakMap<readonly number[], { free: Uint8Array; picked: number[] }>();
  return (indexed, { listed, free }) => {
    if (listed === undefined) return indexed;
    if (listed.length === 0) {
      const known = freeOf.get(indexed);
      if (known !== undefined && known.free === free) return known.picked;
      const picked = indexed.filter((i) => free[i] === 1);
      freeOf.set(indexed, { free, picked });
      return picked;
    }
    stamp = stamp === 0xffffffff ? (marked.fill(0), 1) : stamp + 1;
    for (let k = 0; k < listed.length; k++) marked[listed[k]!] = stamp;
    const picked: number[] = [];
    for (let k = 0; k < indexed.length; k++) {
      const i = indexed[k]!;
      if (free[i] === 1 || marked[i] === stamp) picked.push(i);
    }
    return picked;
  };
}
