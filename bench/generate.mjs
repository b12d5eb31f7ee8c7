#!/usr/bin/env node
// Deterministic, seeded generator of NDJSON ECS events for the lkm-scan benchmark.
//
// Every line is one of three kinds, drawn from the seeded PRNG:
//   - match:      fires exactly one alert of R1 (Creation of Kernel Module) or R2 (Enumeration of Kernel
//                 Modules via Proc), share --match-rate;
//   - near-miss:  shares the rules' fields and needles (/lib/modules, ko, /proc/modules, opened-file …) but
//                 fires no alert (wrong case, anchoring, excluded process, R2 term already seen …),
//                 share --near-miss-rate;
//   - background: ordinary Elastic Defend / auditd_manager traffic that can never match either rule.
// The alert counts are therefore known by construction and written to `<out>.expected.json`.
// The R2 new_terms count is additionally recomputed from the recorded (time, executable) pairs
// exactly as SPEC §D states it, and the two must agree (a self-check of the construction).
//
// Usage: node bench/generate.mjs [--size 1GB] [--match-rate 0.001] [--near-miss-rate 0.01]
//                                [--seed 1] [--out bench/data/events.ndjson]

import { createWriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bump when the output for a given seed changes, so cached datasets are regenerated. */
export const GENERATOR_VERSION = 1;

export const RULE_IDS = Object.freeze({
  R1: '947827c6-9ed6-4dec-903e-c856c86e72f3',
  R2: '80084fa9-8677-4453-8680-b891d3c0c778',
});

/** R2 history window (`history_window_start = now-5d`), SPEC §D. */
const R2_HISTORY_MS = 5 * 24 * 3600 * 1000;
/** One jump of the clock, half way through the file, so that R2 terms can come back after the window. */
const CLOCK_GAP_MS = 6 * 24 * 3600 * 1000;
/** A repeated R2 term is only drawn from executables seen at most this long ago (well inside the window). */
const R2_REPEAT_MAX_AGE_MS = 4 * 24 * 3600 * 1000;
const START_MS = Date.UTC(2024, 4, 1, 0, 0, 0);
const MIN_LINE_BYTES = 600;
const MAX_LINE_BYTES = 1500;

/**
 * @typedef {object} GenerateOptions
 * @property {number} size          target file size in bytes (the last line may overshoot it)
 * @property {number} [matchRate]   share of lines that fire an alert (default 0.001)
 * @property {number} [nearMissRate] share of lines that look like a match but fire none (default 0.01)
 * @property {number} [seed]        PRNG seed (default 1)
 * @property {string} out           output path; `<out>.expected.json` is written beside it
 * @property {(bytes: number) => void} [onProgress]
 */

/**
 * @typedef {object} Expected
 * @property {string} generator
 * @property {{size: number, matchRate: number, nearMissRate: number, seed: number}} params
 * @property {number} bytes
 * @property {number} lines
 * @property {Record<string, number>} alerts         alerts per rule_id the file must produce
 * @property {number} total_alerts
 * @property {Record<string, number>} query_matches  events matching each rule's query (R2: before new_terms)
 * @property {Record<string, number>} kinds          how many lines of each constructed kind
 */

// ---------------------------------------------------------------------------------------------------------
// PRNG and small helpers

/** mulberry32: a tiny 32-bit PRNG, good enough for test data and identical on every platform. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** @typedef {() => number} Rng */

/** @param {Rng} rng @param {number} n */
const int = (rng, n) => Math.floor(rng() * n);
/** @template T @param {Rng} rng @param {readonly T[]} xs @returns {T} */
const pick = (rng, xs) => xs[Math.floor(rng() * xs.length)];
/** @param {Rng} rng @param {number} n */
function hex(rng, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rng() * 16)];
  return s;
}
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** @param {Rng} rng @param {number} n */
function b64(rng, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += B64[Math.floor(rng() * 64)];
  return s;
}

/** Parse "1GB", "200MB", "512KiB", "1e6" into bytes (KB/MB/GB decimal, KiB/MiB/GiB binary). */
export function parseSize(text) {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([kmgt]?)(i?)b?\s*$/i.exec(String(text));
  if (!m) throw new Error(`cannot read size "${text}": write it like 200MB, 1GB or 512KiB`);
  const power = { '': 0, k: 1, m: 2, g: 3, t: 4 }[m[2].toLowerCase()] ?? 0;
  const base = m[3] ? 1024 : 1000;
  return Math.round(Number(m[1]) * base ** power);
}

/** Format a byte count the way parseSize reads it back (used in dataset file names). */
export function formatSize(bytes) {
  for (const [unit, n] of /** @type {const} */ ([['GB', 1e9], ['MB', 1e6], ['KB', 1e3]])) {
    if (bytes >= n && bytes % (n / 1000) === 0) return `${+(bytes / n).toFixed(3)}${unit}`;
  }
  return `${bytes}B`;
}

// ---------------------------------------------------------------------------------------------------------
// Raw JSON text for values written with escapes (`\/`, `\u006b`): the serializer copies it verbatim.

/** Set while the current document holds a RawJson; otherwise the native JSON.stringify is used. */
let rawInUse = false;

class RawJson {
  /** @param {string} text JSON text of a string, escapes included */
  constructor(text) {
    this.text = text;
  }
}

/** @param {unknown} v @returns {string} */
function serialize(v) {
  if (!rawInUse) return JSON.stringify(v);
  return serializeRaw(v);
}

