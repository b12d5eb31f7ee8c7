#!/usr/bin/env node
// `npm run bench`: generate (or reuse) a deterministic ECS dataset in bench/data/, then time on the
// same file, in the same run: lkm-scan end to end, the JSON.parse "floor" (bench/floor.mjs) and jq
// with equivalent filters (bench/rules.jq). Runs are interleaved (round-robin) so slow drift of a
// shared machine hits every tool alike; each tool's median wall time is reported.
//
//   npm run bench -- [--size 1GB] [--match-rate 0.001] [--near-miss-rate 0.01] [--seed 1] [--runs 3]
//                    [--only cli,floor,jq] [--workers 1,2] [--cli-args "--no-prefilter"]
//                    [--timeout 1800] [--write [--bench-file BENCHMARKS.md]]

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, release, tmpdir, totalmem, loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatSize, generate, GENERATOR_VERSION, numberOption, parseArgs, parseSize, RULE_IDS } from './generate.mjs';
import { shuffleLines } from './shuffle.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
const CLI = join(ROOT, 'bin', 'lkm-scan.js');
const GNU_TIME = '/usr/bin/time';
/** The memory case's own rules (bench/rules/). */
const BENCH_RULE_IDS = { threshold: 'b3c1a7e2-5d4f-4a8b-9c6e-000000000001', sequence: 'b3c1a7e2-5d4f-4a8b-9c6e-000000000002' };
const SHORT = /** @type {Record<string, string>} */ ({ [RULE_IDS.R1]: 'R1', [RULE_IDS.R2]: 'R2', [BENCH_RULE_IDS.threshold]: 'T', [BENCH_RULE_IDS.sequence]: 'S' });

const CASES = /** @type {const} */ (['bundled', 'near-miss', 'all-alert', 'pack', 'linux', 'shuffled', 'shuffled-all-alert', 'stdin', 'startup', 'memory']);
/** @typedef {typeof CASES[number]} CaseId */
const PACK_TARBALL = join(ROOT, 'test', 'fixtures', 'detection-rules', 'detection-rules-toml.tar.gz');
const PACK_DIR = join(BENCH_DIR, 'data', 'detection-rules');
const PACK_ARGS = ['--rules', join(PACK_DIR, 'rules'), '--rules', join(PACK_DIR, 'rules_building_block')];
const LINUX_ARGS = ['--rules', join(PACK_DIR, 'rules', 'linux')];
/** The memory case: one rule of each kind, alone (bundled R1 and R2, bench/rules/ for the others). */
const KIND_RULES = /** @type {const} */ ([
  ['query', 'R1', ['--rule', RULE_IDS.R1]],
  ['new_terms', 'R2', ['--rule', RULE_IDS.R2]],
  ['threshold', 'T: bench/rules/threshold_…', ['--no-bundled', '--rules', join(BENCH_DIR, 'rules', 'threshold_file_events_per_host.toml')]],
  ['sequence', 'S: bench/rules/sequence_…', ['--no-bundled', '--rules', join(BENCH_DIR, 'rules', 'sequence_ko_then_proc_modules.toml')]],
]);

const USAGE = `usage: npm run bench -- [options]
  --case LIST            cases to run (default bundled; "all" = every case):
                           bundled    bundled rules on the --match-rate/--near-miss-rate file (cli, floor, jq)
                           near-miss  bundled rules, every line a near miss (no alert)
                           all-alert  bundled rules, every line an alert; with and without --no-max-signals
                           pack       every rule of the vendored elastic/detection-rules pack (--pack-size file)
                           linux      --rules rules/linux of that pack (--pack-size file)
                           shuffled   bundled rules, the default file with its lines shuffled (new_terms state)
                           shuffled-all-alert  the all-alert file shuffled, --no-max-signals (new_terms holds the most)
                           stdin      lkm-scan FILE vs cat FILE | lkm-scan - vs lkm-scan - < FILE
                           startup    the whole pack on an empty input (load and compile time)
                           memory     one rule of each kind alone, on shuffled files of each --memory-sizes
                                      (at --match-rate): peak RSS side by side
  --size SIZE            dataset size, e.g. 100MB, 1GB (default 1GB)
  --pack-size SIZE       dataset size for the pack and linux cases (default: --size, at most 20MB)
  --memory-sizes LIST    dataset sizes for the memory case (default 100MB,1GB)
  --match-rate R         share of lines that fire an alert (default 0.001)
  --near-miss-rate R     share of lines that nearly match (default 0.01)
  --seed N               generator seed (default 1; also seeds the shuffle)
  --runs N               timed runs per tool, the median is reported (default 3)
  --only LIST            tools to run, from cli,floor,jq (default all)
  --workers LIST         bundled case: run the CLI once per value with --workers N, e.g. 1,2
  --cli-args "ARGS"      extra CLI flags for every CLI run, e.g. "--no-prefilter"
  --timeout SECONDS      kill a run after this long (default 1800)
  --write                add the table to BENCHMARKS.md (replacing one made by the same command)
  --bench-file PATH      file for --write (default BENCHMARKS.md at the repository root)
`;

/**
 * @typedef {object} DataSpec
 * @property {number} size
 * @property {number} matchRate
 * @property {number} nearMissRate
 * @property {boolean} [shuffled] lines of the generated file in a seeded random order
 * @property {boolean} [empty]    an empty file (start-up case)
 */

