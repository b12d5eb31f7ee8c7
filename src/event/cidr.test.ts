import { describe, expect, it } from 'vitest';
import { ipInCidr, parseCidr, parseIp } from './cidr.js';

const inBlock = (ip: string, cidr: string): boolean => {
  const block = parseCidr(cidr);
  if (block === null) throw new Error(`bad cidr ${cidr}`);
  return ipInCidr(ip, block);
};

describe('parseIp', () => {
  it('parses IPv4 dotted quads and rejects out-of-range or short forms', () => {
    expect([...parseIp('10.6.48.157')!]).toEqual([10, 6, 48, 157]);
    expect(parseIp('256.1.1.1')).toBeNull();
    expect(parseIp('1.2.3')).toBeNull();
    expect(parseIp('a.b.c.d')).toBeNull();
    for (const bad of ['1.2.3.4.5', '1.2.3.', '.1.2.3', '1..2.3', '1.2.3.1000', '1.2.3.4 ', '1.2.3.+4', '']) expect(parseIp(bad)).toBeNull();
    expect([...parseIp('010.0.255.001')!]).toEqual([10, 0, 255, 1]);
  });
  it('parses IPv6 with :: compression and embedded IPv4', () => {
    expect(parseIp('::1')!.length).toBe(16);
    expect(parseIp('fe80::1%eth0')!.length).toBe(16);
    expect(parseIp('2001:db8::1:2:3:4:5:6:7')).toBeNull();
    expect(parseIp('1::2::3')).toBeNull();
  });
  it('treats IPv4-mapped IPv6 as the IPv4 address (as Elasticsearch does)', () => {
    expect([...parseIp('::ffff:127.0.0.1')!]).toEqual([127, 0, 0, 1]);
  });
});

describe('ipInCidr (SPEC §A.8 cidrMatch, §B.3)', () => {
  it.each([
    ['10.6.48.157', '10.6.48.157/8', true],
    ['11.0.0.1', '10.0.0.0/8', false],
    ['192.168.1.1', '192.168.0.0/16', true],
    ['1.2.3.4', '0.0.0.0/0', true],
    ['172.31.255.255', '172.16.0.0/12', true],
    ['172.32.0.0', '172.16.0.0/12', false],
    ['127.0.0.1', '127.0.0.1', true],
    ['::1', '::1', true],
    ['::1', '::1/128', true],
    ['fe80::abcd', 'fe80::/10', true],
    ['fec0::1', 'fe80::/10', false],
    ['2001:db8::5', '2001:db8::/32', true],
    ['::ffff:10.1.2.3', '10.0.0.0/8', true],
    ['10.1.2.3', '::ffff:10.0.0.0/104', true],
    ['10.1.2.3', '::/0', false],
    ['not an ip', '0.0.0.0/0', false],
  ])('%s in %s → %s', (ip, cidr, expected) => {
    expect(inBlock(ip, cidr)).toBe(expected);
  });
  it('rejects malformed blocks', () => {
    expect(parseCidr('10.0.0.0/33')).toBeNull();
    expect(parseCidr('10.0.0.0/x')).toBeNull();
    expect(parseCidr('::/129')).toBeNull();
    expect(parseCidr('hello')).toBeNull();
  });
});
