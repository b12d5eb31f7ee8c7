import { asciiFold } from '../event/wildcard.js';
import { bytesInCidr, parseCidr, parseIp, type Cidr } from '../event/cidr.js';
import { numberOfText, toDouble } from '../event/exactNumber.js';
import { isNumericText } from '../event/numericText.js';
import { scalarText } from '../event/fields.js';
import type { CallExpr, Expr } from './ast.js';
import type { ValueTest } from './operators/operator.js';
import { arithmetic } from './operators/arithmetic.js';
import { numericValue } from './operators/operator.js';
import { failAt } from './compileError.js';

/**
 * The EQL functions of SPEC §A.8, evaluated as Elasticsearch's scripts evaluate them: a null
 * argument gives null (SPEC §A.2). String functions take a `~` variant (ASCII folding, §A.5).
 */
export type ScriptValue = string | number | bigint | boolean | null;

export interface FunctionSpec {
  /** Canonical name, as Elasticsearch documents it. */
  name: string;
  minArgs: number;
  maxArgs: number;
  /** Whether `name~(...)` is accepted. */
  acceptsTilde: boolean;
  /** Argument positions that must be literals (checked and pre-processed at compile time). */
  literalArgsFrom?: number;
  /**
   * Evaluates the call. `floatArithmetic` is true when an operand is statically a decimal
   * (`x / 2.0`), which turns integer division into floating-point division.
   */
  apply: (args: ScriptValue[], caseInsensitive: boolean, floatArithmetic: boolean, constants: FunctionConstants) => ScriptValue;
  /**
   * The Query DSL leaf Elasticsearch builds when the first argument is a field (SPEC §A.2): a test
   * of one of the field's values, given the call's arguments. Undefined (here or returned): the
   * call runs as a script.
   */
  leaf?: (args: readonly Expr[], caseInsensitive: boolean) => ValueTest | undefined;
}

/** Values prepared once at compile time for a call (parsed CIDR blocks). */
export interface FunctionConstants {
  cidrs: Cidr[];
}

export const NO_CONSTANTS: FunctionConstants = { cidrs: [] };

/** Text a string function sees: numbers and booleans by their JSON text (SPEC §C). */
export function toText(v: Exclude<ScriptValue, null>): string;
export function toText(v: ScriptValue): string | null;
export function toText(v: ScriptValue): string | null {
  if (v === null) return null;
  return typeof v === 'string' ? v : String(v);
}

function fold(s: string, ci: boolean): string {
  return ci ? asciiFold(s) : s;
}

/** A number argument (a position, a base): an integer beyond 2^53 is rounded, no position is that large. */
function toNumber(v: ScriptValue): number | null {
  if (v === null || typeof v === 'boolean') return null;
  const n = numericValue(v);
  return n === null ? null : toDouble(n);
}

/**
 * The leaf of startsWith / endsWith / stringContains on a field: its second argument must be a
 * string literal; `~` folds ASCII case on both sides (SPEC §A.5).
 */
function stringLeaf(test: (value: string, sub: string) => boolean): NonNullable<FunctionSpec['leaf']> {
  return (args, ci) => {
    const arg = args[1];
    if (arg?.type !== 'string') return undefined;
    const sub = ci ? asciiFold(arg.value) : arg.value;
    return ci ? (v) => test(asciiFold(scalarText(v)), sub) : (v) => test(scalarText(v), sub);
  };
}

const stringArgs = (args: ScriptValue[], count: number): string[] | null => {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const t = toText(args[i] ?? null);
    if (t === null) return null;
    out.push(t);
  }
  return out;
};

function substringOf(s: string, startArg: ScriptValue, endArg: ScriptValue | undefined): ScriptValue {
  const len = s.length;
  const start = toNumber(startArg);
  if (start === null) return null;
  let end = endArg === undefined || endArg === null ? len : toNumber(endArg);
  if (end === null) return null;
  let from = Math.trunc(start);
  if (from < 0) from = Math.max(0, len + from);
  end = Math.trunc(end);
  if (end < 0) end = Math.max(0, len + end);
  from = Math.min(from, len);
  end = Math.min(end, len);
  return from >= end ? '' : s.slice(from, end);
}

