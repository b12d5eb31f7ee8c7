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
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, release, tmpdir, totalmem, loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatSize, generate, GENERATOR_VERSION, numberOption, parseArgs, parseSize, RULE_IDS } from './generate.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
const CLI = join(ROOT, 'bin', 'lkm-scan.js');
const GNU_TIME = '/usr/bin/time';
const SHORT = /** @type {Record<string, string>} */ ({ [RULE_IDS.R1]: 'R1', [RULE_IDS.R2]: 'R2' });

const USAGE = `usage: npm run bench -- [options]
  --size SIZE            dataset size, e.g. 200MB, 1GB (default 1GB)
  --match-rate R         share of lines that fire an alert (default 0.001)
  --near-miss-rate R     share of lines that nearly match (default 0.01)
  --seed N               generator seed (default 1)
  --runs N               timed runs per tool, the median is reported (default 3)
  --only LIST            tools to run, from cli,floor,jq (default all)
  --workers LIST         run the CLI once per value with --workers N, e.g. 1,2 (default: flag not passed)
  --cli-args "ARGS"      extra CLI flags for every CLI run, e.g. "--no-prefilter"
  --timeout SECONDS      kill a run after this long (default 1800)
  --write                add the table to BENCHMARKS.md (replacing one made by the same command)
  --bench-file PATH      file for --write (default BENCHMARKS.md at the repository root)
`;

/**
 * @typedef {object} Dataset
 * @property {string} file
 * @property {import('./generate.mjs').Expected} expected
 */

