/**
 * The rule cache: what loading a rule costs most (its TOML parsed and validated, its query parsed
 * to an AST, and what its compile gave: RuleFacts, engine/compileRule.ts, which let a scan compile
 * the rule on its first event) kept between runs, so a scan with the whole Elastic pack starts in
 * a fraction of the time (README "Rule cache"). It can never serve a stale rule:
 *
 * - An entry is found by the SHA-256 of the rule file's bytes (and whether it is bundled), read
 *   afresh every run: hashing 2,000 files costs ~50 ms, parsing them seconds. No stat shortcut,
 *   so an edit within one mtime tick, a restored backup or a clock step cannot fool it.
 * - Every file name and payload holds the code key: lkm-scan's version, the Node version and a
 *   hash of every module of lkm-scan itself (loader, grammars, parsers), so an upgrade or a
 *   rebuild starts a new cache instead of reading ASTs an older parser made.
 * - A file is used only if its magic, its SHA-256 checksum and its code key check out, it belongs
 *   to the user running lkm-scan and no one else may write it; anything else (truncated, corrupt,
 *   foreign, from another version) is ignored as if absent and replaced at the next write.
 * - Rule errors are never cached: a file that fails to load is loaded again every run, so its
 *   diagnostics are those of a fresh load.
 *
 * The entries are spread over 16 files by the first hex digit of their key, so a run with a few
 * rules reads a few small files. Each is replaced atomically (src/state/atomicWrite.ts): runs at
 * the same time never see a half-written file; at worst one run's new entries are lost and made
 * again by the next.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync, unlinkSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { writeFileAtomic } from '../state/atomicWrite.js';
import type { LoadedRule } from './load.js';
import { decodeQuery, encodeQuery, type ParsedQuery } from './parsedQuery.js';
import type { RuleFacts } from '../engine/compileRule.js';
import { errorCode } from '../input/errors.js';

/** `--cache-dir`, `--no-cache`: the options that say where the cache is. */
export interface RuleCacheOptions {
  /** False with `--no-cache`. */
  cache: boolean;
  cacheDir?: string;
}

/**
 * The cache folder: `--cache-dir`, else `LKM_SCAN_CACHE_DIR`, else `$XDG_CACHE_HOME/lkm-scan`,
 * else `~/.cache/lkm-scan` (the XDG Base Directory default, where ripgrep's and pip's users look);
 * undefined with `--no-cache`, or when no absolute home is known.
 */
export function ruleCacheDir(options: RuleCacheOptions, env: NodeJS.ProcessEnv): string | undefined {
  if (!options.cache) return undefined;
  if (options.cacheDir !== undefined && options.cacheDir !== '') return resolve(options.cacheDir);
  const fromEnv = env.LKM_SCAN_CACHE_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = env.XDG_CACHE_HOME;
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'lkm-scan');
  const home = env.HOME;
  if (home !== undefined && isAbsolute(home)) return join(home, '.cache', 'lkm-scan');
  return undefined;
}

const MAGIC = Buffer.from('lkm-scan rule cache\n', 'latin1');
const CHECKSUM_BYTES = 32;
/** Entries one shard keeps (16 shards: 32,000 rules, 15 times the Elastic pack); the least recently used go first. */
const SHARD_ENTRIES = 2_000;
/**
 * Bytes of entries one shard keeps, the most recently used first: every run that needs one rule
 * of a shard reads and checks all of it, so a scan of the two bundled rules must not pay for
 * whatever else was once cached beside them (the Elastic pack's shards are ~1.4 MB each).
 */
const SHARD_BYTES = 4 * 1024 * 1024;
/**
 * A rule this large (serialised, with its query) is parsed each run rather than crowd out others.
 * Elastic's largest, defense_evasion_masquerading_windows_dll.toml (a 47 kB EQL query, ~300 kB
 * serialised), must fit: parsing it alone took ~0.3 s of every warm start when this was 256 KiB.
 */
const MAX_ENTRY_BYTES = 1024 * 1024;
/** A shard larger than this is not ours: not read into memory. */
const MAX_SHARD_BYTES = 256 * 1024 * 1024;
/** Cache files of another code key untouched this long are removed when the cache is written. */
const STALE_MS = 30 * 24 * 3600 * 1000;

/** One rule file's load, as stored. `rule`, `query` and `facts` stay serialised until a run asks for them. */
export interface CacheEntry {
  key: string;
  /** Day (since the epoch) of the last run that used it: what the shard cap keeps. */
  used: number;
  rule: Uint8Array;
  query?: Uint8Array;
  /** `{ types, facts }`: what compiling the rule under the field types keyed `types` gave (engine/compileRule.ts RuleFacts). */
  facts?: Uint8Array;
}

