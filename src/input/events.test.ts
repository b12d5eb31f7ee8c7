import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EcsEvent } from '../event/types.js';
import type { LineRules } from '../prefilter/lineRules.js';
import { compilePrefilter } from '../prefilter/compile.js';
import { and, lit, or } from '../prefilter/needles.js';
import { addStats, describeReadFailure, readEvents, type EventHandler, type Location, type ReadEventsOptions, type SourceStats } from './events.js';
import type { InputSource } from './sources.js';

/** What a test prefilter says of a line it passes: any rule may match it; and of one it rules out. */
const EVERY_RULE: LineRules = { listed: undefined, free: new Uint8Array(0) };
const NO_RULE: LineRules = { listed: [], free: new Uint8Array(0) };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lkm-events-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Recorded {
  events: { event: EcsEvent; loc: Location }[];
  malformed: { line: number; reason: string }[];
  warnings: { line: number; message: string }[];
  stats: SourceStats;
}

function recorder(): { handler: EventHandler; seen: Omit<Recorded, 'stats'> } {
  const seen: Omit<Recorded, 'stats'> = { events: [], malformed: [], warnings: [] };
  const handler: EventHandler = {
    event: (event, loc) => seen.events.push({ event, loc }),
    malformed: (loc, reason) => seen.malformed.push({ line: loc.line, reason }),
    warning: (loc, message) => seen.warnings.push({ line: loc.line, message }),
  };
  return { handler, seen };
}

function expectInvariant(stats: SourceStats): void {
  // JSON documents count lines of text, not records: the invariant is NDJSON's.
  if (stats.shape !== 'json') expect(stats.events + stats.skipped + stats.malformed + stats.blank).toBe(stats.lines);
  expect(stats.evaluated + stats.outsideWindow).toBeLessThanOrEqual(stats.events + stats.skipped);
}

let fileCount = 0;
/** Writes `content` to a fresh file named `name` and reads it. */
async function readFileContent(content: string | Buffer, name = 'in.ndjson', options?: ReadEventsOptions): Promise<Recorded> {
  const path = join(dir, `${fileCount++}-${name}`);
  await writeFile(path, content);
  return read({ kind: 'file', path, name: path }, options);
}

async function read(source: InputSource, options?: ReadEventsOptions): Promise<Recorded> {
  const { handler, seen } = recorder();
  const stats = await readEvents(source, handler, options);
  expectInvariant(stats);
  return { ...seen, stats };
}

const lines = (...objects: unknown[]) => objects.map((o) => JSON.stringify(o) + '\n').join('');

