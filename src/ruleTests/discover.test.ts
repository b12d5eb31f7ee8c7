import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTestFiles } from './discover.js';

const root = mkdtempSync(join(tmpdir(), 'lkm-discover-'));
for (const f of ['rules/a.toml', 'rules/tests/a/one.toml', 'rules/tests/a/two.toml', 'rules/tests/a/events.ndjson', 'rules/linux/b.toml', 'rules/linux/tests/b/deep/three.toml', 'other/x.toml']) {
  mkdirSync(join(root, f, '..'), { recursive: true });
  writeFileSync(join(root, f), '');
}
const names = (paths: string[]) => findTestFiles(paths.map((p) => join(root, p))).files.map((f) => f.path.slice(root.length + 1));

describe('finding rule tests', () => {
  it('finds every tests folder below a rules folder, and only .toml files in them', () => {
    expect(names(['rules'])).toEqual(['rules/linux/tests/b/deep/three.toml', 'rules/tests/a/one.toml', 'rules/tests/a/two.toml']);
  });

  it('takes every .toml below a tests folder or a folder inside one, and a file as given, each once', () => {
    expect(names(['rules/tests'])).toEqual(['rules/tests/a/one.toml', 'rules/tests/a/two.toml']);
    expect(names(['rules/tests/a', 'rules/tests/a/one.toml', 'other/x.toml'])).toEqual(['rules/tests/a/one.toml', 'rules/tests/a/two.toml', 'other/x.toml']);
  });

  it('reports a path without tests and a missing path', () => {
    const found = findTestFiles([join(root, 'other'), join(root, 'missing')]);
    expect(found.files).toEqual([]);
    expect(found.problems.map((p) => p.message)).toEqual([
      "no rule tests here: a rule's tests go in tests/<rule file name without .toml>/*.toml beside the rule",
      'no such file or folder',
    ]);
  });
});
