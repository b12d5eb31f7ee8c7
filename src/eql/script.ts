import type { EcsEvent } from '../event/types.js';
import type { FieldRef } from './ast.js';
import type { ScalarReader } from './fieldPath.js';
import { scalarsOf } from '../event/fields.js';
import type { FieldTypeTable } from '../fieldTypes/index.js';
import { fieldReader } from './fieldTypes.js';
import type { Env, ScriptFn } from './operators/operator.js';

/**
 * Expressions Elasticsearch can only run as a Painless script (SPEC §A.2 exception): arithmetic,
 * most functions, comparisons of computed values. They evaluate with null propagation and
 * three-valued logic: a null operand gives null, `not null` is null, and a null condition does not
 * match. Each field gets a slot; the script runs once per combination of the fields' values and
 * matches when any combination yields true — Elasticsearch evaluates scripts over every value of a
 * multi-valued field.
 */

/** Field slots shared by the expressions of one script. */
export class ScriptFields {
  private readonly slots = new Map<string, number>();
  readonly readers: ScalarReader[] = [];

  /** `fieldTypes`: a multi-field reads its parent's value, a null_value stands in for null (fieldTypes.ts). */
  constructor(readonly fieldTypes?: FieldTypeTable) {}

  slotOf(field: FieldRef): number {
    const key = JSON.stringify(field.path);
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.readers.length;
      this.slots.set(key, slot);
      const read = fieldReader(this.fieldTypes, field);
      this.readers.push((event) => scalarsOf(read(event)));
    }
    return slot;
  }
}

/** Beyond this many value combinations a script stops looking (a bound on hostile events). */
const MAX_COMBINATIONS = 4096;

/**
 * A compiled script as a predicate: true when some combination of its fields' values gives true.
 * Each operator compiles its own script form (operators/); this is the loop that feeds them values.
 */
export function scriptPredicate(fn: ScriptFn, fields: ScriptFields): (event: EcsEvent) => boolean {
  const readers = fields.readers;
  const n = readers.length;
  if (n === 0) {
    const constant = fn([]) === true;
    return () => constant;
  }
  if (n === 1) {
    const read = readers[0]!;
    const env: Env = [null];
    return (event) => {
      const values = read(event);
      if (values.length === 0) {
        env[0] = null;
        return fn(env) === true;
      }
      for (const v of values) {
        env[0] = v;
        if (fn(env) === true) return true;
      }
      return false;
    };
  }
  return (event) => {
    const lists = readers.map((r) => r(event));
    const env: Env = lists.map((l) => (l.length === 0 ? null : l[0]!));
    if (lists.every((l) => l.length <= 1)) return fn(env) === true;
    // Odometer over the value lists.
    const idx = new Array<number>(n).fill(0);
    for (let count = 0; count < MAX_COMBINATIONS; count++) {
      if (fn(env) === true) return true;
      let k = 0;
      for (; k < n; k++) {
        const list = lists[k]!;
        if (idx[k]! + 1 < list.length) {
          idx[k]!++;
          env[k] = list[idx[k]!]!;
          break;
        }
        idx[k] = 0;
        env[k] = list.length === 0 ? null : list[0]!;
      }
      if (k === n) return false;
    }
    return false;
  };
}
