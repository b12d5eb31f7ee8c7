// The benchmark generator declares how many alerts its file must produce. These tests check that
// declaration against a deliberately plain re-implementation of the two bundled rules (SPEC §A–§D),
// so a MISMATCH in `npm run bench` points at lkm-scan, not at the data.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFloor } from '../bench/floor.mjs';
import { generate, mulberry32, parseSize, RULE_IDS } from '../bench/generate.mjs';
import { shuffleLines } from '../bench/shuffle.mjs';

const R1 = RULE_IDS.R1 as string;
const R2 = RULE_IDS.R2 as string;
const FIVE_DAYS_MS = 5 * 24 * 3600 * 1000;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every comparable value of a field (SPEC §C: dotted keys, every split of the path, arrays flatten). */
function fieldValues(node: Json, segs: string[]): string[] {
  if (Array.isArray(node)) return node.flatMap((x) => fieldValues(x, segs));
  if (node === null || typeof node !== 'object') return [];
  const out: string[] = [];
  for (let i = 1; i <= segs.length; i++) {
    const key = segs.slice(0, i).join('.');
    if (!Object.hasOwn(node, key)) continue;
    const v = node[key];
    if (v === undefined) continue;
    if (i === segs.length) out.push(...leaves(v));
    else out.push(...fieldValues(v, segs.slice(i)));
  }
  return out;
}

function leaves(v: Json): string[] {
  if (Array.isArray(v)) return v.flatMap(leaves);
  if (v === null || typeof v === 'object') return [];
  return [typeof v === 'string' ? v : JSON.stringify(v)];
}

const any = (doc: Json, field: string, test: (v: string) => boolean) => fieldValues(doc, field.split('.')).some(test);
const lower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** R1, EQL: `==`/`in` exact, `:` ASCII case-insensitive and anchored, `not` true on a missing field. */
function matchesR1(doc: Json): boolean {
  return (
    any(doc, 'event.category', (v) => v === 'file') &&
    any(doc, 'host.os.type', (v) => v === 'linux') &&
    any(doc, 'event.type', (v) => v === 'change' || v === 'creation') &&
    any(doc, 'file.path', (v) => lower(v).startsWith('/lib/modules/')) &&
    any(doc, 'file.extension', (v) => v === 'ko') &&
    !any(doc, 'process.name', (v) => {
      const n = lower(v);
      return ['dpkg', 'systemd', 'dnf', 'yum', 'rpm', 'cp'].includes(n) || n.startsWith('falcon-sensor');
    })
  );
}

/** R2's query, KQL: case-sensitive, `*` spans any run of characters. */
function matchesR2Query(doc: Json): boolean {
  return (
    any(doc, 'host.os.type', (v) => v === 'linux') &&
    any(doc, 'event.category', (v) => v === 'file') &&
    any(doc, 'event.action', (v) => v === 'opened-file') &&
    any(doc, 'file.path', (v) => v === '/proc/modules') &&
    !(
      any(doc, 'process.name', (v) => v.startsWith('python') || v === 'chef-client') ||
      any(doc, 'process.executable', (v) =>
        (v.startsWith('/opt/eset/') && v.endsWith('/esets_eia') && v.length >= 20) ||
        v.startsWith('/opt/Elastic/Agent/') ||
        v === '/opt/jfrog/artifactory/app/metadata/bin/jf-metadata')
    )
  );
}

function ruleTime(doc: Json): number {
  const [ingested] = fieldValues(doc, ['event', 'ingested']);
  const [ts] = fieldValues(doc, ['@timestamp']);
  return Date.parse(ingested ?? ts ?? '');
}

/** Count alerts of both rules over the file, new_terms replayed in time order (SPEC §D). */
function countAlerts(text: string) {
  let r1 = 0;
  let r2Query = 0;
  const terms: Array<{ t: number; exe: string; i: number }> = [];
  text.split('\n').filter(Boolean).forEach((line, i) => {
    const doc = JSON.parse(line) as Json;
    if (matchesR1(doc)) r1++;
    if (matchesR2Query(doc)) {
      r2Query++;
      for (const exe of new Set(fieldValues(doc, ['process', 'executable']))) terms.push({ t: ruleTime(doc), exe, i });
    }
  });
  terms.sort((a, b) => a.t - b.t || a.i - b.i);
  const last = new Map<string, number>();
  let r2 = 0;
  for (const { t, exe } of terms) {
    const prev = last.get(exe);
    if (prev === undefined || t - prev > FIVE_DAYS_MS) r2++;
    last.set(exe, t);
  }
  return { r1, r2, r2Query };
}