interface Shard {
  entries: Map<string, CacheEntry>;
  dirty: boolean;
}

/** A rule found in the cache (or just stored): the loaded rule, and its entry for the parsed query. */
export interface CachedRule {
  rule: LoadedRule;
  entry: CacheEntry;
}

let codeKeyMemo: string | undefined;

/**
 * lkm-scan's version, the Node version (its serialiser) and the SHA-256 of every module of
 * lkm-scan (dist/ when installed, src/ under the tests): whatever could change what loading and
 * parsing a rule gives. ~1 MB of code, hashed in ~10 ms.
 */
export function codeKey(): string {
  if (codeKeyMemo !== undefined) return codeKeyMemo;
  const root = fileURLToPath(new URL('../', import.meta.url));
  const hash = createHash('sha256');
  hash.update(readFileSync(new URL('../../package.json', import.meta.url)));
  hash.update(`\0${process.version}\0`);
  const walk = (dir: string, rel: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (entry.isDirectory()) walk(join(dir, entry.name), `${rel}${entry.name}/`);
      else if (/\.(js|ts)$/.test(entry.name) && !/\.(test|d)\.ts$/.test(entry.name)) {
        hash.update(`${rel}${entry.name}\0`);
        hash.update(readFileSync(join(dir, entry.name)));
      }
    }
  };
  walk(root, '');
  codeKeyMemo = hash.digest('hex');
  return codeKeyMemo;
}

/** The rule cache of one run: shards read on first need, written back by `save` if a run added to them. */
export class RuleCache {
  private readonly shards = new Map<string, Shard>();
  private readonly code = codeKey();
  private readonly today = Math.floor(Date.now() / 86_400_000);
  private readonly usedThisRun = new Set<string>();

  constructor(readonly dir: string) {}

  /** The key of a rule file's content: what an entry is found by. */
  static keyOf(bytes: Uint8Array, bundled: boolean): string {
    return createHash('sha256').update(bundled ? 'bundled\0' : 'user\0').update(bytes).digest('hex');
  }

  /**
   * The rule a file with this key loaded to, shown under `display` (the path as the user gave
   * it: the same content elsewhere is the same rule, named by its own path). Undefined when the
   * cache has no such entry, or one that does not deserialise to a rule.
   */
  lookup(key: string, display: string): CachedRule | undefined {
    const entry = this.shard(key).entries.get(key);
    if (entry === undefined) return undefined;
    let rule: unknown;
    try {
      rule = deserialize(entry.rule);
    } catch {
      return undefined;
    }
    if (!isLoadedRule(rule)) return undefined;
    entry.used = this.today;
    this.usedThisRun.add(key);
    return { rule: renamed(rule, display), entry };
  }

  /** Keeps a rule just loaded from a file with this key. */
  store(key: string, rule: LoadedRule): CachedRule {
    const shard = this.shard(key);
    const entry: CacheEntry = { key, used: this.today, rule: serialize(rule) };
    shard.entries.set(key, entry);
    this.usedThisRun.add(key);
    shard.dirty = true;
    return { rule, entry };
  }

  /** The parsed query kept with an entry, if any and well-formed. */
  query(entry: CacheEntry, language: string): ParsedQuery | undefined {
    // A query that does not deserialise is parsed again, and replaced.
    return entry.query === undefined ? undefined : decodeQuery(entry.query, language);
  }

  /** Keeps a query just parsed, serialised at once so later changes to the AST could not leak into the cache. */
  storeQuery(entry: CacheEntry, parsed: ParsedQuery): void {
    entry.query = encodeQuery(parsed);
    this.shard(entry.key).dirty = true;
  }

  /** The facts of a clean compile kept with an entry, if made under the field types keyed `types` and well-formed. */
  facts(entry: CacheEntry, types: string): RuleFacts | undefined {
    if (entry.facts === undefined) return undefined;
    try {
      const kept: unknown = deserialize(entry.facts);
      if (isRecord(kept) && kept.types === types && isRuleFacts(kept.facts)) return kept.facts;
    } catch {
      // Facts that do not deserialise are made again by compiling the rule, and replaced.
    }
    return undefined;
  }

  /** Keeps the facts of a compile just made under the field types keyed `types` (one set per entry: the last). */
  storeFacts(entry: CacheEntry, types: string, facts: RuleFacts): void {
    entry.facts = serialize({ types, facts });
    this.shard(entry.key).dirty = true;
  }

