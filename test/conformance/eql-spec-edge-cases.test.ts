/** SPEC §E, the rows that use EQL (1–23 and 36–42): one test per row. */
import { describe, expect, it } from 'vitest';
import { compileEql, parseEql } from '../../src/eql/index.js';
import type { EcsEvent } from '../../src/event/types.js';

// R1, the Creation of Kernel Module query, with the line break its rule file has.
const R1 = `file where host.os.type == "linux" and event.type in ("change", "creation") and file.path : "/lib/modules/*" and
file.extension == "ko" and not process.name : ("dpkg", "systemd", "falcon-sensor*", "dnf", "yum", "rpm", "cp")`;

const base1 = (): Record<string, any> => ({
  '@timestamp': '2024-05-01T10:00:00Z',
  event: { category: ['file'], type: ['creation'] },
  host: { os: { type: 'linux' } },
  file: { path: '/lib/modules/6.1.0/kernel/drivers/foo.ko', extension: 'ko' },
  process: { name: 'insmod' },
});

const matches = (query: string, event: EcsEvent): boolean => {
  const compiled = compileEql(parseEql(query));
  if (compiled.kind !== 'event') throw new Error('not an event query');
  return compiled.predicate(event);
};

const withChange = (change: (e: Record<string, any>) => void): EcsEvent => {
  const e = base1();
  change(e);
  return e;
};

describe('SPEC §E rows 1–23: R1 (Creation of Kernel Module)', () => {
  const rows: Array<[number, string, EcsEvent, boolean]> = [
    [1, 'base1: all clauses hold', base1(), true],
    [2, 'file.path /usr/lib/modules/6.1.0/foo.ko: patterns are anchored (§A.4)', withChange((e) => (e.file.path = '/usr/lib/modules/6.1.0/foo.ko')), false],
    [3, 'file.path /LIB/MODULES/x.ko: `:` is case-insensitive (§A.4)', withChange((e) => (e.file.path = '/LIB/MODULES/x.ko')), true],
    [4, 'file.extension KO: `==` is case-sensitive', withChange((e) => (e.file.extension = 'KO')), false],
    [5, 'process.name falcon-sensor-bpf: matches falcon-sensor*', withChange((e) => (e.process.name = 'falcon-sensor-bpf')), false],
    [6, 'process.name falcon-sensor: `*` matches nothing too', withChange((e) => (e.process.name = 'falcon-sensor')), false],
    [7, 'process.name DPKG: `:` without wildcard is case-insensitive equality', withChange((e) => (e.process.name = 'DPKG')), false],
    [8, 'process.name dpkg-deb: whole-value equality', withChange((e) => (e.process.name = 'dpkg-deb')), true],
    [9, 'no process: `not` over a missing field (§A.2)', withChange((e) => delete e.process), true],
    [10, 'process.name null: null is no value (§A.1)', withChange((e) => (e.process.name = null)), true],
    [11, 'process.name ["insmod","dpkg"]: one value matches the negated clause', withChange((e) => (e.process.name = ['insmod', 'dpkg'])), false],
    [12, 'event.type ["info","creation"]: any element', withChange((e) => (e.event.type = ['info', 'creation'])), true],
    [13, 'event.type "change" (a string): scalar = one-element array', withChange((e) => (e.event.type = 'change')), true],
    [14, 'event.type ["Creation"]: `in` is case-sensitive', withChange((e) => (e.event.type = ['Creation'])), false],
    [15, 'event.category ["File"]: category is case-sensitive (§A.3)', withChange((e) => (e.event.category = ['File'])), false],
    [16, 'event.category removed: category cannot match', withChange((e) => delete e.event.category), false],
    [17, 'host.os.type Linux: `==`', withChange((e) => (e.host.os.type = 'Linux')), false],
    [18, 'file.extension removed: not derived from the path', withChange((e) => delete e.file.extension), false],
    [19, 'file.path /lib/modules: needs the `/`', withChange((e) => (e.file.path = '/lib/modules')), false],
    [20, 'file.path /lib/modules/: `*` matches the empty string', withChange((e) => (e.file.path = '/lib/modules/')), true],
    [
      21,
      'base1 written with dotted keys only (§C)',
      {
        '@timestamp': '2024-05-01T10:00:00Z',
        'event.category': ['file'],
        'event.type': ['creation'],
        'host.os.type': 'linux',
        'file.path': '/lib/modules/6.1.0/kernel/drivers/foo.ko',
        'file.extension': 'ko',
        'process.name': 'insmod',
      },
      true,
    ],
    [
      22,
      'file object and "file.extension" key: mixed forms merge (§C)',
      withChange((e) => {
        e.file = { path: e.file.path };
        e['file.extension'] = 'ko';
      }),
      true,
    ],
    [23, 'process [{name:insmod},{name:rpm}]: arrays of objects flatten (§C)', withChange((e) => (e.process = [{ name: 'insmod' }, { name: 'rpm' }])), false],
  ];
  for (const [row, label, event, expected] of rows) {
    it(`row ${row}: ${label} → ${expected ? 'match' : 'no match'}`, () => {
      expect(matches(R1, event)).toBe(expected);
    });
  }
});

describe('SPEC §E rows 36–42: operators', () => {
  const proc = (name?: string): EcsEvent => (name === undefined ? { event: { category: 'process' } } : { event: { category: 'process' }, process: { name } });
  it('row 36: `==` has no wildcards — "cmd*.exe" does not match cmd1.exe', () => {
    expect(matches('process where process.name == "cmd*.exe"', proc('cmd1.exe'))).toBe(false);
  });
  it('row 37: `?` is one character and `:` folds case — "cmd?.exe" matches CMD1.EXE', () => {
    expect(matches('process where process.name : "cmd?.exe"', proc('CMD1.EXE'))).toBe(true);
  });
  it('row 38: `?` is exactly one character — "cmd?.exe" does not match cmd12.exe', () => {
    expect(matches('process where process.name : "cmd?.exe"', proc('cmd12.exe'))).toBe(false);
  });
  it('row 39: `in~` has no wildcards — ("cmd*") does not match cmd.exe', () => {
    expect(matches('process where process.name in~ ("cmd*")', proc('cmd.exe'))).toBe(false);
  });
  it('row 40: `!=` is `not ==` — true when process.name is missing', () => {
    expect(matches('process where process.name != "cmd.exe"', proc())).toBe(true);
  });
  it('row 41: `!= null` is exists — false when process.name is missing', () => {
    expect(matches('process where process.name != null', proc())).toBe(false);
  });
  it('row 42: functions are case-sensitive, `~` folds — stringContains "EXE" on cmd.exe', () => {
    expect(matches('process where stringContains(process.name, "EXE")', proc('cmd.exe'))).toBe(false);
    expect(matches('process where stringContains~(process.name, "EXE")', proc('cmd.exe'))).toBe(true);
  });
});
