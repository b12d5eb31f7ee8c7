/**
 * Where a key is defined in TOML text, so a diagnostic can point at the line a rule author edits.
 * @iarna/toml gives values without positions, so the text is read again here, knowing just enough
 * TOML to tell a key from text inside a string, an array or an inline table, and which table a
 * key belongs to. Elastic's rule files need it: 96 of the detection-rules pack have
 * `[[transform.osquery]]` tables with their own `query = …` before `[rule]`, and any multi-line
 * string (`note`, `setup`) may hold a line that looks like a key.
 */

/** A key's definition: its 1-based line, and the 0-based offset in that line where its value starts. */
export interface KeyPosition {
  line: number;
  valueOffset: number;
}

/**
 * The line that defines `path`, a dotted key path with array-of-tables indexes as the rule
 * loader names fields (`rule.query`, `rule.threat[0].technique[1].id`): a `key = value` line, or
 * the header of a table (`[rule.new_terms]`, `[[rule.threat]]`) for a path that names a table.
 * Undefined when the text does not define it on a line of its own (missing, or in an inline table).
 */
export function findKey(text: string, path: string): KeyPosition | undefined {
  let found: KeyPosition | undefined;
  visitKeys(text, (p, position) => {
    if (p !== path) return false;
    found = position;
    return true;
  });
  return found;
}

/**
 * Every key path the text defines on a line of its own (named as {@link findKey} takes them), with
 * its line: one pass, for a reader that looks up many keys of one file (rule tests, src/ruleTests/).
 */
export function indexKeys(text: string): Map<string, KeyPosition> {
  const index = new Map<string, KeyPosition>();
  visitKeys(text, (path, position) => {
    // The first definition wins, as findKey's search from the top finds it.
    if (!index.has(path)) index.set(path, position);
    return false;
  });
  return index;
}

/** Calls `visit` with each key path and where it is defined, in text order, until it returns true. */
function visitKeys(text: string, visit: (path: string, position: KeyPosition) => boolean): void {
  const lines = text.split(/\r?\n/);
  const scanner = new ValueScanner();
  /** Current index of every array of tables seen, by its plain dotted path. */
  const arrayIndex = new Map<string, number>();
  let table: string[] = [];
  const named = (segments: string[]) => indexedPath(segments, arrayIndex);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (scanner.inValue()) {
      scanner.scan(line, 0);
      continue;
    }
    const start = line.length - line.trimStart().length;
    if (start === line.length || line[start] === '#') continue;
    if (line[start] === '[') {
      const array = line[start + 1] === '[';
      const header = readKey(line, start + (array ? 2 : 1));
      if (header === undefined) continue;
      table = header.segments;
      const plain = table.join('.');
      if (array) {
        arrayIndex.set(plain, (arrayIndex.get(plain) ?? -1) + 1);
        // A new element starts its nested arrays of tables afresh.
        for (const key of [...arrayIndex.keys()]) if (key.startsWith(`${plain}.`)) arrayIndex.delete(key);
      }
      const indexed = named(table);
      // `[[a.b]]` also stands for the whole array a.b: its first element's header is where it begins.
      const whole = array ? indexed.replace(/\[\d+\]$/, '') : indexed;
      const position = { line: i + 1, valueOffset: start };
      if (visit(indexed, position) || (whole !== indexed && visit(whole, position))) return;
      continue;
    }
    const key = readKey(line, start);
    if (key === undefined || line[key.end] !== '=') continue;
    const valueOffset = skipSpace(line, key.end + 1);
    const prefix = named(table);
    if (visit((prefix === '' ? '' : `${prefix}.`) + key.segments.join('.'), { line: i + 1, valueOffset })) return;
    scanner.scan(line, valueOffset);
  }
}

