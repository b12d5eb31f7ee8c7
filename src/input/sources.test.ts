import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLogFileName, resolveInputs } from './sources.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lkm-sources-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function touch(...paths: string[]): Promise<void> {
  for (const path of paths) {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, '');
  }
}

const names = (r: Awaited<ReturnType<typeof resolveInputs>>) => r.sources.map((s) => s.name);

describe('resolveInputs', () => {
  it('reads stdin when given no arguments', async () => {
    expect(await resolveInputs([])).toEqual({ sources: [{ kind: 'stdin', name: '<stdin>' }], errors: [] });
  });

  it('reads stdin for "-", once even if given twice', async () => {
    const file = join(dir, 'one.log');
    await touch(file);
    const resolved = await resolveInputs(['-', file, '-']);
    expect(resolved.sources).toEqual([
      { kind: 'stdin', name: '<stdin>' },
      { kind: 'file', path: file, name: file },
    ]);
  });

  it('takes a path that is not a regular file (a FIFO) as a stream, without opening it', async () => {
    const fifo = join(dir, 'pipe.fifo');
    execFileSync('mkfifo', [fifo]);
    // Opening a FIFO with no writer would block: resolving returns at all only because it does not.
    expect(await resolveInputs([fifo])).toEqual({ sources: [{ kind: 'stream', path: fifo, name: fifo }], errors: [] });
  });

  it('accepts a named file whatever its extension', async () => {
    const file = join(dir, 'events.txt');
    await touch(file);
    expect(names(await resolveInputs([file]))).toEqual([file]);
  });

  it('reports a missing file with the OS reason and still resolves the other inputs', async () => {
    const missing = join(dir, 'nope.ndjson');
    const present = join(dir, 'present.ndjson');
    await touch(present);
    const resolved = await resolveInputs([missing, present]);
    expect(resolved.errors).toEqual([{ source: missing, message: 'cannot read: no such file (ENOENT)' }]);
    expect(names(resolved)).toEqual([present]);
  });

  it('reports a directory with no log files, saying which extensions it looked for', async () => {
    const empty = join(dir, 'nologs');
    await touch(join(empty, 'readme.txt'), join(empty, 'sub', 'x.gzip'));
    const resolved = await resolveInputs([empty]);
    expect(resolved.sources).toEqual([]);
    expect(resolved.errors).toHaveLength(1);
    expect(resolved.errors[0]!.source).toBe(empty);
    expect(resolved.errors[0]!.message).toMatch(`no .ndjson/.json/.jsonl/.gz files in ${empty}`);
  });

  it('finds log files recursively, extensions case-insensitive, sorted by path component', async () => {
    const root = join(dir, 'tree');
    await touch(
      join(root, 'b.ndjson'),
      join(root, 'a', 'z.JSON'),
      join(root, 'a.jsonl'),
      join(root, 'c', 'd', 'e.Gz'),
      join(root, 'c', 'skip.txt'),
      join(root, 'A.json'),
    );
    const resolved = await resolveInputs([root]);
    expect(resolved.errors).toEqual([]);
    expect(names(resolved)).toEqual(
      ['A.json', 'a/z.JSON', 'a.jsonl', 'b.ndjson', 'c/d/e.Gz'].map((p) => join(root, ...p.split('/'))),
    );
    expect(resolved.sources.every((s) => s.kind === 'file' && s.path === s.name)).toBe(true);
  });

  it('keeps the directory prefix as the user typed it in file names', async () => {
    const root = join(dir, 'prefix');
    await touch(join(root, 'x.ndjson'));
    expect(names(await resolveInputs([root + '/']))).toEqual([root + '/x.ndjson']);
  });

  it('follows a symbolic link cycle only once', async () => {
    const root = join(dir, 'cycle');
    await touch(join(root, 'sub', 'x.ndjson'));
    await symlink(root, join(root, 'sub', 'loop'));
    expect(names(await resolveInputs([root]))).toEqual([join(root, 'sub', 'x.ndjson')]);
  });
});

describe('isLogFileName', () => {
  it('matches the log extensions in any case, not a bare extension', () => {
    expect(['a.ndjson', 'b.JSONL', 'c.json', 'd.log.GZ'].every(isLogFileName)).toBe(true);
    expect(['a.txt', 'b.jsonx', '.gz', 'gz'].some(isLogFileName)).toBe(false);
  });
});
