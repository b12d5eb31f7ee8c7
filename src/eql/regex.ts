/**
 * EQL `regex` / `regex~` (SPEC §A.4): Elasticsearch runs a Lucene `regexp` query, so the pattern
 * uses Lucene's syntax (not JavaScript's) and is anchored to the whole value. Lucene compiles it to
 * an automaton; we do the same in spirit — a Thompson NFA simulated over a set of states — so the
 * time is O(value length × pattern size) whatever the pattern: a hostile rule cannot cause
 * catastrophic backtracking, which a JavaScript RegExp built from the pattern could. The sets of
 * states met are kept as the states of a DFA built lazily (`LazyDfa`, as RE2 does), so a value
 * costs one table look per character once the pattern has seen its kind of text.
 *
 * Supported Lucene syntax: literal characters, `\` escaping any character, `.`, `?`, `*`, `+`,
 * `{n}`, `{n,}`, `{n,m}`, `|`, `(...)`, `[...]` / `[^...]` with ranges, `"..."` literal strings,
 * `@` (any string), `#` (the empty language), `<n-m>` numeric intervals, `\d \D \s \S \w \W`.
 * Elasticsearch EQL sends `regex` as a `regexp` query with its default flags, RegexpFlag.ALL
 * (ql ExpressionTranslators.Likes → RegexQuery → RegexpQueryBuilder.DEFAULT_FLAGS_VALUE), so
 * every optional operator of Lucene's RegExp is on, intervals included.
 * `&` (intersection) and `~` (complement) need a full automaton construction and are rejected
 * with a message rather than guessed.
 */

/** Thrown for a pattern Lucene would reject or that we cannot run; `offset` is within the pattern. */
export class RegexSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export type StringMatcher = (value: string) => boolean;

/** Upper bound on NFA states: `{n,m}` copies its operand, so `(a{1000}){1000}` must not explode. */
const MAX_STATES = 20_000;

type CharTest = (cp: number) => boolean;

type Node =
  | { kind: 'char'; test: CharTest }
  | { kind: 'concat'; items: Node[] }
  | { kind: 'union'; items: Node[] }
  | { kind: 'repeat'; item: Node; min: number; max: number } // max = Infinity for unbounded
  | { kind: 'empty' } // matches the empty string
  | { kind: 'nothing' }; // `#`: matches no string

export function compileLuceneRegex(pattern: string, caseInsensitive: boolean): StringMatcher {
  const ast = new LuceneRegexParser(Array.from(pattern), caseInsensitive).parseAll();
  const dfa = new LazyDfa(buildNfa(ast));
  return (value) => dfa.matches(value);
}

/** The same matcher by the plain NFA simulation, which the lazy DFA must agree with (for tests). */
export function compileLuceneRegexNfa(pattern: string, caseInsensitive: boolean): StringMatcher {
  const nfa = buildNfa(new LuceneRegexParser(Array.from(pattern), caseInsensitive).parseAll());
  return (value) => runNfa(nfa, value);
}

// ---------------------------------------------------------------- parser

function swapAsciiCase(cp: number): number {
  if (cp >= 65 && cp <= 90) return cp + 32;
  if (cp >= 97 && cp <= 122) return cp - 32;
  return cp;
}

const isDigit: CharTest = (c) => c >= 48 && c <= 57;
// Lucene's RegExp.expandPredefined: `\s` is [ \t\n\r] only (no \v or \f), `\w` is [a-zA-Z_0-9].
const isSpace: CharTest = (c) => c === 32 || c === 9 || c === 10 || c === 13;
const isWord: CharTest = (c) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

class LuceneRegexParser {
  private pos = 0;
  constructor(
    private readonly chars: string[],
    private readonly fold: boolean,
  ) {}

  parseAll(): Node {
    const node = this.union();
    if (this.pos < this.chars.length) this.fail(`unexpected '${this.chars[this.pos]}'`);
    return node;
  }

  private fail(message: string): never {
    throw new RegexSyntaxError(`invalid regular expression: ${message} at character ${this.pos + 1}`, this.pos);
  }

  private peek(): string | undefined {
    return this.chars[this.pos];
  }

