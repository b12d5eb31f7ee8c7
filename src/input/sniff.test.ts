import { describe, expect, it } from 'vitest';
import { SNIFF_LIMIT, describeCompressed, describeContent, describeContentHint, sniffShape } from './sniff.js';

const b = (text: string | number[]) => (typeof text === 'string' ? Buffer.from(text) : Buffer.from(text));

describe('sniffShape', () => {
  it.each([
    ['an NDJSON line', '{"@timestamp":"2024-05-01T10:00:00Z","a":1}\n{"b":2}\n', 'ndjson'],
    ['an NDJSON line after a BOM and blank lines', '\uFEFF\n\n  {"a":1}\n', 'ndjson'],
    ['a pretty-printed object (jq output)', '{\n  "a": 1\n}\n{\n  "a": 2\n}\n', 'json'],
    ['a pretty-printed object with CRLF', '{\r\n  "a": 1\r\n}\r\n', 'json'],
    ['a JSON array', '[{"a":1},{"b":2}]', 'json'],
    ['a pretty-printed JSON array', '\n[\n  {\n    "a": 1\n  }\n]\n', 'json'],
    ['a compact search response', '{"took":3,"timed_out":false,"_shards":{},"hits":{"hits":[]}}', 'json'],
    ['a scroll response', '{"_scroll_id":"FGlu","took":3,"hits":{"hits":[]}}\n', 'json'],
    ['a point-in-time response', '{"pit_id":"x","took":3}', 'json'],
    ['plain text', 'Dec  2 10:00:00 host sshd[1]: Accepted\n', 'ndjson'],
    ['a broken first line', '{bad\n{"a":1}\n', 'ndjson'],
    ['an empty input', '', 'ndjson'],
  ])('reads %s as %s', (_name, text, kind) => {
    expect(sniffShape(b(text), true)).toEqual({ kind });
  });

  it.each([
    ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04]],
    ['zstd', [0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x00]],
    ['bzip2', [...Buffer.from('BZh91AY&SY')]],
    ['zip', [0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]],
  ])('recognises %s data from its magic bytes', (format, bytes) => {
    expect(sniffShape(b(bytes), true)).toEqual({ kind: 'compressed', format });
  });

  it('does not take text that merely starts like a magic number for compressed data', () => {
    expect(sniffShape(b('BZh is not bzip2\n'), true)).toEqual({ kind: 'ndjson' });
    expect(sniffShape(b('PK'), true)).toEqual({ kind: 'ndjson' });
  });

  it('waits for more bytes of a live stream only while they can change the answer', () => {
    // A first line that is a whole object decides at once: a live pipe is not held back.
    expect(sniffShape(b('{"a"'), false)).toEqual({ kind: 'ndjson' });
    expect(sniffShape(b('['), false)).toEqual({ kind: 'json' });
    // `{` then nothing yet: pretty-printed or NDJSON is still open; so is a key that may be "took".
    expect(sniffShape(b('{'), false)).toBeUndefined();
    expect(sniffShape(b('{"to'), false)).toBeUndefined();
    expect(sniffShape(b('  \n'), false)).toBeUndefined();
    expect(sniffShape(b([0xfd, 0x37]), false)).toBeUndefined();
    expect(sniffShape(b([0xef, 0xbb]), false)).toBeUndefined();
    // At the end of the input, or at the limit, it decides with what it has.
    expect(sniffShape(b('{'), true)).toEqual({ kind: 'ndjson' });
    expect(sniffShape(Buffer.alloc(SNIFF_LIMIT, 0x20), false)).toEqual({ kind: 'ndjson' });
  });

  it('decides from the first SNIFF_LIMIT bytes only, so every reader of a file agrees', () => {
    const late = Buffer.concat([Buffer.alloc(SNIFF_LIMIT, 0x20), b('[{"a":1}]')]);
    expect(sniffShape(late, true)).toEqual(sniffShape(late.subarray(0, SNIFF_LIMIT), true));
  });
});

describe('describeContent', () => {
  it('recognises UTF-16 by its byte-order mark, or by a zero in every other byte', () => {
    expect(describeContent(Buffer.concat([b([0xff, 0xfe]), Buffer.from('{"a":1}\n', 'utf16le')]))).toBe('utf16');
    expect(describeContent(Buffer.from('{"a":1}\n{"b":2}\n', 'utf16le'))).toBe('utf16');
    const be = Buffer.from('{"a":1}\n', 'utf16le').swap16();
    expect(describeContent(be)).toBe('utf16');
  });

  it('recognises binary data, plain-text log lines and CSV', () => {
    expect(describeContent(b([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00]))).toBe('binary');
    expect(describeContent(b([0xc3, 0x28, 0xa0, 0xa1, 0x41, 0x42, 0x43, 0x44]))).toBe('binary');
    expect(describeContent(b('Dec  2 10:00:00 host sshd[1]: Accepted password\n'))).toBe('text');
    expect(describeContent(b('@timestamp,host.name,process.name\n2024-05-01,web-01,sshd\n'))).toBe('csv');
  });

  it('names nothing for what looks like JSON (its bad lines are reported one by one) or for no bytes', () => {
    expect(describeContent(b('{bad json\n'))).toBeUndefined();
    expect(describeContent(b('\uFEFF  [1,'))).toBeUndefined();
    expect(describeContent(b(''))).toBeUndefined();
  });

  it('does not call text binary because the sample ends inside a UTF-8 character', () => {
    const text = Buffer.from('héllo wörld '.repeat(10));
    expect(describeContent(text.subarray(0, text.indexOf(0xb6) /* inside ö */))).toBe('text');
  });
});

describe('hints', () => {
  it('say how to convert or decompress, with the file name quoted for a shell', () => {
    expect(describeContentHint('utf16', 'logs/a.json')).toBe('logs/a.json looks like UTF-16 text; convert it to UTF-8: iconv -f UTF-16 -t UTF-8 logs/a.json | lkm-scan -');
    expect(describeContentHint('utf16', "it's here.json")).toContain(`iconv -f UTF-16 -t UTF-8 'it'\\''s here.json' | lkm-scan -`);
    expect(describeCompressed('xz', 'a.ndjson.xz')).toMatch(/^xz-compressed data, .*: xz -dc a.ndjson.xz \| lkm-scan -$/);
    expect(describeCompressed('zstd', '<stdin>')).toMatch(/zstd -dc FILE \| lkm-scan -$/);
    expect(describeCompressed('zip', 'x.zip')).toMatch(/unzip -p x.zip \| lkm-scan -$/);
    expect(describeCompressed('bzip2', 'x.bz2')).toMatch(/bzip2 -dc x.bz2 \| lkm-scan -$/);
  });

  it('never echo a file name with control characters into a suggested command', () => {
    expect(describeContentHint('utf16', 'a\x1b]0;x\x07.json')).toMatch(/iconv -f UTF-16 -t UTF-8 FILE \| lkm-scan -$/);
  });
});
