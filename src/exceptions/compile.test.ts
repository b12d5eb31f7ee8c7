import { describe, expect, it } from 'vitest';
import { FieldTypeTable, loadMapping } from '../fieldTypes/index.js';
import { compileItem, ItemCompileError } from './compile.js';
import type { ExceptionEntry, ExceptionItem } from './types.js';

const item = (entries: ExceptionEntry[], osTypes: string[] = []): ExceptionItem => ({
  itemId: 'i',
  name: 'i',
  listId: 'l',
  namespaceType: 'single',
  entries,
  osTypes,
  rules: ['*'],
  origin: { file: 'f', where: 'line 1' },
});

const valueLists = new Map<string, string[]>([
  ['hosts', ['build01', 'build02']],
  ['ips', ['10.0.0.1', '192.168.0.0/16']],
  ['ranges', ['10.1.0.0/16', '172.16.0.5-172.16.0.9']],
]);

function matcher(entries: ExceptionEntry[], options: { osTypes?: string[]; fieldTypes?: FieldTypeTable } = {}) {
  const p = compileItem(item(entries, options.osTypes), { fieldTypes: options.fieldTypes ?? FieldTypeTable.builtin(), valueLists, now: Date.UTC(2026, 0, 1) });
  return (event: object) => p(event as Record<string, unknown>);
}

describe('match entries (match_phrase on the field)', () => {
  it('compare a keyword field exactly and case-sensitively, any element of an array, dotted keys alike', () => {
    const m = matcher([{ type: 'match', field: 'process.name', operator: 'included', value: 'rsync' }]);
    expect(m({ process: { name: 'rsync' } })).toBe(true);
    expect(m({ 'process.name': ['bash', 'rsync'] })).toBe(true);
    expect(m({ process: { name: 'RSYNC' } })).toBe(false);
    expect(m({ process: { name: 'rsync2' } })).toBe(false);
    expect(m({})).toBe(false);
  });

  it('treat `*` in the value as a literal character, not a wildcard', () => {
    const m = matcher([{ type: 'match', field: 'process.name', operator: 'included', value: 'rs*' }]);
    expect(m({ process: { name: 'rsync' } })).toBe(false);
    expect(m({ process: { name: 'rs*' } })).toBe(true);
  });

  it('match a phrase of words on a text field (message is match_only_text in ECS)', () => {
    const m = matcher([{ type: 'match', field: 'message', operator: 'included', value: 'Verification Failed' }]);
    expect(m({ message: 'module verification failed: signature missing' })).toBe(true);
    expect(m({ message: 'failed verification' })).toBe(false);
  });

  it('with operator excluded, hold for events whose field differs or is missing (must_not)', () => {
    const m = matcher([{ type: 'match', field: 'user.name', operator: 'excluded', value: 'root' }]);
    expect(m({ user: { name: 'alice' } })).toBe(true);
    expect(m({})).toBe(true);
    expect(m({ user: { name: 'root' } })).toBe(false);
    expect(m({ user: { name: ['alice', 'root'] } })).toBe(false);
  });

  it('read an ip field as an address: a CIDR value is a block', () => {
    const m = matcher([{ type: 'match', field: 'source.ip', operator: 'included', value: '10.0.0.0/8' }]);
    expect(m({ source: { ip: '10.2.3.4' } })).toBe(true);
    expect(m({ source: { ip: '11.2.3.4' } })).toBe(false);
  });

  it('are refused where Elasticsearch would refuse the query (not an IP on an ip field)', () => {
    expect(() => matcher([{ type: 'match', field: 'source.ip', operator: 'included', value: 'not-an-ip' }])).toThrow(ItemCompileError);
  });
});

describe('match_any entries', () => {
  it('hold when the field equals any of the values; excluded when it equals none', () => {
    const any = matcher([{ type: 'match_any', field: 'host.name', operator: 'included', value: ['a', 'b'] }]);
    expect(any({ host: { name: 'b' } })).toBe(true);
    expect(any({ host: { name: 'c' } })).toBe(false);
    const none = matcher([{ type: 'match_any', field: 'host.name', operator: 'excluded', value: ['a', 'b'] }]);
    expect(none({ host: { name: 'c' } })).toBe(true);
    expect(none({ host: { name: 'a' } })).toBe(false);
  });
});

describe('wildcard entries (a wildcard query without case_insensitive)', () => {
  it('are case-sensitive on keywords, `*` any run and `?` one character', () => {
    const m = matcher([{ type: 'wildcard', field: 'process.executable', operator: 'included', value: '/opt/*/bin/agent?' }]);
    expect(m({ process: { executable: '/opt/vendor/bin/agent1' } })).toBe(true);
    expect(m({ process: { executable: '/opt/vendor/bin/agent12' } })).toBe(false);
    expect(m({ process: { executable: '/OPT/vendor/bin/agent1' } })).toBe(false);
  });

  it('take a backslash as an escape, so \\* is a literal star', () => {
    const m = matcher([{ type: 'wildcard', field: 'file.name', operator: 'included', value: 'a\\*b' }]);
    expect(m({ file: { name: 'a*b' } })).toBe(true);
    expect(m({ file: { name: 'axb' } })).toBe(false);
  });

  it('try each token of a text field with the pattern as written: a wildcard query is not analysed (StringFieldType.wildcardQuery without normalisation)', () => {
    const lower = matcher([{ type: 'wildcard', field: 'message', operator: 'included', value: '*nvidia*' }]);
    expect(lower({ message: 'NVIDIA_uvm: module verification failed' })).toBe(true);
    expect(lower({ message: 'module verification failed' })).toBe(false);
    // The tokens are lowercased by the analyser, the pattern is not: upper case finds nothing.
    const upper = matcher([{ type: 'wildcard', field: 'message', operator: 'included', value: '*NVIDIA*' }]);
    expect(upper({ message: 'NVIDIA_uvm: module verification failed' })).toBe(false);
  });

  it('with operator excluded, hold when no value matches the pattern', () => {
    const m = matcher([{ type: 'wildcard', field: 'process.executable', operator: 'excluded', value: '/usr/*' }]);
    expect(m({ process: { executable: '/tmp/x' } })).toBe(true);
    expect(m({ process: { executable: '/usr/bin/x' } })).toBe(false);
  });
});

