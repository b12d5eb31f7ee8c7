// The rule index (src/engine/dispatch.ts) through the CLI: LKM_SCAN_DEBUG reports how many rules an
// event reached on average, the measure of what an event costs with a large pack.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    expect(debug.stderr).toContain('lkm-scan: debug: rule index: 2 events dispatched, 0.5 rules per event chosen by the index, 0.5 offered after the prefilter\'s line rules\n');
    const plain = await runInProcess(['-', '--no-prefilter'], { stdin: `${kernelModule}\n${windows}\n` });
    expect(plain.stderr).not.toMatch(/rule index/);
    expect(plain.stdout).toBe(debug.stdout);
  });

  it('offers an event only the rules whose needles its line holds, also beside a rule without any (the prefilter stays on)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lkm-scan-rule-index-'));
    try {
      // `process.name:*` gives no needle (any value): every line is parsed for this rule.
      writeFileSync(join(dir, 'needleless.toml'), NEEDLELESS_RULE);
      const linuxTxt = JSON.stringify({ '@timestamp': '2024-05-01T10:00:02.000Z', event: { category: ['file'], type: ['creation'] }, host: { os: { type: 'linux' } }, process: { name: 'cp' }, file: { extension: 'txt' } });
      const input = `${kernelModule}\n${linuxTxt}\n${windows}\n`;
      const args = ['-', '--rules', dir, '--format', 'json'];
      const fast = await runInProcess(args, { stdin: input, env: { LKM_SCAN_DEBUG: '1' } });
      const full = await runInProcess([...args, '--no-prefilter'], { stdin: input, env: { LKM_SCAN_DEBUG: '1' } });
      expect(fast.stdout).toBe(full.stdout);
      // The new rule fires on both lines with a process name (R1 leaves `cp` out).
      expect(fast.stdout.trim().split('\n')).toHaveLength(2);
      // The .txt line reaches the new rule only: R1 (which needs "ko") is chosen by the index but not offered.
      expect(full.stderr).toContain('3 events dispatched, 1.7 rules per event chosen by the index, 1.7 offered');
      expect(fast.stderr).toContain('3 events dispatched, 1.7 rules per event chosen by the index, 1.3 offered');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const NEEDLELESS_RULE = `[metadata]
creation_date = "2024/05/01"
maturity = "production"
updated_date = "2024/05/01"

[rule]
author = ["lkm-scan tests"]
description = "A rule without a needle."
from = "now-9m"
language = "kuery"
license = "Apache-2.0"
name = "Test - any process name"
risk_score = 21
rule_id = "44444444-3333-4444-8555-666666666666"
severity = "low"
type = "query"
query = '''
process.name:*
'''
`;