function parseNumber(text: string, baseArg: ScriptValue | undefined): ScriptValue {
  let base = baseArg === undefined || baseArg === null ? null : toNumber(baseArg);
  let t = text.trim();
  const hex = /^[+-]?0x/i.test(t);
  if (hex && (base === null || base === 16)) {
    t = t.replace(/0x/i, '');
    base = 16;
  }
  if (base === null || base === 10) {
    if (!isNumericText(t, false)) return null;
    // `number("9007199254740993")` is a long in Elasticsearch: exact, as a literal is.
    return numberOfText(t);
  }
  if (!Number.isInteger(base) || base < 2 || base > 36) return null;
  const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, base);
  const body = t.replace(/^[+-]/, '').toLowerCase();
  if (body === '' || [...body].some((c) => !digits.includes(c))) return null;
  const n = parseInt(t, base);
  return Number.isNaN(n) ? null : n;
}

function between(args: ScriptValue[], ci: boolean): ScriptValue {
  const source = toText(args[0] ?? null);
  const left = toText(args[1] ?? null);
  const right = toText(args[2] ?? null);
  if (source === null || left === null || right === null) return null;
  // Elasticsearch's between (eql StringUtils.between, a port of the Python EQL one): an empty
  // source, left or right bound gives the source unchanged.
  if (source === '' || left === '' || right === '') return source;
  const greedy = args[3] === true;
  const src = fold(source, ci);
  const l = fold(left, ci);
  const r = fold(right, ci);
  const at = src.indexOf(l);
  if (at < 0) return '';
  const from = at + l.length;
  const end = greedy ? src.lastIndexOf(r) : src.indexOf(r, from);
  if (end < from) return '';
  return source.slice(from, end);
}

const SPECS: FunctionSpec[] = [
  ...(
    [
      ['add', '+'],
      ['subtract', '-'],
      ['multiply', '*'],
      ['divide', '/'],
      ['modulo', '%'],
    ] as const
  ).map(
    ([name, op]): FunctionSpec => ({
      name,
      minArgs: 2,
      maxArgs: 2,
      acceptsTilde: false,
      apply: (args, _ci, float) => arithmetic(op, args[0]!, args[1]!, float),
    }),
  ),
  { name: 'between', minArgs: 3, maxArgs: 4, acceptsTilde: true, apply: (args, ci) => between(args, ci) },
  {
    name: 'cidrMatch',
    minArgs: 2,
    maxArgs: Infinity,
    acceptsTilde: false,
    literalArgsFrom: 1,
    apply: (args, _ci, _f, constants) => {
      const ip = toText(args[0] ?? null);
      if (ip === null) return null;
      const bytes = parseIp(ip);
      return bytes !== null && constants.cidrs.some((c) => bytesInCidr(bytes, c));
    },
    leaf: (args) => {
      const blocks = args.slice(1).map(parseCidrLiteral);
      return (v) => {
        if (typeof v !== 'string') return false;
        const bytes = parseIp(v);
        return bytes !== null && blocks.some((b) => bytesInCidr(bytes, b));
      };
    },
  },
  {
    name: 'concat',
    minArgs: 1,
    maxArgs: Infinity,
    acceptsTilde: true,
    apply: (args) => {
      let out = '';
      for (const a of args) {
        const t = toText(a);
        if (t === null) return null;
        out += t;
      }
      return out;
    },
  },
  {
    name: 'endsWith',
    minArgs: 2,
    maxArgs: 2,
    acceptsTilde: true,
    apply: (args, ci) => {
      const s = stringArgs(args, 2);
      return s === null ? null : fold(s[0]!, ci).endsWith(fold(s[1]!, ci));
    },
    leaf: stringLeaf((value, sub) => value.endsWith(sub)),
  },
  {
    name: 'indexOf',
    minArgs: 2,
    maxArgs: 3,
    acceptsTilde: true,
    apply: (args, ci) => {
      const s = stringArgs(args, 2);
      if (s === null) return null;
      const startArg = args[2];
      const start = startArg === undefined || startArg === null ? 0 : toNumber(startArg);
      if (start === null) return null;
      const at = fold(s[0]!, ci).indexOf(fold(s[1]!, ci), Math.max(0, Math.trunc(start)));
      return at < 0 ? null : at;
    },
  },
  {
    name: 'length',
    minArgs: 1,
    maxArgs: 1,
    acceptsTilde: true,
    apply: (args) => {
      const t = toText(args[0] ?? null);
      return t === null ? null : t.length;
    },
  },
  {
    name: 'number',
    minArgs: 1,
    maxArgs: 2,
    acceptsTilde: true,
    apply: (args) => {
      const v = args[0] ?? null;
      if (v === null) return null;
      if (typeof v === 'number' || typeof v === 'bigint') return v;
      return parseNumber(String(v), args[1]);
    },
  },
  {
    name: 'startsWith',
    minArgs: 2,
    maxArgs: 2,
    acceptsTilde: true,
    apply: (args, ci) => {
      const s = stringArgs(args, 2);
      return s === null ? null : fold(s[0]!, ci).startsWith(fold(s[1]!, ci));
    },
    leaf: stringLeaf((value, sub) => value.startsWith(sub)),
  },
  { name: 'string', minArgs: 1, maxArgs: 1, acceptsTilde: true, apply: (args) => toText(args[0] ?? null) },
  {
    name: 'stringContains',
    minArgs: 2,
    maxArgs: 2,
    acceptsTilde: true,
    apply: (args, ci) => {
      const s = stringArgs(args, 2);
      if (s === null) return null;
      // SPEC §A.8: an empty substring gives false.
      return s[1] !== '' && fold(s[0]!, ci).includes(fold(s[1]!, ci));
    },
    leaf: stringLeaf((value, sub) => sub !== '' && value.includes(sub)),
  },
  {
    name: 'substring',
    minArgs: 2,
    maxArgs: 3,
    acceptsTilde: true,
    apply: (args) => {
      const s = toText(args[0] ?? null);
      return s === null ? null : substringOf(s, args[1]!, args[2]);
    },
  },
];

