// A seeded generator of ECS-ish NDJSON lines aimed at the bundled rules' fields, for tests that
// check the fast paths (prefilter, workers) against the plain path. Values sit on and around what
// the rules look for (matches, case variants, near misses), and the JSON text varies the ways a
// writer may: escapes (`\/`, `\u00XX`, even for the letters of a needle), dotted keys, arrays, nulls.

/** mulberry32: small, fast, and the same sequence on every machine for a seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const MISSING = Symbol('missing');
type Maybe = Json | typeof MISSING;

export interface RandomEcs {
  /** One event as a JSON line (no newline). */
  line(): string;
  /** A line that is not a JSON object, or blank: what the reader must report or count. */
  noise(): string;
}

export function randomEcs(seed: number, options: { escapeRate?: number } = {}): RandomEcs {
  const rnd = prng(seed);
  const escapeRate = options.escapeRate ?? 0.15;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const chance = (p: number) => rnd() < p;
  let clockMs = Date.UTC(2024, 4, 1);

  const osType = () => pick<Maybe>(['linux', 'linux', 'linux', 'Linux', 'LINUX', 'windows', 'linu', MISSING, null, ['linux'], ['macos', 'linux']]);
  const category = () => pick<Maybe>(['file', ['file'], 'File', ['process', 'file'], 'process', MISSING, 'files']);
  const type = () => pick<Maybe>(['creation', ['creation'], 'change', ['info', 'change'], 'Creation', 'deletion', ['access'], MISSING, null]);
  const action = () => pick<Maybe>(['opened-file', 'opened-file', 'Opened-file', 'opened-files', 'creation', MISSING]);
  const path = () =>
    pick<Maybe>([
      '/lib/modules/6.1.0/kernel/drivers/x.ko',
      '/lib/modules/6.1.0/extra/rootkit.ko',
      '/LIB/MODULES/6.1.0/evil.ko',
      '/Lib/Modules/a.ko',
      '/usr/lib/modules/6.1.0/y.ko',
      '/lib/modules',
      '/lib/modulesX/z.ko',
      '/proc/modules',
      '/proc/modules',
      '/proc/Modules',
      '/proc/modules/',
      '/etc/shadow',
      ['/tmp/a', '/proc/modules'],
      null,
      MISSING,
    ]);
  const extension = () => pick<Maybe>(['ko', 'ko', 'KO', 'Ko', 'ko.xz', 'xz', ['ko'], MISSING, null, '']);
  const processName = () =>
    pick<Maybe>(['insmod', 'modprobe', 'dpkg', 'DPKG', 'Dpkg', 'systemd', 'falcon-sensor-x', 'Falcon-Sensor', 'python3', 'Python3', 'python', 'chef-client', 'cp', 'cpx', null, MISSING, ['insmod', 'dpkg'], 'lsmod', 'cat']);
  const executable = () =>
    pick<Maybe>([
      '/usr/bin/kmod',
      '/bin/cat',
      `/usr/bin/tool${Math.floor(rnd() * 40)}`,
      `/usr/local/bin/t${Math.floor(rnd() * 40)}`,
      '/opt/Elastic/Agent/elastic-agent',
      '/opt/elastic/agent/elastic-agent',
      '/opt/eset/efs/esets_eia',
      '/opt/Eset/efs/esets_eia',
      '/opt/jfrog/artifactory/app/metadata/bin/jf-metadata',
      MISSING,
      null,
      123,
    ]);

  function timestamp(): Maybe {
    // Mostly forward, sometimes a jump past the 5-day new_terms window, sometimes none at all.
    clockMs += Math.floor(rnd() * 90_000);
    if (chance(0.01)) clockMs += 6 * 24 * 3600_000;
    if (chance(0.02)) return MISSING;
    return new Date(clockMs - (chance(0.1) ? Math.floor(rnd() * 3600_000) : 0)).toISOString();
  }

  /** Sets a dotted field in `doc` as nested objects, one dotted key, or a mix, at random. */
  function put(doc: Record<string, Json>, dotted: string, value: Maybe): void {
    if (value === MISSING) return;
    const parts = dotted.split('.');
    const nested = chance(0.2) ? Math.floor(rnd() * parts.length) : parts.length - 1;
    let node = doc;
    for (const key of parts.slice(0, nested)) {
      const child = node[key];
      if (child === undefined || child === null || typeof child !== 'object' || Array.isArray(child)) node[key] = {};
      node = node[key] as Record<string, Json>;
    }
    node[parts.slice(nested).join('.')] = value;
  }

  function event(): Record<string, Json> {
    const doc: Record<string, Json> = {};
    put(doc, '@timestamp', timestamp());
    put(doc, 'host.os.type', osType());
    put(doc, 'event.category', category());
    put(doc, 'event.type', type());
    put(doc, 'event.action', action());
    put(doc, 'file.path', path());
    put(doc, 'file.extension', extension());
    put(doc, 'process.name', processName());
    put(doc, 'process.executable', executable());
    if (chance(0.3)) put(doc, 'process.pid', Math.floor(rnd() * 65536));
    if (chance(0.3)) put(doc, 'user.name', pick(['root', 'alice', 'bob\u00e9', 'ko']));
    if (chance(0.1)) put(doc, 'message', pick(['/lib/modules/x.ko "ko" linux', 'file creation', 'opened-file /proc/modules']));
    return doc;
  }

  /** JSON text of a string with some characters escaped the ways a JSON writer may choose to. */
  function str(s: string): string {
    if (!chance(escapeRate)) return JSON.stringify(s);
    let out = '"';
    for (const ch of s) {
      const code = ch.codePointAt(0)!;
      if (ch === '"' || ch === '\\' || code < 0x20) out += JSON.stringify(ch).slice(1, -1);
      else if (ch === '/' && chance(0.5)) out += '\\/';
      else if (code < 0x10000 && chance(0.3)) {
        const hex = code.toString(16).padStart(4, '0');
        out += '\\u' + (chance(0.5) ? hex : hex.toUpperCase());
      } else out += ch;
    }
    return out + '"';
  }

  function write(v: Json): string {
    if (v === null || typeof v === 'boolean' || typeof v === 'number') return JSON.stringify(v);
    if (typeof v === 'string') return str(v);
    if (Array.isArray(v)) return '[' + v.map(write).join(',') + ']';
    const sep = chance(0.1) ? ': ' : ':';
    return '{' + Object.entries(v).map(([k, x]) => str(k) + sep + write(x)).join(chance(0.1) ? ', ' : ',') + '}';
  }

  return {
    line: () => write(event()),
    noise: () =>
      pick([
        '',
        '   ',
        'not json',
        '[1,2,3]',
        '"a string"',
        '42',
        'null',
        '{"truncated": ',
        '{"event":{"category":"file"}, }',
        '{"file":{"extension":"ko"},"host":{"os":{"type":"linux"}}',
      ]),
  };
}
