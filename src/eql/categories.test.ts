import { describe, expect, it } from 'vitest';
import { FieldTypeTable } from '../fieldTypes/index.js';
import type { EcsEvent } from '../event/types.js';
import { foldedKey } from '../event/requirements.js';
import { eqlRequirements } from './categories.js';

const folded = (field: string): string => foldedKey(field);
import { compileEql } from './compile.js';
import { parseEql } from './parse.js';

const fieldTypes = FieldTypeTable.builtin();
const req = (query: string, overridden = false) => Object.fromEntries(eqlRequirements(parseEql(query), overridden, fieldTypes));
const matches = (query: string, event: EcsEvent): boolean => {
  const compiled = compileEql(parseEql(query), { fieldTypes });
  if (compiled.kind !== 'event') throw new Error('expected an event query');
  return compiled.predicate(event);
};

describe('EQL requirements (the rule index, engine/dispatch.ts)', () => {
  it('requires the category and the exact strings of == and in in the top-level conjunction', () => {
    expect(req('process where host.os.type == "linux" and process.name in ("cp", "mv", null) and process.args : "-r"')).toEqual({
      'event.category': ['process'],
      'host.os.type': ['linux'],
      'process.name': ['cp', 'mv'],
      [folded('process.args')]: ['-r'],
    });
    expect(req('any where "sshd" == process.name')).toEqual({ 'process.name': ['sshd'] });
  });

  it('requires the folded strings of :, like~ and in~, and the strings of like, when no pattern has a wildcard', () => {
    expect(req('any where process.name : "SSHD"')).toEqual({ [folded('process.name')]: ['sshd'] });
    expect(req('any where "Net.EXE" : process.name')).toEqual({ [folded('process.name')]: ['net.exe'] });
    expect(req('any where process.name in~ ("sshd", "SSHD", null)')).toEqual({ [folded('process.name')]: ['sshd'] });
    expect(req('any where process.name like~ ("a.EXE", "b")')).toEqual({ [folded('process.name')]: ['a.exe', 'b'] });
    expect(req('any where process.name like ("a.EXE", "b")')).toEqual({ 'process.name': ['a.EXE', 'b'] });
    // Each of them matches the value in another case, and only that value.
    expect(matches('any where process.name : "SSHD"', { process: { name: 'sShD' } })).toBe(true);
    expect(matches('any where process.name in~ ("sshd")', { process: { name: 'SSHD' } })).toBe(true);
    expect(matches('any where process.name like~ "a.EXE"', { process: { name: ['x', 'A.exe'] } })).toBe(true);
    expect(matches('any where process.name like "a.EXE"', { process: { name: 'a.exe' } })).toBe(false);
  });

  it('requires nothing of wildcards, null patterns, regexes, negated or disjunctive conditions', () => {
    expect(req('any where process.name : "ssh*"')).toEqual({});
    expect(req('any where process.name : ("sshd", "ssh?")')).toEqual({});
    expect(req('any where process.name like "ssh*"')).toEqual({});
    expect(req('any where process.name : ("sshd", null)')).toEqual({});
    expect(req('any where process.name regex~ "sshd"')).toEqual({});
    expect(req('any where process.name !: "sshd"')).toEqual({});
    expect(req('any where process.name not in~ ("sshd")')).toEqual({});
    expect(req('any where process.name not in ("sshd")')).toEqual({});
    expect(req('any where process.name != "sshd"')).toEqual({});
    expect(req('any where not process.name == "sshd"')).toEqual({});
    expect(req('any where process.name == "a" or host.os.type == "linux"')).toEqual({});
    expect(req('any where process.name == "a" or not process.name == "b"')).toEqual({});
    // Each of them matches an event without the string.
    expect(matches('any where process.name : ("sshd", null)', {})).toBe(true);
    expect(matches('any where process.name : "ssh*"', { process: { name: 'SSH' } })).toBe(true);
    expect(matches('any where process.name not in ("sshd")', {})).toBe(true);
  });

  it('requires nothing of a folded string a boolean or number stands for', () => {
    expect(req('any where process.name : "TRUE"')).toEqual({});
    expect(matches('any where process.name : "TRUE"', { process: { name: true } })).toBe(true);
    expect(req('any where process.name in~ ("NaN")')).toEqual({});
  });

  it('keeps a field required exactly on some sides of an or and folded on others, folded', () => {
    expect(req('any where process.name == "Sh" or process.name : "BASH"')).toEqual({ [folded('process.name')]: ['sh', 'bash'] });
    expect(req('sequence [process where process.name == "Sh"] [process where process.name : "bash"]')).toEqual({
      'event.category': ['process'],
      [folded('process.name')]: ['sh', 'bash'],
    });
    expect(req('any where process.name == "TRUE" or process.name : "bash"')).toEqual({});
    expect(req('any where process.name == "a" or process.name == "B"')).toEqual({ 'process.name': ['a', 'B'] });
  });

  it('requires nothing of numbers, booleans, multi-fields or indexed paths', () => {
    expect(req('any where process.name == "1"')).toEqual({});
    expect(matches('any where process.name == "1"', { process: { name: 1 } })).toBe(true);
    expect(req('any where process.name in ("a", 1)')).toEqual({});
    expect(req('any where process.name.caseless == "sshd"')).toEqual({});
    expect(req('any where process.args[0] == "sshd"')).toEqual({});
  });

  it('keeps, of a sequence, the fields every query (until too) requires', () => {
    expect(req('sequence [process where host.os.type == "linux" and process.name == "a"] [file where host.os.type == "linux"]')).toEqual({
      'event.category': ['process', 'file'],
      'host.os.type': ['linux'],
    });
    expect(req('sequence [process where host.os.type == "linux"] [file where host.os.type == "linux"] until [process where true]')).toEqual({
      'event.category': ['process', 'file'],
    });
  });

  it('requires no category when the rule reads it from another field', () => {
    expect(req('process where process.name == "a"', true)).toEqual({ 'process.name': ['a'] });
  });
});
