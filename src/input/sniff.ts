import { isUtf8 } from 'node:buffer';

/**
 * How an input's bytes (after gunzip) are to be read, decided from its first bytes:
 * - `ndjson`: one JSON object per line, the fast path (prefilter, line splitter, worker threads).
 *   Anything not recognised is read this way too, so that every bad line is counted and reported.
 * - `json`: JSON documents read value by value (src/input/jsonStream.ts): one array of events
 *   (a Kibana or `jq -s` export), an Elasticsearch `_search` response, or objects one after the
 *   other, pretty-printed (`jq .` output) or not.
 * - `compressed`: a compression format Node cannot decode; the input is reported, not read.
 */
export type InputShape = { kind: 'ndjson' } | { kind: 'json' } | { kind: 'compressed'; format: CompressionFormat };

export type CompressionFormat = 'xz' | 'zstd' | 'bzip2' | 'zip';

/**
 * How many bytes the sniffer waits for at most. A shape is normally decided from a few bytes; this
 * only bounds the wait when an input starts with a very long run of whitespace or a very long key.
 */
export const SNIFF_LIMIT = 64 * 1024;

const MAGIC: ReadonlyArray<{ format: CompressionFormat; bytes: readonly number[] }> = [
  { format: 'xz', bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { format: 'zstd', bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  // "BZh" then the block size digit 1-9, checked below.
  { format: 'bzip2', bytes: [0x42, 0x5a, 0x68] },
  // A local file header, or the end record of an empty archive.
  { format: 'zip', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { format: 'zip', bytes: [0x50, 0x4b, 0x05, 0x06] },
];

/**
 * The keys Elasticsearch writes first in a search response (SearchResponse#innerToXContent:
 * `_scroll_id` and `pit_id` when set, then `took`, `timed_out`, `_shards`, `hits`; a response
 * passed through `jq '{hits}'` starts with `hits`). No ECS event starts with one of them, so a
 * one-line response is told apart from an NDJSON event by its first key.
 */
const SEARCH_RESPONSE_FIRST_KEYS: ReadonlySet<string> = new Set(['_scroll_id', 'pit_id', 'took', 'timed_out', '_shards', 'hits']);

const BOM = [0xef, 0xbb, 0xbf];

/**
 * Decides the shape of an input from `head`, its first bytes. Returns undefined when more bytes
 * are needed and more may come (`ended` false): a live stream is decided as soon as its first
 * line shows what it is, never held back for a full buffer.
 */
export function sniffShape(bytes: Buffer, ended: boolean): InputShape | undefined {
  // Never more than the limit, so that every reader of a file (src/parallel/plan.ts reads only
  // this much) decides alike.
  const head = bytes.length > SNIFF_LIMIT ? bytes.subarray(0, SNIFF_LIMIT) : bytes;
  // Waiting for more bytes is only possible while more may come, and only up to the limit.
  const canWait = !ended && head.length < SNIFF_LIMIT;
  for (const magic of MAGIC) {
    const n = Math.min(head.length, magic.bytes.length);
    if (!startsWith(head, magic.bytes, n)) continue;
    if (n < magic.bytes.length) {
      if (canWait) return undefined;
      continue;
    }
    if (magic.format === 'bzip2') {
      if (head.length < 4) {
        if (canWait) return undefined;
        continue;
      }
      if (head[3]! < 0x31 || head[3]! > 0x39) continue;
    }
    return { kind: 'compressed', format: magic.format };
  }
  let i = 0;
  const bom = Math.min(head.length, 3);
  if (startsWith(head, BOM, bom)) {
    if (bom < 3) return canWait ? undefined : NDJSON;
    i = 3;
  }
  while (i < head.length && isWhitespace(head[i]!)) i++;
  if (i === head.length) return canWait ? undefined : NDJSON;
  const first = head[i]!;
  if (first === 0x5b /* [ */) return JSON_DOCUMENTS;
  if (first !== 0x7b /* { */) return NDJSON;
  // `{` alone on its line starts a pretty-printed object; an NDJSON line holds a whole object.
  let j = i + 1;
  while (j < head.length && (head[j] === 0x20 || head[j] === 0x09 || head[j] === 0x0d)) j++;
  if (j === head.length) return canWait ? undefined : NDJSON;
  if (head[j] === 0x0a) return JSON_DOCUMENTS;
  if (head[j] !== 0x22 /* " */) return NDJSON;
  const close = head.indexOf(0x22, j + 1);
  if (close === -1) return canWait ? undefined : NDJSON;
  return SEARCH_RESPONSE_FIRST_KEYS.has(head.toString('latin1', j + 1, close)) ? JSON_DOCUMENTS : NDJSON;
}

const NDJSON: InputShape = { kind: 'ndjson' };
const JSON_DOCUMENTS: InputShape = { kind: 'json' };

function startsWith(head: Buffer, bytes: readonly number[], n: number): boolean {
  for (let k = 0; k < n; k++) if (head[k] !== bytes[k]) return false;
  return true;
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** What the first bytes of an input that gave no event look like, when it is something we can name. */
export type ContentKind = 'utf16' | 'binary' | 'csv' | 'text';

/** How many bytes of an input are kept for {@link describeContent}. */
export const CONTENT_SAMPLE_BYTES = 4096;

/**
 * Names the kind of content in `sample` (the first bytes of an input) when it is not JSON, so that
 * an input that gave no event can be explained. Undefined for what looks like JSON (its bad lines
 * are reported one by one) and for an empty sample.
 */
export function describeContent(sample: Buffer): ContentKind | undefined {
  if (sample.length === 0) return undefined;
  if ((sample[0] === 0xff && sample[1] === 0xfe) || (sample[0] === 0xfe && sample[1] === 0xff)) return 'utf16';
  const n = Math.min(sample.length, 512);
  let evenZeros = 0;
  let oddZeros = 0;
  let zeros = 0;
  let controls = 0;
  for (let k = 0; k < sample.length; k++) {
    const c = sample[k]!;
    if (c === 0) {
      zeros++;
      if (k < n) {
        if (k % 2 === 0) evenZeros++;
        else oddZeros++;
      }
    } else if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) || c === 0x7f) {
      controls++;
    }
  }
  // ASCII text in UTF-16 has a zero in every other byte (odd ones in little-endian, even in big).
  const half = Math.floor(n / 2);
  if (n >= 4 && (oddZeros >= half * 0.4 || evenZeros >= half * 0.4) && Math.min(oddZeros, evenZeros) <= half * 0.05) return 'utf16';
  // The sample may end inside a UTF-8 sequence: judge it without its last three bytes.
  const whole = sample.length > 3 ? sample.subarray(0, sample.length - 3) : sample;
  if (zeros > 0 || controls > sample.length * 0.05 || !isUtf8(whole)) return 'binary';
  const text = sample.toString('utf8');
  const start = text.replace(/^\uFEFF?\s*/, '');
  if (start.startsWith('{') || start.startsWith('[')) return undefined;
  const firstLine = start.split('\n', 1)[0]!;
  if ((firstLine.match(/,/g)?.length ?? 0) >= 2 || (firstLine.match(/\t/g)?.length ?? 0) >= 2) return 'csv';
  return 'text';
}

/**
 * The compression formats' names and the command that decompresses one into a pipe. `FILE` in the
 * command stands for the file to decompress.
 */
const DECOMPRESS: Readonly<Record<CompressionFormat, { name: string; command: string }>> = {
  xz: { name: 'xz', command: 'xz -dc FILE' },
  zstd: { name: 'zstd', command: 'zstd -dc FILE' },
  bzip2: { name: 'bzip2', command: 'bzip2 -dc FILE' },
  zip: { name: 'zip', command: 'unzip -p FILE' },
};

/**
 * The error for an input in a compression format Node cannot read, with the command that pipes
 * it in. `name` is the input as the user named it, or `<stdin>`.
 */
export function describeCompressed(format: CompressionFormat, name: string): string {
  const { name: formatName, command } = DECOMPRESS[format];
  return `${formatName}-compressed data, which lkm-scan cannot decompress (it reads gzip itself); decompress it into a pipe: ${command.replace('FILE', fileArgument(name))} | lkm-scan -`;
}

/** What to tell the user about an input that gave no event, given what its content looks like. */
export function describeContentHint(kind: ContentKind, name: string): string {
  const file = fileArgument(name);
  const wanted = 'lkm-scan reads JSON ECS events: NDJSON (one object per line), a JSON array, or an Elasticsearch _search response';
  switch (kind) {
    case 'utf16':
      return `${name} looks like UTF-16 text; convert it to UTF-8: iconv -f UTF-16 -t UTF-8 ${file} | lkm-scan -`;
    case 'binary':
      return `${name} looks like binary data, not text; ${wanted}`;
    case 'csv':
      return `${name} looks like CSV; ${wanted} (in Kibana Discover, export the events as JSON, not CSV)`;
    case 'text':
      return `${name} looks like plain-text log lines; ${wanted} (e.g. from auditbeat or filebeat with JSON output)`;
  }
}

/**
 * `name` as a shell argument in a command we suggest. stdin has no name to give: `FILE` stands in.
 * A name with control characters is not echoed (it could drive the terminal): `FILE` again.
 */
function fileArgument(name: string): string {
  if (name === '<stdin>' || /[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'FILE';
  return /^[\w@%+=:,./-]+$/.test(name) ? name : `'${name.replace(/'/g, `'\\''`)}'`;
}
