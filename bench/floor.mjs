#!/usr/bin/env node
// The "parse floor": the least work any NDJSON scanner written in Node must do — read the file,
// split it into lines and JSON.parse every line. lkm-scan is compared against it, so it must be the
// fastest such plain loop we know, or every "× floor" ratio flatters lkm-scan.
//
// Measured on the 200 MB bench file (2 shared cores, Node 20; see bench/README.md "The floor"):
// fs.readSync into one reused 1 MiB Buffer, Buffer.indexOf(0x0a), toString('utf8', start, end)
// per line ≈ 190 MB/s; the same with latin1Slice/utf8Slice or 64 KiB–4 MiB buffers is within
// noise (JSON.parse is ~90% of the time); a createReadStream of Buffers ≈ 170 MB/s; a stream
// decoded to strings and split with String.indexOf ≈ 108 MB/s (the old floor); readline ≈ 105 MB/s.
//
// Usage: node bench/floor.mjs FILE...   → prints {"lines":N,"bytes":N,"errors":N} on stdout

import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHUNK = 1 << 20;

/** @param {string} file @returns {{lines: number, bytes: number, errors: number}} */
export function parseFloor(file) {
  let lines = 0;
  let bytes = 0;
  let errors = 0;
  /** @param {Buffer} b @param {number} start @param {number} end */
  const parseLine = (b, start, end) => {
    if (end === start) return;
    lines++;
    try {
      // Decoding whole lines (never a chunk's cut) keeps multi-byte characters intact.
      JSON.parse(b.toString('utf8', start, end));
    } catch {
      errors++;
    }
  };
  const fd = openSync(file, 'r');
  try {
    let buf = Buffer.allocUnsafe(CHUNK);
    let fill = 0; // bytes of an unfinished line kept at the start of buf
    for (;;) {
      const n = readSync(fd, buf, fill, buf.length - fill, null);
      bytes += n;
      const end = fill + n;
      let start = 0;
      let nl;
      while ((nl = buf.indexOf(0x0a, start)) !== -1 && nl < end) {
        parseLine(buf, start, nl);
        start = nl + 1;
      }
      if (n === 0) {
        parseLine(buf, start, end);
        break;
      }
      if (start === 0 && end === buf.length) {
        // One line longer than the buffer: grow it rather than split the line.
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, end);
        buf = bigger;
        fill = end;
        continue;
      }
      buf.copy(buf, 0, start, end);
      fill = end - start;
    }
  } finally {
    closeSync(fd);
  }
  return { lines, bytes, errors };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write('usage: node bench/floor.mjs FILE...\n');
    process.exit(2);
  }
  const total = { lines: 0, bytes: 0, errors: 0 };
  for (const file of files) {
    const r = parseFloor(file);
    total.lines += r.lines;
    total.bytes += r.bytes;
    total.errors += r.errors;
  }
  process.stdout.write(`${JSON.stringify(total)}\n`);
}
