import { printable, printableSpan } from '../text/printable.js';

/**
 * rustc/Peggy-style diagnostics for rule files:
 *
 *   error: expected a value but found ')'
 *    --> rules/x.toml:35:27
 *      |
 *   35 | file.extension == "ko" and not process.name : (
 *      |                           ^
 *   note: ...
 */
export interface Diagnostic {
  message: string;
  file: string;
  line?: number;
  column?: number;
  /** The full source line the position is on, to draw under. */
  sourceLine?: string;
  /** Caret width in characters. */
  length?: number;
  /** Column of the caret within `sourceLine` when it differs from `column` (a query shown alone). */
  caretColumn?: number;
  notes?: string[];
}

/** Rule files are hostile text: the message, path, quoted line and notes are escaped (text/printable.ts). */
export function formatDiagnostic(d: Diagnostic): string {
  const out = [`error: ${printable(d.message)}`];
  const where = d.line === undefined ? d.file : `${d.file}:${d.line}:${d.column ?? 1}`;
  out.push(` --> ${printable(where)}`);
  if (d.sourceLine !== undefined && d.line !== undefined) {
    const gutter = String(d.line).length;
    const pad = ' '.repeat(gutter);
    const col = Math.max(1, d.caretColumn ?? d.column ?? 1);
    const width = Math.max(1, Math.min(d.length ?? 1, Math.max(1, d.sourceLine.length - col + 1)));
    const shown = printableSpan(d.sourceLine, col, width);
    out.push(`${pad} |`);
    out.push(`${d.line} | ${shown.text}`);
    out.push(`${pad} | ${' '.repeat(shown.column - 1)}${'^'.repeat(shown.length)}`);
  }
  for (const note of d.notes ?? []) out.push(`note: ${printable(note)}`);
  return out.join('\n');
}
