import { compileFieldReader, scalarsOf } from '../event/fields.js';
import { isJsonObject, type EcsEvent, type Scalar } from '../event/types.js';
import type { FieldRef } from './ast.js';

/** Reads the comparable values of an EQL field (SPEC §A.1, §C): every scalar leaf, arrays flattened. */
export type ScalarReader = (event: EcsEvent) => Scalar[];

/** Reads every raw value of the field (objects included), for existence checks (`f != null`). */
export type RawReader = (event: EcsEvent) => readonly unknown[];

/**
 * Compiles a reader for a field path that may hold `[N]` indexes (`list[1]`, `a.b[0].c`, as in
 * Elasticsearch's qualifiedName): an index picks the N-th value of the field read so far.
 */
export function compileRawReader(field: FieldRef, nullValue?: string): RawReader {
  const groups: Array<{ names: string[]; index: number | null }> = [];
  let names: string[] = [];
  for (const part of field.path) {
    if (typeof part === 'number') {
      groups.push({ names, index: part });
      names = [];
    } else names.push(part);
  }
  if (names.length > 0 || groups.length === 0) groups.push({ names, index: null });

  const first = groups[0]!;
  // A mapping's null_value (fieldTypes.ts) stands in for a null of the field itself.
  if (groups.length === 1 && first.index === null) return compileFieldReader(first.names, nullValue);

  const stages = groups.map((g) => ({ read: g.names.length > 0 ? compileFieldReader(g.names) : null, index: g.index }));
  return (event) => {
    let current: unknown[] = [event];
    for (const stage of stages) {
      const next: unknown[] = [];
      for (const node of current) {
        if (stage.read === null) next.push(node);
        else if (isJsonObject(node)) {
          // A loop, not push(...values): an event's array of 200,000 values would overflow the stack as arguments.
          for (const v of stage.read(node)) next.push(v);
        }
      }
      if (stage.index === null) current = next;
      else current = stage.index < next.length ? [next[stage.index]] : [];
    }
    return current;
  };
}

export function compileScalarReader(field: FieldRef): ScalarReader {
  const raw = compileRawReader(field);
  return (event) => scalarsOf(raw(event));
}