  private union(): Node {
    const items = [this.concat()];
    while (this.peek() === '|') {
      this.pos++;
      items.push(this.concat());
    }
    return items.length === 1 ? items[0]! : { kind: 'union', items };
  }

  private concat(): Node {
    const items: Node[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === '|' || c === ')') break;
      if (c === '&') this.fail("'&' (intersection) is not supported; rewrite the pattern without it");
      items.push(this.repeat());
    }
    if (items.length === 0) return { kind: 'empty' };
    return items.length === 1 ? items[0]! : { kind: 'concat', items };
  }

  private repeat(): Node {
    let node = this.atom();
    for (;;) {
      const c = this.peek();
      if (c === '*') node = { kind: 'repeat', item: node, min: 0, max: Infinity };
      else if (c === '+') node = { kind: 'repeat', item: node, min: 1, max: Infinity };
      else if (c === '?') node = { kind: 'repeat', item: node, min: 0, max: 1 };
      else if (c === '{') {
        this.pos++;
        const min = this.integer();
        let max = min;
        if (this.peek() === ',') {
          this.pos++;
          max = this.peek() === '}' ? Infinity : this.integer();
        }
        if (this.peek() !== '}') this.fail("expected '}'");
        if (max < min) this.fail('repetition maximum is below the minimum');
        node = { kind: 'repeat', item: node, min, max };
      } else break;
      this.pos++;
    }
    return node;
  }

  private integer(): number {
    const start = this.pos;
    while (this.peek() !== undefined && /[0-9]/.test(this.peek()!)) this.pos++;
    if (start === this.pos) this.fail('expected a number');
    const n = Number(this.chars.slice(start, this.pos).join(''));
    if (n > 1000) this.fail('repetition count above 1000');
    return n;
  }

  private literal(cp: number): Node {
    if (this.fold && swapAsciiCase(cp) !== cp) {
      const other = swapAsciiCase(cp);
      return { kind: 'char', test: (c) => c === cp || c === other };
    }
    return { kind: 'char', test: (c) => c === cp };
  }

  private atom(): Node {
    const c = this.peek();
    if (c === undefined) this.fail('unexpected end of pattern');
    this.pos++;
    switch (c) {
      case '.':
        return { kind: 'char', test: () => true };
      case '@':
        return { kind: 'repeat', item: { kind: 'char', test: () => true }, min: 0, max: Infinity };
      case '#':
        return { kind: 'nothing' };
      case '~':
        return this.fail("'~' (complement) is not supported; rewrite the pattern without it");
      case '(': {
        if (this.peek() === ')') {
          this.pos++;
          return { kind: 'empty' };
        }
        const inner = this.union();
        if (this.peek() !== ')') this.fail("expected ')'");
        this.pos++;
        return inner;
      }
      case '[':
        return this.charClass();
      case '"': {
        const items: Node[] = [];
        while (this.peek() !== '"') {
          if (this.peek() === undefined) this.fail('unterminated "..." string');
          items.push(this.literal(this.chars[this.pos++]!.codePointAt(0)!));
        }
        this.pos++;
        return items.length === 0 ? { kind: 'empty' } : { kind: 'concat', items };
      }
      case '<':
        return this.interval();
      case '\\': {
        const e = this.peek();
        if (e === undefined) this.fail('a pattern cannot end with \\');
        this.pos++;
        const shorthand = SHORTHANDS[e];
        if (shorthand !== undefined) return { kind: 'char', test: shorthand };
        this.rejectUnknownEscape(e);
        return this.literal(e.codePointAt(0)!);
      }
      case '*':
      case '+':
      case '?':
      case '{':
        return this.fail(`'${c}' has nothing to repeat`);
      case ']':
      case '}':
      case '>':
        return this.literal(c.codePointAt(0)!);
      default:
        return this.literal(c.codePointAt(0)!);
    }
  }

  private charClass(): Node {
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    const tests: CharTest[] = [];
    let first = true;
    while (first || this.peek() !== ']') {
      first = false;
      const c = this.peek();
      if (c === undefined) this.fail("unterminated '[' class");
      this.pos++;
      let lo: number;
      if (c === '\\') {
        const e = this.peek();
        if (e === undefined) this.fail("unterminated '[' class");
        this.pos++;
        const shorthand = SHORTHANDS[e];
        if (shorthand !== undefined) {
          tests.push(shorthand);
          continue;
        }
        this.rejectUnknownEscape(e);
        lo = e.codePointAt(0)!;
      } else lo = c.codePointAt(0)!;
      let hi = lo;
      if (this.peek() === '-' && this.chars[this.pos + 1] !== undefined && this.chars[this.pos + 1] !== ']') {
        this.pos++;
        let h = this.chars[this.pos++]!;
        if (h === '\\') h = this.chars[this.pos++] ?? this.fail("unterminated '[' class");
        hi = h.codePointAt(0)!;
        if (hi < lo) this.fail('a class range is reversed');
      }
      const [l, u] = [lo, hi];
      tests.push((x) => x >= l && x <= u);
    }
    this.pos++;
    const fold = this.fold;
    const inClass: CharTest = (x) => {
      for (const t of tests) if (t(x)) return true;
      return false;
    };
    const folded: CharTest = fold ? (x) => inClass(x) || inClass(swapAsciiCase(x)) : inClass;
    return { kind: 'char', test: negated ? (x) => !folded(x) : folded };
  }

  /**
   * Lucene's RegExp: a backslash before an ASCII letter that names no class (`\n`, `\t`, `\b`...)
   * is an error, as in java.util.regex; before anything else it makes the character literal.
   */
  private rejectUnknownEscape(e: string): void {
    if (/^[A-Za-z]$/.test(e)) {
      this.pos--;
      this.fail(`'\\${e}' is not a character class (Lucene knows \\d \\D \\s \\S \\w \\W; write a letter without the backslash)`);
    }
  }

  /**
   * `<n-m>`: a decimal integer from n to m, as Lucene's RegExp and Automata.makeDecimalInterval
   * define it. When n and m are written with the same number of digits, a value must have exactly
   * that many (`<08-12>` matches `09`, not `9` or `009`); otherwise any number of leading zeros is
   * allowed (`<1-20>` matches `007`). Reversed bounds are swapped; bounds are Java ints.
   */
  private interval(): Node {
    const start = this.pos;
    while (this.peek() !== undefined && this.peek() !== '>') this.pos++;
    if (this.peek() !== '>') this.fail("unterminated '<' interval");
    const body = this.chars.slice(start, this.pos).join('');
    this.pos++;
    const m = /^([0-9]+)-([0-9]+)$/.exec(body);
    if (m === null) this.fail(`'<${body}>' is not a numeric interval <n-m>`);
    const [, first = '', second = ''] = m;
    let lo = Number(first);
    let hi = Number(second);
    if (lo > JAVA_INT_MAX || hi > JAVA_INT_MAX) this.fail(`'<${body}>': interval bounds must be at most ${JAVA_INT_MAX}`);
    if (lo > hi) [lo, hi] = [hi, lo];
    const digit = (d: number): Node => this.literal(48 + d);
    if (first.length === second.length) return decimalRange(String(lo).padStart(first.length, '0'), String(hi).padStart(first.length, '0'), digit);
    // Any number of leading zeros, then the number written without them.
    const zeros: Node = { kind: 'repeat', item: digit(0), min: 0, max: Infinity };
    const lengths: Node[] = [];
    for (let len = String(lo).length; len <= String(hi).length; len++) {
      const from = Math.max(lo, len === 1 ? 0 : 10 ** (len - 1));
      const to = Math.min(hi, 10 ** len - 1);
      lengths.push(decimalRange(String(from), String(to), digit));
    }
    return { kind: 'concat', items: [zeros, lengths.length === 1 ? lengths[0]! : { kind: 'union', items: lengths }] };
  }
}

