import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';
import { isUnsupported, parseRuleText, readRuleFile, type LoadedRule, type UnsupportedRule } from './load.js';
import { createHash } from 'node:crypto';
import { RuleCache, type CacheEntry } from './cache.js';
import type { RuleFacts, RuleFactsStore } from '../engine/compileRule.js';
import type { MappingSource } from '../fieldTypes/index.js';
import { encodeQuery, parseRuleQuery, type ParsedQuery } from './parsedQuery.js';
import { RuleError, RulePathError } from './ruleError.js';
import type { Rule } from './types.js';
import { errorCode } from '../input/errors.js';

/** The folder of rules shipped with lkm-scan (package root `rules/`, beside `src/` and `dist/`). */
export const BUNDLED_RULES_DIR = fileURLToPath(new URL('../../rules/', import.meta.url));

export interface RulePack {
  rules: Rule[];
  /** Rules of types that need a live cluster; listed once and skipped (never fatal). */
  unsupported: UnsupportedRule[];
  errors: RuleError[];
  /** Bundled rules replaced by a user's copy with the same rule_id: `[rule id, user file]`. */
  replaced: Array<{ id: string; name: string; file: string }>;
  /** The rules' parsed queries, from the rule cache when it has them. */
  queries: RuleQueries;
}

/** What compiles a pack's rules: their parsed queries, from the rule cache (src/rules/cache.ts) when it has them. */
export class RuleQueries {
  /** The cache entry each rule was loaded from or stored in. */
  readonly entries = new Map<Rule, CacheEntry>();

  constructor(private readonly cache: RuleCache | undefined) {}

  /** The rule's parsed query: the cache's copy, else parsed now and kept for the cache. Throws QuerySyntaxError. */
  parse(rule: Rule): ParsedQuery {
    const entry = this.entries.get(rule);
    if (this.cache === undefined || entry === undefined) return parseRuleQuery(rule);
    const cached = this.cache.query(entry, rule.language);
    if (cached !== undefined) return cached;
    const parsed = parseRuleQuery(rule);
    this.cache.storeQuery(entry, parsed);
    return parsed;
  }

  /**
   * Where compileRule keeps what compiling each rule gave under the field types of `mappings`
   * (`--mapping` files as read; none: the built-in types), so the next run can compile the rule
   * lazily. Undefined without a cache: every rule is then compiled at once.
   */
  facts(mappings: readonly MappingSource[]): RuleFactsStore | undefined {
    const cache = this.cache;
    if (cache === undefined) return undefined;
    const hash = createHash('sha256');
    for (const m of mappings) hash.update(`${JSON.stringify(m.file)}\0${JSON.stringify(m.text)}\0`);
    const types = hash.digest('hex');
    return {
      get: (rule) => {
        const entry = this.entries.get(rule);
        return entry === undefined ? undefined : cache.facts(entry, types);
      },
      put: (rule: Rule, facts: RuleFacts) => {
        const entry = this.entries.get(rule);
        if (entry !== undefined) cache.storeFacts(entry, types, facts);
      },
    };
  }

  /**
   * The rule's parsed query as bytes (parsedQuery.ts encodeQuery), for a scan worker: the cache's
   * copy as it is, without reading it here; else parsed now.
   */
  encoded(rule: Rule): Uint8Array {
    const cached = this.entries.get(rule)?.query;
    return cached ?? encodeQuery(this.parse(rule));
  }

  /** Writes what this run added to the cache. Returns a warning for the user when it could not, else undefined. */
  save(): string | undefined {
    return this.cache?.save();
  }
}

/**
 * The folder name that holds rule tests (`lkm-scan test`, src/ruleTests/) beside the rules: its
 * `.toml` files are tests, not rules, so a rules folder with its tests loads as before.
 */
export const RULE_TESTS_DIR = 'tests';

/**
 * Every `*.toml` below a path (a file is taken as it is), sorted so runs are reproducible; folders
 * named {@link RULE_TESTS_DIR} are passed over.
 */
