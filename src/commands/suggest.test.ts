import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closestCommand, editDistance } from './suggest.js';

const COMMANDS = ['rules', 'validate', 'baseline'];

describe('closestCommand', () => {
  it.each([
    ['valdate', 'validate'],
    ['validat', 'validate'],
    ['vaildate', 'validate'],
    ['VALIDATE', 'validate'],
    ['rule', 'rules'],
    ['ruels', 'rules'],
    ['baselin', 'baseline'],
  ])('takes %s for %s', (word, meant) => {
    expect(closestCommand(word, COMMANDS)).toBe(meant);
  });

  it.each(['logs', 'events.ndjson', 'vldt', '-', 'r', 'x'.repeat(10_000)])('leaves %s alone', (word) => {
    expect(closestCommand(word, COMMANDS)).toBeUndefined();
  });

  it('never takes an existing path for a typo', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lkm-suggest-'));
    const file = join(dir, 'rule');
    writeFileSync(file, '{}\n');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(closestCommand('rule', COMMANDS)).toBeUndefined();
      expect(closestCommand('rulez', COMMANDS)).toBe('rules');
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', 'abc', 0],
    ['abc', 'abd', 1],
    ['abc', 'acb', 1],
    ['validate', 'valdate', 1],
    ['kitten', 'sitting', 3],
  ])('%s → %s is %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
});
