/**
 * IPv4 / IPv6 addresses and CIDR blocks, as Elasticsearch's `ip` field and EQL `cidrMatch`
 * (SPEC §A.8) and KQL `field:10.0.0.0/8` (SPEC §B.3) see them. IPv4-mapped IPv6 addresses
 * (`::ffff:1.2.3.4`) are the IPv4 address, as in Elasticsearch's InetAddresses.
 */

/** A parsed CIDR block: the address bytes (4 or 16) with host bits cleared, and the prefix length. */
export interface Cidr {
  family: 4 | 6;
  bytes: Uint8Array;
  prefix: number;
}

/** Parses `a.b.c.d`, an IPv6 text form, or either with `%zone`; null when not an IP address. */
export function parseIp(text: string): Uint8Array | null {
  const zone = text.indexOf('%');
  const t = zone >= 0 ? text.slice(0, zone) : text;
  if (t.includes(':')) {
    const v6 = parseIpv6(t);
    if (v6 === null) return null;
    return isV4Mapped(v6) ? v6.slice(12) : v6;
  }
  return parseIpv4(t);
}

/** Parses `address/prefix` or a bare address (a /32 or /128 block); null when invalid. */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  const addressText = slash >= 0 ? text.slice(0, slash) : text;
  let bytes = parseIp(addressText.trim());
  if (bytes === null) return null;
  const max = bytes.length * 8;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1).trim();
    if (!/^[0-9]{1,3}$/.test(p)) return null;
    prefix = Number(p);
    // `::ffff:10.0.0.0/104` is the IPv4 block 10.0.0.0/8.
    if (bytes.length === 4 && addressText.includes(':')) prefix -= 96;
    if (prefix < 0 || prefix > max) return null;
  }
  bytes = bytes.slice();
  for (let bit = prefix; bit < max; bit++) bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return { family: bytes.length === 4 ? 4 : 6, bytes, prefix };
}

/** True when `ip` (text) is an address inside the block. Text that is not an IP address is never inside. */
export function ipInCidr(ip: string, cidr: Cidr): boolean {
  const bytes = parseIp(ip);
  return bytes !== null && bytesInCidr(bytes, cidr);
}

/** Like ipInCidr for an already parsed address. */
export function bytesInCidr(bytes: Uint8Array, cidr: Cidr): boolean {
  if (bytes.length !== cidr.bytes.length) return false;
  const full = cidr.prefix >> 3;
  for (let i = 0; i < full; i++) if (bytes[i] !== cidr.bytes[i]) return false;
  const rest = cidr.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((bytes[full]! & mask) === cidr.bytes[full]);
}

/**
 * `a.b.c.d`: four groups of one to three ASCII digits, each at most 255. A loop over the
 * characters, not split and a RegExp per group: `cidrmatch(destination.ip, ...)` in hundreds of
 * rules parses an event's address once for each of them.
 */
function parseIpv4(t: string): Uint8Array | null {
  const out = new Uint8Array(4);
  let group = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++digits > 3) return null;
      value = value * 10 + (c - 48);
      continue;
    }
    if (c !== 46 || digits === 0 || value > 255 || group === 3) return null;
    out[group++] = value;
    digits = 0;
    value = 0;
  }
  if (group !== 3 || digits === 0 || value > 255) return null;
  out[3] = value;
  return out;
}

function parseIpv6(t: string): Uint8Array | null {
  const doubleColon = t.indexOf('::');
  if (doubleColon >= 0 && t.indexOf('::', doubleColon + 1) >= 0) return null;
  const parseGroups = (s: string): number[] | null => {
    if (s === '') return [];
    const groups: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (v4 === null) return null;
        groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
      groups.push(parseInt(p, 16));
    }
    return groups;
  };
  let groups: number[];
  if (doubleColon >= 0) {
    const head = parseGroups(t.slice(0, doubleColon));
    const tail = parseGroups(t.slice(doubleColon + 2));
    if (head === null || tail === null || head.length + tail.length > 7) return null;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = parseGroups(t);
    if (all === null || all.length !== 8) return null;
    groups = all;
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[i * 2] = groups[i]! >> 8;
    out[i * 2 + 1] = groups[i]! & 0xff;
  }
  return out;
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}
