import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../../test/e2e/run.js';
import { codeKey, decodeShardBody, encodeShardBody, keptEntries, ruleCacheDir, type CacheEntry } from './cache.js';
import { BUNDLED_RULES_DIR, loadRulePack } from './pack.js';
import { parseRuleQuery } from './parsedQuery.js';
import { ruleSetFingerprint } from './shared.js';
import type { Rule } from './types.js';

const tmp = mkdtempSync(join(tmpdir(), 'lkm-rule-cache-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const KMOD = join(BUNDLED_RULES_DIR, 'persistence_creation_of_kernel_module.toml');

/** A folder of rule files: the bundled rules plus `extra` files (name → TOML). */
function ruleDir(extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmp, 'rules-'));
  for (const name of readdirSync(BUNDLED_RULES_DIR).filter((n) => n.endsWith('.toml'))) copyFileSync(join(BUNDLED_RULES_DIR, name), join(dir, name));
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Loads `dir` with the cache in `cacheDir`, compiles nothing but parses every query through the cache, and saves it. */
function load(dir: string, cacheDir: string | undefined) {
  const pack = loadRulePack({ bundled: false, paths: [dir], cacheDir });
  const queries = pack.rules.map((r) => pack.queries.parse(r));
  return { pack, queries, saved: pack.queries.save() };
}

/** The cache's files and their inode and mtime: what a run that writes nothing leaves unchanged. */
function snapshot(cacheDir: string): string[] {
  return readdirSync(cacheDir)
    .sort()
    .map((name) => {
      const st = statSync(join(cacheDir, name));
      return `${name} ${st.ino} ${st.mtimeMs}`;
    });
}

describe('ruleCacheDir', () => {
  it('is --cache-dir, else LKM_SCAN_CACHE_DIR, else $XDG_CACHE_HOME/lkm-scan, else ~/.cache/lkm-scan; none with --no-cache', () => {
    const env = { LKM_SCAN_CACHE_DIR: '/e', XDG_CACHE_HOME: '/x', HOME: '/h' };
    expect(ruleCacheDir({ cache: true, cacheDir: '/c' }, env)).toBe('/c');
    expect(ruleCacheDir({ cache: true }, env)).toBe('/e');
    expect(ruleCacheDir({ cache: true }, { XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/x/lkm-scan');
    expect(ruleCacheDir({ cache: true }, { HOME: '/h' })).toBe('/h/.cache/lkm-scan');
    // The XDG spec: a relative XDG_CACHE_HOME is invalid and ignored.
    expect(ruleCacheDir({ cache: true }, { XDG_CACHE_HOME: 'rel', HOME: '/h' })).toBe('/h/.cache/lkm-scan');
    expect(ruleCacheDir({ cache: true }, {})).toBeUndefined();
    expect(ruleCacheDir({ cache: false, cacheDir: '/c' }, env)).toBeUndefined();
    expect(ruleCacheDir({ cache: true, cacheDir: 'rel' }, {})).toBe(join(process.cwd(), 'rel'));
  });
});

describe('the rule cache', () => {
  it('serves the rules and parsed queries a fresh load gives, writes nothing when it had them all, and names a moved file by its new path', () => {
    const cacheDir = join(tmp, 'hit');
    const dir = ruleDir();
    const fresh = load(dir, undefined);
    const cold = load(dir, cacheDir);
    expect(cold.saved).toBeUndefined();
    const written = snapshot(cacheDir);
    expect(written.length).toBeGreaterThan(0);
    const warm = load(dir, cacheDir);
    expect(snapshot(cacheDir)).toEqual(written);
    for (const run of [cold, warm]) {
      expect(run.pack.rules).toEqual(fresh.pack.rules);
      expect(ruleSetFingerprint(run.pack.rules)).toBe(ruleSetFingerprint(fresh.pack.rules));
      expect(run.queries).toEqual(fresh.queries);
    }
    // The same content under another path is the same rule, named by its path.
    const moved = ruleDir();
    const there = load(moved, cacheDir);
    expect(snapshot(cacheDir)).toEqual(written);
    expect(there.pack.rules.map((r) => r.source.file)).toEqual(load(moved, undefined).pack.rules.map((r) => r.source.file));
    expect(there.pack.rules).toEqual(load(moved, undefined).pack.rules);
  });

  it('loads an edited rule file afresh', () => {
    const cacheDir = join(tmp, 'edit');
    const dir = ruleDir();
    const file = join(dir, 'persistence_creation_of_kernel_module.toml');
    load(dir, cacheDir);
    const text = readFileSync(file, 'utf8');
    // Same length, so the edit is one a size check would miss.
    writeFileSync(file, text.replace('file.extension == "ko"', 'file.extension == "kx"'));
    const edited = load(dir, cacheDir);
    const rule = edited.pack.rules.find((r) => r.source.file === file);
    expect(rule?.query).toContain('"kx"');
    expect(edited.queries).toEqual(edited.pack.rules.map(parseRuleQuery));
    expect(JSON.stringify(edited.queries)).toContain('"kx"');
  });

  it('ignores a shard that is truncated, corrupt, of another lkm-scan, foreign, or writable by others, and replaces it', () => {
    const cacheDir = join(tmp, 'corrupt');
    const dir = ruleDir();
    const fresh = load(dir, undefined);
    load(dir, cacheDir);
    const shards = readdirSync(cacheDir).map((name) => join(cacheDir, name));
    const damages: Array<[string, (file: string) => void]> = [
      ['truncated', (f) => writeFileSync(f, readFileSync(f).subarray(0, 100))],
      ['empty', (f) => writeFileSync(f, '')],
      ['a flipped byte', (f) => {
        const bytes = readFileSync(f);
        const at = bytes.length - 10;
        bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
        writeFileSync(f, bytes);
      }],
      ['not a cache file', (f) => writeFileSync(f, 'lkm-scan rule cache\n' + 'x'.repeat(200))],
      // Checksummed, but its index names more bytes than follow it.
      ['an index past its end', (f) => {
        const bytes = readFileSync(f);
        const head = 'lkm-scan rule cache\n'.length;
        const body = bytes.subarray(head + 32, bytes.length - 1);
        writeFileSync(f, Buffer.concat([bytes.subarray(0, head), createHash('sha256').update(body).digest(), body]));
      }],
      // Well-formed and checksummed, but written by other code, whose rules (here renamed) could
      // differ: none of them may be served.
      ['of another lkm-scan', (f) => {
        const bytes = readFileSync(f);
        const head = 'lkm-scan rule cache\n'.length;
        const payload = decodeShardBody(bytes.subarray(head + 32));
        expect(payload?.code).toBe(codeKey());
        const entries = (payload?.entries ?? []).map((e) => ({ ...e, rule: serialize({ ...deserialize(e.rule), name: 'from another lkm-scan' }) }));
        const body = encodeShardBody('another lkm-scan', entries);
        writeFileSync(f, Buffer.concat([bytes.subarray(0, head), createHash('sha256').update(body).digest(), body]));
      }],
      ['writable by others', (f) => chmodSync(f, 0o666)],
    ];
    // Only root can give a file away; elsewhere the owner check is the same comparison.
    if (process.getuid?.() === 0) damages.push(['owned by another user', (f) => chownSync(f, 4242, 4242)]);
    for (const [what, damage] of damages) {
      for (const f of shards) damage(f);
      const again = load(dir, cacheDir);
      expect(again.pack.rules, what).toEqual(fresh.pack.rules);
      expect(again.queries, what).toEqual(fresh.queries);
      expect(again.saved, what).toBeUndefined();
      // Rewritten whole: the next run reads it and writes nothing.
      const rewritten = snapshot(cacheDir);
      expect(load(dir, cacheDir).pack.rules, what).toEqual(fresh.pack.rules);
      expect(snapshot(cacheDir), what).toEqual(rewritten);
      for (const f of shards) expect(statSync(f).mode & 0o077, what).toBe(0);
      for (const f of shards) expect(statSync(f).uid, what).toBe(process.getuid?.() ?? statSync(f).uid);
    }
  });

  it('keys its files by the code that loads and parses rules, so an upgrade never reads an older parse', () => {
    const cacheDir = join(tmp, 'code');
    load(ruleDir(), cacheDir);
    expect(codeKey()).toMatch(/^[0-9a-f]{64}$/);
    for (const name of readdirSync(cacheDir)) expect(name).toMatch(new RegExp(`^rules-${codeKey().slice(0, 16)}-[0-9a-f]\\.bin$`));
  });

  it('says why it could not write, and the rules still load', () => {
    const blocker = join(tmp, 'a-file');
    writeFileSync(blocker, '');
    const dir = ruleDir();
    const run = load(dir, join(blocker, 'cache'));
    expect(run.saved).toMatch(/^rule cache not written to .*a-file\/cache \(ENOTDIR\); the next run parses the rules again\. .*--no-cache$/);
    expect(run.pack.rules).toEqual(load(dir, undefined).pack.rules);
  });
});

describe('what a shard keeps', () => {
  const entry = (key: string, used: number, bytes: number): CacheEntry => ({ key, used, rule: new Uint8Array(bytes) });

  it('leaves out a huge rule, and keeps the most recently used within its byte budget, this run first', () => {
    const old = Array.from({ length: 40 }, (_, i) => entry(`old${i}`, 100, 200_000));
    // 'large' is the size of Elastic's largest rule with its parsed query (~300 kB): kept.
    const kept = keptEntries([entry('huge', 101, 1_100_000), ...old, entry('mine', 101, 1000), entry('large', 101, 300_000), entry('sameDay', 101, 1000)], new Set(['mine']));
    const keys = kept.map((e) => e.key);
    expect(keys).not.toContain('huge');
    expect(keys.slice(0, 3)).toEqual(['mine', 'large', 'sameDay']);
    // 4 MiB of 200 kB entries: 19 of the 40 old ones fit beside the three newer ones.
    expect(keys.filter((k) => k.startsWith('old'))).toHaveLength(19);
    expect(kept.reduce((n, e) => n + e.rule.length, 0)).toBeLessThanOrEqual(4 * 1024 * 1024);
  });
});

describe('a scan with the rule cache', () => {
  const broken = {
    'bad_query.toml': readFileSync(KMOD, 'utf8').replace(/^rule_id = .*$/m, 'rule_id = "00000000-0000-4000-8000-00000000b0b0"').replace('file.extension == "ko"', 'file.extension == == "ko"'),
    'bad_toml.toml': '[rule]\nname = "x\n',
    // Parses, but Elasticsearch refuses it for the field's type: an error of the compile, which a warm cache must not defer into the scan.
    'bad_field.toml': readFileSync(KMOD, 'utf8').replace(/^rule_id = .*$/m, 'rule_id = "00000000-0000-4000-8000-00000000f1e1"').replace('file.extension == "ko"', 'source.ip : "not-an-address"'),
  };

  it('reports the same rule errors, at the same line and column, from a cold cache, a warm one and none', async () => {
    const dir = ruleDir(broken);
    const cacheDir = join(tmp, 'diagnostics');
    const args = ['--no-bundled', '--rules', dir, '--allow-empty'];
    const none = await runInProcess([...args, '--no-cache'], { env: { LKM_SCAN_CACHE_DIR: cacheDir } });
    expect(existsSync(cacheDir)).toBe(false);
    const cold = await runInProcess([...args, '--cache-dir', cacheDir]);
    const warm = await runInProcess(args, { env: { LKM_SCAN_CACHE_DIR: cacheDir } });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/bad_query\.toml:\d+:\d+/);
    expect(none.stderr).toMatch(/bad_toml\.toml:\d+:\d+/);
    expect(none.stderr).toMatch(/error: first argument of \[:\] must be \[string\], found value \[source\.ip\] type \[ip\].*\n --> .*bad_field\.toml:\d+:\d+/);
    expect(readdirSync(cacheDir).length).toBeGreaterThan(0);
    for (const r of [cold, warm]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(none.stderr);
    }
  });

  it('gives the alerts and summary of a run without it from a cold cache and a warm one (rules compiled on their first event)', async () => {
    const events = join(tmp, 'demo-lazy.ndjson');
    copyFileSync(new URL('../../examples/demo.ndjson', import.meta.url), events);
    const cacheDir = join(tmp, 'lazy');
    const args = ['--format', 'json', events];
    const none = await runInProcess([...args, '--no-cache']);
    const cold = await runInProcess([...args, '--cache-dir', cacheDir]);
    // The warm run finds each rule's facts in the cache: it compiles none of them before the scan.
    const pack = loadRulePack({ bundled: true, paths: [], cacheDir });
    const facts = pack.queries.facts([]);
    expect(pack.rules.every((r) => facts?.get(r) !== undefined)).toBe(true);
    const written = snapshot(cacheDir);
    const warm = await runInProcess([...args, '--cache-dir', cacheDir]);
    // A rule compiled on its first event adds nothing to the cache: the warm run writes nothing.
    expect(snapshot(cacheDir)).toEqual(written);
    expect(none.code).toBe(1);
    for (const r of [cold, warm]) {
      expect(r.stdout).toBe(none.stdout);
      expect(r.stderr.replace(/ in [\d.]+ s \([\d.]+ MB\/s\)/, '')).toBe(none.stderr.replace(/ in [\d.]+ s \([\d.]+ MB\/s\)/, ''));
      expect(r.code).toBe(none.code);
    }
  });

  it('warns when the cache cannot be written, and scans as without it', async () => {
    const blocker = join(tmp, 'blocker');
    writeFileSync(blocker, '');
    const events = join(tmp, 'demo.ndjson');
    copyFileSync(new URL('../../examples/demo.ndjson', import.meta.url), events);
    const plain = await runInProcess(['--format', 'json', '--no-cache', events]);
    const r = await runInProcess(['--format', 'json', '--cache-dir', join(blocker, 'sub'), events]);
    expect(r.code).toBe(plain.code);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(plain.stdout);
    expect(r.stderr).toMatch(/^lkm-scan: warning: rule cache not written to .*blocker\/sub \(ENOTDIR\).*--cache-dir or LKM_SCAN_CACHE_DIR, or turn it off with --no-cache\n/);
  });

  it('is neither read nor written with --no-cache', async () => {
    const cacheDir = join(tmp, 'off');
    mkdirSync(cacheDir);
    const r = await runInProcess(['--no-cache', '--cache-dir', cacheDir, '--allow-empty', '-']);
    expect(r.code).toBe(0);
    expect(readdirSync(cacheDir)).toEqual([]);
  });
});

// The loader's contract the cache relies on: a rule is a function of its file's bytes, whether
// it is bundled, and the path it is shown under (in `source.file` only).
describe('what a rule depends on', () => {
  it('differs between two paths only in source.file', () => {
    const a = ruleDir();
    const b = ruleDir();
    const strip = (rules: Rule[]) => rules.map((r) => ({ ...r, source: { ...r.source, file: '' } }));
    expect(strip(load(a, undefined).pack.rules)).toEqual(strip(load(b, undefined).pack.rules));
  });
});