  /** Writes the shards this run added to. Returns what went wrong (the scan goes on), or undefined. */
  save(): string | undefined {
    const dirty = [...this.shards].filter(([, s]) => s.dirty);
    if (dirty.length === 0) return undefined;
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      for (const [digit, shard] of dirty) {
        const body = encodeShardBody(this.code, keptEntries(shard.entries.values(), this.usedThisRun));
        const checksum = createHash('sha256').update(body).digest();
        writeFileAtomic(this.file(digit), Buffer.concat([MAGIC, checksum, body]), undefined, { mode: 0o600, durable: false });
        shard.dirty = false;
      }
    } catch (e) {
      return `rule cache not written to ${this.dir} (${errorCode(e) ?? (e instanceof Error ? e.message : String(e))}); the next run parses the rules again. Set another folder with --cache-dir or LKM_SCAN_CACHE_DIR, or turn it off with --no-cache`;
    }
    this.removeStale();
    return undefined;
  }

  private file(digit: string): string {
    return join(this.dir, `rules-${this.code.slice(0, 16)}-${digit}.bin`);
  }

  private shard(key: string): Shard {
    const digit = key[0] ?? '0';
    let shard = this.shards.get(digit);
    if (shard === undefined) {
      const entries = readShard(this.file(digit), this.code);
      // A shard over its budget (written by an older lkm-scan) is trimmed when this run saves.
      shard = { entries, dirty: keptEntries(entries.values()).length < entries.size };
      this.shards.set(digit, shard);
    }
    return shard;
  }

  /** Files an older lkm-scan wrote, and temporary files a killed run left, once nothing has used them for STALE_MS. */
  private removeStale(): void {
    const mine = `rules-${this.code.slice(0, 16)}-`;
    try {
      for (const name of readdirSync(this.dir)) {
        if (name.startsWith(mine) || !/^\.?rules-[0-9a-f]{16}-[0-9a-f]\.bin/.test(name)) continue;
        const path = join(this.dir, name);
        if (Date.now() - statSync(path).mtimeMs > STALE_MS) unlinkSync(path);
      }
    } catch {
      // Tidying is best effort: a file another run removed first, a folder that went away.
    }
  }
}

/** What a shard keeps: the most recently used entries within SHARD_ENTRIES and SHARD_BYTES, none over MAX_ENTRY_BYTES. */
export function keptEntries(entries: Iterable<CacheEntry>, usedThisRun: ReadonlySet<string> = new Set()): CacheEntry[] {
  const kept: CacheEntry[] = [];
  let bytes = 0;
  // `used` is a day: among entries of one day, those of this run come first.
  const recency = (e: CacheEntry) => e.used * 2 + (usedThisRun.has(e.key) ? 1 : 0);
  for (const entry of [...entries].sort((a, b) => recency(b) - recency(a))) {
    const size = entry.rule.length + (entry.query?.length ?? 0) + (entry.facts?.length ?? 0);
    if (size > MAX_ENTRY_BYTES || bytes + size > SHARD_BYTES) continue;
    kept.push(entry);
    bytes += size;
    if (kept.length === SHARD_ENTRIES) break;
  }
  return kept;
}

/**
 * The entries of one shard file; empty when it is missing or not to be trusted: not ours, writable
 * by others, too short, without our magic, failing its checksum, of another code key, or not of
 * the expected shape.
 */
