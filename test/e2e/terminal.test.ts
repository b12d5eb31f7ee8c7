import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli.js';

describe('reading from a terminal', () => {
  it('says it is waiting for events on stdin when no file is named', async () => {
    const stdin = Object.assign(Readable.from([]), { isTTY: true });
    const stderr = new PassThrough();
    let err = '';
    stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await run(['--quiet', '--allow-empty'], { stdout: new PassThrough(), stderr, stdin, env: {} });
    expect(code).toBe(0);
    expect(err).toMatch(/reading events from the terminal; end with Ctrl-D/);
  });
});
