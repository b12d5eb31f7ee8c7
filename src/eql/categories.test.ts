import { describe, expect, it } from 'vitest';
import { FieldTypeTable } from '../fieldTypes/index.js';
import type { EcsEvent } from '../event/types.js';
import { eqlRequirements } from './categories.js';
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
    });
    expect(req('any where "sshd" == process.name')).toEqual({ 'process.name': ['sshd'] });
  });

  it('requires nothing of case-insensitive, negated or disjunctive conditions', () => {
    expect(req('any where process.name : "sshd"')).toEqual({});
    expect(req('any where process.name in~ ("sshd")')).toEqual({});
    expect(req('any where process.name not in ("sshd")')).toEqual({});
    expect(req('any where process.name != "sshd"')).toEqual({});
    expect(req('any where not process.name == "sshd"')).toEqual({});
    expect(req('any where process.name == "a" or host.os.type == "linux"')).toEqual({});
    // Each of them matches an event without the string.
    expect(matches('any where process.name in~ ("sshd")', { process: { name: 'SSHD' } })).toBe(true);
    expect(matches('any where process.name not in ("sshd")', {})).toBe(true);
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
