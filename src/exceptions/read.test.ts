import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseExceptionText } from './read.js';
import { ExceptionFileError } from './types.js';

const FIXTURE = new URL('../../test/fixtures/exceptions/kernel-allow.ndjson', import.meta.url);

function errorOf(text: string): ExceptionFileError {
  try {
    parseExceptionText(text, 'x.ndjson');
  } catch (e) {
    if (e instanceof ExceptionFileError) return e;
    throw e;
  }
  throw new Error('no error');
}

const list = JSON.stringify({ list_id: 'l', namespace_type: 'single', type: 'detection', name: 'L' });
const entry = { field: 'host.name', operator: 'included', type: 'match', value: 'a' };
const itemLine = (over: object = {}) => JSON.stringify({ item_id: 'i', list_id: 'l', name: 'I', namespace_type: 'single', type: 'simple', entries: [entry], os_types: [], ...over });

describe('Kibana exception list exports (NDJSON)', () => {
  it('read the list, its items and skip the export summary line', () => {
    const file = parseExceptionText(readFileSync(FIXTURE, 'utf8'), 'kernel-allow.ndjson');
    expect(file.lists.map((l) => [l.listId, l.type, l.namespaceType])).toEqual([['lkm-linux-kernel-allow', 'detection', 'single']]);
    expect(file.items.map((i) => i.itemId)).toEqual(['build-hosts', 'nvidia-driver', 'lab-networks', 'old-host', 'signed-by-vendor']);
    expect(file.items[1]!.osTypes).toEqual(['linux']);
    expect(file.items[0]!.origin).toEqual({ file: 'kernel-allow.ndjson', where: 'line 2' });
  });

  it('point at the line and key of a bad entry', () => {
    const e = errorOf([list, itemLine(), itemLine({ item_id: 'j', entries: [entry, { ...entry, type: 'regex' }] })].join('\n'));
    expect(e.format()).toBe('x.ndjson (line 3, entries[1].type): is "regex"; expected match, match_any, wildcard, exists, list or nested');
  });

  it('refuse invalid JSON, an operator Kibana does not know, empty entries and other lines, each with its line', () => {
    expect(errorOf(`${list}\n{"entries": [`).where).toBe('line 2');
    expect(errorOf(itemLine({ entries: [{ ...entry, operator: 'is' }] })).format()).toMatch(/line 1, entries\[0\]\.operator\): must be "included" or "excluded"/);
    expect(errorOf(itemLine({ entries: [] })).format()).toMatch(/line 1, entries\): must be a non-empty list/);
    expect(errorOf('{"hello": 1}').format()).toMatch(/line 1\): is neither an exception list/);
    expect(errorOf(itemLine({ entries: [{ ...entry, type: 'nested', entries: [{ ...entry, type: 'wildcard' }] }] })).format()).toMatch(
      /entries\[0\]\.entries\[0\]\.type\): is "wildcard"; expected match, match_any or exists \(inside a nested entry\)/,
    );
    expect(errorOf(itemLine({ entries: [{ ...entry, type: 'list', list: { id: 'x', type: 'text' } }] })).format()).toMatch(/list\.type\): is "text"; lkm-scan applies value lists of type keyword, ip, ip_range/);
  });

  it('refuse an export that says lists are missing from it', () => {
    expect(errorOf(`${list}\n{"exported_exception_list_count":0,"missing_exception_lists_count":1}`).format()).toMatch(/line 2, missing_exception_lists_count\)/);
  });
});

describe('the TOML form', () => {
  it('reads [[exception]] tables with their entries and the rules they name', () => {
    const file = parseExceptionText(
      `[[exception]]
name = "ansible"
rules = ["*"]
[[exception.entries]]
field = "process.parent.name"
type = "match"
operator = "included"
value = "ansible-playbook"
`,
      'x.toml',
    );
    expect(file.items).toHaveLength(1);
    expect(file.items[0]).toMatchObject({ name: 'ansible', rules: ['*'], entries: [{ type: 'match', field: 'process.parent.name', value: 'ansible-playbook' }] });
  });

  it('points at the key of a bad entry, and wants rules for a standalone item', () => {
    const bad = errorOf(`[[exception]]\nrules = ["*"]\n[[exception.entries]]\nfield = "a"\ntype = "match"\noperator = "included"\n`);
    expect(bad.format()).toBe('x.ndjson (key exception[0].entries[0].value): must be a non-empty string, found nothing');
    const standalone = errorOf(`[[exception]]\n[[exception.entries]]\nfield = "a"\ntype = "exists"\noperator = "included"\n`);
    expect(standalone.where).toBe('key exception[0].rules');
    expect(errorOf('[[exeption]]\n').where).toBe('key exeption');
  });
});
