/**
 * Text from events, rule files and file names is hostile: printed raw, `ESC ]0;…BEL` retitles the
 * terminal, `ESC [2J` clears it, and `\r` or `\n` forge lines of lkm-scan's own output. Everything
 * that comes from data and reaches a terminal (text alerts on stdout, anything on stderr) goes
 * through here first. JSON and SARIF output are JSON-escaped by construction and never need it.
 *
 * Escaped, shown as the escape a programmer would type:
 * - C0 controls U+0000–U+001F: `\t`, `\n`, `\r` by name, the others as `\x1b`;
 * - DEL U+007F and the C1 controls U+0080–U+009F (U+009B is a one-byte CSI on some terminals): `\x7f`, `\x9b`;
 * - U+2028 and U+2029, line and paragraph separators that some terminals and editors break lines at;
 * - the bidirectional embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069
 *   ("Trojan Source", CVE-2021-42574): they reorder what follows on the line, so a file path or
 *   command line could be shown as something other than what it is: `\u202e`.
 *
 * A backslash already in the text is left as it is: doubling it would make every Windows path
 * hard to read, and the escapes are for display only. The exact value is in `--format json`.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same set without `\n` and `\t`, for multi-line text shown as a block (a rule's description). */
const UNSAFE_IN_BLOCK = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const HAS_UNSAFE = new RegExp(UNSAFE.source);
const HAS_UNSAFE_IN_BLOCK = new RegExp(UNSAFE_IN_BLOCK.source);

const NAMED: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeOne(c: string): string {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` on one line with every control, line-breaking and bidi-override character escaped. */
export function printable(text: string): string {
  // Most values are clean: test first rather than build a new string for each.
  return HAS_UNSAFE.test(text) ? text.replace(UNSAFE, escapeOne) : text;
}

/** Like {@link printable}, but keeps newlines and tabs: for multi-line text printed as a block. */
export function printableBlock(text: string): string {
  return HAS_UNSAFE_IN_BLOCK.test(text) ? text.replace(UNSAFE_IN_BLOCK, escapeOne) : text;
}

/**
 * A source line made printable for a caret drawn under `length` characters from its 1-based
 * `column`, with the column and width moved to match: an escape is wider than the character it
 * stands for. Tabs become one space each, as the caret counts them as one column.
 */
export function printableSpan(line: string, column: number, length: number): { text: string; column: number; length: number } {
  const flat = line.replace(/\t/g, ' ');
  const before = printable(flat.slice(0, column - 1));
  const span = printable(flat.slice(column - 1, column - 1 + length));
  return { text: printable(flat), column: before.length + 1, length: Math.max(length, span.length) };
}
