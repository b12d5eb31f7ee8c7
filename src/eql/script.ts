import type { EcsEvent } from '../event/types.js';
import { asciiFold } from '../event/wildcard.js';
import { literalOf, type Expr, type FieldRef } from './ast.js';
import { applyOrder, colonTest, likeTest, numericValue, type ValueTest } from './compare.js';
import { compileScalarReader, type ScalarReader } from './fieldPath.js';
import { arithmetic, checkCall, NO_CONSTANTS, parseCidrLiteral, toText, type FunctionConstants, type ScriptValue } from './functions.js';
import { compileLuceneRegex } from './regex.js';
import { failAt, regexFailure } from './compileError.js';

/**
 * Expressions Elasticsearch can only run as a Painless script (SPEC §A.2 exception): arithmetic,
 * most functions, comparisons of computed values. They evaluate with null propagation and
 * three-valued logic: a null operand gives null, `not null` is null, and a null condition does not
 * match. Each field gets a slot; the script runs once per combination of the fields' values and
 * matches when any combination yields true — Elasticsearch evaluates scripts over every value of a
 * multi-valued field.
 */
export type Env = ScriptValue[];
type ScriptFn = (env: Env) => ScriptValue;

interface CompiledScript {
  fn: ScriptFn;
  /** Statically floating point (a decimal literal takes part): `/` does not truncate. */
  float: boolean;
}

/** Field slots shared by the expressions of one script. */
export class ScriptFields {
  private readonly slots = new Map<string, number>();
  readonly readers: ScalarReader[] = [];

  slotOf(field: FieldRef): number {
    const key = JSON.stringify(field.path);
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.readers.length;
      this.slots.set(key, slot);
      this.readers.push(compileScalarReader(field));
    }
    return slot;
  }
}

/** Beyond this many value combinations a script stops looking (a bound on hostile events). */
const MAX_COMBINATIONS = 4096;