/**
 * @typedef {object} Dataset
 * @property {string} file
 * @property {import('./generate.mjs').Expected} expected
 */

/**
 * @typedef {object} Tool
 * @property {string} id       stable id, unique across cases (a floor shared by cases appears once)
 * @property {CaseId} caseId   the case whose table lists it
 * @property {string} label    table label
 * @property {string} command  shown in the table
 * @property {string} cmd
 * @property {string[]} args
 * @property {number[]} okCodes exit codes that mean success
 * @property {Dataset} ds
 * @property {string} floorId  id of the floor run on the same file (× floor)
 * @property {() => {onLine: (line: string) => void, result: () => Outcome}} collector
 * @property {string} [unavailable] why it cannot run
 * @property {{kind: string, ruleName: string, size: number}} [memory] the memory case's rule kind and dataset size
 */

/** @typedef {{summary: string, check: 'OK' | 'MISMATCH' | 'n/a', detail?: string}} Outcome */

/**
 * @typedef {object} RunResult
 * @property {number} wall seconds
 * @property {number|null} cpu user + system seconds (GNU time only)
 * @property {number|null} rssKB peak resident set size
 * @property {number|null} code
 * @property {string|null} signal
 * @property {string} stderr tail of stderr
 * @property {Outcome|null} outcome
 */

// ---------------------------------------------------------------------------------------------------------
// Options

