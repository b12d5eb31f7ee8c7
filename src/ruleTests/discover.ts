import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RULE_TESTS_DIR } from '../rules/pack.js';
import { rulesDirOf } from './testFile.js';
import { errorCode } from '../input/errors.js';

export interface FoundTests {
  /** Test files in the order they run: by path, each once. */
  files: Array<{ path: string; display: string }>;
  /** Paths given that hold no test or cannot be read: the run is incomplete (exit 2). */
  problems: Array<{ path: string; message: string }>;
}

/**
 * The convention (README "Rule tests"): a rule's tests are the `.toml` files in
 * `tests/<rule file name without .toml>/` beside the rule, e.g. `rules/tests/my_rule/*.toml`
 * for `rules/my_rule.toml`. A PATH may be a rules folder (every `tests` folder below it is
 * searched), a `tests` folder or a folder inside one (every `.toml` below it), or a test file.
 * Other files in test folders (the NDJSON events) are not tests.
 */
export function findTestFiles(paths: readonly string[]): FoundTests {
  const found: FoundTests = { files: [], problems: [] };
  const seen = new Set<string>();
  const add = (path: string) => {
    const key = resolve(path);
    if (seen.has(key)) return;
    seen.add(key);
    found.files.push({ path, display: path });
  };
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (e) {
      const code = errorCode(e);
      found.problems.push({ path: p, message: code === 'ENOENT' ? 'no such file or folder' : `cannot read: ${code ?? String(e)}` });
      continue;
    }
    if (!isDir) {
      add(p);
      continue;
    }
    // A folder named `tests`, or inside one: every .toml below it is a test.
    const inTests = rulesDirOf(join(resolve(p), 'x')) !== undefined;
    const before = found.files.length;
    walk(p, inTests, add);
    if (found.files.length === before) {
      found.problems.push({ path: p, message: `no rule tests here: a rule's tests go in ${RULE_TESTS_DIR}/<rule file name without .toml>/*.toml beside the rule` });
    }
  }
  return found;
}

function walk(dir: string, inTests: boolean, add: (path: string) => void): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(full, inTests || entry.name === RULE_TESTS_DIR, add);
    else if (inTests && entry.isFile() && entry.name.toLowerCase().endsWith('.toml')) add(full);
  }
}