function readShard(path: string, code: string): Map<string, CacheEntry> {
  const entries = new Map<string, CacheEntry>();
  let bytes: Buffer;
  try {
    const fd = openSync(path, 'r');
    try {
      const st = fstatSync(fd);
      // Like ssh with its config: a file someone else could have written is not believed. (No
      // getuid: Windows, whose modes say nothing of this; its profile folders are per user.)
      const uid = process.getuid?.();
      const foreign = uid !== undefined && st.uid !== uid;
      const othersMayWrite = uid !== undefined && (st.mode & 0o022) !== 0;
      if (!st.isFile() || foreign || othersMayWrite || st.size > MAX_SHARD_BYTES) return entries;
      bytes = Buffer.allocUnsafe(st.size);
      let read = 0;
      while (read < bytes.length) {
        const n = readSync(fd, bytes, read, bytes.length - read, read);
        if (n === 0) break;
        read += n;
      }
      if (read < bytes.length) return entries;
    } finally {
      closeSync(fd);
    }
  } catch {
    return entries;
  }
  if (bytes.length < MAGIC.length + CHECKSUM_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return entries;
  const body = bytes.subarray(MAGIC.length + CHECKSUM_BYTES);
  if (!createHash('sha256').update(body).digest().equals(bytes.subarray(MAGIC.length, MAGIC.length + CHECKSUM_BYTES))) return entries;
  const decoded = decodeShardBody(body);
  if (decoded === undefined || decoded.code !== code) return entries;
  for (const e of decoded.entries) entries.set(e.key, e);
  return entries;
}

/**
 * A shard's body: a 4-byte length, then an index (node:v8 serialised: the code key, and per
 * entry its key, day of use and the sizes of its parts, -1 for a part it lacks), then the parts
 * one after another. Read back, each part is a view of the file's bytes, not a copy: a warm start
 * reads ~20 MB of parts for the Elastic pack and decodes only those a rule needs.
 */
export function encodeShardBody(code: string, entries: readonly CacheEntry[]): Buffer {
  const parts: Uint8Array[] = [];
  const index = entries.map((e) => {
    const sizes = [e.rule, e.query, e.facts].map((part) => {
      if (part === undefined) return -1;
      parts.push(part);
      return part.length;
    });
    return { key: e.key, used: e.used, sizes };
  });
  const head = serialize({ code, entries: index });
  const length = Buffer.alloc(4);
  length.writeUInt32LE(head.length);
  return Buffer.concat([length, head, ...parts]);
}

/** The code key and entries of a shard body; undefined unless every part of it is where its index says. */
export function decodeShardBody(body: Buffer): { code: string; entries: CacheEntry[] } | undefined {
  if (body.length < 4) return undefined;
  const headLength = body.readUInt32LE(0);
  if (headLength > body.length - 4) return undefined;
  let index: unknown;
  try {
    index = deserialize(body.subarray(4, 4 + headLength));
  } catch {
    return undefined;
  }
  if (!isRecord(index) || typeof index.code !== 'string' || !Array.isArray(index.entries)) return undefined;
  const entries: CacheEntry[] = [];
  let at = 4 + headLength;
  const part = (size: unknown): Uint8Array | undefined | null => {
    if (size === -1) return undefined;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > body.length - at) return null;
    at += size;
    return body.subarray(at - size, at);
  };
  for (const e of index.entries as unknown[]) {
    if (!isRecord(e) || typeof e.key !== 'string' || !/^[0-9a-f]{64}$/.test(e.key) || typeof e.used !== 'number' || !Array.isArray(e.sizes) || e.sizes.length !== 3) return undefined;
    const [rule, query, facts] = (e.sizes as unknown[]).map(part);
    if (rule === undefined || rule === null || query === null || facts === null) return undefined;
    entries.push({ key: e.key, used: e.used, rule, ...(query === undefined ? {} : { query }), ...(facts === undefined ? {} : { facts }) });
  }
  return at === body.length ? { code: index.code, entries } : undefined;
}

/** The rule under the path this run names its file by (`source.file`, or `file` of an unsupported rule). */
function renamed(rule: LoadedRule, display: string): LoadedRule {
  if ('unsupported' in rule) return rule.file === display ? rule : { ...rule, file: display };
  return rule.source.file === display ? rule : { ...rule, source: { ...rule.source, file: display } };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Enough of a LoadedRule's shape that the code reading it cannot trip over a missing part. */
function isLoadedRule(v: unknown): v is LoadedRule {
  if (!isRecord(v) || typeof v.id !== 'string' || typeof v.name !== 'string' || typeof v.type !== 'string') return false;
  if (v.unsupported === true) return typeof v.file === 'string';
  return isRecord(v.source) && typeof v.source.file === 'string' && typeof v.query === 'string' && Array.isArray(v.tags) && typeof v.severity === 'string';
}

function isRuleFacts(v: unknown): v is RuleFacts {
  if (!isRecord(v) || !isRecord(v.need) || typeof v.need.kind !== 'string' || !(v.requirements instanceof Map) || !Array.isArray(v.pipes)) return false;
  if (v.kind === 'query' || v.kind === 'new_terms' || v.kind === 'threshold') return true;
  if (v.kind !== 'sequence' && v.kind !== 'sample') return false;
  const isKeys = (keys: unknown) => Array.isArray(keys) && keys.every((k) => isRecord(k) && typeof k.text === 'string' && typeof k.optional === 'boolean');
  return (
    Array.isArray(v.steps) &&
    v.steps.every((s) => isRecord(s) && isKeys(s.keys) && typeof s.runs === 'number' && typeof s.missing === 'boolean') &&
    (v.until === null || (isRecord(v.until) && isKeys(v.until.keys))) &&
    (v.maxspanMs === null || typeof v.maxspanMs === 'number') &&
    typeof v.keyCount === 'number'
  );
}

