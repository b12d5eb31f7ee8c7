import { describe, expect, it } from 'vitest';
import { compileRule } from '../../src/engine/compileRule.js';
import { compileEql, parseEql } from '../../src/eql/index.js';
import { compileKql, parseKql } from '../../src/kql/index.js';
import { loadRulePack } from '../../src/rules/pack.js';
import type { EcsEvent } from '../../src/event/types.js';

// SPEC §E, every row. Rows 1-35 run through the bundled rule files themselves (not a copy of their
// queries), so a change to a rule file, the loader or a compiler that breaks Elastic's semantics
// fails here. Rows 36-46 are about operators those two rules do not use, so each compiles a query
// of its own; row 47 runs R2's own query with its keywords in capitals.
const rules = loadRulePack({ bundled: true, paths: [] }).rules;
const R1 = compileRule(rules.find((r) => r.id === '947827c6-9ed6-4dec-903e-c856c86e72f3')!).matches;
const R2 = compileRule(rules.find((r) => r.id === '80084fa9-8677-4453-8680-b891d3c0c778')!).matches;

const base1 = (): any => ({
  '@timestamp': '2024-05-01T10:00:00Z',
  event: { category: ['file'], type: ['creation'] },
  host: { os: { type: 'linux' } },
  file: { path: '/lib/modules/6.1.0/kernel/drivers/foo.ko', extension: 'ko' },
  process: { name: 'insmod' },
});
const base2 = (): any => ({
  '@timestamp': '2024-05-01T10:00:00Z',
  host: { os: { type: 'linux' } },
  event: { category: ['file'], action: 'opened-file' },
  file: { path: '/proc/modules' },
  process: { name: 'lsmod', executable: '/usr/bin/kmod' },
});
const edit = (base: () => any, change: (e: any) => void): EcsEvent => {
  const e = base();
  change(e);
  return e;
};
const eql = (q: string) => {
  const c = compileEql(parseEql(q));
  if (c.kind !== 'event') throw new Error('expected an event query');
  return c.predicate;
};
const kql = (q: string) => compileKql(parseKql(q));

type Row = [number, string, EcsEvent, (e: EcsEvent) => boolean, boolean];