describe('exists entries', () => {
  it('hold when the field has a value (exists query); excluded when it has none', () => {
    const has = matcher([{ type: 'exists', field: 'process.parent.name', operator: 'included' }]);
    expect(has({ process: { parent: { name: 'sshd' } } })).toBe(true);
    expect(has({ process: { parent: { name: null } } })).toBe(false);
    const lacks = matcher([{ type: 'exists', field: 'process.parent.name', operator: 'excluded' }]);
    expect(lacks({ process: {} })).toBe(true);
    expect(lacks({ 'process.parent.name': 'sshd' })).toBe(false);
  });
});

describe('nested entries', () => {
  it('need all inner entries to hold in the same object of the path', () => {
    const m = matcher([
      {
        type: 'nested',
        field: 'process.Ext.code_signature',
        entries: [
          { type: 'match', field: 'subject_name', operator: 'included', value: 'Vendor Inc' },
          { type: 'match', field: 'trusted', operator: 'included', value: 'true' },
        ],
      },
    ]);
    const sig = (pairs: Array<[string, boolean]>) => ({ process: { Ext: { code_signature: pairs.map(([subject_name, trusted]) => ({ subject_name, trusted })) } } });
    expect(m(sig([['Vendor Inc', true]]))).toBe(true);
    expect(m(sig([['Other', true], ['Vendor Inc', true]]))).toBe(true);
    expect(m(sig([['Vendor Inc', false], ['Other', true]]))).toBe(false);
    expect(m({})).toBe(false);
  });
});

describe('list entries (value lists)', () => {
  it('keyword lists: a terms query, any value of the field in the list', () => {
    const m = matcher([{ type: 'list', field: 'host.name', operator: 'included', list: { id: 'hosts', type: 'keyword' } }]);
    expect(m({ host: { name: 'build02' } })).toBe(true);
    expect(m({ host: { name: 'Build02' } })).toBe(false);
    const not = matcher([{ type: 'list', field: 'host.name', operator: 'excluded', list: { id: 'hosts', type: 'keyword' } }]);
    expect(not({ host: { name: 'web1' } })).toBe(true);
    expect(not({ host: { name: 'build01' } })).toBe(false);
  });

  it('ip lists on an ip field: addresses by value (IPv4-mapped alike) and CIDR blocks', () => {
    const m = matcher([{ type: 'list', field: 'source.ip', operator: 'included', list: { id: 'ips', type: 'ip' } }]);
    expect(m({ source: { ip: '10.0.0.1' } })).toBe(true);
    expect(m({ source: { ip: '::ffff:10.0.0.1' } })).toBe(true);
    expect(m({ source: { ip: '192.168.3.3' } })).toBe(true);
    expect(m({ source: { ip: '10.0.0.2' } })).toBe(false);
  });

  it('ip_range lists: a-b ranges inclusive at both ends, and CIDR blocks', () => {
    const m = matcher([{ type: 'list', field: 'source.ip', operator: 'included', list: { id: 'ranges', type: 'ip_range' } }]);
    expect(m({ source: { ip: '172.16.0.5' } })).toBe(true);
    expect(m({ source: { ip: '172.16.0.9' } })).toBe(true);
    expect(m({ source: { ip: '172.16.0.10' } })).toBe(false);
    expect(m({ source: { ip: ['8.8.8.8', '10.1.200.1'] } })).toBe(true);
  });

  it('name a list that was not given: an error that says which --value-list to add', () => {
    expect(() => matcher([{ type: 'list', field: 'host.name', operator: 'included', list: { id: 'missing', type: 'keyword' } }])).toThrow(
      /--value-list missing=FILE/,
    );
  });
});

describe('items', () => {
  it('AND their entries', () => {
    const m = matcher([
      { type: 'match', field: 'process.name', operator: 'included', value: 'pkill' },
      { type: 'match', field: 'process.parent.name', operator: 'included', value: 'ansible-playbook' },
    ]);
    expect(m({ process: { name: 'pkill', parent: { name: 'ansible-playbook' } } })).toBe(true);
    expect(m({ process: { name: 'pkill', parent: { name: 'bash' } } })).toBe(false);
  });

  it('with os_types, hold only where host.os.type or host.os.name.caseless names one of them', () => {
    const entries: ExceptionEntry[] = [{ type: 'match', field: 'process.name', operator: 'included', value: 'x' }];
    const m = matcher(entries, { osTypes: ['linux'] });
    expect(m({ host: { os: { type: 'linux' } }, process: { name: 'x' } })).toBe(true);
    expect(m({ host: { os: { name: { caseless: 'linux' } } }, process: { name: 'x' } })).toBe(true);
    expect(m({ host: { os: { type: 'windows' } }, process: { name: 'x' } })).toBe(false);
    expect(m({ process: { name: 'x' } })).toBe(false);
  });

  it('match by the --mapping types: a keyword with a lowercase normalizer ignores case', () => {
    const fieldTypes = FieldTypeTable.withMapping(loadMapping({ mappings: { properties: { app: { type: 'keyword', normalizer: 'lowercase' } } } }));
    const m = matcher([{ type: 'match', field: 'app', operator: 'included', value: 'Backup' }], { fieldTypes });
    expect(m({ app: 'BACKUP' })).toBe(true);
  });
});