const JAVA_INT_MAX = 2 ** 31 - 1;

/**
 * The strings of digits, all as long as `lo` and `hi` (equal lengths), whose value is within
 * [lo, hi]: O(length²) nodes however wide the range, unlike listing its numbers.
 */
function decimalRange(lo: string, hi: string, digit: (d: number) => Node): Node {
  if (lo.length === 0) return { kind: 'empty' };
  const a = Number(lo[0]);
  const b = Number(hi[0]);
  const restLo = lo.slice(1);
  const restHi = hi.slice(1);
  if (a === b) return { kind: 'concat', items: [digit(a), decimalRange(restLo, restHi, digit)] };
  const anyDigits = (n: number): Node => ({ kind: 'repeat', item: { kind: 'char', test: isDigit }, min: n, max: n });
  const items: Node[] = [
    { kind: 'concat', items: [digit(a), decimalRange(restLo, '9'.repeat(restLo.length), digit)] },
  ];
  if (b - a > 1) {
    items.push({ kind: 'concat', items: [{ kind: 'char', test: (c) => c > 48 + a && c < 48 + b }, anyDigits(restLo.length)] });
  }
  items.push({ kind: 'concat', items: [digit(b), decimalRange('0'.repeat(restHi.length), restHi, digit)] });
  return { kind: 'union', items };
}

