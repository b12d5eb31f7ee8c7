import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLED_RULES_DIR, loadRulePack } from './pack.js';

describe('rule packs', () => {
  it('passes over tests folders: rule tests beside rules are not rules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lkm-pack-'));
    cpSync(join(BUNDLED_RULES_DIR, 'persistence_creation_of_kernel_module.toml'), join(dir, 'r.toml'));
    mkdirSync(join(dir, 'tests', 'r'), { recursive: true });
    // Not a rule: loading it as one would be an error (no [rule] table).
    writeFileSync(join(dir, 'tests', 'r', 'cases.toml'), 'rule = "r.toml"\n');
    const pack = loadRulePack({ bundled: false, paths: [dir] });
    expect(pack.errors).toEqual([]);
    expect(pack.rules.map((r) => r.name)).toEqual(['Deprecated - Creation of Kernel Module']);
    // Named as a file, a test file is loaded as asked (and fails as a rule).
    expect(loadRulePack({ bundled: false, paths: [join(dir, 'tests', 'r', 'cases.toml')] }).errors).toHaveLength(1);
  });
});