/** @param {unknown} v @returns {string} */
function serializeRaw(v) {
  if (v instanceof RawJson) return v.text;
  if (v === null) return 'null';
  if (typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(serializeRaw).join(',')}]`;
  let s = '{';
  let first = true;
  for (const k of Object.keys(v)) {
    const x = /** @type {Record<string, unknown>} */ (v)[k];
    if (x === undefined) continue;
    s += `${first ? '' : ','}${JSON.stringify(k)}:${serializeRaw(x)}`;
    first = false;
  }
  return `${s}}`;
}

/**
 * Write a string with JSON escapes that decode to the same value.
 * mode "slash": every `/` as `\/`; mode "unicode": some ASCII characters as `\u00XX` (upper or lower hex),
 * all of them when `all` is set (e.g. `ko` → `\u006b\u006f`).
 * @param {Rng} rng @param {string} value @param {'slash'|'unicode'|'both'} mode @param {boolean} all
 */
function escaped(rng, value, mode, all) {
  const upper = rng() < 0.5;
  let out = '';
  let changed = false;
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if ((mode === 'unicode' || mode === 'both') && code < 0x7f && code > 0x20 && ch !== '"' && ch !== '\\' &&
        (all || rng() < 0.3)) {
      const h = code.toString(16).padStart(4, '0');
      out += `\\u${upper ? h.toUpperCase() : h}`;
      changed = true;
    } else if ((mode === 'slash' || mode === 'both') && ch === '/') {
      out += '\\/';
      changed = true;
    } else {
      out += JSON.stringify(ch).slice(1, -1);
    }
  }
  if (!changed && value.length > 0 && mode !== 'slash') return escaped(rng, value, mode, true);
  rawInUse = true;
  return new RawJson(`"${out}"`);
}

// ---------------------------------------------------------------------------------------------------------
// Document layout helpers (SPEC §C: dotted keys, mixed forms)

/** @typedef {Record<string, any>} Doc */

/** @param {Doc} doc @param {string} path */
function getPath(doc, path) {
  /** @type {any} */
  let o = doc;
  for (const seg of path.split('.')) {
    if (o === null || typeof o !== 'object' || Array.isArray(o) || o instanceof RawJson) return undefined;
    o = o[seg];
  }
  return o;
}

/** @param {Doc} doc @param {string} path @param {unknown} value */
function setPath(doc, path, value) {
  const segs = path.split('.');
  let o = doc;
  for (const seg of segs.slice(0, -1)) {
    if (o[seg] === undefined) o[seg] = {};
    o = o[seg];
  }
  o[segs[segs.length - 1]] = value;
}

/**
 * Move the nested value at `path` to a top-level dotted key (`{"process":{"name":x}}` →
 * `{"process.name":x}`), dropping parents left empty. Paths crossing an array or a leaf are left alone.
 * @param {Doc} doc @param {string} path
 */
function hoist(doc, path) {
  const segs = path.split('.');
  /** @type {Doc[]} */
  const parents = [];
  /** @type {any} */
  let o = doc;
  for (const seg of segs.slice(0, -1)) {
    if (o === null || typeof o !== 'object' || Array.isArray(o) || o instanceof RawJson) return;
    parents.push(o);
    o = o[seg];
  }
  const last = segs[segs.length - 1];
  if (o === null || typeof o !== 'object' || Array.isArray(o) || o instanceof RawJson || !(last in o)) return;
  const value = o[last];
  delete o[last];
  for (let i = segs.length - 2; i >= 0; i--) {
    const child = parents[i][segs[i]];
    if (child && typeof child === 'object' && Object.keys(child).length === 0) delete parents[i][segs[i]];
  }
  doc[path] = value;
}

/** Every leaf as a top-level dotted key (arrays stay values). @param {Doc} doc @returns {Doc} */
function flattenAll(doc) {
  /** @type {Doc} */
  const out = {};
  /** @param {any} o @param {string} prefix */
  const walk = (o, prefix) => {
    for (const k of Object.keys(o)) {
      const v = o[k];
      const key = prefix ? `${prefix}.${k}` : k;
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof RawJson)) walk(v, key);
      else out[key] = v;
    }
  };
  walk(doc, '');
  return out;
}

/**
 * Fields no rule reads, dropped in this order while a document is larger than its drawn line size
 * (real documents are 2–6 KB; the benchmark wants 600–1500 bytes with a spread).
 */
const OPTIONAL_PATHS = {
  endpoint: [
    'ecs', 'data_stream', 'message', 'event.created', 'process.args', 'host.os.version', 'agent', 'event.sequence',
    'process.parent', 'file.Ext', 'user', 'host.id', 'network', 'event.dataset', 'process.command_line',
    'process.entity_id', 'host.os.family', 'source', 'event.module', 'host.hostname', 'event.id',
  ],
  auditd: [
    'event.original', 'ecs', 'data_stream', 'service', 'agent', 'host.os.version', 'auditd.data', 'tags',
    'file.inode', 'file.mode', 'user', 'host.id', 'event.sequence', 'event.dataset', 'process.title',
    'process.parent', 'host.os.family', 'auditd.summary', 'file.owner', 'host.hostname', 'event.outcome',
  ],
};

/**
 * Drop optional fields until the serialized document fits `budget` bytes (estimated per removal).
 * @param {Doc} doc @param {string[]} paths @param {number} budget
 */
function trimTo(doc, paths, budget) {
  let len = Buffer.byteLength(serialize(doc));
  for (const path of paths) {
    if (len <= budget) return;
    const segs = path.split('.');
    const parent = segs.length === 1 ? doc : getPath(doc, segs.slice(0, -1).join('.'));
    const key = segs[segs.length - 1];
    if (parent && typeof parent === 'object' && !Array.isArray(parent) && parent[key] !== undefined) {
      len -= Buffer.byteLength(serialize(parent[key])) + key.length + 4;
      delete parent[key];
    }
    // The same field under dotted top-level keys (after layout()).
    for (const k of Object.keys(doc)) {
      if ((k === path || k.startsWith(`${path}.`)) && doc[k] !== undefined) {
        len -= Buffer.byteLength(serialize(doc[k])) + k.length + 4;
        delete doc[k];
      }
    }
  }
}

/** Fields the rules read: encoded with escapes and moved to dotted keys in some events. */
const NEEDLE_PATHS = [
  'event.category', 'event.type', 'event.action', 'host.os.type', 'file.path', 'file.extension',
  'process.name', 'process.executable',
];

/**
 * Rewrite some rule fields with JSON escapes. The decoded value is unchanged, so this never changes
 * whether the event matches.
 * @param {Rng} rng @param {Doc} doc @param {'slash'|'unicode'|'both'} mode
 */
function encodeNeedles(rng, doc, mode) {
  for (const path of NEEDLE_PATHS) {
    const v = getPath(doc, path);
    const all = path === 'file.extension';
    if (typeof v === 'string') {
      if (rng() < 0.6) setPath(doc, path, escaped(rng, v, mode, all));
    } else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) {
      if (rng() < 0.6) setPath(doc, path, v.map((x) => escaped(rng, x, mode, all)));
    }
  }
}

/**
 * Choose a key layout: mostly nested, some events with a few rule fields as dotted top-level keys
 * (mixed form), a few fully dotted.
 * @param {Rng} rng @param {Doc} doc @param {number} dottedShare
 * @returns {{doc: Doc, layout: string}}
 */
function layout(rng, doc, dottedShare) {
  const r = rng();
  if (r < dottedShare * 0.15) return { doc: flattenAll(doc), layout: 'flat' };
  if (r < dottedShare) {
    const n = 1 + int(rng, 3);
    for (let i = 0; i < n; i++) {
      hoist(doc, pick(rng, [...NEEDLE_PATHS, 'host.os', 'process.parent', 'event.ingested']));
    }
    return { doc, layout: 'mixed' };
  }
  return { doc, layout: 'nested' };
}

// ---------------------------------------------------------------------------------------------------------
// Vocabulary

const OS_VARIANTS = [
  { family: 'debian', name: 'Ubuntu', platform: 'ubuntu', version: '22.04.4 LTS (Jammy Jellyfish)', variant: 'Ubuntu', kernel: '5.15.0-105-generic' },
  { family: 'debian', name: 'Ubuntu', platform: 'ubuntu', version: '24.04 LTS (Noble Numbat)', variant: 'Ubuntu', kernel: '6.8.0-1008-aws' },
  { family: 'debian', name: 'Debian GNU/Linux', platform: 'debian', version: '12 (bookworm)', variant: 'Debian', kernel: '6.1.0-18-amd64' },
  { family: 'redhat', name: 'Red Hat Enterprise Linux', platform: 'rhel', version: '9.3 (Plow)', variant: 'RHEL', kernel: '5.14.0-362.24.1.el9_3.x86_64' },
  { family: 'redhat', name: 'Amazon Linux', platform: 'amzn', version: '2023', variant: 'Amazon Linux', kernel: '6.1.82-99.168.amzn2023.x86_64' },
  { family: 'redhat', name: 'Rocky Linux', platform: 'rocky', version: '8.9 (Green Obsidian)', variant: 'Rocky', kernel: '4.18.0-513.18.1.el8_9.x86_64' },
];
const HOST_PREFIXES = ['web', 'db', 'k8s-node', 'build', 'bastion', 'cache', 'ci-runner', 'api', 'etl', 'vpn'];
const USERS = [
  { id: '0', name: 'root' }, { id: '1000', name: 'ubuntu' }, { id: '1001', name: 'deploy' },
  { id: '110', name: 'postgres' }, { id: '33', name: 'www-data' }, { id: '1002', name: 'jenkins' },
  { id: '1003', name: 'josé' }, { id: '1004', name: 'søren' }, { id: '998', name: 'elastic-agent' },
];
/** [name, executable, args] of ordinary Linux activity. */
const PROCS = [
  ['bash', '/usr/bin/bash', ['bash', '-c', 'uptime']], ['sshd', '/usr/sbin/sshd', ['sshd', '-D', '-R']],
  ['cron', '/usr/sbin/cron', ['/usr/sbin/cron', '-f']], ['curl', '/usr/bin/curl', ['curl', '-fsS', 'https://api.example.com/health']],
  ['nginx', '/usr/sbin/nginx', ['nginx', '-g', 'daemon off;']], ['java', '/usr/lib/jvm/java-17-openjdk-amd64/bin/java', ['java', '-Xmx2g', '-jar', '/opt/app/app.jar']],
  ['node', '/usr/bin/node', ['node', '/srv/api/server.js']], ['containerd', '/usr/bin/containerd', ['containerd']],
  ['kubelet', '/usr/bin/kubelet', ['kubelet', '--config=/var/lib/kubelet/config.yaml']], ['sudo', '/usr/bin/sudo', ['sudo', '-n', 'true']],
  ['ls', '/usr/bin/ls', ['ls', '-la', '/var/log']], ['cat', '/usr/bin/cat', ['cat', '/etc/os-release']],
  ['grep', '/usr/bin/grep', ['grep', '-r', 'ERROR', '/var/log/app']], ['tar', '/usr/bin/tar', ['tar', '-czf', '/backup/etc.tgz', '/etc']],
  ['python3', '/usr/bin/python3.11', ['python3', '/opt/monitor/check.py']], ['apt-get', '/usr/bin/apt-get', ['apt-get', 'update']],
  ['systemctl', '/usr/bin/systemctl', ['systemctl', 'status', 'nginx']], ['ps', '/usr/bin/ps', ['ps', 'aux']],
  ['postgres', '/usr/lib/postgresql/15/bin/postgres', ['postgres', '-D', '/var/lib/postgresql/15/main']],
  ['dockerd', '/usr/bin/dockerd', ['dockerd', '-H', 'fd://']], ['lsmod', '/usr/bin/kmod', ['lsmod']],
  ['cat', '/usr/bin/cat', ['cat', '/proc/modules']], ['modprobe', '/usr/sbin/modprobe', ['modprobe', '-r', 'nvidia']], ['journalctl', '/usr/bin/journalctl', ['journalctl', '-u', 'ssh', '--since', 'today']],
];
const BENIGN_FILE_PATHS = [
  ['/var/log/nginx/access.log', 'log'], ['/var/log/syslog', ''], ['/etc/nginx/conf.d/default.conf', 'conf'],
  ['/tmp/tmp.Xk2lq9/output.json', 'json'], ['/home/ubuntu/.bash_history', ''], ['/var/lib/dpkg/status', ''],
  ['/opt/app/releases/2024-05-01/app.jar', 'jar'], ['/var/cache/apt/pkgcache.bin', 'bin'],
  ['/etc/ssh/sshd_config', ''], ['/usr/share/doc/curl/changelog.gz', 'gz'], ['/var/lib/docker/overlay2/l/ABCD/diff/etc/hosts', ''],
  ['/home/josé/Documents/résumé.pdf', 'pdf'], ['/srv/api/node_modules/.package-lock.json', 'json'],
];
const BENIGN_AUDIT_PATHS = [
  '/etc/ld.so.cache', '/proc/meminfo', '/proc/cpuinfo', '/proc/self/status', '/etc/passwd', '/proc/sys/kernel/osrelease',
  '/usr/lib/x86_64-linux-gnu/libc.so.6', '/proc/stat', '/etc/nsswitch.conf', '/proc/loadavg', '/sys/fs/cgroup/cpu.max',
];
const MODULES = ['nvidia', 'vboxdrv', 'zfs', 'wireguard', 'v4l2loopback', 'rootkit_x', 'diamorphine', 'falcon_lsm_serviceable', 'kvm_intel', 'e1000e'];
const MODULE_DIRS = ['kernel/drivers/net', 'updates/dkms', 'extra', 'kernel/fs', 'misc', 'kernel/drivers/video'];
/** process.name values that R1's `not process.name : (...)` does not exclude. */
const R1_ALLOWED_PROCS = [
  ['insmod', '/usr/sbin/insmod'], ['modprobe', '/usr/sbin/modprobe'], ['kmod', '/usr/bin/kmod'], ['make', '/usr/bin/make'],
  ['dkms', '/usr/sbin/dkms'], ['install', '/usr/bin/install'], ['bash', '/usr/bin/bash'], ['cpio', '/usr/bin/cpio'],
  ['dpkg-deb', '/usr/bin/dpkg-deb'], ['rpmbuild', '/usr/bin/rpmbuild'], ['systemd-udevd', '/usr/lib/systemd/systemd-udevd'],
  ['falcon', '/opt/falcon/falcon'], ['python3', '/usr/bin/python3'], ['mv', '/usr/bin/mv'], ['.x', '/dev/shm/.x'],
];
/** process.name values R1 excludes (matched case-insensitively, `falcon-sensor*` as a prefix). */
const R1_EXCLUDED_PROCS = [
  ['dpkg', '/usr/bin/dpkg'], ['systemd', '/usr/lib/systemd/systemd'], ['falcon-sensor', '/opt/CrowdStrike/falcon-sensor'],
  ['falcon-sensor-bpf', '/opt/CrowdStrike/falcon-sensor-bpf'], ['dnf', '/usr/bin/dnf'], ['yum', '/usr/bin/yum'],
  ['rpm', '/usr/bin/rpm'], ['cp', '/usr/bin/cp'], ['DPKG', '/usr/bin/DPKG'], ['Cp', '/usr/bin/cp'],
  ['Falcon-Sensor-BPF', '/opt/CrowdStrike/falcon-sensor-bpf'],
];
const R2_EXE_DIRS = ['/usr/local/bin', '/tmp/.cache', '/dev/shm', '/home/ubuntu/.local/bin', '/var/tmp', '/opt/tools', '/usr/libexec'];
const R2_EXE_NAMES = ['lsmod', 'kmod', 'modinfo', 'cat', 'busybox', 'agent', 'collector', 'inventory', 'sh'];

// ---------------------------------------------------------------------------------------------------------
// The generator

/**
 * @typedef {object} Host
 * @property {string} name @property {string} id @property {string} agentId @property {string} ip
 * @property {string} mac @property {(typeof OS_VARIANTS)[number]} os
 */

export class EcsEventGenerator {
  /** @param {{matchRate?: number, nearMissRate?: number, seed?: number}} opts */
  constructor({ matchRate = 0.001, nearMissRate = 0.01, seed = 1 } = {}) {
    if (!(matchRate >= 0 && nearMissRate >= 0 && matchRate + nearMissRate <= 1)) {
      throw new Error('--match-rate and --near-miss-rate must be ≥ 0 and add up to at most 1');
    }
    this.matchRate = matchRate;
    this.nearMissRate = nearMissRate;
    this.rng = mulberry32(seed);
    this.clock = START_MS;
    this.gapDone = false;
    this.seq = 0;
    this.exeCounter = 0;
    /** @type {Map<string, number>} R2 executable → rule time it was last seen at (query-matching events) */
    this.r2LastSeen = new Map();
    /** @type {Array<[number, string]>} rule time and executable of every R2 query-matching event with a term */
    this.r2Events = [];
    this.r2NoTermEvents = 0;
    /** @type {Record<string, number>} */
    this.kinds = {};
    this.alerts = { [RULE_IDS.R1]: 0, [RULE_IDS.R2]: 0 };
    this.lines = 0;
    const rng = mulberry32(seed ^ 0x5bd1e995);
    /** @type {Host[]} */
    this.hosts = Array.from({ length: 40 }, (_, i) => ({
      name: `${pick(rng, HOST_PREFIXES)}-${String(i + 1).padStart(2, '0')}.prod.example.internal`,
      id: hex(rng, 32),
      agentId: `${hex(rng, 8)}-${hex(rng, 4)}-4${hex(rng, 3)}-a${hex(rng, 3)}-${hex(rng, 12)}`,
      ip: `10.${int(rng, 256)}.${int(rng, 256)}.${1 + int(rng, 254)}`,
      mac: Array.from({ length: 6 }, () => hex(rng, 2)).join('-').toUpperCase(),
      os: pick(rng, OS_VARIANTS),
    }));
  }

  /** Advance the clock; `half` is true once half of the target size has been written. @param {boolean} half */
  tick(half) {
    this.clock += 1 + int(this.rng, 40);
    if (half && !this.gapDone) {
      this.clock += CLOCK_GAP_MS;
      this.gapDone = true;
    }
  }

  /** ISO time with `digits` fractional digits (extra digits below the millisecond are noise). @param {number} ms @param {number} digits */
  iso(ms, digits) {
    const base = new Date(ms).toISOString(); // 2024-05-01T00:00:00.123Z
    if (digits === 3) return base;
    return `${base.slice(0, 23)}${String(int(this.rng, 10 ** (digits - 3))).padStart(digits - 3, '0')}Z`;
  }

  /** @param {string} kind */
  count(kind) {
    this.kinds[kind] = (this.kinds[kind] ?? 0) + 1;
  }

  /**
   * Produce the next line (no trailing newline).
   * @param {boolean} half whether half of the target size has been written (time of the clock gap)
   */
  nextLine(half) {
    const rng = this.rng;
    this.tick(half);
    this.seq++;
    this.lines++;
    rawInUse = false;
    const r = rng();
    /** @type {{doc: Doc, family: 'endpoint'|'auditd', encode: boolean}} */
    let built;
    if (r < this.matchRate) built = rng() < 0.5 ? this.r1Match() : this.r2Match();
    else if (r < this.matchRate + this.nearMissRate) built = rng() < 0.5 ? this.r1NearMiss() : this.r2NearMiss();
    else built = this.background();

    const target = MIN_LINE_BYTES + 50 + int(rng, MAX_LINE_BYTES - MIN_LINE_BYTES - 100);
    let { doc } = built;
    trimTo(doc, OPTIONAL_PATHS[built.family], target - (built.encode ? 450 : 80));
    if (built.encode || rng() < 0.03) encodeNeedles(rng, doc, built.encode ? pick(rng, ['slash', 'unicode', 'both']) : 'slash');
    doc = layout(rng, doc, built.encode ? 0.3 : 0.08).doc;
    const line = this.pad(doc, built.family, target);
    if (Buffer.byteLength(line) <= MAX_LINE_BYTES) return line;
    // Rare: escapes and dotted keys grew the document past the maximum; drop more optional fields.
    trimTo(doc, OPTIONAL_PATHS[built.family], MAX_LINE_BYTES - 150);
    return this.pad(doc, built.family, target);
  }

  /**
   * Grow the line to a random target in [MIN_LINE_BYTES, MAX_LINE_BYTES] with realistic filler
   * (endpoint: process.Ext.ancestry entity ids; auditd: a longer PROCTITLE record in event.original).
   * @param {Doc} doc @param {'endpoint'|'auditd'} family @param {number} target
   */
  pad(doc, family, target) {
    const rng = this.rng;
    let line = serialize(doc);
    let len = Buffer.byteLength(line);
    if (len >= target) return line;
    if (family === 'endpoint') {
      /** @type {string[]} */
      const ancestry = [];
      const path = 'process.Ext.ancestry';
      const proc = doc.process;
      const nested = proc && typeof proc === 'object' && !Array.isArray(proc);
      if (nested) {
        proc.Ext = proc.Ext ?? {};
        proc.Ext.ancestry = ancestry;
      } else doc[path] = ancestry;
      line = serialize(doc);
      len = Buffer.byteLength(line);
      // Each entry costs its length + 2 quotes (+ 1 comma after the first); the last one is cut to fit.
      while (target - len >= 14) {
        const cost = ancestry.length === 0 ? 2 : 3;
        const n = Math.min(88, target - len - cost);
        ancestry.push(b64(rng, target - len - cost - n < 12 ? target - len - cost : n));
        len += cost + ancestry[ancestry.length - 1].length;
      }
    } else {
      const ev = doc.event && typeof doc.event === 'object' && !Array.isArray(doc.event) ? doc.event : null;
      const key = ev ? 'original' : 'event.original';
      const holder = ev ?? doc;
      const base = typeof holder[key] === 'string' ? `${holder[key]}\n` : '';
      const prefix = `${base}type=PROCTITLE msg=audit(${(this.clock / 1000).toFixed(3)}:${this.seq}): proctitle=`;
      holder[key] = prefix;
      const fixed = Buffer.byteLength(serialize(doc));
      holder[key] = prefix + hex(rng, Math.max(8, target - fixed));
    }
    return serialize(doc);
  }

  // ------------------------------------------------------------------ shared document parts

  /** @param {Host} host */
  hostDoc(host, osType = 'linux') {
    return {
      hostname: host.name.split('.')[0],
      id: host.id,
      name: host.name.split('.')[0],
      os: {
        family: host.os.family,
        kernel: host.os.kernel,
        name: host.os.name,
        type: osType,
        version: host.os.version,
      },
    };
  }

  entityId() {
    return b64(this.rng, 44);
  }

  /**
   * Common Elastic Defend envelope.
   * @param {Host} host @param {string} dataset @param {Doc} event @param {string} message
   * @returns {{doc: Doc, timeMs: number}} timeMs: the rule time (event.ingested)
   */
  endpointEnvelope(host, dataset, event, message) {
    const rng = this.rng;
    const ingestedMs = this.clock + 800 + int(rng, 3000);
    return {
      timeMs: ingestedMs,
      doc: {
        '@timestamp': this.iso(this.clock, 7),
        agent: { id: host.agentId, type: 'endpoint', version: '8.13.2' },
        data_stream: { dataset, namespace: 'default', type: 'logs' },
        ecs: { version: '8.10.0' },
        event: {
          ...event,
          created: rng() < 0.3 ? this.iso(this.clock, 7) : undefined,
          dataset,
          id: `N${b64(rng, 11)}+++++${b64(rng, 3)}`,
          ingested: this.iso(ingestedMs, 9),
          kind: 'event',
          module: 'endpoint',
          sequence: 100000 + this.seq,
        },
        host: this.hostDoc(host),
        message,
      },
    };
  }

  /** @param {string} name @param {string} executable */
  shortProcess(name, executable) {
    const rng = this.rng;
    return {
      entity_id: this.entityId(),
      executable,
      name,
      pid: 300 + int(rng, 60000),
      parent: { pid: 1 + int(rng, 5000) },
    };
  }

  // ------------------------------------------------------------------ background (never matches)

  /** @returns {{doc: Doc, family: 'endpoint'|'auditd', encode: boolean}} */
  background() {
    const rng = this.rng;
    const r = rng();
    const host = pick(rng, this.hosts);
    const user = pick(rng, USERS);
    if (r < 0.35) {
      const [name, executable, args] = pick(rng, PROCS);
      const [pname, pexe] = pick(rng, PROCS);
      const action = pick(rng, ['exec', 'exec', 'fork', 'end']);
      const { doc } = this.endpointEnvelope(host, 'endpoint.events.process',
        { action, category: ['process'], type: [action === 'end' ? 'end' : 'start'] }, 'Endpoint process event');
      doc.process = {
        args, args_count: args.length, command_line: args.join(' '), entity_id: this.entityId(), executable, name,
        pid: 300 + int(rng, 60000),
        parent: { entity_id: this.entityId(), executable: pexe, name: pname, pid: 1 + int(rng, 5000) },
      };
      doc.user = user;
      this.count('background.endpoint.process');
      return { doc, family: 'endpoint', encode: false };
    }
    if (r < 0.6) {
      const [path, extension] = pick(rng, BENIGN_FILE_PATHS);
      const [name, executable] = pick(rng, PROCS);
      const action = pick(rng, ['creation', 'modification', 'deletion', 'rename', 'overwrite']);
      const type = action === 'creation' ? 'creation' : action === 'deletion' ? 'deletion' : 'change';
      const { doc } = this.endpointEnvelope(host, 'endpoint.events.file',
        { action, category: ['file'], type: [type] }, 'Endpoint file event');
      doc.file = { Ext: { original: { path } }, extension: extension || undefined, name: path.split('/').pop(), path, size: int(rng, 1e6) };
      doc.process = this.shortProcess(name, executable);
      doc.user = user;
      this.count('background.endpoint.file');
      return { doc, family: 'endpoint', encode: false };
    }
    if (r < 0.75) {
      const [name, executable] = pick(rng, PROCS);
      const start = rng() < 0.5;
      const { doc } = this.endpointEnvelope(host, 'endpoint.events.network',
        { action: start ? 'connection_attempted' : 'disconnect_received', category: ['network'], type: [start ? 'start' : 'end'] },
        'Endpoint network event');
      doc.destination = { address: `52.${int(rng, 256)}.${int(rng, 256)}.${int(rng, 256)}`, ip: '', port: pick(rng, [443, 80, 5432, 9200, 53]) };
      doc.destination.ip = doc.destination.address;
      doc.source = { address: host.ip, ip: host.ip, port: 32768 + int(rng, 28000) };
      doc.network = { direction: 'egress', transport: 'tcp', type: 'ipv4' };
      doc.process = this.shortProcess(name, executable);
      doc.user = user;
      this.count('background.endpoint.network');
      return { doc, family: 'endpoint', encode: false };
    }
    // auditd_manager: opened-file on other paths, executed, connected-to.
    const kind = pick(rng, ['opened-file', 'opened-file', 'executed', 'connected-to']);
    const [name, executable, args] = pick(rng, PROCS);
    const path = kind === 'opened-file' ? pick(rng, BENIGN_AUDIT_PATHS) : executable;
    const { doc } = this.auditdDoc(host, {
      action: kind,
      category: kind === 'executed' ? ['process'] : kind === 'connected-to' ? ['network'] : ['file'],
      type: kind === 'executed' ? ['start'] : kind === 'connected-to' ? ['connection', 'start'] : ['access'],
      path, name, executable, args,
    });
    this.count(`background.auditd.${kind}`);
    return { doc, family: 'auditd', encode: false };
  }

  /**
   * An auditd_manager document (Elastic Agent shape with event.ingested, or an older auditbeat shape
   * without it).
   * @param {Host} host
   * @param {{action: string, category: string[]|string, type: string[], path: string, name: string|null,
   *          executable: string|null, args: string[], osType?: string|null}} p
   * @returns {{doc: Doc, timeMs: number}} timeMs: the rule time (event.ingested, else @timestamp)
   */
  auditdDoc(host, p) {
    const rng = this.rng;
    const agentShape = rng() < 0.7;
    const ingestedMs = this.clock + 500 + int(rng, 2500);
    const sec = (this.clock / 1000).toFixed(3);
    const syscall = p.action === 'executed' ? 'execve' : p.action === 'connected-to' ? 'connect' : 'openat';
    const pid = 300 + int(rng, 60000);
    const exe = p.executable ?? '/usr/bin/unknown';
    const comm = p.name ?? 'unknown';
    const original = `type=SYSCALL msg=audit(${sec}:${this.seq}): arch=c000003e syscall=${syscall === 'openat' ? 257 : syscall === 'execve' ? 59 : 42} ` +
      `success=yes exit=3 a0=ffffff9c a1=7ffd${hex(rng, 8)} a2=80000 a3=0 items=1 ppid=${1 + int(rng, 5000)} pid=${pid} ` +
      `auid=4294967295 uid=0 gid=0 euid=0 tty=(none) ses=4294967295 comm="${comm}" exe="${exe}" key="audit_proc"\n` +
      `type=PATH msg=audit(${sec}:${this.seq}): item=0 name="${p.path}" inode=${int(rng, 1e7)} dev=00:16 mode=0100444 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL`;
    /** @type {Doc} */
    const doc = {
      '@timestamp': this.iso(this.clock, 3),
      agent: agentShape
        ? { id: host.agentId, type: 'auditbeat', version: '8.13.2' }
        : { hostname: host.name, type: 'auditbeat', version: '7.17.18' },
      auditd: {
        data: { arch: 'x86_64', exit: '3', syscall },
        message_type: 'syscall',
        result: 'success',
        sequence: this.seq,
        summary: { actor: { primary: 'unset', secondary: 'root' }, how: exe, object: { primary: p.path, type: 'file' } },
      },
      ecs: { version: agentShape ? '8.11.0' : '1.12.0' },
      event: {
        action: p.action,
        category: p.category,
        kind: 'event',
        module: 'auditd',
        original: rng() < 0.25 ? original : undefined,
        outcome: 'success',
        sequence: this.seq,
        type: p.type,
      },
      file: { inode: String(int(rng, 1e7)), mode: '0444', owner: 'root', path: p.path },
      host: this.hostDoc(host, p.osType ?? 'linux'),
      process: { executable: p.executable ?? undefined, name: p.name ?? undefined, pid, parent: { pid: 1 + int(rng, 5000) }, title: p.args.join(' ') },
      service: { type: 'auditd' },
      tags: ['audit_proc'],
      user: { id: '0', name: 'root' },
    };
    if (p.osType === null) delete doc.host.os.type;
    if (agentShape) {
      doc.data_stream = { dataset: 'auditd_manager.auditd', namespace: 'default', type: 'logs' };
      doc.event.dataset = 'auditd_manager.auditd';
      doc.event.ingested = this.iso(ingestedMs, 9);
    }
    return { doc, timeMs: agentShape ? ingestedMs : this.clock };
  }

  // ------------------------------------------------------------------ R1: Creation of Kernel Module

  /**
   * An endpoint file event creating a .ko under /lib/modules, written by an allowed process.
   * @returns {{doc: Doc, host: Host}}
   */
  r1Base() {
    const rng = this.rng;
    const host = pick(rng, this.hosts);
    const mod = pick(rng, MODULES);
    const path = `/lib/modules/${host.os.kernel}/${pick(rng, MODULE_DIRS)}/${mod}.ko`;
    const change = rng() < 0.3;
    const { doc } = this.endpointEnvelope(host, 'endpoint.events.file',
      { action: change ? 'modification' : 'creation', category: ['file'], type: [change ? 'change' : 'creation'] },
      'Endpoint file event');
    doc.file = {
      Ext: { header_bytes: `7f454c46020101000000${hex(rng, 12)}`, entropy: +(4 + rng() * 3).toFixed(6) },
      extension: 'ko', name: `${mod}.ko`, path, size: 20000 + int(rng, 4e6),
    };
    const [name, executable] = pick(rng, R1_ALLOWED_PROCS);
    doc.process = this.shortProcess(name, executable);
    doc.user = { id: '0', name: 'root' };
    return { doc, host };
  }

  r1Match() {
    const rng = this.rng;
    const { doc } = this.r1Base();
    const variant = pick(rng, ['plain', 'plain', 'plain', 'type-array', 'type-scalar', 'path-case', 'no-process', 'name-null', 'encoded', 'encoded']);
    switch (variant) {
      case 'type-array': doc.event.type = ['info', 'creation']; break;
      case 'type-scalar': doc.event.type = 'change'; break;
      case 'path-case': doc.file.path = doc.file.path.replace('/lib/modules/', pick(rng, ['/LIB/MODULES/', '/Lib/Modules/', '/lib/MODULES/'])); break;
      case 'no-process': delete doc.process; break;
      case 'name-null': doc.process.name = null; break;
      default: break;
    }
    this.count(`r1.match.${variant}`);
    this.alerts[RULE_IDS.R1]++;
    return { doc, family: /** @type {const} */ ('endpoint'), encode: variant === 'encoded' };
  }

  r1NearMiss() {
    const rng = this.rng;
    const { doc } = this.r1Base();
    const spoiler = pick(rng, [
      'usr-lib-modules', 'no-slash', 'ext-upper', 'ext-missing', 'ext-other', 'excluded-proc', 'excluded-proc',
      'proc-array', 'proc-objects', 'type-case', 'type-other', 'category-case', 'os-case', 'windows',
    ]);
    switch (spoiler) {
      case 'usr-lib-modules': doc.file.path = `/usr${doc.file.path}`; break;
      case 'no-slash': doc.file.path = doc.file.path.replace('/lib/modules/', '/lib/modules-'); break;
      case 'ext-upper': doc.file.extension = 'KO'; doc.file.path = doc.file.path.replace(/ko$/, 'KO'); break;
      case 'ext-missing': delete doc.file.extension; break;
      case 'ext-other': {
        const ext = pick(rng, ['ko.xz', 'ko.zst', 'kos', 'o']);
        doc.file.extension = ext;
        doc.file.path = doc.file.path.replace(/ko$/, ext);
        break;
      }
      case 'excluded-proc': {
        const [name, executable] = pick(rng, R1_EXCLUDED_PROCS);
        doc.process.name = name;
        doc.process.executable = executable;
        break;
      }
      case 'proc-array': doc.process.name = [pick(rng, ['insmod', 'bash']), pick(rng, ['dpkg', 'rpm', 'cp'])]; break;
      case 'proc-objects': doc.process = [{ name: 'insmod', pid: 4242 }, { name: pick(rng, ['rpm', 'yum', 'dnf']), pid: 4243 }]; break;
      case 'type-case': doc.event.type = ['Creation']; break;
      case 'type-other': doc.event.type = [pick(rng, ['deletion', 'access', 'info'])]; doc.event.action = 'deletion'; break;
      case 'category-case': doc.event.category = ['File']; break;
      case 'os-case': doc.host.os.type = 'Linux'; break;
      case 'windows': doc.host.os.type = 'windows'; break;
      default: throw new Error(spoiler);
    }
    this.count(`r1.near.${spoiler}`);
    return { doc, family: /** @type {const} */ ('endpoint'), encode: rng() < 0.25 };
  }

  // ------------------------------------------------------------------ R2: Enumeration of Kernel Modules via Proc

  /** A fresh process.executable never used before (a new term). */
  freshExecutable() {
    const rng = this.rng;
    const n = (this.exeCounter++).toString(36);
    const style = int(rng, 10);
    if (style === 0) return { name: 'Python3', executable: `/home/ubuntu/venv-${n}/bin/Python3` };
    if (style === 1) return { name: 'elastic-agent', executable: `/opt/elastic/agent/${n}/elastic-agent` };
    if (style === 2) return { name: 'jf-metadata-x', executable: `/opt/jfrog/artifactory/app/metadata/bin/jf-metadata-${n}` };
    if (style === 3) return { name: 'esets_eia', executable: `/opt/Eset/${n}/esets_eia` };
    const name = pick(rng, R2_EXE_NAMES);
    return { name, executable: `${pick(rng, R2_EXE_DIRS)}/${hex(rng, 4)}${n}/${name}` };
  }

  /**
   * An auditd opened-file event on /proc/modules.
   * @param {{name: string|null, executable: string|null}} proc
   * @param {Partial<{path: string, action: string, category: string[]|string, osType: string|null}>} [over]
   */
  r2Doc(proc, over = {}) {
    const rng = this.rng;
    const host = pick(rng, this.hosts);
    return this.auditdDoc(host, {
      action: over.action ?? 'opened-file',
      category: over.category ?? (rng() < 0.85 ? ['file'] : 'file'),
      type: ['access'],
      path: over.path ?? '/proc/modules',
      name: proc.name,
      executable: proc.executable,
      args: [proc.name ?? 'lsmod'],
      osType: over.osType === undefined ? 'linux' : over.osType,
    });
  }

  /** Record a query-matching R2 event for the new_terms bookkeeping. @param {number} timeMs @param {string|null} exe */
  r2Seen(timeMs, exe) {
    if (exe === null) {
      this.r2NoTermEvents++;
      return;
    }
    this.r2Events.push([timeMs, exe]);
    this.r2LastSeen.set(exe, timeMs);
  }

  r2Match() {
    const rng = this.rng;
    // After the clock gap, bring back an executable last seen before it: older than the 5-day window.
    const returning = this.gapDone && rng() < 0.3 ? this.staleExecutable() : null;
    const proc = returning ?? this.freshExecutable();
    const variant = returning ? 'returning-term' : pick(rng, ['plain', 'plain', 'plain', 'encoded', 'encoded']);
    const { doc, timeMs } = this.r2Doc(proc);
    this.r2Seen(timeMs, proc.executable);
    this.count(`r2.match.${variant}`);
    this.alerts[RULE_IDS.R2]++;
    return { doc, family: /** @type {const} */ ('auditd'), encode: variant === 'encoded' };
  }

  /** An executable whose last sighting is older than the history window, or null. */
  staleExecutable() {
    for (const [exe, t] of this.r2LastSeen) {
      if (this.clock - t > R2_HISTORY_MS + 24 * 3600 * 1000) {
        return { name: exe.slice(exe.lastIndexOf('/') + 1), executable: exe };
      }
    }
    return null;
  }

  /** An executable seen recently (inside the window), or null. */
  recentExecutable() {
    /** @type {string[]} */
    const recent = [];
    for (const [exe, t] of this.r2LastSeen) if (this.clock - t < R2_REPEAT_MAX_AGE_MS) recent.push(exe);
    if (recent.length === 0) return null;
    const exe = pick(this.rng, recent);
    return { name: exe.slice(exe.lastIndexOf('/') + 1), executable: exe };
  }

  r2NearMiss() {
    const rng = this.rng;
    const spoilers = [
      'python', 'python', 'chef-client', 'eset', 'elastic-agent', 'jfrog-exact', 'path-case', 'path-trailing-slash',
      'path-other', 'action-case', 'action-other', 'category-case', 'os-case', 'os-missing', 'repeat-term', 'repeat-term', 'no-term',
    ];
    let spoiler = pick(rng, spoilers);
    /** @type {{name: string|null, executable: string|null}} */
    let proc = this.freshExecutable();
    if (spoiler === 'repeat-term') {
      const recent = this.recentExecutable();
      if (recent) proc = recent;
      else spoiler = 'python';
    }
    /** @type {Parameters<EcsEventGenerator['r2Doc']>[1]} */
    const over = {};
    switch (spoiler) {
      case 'python': proc = pick(rng, [{ name: 'python3', executable: '/usr/bin/python3.11' }, { name: 'python', executable: '/usr/bin/python' }, { name: 'python3.12', executable: '/usr/local/bin/python3.12' }]); break;
      case 'chef-client': proc = { name: 'chef-client', executable: '/opt/chef/embedded/bin/ruby' }; break;
      case 'eset': proc = { name: 'esets_eia', executable: `/opt/eset/${pick(rng, ['efs', 'efs/lib', 'eea/lib'])}/esets_eia` }; break;
      case 'elastic-agent': proc = { name: 'elastic-agent', executable: `/opt/Elastic/Agent/data/elastic-agent-${hex(rng, 6)}/elastic-agent` }; break;
      case 'jfrog-exact': proc = { name: 'jf-metadata', executable: '/opt/jfrog/artifactory/app/metadata/bin/jf-metadata' }; break;
      case 'path-case': over.path = '/proc/Modules'; break;
      case 'path-trailing-slash': over.path = '/proc/modules/'; break;
      case 'path-other': over.path = pick(rng, ['/proc/self/modules', '/sys/module/nvidia/initstate', '/proc/modules.bak']); break;
      case 'action-case': over.action = 'Opened-file'; break;
      case 'action-other': over.action = pick(rng, ['opened-file-for-write', 'read-file', 'attribute-changed']); break;
      case 'category-case': over.category = ['File']; break;
      case 'os-case': over.osType = 'Linux'; break;
      case 'os-missing': over.osType = null; break;
      case 'no-term': proc = { name: 'lsmod', executable: null }; break;
      case 'repeat-term': break;
      default: throw new Error(spoiler);
    }
    const { doc, timeMs } = this.r2Doc(proc, over);
    // These two match the query and feed the new_terms state, but fire no alert.
    if (spoiler === 'repeat-term' || spoiler === 'no-term') this.r2Seen(timeMs, proc.executable);
    this.count(`r2.near.${spoiler}`);
    return { doc, family: /** @type {const} */ ('auditd'), encode: rng() < 0.25 };
  }

  /**
   * R2 alerts recomputed from the recorded events exactly as SPEC §D replays new_terms:
   * time order (ties in input order), alert when the term was never seen or last seen more than
   * the history window before.
   */
  replayNewTerms() {
    const events = this.r2Events.map((e, i) => /** @type {[number, string, number]} */ ([e[0], e[1], i]));
    events.sort((a, b) => a[0] - b[0] || a[2] - b[2]);
    /** @type {Map<string, number>} */
    const last = new Map();
    let alerts = 0;
    for (const [t, exe] of events) {
      const prev = last.get(exe);
      if (prev === undefined || t - prev > R2_HISTORY_MS) alerts++;
      last.set(exe, t);
    }
    return alerts;
  }

  /** @param {Expected['params']} params @param {number} bytes @returns {Expected} */
  expected(params, bytes) {
    const replayed = this.replayNewTerms();
    if (replayed !== this.alerts[RULE_IDS.R2]) {
      throw new Error(`generator self-check failed: constructed ${this.alerts[RULE_IDS.R2]} R2 alerts, replay gives ${replayed}`);
    }
    const kinds = Object.fromEntries(Object.entries(this.kinds).sort(([a], [b]) => a.localeCompare(b)));
    return {
      generator: `lkm-scan bench/generate.mjs v${GENERATOR_VERSION}`,
      params,
      bytes,
      lines: this.lines,
      alerts: { ...this.alerts },
      total_alerts: this.alerts[RULE_IDS.R1] + this.alerts[RULE_IDS.R2],
      query_matches: {
        [RULE_IDS.R1]: this.alerts[RULE_IDS.R1],
        [RULE_IDS.R2]: this.r2Events.length + this.r2NoTermEvents,
      },
      kinds,
    };
  }
}

/**
 * Generate a dataset to `opts.out` (streamed, flat memory) and `<out>.expected.json`.
 * Both are written under temporary names and renamed at the end, so an existing pair is complete.
 * @param {GenerateOptions} opts
 * @returns {Promise<Expected>}
 */
export async function generate(opts) {
  const { size, matchRate = 0.001, nearMissRate = 0.01, seed = 1, out } = opts;
  if (!(size > 0)) throw new Error('size must be a positive number of bytes');
  const gen = new EcsEventGenerator({ matchRate, nearMissRate, seed });
  await mkdir(dirname(resolve(out)), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  const stream = createWriteStream(tmp);
  /** @type {Promise<void>} */
  const closed = new Promise((res, rej) => {
    stream.on('error', rej);
    stream.on('close', () => res());
  });
  let bytes = 0;
  let chunk = '';
  let nextProgress = 64 * 1024 * 1024;
  while (bytes < size) {
    const line = `${gen.nextLine(bytes >= size / 2)}\n`;
    bytes += Buffer.byteLength(line);
    chunk += line;
    if (chunk.length >= 1 << 20) {
      if (!stream.write(chunk)) await new Promise((res) => stream.once('drain', res));
      chunk = '';
      if (opts.onProgress && bytes >= nextProgress) {
        opts.onProgress(bytes);
        nextProgress += 64 * 1024 * 1024;
      }
    }
  }
  stream.end(chunk);
  await closed;
  const expected = gen.expected({ size, matchRate, nearMissRate, seed }, bytes);
  await rename(tmp, out);
  await writeFile(`${out}.expected.json`, `${JSON.stringify(expected, null, 2)}\n`);
  return expected;
}

// ---------------------------------------------------------------------------------------------------------
// CLI

/**
 * `--name value`, `--name=value`, or a bare `--flag` ("true"). Names in `alwaysValue` take the next
 * argument even when it starts with `--` (e.g. `--cli-args --no-prefilter`).
 * @param {string[]} argv @param {string[]} [alwaysValue] @returns {Record<string, string>}
 */
export function parseArgs(argv, alwaysValue = []) {
  /** @type {Record<string, string>} */
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}" (options start with --)`);
    const eq = a.indexOf('=');
    if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
    else if (i + 1 < argv.length && (!argv[i + 1].startsWith('--') || alwaysValue.includes(a.slice(2)))) out[a.slice(2)] = argv[++i];
    else out[a.slice(2)] = 'true';
  }
  return out;
}