function readOptions() {
  const a = parseArgs(process.argv.slice(2), ['cli-args']);
  const known = new Set(['case', 'size', 'pack-size', 'memory-sizes', 'match-rate', 'near-miss-rate', 'seed', 'runs', 'only', 'workers',
    'cli-args', 'timeout', 'write', 'bench-file', 'help']);
  for (const k of Object.keys(a)) if (!known.has(k)) throw new Error(`unknown option --${k}\n${USAGE}`);
  const only = (a.only ?? 'cli,floor,jq').split(',').map((s) => s.trim()).filter(Boolean);
  for (const t of only) if (!['cli', 'floor', 'jq'].includes(t)) throw new Error(`--only: unknown tool "${t}" (cli, floor, jq)`);
  const caseText = (a.case ?? 'bundled').split(',').map((s) => s.trim()).filter(Boolean);
  /** @type {CaseId[]} */
  const cases = [];
  for (const c of caseText) {
    if (c === 'all') cases.push(...CASES);
    else {
      const known = CASES.find((k) => k === c);
      if (!known) throw new Error(`--case: unknown case "${c}" (${CASES.join(', ')} or all)`);
      cases.push(known);
    }
  }
  const workers = a.workers ? a.workers.split(',').map((w) => {
    const n = Number(w);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--workers: "${w}" is not a positive integer`);
    return n;
  }) : [];
  const size = parseSize(a.size ?? '1GB');
  return {
    help: a.help === 'true',
    cases: [...new Set(cases)],
    size,
    // The pack runs ~100x slower than the bundled rules today; a smaller file keeps `--case all` short.
    packSize: a['pack-size'] ? parseSize(a['pack-size']) : Math.min(size, 20_000_000),
    memorySizes: (a['memory-sizes'] ?? '100MB,1GB').split(',').map((x) => parseSize(x.trim())),
    matchRate: numberOption('match-rate', a['match-rate'], 0.001),
    nearMissRate: numberOption('near-miss-rate', a['near-miss-rate'], 0.01),
    seed: numberOption('seed', a.seed, 1),
    runs: Math.max(1, Math.floor(numberOption('runs', a.runs, 3))),
    only,
    workers,
    cliArgs: (a['cli-args'] ?? '').split(/\s+/).filter(Boolean),
    timeout: numberOption('timeout', a.timeout, 1800),
    write: a.write === 'true',
    benchFile: resolve(ROOT, a['bench-file'] ?? 'BENCHMARKS.md'),
  };
}

/** @typedef {ReturnType<typeof readOptions>} Options */

// ---------------------------------------------------------------------------------------------------------
// Datasets

/** @type {Promise<string> | undefined} */
let generatorHash;
const hashGenerator = () => {
  generatorHash ??= readFile(join(BENCH_DIR, 'generate.mjs')).then((b) => createHash('sha256').update(b).digest('hex').slice(0, 8));
  return generatorHash;
};

/**
 * Generate (or reuse) the dataset for a spec. The cache key includes a hash of the generator's
 * source, so editing it never reuses stale data.
 * @param {DataSpec} spec @param {number} seed @returns {Promise<Dataset>}
 */
async function ensureDataset(spec, seed) {
  if (spec.empty) {
    const file = join(BENCH_DIR, 'data', 'empty.ndjson');
    if (!existsSync(file)) {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, '');
    }
    return { file, expected: emptyExpected(seed) };
  }
  const hash = await hashGenerator();
  const name = `ecs-${formatSize(spec.size)}-m${spec.matchRate}-n${spec.nearMissRate}-s${seed}-v${GENERATOR_VERSION}-${hash}`;
  const plain = join(BENCH_DIR, 'data', `${name}.ndjson`);
  const file = spec.shuffled ? join(BENCH_DIR, 'data', `${name}-shuffled.ndjson`) : plain;
  const expectedFile = `${file}.expected.json`;
  if (existsSync(file) && existsSync(expectedFile)) {
    const expected = JSON.parse(await readFile(expectedFile, 'utf8'));
    process.stderr.write(`reusing ${relative(ROOT, file)}\n`);
    return { file, expected };
  }
  if (spec.shuffled) {
    const source = await ensureDataset({ ...spec, shuffled: false }, seed);
    process.stderr.write(`shuffling ${relative(ROOT, source.file)} …\n`);
    await shuffleLines(source.file, file, seed);
    await writeFile(expectedFile, `${JSON.stringify({ ...source.expected, shuffled: true }, null, 2)}\n`);
    return { file, expected: source.expected };
  }
  process.stderr.write(`generating ${relative(ROOT, file)} …\n`);
  const t0 = performance.now();
  const expected = await generate({
    size: spec.size, matchRate: spec.matchRate, nearMissRate: spec.nearMissRate, seed, out: file,
    onProgress: (b) => process.stderr.write(`\r  ${(b / 1e6).toFixed(0)} MB`),
  });
  process.stderr.write(`\r  ${expected.lines} lines, ${expected.bytes} bytes in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return { file, expected };
}

/** @param {number} seed @returns {import('./generate.mjs').Expected} */
function emptyExpected(seed) {
  return {
    generator: 'empty file', params: { size: 0, matchRate: 0, nearMissRate: 0, seed }, bytes: 0, lines: 0,
    alerts: {}, total_alerts: 0, query_matches: {}, kinds: {},
  };
}

/** Extract the vendored detection-rules tarball to bench/data/detection-rules once. */
function ensurePack() {
  if (existsSync(join(PACK_DIR, 'rules')) && existsSync(join(PACK_DIR, 'rules_building_block'))) return undefined;
  if (!existsSync(PACK_TARBALL)) return `${relative(ROOT, PACK_TARBALL)} is missing`;
  mkdirSync(PACK_DIR, { recursive: true });
  const r = spawnSync('tar', ['xzf', PACK_TARBALL, '-C', PACK_DIR], { encoding: 'utf8' });
  if (r.status !== 0) return `could not extract ${relative(ROOT, PACK_TARBALL)} with tar: ${(r.stderr || String(r.error)).trim()}`;
  process.stderr.write(`extracted ${relative(ROOT, PACK_TARBALL)} to ${relative(ROOT, PACK_DIR)}\n`);
  return undefined;
}

/** Read the file once so every tool starts from a warm page cache. @param {string} file */
async function warmCache(file) {
  for await (const _ of createReadStream(file, { highWaterMark: 1 << 20 })) { /* discard */ }
}

// ---------------------------------------------------------------------------------------------------------
// Tools

/** @param {Record<string, number>} counts */
const formatCounts = (counts) => Object.entries(counts).map(([id, n]) => `${SHORT[id] ?? id} ${n}`).join(', ') || 'none';

/**
 * @param {Record<string, number>} got @param {Record<string, number>} want
 * @returns {Outcome}
 */
function compareCounts(got, want) {
  const ids = new Set([...Object.keys(got), ...Object.keys(want)]);
  const bad = [...ids].filter((id) => (got[id] ?? 0) !== (want[id] ?? 0));
  return bad.length === 0
    ? { summary: formatCounts(got), check: 'OK' }
    : { summary: formatCounts(got), check: 'MISMATCH', detail: `expected ${formatCounts(want)}` };
}

/**
 * Counts of alerts per rule.id on stdout. `expect` compares them with the generator's declaration;
 * without it (packs, max_signals caps) the counts are only recorded, with a digest, and the report
 * checks that every run gave the same. The generator declares uncapped counts, which a big file
 * can exceed within one rule execution: with `statsFile` (the run's `--stats`), a rule's alerts
 * plus those max_signals left out must make the declared count.
 * @param {Record<string, number> | undefined} expect @param {string} [statsFile]
 */
const alertCollector = (expect, statsFile) => () => {
  /** @type {Record<string, number>} */
  const counts = {};
  let unparsable = 0;
  return {
    onLine: (/** @type {string} */ line) => {
      if (!line.trim()) return;
      try {
        const alert = JSON.parse(line);
        const id = alert?.rule?.id ?? alert?.['rule.id'] ?? '(no rule.id)';
        counts[id] = (counts[id] ?? 0) + 1;
      } catch {
        unparsable++;
      }
    },
    /** @returns {Outcome} */
    result: () => {
      /** @type {Outcome} */
      let r;
      if (expect) {
        r = compareCounts(counts, expect);
        const leftOut = statsFile === undefined ? {} : leftOutByRule(statsFile);
        if (r.check === 'MISMATCH' && Object.values(leftOut).some((n) => n > 0)) {
          const uncapped = Object.fromEntries(Object.entries(counts).map(([id, n]) => [id, n + (leftOut[id] ?? 0)]));
          if (compareCounts(uncapped, expect).check === 'OK') {
            const capped = Object.entries(leftOut).filter(([, n]) => n > 0).map(([id, n]) => `${SHORT[id] ?? id} ${n}`).join(', ');
            r = { summary: `${formatCounts(counts)} (+ left out by max_signals: ${capped})`, check: 'OK' };
          }
        }
      } else {
        const ids = Object.keys(counts).sort();
        const total = ids.reduce((n, id) => n + counts[id], 0);
        const digest = createHash('sha256').update(ids.map((id) => `${id}=${counts[id]}`).join('\n')).digest('hex').slice(0, 8);
        r = {
          summary: ids.length <= 2 ? formatCounts(counts) : `${thousands(total)} alerts from ${ids.length} rules (counts ${digest})`,
          check: 'n/a',
        };
      }
      if (unparsable) return { ...r, check: 'MISMATCH', detail: `${unparsable} stdout lines are not JSON; ${r.detail ?? ''}` };
      return r;
    },
  };
};

/**
 * Alerts each rule's max_signals left out, from a `--stats` file (README "Statistics"); the file
 * is removed once read, as every run writes it anew.
 * @param {string} file @returns {Record<string, number>}
 */
function leftOutByRule(file) {
  /** @type {Record<string, number>} */
  const out = {};
  try {
    const stats = JSON.parse(readFileSync(file, 'utf8'));
    for (const rule of stats?.rules ?? []) if (typeof rule?.id === 'string' && typeof rule.left_out === 'number') out[rule.id] = rule.left_out;
  } catch {
    // No stats (the run failed before writing them): the counts alone decide.
  }
  rmSync(file, { force: true });
  return out;
}

/**
 * @param {Options} o @param {Map<string, Dataset>} data @param {(spec: DataSpec) => string} key
 * @returns {Tool[]}
 */
function buildTools(o, data, key) {
  /** @type {Tool[]} */
  const tools = [];
  const cliMissing = existsSync(CLI) ? undefined : 'bin/lkm-scan.js does not exist yet';
  // The rule cache in a folder of the bench's own (not ~/.cache, which other runs fill): the
  // first run of a row fills it, so a median of 3+ runs is the warm figure; start-up also has a
  // row without the cache (every run parses the pack).
  const base = ['--format', 'json', '--quiet', '--cache-dir', join(BENCH_DIR, 'data', 'rule-cache')];
  for (const caseId of o.cases) {
    if (caseId === 'memory') {
      if (!o.only.includes('cli')) continue;
      for (const spec of caseSpecs(o, caseId)) {
        const ds = /** @type {Dataset} */ (data.get(key(spec)));
        const rel = relative(ROOT, ds.file);
        for (const [kind, ruleName, flags] of KIND_RULES) {
          const all = [...base, ...flags, ...o.cliArgs];
          const shown = all.map((f) => (f.startsWith(ROOT) ? relative(ROOT, f) : f)).join(' ');
          tools.push({
            id: `memory:${kind}:${spec.size}`, caseId, label: `${kind}, ${formatSize(spec.size)}`,
            command: `node bin/lkm-scan.js ${shown} ${rel}`, cmd: process.execPath, args: [CLI, ...all, ds.file],
            okCodes: [0, 1], ds, floorId: '', unavailable: cliMissing, collector: alertCollector(undefined),
            memory: { kind, ruleName, size: spec.size },
          });
        }
      }
      continue;
    }
    const spec = caseSpec(o, caseId);
    const ds = /** @type {Dataset} */ (data.get(key(spec)));
    const rel = relative(ROOT, ds.file);
    const floorId = `floor:${rel}`;
    /**
     * @param {string} id @param {string} label @param {string[]} flags
     * @param {Record<string, number> | undefined} expect @param {'file' | 'pipe' | 'redirect'} [input]
     */
    const cli = (id, label, flags, expect, input = 'file') => {
      // A run checked against declared counts also writes its statistics, for max_signals' left-out alerts.
      const statsFile = expect === undefined ? undefined : join(tmpdir(), `lkm-bench-stats-${process.pid}-${caseId}-${id}.json`);
      const all = [...base, ...(statsFile === undefined ? [] : ['--stats', statsFile]), ...flags, ...o.cliArgs];
      const shown = all.map((f) => (f.startsWith(ROOT) ? relative(ROOT, f) : f)).join(' ');
      const [cmd, args, command] = input === 'file'
        ? [process.execPath, [CLI, ...all, ds.file], `node bin/lkm-scan.js ${shown} ${rel}`]
        // sh passes the file as $1, so no path is ever parsed as shell syntax.
        : input === 'pipe'
          ? ['sh', ['-c', 'f=$1; shift; cat "$f" | "$@"', 'sh', ds.file, process.execPath, CLI, ...all, '-'],
            `cat ${rel} | node bin/lkm-scan.js ${shown} -`]
          : ['sh', ['-c', 'f=$1; shift; exec "$@" < "$f"', 'sh', ds.file, process.execPath, CLI, ...all, '-'],
            `node bin/lkm-scan.js ${shown} - < ${rel}`];
      tools.push({
        id: `${caseId}:${id}`, caseId, label: `${label}${o.cliArgs.length ? ` ${o.cliArgs.join(' ')}` : ''}`, command, cmd, args,
        okCodes: caseId === 'startup' ? [0] : [0, 1], // 1 = alerts found
        ds, floorId, unavailable: cliMissing ?? (caseId === 'pack' || caseId === 'linux' || caseId === 'startup' ? ensurePack() : undefined),
        collector: alertCollector(expect, statsFile),
      });
    };
    if (o.only.includes('cli')) {
      switch (caseId) {
        case 'bundled':
          for (const w of o.workers.length ? o.workers : [0]) {
            cli(`cli${w ? `-w${w}` : ''}`, `lkm-scan${w ? ` --workers ${w}` : ''}`, w ? ['--workers', String(w)] : [], ds.expected.alerts);
          }
          break;
        case 'near-miss':
        case 'shuffled':
          cli('cli', 'lkm-scan', [], ds.expected.alerts);
          break;
        case 'all-alert':
          // max_signals caps a rule's alerts per execution: the capped run is checked by its alerts
          // plus those its statistics say max_signals left out.
          cli('cli', 'lkm-scan (max_signals applies)', [], ds.expected.alerts);
          cli('cli-nomax', 'lkm-scan --no-max-signals', ['--no-max-signals'], ds.expected.alerts);
          break;
        case 'shuffled-all-alert':
          cli('cli-nomax', 'lkm-scan --no-max-signals', ['--no-max-signals'], ds.expected.alerts);
          break;
        case 'pack':
          cli('cli', 'lkm-scan, whole pack', PACK_ARGS, undefined);
          break;
        case 'linux':
          cli('cli', 'lkm-scan --rules rules/linux', LINUX_ARGS, undefined);
          break;
        case 'stdin':
          cli('cli-file', 'lkm-scan FILE', [], ds.expected.alerts);
          cli('cli-pipe', 'cat FILE \\| lkm-scan -', [], ds.expected.alerts, 'pipe');
          cli('cli-redirect', 'lkm-scan - < FILE', [], ds.expected.alerts, 'redirect');
          break;
        case 'startup':
          cli('cli', 'lkm-scan, whole pack, empty input (rule cache warm)', [...PACK_ARGS, '--allow-empty'], {});
          cli('cli-nocache', 'lkm-scan --no-cache, whole pack, empty input', [...PACK_ARGS, '--allow-empty', '--no-cache'], {});
          break;
      }
    }
    if (o.only.includes('floor') && caseId !== 'startup' && !tools.some((t) => t.id === floorId)) {
      tools.push({
        id: floorId,
        caseId,
        label: 'parse floor (read + split + JSON.parse)',
        command: `node bench/floor.mjs ${rel}`,
        cmd: process.execPath,
        args: [join(BENCH_DIR, 'floor.mjs'), ds.file],
        okCodes: [0],
        ds,
        floorId,
        collector: () => {
          let out = '';
          return {
            onLine: (line) => { out += line; },
            result: () => {
              const r = JSON.parse(out || '{}');
              const ok = r.lines === ds.expected.lines && r.errors === 0;
              return { summary: `${thousands(r.lines)} lines`, check: ok ? 'OK' : 'MISMATCH', detail: ok ? undefined : `expected ${ds.expected.lines} lines, 0 errors` };
            },
          };
        },
      });
    }
    if (o.only.includes('jq') && caseId === 'bundled') {
      const jq = spawnSync('jq', ['--version'], { encoding: 'utf8' });
      tools.push({
        id: 'bundled:jq',
        caseId,
        label: 'jq (R1 + R2 query, no new_terms)',
        command: `jq -r -f bench/rules.jq ${rel}`,
        cmd: 'jq',
        args: ['-r', '-f', join(BENCH_DIR, 'rules.jq'), ds.file],
        okCodes: [0],
        ds,
        floorId,
        unavailable: jq.status === 0 ? undefined : 'jq is not installed',
        collector: () => {
          /** @type {Record<string, number>} */
          const counts = {};
          const ids = /** @type {Record<string, string>} */ ({ R1: RULE_IDS.R1, R2: RULE_IDS.R2 });
          return {
            onLine: (line) => {
              if (line) counts[ids[line] ?? line] = (counts[ids[line] ?? line] ?? 0) + 1;
            },
            // jq has no new_terms state: compare with the number of query matches.
            result: () => compareCounts(counts, ds.expected.query_matches),
          };
        },
      });
    }
  }
  return tools;
}

/** @param {Options} o @param {CaseId} caseId @returns {DataSpec[]} */
function caseSpecs(o, caseId) {
  if (caseId === 'memory') return o.memorySizes.map((size) => ({ size, matchRate: o.matchRate, nearMissRate: o.nearMissRate, shuffled: true }));
  return [caseSpec(o, caseId)];
}

/** @param {Options} o @param {Exclude<CaseId, 'memory'>} caseId @returns {DataSpec} */
function caseSpec(o, caseId) {
  const dflt = { size: o.size, matchRate: o.matchRate, nearMissRate: o.nearMissRate };
  switch (caseId) {
    case 'bundled': return dflt;
    case 'near-miss': return { size: o.size, matchRate: 0, nearMissRate: 1 };
    case 'all-alert': return { size: o.size, matchRate: 1, nearMissRate: 0 };
    case 'pack':
    case 'linux': return { ...dflt, size: o.packSize };
    case 'shuffled': return { ...dflt, shuffled: true };
    case 'shuffled-all-alert': return { size: o.size, matchRate: 1, nearMissRate: 0, shuffled: true };
    case 'stdin': return dflt;
    case 'startup': return { size: 0, matchRate: 0, nearMissRate: 0, empty: true };
  }
}

const CASE_TITLES = /** @type {Record<CaseId, string>} */ ({
  bundled: 'bundled rules',
  'near-miss': 'bundled rules, every line a near miss (no alert)',
  'all-alert': 'bundled rules, every line an alert',
  pack: 'whole pack: every runnable EQL/KQL rule of the vendored elastic/detection-rules',
  linux: '`--rules rules/linux` of the vendored pack',
  shuffled: 'bundled rules, lines shuffled (event times out of order)',
  'shuffled-all-alert': 'bundled rules, every line an alert, lines shuffled',
  stdin: 'stdin against a file argument',
  startup: 'start-up: whole pack, empty input',
  memory: 'one rule of each kind alone, lines shuffled',
});

// ---------------------------------------------------------------------------------------------------------
// Measuring one run

const hasGnuTime = existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['-f', '%M', 'true']).status === 0;

/**
 * Run one tool once. Peak RSS: GNU time's %M (the kernel's ru_maxrss of the waited-for child) when
 * /usr/bin/time exists; otherwise VmHWM from /proc/<pid>/status, polled every 20 ms while it runs.
 * @param {Tool} tool @param {number} timeoutS @returns {Promise<RunResult>}
 */
async function runOnce(tool, timeoutS) {
  const dir = await mkdtemp(join(tmpdir(), 'lkm-bench-'));
  const timeFile = join(dir, 'time.txt');
  const [cmd, args] = hasGnuTime
    ? [GNU_TIME, ['-f', '%M %U %S', '-o', timeFile, tool.cmd, ...tool.args]]
    : [tool.cmd, tool.args];
  const collector = tool.collector();
  const t0 = process.hrtime.bigint();
  // Own process group, so a timeout can stop the tool and anything it started.
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let hwmKB = 0;
  const poll = hasGnuTime ? null : setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) hwmKB = Math.max(hwmKB, Number(m[1]));
    } catch { /* exited */ }
  }, 20);
  let carry = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (/** @type {string} */ chunk) => {
    const parts = (carry + chunk).split('\n');
    carry = parts.pop() ?? '';
    for (const p of parts) collector.onLine(p);
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (/** @type {string} */ c) => { stderr = (stderr + c).slice(-4000); });
  const timer = setTimeout(() => {
    stderr += `\n(killed after ${timeoutS} s)`;
    try { if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  }, timeoutS * 1000);
  /** @type {[number|null, string|null]} */
  const [code, signal] = await new Promise((res) => {
    child.on('error', (err) => { stderr += String(err); res([null, null]); });
    child.on('close', (c, s) => res([c, s]));
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  clearTimeout(timer);
  if (poll) clearInterval(poll);
  if (carry) collector.onLine(carry);
  let rssKB = hasGnuTime ? null : hwmKB || null;
  let cpu = null;
  if (hasGnuTime) {
    const text = existsSync(timeFile) ? await readFile(timeFile, 'utf8') : '';
    // GNU time prints "Command exited with non-zero status N" before the format line.
    const m = /(\d+) ([\d.]+) ([\d.]+)\s*$/.exec(text);
    if (m) {
      rssKB = Number(m[1]);
      cpu = Number(m[2]) + Number(m[3]);
    }
  }
  await rm(dir, { recursive: true, force: true });
  const ok = code !== null && tool.okCodes.includes(code);
  return { wall, cpu, rssKB, code, signal, stderr: stderr.trim(), outcome: ok ? collector.result() : null };
}

// ---------------------------------------------------------------------------------------------------------
// Report

/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (/** @type {number} */ x, d = 2) => x.toFixed(d);
const thousands = (/** @type {number} */ x) => Math.round(x).toLocaleString('en-US');

function machine() {
  const cpuModel = (() => {
    try {
      return /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpus()[0]?.model;
    } catch {
      return cpus()[0]?.model ?? 'unknown CPU';
    }
  })();
  const jq = spawnSync('jq', ['--version'], { encoding: 'utf8' });
  const rev = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src', 'bin'], { cwd: ROOT, encoding: 'utf8' });
  // Node's types say `stdout` is a string; it is null when git cannot be started at all.
  const dirtyFiles = /** @type {string | null} */ (dirty.stdout);
  let version = '?';
  try {
    version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  } catch { /* keep ? */ }
  return {
    cpu: cpuModel,
    cores: availableParallelism(),
    memGiB: totalmem() / 2 ** 30,
    kernel: release(),
    node: process.version,
    jq: jq.status === 0 ? jq.stdout.trim() : 'not installed',
    lkmScan: `${version} (${rev.status === 0 ? rev.stdout.trim() : 'no commit'}${dirtyFiles?.trim() ? ', uncommitted changes' : ''})`,
    load: loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

/** @param {number} bytes */
const sizeText = (bytes) => (bytes >= 1e6 ? `${fmt(bytes / 1e6, 1)} MB` : `${bytes} bytes`);

/**
 * @param {Options} o @param {Tool[]} tools @param {Map<string, RunResult[]>} results
 * @param {string} command @param {ReturnType<typeof machine>} m @param {string} loadAfter
 */
function report(o, tools, results, command, m, loadAfter) {
  /** @param {string} id */
  const goodRuns = (id) => (results.get(id) ?? []).filter((r) => r.outcome);
  const lines = [];
  const sizes = o.cases.length === 1 && o.cases[0] === 'memory' ? o.memorySizes.map(formatSize).join(', ') : formatSize(o.size);
  const title = o.cases.length === 1 && o.cases[0] === 'bundled' ? `${formatSize(o.size)} dataset` : `${o.cases.join(', ')} — ${sizes}`;
  lines.push(`### ${title}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`);
  lines.push('');
  lines.push(`Command: \`${command}\``);
  lines.push('');
  lines.push(`- Machine: ${m.cpu}, ${m.cores} cores available, ${m.memGiB.toFixed(1)} GiB RAM, Linux ${m.kernel}; load average ${m.load} before, ${loadAfter} after`);
  lines.push(`- Software: Node ${m.node}, ${m.jq}, lkm-scan ${m.lkmScan}`);
  /** @type {Set<string>} */
  const seen = new Set();
  for (const t of tools) {
    if (seen.has(t.ds.file)) continue;
    seen.add(t.ds.file);
    const e = t.ds.expected;
    if (e.lines === 0) continue;
    lines.push(`- Dataset: \`${relative(ROOT, t.ds.file)}\`, ${sizeText(e.bytes)}, ${thousands(e.lines)} events, seed ${o.seed}, ` +
      `match rate ${e.params.matchRate}, near-miss rate ${e.params.nearMissRate}; expected alerts ${formatCounts(e.alerts)}; R2 query matches ${e.query_matches[RULE_IDS.R2] ?? 0}`);
  }
  lines.push(`- Method: ${o.runs} run${o.runs > 1 ? 's' : ''} per tool, interleaved, warm page cache; wall-clock median (min–max); CPU = user + system (median); ` +
    `peak RSS = ${hasGnuTime ? 'GNU time %M (ru_maxrss)' : 'VmHWM polled from /proc every 20 ms'}, highest of the runs; MB = 10⁶ bytes; ` +
    '× floor = median time ÷ the median time of the floor on the same file in this run (CPU × floor: the same with CPU times, steadier on a shared machine); ' +
    'check: OK = alerts per rule as the generator declares, n/a = no declared count (recorded; every run must agree)');
  lines.push('');
  lines.push('| case | tool | median s (min–max) | CPU s | MB/s | events/s | peak RSS MB | × floor | CPU × floor | result | check |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|');
  let failed = false;
  for (const tool of tools) {
    const caseLabel = CASE_TITLES[tool.caseId];
    const runs = results.get(tool.id) ?? [];
    if (tool.unavailable) {
      lines.push(`| ${caseLabel} | ${tool.label} | — | — | — | — | — | — | — | not run: ${tool.unavailable} | n/a |`);
      continue;
    }
    const good = goodRuns(tool.id);
    if (good.length === 0) {
      const r = runs[0];
      const why = r ? `exit ${r.code ?? r.signal}: ${(r.stderr.split('\n').find((l) => l.trim()) ?? '').slice(0, 160).replace(/\|/g, '\\|')}` : 'no run';
      lines.push(`| ${caseLabel} | ${tool.label} | — | — | — | — | — | — | — | FAILED (${why}) | FAILED |`);
      failed = true;
      continue;
    }
    const walls = good.map((r) => r.wall);
    const med = median(walls);
    const cpuRuns = /** @type {number[]} */ (good.map((r) => r.cpu).filter((x) => x !== null));
    const cpu = cpuRuns.length ? median(cpuRuns) : null;
    const floorGood = goodRuns(tool.floorId);
    const floorWall = floorGood.length ? median(floorGood.map((r) => r.wall)) : null;
    const floorCpuRuns = /** @type {number[]} */ (floorGood.map((r) => r.cpu).filter((x) => x !== null));
    const floorCpu = floorCpuRuns.length ? median(floorCpuRuns) : null;
    const rss = Math.max(...good.map((r) => r.rssKB ?? 0));
    const outcome = /** @type {Outcome} */ (good[good.length - 1].outcome);
    const consistent = good.every((r) => r.outcome?.summary === outcome.summary);
    const check = consistent ? outcome.check : 'MISMATCH';
    if (check === 'MISMATCH') failed = true;
    const detail = outcome.detail ? ` (${outcome.detail})` : consistent ? '' : ' (runs disagree)';
    const { bytes, lines: events } = tool.ds.expected;
    lines.push(`| ${caseLabel} | ${tool.label} | ${fmt(med)} (${fmt(Math.min(...walls))}–${fmt(Math.max(...walls))}) | ` +
      `${cpu !== null ? fmt(cpu) : '—'} | ${bytes ? fmt(bytes / 1e6 / med, 1) : '—'} | ${events ? thousands(events / med) : '—'} | ` +
      `${rss ? fmt(rss / 1024, 0) : '—'} | ${floorWall ? `${fmt(med / floorWall)}×` : '—'} | ${floorCpu && cpu !== null ? `${fmt(cpu / floorCpu)}×` : '—'} | ` +
      `${outcome.summary}${detail} | ${check} |`);
  }
  lines.push('');
  if (tools.some((t) => t.id === 'bundled:jq')) {
    lines.push('jq evaluates R1 and the query of R2 with the same field semantics (dotted keys, arrays), but keeps no new_terms state, so its R2 figure is query matches, not alerts.');
  }
  const memory = tools.filter((t) => t.memory);
  if (memory.length > 0) {
    // Peak RSS per rule kind, the sizes side by side: flat means the columns agree.
    const sizes = [...new Set(memory.map((t) => t.memory?.size ?? 0))];
    lines.push(`Peak RSS (MB) by rule kind and input size, one rule alone, lines shuffled (from the rows above):`);
    lines.push('');
    lines.push(`| rule kind | rule | ${sizes.map((s) => formatSize(s)).join(' | ')} | alerts at ${formatSize(sizes[sizes.length - 1] ?? 0)} |`);
    lines.push(`|---|---|${sizes.map(() => '---|').join('')}---|`);
    for (const [kind, ruleName] of KIND_RULES) {
      const row = sizes.map((size) => memory.find((t) => t.memory?.kind === kind && t.memory.size === size));
      const cells = row.map((t) => {
        const good = t ? goodRuns(t.id) : [];
        return good.length ? fmt(Math.max(...good.map((r) => r.rssKB ?? 0)) / 1024, 0) : '—';
      });
      const last = row[row.length - 1];
      const lastGood = last ? goodRuns(last.id) : [];
      lines.push(`| ${kind} | ${ruleName} | ${cells.join(' | ')} | ${lastGood.length ? lastGood[lastGood.length - 1]?.outcome?.summary ?? '' : '—'} |`);
    }
    lines.push('');
  }
  if (tools.some((t) => t.caseId === 'stdin')) {
    lines.push('stdin rows run under `sh -c`, so their CPU and RSS include `sh` and `cat` (ru_maxrss is the largest single process).');
  }
  return { markdown: lines.join('\n').trimEnd(), failed };
}

/**
 * Put the section into the benchmarks file, replacing an earlier one made by the same command.
 * @param {string} file @param {string} key @param {string} markdown
 */
async function writeSection(file, key, markdown) {
  const begin = `<!-- bench:${key} -->`;
  const end = `<!-- /bench:${key} -->`;
  const section = `${begin}\n${markdown}\n${end}`;
  let text = existsSync(file) ? await readFile(file, 'utf8') : '# Benchmarks\n\nProduced by `npm run bench -- --write` (bench/run.mjs); each section names the command that made it.\n';
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i !== -1 && j > i) text = text.slice(0, i) + section + text.slice(j + end.length);
  else text = `${text.trimEnd()}\n\n${section}\n`;
  await writeFile(file, text);
}

// ---------------------------------------------------------------------------------------------------------

async function main() {
  const o = readOptions();
  if (o.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const argv = process.argv.slice(2);
  const command = process.env.npm_lifecycle_event === 'bench'
    ? `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`
    : `node bench/run.mjs ${argv.join(' ')}`.trim();
  const m = machine();
  /** @param {DataSpec} spec */
  const key = (spec) => JSON.stringify(spec);
  /** @type {Map<string, Dataset>} */
  const data = new Map();
  for (const c of o.cases) {
    for (const spec of caseSpecs(o, c)) {
      if (!data.has(key(spec))) data.set(key(spec), await ensureDataset(spec, o.seed));
    }
  }
  const tools = buildTools(o, data, key);
  for (const ds of data.values()) await warmCache(ds.file);

  /** @type {Map<string, RunResult[]>} */
  const results = new Map(tools.map((t) => [t.id, []]));
  /** @type {Set<string>} */
  const broken = new Set();
  for (let run = 1; run <= o.runs; run++) {
    for (const tool of tools) {
      if (tool.unavailable || broken.has(tool.id)) continue;
      process.stderr.write(`run ${run}/${o.runs} ${tool.label} … `);
      const r = await runOnce(tool, o.timeout);
      /** @type {RunResult[]} */ (results.get(tool.id)).push(r);
      if (!r.outcome) {
        broken.add(tool.id); // a failing tool is not retried
        process.stderr.write(`failed (exit ${r.code ?? r.signal})\n${r.stderr.split('\n').slice(0, 5).map((l) => `    ${l}`).join('\n')}\n`);
      } else {
        process.stderr.write(`${fmt(r.wall)} s${r.rssKB ? `, ${fmt(r.rssKB / 1024, 0)} MB` : ''}, ${r.outcome.summary} ${r.outcome.check}\n`);
      }
    }
  }
  for (const tool of tools) if (tool.unavailable) process.stderr.write(`skipped ${tool.label}: ${tool.unavailable}\n`);

  const loadAfter = loadavg().map((l) => l.toFixed(2)).join(' ');
  const { markdown, failed } = report(o, tools, results, command, m, loadAfter);
  process.stdout.write(`\n${markdown}\n`);
  if (o.write) {
    // The bundled case alone keeps the key it had before cases existed, so --write replaces its old section.
    const keyParts = [formatSize(o.size), o.matchRate, o.nearMissRate, o.seed, o.only.join('+'), o.workers.join('+'), o.cliArgs.join(' ')];
    if (o.cases.includes('memory')) keyParts.push(o.memorySizes.map(formatSize).join('+'));
    const key = (o.cases.length === 1 && o.cases[0] === 'bundled' ? keyParts : [o.cases.join('+'), formatSize(o.packSize), ...keyParts]).join('|');
    await writeSection(o.benchFile, key, markdown);
    process.stderr.write(`wrote ${relative(ROOT, o.benchFile) || o.benchFile}\n`);
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : err}\n`);
    process.exitCode = 2;
  },
);