/**
 * @typedef {object} Tool
 * @property {string} id       stable id (cli, cli-w2, floor, jq)
 * @property {string} label    table label
 * @property {string} command  shown in the table
 * @property {string} cmd
 * @property {string[]} args
 * @property {number[]} okCodes exit codes that mean success
 * @property {() => {onLine: (line: string) => void, result: () => Outcome}} collector
 * @property {string} [unavailable] why it cannot run
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
  const known = new Set(['size', 'match-rate', 'near-miss-rate', 'seed', 'runs', 'only', 'workers', 'cli-args',
    'timeout', 'write', 'bench-file', 'help']);
  for (const k of Object.keys(a)) if (!known.has(k)) throw new Error(`unknown option --${k}\n${USAGE}`);
  const only = (a.only ?? 'cli,floor,jq').split(',').map((s) => s.trim()).filter(Boolean);
  for (const t of only) if (!['cli', 'floor', 'jq'].includes(t)) throw new Error(`--only: unknown tool "${t}" (cli, floor, jq)`);
  const workers = a.workers ? a.workers.split(',').map((w) => {
    const n = Number(w);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--workers: "${w}" is not a positive integer`);
    return n;
  }) : [];
  return {
    help: a.help === 'true',
    size: parseSize(a.size ?? '1GB'),
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
// Dataset

/** @param {Options} o @returns {Promise<Dataset>} */
async function ensureDataset(o) {
  // The cache key includes a hash of the generator's source, so editing it never reuses stale data.
  const source = await readFile(join(BENCH_DIR, 'generate.mjs'));
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 8);
  const name = `ecs-${formatSize(o.size)}-m${o.matchRate}-n${o.nearMissRate}-s${o.seed}-v${GENERATOR_VERSION}-${hash}.ndjson`;
  const file = join(BENCH_DIR, 'data', name);
  const expectedFile = `${file}.expected.json`;
  if (existsSync(file) && existsSync(expectedFile)) {
    const expected = JSON.parse(await readFile(expectedFile, 'utf8'));
    process.stderr.write(`reusing ${relative(ROOT, file)}\n`);
    return { file, expected };
  }
  process.stderr.write(`generating ${relative(ROOT, file)} …\n`);
  const t0 = performance.now();
  const expected = await generate({
    size: o.size, matchRate: o.matchRate, nearMissRate: o.nearMissRate, seed: o.seed, out: file,
    onProgress: (b) => process.stderr.write(`\r  ${(b / 1e6).toFixed(0)} MB`),
  });
  process.stderr.write(`\r  ${expected.lines} lines, ${expected.bytes} bytes in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return { file, expected };
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

/** @param {Options} o @param {Dataset} ds @returns {Tool[]} */
function buildTools(o, ds) {
  /** @type {Tool[]} */
  const tools = [];
  const rel = relative(ROOT, ds.file);
  if (o.only.includes('cli')) {
    const variants = o.workers.length ? o.workers.map((w) => ['--workers', String(w)]) : [[]];
    for (const extra of variants) {
      const flags = ['--format', 'json', '--quiet', ...extra, ...o.cliArgs];
      tools.push({
        id: `cli${extra.length ? `-w${extra[1]}` : ''}`,
        label: `lkm-scan${extra.length ? ` --workers ${extra[1]}` : ''}${o.cliArgs.length ? ` ${o.cliArgs.join(' ')}` : ''}`,
        command: `node bin/lkm-scan.js ${flags.join(' ')} ${rel}`,
        cmd: process.execPath,
        args: [CLI, ...flags, ds.file],
        okCodes: [0, 1], // 1 = alerts found
        unavailable: existsSync(CLI) ? undefined : 'bin/lkm-scan.js does not exist yet',
        collector: () => {
          /** @type {Record<string, number>} */
          const counts = {};
          let unparsable = 0;
          return {
            onLine: (line) => {
              if (!line.trim()) return;
              try {
                const alert = JSON.parse(line);
                const id = alert?.rule?.id ?? alert?.['rule.id'] ?? '(no rule.id)';
                counts[id] = (counts[id] ?? 0) + 1;
              } catch {
                unparsable++;
              }
            },
            result: () => {
              const r = compareCounts(counts, ds.expected.alerts);
              if (unparsable) return { ...r, check: 'MISMATCH', detail: `${unparsable} stdout lines are not JSON; ${r.detail ?? ''}` };
              return r;
            },
          };
        },
      });
    }
  }
  if (o.only.includes('floor')) {
    tools.push({
      id: 'floor',
      label: 'parse floor (JSON.parse per line)',
      command: `node bench/floor.mjs ${rel}`,
      cmd: process.execPath,
      args: [join(BENCH_DIR, 'floor.mjs'), ds.file],
      okCodes: [0],
      collector: () => {
        let out = '';
        return {
          onLine: (line) => { out += line; },
          result: () => {
            const r = JSON.parse(out || '{}');
            const ok = r.lines === ds.expected.lines && r.errors === 0;
            return { summary: `${r.lines} lines`, check: ok ? 'OK' : 'MISMATCH', detail: ok ? undefined : `expected ${ds.expected.lines} lines, 0 errors` };
          },
        };
      },
    });
  }
  if (o.only.includes('jq')) {
    const jq = spawnSync('jq', ['--version'], { encoding: 'utf8' });
    tools.push({
      id: 'jq',
      label: 'jq (R1 + R2 query, no new_terms)',
      command: `jq -r -f bench/rules.jq ${rel}`,
      cmd: 'jq',
      args: ['-r', '-f', join(BENCH_DIR, 'rules.jq'), ds.file],
      okCodes: [0],
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
  return tools;
}

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

/**
 * @param {Options} o @param {Dataset} ds @param {Tool[]} tools @param {Map<string, RunResult[]>} results
 * @param {string} command @param {ReturnType<typeof machine>} m @param {string} loadAfter
 */
function report(o, ds, tools, results, command, m, loadAfter) {
  const { expected } = ds;
  const mb = expected.bytes / 1e6;
  const floorRuns = results.get('floor')?.filter((r) => r.outcome);
  const floorMedian = floorRuns?.length ? median(floorRuns.map((r) => r.wall)) : null;
  const lines = [];
  lines.push(`### ${formatSize(o.size)} dataset, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`);
  lines.push('');
  lines.push(`Command: \`${command}\``);
  lines.push('');
  lines.push(`- Machine: ${m.cpu}, ${m.cores} cores available, ${m.memGiB.toFixed(1)} GiB RAM, Linux ${m.kernel}; load average ${m.load} before, ${loadAfter} after`);
  lines.push(`- Software: Node ${m.node}, ${m.jq}, lkm-scan ${m.lkmScan}`);
  lines.push(`- Dataset: \`${relative(ROOT, ds.file)}\`, ${fmt(mb, 1)} MB, ${thousands(expected.lines)} events, seed ${o.seed}, match rate ${o.matchRate}, near-miss rate ${o.nearMissRate}; expected alerts ${formatCounts(expected.alerts)}; R2 query matches ${expected.query_matches[RULE_IDS.R2]}`);
  lines.push(`- Method: ${o.runs} run${o.runs > 1 ? 's' : ''} per tool, interleaved, warm page cache; wall-clock median (min–max); CPU = user + system; ` +
    `peak RSS = ${hasGnuTime ? 'GNU time %M (ru_maxrss)' : 'VmHWM polled from /proc every 20 ms'}, highest of the runs; MB = 10⁶ bytes; × floor = median time / floor median time`);
  lines.push('');
  lines.push('| tool | median s (min–max) | CPU s | MB/s | events/s | peak RSS MB | × floor | result | check |');
  lines.push('|---|---|---|---|---|---|---|---|---|');
  let failed = false;
  for (const tool of tools) {
    const runs = results.get(tool.id) ?? [];
    if (tool.unavailable) {
      lines.push(`| ${tool.label} | — | — | — | — | — | — | not run: ${tool.unavailable} | n/a |`);
      continue;
    }
    const good = runs.filter((r) => r.outcome);
    if (good.length === 0) {
      const r = runs[0];
      const why = r ? `exit ${r.code ?? r.signal}: ${(r.stderr.split('\n').find((l) => l.trim()) ?? '').slice(0, 160).replace(/\|/g, '\\|')}` : 'no run';
      lines.push(`| ${tool.label} | — | — | — | — | — | — | FAILED (${why}) | FAILED |`);
      failed = true;
      continue;
    }
    const walls = good.map((r) => r.wall);
    const med = median(walls);
    const cpuRuns = good.map((r) => r.cpu).filter((x) => x !== null);
    const rss = Math.max(...good.map((r) => r.rssKB ?? 0));
    const outcome = /** @type {Outcome} */ (good[good.length - 1].outcome);
    const consistent = good.every((r) => r.outcome?.summary === outcome.summary);
    const check = consistent ? outcome.check : 'MISMATCH';
    if (check === 'MISMATCH') failed = true;
    const detail = outcome.detail ? ` (${outcome.detail})` : consistent ? '' : ' (runs disagree)';
    lines.push(`| ${tool.label} | ${fmt(med)} (${fmt(Math.min(...walls))}–${fmt(Math.max(...walls))}) | ` +
      `${cpuRuns.length ? fmt(median(/** @type {number[]} */ (cpuRuns))) : '—'} | ${fmt(mb / med, 1)} | ${thousands(expected.lines / med)} | ` +
      `${rss ? fmt(rss / 1024, 0) : '—'} | ${floorMedian ? `${fmt(med / floorMedian)}×` : '—'} | ${outcome.summary}${detail} | ${check} |`);
  }
  lines.push('');
  lines.push('jq evaluates R1 and the query of R2 with the same field semantics (dotted keys, arrays), but keeps no new_terms state, so its R2 figure is query matches, not alerts.');
  return { markdown: lines.join('\n'), failed };
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
  const ds = await ensureDataset(o);
  const tools = buildTools(o, ds);
  await warmCache(ds.file);

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
  const { markdown, failed } = report(o, ds, tools, results, command, m, loadAfter);
  process.stdout.write(`\n${markdown}\n`);
  if (o.write) {
    const key = [formatSize(o.size), o.matchRate, o.nearMissRate, o.seed, o.only.join('+'), o.workers.join('+'), o.cliArgs.join(' ')].join('|');
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