describe('readEvents', () => {
  it('delivers each JSON object line as an event with its file and line number', async () => {
    const r = await readFileContent(lines({ a: 1 }, { b: { c: 'x' } }));
    expect(r.events.map((e) => e.event)).toEqual([{ a: 1 }, { b: { c: 'x' } }]);
    expect(r.events.map((e) => e.loc.line)).toEqual([1, 2]);
    expect(r.events[0]!.loc.file).toMatch(/in\.ndjson$/);
    expect(r.stats).toMatchObject({ lines: 2, events: 2, malformed: 0, blank: 0, skipped: 0, warnings: 0 });
    expect(r.stats.error).toBeUndefined();
  });

  it('reports invalid JSON as malformed with the parser’s reason and goes on', async () => {
    const r = await readFileContent('{"a":1,}\n{"ok":true}\n');
    expect(r.malformed).toEqual([{ line: 1, reason: expect.stringMatching(/^invalid JSON: .*position 7/) }]);
    expect(r.events.map((e) => e.event)).toEqual([{ ok: true }]);
    expect(r.stats).toMatchObject({ lines: 2, events: 1, malformed: 1 });
  });

  it('escapes control characters quoted from the input in a malformed reason', async () => {
    const r = await readFileContent('\x1b[31mred\n');
    expect(r.malformed).toHaveLength(1);
    expect(r.malformed[0]!.reason).not.toMatch(/\x1b/);
    expect(r.malformed[0]!.reason).toContain('\\x1b');
  });

  it.each([
    ['[1,2]', 'an array'],
    ['"text"', 'a string'],
    ['42', 'a number'],
    ['null', 'null'],
    ['true', 'a boolean'],
  ])('reports valid JSON that is not an object (%s) as malformed', async (line, found) => {
    // After a first object line: an input that starts with `[` is a JSON array (see the shapes below).
    const r = await readFileContent(`{"a":1}\n${line}\n`);
    expect(r.malformed).toEqual([{ line: 2, reason: `expected a JSON object, found ${found}` }]);
    expect(r.stats).toMatchObject({ lines: 2, events: 1, malformed: 1 });
  });

  it('counts empty and whitespace-only lines as blank, not malformed', async () => {
    const r = await readFileContent('\n  \t \n{"a":1}\n\r\n');
    expect(r.malformed).toEqual([]);
    expect(r.stats).toMatchObject({ lines: 4, events: 1, blank: 3 });
    expect(r.events[0]!.loc.line).toBe(3);
  });

  it('reads CRLF line endings', async () => {
    const r = await readFileContent('{"a":"x"}\r\n{"b":2}\r\n');
    expect(r.events.map((e) => e.event)).toEqual([{ a: 'x' }, { b: 2 }]);
    expect(r.malformed).toEqual([]);
  });

  it('skips a UTF-8 byte order mark at the start of the file', async () => {
    const r = await readFileContent(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}\n')]));
    expect(r.events.map((e) => e.event)).toEqual([{ a: 1 }]);
    expect(r.malformed).toEqual([]);
  });

  it('delivers a line with invalid UTF-8 with U+FFFD in place of the bad bytes, and warns', async () => {
    const bad = Buffer.concat([Buffer.from('{"name":"a'), Buffer.from([0xff, 0xc3]), Buffer.from('b"}\n{"ok":1}\n')]);
    const r = await readFileContent(bad);
    expect(r.events.map((e) => e.event)).toEqual([{ name: 'a\uFFFD\uFFFDb' }, { ok: 1 }]);
    expect(r.warnings).toEqual([{ line: 1, message: 'invalid UTF-8 replaced with U+FFFD' }]);
    expect(r.stats.warnings).toBe(1);
  });

  it('does not warn about a U+FFFD that was really in the file', async () => {
    const r = await readFileContent('{"name":"a\uFFFDb"}\n');
    expect(r.events).toHaveLength(1);
    expect(r.warnings).toEqual([]);
  });

  it('counts a final line without a newline', async () => {
    const r = await readFileContent('{"a":1}\n{"b":2}');
    expect(r.events.map((e) => e.event)).toEqual([{ a: 1 }, { b: 2 }]);
    expect(r.stats.lines).toBe(2);
  });

  it('finds no lines in an empty file', async () => {
    const r = await readFileContent('');
    expect(r.stats).toMatchObject({ lines: 0, events: 0, bytes: 0 });
    expect(r.stats.error).toBeUndefined();
  });

  it('keeps events + malformed + blank equal to lines read, and counts bytes', async () => {
    const content = '{"a":1}\n\nnot json\n[1]\n  \n{"b":2}\r\n{"c":3}';
    const r = await readFileContent(content);
    expect(r.stats).toEqual({ lines: 7, events: 3, skipped: 0, malformed: 2, blank: 2, bytes: content.length, warnings: 0, evaluated: 3, outsideWindow: 0, shape: 'ndjson' });
  });

  it('skips object-shaped lines a prefilter rules out, but still reports lines that are not objects', async () => {
    const keep = Buffer.from('keep');
    const prefilter = {
      candidates(bytes: Buffer, start: number, end: number) {
        const starts: number[] = [];
        for (let p = start; p < end; p = bytes.indexOf(0x0a, p) + 1) if (bytes.subarray(p, bytes.indexOf(0x0a, p)).includes(keep)) starts.push(p);
        return starts;
      },
      lineRules: () => EVERY_RULE,
      freeOnly: NO_RULE,
    };
    const r = await readFileContent('{"first":1}\n{"keep":1}\n{"drop":1}\nnot json at all\n\n{"drop": \n', 'in.ndjson', { prefilter });
    // Line 1 goes through the line-by-line path (its BOM is checked there), so it is parsed.
    expect(r.events.map((e) => e.event)).toEqual([{ first: 1 }, { keep: 1 }]);
    expect(r.malformed.map((m) => m.line)).toEqual([4, 6]);
    expect(r.stats).toMatchObject({ lines: 6, events: 2, skipped: 1, blank: 1, malformed: 2 });
  });

  it('tunes the prefilter on the first block, and again every recalibrateBytes of lines', async () => {
    const samples: string[] = [];
    const prefilter = {
      calibrate: (sample: Buffer) => void samples.push(sample.toString()),
      candidates: () => [],
      lineRules: () => EVERY_RULE,
      freeOnly: NO_RULE,
    };
    const content = Array.from({ length: 40 }, (_, i) => JSON.stringify({ n: i, pad: 'x'.repeat(20) })).join('\n') + '\n';
    await readFileContent(content, 'tune.ndjson', { prefilter, chunkBytes: 128 });
    expect(samples).toHaveLength(1);
    samples.length = 0;
    await readFileContent(content, 'tune.ndjson', { prefilter, chunkBytes: 128, recalibrateBytes: 300 });
    // Each sample is the block at hand: later ones hold later lines.
    expect(samples.length).toBeGreaterThanOrEqual(3);
    const firstN = (sample: string) => (JSON.parse(sample.slice(0, sample.indexOf('\n'))) as { n: number }).n;
    expect(firstN(samples.at(-1)!)).toBeGreaterThan(firstN(samples[0]!));
  });

  it('delivers the same events and counts however often a real prefilter is tuned again, on input whose mix changes', async () => {
    const rare = Array.from({ length: 300 }, (_, i) => JSON.stringify({ i, process: { name: i % 50 === 0 ? 'ko' : 'bash' }, host: 'a' }));
    const common = Array.from({ length: 300 }, (_, i) => JSON.stringify({ i, process: { name: i % 3 === 0 ? 'bash' : 'ko' }, note: i % 7 === 0 ? '\\u006b' : '' }));
    const content = [...rare, ...common].join('\n') + '\n';
    const needs = [and([lit('"ko"'), lit('"name"')]), or([lit('"sh"'), lit('"zz"')]), lit('"/x/y"')];
    const runs = await Promise.all(
      [undefined, 2000, 1].map(async (recalibrateBytes) => {
        const prefilter = compilePrefilter(needs, { mode: 'per-needle' })!;
        const r = await readFileContent(content, 'mix.ndjson', { prefilter, chunkBytes: 4096, recalibrateBytes });
        return { events: r.events.map((e) => e.loc.line), stats: r.stats };
      }),
    );
    expect(runs[0]!.stats.skipped).toBeGreaterThan(0);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
  });

  it('reports a line over maxLineBytes as malformed and reads on', async () => {
    const r = await readFileContent(`{"a":"${'x'.repeat(100)}"}\n{"b":1}\n`, 'in.ndjson', { maxLineBytes: 50, chunkBytes: 16 });
    expect(r.malformed).toEqual([{ line: 1, reason: 'line longer than 50 bytes (108 bytes)' }]);
    expect(r.events.map((e) => e.event)).toEqual([{ b: 1 }]);
  });

  it('reads a 50 MB single line', async () => {
    const size = 50 * 1024 * 1024;
    const r = await readFileContent(Buffer.concat([Buffer.from('{"big":"'), Buffer.alloc(size, 'x'), Buffer.from('"}\n{"after":1}\n')]));
    expect(r.events).toHaveLength(2);
    expect((r.events[0]!.event.big as string).length).toBe(size);
    expect(r.events[1]!.loc.line).toBe(2);
  });

  it('reads lines spanning small read chunks', async () => {
    const content = lines(...Array.from({ length: 50 }, (_, i) => ({ i, pad: 'p'.repeat(i) })));
    const r = await readFileContent(content, 'in.ndjson', { chunkBytes: 61 });
    expect(r.events.map((e) => e.event.i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('keeps integers beyond 2^53 exact, wherever lines fall in the read chunks', async () => {
    const content = Array.from({ length: 40 }, (_, i) => `{"i":${i},"pad":"${'p'.repeat(i)}","pid":${9007199254740993n + BigInt(i)}}\n`).join('');
    for (const chunkBytes of [61, 64, 1 << 16]) {
      const r = await readFileContent(content, 'in.ndjson', { chunkBytes });
      expect(r.events.map((e) => e.event.pid)).toEqual(Array.from({ length: 40 }, (_, i) => 9007199254740993n + BigInt(i)).map((n) => (BigInt(Number(n)) === n ? Number(n) : n)));
    }
  });

  it('keeps integers beyond 2^53 exact in JSON documents and search hits, and in the text passed on', async () => {
    const texts: string[] = [];
    const events: EcsEvent[] = [];
    const handler: EventHandler = { event: (event, _loc, text) => (events.push(event), texts.push(text)), malformed: () => {} };
    const path = join(dir, `${fileCount++}-search.json`);
    await writeFile(path, '{"hits":{"hits":[{"_index":"i","_id":"1","_source":{"pid":9007199254740993}}]}}');
    await readEvents({ kind: 'file', path, name: path }, handler);
    const pretty = join(dir, `${fileCount++}-pretty.json`);
    await writeFile(pretty, '[\n  {\n    "pid": -9007199254740993\n  }\n]\n');
    await readEvents({ kind: 'file', path: pretty, name: pretty }, handler);
    expect(events).toEqual([{ pid: 9007199254740993n, _index: 'i', _id: '1' }, { pid: -9007199254740993n }]);
    expect(texts).toEqual(['{"pid":9007199254740993,"_index":"i","_id":"1"}', '{"pid":-9007199254740993}']);
  });

  it('decompresses a gzip file named .ndjson (detected by content, not name)', async () => {
    const r = await readFileContent(gzipSync(lines({ a: 1 }, { b: 2 })), 'events.ndjson');
    expect(r.events.map((e) => e.event)).toEqual([{ a: 1 }, { b: 2 }]);
    expect(r.stats.bytes).toBe(lines({ a: 1 }, { b: 2 }).length);
  });

  it('reads a plain text file named .gz as text', async () => {
    const r = await readFileContent(lines({ a: 1 }), 'events.gz');
    expect(r.events.map((e) => e.event)).toEqual([{ a: 1 }]);
    expect(r.stats.error).toBeUndefined();
  });

  it('reads every member of a multi-member gzip file', async () => {
    const r = await readFileContent(Buffer.concat([gzipSync(lines({ a: 1 })), gzipSync(lines({ b: 2 }, { c: 3 }))]), 'x.gz');
    expect(r.events.map((e) => e.event)).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
  });

  it('delivers the lines of a truncated gzip file, then reports it truncated after the last line', async () => {
    const content = lines(...Array.from({ length: 2000 }, (_, i) => ({ i, noise: Math.sin(i).toString(36) })));
    const gz = gzipSync(content);
    const r = await readFileContent(gz.subarray(0, Math.floor(gz.length * 0.6)), 'x.gz');
    const n = r.stats.lines;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(2000);
    expect(r.events.map((e) => e.event.i)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(r.stats.error).toMatch(new RegExp(`^gzip data truncated after line ${n}(; the incomplete line ${n + 1} was skipped)?$`));
  });

  it('reports corrupt gzip data as an input error', async () => {
    const gz = Buffer.from(gzipSync(lines({ a: 1 })));
    gz[gz.length - 8] = gz[gz.length - 8]! ^ 0xff;
    const r = await readFileContent(gz, 'x.gz');
    expect(r.stats.error).toMatch(/^gzip data corrupt \(incorrect data check\) after line \d+/);
  });

  it('reports bytes after the last gzip member that are not gzip as corrupt data', async () => {
    const r = await readFileContent(Buffer.concat([gzipSync(lines({ a: 1 })), Buffer.from('not gzip\n')]), 'x.gz');
    expect(r.stats.error).toMatch(/^gzip data corrupt \(incorrect header check\) after line \d+$/);
  });

  it('reports a missing file as an input error naming the OS reason', async () => {
    const path = join(dir, 'missing.ndjson');
    const r = await read({ kind: 'file', path, name: path });
    expect(r.stats).toMatchObject({ lines: 0, error: 'cannot open: no such file (ENOENT)' });
  });

  it('reports a directory given as a file as an input error', async () => {
    const r = await read({ kind: 'file', path: dir, name: dir });
    expect(r.stats.error).toBe('cannot read: is a directory (EISDIR)');
  });

  it('lets an error thrown by the handler propagate', async () => {
    const path = join(dir, 'throws.ndjson');
    await writeFile(path, lines({ a: 1 }, { b: 2 }));
    const handler: EventHandler = {
      event: () => {
        throw new Error('output closed');
      },
      malformed: () => {},
    };
    await expect(readEvents({ kind: 'file', path, name: path }, handler)).rejects.toThrow('output closed');
  });

  it('delivers a stdin line as soon as it arrives, before the stream ends', async () => {
    const stdin = new PassThrough();
    const { handler, seen } = recorder();
    const done = readEvents({ kind: 'stdin', name: '<stdin>' }, handler, { stdin });
    stdin.write('{"first":1}\n');
    await expect.poll(() => seen.events.length).toBe(1);
    expect(seen.events[0]).toEqual({ event: { first: 1 }, loc: { file: '<stdin>', line: 1 } });
    stdin.end('{"second":2}');
    const stats = await done;
    expect(stats).toMatchObject({ lines: 2, events: 2 });
  });

  it('decompresses gzip arriving on stdin a few bytes at a time', async () => {
    const stdin = new PassThrough();
    const { handler, seen } = recorder();
    const done = readEvents({ kind: 'stdin', name: '<stdin>' }, handler, { stdin });
    const gz = gzipSync(lines({ a: 1 }, { b: 2 }));
    for (let i = 0; i < gz.length; i += 3) stdin.write(gz.subarray(i, i + 3));
    stdin.end();
    expect(await done).toMatchObject({ lines: 2, events: 2 });
    expect(seen.events.map((e) => e.event)).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('reads stdin that is a regular file from its descriptor, on from its offset, not through the stream', async () => {
    const path = join(dir, 'stdin-file.ndjson.gz');
    await writeFile(path, Buffer.concat([Buffer.from('skipped by the shell\n'), gzipSync(lines({ a: 1 }, { b: 2 }, { c: 3 }))]));
    const fd = openSync(path, 'r');
    try {
      // As a shell's `read` leaves it: the descriptor's offset just after the first line.
      readSync(fd, Buffer.alloc(21), 0, 21, null);
      const stdin = new PassThrough();
      const { handler, seen } = recorder();
      // Small reads, so a line and the gzip stream span several of them.
      const stats = await readEvents({ kind: 'stdin', name: '<stdin>' }, handler, { stdin, stdinFile: { fd }, chunkBytes: 7 });
      expect(stats).toMatchObject({ lines: 3, events: 3 });
      expect(stats.error).toBeUndefined();
      expect(seen.events).toEqual([
        { event: { a: 1 }, loc: { file: '<stdin>', line: 1 } },
        { event: { b: 2 }, loc: { file: '<stdin>', line: 2 } },
        { event: { c: 3 }, loc: { file: '<stdin>', line: 3 } },
      ]);
      expect(stdin.readableFlowing).toBeNull();
      // The descriptor is borrowed: still open for its owner.
      expect(fstatSync(fd).isFile()).toBe(true);
    } finally {
      closeSync(fd);
    }
  });

  it('reports a stdin stream error as an input error after the lines before it', async () => {
    const stdin = new PassThrough();
    const { handler, seen } = recorder();
    const done = readEvents({ kind: 'stdin', name: '<stdin>' }, handler, { stdin });
    stdin.write('{"a":1}\n{"part');
    await expect.poll(() => seen.events.length).toBe(1);
    stdin.destroy(Object.assign(new Error('read EIO'), { code: 'EIO' }));
    expect((await done).error).toBe('cannot read: I/O error (EIO) after line 1; the incomplete line 2 was skipped');
  });
});

describe('readEvents: input shapes', () => {
  const docs = [{ '@timestamp': '2024-05-01T10:00:00Z', a: 1 }, { b: { c: [1, 2] } }, { d: 'x' }];

  it('reads a pretty-printed JSON array, each event located at the line where it starts', async () => {
    const text = JSON.stringify(docs, null, 2);
    const r = await readFileContent(text, 'export.json');
    expect(r.events.map((e) => e.event)).toEqual(docs);
    const starts = text.split('\n').flatMap((l, i) => (l === '  {' ? [i + 1] : []));
    expect(r.events.map((e) => e.loc.line)).toEqual(starts);
    expect(r.stats).toMatchObject({ shape: 'json', events: 3, evaluated: 3, malformed: 0, lines: text.split('\n').length });
  });

  it('passes each event on as one line of JSON text (alert output embeds it in an NDJSON line)', async () => {
    const texts: string[] = [];
    const path = join(dir, 'pretty-text.json');
    await writeFile(path, JSON.stringify(docs, null, 2));
    await readEvents({ kind: 'file', path, name: path }, { event: (_e, _l, text) => texts.push(text), malformed: () => {} });
    expect(texts.every((t) => !t.includes('\n'))).toBe(true);
    expect(texts.map((t) => JSON.parse(t))).toEqual(docs);
  });

  it('reads concatenated pretty-printed objects, gzipped', async () => {
    const r = await readFileContent(gzipSync(docs.map((d) => JSON.stringify(d, null, 2)).join('\n') + '\n'), 'jq.json.gz');
    expect(r.events.map((e) => e.event)).toEqual(docs);
    expect(r.events.map((e) => e.loc.line)).toEqual([1, 5, 13]);
  });

  it('reads the hits of a search response, keeping _index and _id unless the _source has its own', async () => {
    const response = {
      took: 1,
      timed_out: false,
      _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
      hits: {
        total: { value: 3, relation: 'eq' },
        hits: [
          { _index: 'logs-a', _id: '1', _score: 1, _source: { x: 1 } },
          { _index: 'logs-a', _id: '2', _source: { x: 2, _index: 'mine' } },
          { _index: 'logs-a', _id: '3', fields: { x: [3] } },
        ],
      },
    };
    for (const text of [JSON.stringify(response), JSON.stringify(response, null, 2)]) {
      const r = await readFileContent(text, 'search.json');
      expect(r.events.map((e) => e.event)).toEqual([
        { x: 1, _index: 'logs-a', _id: '1' },
        { x: 2, _index: 'mine', _id: '2' },
      ]);
      expect(r.malformed).toEqual([{ line: expect.any(Number), reason: 'search hit without a _source object (was the search made with "_source": false?)' }]);
    }
  });

  it('reports malformed elements with their line and reads on', async () => {
    const r = await readFileContent('[\n  {"a":1},\n  {"b":2,,},\n  42,\n  {"c":3}\n]\n', 'broken.json');
    expect(r.events.map((e) => [e.loc.line, e.event])).toEqual([
      [2, { a: 1 }],
      [5, { c: 3 }],
    ]);
    expect(r.malformed.map((m) => m.line)).toEqual([3, 4]);
    expect(r.malformed[1]!.reason).toBe('expected a JSON object, found a number');
    expect(r.stats).toMatchObject({ events: 2, malformed: 2 });
  });

  it('reports a JSON array cut off by a truncated gzip file, naming the value it skipped', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => ({ i, noise: Math.sin(i).toString(36) }));
    const gz = gzipSync(JSON.stringify(many, null, 2));
    const r = await readFileContent(gz.subarray(0, Math.floor(gz.length * 0.5)), 'cut.json.gz');
    expect(r.events.length).toBeGreaterThan(0);
    expect(r.events.map((e) => e.event.i)).toEqual(Array.from({ length: r.events.length }, (_, i) => i));
    expect(r.stats.error).toMatch(/^gzip data truncated after line \d+; the incomplete value at line \d+ was skipped$/);
  });

  it('reads a JSON array arriving on stdin one byte at a time', async () => {
    const stdin = new PassThrough();
    const { handler, seen } = recorder();
    const done = readEvents({ kind: 'stdin', name: '<stdin>' }, handler, { stdin });
    const bytes = Buffer.from(JSON.stringify(docs, null, 2));
    for (const byte of bytes) stdin.write(Buffer.from([byte]));
    stdin.end();
    expect((await done).events).toBe(3);
    expect(seen.events.map((e) => e.event)).toEqual(docs);
  });

  it.each([
    ['xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04, 0xe6, 0xd6]), /^xz-compressed data, .*xz -dc \S+ \| lkm-scan -$/],
    ['zstd', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x05]), /zstd -dc \S+ \| lkm-scan -$/],
    ['bzip2', Buffer.from('BZh91AY&SY\x00\x01'), /bzip2 -dc \S+ \| lkm-scan -$/],
    ['zip', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00]), /unzip -p \S+ \| lkm-scan -$/],
  ])('reports %s data as an input it cannot read, with the command that pipes it in', async (_format, bytes, message) => {
    const r = await readFileContent(bytes, 'x.bin');
    expect(r.stats.error).toMatch(message);
    expect(r.stats).toMatchObject({ lines: 0, events: 0, malformed: 0 });
    expect(r.stats.hint).toBeUndefined();
  });

  it('names what an input that gave no event looks like', async () => {
    expect((await readFileContent(Buffer.from('{"a":1}\n', 'utf16le'), 'u16.json')).stats.hint).toMatch(/looks like UTF-16 text; convert it to UTF-8: iconv -f UTF-16 -t UTF-8 \S+ \| lkm-scan -$/);
    expect((await readFileContent('a,b,c\n1,2,3\n', 'x.csv')).stats.hint).toMatch(/looks like CSV/);
    expect((await readFileContent('Dec  2 sshd[1]: hi\n', 'x.log')).stats.hint).toMatch(/looks like plain-text log lines/);
    expect((await readFileContent('{"a":1}\nDec  2 sshd[1]: hi\n', 'mixed.log')).stats.hint).toBeUndefined();
  });

  it('reads a path that is not a regular file as one stream (kind "stream")', async () => {
    const path = join(dir, 'as-stream.ndjson');
    await writeFile(path, lines({ a: 1 }, { b: 2 }));
    const r = await read({ kind: 'stream', path, name: path });
    expect(r.events.map((e) => e.event)).toEqual([{ a: 1 }, { b: 2 }]);
    const missing = await read({ kind: 'stream', path: join(dir, 'nope'), name: 'nope' });
    expect(missing.stats.error).toBe('cannot read: no such file (ENOENT)');
  });
});

describe('readEvents: time window and what was evaluated', () => {
  const inMay = (event: EcsEvent) => typeof event['@timestamp'] === 'string' && event['@timestamp'].startsWith('2024-05');
  /** Rules out every line: the worst case for telling whether anything lay in the window. */
  const ruleOutAll = { candidates: () => [], lineRules: () => null, freeOnly: NO_RULE };
  // Line 1 is prefiltered line by line, the others in blocks: both paths are covered.
  const body = (...objects: unknown[]) => lines({ first: 'no time' }, ...objects);

  it('leaves out parsed events outside the window, counting them', async () => {
    const r = await readFileContent(lines({ '@timestamp': '2024-05-01T00:00:00Z' }, { '@timestamp': '2024-06-01T00:00:00Z' }, { none: 1 }), 'w.ndjson', { window: inMay });
    expect(r.events.map((e) => e.event['@timestamp'])).toEqual(['2024-05-01T00:00:00Z']);
    expect(r.stats).toMatchObject({ events: 3, evaluated: 1, outsideWindow: 2 });
  });

  it('counts lines the prefilter rules out as evaluated, without a window', async () => {
    const r = await readFileContent(body({ a: 1 }, { b: 2 }), 's.ndjson', { prefilter: ruleOutAll });
    expect(r.stats).toMatchObject({ events: 0, skipped: 3, evaluated: 3 });
  });

  it('under a window, tells from their raw bytes that ruled-out lines all lie outside it', async () => {
    const r = await readFileContent(
      body({ '@timestamp': '2024-06-01T00:00:00Z' }, { '@timestamp': 1717200000000 }, { none: 1 }, { nested: { '@timestamp': '2024-05-02T00:00:00Z' } }),
      'all-out.ndjson',
      { prefilter: ruleOutAll, window: inMay },
    );
    expect(r.events).toEqual([]);
    expect(r.stats).toMatchObject({ events: 0, skipped: 5, evaluated: 0, outsideWindow: 0 });
  });

  it('under a window, finds a ruled-out line that lies within it', async () => {
    const r = await readFileContent(body({ '@timestamp': '2024-06-01T00:00:00Z' }, { '@timestamp': '2024-05-03T00:00:00Z' }), 'one-in.ndjson', {
      prefilter: ruleOutAll,
      window: inMay,
    });
    expect(r.events).toEqual([]);
    expect(r.stats).toMatchObject({ skipped: 3, evaluated: 1 });
  });
});

describe('addStats', () => {
  it('sums every count of one input into a total', () => {
    const total: SourceStats = { lines: 1, events: 1, skipped: 0, malformed: 0, blank: 0, bytes: 10, warnings: 0, evaluated: 1, outsideWindow: 0 };
    addStats(total, { lines: 4, events: 1, skipped: 1, malformed: 1, blank: 1, bytes: 5, warnings: 2, evaluated: 1, outsideWindow: 1, error: 'x', shape: 'ndjson', hint: 'h' });
    expect(total).toEqual({ lines: 5, events: 2, skipped: 1, malformed: 1, blank: 1, bytes: 15, warnings: 2, evaluated: 2, outsideWindow: 1 });
  });
});

describe('describeReadFailure (a file that failed to read part way, as workers report it)', () => {
  it('says after which line it failed and which incomplete line was skipped', () => {
    expect(describeReadFailure('cannot read: EIO', 0, false)).toBe('cannot read: EIO');
    expect(describeReadFailure('cannot read: EIO', 0, true)).toBe('cannot read: EIO after line 0; the incomplete line 1 was skipped');
    expect(describeReadFailure('cannot read: EIO', 41, false)).toBe('cannot read: EIO after line 41');
    expect(describeReadFailure('cannot read: EIO', 41, true)).toBe('cannot read: EIO after line 41; the incomplete line 42 was skipped');
  });
});
