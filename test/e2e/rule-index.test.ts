// The rule index (src/engine/dispatch.ts) through the CLI: LKM_SCAN_DEBUG reports how many rules an
// event reached on average, the measure of what an event costs with a large pack.
import { describe, expect, it } from 'vitest';
import { runInProcess } from './run.js';

const kernelModule = JSON.stringify({
  '@timestamp': '2024-05-01T10:00:00.000Z',
  event: { category: ['file'], type: ['creation'], action: 'creation' },
  host: { os: { type: 'linux' } },
  process: { name: 'cp', executable: '/usr/bin/cp' },
  file: { path: '/lib/modules/6.1.0/extra/evil.ko', extension: 'ko' },
});
const windows = JSON.stringify({ '@timestamp': '2024-05-01T10:00:01.000Z', event: { category: ['file'] }, host: { os: { type: 'windows' } } });

describe('LKM_SCAN_DEBUG', () => {
  it('prints the rules the index offered per event on average, and nothing without it', async () => {
    const debug = await runInProcess(['-', '--no-prefilter'], { stdin: `${kernelModule}\n${windows}\n`, env: { LKM_SCAN_DEBUG: '1' } });
    // The bundled rules are both about Linux, one about files: the Linux file event reaches that
    // one, the Windows event none.
    expect(debug.stderr).toContain('lkm-scan: debug: rule index: 2 events dispatched, 0.5 rules offered per event on average\n');
    const plain = await runInProcess(['-', '--no-prefilter'], { stdin: `${kernelModule}\n${windows}\n` });
    expect(plain.stderr).not.toMatch(/rule index/);
    expect(plain.stdout).toBe(debug.stdout);
  });
});
