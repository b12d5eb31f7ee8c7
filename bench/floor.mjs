#!/usr/bin/env node
// The "parse floor": the least work any NDJSON scanner written in Node must do — read the file in
// 1 MiB chunks, split it into lines and JSON.parse every line. lkm-scan is compared against it.
//
// Usage: node bench/floor.mjs FILE...   → prints {"lines":N,"bytes":N,"errors":N} on stdout

import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** @param {string} file @returns {Promise<{lines: number, bytes: number, errors: number}>} */
export async function parseFloor(file) {
  let lines = 0;
  let bytes = 0;
  let errors = 0;
  let carry = '';
  /** @param {string} line */
  const parseLine = (line) => {
    if (line.length === 0) return;
    lines++;
    try {
      JSON.parse(line);
    } catch {
      errors++;
    }
  };
  // encoding 'utf8' makes the stream decode across chunk boundaries (a split multi-byte character).
  const stream = createReadStream(file, { highWaterMark: 1 << 20, encoding: 'utf8' });
  for await (const chunk of stream) {
    const text = carry + /** @type {string} */ (chunk);
    bytes += Buffer.byteLength(/** @type {string} */ (chunk));
    let start = 0;
    let nl;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      parseLine(text.slice(start, nl));
      start = nl + 1;
    }
    carry = text.slice(start);
  }
  parseLine(carry);
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
    const r = await parseFloor(file);
    total.lines += r.lines;
    total.bytes += r.bytes;
    total.errors += r.errors;
  }
  process.stdout.write(`${JSON.stringify(total)}\n`);
}