const SHORTHANDS: Record<string, CharTest> = {
  d: isDigit,
  D: (c) => !isDigit(c),
  s: isSpace,
  S: (c) => !isSpace(c),
  w: isWord,
  W: (c) => !isWord(c),
};

// ---------------------------------------------------------------- NFA (Thompson construction)

type State =
  | { kind: 'char'; test: CharTest; out: number }
  | { kind: 'split'; out: number[] }
  | { kind: 'match' };

interface Nfa {
  states: State[];
  start: number;
}

function buildNfa(root: Node): Nfa {
  const states: State[] = [];
  const add = (s: State): number => {
    if (states.length >= MAX_STATES) throw new RegexSyntaxError('invalid regular expression: pattern too large', 0);
    states.push(s);
    return states.length - 1;
  };
  // Builds `node` so that it continues to state `next`; returns its entry state.
  const build = (node: Node, next: number): number => {
    switch (node.kind) {
      case 'char':
        return add({ kind: 'char', test: node.test, out: next });
      case 'empty':
        return next;
      case 'nothing':
        return add({ kind: 'split', out: [] });
      case 'concat': {
        let entry = next;
        for (let i = node.items.length - 1; i >= 0; i--) entry = build(node.items[i]!, entry);
        return entry;
      }
      case 'union':
        return add({ kind: 'split', out: node.items.map((item) => build(item, next)) });
      case 'repeat': {
        let entry = next;
        if (node.max === Infinity) {
          const split: Extract<State, { kind: 'split' }> = { kind: 'split', out: [] };
          const loop = add(split);
          split.out.push(build(node.item, loop), next);
          entry = loop;
        } else {
          for (let i = node.max - node.min; i > 0; i--) {
            const optional = build(node.item, entry);
            entry = add({ kind: 'split', out: [optional, entry] });
          }
        }
        for (let i = 0; i < node.min; i++) entry = build(node.item, entry);
        return entry;
      }
    }
  };
  const match = add({ kind: 'match' });
  const start = build(root, match);
  return { states, start };
}

/**
 * The NFA's subset construction, done as values need it: each DFA state is a set of NFA states
 * (char and match states, split states followed), with its transitions for ASCII in a table and
 * for other code points in a map, filled on first use. A pattern such as `.*[ ]{20,}.*` visits a
 * few dozen sets over any command line, so after the first values a character costs one look-up
 * instead of a pass over every live NFA state. Memory is bounded per pattern: past MAX_DFA_STATES
 * sets or MAX_DFA_ENTRIES stored state numbers the cache is dropped and built again from the
 * current set, so a hostile pattern and value cost what the NFA simulation cost (plus a sort per
 * new set), never more memory.
 */
class LazyDfa {
  private readonly states: Array<{ nfa: Int32Array; accepts: boolean; ascii: Int32Array; other: Map<number, number> | undefined }> = [];
  private readonly byKey = new Map<string, number>();
  private entries = 0;
  private start = -1;
  private dead = -1;
  // Closure bookkeeping over NFA states: mark[i] === generation when i is in the set being built.
  private readonly mark: Int32Array;
  private generation = 0;
  private readonly stack: number[] = [];
  private readonly members: number[] = [];

  constructor(private readonly nfa: Nfa) {
    this.mark = new Int32Array(nfa.states.length).fill(-1);
  }