/** @param {string} name @param {string|undefined} text @param {number} dflt */
export function numberOption(name, text, dflt) {
  if (text === undefined) return dflt;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got "${text}"`);
  return n;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write('usage: node bench/generate.mjs [--size 1GB] [--match-rate 0.001] [--near-miss-rate 0.01] [--seed 1] [--out FILE]\n');
    return;
  }
  const size = parseSize(args.size ?? '1GB');
  const matchRate = numberOption('match-rate', args['match-rate'], 0.001);
  const nearMissRate = numberOption('near-miss-rate', args['near-miss-rate'], 0.01);
  const seed = numberOption('seed', args.seed, 1);
  const here = dirname(fileURLToPath(import.meta.url));
  const out = args.out ?? resolve(here, 'data', `ecs-${formatSize(size)}-m${matchRate}-n${nearMissRate}-s${seed}-v${GENERATOR_VERSION}.ndjson`);
  const t0 = performance.now();
  const expected = await generate({
    size, matchRate, nearMissRate, seed, out,
    onProgress: (b) => process.stderr.write(`\r  generated ${(b / 1e6).toFixed(0)} MB`),
  });
  const secs = (performance.now() - t0) / 1000;
  process.stderr.write(`\rwrote ${out}: ${expected.lines} lines, ${expected.bytes} bytes in ${secs.toFixed(1)} s\n`);
  process.stdout.write(`${JSON.stringify({ out, alerts: expected.alerts, lines: expected.lines })}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`generate: ${err instanceof Error ? err.message : err}\n`);
    process.exit(2);
  });
}