/** Compiles `expr` as a script and returns a predicate: true when some value combination gives true. */
export function compileScriptPredicate(expr: Expr, transform: (fn: ScriptFn) => ScriptFn = (fn) => fn): (event: EcsEvent) => boolean {
  const fields = new ScriptFields();
  const fn = transform(compileScript(expr, fields).fn);
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

function truth(v: ScriptValue): boolean | null {
  return v === null ? null : v === true;
}

/** Order of two non-null values, or null when they cannot be compared. */
function order(a: ScriptValue, b: ScriptValue): number | null {
  if (a === null || b === null) return null;
  if (typeof a === 'number' || typeof b === 'number') {
    const x = numericValue(a);
    const y = numericValue(b);
    if (x !== null && y !== null) return x < y ? -1 : x > y ? 1 : 0;
    if (typeof a !== 'string' || typeof b !== 'string') return null;
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') {
    if (typeof a !== typeof b) return null;
    return a === b ? 0 : a ? 1 : -1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compileScript(expr: Expr, fields: ScriptFields): CompiledScript {
  const sub = (e: Expr): CompiledScript => compileScript(e, fields);
  switch (expr.type) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'null': {
      const value: ScriptValue = expr.type === 'null' ? null : expr.value;
      return { fn: () => value, float: expr.type === 'number' && expr.decimal };
    }
    case 'field': {
      const slot = fields.slotOf(expr);
      return { fn: (env) => env[slot]!, float: false };
    }
    case 'and':
    case 'or': {
      const parts = expr.operands.map((o) => sub(o).fn);
      const isAnd = expr.type === 'and';
      return {
        float: false,
        fn: (env) => {
          // Kleene logic: false dominates `and`, true dominates `or`, otherwise null is contagious.
          let sawNull = false;
          for (const p of parts) {
            const t = truth(p(env));
            if (t === null) sawNull = true;
            else if (t !== isAnd) return !isAnd;
          }
          return sawNull ? null : isAnd;
        },
      };
    }
    case 'not': {
      const inner = sub(expr.operand).fn;
      return { fn: (env) => negate(inner(env)), float: false };
    }
    case 'negate': {
      const inner = sub(expr.operand);
      return { fn: (env) => arithmetic('-', 0, inner.fn(env), inner.float), float: inner.float };
    }
    case 'arithmetic': {
      const l = sub(expr.left);
      const r = sub(expr.right);
      const float = l.float || r.float;
      const op = expr.op;
      return { fn: (env) => arithmetic(op, l.fn(env), r.fn(env), float), float };
    }
    case 'compare': {
      const l = sub(expr.left).fn;
      const r = sub(expr.right).fn;
      const op = expr.op;
      if (expr.left.type === 'null' || expr.right.type === 'null') {
        const other = expr.left.type === 'null' ? r : l;
        // `x == null` is IsNull(x) in Elasticsearch's optimizer: two-valued.
        return { fn: op === '!=' ? (env) => other(env) !== null : (env) => (op === '==' ? other(env) === null : null), float: false };
      }
      return {
        float: false,
        fn: (env) => {
          const a = l(env);
          const b = r(env);
          if (a === null || b === null) return null;
          if (op === '==' || op === '!=') {
            const o = order(a, b);
            const eq = o === null ? toText(a) === toText(b) : o === 0;
            return op === '==' ? eq : !eq;
          }
          const o = order(a, b);
          return o === null ? null : applyOrder(op, o);
        },
      };
    }
    case 'match':
      return compileScriptMatch(expr, fields);
    case 'in': {
      const value = sub(expr.value).fn;
      const list = expr.list.map((e) => sub(e).fn);
      const ci = expr.caseInsensitive;
      const negated = expr.negated;
      return {
        float: false,
        fn: (env) => {
          const v = value(env);
          if (v === null) return null;
          let sawNull = false;
          for (const item of list) {
            const w = item(env);
            if (w === null) {
              sawNull = true;
              continue;
            }
            if (looselyEqual(v, w, ci)) return !negated;
          }
          return sawNull ? null : negated;
        },
      };
    }
    case 'call':
      return compileScriptCall(expr, fields);
  }
}

function negate(v: ScriptValue): ScriptValue {
  return v === null ? null : v !== true;
}

function looselyEqual(a: Exclude<ScriptValue, null>, b: Exclude<ScriptValue, null>, ci: boolean): boolean {
  const o = order(a, b);
  if (o !== null && (typeof a !== 'string' || typeof b !== 'string')) return o === 0;
  const s = toText(a);
  const t = toText(b);
  return ci ? asciiFold(s) === asciiFold(t) : s === t;
}

function compileScriptMatch(expr: Extract<Expr, { type: 'match' }>, fields: ScriptFields): CompiledScript {
  const left = compileScript(expr.left, fields).fn;
  const negated = expr.negated;
  const tests: Array<(env: Env, v: Exclude<ScriptValue, null>) => boolean> = [];
  for (const pattern of expr.patterns) {
    const lit = literalOf(pattern);
    if (expr.op === ':') {
      if (lit !== undefined && lit !== null) {
        const t: ValueTest = colonTest(lit);
        tests.push((_env, v) => t(v));
      } else {
        const p = compileScript(pattern, fields).fn;
        tests.push((env, v) => {
          const w = p(env);
          return w !== null && looselyEqual(v, w, true);
        });
      }
      continue;
    }
    if (typeof lit !== 'string') failAt(pattern, `'${expr.op}' needs string patterns`);
    if (expr.op === 'like' || expr.op === 'like~') {
      const t = likeTest(lit, expr.op === 'like~');
      tests.push((_env, v) => t(v));
    } else {
      let m: (s: string) => boolean;
      try {
        m = compileLuceneRegex(lit, expr.op === 'regex~');
      } catch (error) {
        regexFailure(pattern, error);
      }
      tests.push((_env, v) => m(toText(v)));
    }
  }
  return {
    float: false,
    fn: (env) => {
      const v = left(env);
      if (v === null) return null;
      for (const t of tests) if (t(env, v)) return !negated;
      return negated;
    },
  };
}

function compileScriptCall(expr: Extract<Expr, { type: 'call' }>, fields: ScriptFields): CompiledScript {
  const spec = checkCall(expr);
  let constants: FunctionConstants = NO_CONSTANTS;
  let argExprs = expr.args;
  if (spec.literalArgsFrom !== undefined) {
    constants = { cidrs: expr.args.slice(spec.literalArgsFrom).map(parseCidrLiteral) };
    argExprs = expr.args.slice(0, spec.literalArgsFrom);
  }
  const args = argExprs.map((a) => compileScript(a, fields));
  const fns = args.map((a) => a.fn);
  const float = args.some((a) => a.float);
  const ci = expr.caseInsensitive;
  const apply = spec.apply;
  const values: ScriptValue[] = new Array<ScriptValue>(fns.length);
  return {
    float,
    fn: (env) => {
      for (let i = 0; i < fns.length; i++) values[i] = fns[i]!(env);
      return apply(values, ci, float, constants);
    },
  };
}
