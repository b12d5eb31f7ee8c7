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

export function formatDiagnostic(d: Diagnostic): string {
  const out = [`error: ${d.message}`];
  const where = d.line === undefined ? d.file : `${d.file}:${d.line}:${d.column ?? 1}`;
  out.push(` --> ${where}`);
  if (d.sourceLine !== undefined && d.line !== undefined) {
    const gutter = String(d.line).length;
    const pad = ' '.repeat(gutter);
    const text = d.sourceLine.replace(/\t/g, ' ');
    const col = Math.max(1, d.caretColumn ?? d.column ?? 1);
    const width = Math.max(1, Math.min(d.length ?? 1, Math.max(1, text.length - col + 1)));
    out.push(`${pad} |`);
    out.push(`${d.line} | ${text}`);
    out.push(`${pad} | ${' '.repeat(col - 1)}${'^'.repeat(width)}`);
  }
  for (const note of d.notes ?? []) out.push(`note: ${note}`);
  return out.join('\n');
}
