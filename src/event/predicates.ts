import type { EcsEvent, Predicate } from './types.js';

/**
 * AND / OR of compiled predicates, shared by the EQL and KQL compilers and the rule compiler.
 * Small arities get closures without a loop: these run for every clause of every rule on every event.
 */
export function allOf(predicates: readonly Predicate[]): Predicate {
  switch (predicates.length) {
    case 0:
      return () => true;
    case 1:
      return predicates[0]!;
    case 2: {
      const a = predicates[0]!;
      const b = predicates[1]!;
      return (event) => a(event) && b(event);
    }
    default:
      return (event) => {
        for (let i = 0; i < predicates.length; i++) if (!predicates[i]!(event)) return false;
        return true;
      };
  }
}

export function anyOf(predicates: readonly Predicate[]): Predicate {
  switch (predicates.length) {
    case 0:
      return () => false;
    case 1:
      return predicates[0]!;
    case 2: {
      const a = predicates[0]!;
      const b = predicates[1]!;
      return (event) => a(event) || b(event);
    }
    default:
      return (event) => {
        for (let i = 0; i < predicates.length; i++) if (predicates[i]!(event)) return true;
        return false;
      };
  }
}

/**
 * A clause compiled once for every rule that writes it, and answered once per event. A pack of
 * 2,000 rules writes the same clause (`host.os.type == "windows"`, `event.type in ("start",
 * "process_started")`, `process.name : "cmd.exe"`) in tens or hundreds of rules, and each event
 * reaches about a hundred of them; the first rule to ask computes the answer, the others read it.
 *
 * `key` must name everything the compiled predicate depends on (the clause's AST without source
 * positions, the field types table, `now` when date math reads it): two clauses with one key must
 * be the same function of the event. `compile` runs only for a new key; a compile error is not
 * remembered, so the clause's own rule reports it. The answer is remembered by event identity, as
 * the field readers of event/fields.ts remember values: an event object is never changed once
 * parsed (objects inside one, which nested queries test, are events of their own here).
 */
export function sharedClause(key: string, compile: () => Predicate): Predicate {
  const known = sharedClauses.get(key);
  if (known !== undefined) return known;
  const predicate = memoizedPerEvent(compile());
  // Past the limit (hostile or generated packs), clauses are still memoised, only not shared.
  if (sharedClauses.size < SHARED_CLAUSE_LIMIT) sharedClauses.set(key, predicate);
  return predicate;
}

/** Enough for every clause of the whole Elastic pack several times over. */
const SHARED_CLAUSE_LIMIT = 200_000;
const sharedClauses = new Map<string, Predicate>();

/** `test`, answering again for the event it answered last without running. */
export function memoizedPerEvent(test: Predicate): Predicate {
  let lastEvent: EcsEvent | undefined;
  let lastResult = false;
  return (event) => {
    if (event !== lastEvent) {
      lastResult = test(event);
      lastEvent = event;
    }
    return lastResult;
  };
}

/**
 * A number naming one field types table within this process, for the keys of `sharedClause`: a
 * clause means what the table says of its field, so clauses compiled against two tables never share.
 */
export function tableIdentity(table: object | undefined): string {
  if (table === undefined) return 'none';
  let id = tableIds.get(table);
  if (id === undefined) {
    id = nextTableId++;
    tableIds.set(table, id);
  }
  return String(id);
}

const tableIds = new WeakMap<object, number>();
let nextTableId = 1;