  matches(value: string): boolean {
    if (this.start < 0) this.start = this.intern(this.closureOf([this.nfa.start]));
    let s = this.start;
    const n = value.length;
    for (let i = 0; i < n; i++) {
      // Code points, as the NFA reads them: a surrogate pair is one, a lone surrogate is itself.
      let cp = value.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n) {
        const low = value.charCodeAt(i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          i++;
        }
      }
      const state = this.states[s]!;
      let next: number | undefined = cp < 128 ? state.ascii[cp]! : state.other?.get(cp);
      if (next === undefined || next < 0) next = this.step(s, cp);
      if (next === this.dead) return false;
      s = next;
    }
    return this.states[s]!.accepts;
  }

  /** The DFA state after `s` reads `cp`, computed from the NFA and stored (the cache may be rebuilt). */
  private step(s: number, cp: number): number {
    const from = this.states[s]!;
    const { states } = this.nfa;
    const targets: number[] = [];
    for (let k = 0; k < from.nfa.length; k++) {
      const st = states[from.nfa[k]!]!;
      if (st.kind === 'char' && st.test(cp)) targets.push(st.out);
    }
    const set = this.closureOf(targets);
    if (this.states.length >= MAX_DFA_STATES || this.entries + set.length > MAX_DFA_ENTRIES) {
      // Start over with the set in hand; `s` is gone with the cache, so nothing is stored for it.
      this.reset();
      return this.intern(set);
    }
    const next = this.intern(set);
    if (cp < 128) from.ascii[cp] = next;
    else {
      from.other ??= new Map();
      from.other.set(cp, next);
      this.entries++;
    }
    return next;
  }

  /** The char and match states reachable from `entries` through split states, in ascending order. */
  private closureOf(entries: readonly number[]): Int32Array {
    const { states } = this.nfa;
    const { mark, stack, members } = this;
    const generation = ++this.generation;
    members.length = 0;
    for (const e of entries) stack.push(e);
    while (stack.length > 0) {
      const i = stack.pop()!;
      if (mark[i] === generation) continue;
      mark[i] = generation;
      const st = states[i]!;
      if (st.kind === 'split') for (let k = st.out.length - 1; k >= 0; k--) stack.push(st.out[k]!);
      else members.push(i);
    }
    return Int32Array.from(members).sort();
  }

  private intern(set: Int32Array): number {
    const key = set.join(',');
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const id = this.states.length;
    let accepts = false;
    for (let k = 0; k < set.length; k++) if (this.nfa.states[set[k]!]!.kind === 'match') accepts = true;
    this.states.push({ nfa: set, accepts, ascii: new Int32Array(128).fill(-1), other: undefined });
    this.byKey.set(key, id);
    this.entries += set.length + 128;
    if (set.length === 0) this.dead = id;
    return id;
  }

  private reset(): void {
    this.states.length = 0;
    this.byKey.clear();
    this.entries = 0;
    this.start = -1;
    this.dead = -1;
  }
}

/** At most this many DFA states per pattern before its cache is rebuilt. */
const MAX_DFA_STATES = 512;
/** At most this many stored numbers (NFA states of the sets, transitions) per pattern. */
const MAX_DFA_ENTRIES = 200_000;

function runNfa(nfa: Nfa, value: string): boolean {
  const { states } = nfa;
  const n = states.length;
  let current: number[] = [];
  let next: number[] = [];
  const mark = new Int32Array(n).fill(-1);
  let generation = 0;
  const stack: number[] = [];
  const addState = (list: number[], s: number): void => {
    stack.push(s);
    while (stack.length > 0) {
      const i = stack.pop()!;
      if (mark[i] === generation) continue;
      mark[i] = generation;
      const st = states[i]!;
      if (st.kind === 'split') for (let k = st.out.length - 1; k >= 0; k--) stack.push(st.out[k]!);
      else list.push(i);
    }
  };
  addState(current, nfa.start);
  for (const ch of value) {
    if (current.length === 0) return false;
    const cp = ch.codePointAt(0)!;
    generation++;
    next.length = 0;
    for (const i of current) {
      const st = states[i]!;
      if (st.kind === 'char' && st.test(cp)) addState(next, st.out);
    }
    [current, next] = [next, current];
  }
  for (const i of current) if (states[i]!.kind === 'match') return true;
  return false;
}