export function findRuleFiles(path: string): string[] {
  const st = statSync(path);
  if (st.isFile()) return [path];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== RULE_TESTS_DIR) walk(full);
      }
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.toml')) out.push(full);
    }
  };
  walk(path);
  return out;
}

/**
 * Loads rule files from the bundled folder and/or user paths. Problems are collected, not thrown,
 * so `validate` can report every broken rule in one run. Two rules with one rule_id is an error:
 * alerts are keyed by rule id and one would silently shadow the other.
 */
export function loadRulePack(options: { bundled: boolean; paths: string[]; cacheDir?: string }): RulePack {
  const cache = options.cacheDir === undefined ? undefined : new RuleCache(options.cacheDir);
  const pack: RulePack = { rules: [], unsupported: [], errors: [], replaced: [], queries: new RuleQueries(cache) };
  const seen = new Map<string, { file: string; bundled: boolean }>();
  const sources: Array<{ path: string; display: string; bundled: boolean }> = [];
  if (options.bundled) {
    for (const f of findRuleFiles(BUNDLED_RULES_DIR)) sources.push({ path: f, display: join('rules', relative(BUNDLED_RULES_DIR, f)), bundled: true });
  }
  for (const p of options.paths) {
    let files: string[];
    try {
      files = findRuleFiles(p);
    } catch (e) {
      const code = errorCode(e);
      pack.errors.push(new RulePathError({ message: code === 'ENOENT' ? 'no such rule file or directory' : `cannot read: ${code ?? String(e)}`, file: p }));
      continue;
    }
    if (files.length === 0) pack.errors.push(new RulePathError({ message: 'no .toml rule files in this directory', file: p }));
    for (const f of files) sources.push({ path: f, display: f, bundled: false });
  }
  for (const s of sources) {
    try {
      const { loaded, entry } = loadSource(s, cache);
      const previous = seen.get(loaded.id);
      if (previous?.bundled && !s.bundled) {
        // The bundled rules are copies of Elastic's, so pointing --rules at a clone of
        // detection-rules meets them again: the user's file is the one they mean to run.
        pack.rules = pack.rules.filter((r) => r.id !== loaded.id);
        pack.replaced.push({ id: loaded.id, name: loaded.name, file: s.display });
      } else if (previous !== undefined) {
        pack.errors.push(
          new RuleError({
            message: `duplicate rule_id ${loaded.id}: already defined in ${previous.file}`,
            file: s.display,
            notes: ['each rule needs its own rule_id; leave one of the files out of --rules'],
          }),
        );
        continue;
      }
      seen.set(loaded.id, { file: s.display, bundled: s.bundled });
      if (isUnsupported(loaded)) pack.unsupported.push(loaded);
      else {
        pack.rules.push(loaded);
        if (entry !== undefined) pack.queries.entries.set(loaded, entry);
      }
    } catch (e) {
      if (e instanceof RuleError) pack.errors.push(e);
      else throw e;
    }
  }
  return pack;
}

/** One rule file, from the cache when it holds the file's content, else loaded and stored. Throws RuleError. */
function loadSource(s: { path: string; display: string; bundled: boolean }, cache: RuleCache | undefined): { loaded: LoadedRule; entry?: CacheEntry } {
  const bytes = readRuleFile(s.path, s.display);
  if (cache === undefined) return { loaded: parseRuleText(bytes.toString('utf8'), s.display, s.bundled) };
  const key = RuleCache.keyOf(bytes, s.bundled);
  const hit = cache.lookup(key, s.display);
  if (hit !== undefined) return { loaded: hit.rule, entry: hit.entry };
  // A file that does not load throws here and is never stored: its errors are always a fresh load's.
  const stored = cache.store(key, parseRuleText(bytes.toString('utf8'), s.display, s.bundled));
  return { loaded: stored.rule, entry: stored.entry };
}