const rows: Row[] = [
  [1, 'all clauses hold', base1(), R1, true],
  [2, 'patterns are anchored (A.4)', edit(base1, (e) => (e.file.path = '/usr/lib/modules/6.1.0/foo.ko')), R1, false],
  [3, '`:` is case-insensitive (A.4)', edit(base1, (e) => (e.file.path = '/LIB/MODULES/x.ko')), R1, true],
  [4, '`==` is case-sensitive', edit(base1, (e) => (e.file.extension = 'KO')), R1, false],
  [5, 'falcon-sensor* excludes falcon-sensor-bpf', edit(base1, (e) => (e.process.name = 'falcon-sensor-bpf')), R1, false],
  [6, '`*` matches nothing too', edit(base1, (e) => (e.process.name = 'falcon-sensor')), R1, false],
  [7, '`:` without wildcard is case-insensitive equality', edit(base1, (e) => (e.process.name = 'DPKG')), R1, false],
  [8, 'whole-value equality', edit(base1, (e) => (e.process.name = 'dpkg-deb')), R1, true],
  [9, '`not` over a missing field (A.2)', edit(base1, (e) => delete e.process), R1, true],
  [10, 'null is no value (A.1)', edit(base1, (e) => (e.process.name = null)), R1, true],
  [11, 'one value matches the negated clause', edit(base1, (e) => (e.process.name = ['insmod', 'dpkg'])), R1, false],
  [12, 'any element', edit(base1, (e) => (e.event.type = ['info', 'creation'])), R1, true],
  [13, 'scalar = one-element array', edit(base1, (e) => (e.event.type = 'change')), R1, true],
  [14, '`in` is case-sensitive', edit(base1, (e) => (e.event.type = ['Creation'])), R1, false],
  [15, 'category is case-sensitive (A.3)', edit(base1, (e) => (e.event.category = ['File'])), R1, false],
  [16, 'category cannot match', edit(base1, (e) => delete e.event.category), R1, false],
  [17, '`==` on host.os.type', edit(base1, (e) => (e.host.os.type = 'Linux')), R1, false],
  [18, 'extension is not derived from the path', edit(base1, (e) => delete e.file.extension), R1, false],
  [19, 'needs the `/`', edit(base1, (e) => (e.file.path = '/lib/modules')), R1, false],
  [20, '`*` matches the empty string', edit(base1, (e) => (e.file.path = '/lib/modules/')), R1, true],
  [
    21,
    'dotted keys only (§C)',
    {
      '@timestamp': '2024-05-01T10:00:00Z',
      'event.category': ['file'],
      'event.type': ['creation'],
      'host.os.type': 'linux',
      'file.path': '/lib/modules/6.1.0/kernel/drivers/foo.ko',
      'file.extension': 'ko',
      'process.name': 'insmod',
    },
    R1,
    true,
  ],
  [22, 'mixed forms merge', edit(base1, (e) => {
    delete e.file.extension;
    e['file.extension'] = 'ko';
  }), R1, true],
  [23, 'arrays of objects flatten', edit(base1, (e) => (e.process = [{ name: 'insmod' }, { name: 'rpm' }])), R1, false],
  [24, 'all clauses hold', base2(), R2, true],
  [25, '`python*`', edit(base2, (e) => (e.process.name = 'python3.11')), R2, false],
  [26, 'KQL is case-sensitive (B.3)', edit(base2, (e) => (e.process.name = 'Python3')), R2, true],
  [27, '`*` matches nothing too', edit(base2, (e) => (e.process.name = 'python')), R2, false],
  [28, '`*` spans `/`', edit(base2, (e) => (e.process.executable = '/opt/eset/efs/lib/esets_eia')), R2, false],
  [29, 'needs /opt/eset/ + something + /esets_eia', edit(base2, (e) => (e.process.executable = '/opt/eset/esets_eia')), R2, true],
  [30, 'case-sensitive', edit(base2, (e) => (e.process.executable = '/opt/elastic/agent/x')), R2, true],
  [31, 'a quoted value is exact', edit(base2, (e) => (e.process.executable = '/opt/jfrog/artifactory/app/metadata/bin/jf-metadata-x')), R2, true],
  [32, '`not` over missing fields', edit(base2, (e) => delete e.process), R2, true],
  [33, 'exact path', edit(base2, (e) => (e.file.path = '/proc/Modules')), R2, false],
  [34, 'scalar = array', edit(base2, (e) => (e.event.category = 'file')), R2, true],
  [
    35,
    'dotted keys only (§C)',
    {
      '@timestamp': '2024-05-01T10:00:00Z',
      'host.os.type': 'linux',
      'event.category': ['file'],
      'event.action': 'opened-file',
      'file.path': '/proc/modules',
      'process.name': 'lsmod',
      'process.executable': '/usr/bin/kmod',
    },
    R2,
    true,
  ],
  [36, '`==` has no wildcards', { event: { category: 'process' }, process: { name: 'cmd1.exe' } }, eql('process where process.name == "cmd*.exe"'), false],
  [37, '`?` is one character', { event: { category: 'process' }, process: { name: 'CMD1.EXE' } }, eql('process where process.name : "cmd?.exe"'), true],
  [38, 'exactly one', { event: { category: 'process' }, process: { name: 'cmd12.exe' } }, eql('process where process.name : "cmd?.exe"'), false],
  [39, '`in~` has no wildcards', { event: { category: 'process' }, process: { name: 'cmd.exe' } }, eql('process where process.name in~ ("cmd*")'), false],
  [40, '`!=` is `not ==`', { event: { category: 'process' } }, eql('process where process.name != "cmd.exe"'), true],
  [41, '`!= null` is exists', { event: { category: 'process' } }, eql('process where process.name != null'), false],
  [42, 'functions are case-sensitive', { event: { category: 'process' }, process: { name: 'cmd.exe' } }, eql('process where stringContains(process.name, "EXE")'), false],
  [43, '`field:*` is exists', { process: { name: 'x' } }, kql('process.name:*'), true],
  [44, 'escaped `*` is literal', { process: { name: 'a*b' } }, kql('process.name:a\\*b'), true],
  [45, 'no wildcards in quotes', { process: { name: 'python' } }, kql('process.name:"py*"'), false],
  [46, 'numeric range', { process: { pid: 200 } }, kql('process.pid > 100'), true],
];

describe('SPEC §E edge cases through the bundled rules', () => {
  it.each(rows)('row %i: %s', (_row, _why, event, predicate, expected) => {
    expect(predicate(event)).toBe(expected);
  });

  it('row 42: the `~` variant folds case', () => {
    expect(eql('process where stringContains~(process.name, "EXE")')({ event: { category: 'process' }, process: { name: 'cmd.exe' } })).toBe(true);
  });

  it('row 43: `field:*` does not match an empty document', () => {
    expect(kql('process.name:*')({})).toBe(false);
  });

  it('row 44: escaped `*` does not act as a wildcard', () => {
    expect(kql('process.name:a\\*b')({ process: { name: 'aXb' } })).toBe(false);
  });

  it('row 47: KQL keywords are case-insensitive (base2 with AND / Not)', () => {
    const rule = rules.find((r) => r.id === '80084fa9-8677-4453-8680-b891d3c0c778')!;
    const shouted = rule.query.replace(/ and /g, ' AND ').replace(/\bnot \(/, 'Not (');
    expect(shouted).not.toBe(rule.query);
    expect(kql(shouted)(base2())).toBe(true);
    expect(kql(shouted)(edit(base2, (e) => (e.process.name = 'python3')))).toBe(false);
  });
});
