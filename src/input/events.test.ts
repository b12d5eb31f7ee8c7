import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EcsEvent } from '../event/types.js';
import { addStats, readEvents, type EventHandler, type Location, type ReadEventsOptions, type SourceStats } from './events.js';
import type { InputSource } from './sources.js';

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
  expect(stats.events + stats.skipped + stats.malformed + stats.blank).toBe(stats.lines);
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
    expect(r.malformed[0]!.reason).toContain('\\u001b');
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

  it('skips object-shaped lines a screen rules out, but still reports lines that are not objects', async () => {
    const keep = Buffer.from('keep');
    const screen = {
      candidates(bytes: Buffer, start: number, end: number) {
        const starts: number[] = [];
        for (let p = start; p < end; p = bytes.indexOf(0x0a, p) + 1) if (bytes.subarray(p, bytes.indexOf(0x0a, p)).includes(keep)) starts.push(p);
        return starts;
      },
      mayMatch: () => true,
    };
    const r = await readFileContent('{"first":1}\n{"keep":1}\n{"drop":1}\nnot json at all\n\n{"drop": \n', 'in.ndjson', { screen });
    // Line 1 goes through the line-by-line path (its BOM is checked there), so it is parsed.
    expect(r.events.map((e) => e.event)).toEqual([{ first: 1 }, { keep: 1 }]);
    expect(r.malformed.map((m) => m.line)).toEqual([4, 6]);
    expect(r.stats).toMatchObject({ lines: 6, events: 2, skipped: 1, blank: 1, malformed: 2 });
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

describe('addStats', () => {
  it('sums every count of one input into a total', () => {
    const total: SourceStats = { lines: 1, events: 1, skipped: 0, malformed: 0, blank: 0, bytes: 10, warnings: 0, evaluated: 1, outsideWindow: 0 };
    addStats(total, { lines: 4, events: 1, skipped: 1, malformed: 1, blank: 1, bytes: 5, warnings: 2, evaluated: 1, outsideWindow: 1, error: 'x', shape: 'ndjson', hint: 'h' });
    expect(total).toEqual({ lines: 5, events: 2, skipped: 1, malformed: 1, blank: 1, bytes: 15, warnings: 2, evaluated: 2, outsideWindow: 1 });
  });
});