describe('bench/generate.mjs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lkm-bench-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const opts = { size: 1_500_000, matchRate: 0.05, nearMissRate: 0.3, seed: 42 };

  it('writes the same bytes for the same seed and different bytes for another seed', async () => {
    const a = await generate({ ...opts, out: join(dir, 'a.ndjson') });
    const b = await generate({ ...opts, out: join(dir, 'b.ndjson') });
    const c = await generate({ ...opts, seed: 43, out: join(dir, 'c.ndjson') });
    const [ta, tb, tc] = await Promise.all([readFile(join(dir, 'a.ndjson')), readFile(join(dir, 'b.ndjson')), readFile(join(dir, 'c.ndjson'))]);
    expect(ta.equals(tb)).toBe(true);
    expect(ta.equals(tc)).toBe(false);
    expect(a).toEqual(b);
    expect(c.alerts).not.toEqual(a.alerts);
    expect(ta.length).toBe(a.bytes);
    expect(a.bytes).toBeGreaterThanOrEqual(opts.size);
  });

  it('keeps every line between 600 and 1500 bytes and valid JSON', async () => {
    const text = await readFile(join(dir, 'a.ndjson'), 'utf8');
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    for (const line of lines) {
      const n = Buffer.byteLength(line);
      expect(n).toBeGreaterThanOrEqual(600);
      expect(n).toBeLessThanOrEqual(1500);
      expect(() => JSON.parse(line)).not.toThrow();
    }
    const expected = JSON.parse(await readFile(join(dir, 'a.ndjson.expected.json'), 'utf8'));
    expect(expected.lines).toBe(lines.length);
  });

  it('exercises escapes, dotted keys and the new_terms cases', async () => {
    const text = await readFile(join(dir, 'a.ndjson'), 'utf8');
    expect(text).toContain('\\/lib\\/modules\\/');
    expect(text).toMatch(/"file\.extension":"\\u006[bB]\\u006[fF]"|"extension":"\\u006[bB]\\u006[fF]"/);
    expect(text).toMatch(/\{"@timestamp":"[^"]+","agent\.|"process\.name":/);
    const { kinds } = JSON.parse(await readFile(join(dir, 'a.ndjson.expected.json'), 'utf8'));
    for (const kind of ['r2.match.returning-term', 'r2.near.repeat-term', 'r2.near.no-term', 'r1.near.proc-objects']) {
      expect(kinds[kind], kind).toBeGreaterThan(0);
    }
  });

  it('declares the alert counts an independent evaluation of R1 and R2 finds', async () => {
    for (const name of ['a', 'c']) {
      const text = await readFile(join(dir, `${name}.ndjson`), 'utf8');
      const expected = JSON.parse(await readFile(join(dir, `${name}.ndjson.expected.json`), 'utf8'));
      const got = countAlerts(text);
      expect(got.r1).toBe(expected.alerts[R1]);
      expect(got.r2).toBe(expected.alerts[R2]);
      expect(got.r2Query).toBe(expected.query_matches[R2]);
      expect(expected.total_alerts).toBe(got.r1 + got.r2);
      expect(got.r1).toBeGreaterThan(20);
      expect(got.r2).toBeGreaterThan(20);
    }
  });

  it('produces a low match rate by default', async () => {
    const e = await generate({ size: 1_000_000, seed: 5, out: join(dir, 'd.ndjson') });
    const got = countAlerts(await readFile(join(dir, 'd.ndjson'), 'utf8'));
    expect(got.r1 + got.r2).toBe(e.total_alerts);
    expect(e.total_alerts).toBeLessThan(e.lines * 0.01);
  });
});

describe('generator helpers', () => {
  it('mulberry32 is deterministic and in [0, 1)', () => {
    const a = mulberry32(9);
    const b = mulberry32(9);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });

  it.each([
    ['1GB', 1e9], ['200MB', 200e6], ['512KiB', 524288], ['1.5gb', 1.5e9], ['1000', 1000],
  ])('parseSize(%s)', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });
});

// The floor reads with its own buffer handling: a line cut by a read, a line longer than the buffer
// or a missing last newline must neither lose nor invent a line, or "× floor" compares unlike work.
describe('bench/floor.mjs', () => {
  let floorDir: string;
  beforeAll(async () => {
    floorDir = await mkdtemp(join(tmpdir(), 'lkm-bench-floor-'));
  });
  afterAll(() => rm(floorDir, { recursive: true, force: true }));

  it('parses every line once, across reads, long lines and a last line without newline', async () => {
    const long = JSON.stringify({ v: 'é'.repeat(700_000) }); // 1.4 MB of UTF-8: longer than one read
    const small = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ i, s: 'ü€😀'.repeat(i % 50) }));
    const text = `${small.join('\n')}\n\n${long}\n${small.join('\n')}\n{"last":true}`;
    const file = join(floorDir, 'mixed.ndjson');
    await writeFile(file, text);
    expect(parseFloor(file)).toEqual({ lines: 6002, bytes: Buffer.byteLength(text), errors: 0 });
  });

  it('counts a line JSON.parse rejects as an error', async () => {
    const file = join(floorDir, 'bad.ndjson');
    await writeFile(file, '{"a":1}\n{"a":\n[1]\n');
    expect(parseFloor(file)).toEqual({ lines: 3, bytes: 18, errors: 1 });
  });
});

describe('bench/shuffle.mjs', () => {
  it('writes the same lines in a seeded order, each ending with a newline', async () => {
    const shuffleDir = await mkdtemp(join(tmpdir(), 'lkm-bench-shuffle-'));
    try {
      const lines = Array.from({ length: 500 }, (_, i) => `{"n":${i}}`);
      const from = join(shuffleDir, 'in.ndjson');
      await writeFile(from, lines.join('\n')); // no newline after the last line
      const a = join(shuffleDir, 'a.ndjson');
      const b = join(shuffleDir, 'b.ndjson');
      const c = join(shuffleDir, 'c.ndjson');
      await shuffleLines(from, a, 1);
      await shuffleLines(from, b, 1);
      await shuffleLines(from, c, 2);
      const textA = await readFile(a, 'utf8');
      expect(textA.endsWith('\n')).toBe(true);
      const out = textA.slice(0, -1).split('\n');
      expect(out).not.toEqual(lines);
      expect([...out].sort()).toEqual([...lines].sort());
      expect(await readFile(b, 'utf8')).toBe(textA);
      expect(await readFile(c, 'utf8')).not.toBe(textA);
    } finally {
      await rm(shuffleDir, { recursive: true, force: true });
    }
  });
});
