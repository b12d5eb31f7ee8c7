import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The file operations an atomic write uses; a parameter so tests can make one of them fail. */
export type AtomicWriteFs = Pick<typeof nodeFs, 'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'unlinkSync'>;

/** How to write: `mode` of a new file (before the umask); `durable: false` skips the fsyncs, for a file whose loss costs only time (a cache that checks what it reads). */
export interface AtomicWriteOptions {
  mode?: number;
  durable?: boolean;
}

/**
 * Replaces `path` with `text` so that a reader (or the next run, after a crash or a full disk)
 * sees either the old file or the new one, never a mix: the text goes to a temporary file in the
 * same folder (rename is atomic only within a file system), is flushed to disk, then renamed over
 * `path`. On any failure the temporary file is removed, `path` is left as it was, and the error
 * is thrown.
 */
export function writeFileAtomic(path: string, text: string | Uint8Array, fs: AtomicWriteFs = nodeFs, options: AtomicWriteOptions = {}): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const durable = options.durable ?? true;
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, 'wx', options.mode);
    let written = 0;
    while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
    if (durable) fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, path);
  } catch (e) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // Already failing; the write's error is the one to report.
      }
    }
    try {
      fs.unlinkSync(temp);
    } catch {
      // The temporary file may not exist (the open failed).
    }
    throw e;
  }
  if (durable) syncFolder(dirname(path));
}

/** Makes the rename itself durable. Not every platform can open a folder; the rename still stands. */
function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = nodeFs.openSync(folder, 'r');
    nodeFs.fsyncSync(fd);
  } catch {
    // Best effort (Windows, some network file systems).
  } finally {
    if (fd !== undefined) nodeFs.closeSync(fd);
  }
}
