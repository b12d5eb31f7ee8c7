import { ftruncateSync, openSync, closeSync, readdirSync, readlinkSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SpillError, SpillFile } from './spillFile.js';

const dir = mkdtempSync(join(tmpdir(), 'lkm-scan-spillfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SpillFile', () => {
  it('gives back each text put, from memory and from disk, multi-byte characters included', () => {
    const file = new SpillFile(dir, undefined, 64);
    const texts = ['{"a":1}', 'é'.repeat(40), 'x'.repeat(500), '日本語 \t tab', ''];
    const refs = texts.map((t) => file.put(t));
    expect(file.onDisk).toBe(true);
    expect(refs.map((r) => file.get(r))).toEqual(texts);
    file.close();
  });

  it('stays in memory while what it holds fits its buffer, and leaves no file behind', () => {
    const file = new SpillFile(dir);
    const ref = file.put('{"held":true}');
    expect(file.get(ref)).toBe('{"held":true}');
    expect(file.onDisk).toBe(false);
    file.close();
    const big = new SpillFile(dir, undefined, 16);
    big.put('more than sixteen bytes');
    expect(big.onDisk).toBe(true);
    // Unlinked as soon as it was opened (POSIX): killed or not, the scan leaves nothing in TMPDIR.
    if (process.platform !== 'win32') expect(readdirSync(dir)).toEqual([]);
    big.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fails loudly, never with a wrong line, when its file was cut short behind its back', () => {
    if (process.platform !== 'linux') return;
    const file = new SpillFile(dir, undefined, 16);
    const first = file.put('a line of an event that alerts');
    file.put('another line, to flush the first to disk');
    // The unlinked file is still reachable through /proc: truncate it as a cleaner or a full disk might.
    // This one, under this test's `dir`: test files running in other threads share the process's fds.
    const fd = readdirSync('/proc/self/fd').find((n) => {
      try {
        const target = readlinkSync(`/proc/self/fd/${n}`);
        return target.startsWith(dir) && target.includes('held.spill');
      } catch {
        return false;
      }
    });
    expect(fd).toBeDefined();
    const other = openSync(`/proc/self/fd/${fd}`, 'r+');
    ftruncateSync(other, 5);
    closeSync(other);
    expect(() => file.get(first)).toThrow(SpillError);
    expect(() => file.get(first)).toThrow(/cut short .* the result would be incomplete/);
    file.close();
  });

  it('refuses to be used once closed', () => {
    const file = new SpillFile(dir);
    const ref = file.put('x');
    file.close();
    expect(() => file.get(ref)).toThrow(SpillError);
    expect(() => file.put('y')).toThrow(SpillError);
  });

  it('says where it could not write and what to do', () => {
    const file = new SpillFile(join(dir, 'no', 'such', 'dir'), undefined, 4);
    expect(() => file.put('more than four bytes')).toThrow(/cannot create a temporary file .* set TMPDIR/);
  });
});
