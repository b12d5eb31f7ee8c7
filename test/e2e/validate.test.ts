import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runInProcess as runCli } from './run.js';

const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-validate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const bundled = (name: string) => readFileSync(join(ROOT, 'rules', name), 'utf8');

describe.concurrent('lkm-scan validate', () => {
  it('passes the bundled rules with exit 0', async () => {
    const r = await runCli(['validate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/validated 2 rules in [\d.]+ s: 2 ok, 0 failed/);
  });

  it('reports each failing rule on one line with a caret, counts skipped types, and exits 1', async () => {
    const dir = join(tmp, 'pack');
    mkdirSync(join(dir, 'nested'), { recursive: true });
    copyFileSync(join(ROOT, 'rules/persistence_creation_of_kernel_module.toml'), join(dir, 'good.toml'));
    writeFileSync(
      join(dir, 'nested', 'bad_kql.toml'),
      bundled('discovery_kernel_module_enumeration_via_proc.toml')
        .replace('80084fa9-8677-4453-8680-b891d3c0c778', 'aaaaaaaa-0000-0000-0000-000000000000')
        .replace('event.action:"opened-file"', 'event.action:("opened-file"'),
    );
    writeFileSync(
      join(dir, 'ml.toml'),
      '[metadata]\nmaturity = "production"\n[rule]\nrule_id = "m"\nname = "ML"\ntype = "machine_learning"\nseverity = "low"\nrisk_score = 1\n',
    );
    writeFileSync(join(dir, 'broken.toml'), '[rule\nname = "x"\n');
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    const kql = lines.findIndex((l) => l.includes('bad_kql.toml:'));
    expect(lines[kql]).toMatch(/nested\/bad_kql\.toml:\d+:\d+: "Enumeration of Kernel Modules via Proc": /);
    expect(lines[kql + 1]).toContain('event.action:("opened-file"');
    expect(lines[kql + 2]).toMatch(/^\s+\^/);
    expect(r.stdout).toMatch(/broken\.toml:\d+:\d+: invalid TOML/);
    expect(r.stderr).toMatch(/validated 3 rules in [\d.]+ s: 1 ok, 2 failed; 1 skipped, not runnable offline \(machine_learning 1\)/);
  });

  it('puts the caret into the rule query when another table has a `query =` line before it', async () => {
    const dir = join(tmp, 'osquery');
    mkdirSync(dir, { recursive: true });
    // An Elastic rule with an osquery investigation guide before [rule], and a broken EQL query.
    const text = bundled('persistence_creation_of_kernel_module.toml')
      .replace('[rule]\n', '[transform]\n[[transform.osquery]]\nlabel = "Modules"\nquery = "SELECT * FROM kernel_modules"\n\n[rule]\n')
      .replace('file.extension == "ko"', 'file.extension == == "ko"');
    const file = join(dir, 'kmod.toml');
    writeFileSync(file, text);
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(1);
    const [where = '', shown = '', caret = ''] = r.stdout.split('\n');
    const position = /kmod\.toml:(\d+):(\d+):/.exec(where);
    expect(position).not.toBeNull();
    const fileLine = text.split('\n')[Number(position?.[1]) - 1];
    // The position names the file line that holds the broken query text, and the caret is under it.
    expect(shown).toContain('== == "ko"');
    expect(fileLine).toBe(shown.trim());
    expect(caret).toMatch(/^\s+\^/);
  });

  it('is 0 when every rule of a folder is valid', async () => {
    const dir = join(tmp, 'ok');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(ROOT, 'rules/discovery_kernel_module_enumeration_via_proc.toml'), join(dir, 'a.toml'));
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(0);
  });
});
