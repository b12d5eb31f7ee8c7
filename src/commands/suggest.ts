import { existsSync } from 'node:fs';

/**
 * The subcommand `word` was most likely meant to be, when `word` is not an existing path and is
 * within a small edit distance of one (`valdate` → `validate`); undefined otherwise. A path that
 * exists always wins: a file may be called `rule`.
 */
export function closestCommand(word: string, commands: readonly string[]): string | undefined {
  if (word === '-' || existsSync(word)) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of commands) {
    // One edit for short names, two from six letters: `rule` → `rules`, `valdiate` → `validate`,
    // while `logs` (a folder that is missing) is not taken for `rules`.
    const allowed = name.length >= 6 ? 2 : 1;
    const d = editDistance(word.toLowerCase(), name);
    if (d <= allowed && d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}


/**
 * Levenshtein distance where swapping two neighbouring letters counts as one edit (the optimal
 * string alignment distance): the typos people make at a prompt. Only ever run on a command-line
 * word against short names; words far longer than any name are rejected without the table.
 */
export function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return Math.abs(a.length - b.length);
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}