/** Where a rule's query text begins (1-based), so a position inside the query maps back to the file. */
export function findQueryStart(text: string): { line: number; column: number } {
  const key = findKey(text, 'rule.query');
  if (key === undefined) return { line: 1, column: 1 };
  const line = text.split(/\r?\n/)[key.line - 1]!;
  const quote = /^('''|"""|'|")/.exec(line.slice(key.valueOffset))?.[1] ?? '';
  // TOML drops a newline right after an opening `'''` or `"""`.
  if (quote.length === 3 && line.slice(key.valueOffset + 3).trim() === '') return { line: key.line + 1, column: 1 };
  return { line: key.line, column: key.valueOffset + quote.length + 1 };
}

/** `a.b[2].c` for segments a, b, c where a.b is an array of tables now at its element 2. */
function indexedPath(segments: readonly string[], arrayIndex: ReadonlyMap<string, number>): string {
  let plain = '';
  let indexed = '';
  for (const segment of segments) {
    plain = plain === '' ? segment : `${plain}.${segment}`;
    indexed = indexed === '' ? segment : `${indexed}.${segment}`;
    const index = arrayIndex.get(plain);
    if (index !== undefined) indexed += `[${index}]`;
  }
  return indexed;
}

/**
 * A dotted key at `from`: bare (`A-Za-z0-9_-`) or quoted segments separated by dots, and the
 * offset of the first character after it and the spaces that follow (`=` or `]` in valid TOML).
 */
function readKey(line: string, from: number): { segments: string[]; end: number } | undefined {
  const segments: string[] = [];
  let at = skipSpace(line, from);
  for (;;) {
    const quote = line[at];
    if (quote === '"' || quote === "'") {
      const close = line.indexOf(quote, at + 1);
      if (close < 0) return undefined;
      // Keys in rule files are plain; an escape in a quoted key is kept as written.
      segments.push(line.slice(at + 1, close));
      at = close + 1;
    } else {
      const bare = /^[A-Za-z0-9_-]+/.exec(line.slice(at));
      if (bare === null) return undefined;
      segments.push(bare[0]);
      at += bare[0].length;
    }
    at = skipSpace(line, at);
    if (line[at] !== '.') return { segments, end: at };
    at = skipSpace(line, at + 1);
  }
}

function skipSpace(line: string, at: number): number {
  while (line[at] === ' ' || line[at] === '\t') at++;
  return at;
}

/**
 * Follows a value across lines: open multi-line strings, arrays and inline tables, so that their
 * content is never taken for a key or a table header.
 */
class ValueScanner {
  private multiline: '"""' | "'''" | undefined;
  private depth = 0;

  inValue(): boolean {
    return this.multiline !== undefined || this.depth > 0;
  }

  scan(line: string, from: number): void {
    let at = from;
    while (at < line.length) {
      if (this.multiline !== undefined) {
        const close = this.findClose(line, at, this.multiline);
        if (close < 0) return;
        this.multiline = undefined;
        at = close;
        continue;
      }
      const c = line[at]!;
      if (c === '#') return;
      if (c === '[' || c === '{') this.depth++;
      else if (c === ']' || c === '}') this.depth = Math.max(0, this.depth - 1);
      else if (c === '"' || c === "'") {
        const triple = line.startsWith(c.repeat(3), at);
        if (triple) {
          this.multiline = c === '"' ? '"""' : "'''";
          at += 3;
          continue;
        }
        const close = this.findClose(line, at + 1, c);
        // An unclosed one-line string is invalid TOML, which the parser reported already.
        if (close < 0) return;
        at = close;
        continue;
      }
      at++;
    }
  }

  /** The offset just after the delimiter that closes a string opened before `at`, or -1. */
  private findClose(line: string, at: number, delimiter: string): number {
    const escapes = delimiter[0] === '"';
    for (let i = at; i < line.length; i++) {
      if (escapes && line[i] === '\\') {
        i++;
        continue;
      }
      if (line.startsWith(delimiter, i)) {
        // A multi-line string may end with up to two quotes of its own kind before the delimiter.
        let end = i + delimiter.length;
        while (delimiter.length === 3 && end < line.length && line[end] === delimiter[0] && end - i < 5) end++;
        return end;
      }
    }
    return -1;
  }
}
