import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { selectRules } from './select.js';

const dir = mkdtempSync(join(tmpdir(), 'lkm-scan-select-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (id: string, enabled: boolean) =>
  writeFileSync(
    join(dir, `${id}.toml`),
    `[rule]\nrule_id = "${id}"\nname = "rule ${id}"\ndescription = "d"\nrisk_score = 1\nseverity = "low"\ntype = "query"\nlanguage = "kuery"\nquery = "a:b"\ntags = ["t"]\n${enabled ? '' : 'enabled = false\n'}`,
  );
write('on-1', true);
write('off-1', false);
write('off-2', false);
const base = { rulePaths: [dir], bundled: false, only: [], tags: [] };

describe('selectRules and enabled = false', () => {
  it('leaves disabled rules out and reports them', () => {
    const sel = selectRules(base);
    expect(sel.rules.map((r) => r.id)).toEqual(['on-1']);
    expect(sel.disabled.map((r) => r.id)).toEqual(['off-1', 'off-2']);
  });

  it('runs a disabled rule that --rule names', () => {
    const sel = selectRules({ ...base, only: ['off-1'] });
    expect(sel.rules.map((r) => r.id)).toEqual(['off-1']);
    expect(sel.disabled).toEqual([]);
  });

  it('does not let --tag turn a disabled rule on', () => {
    expect(selectRules({ ...base, tags: ['t'] }).rules.map((r) => r.id)).toEqual(['on-1']);
  });

  it('keeps them, in pack order, for the listing', () => {
    expect(selectRules({ ...base, includeDisabled: true }).rules.map((r) => r.id)).toEqual(['off-1', 'off-2', 'on-1']);
  });
});
