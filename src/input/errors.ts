/** A problem with one input (a path the user gave, or a file inside a directory they gave). */
export interface InputError {
  /** The path as the user wrote it (or as found in their directory), or `<stdin>`. */
  source: string;
  /** What went wrong, without the path; e.g. "cannot read: no such file (ENOENT)". */
  message: string;
}

/** The OS error codes a user meets when naming inputs, in words they know. */
const OS_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a path component is not a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EIO: 'I/O error',
  // Opening a socket by path, e.g. /dev/stdin when stdin is a socket: only piping it in works.
  ENXIO: 'no such device or address; pipe it in instead: ... | lkm-scan -',
};

/** The `code` of a Node system or zlib error (`ENOENT`, `Z_DATA_ERROR`), if it has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** Describes an fs error as "reason (CODE)", falling back to Node's message for unknown codes. */
export function describeOsError(error: unknown): string {
  const code = errorCode(error);
  const reason = code === undefined ? undefined : OS_REASONS[code];
  if (reason !== undefined) return `${reason} (${code})`;
  return error instanceof Error ? error.message : String(error);
}
