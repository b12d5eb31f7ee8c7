import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import { describeOsError, type InputError } from './errors.js';

/**
 * One input to scan. `name` is what the user sees in locations and errors: the argument as typed,
 * or for a file found in a directory, that directory argument joined with the file's relative path.
 * A `file` is a regular file (it may be opened again, at any offset, e.g. by worker threads); a
 * `stream` is a path to anything else (a FIFO, `/dev/stdin`, a socket), which must be opened once
 * and read from start to end: opening a FIFO twice loses what the writer sent to the first one.
 */
export type InputSource =
  | { kind: 'file'; path: string; name: string }
  | { kind: 'stream'; path: string; name: string }
  | { kind: 'stdin'; name: '<stdin>' };

export type { InputError } from './errors.js';

/** What the inputs resolved to. Errors do not stop the other inputs from being resolved. */
export interface ResolvedInputs {
  sources: InputSource[];
  errors: InputError[];
}

/** File name endings looked for inside a directory (compared case-insensitively). */
export const LOG_EXTENSIONS: readonly string[] = ['.ndjson', '.json', '.jsonl', '.gz'];

const STDIN: InputSource = { kind: 'stdin', name: '<stdin>' };

/**
 * Turns command-line arguments into the inputs to scan, in argument order: `-` (or no argument at
 * all) is stdin; a directory stands for the log files under it, recursively, sorted by path; any
 * other path is a file, whatever its name, because the user named it.
 */
export async function resolveInputs(args: readonly string[]): Promise<ResolvedInputs> {
  const sources: InputSource[] = [];
  const errors: InputError[] = [];
  if (args.length === 0) return { sources: [STDIN], errors };
  let stdinSeen = false;
  for (const arg of args) {
    if (arg === '-') {
      // stdin can only be read once; a second `-` would silently see nothing.
      if (!stdinSeen) sources.push(STDIN);
      stdinSeen = true;
      continue;
    }
    let info;
    try {
      info = await stat(arg);
    } catch (error) {
      errors.push({ source: arg, message: `cannot read: ${describeOsError(error)}` });
      continue;
    }
    if (!info.isDirectory()) {
      // stat() follows links without opening anything: a FIFO is only opened by the one read.
      sources.push({ kind: info.isFile() ? 'file' : 'stream', path: arg, name: arg });
      continue;
    }
    const found: string[] = [];
    await collectLogFiles(arg, found, errors, new Set([`${info.dev}:${info.ino}`]));
    if (found.length === 0) {
      errors.push({
        source: arg,
        message: `no ${LOG_EXTENSIONS.join('/')} files in ${arg}; name the files to scan explicitly if they have other extensions`,
      });
      continue;
    }
    for (const path of found) sources.push({ kind: 'file', path, name: path });
  }
  return { sources, errors };
}

/** True if `fileName` ends with one of {@link LOG_EXTENSIONS}, ignoring case. */
export function isLogFileName(fileName: string): boolean {
  const lower = fileName.toLowerCase();
  return LOG_EXTENSIONS.some((ext) => lower.endsWith(ext) && lower.length > ext.length);
}

/**
 * Walks `dir` depth-first with each directory's entries sorted by name, appending the log files
 * found: the result is sorted by path, component by component (`a/z.json` before `a.json`), as in
 * a tree listing, and the same on every machine. Symbolic links are followed, with each directory's
 * device and inode remembered so that a link cycle is walked once rather than forever.
 */
async function collectLogFiles(dir: string, found: string[], errors: InputError[], visited: Set<string>): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => compareNames(a.name, b.name));
  } catch (error) {
    errors.push({ source: dir, message: `cannot list directory: ${describeOsError(error)}` });
    return;
  }
  for (const entry of entries) {
    // Not path.join: it would rewrite the prefix the user typed (`./logs` → `logs`).
    const path = dir.endsWith(sep) ? dir + entry.name : dir + sep + entry.name;
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      try {
        const target = await stat(path);
        isDirectory = target.isDirectory();
        isFile = target.isFile();
        if (isDirectory) {
          const key = `${target.dev}:${target.ino}`;
          if (visited.has(key)) continue;
          visited.add(key);
        }
      } catch {
        // A dangling link is not a log file the user asked for; skipping it is not an error.
        continue;
      }
    } else if (isDirectory) {
      const info = await stat(path).catch(() => undefined);
      if (info !== undefined) visited.add(`${info.dev}:${info.ino}`);
    }
    if (isDirectory) await collectLogFiles(path, found, errors, visited);
    else if (isFile && isLogFileName(entry.name)) found.push(path);
  }
}

/** Orders names by their UTF-16 code units: the same on every machine, unlike a locale compare. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