const BY_NAME = new Map(SPECS.map((s) => [s.name.toLowerCase(), s]));

/** Function names are case-insensitive (SPEC §A.7): `cidrmatch` is `cidrMatch`. */
export function lookupFunction(name: string): FunctionSpec | undefined {
  return BY_NAME.get(name.toLowerCase());
}

export const FUNCTION_NAMES: readonly string[] = SPECS.map((s) => s.name);

/** Resolves a call's function and checks its arity and `~` use (SPEC §A.8). */
export function checkCall(expr: CallExpr): FunctionSpec {
  const spec = lookupFunction(expr.name);
  if (spec === undefined) {
    return failAt(expr, `unknown function '${expr.name}': EQL functions are ${FUNCTION_NAMES.join(', ')}`);
  }
  if (expr.caseInsensitive && !spec.acceptsTilde) failAt(expr, `function '${spec.name}' has no case-insensitive '~' variant`);
  const n = expr.args.length;
  if (n < spec.minArgs || n > spec.maxArgs) {
    const want =
      spec.maxArgs === Infinity
        ? `at least ${spec.minArgs}`
        : spec.minArgs === spec.maxArgs
          ? `${spec.minArgs}`
          : `${spec.minArgs} to ${spec.maxArgs}`;
    failAt(expr, `function '${spec.name}' takes ${want} argument${want === '1' ? '' : 's'}, not ${n}`);
  }
  return spec;
}

/** A CIDR argument of cidrMatch: a string literal holding an IPv4 or IPv6 block. */
export function parseCidrLiteral(expr: Expr): Cidr {
  if (expr.type !== 'string') return failAt(expr, 'cidrMatch needs CIDR blocks as string literals, e.g. "10.0.0.0/8"');
  const cidr = parseCidr(expr.value);
  if (cidr === null) return failAt(expr, `"${expr.value}" is not a valid IPv4 or IPv6 CIDR block`);
  return cidr;
}
