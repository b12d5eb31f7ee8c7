import { describe, expect, it } from 'vitest';
import { parseIp } from './cidr.js';
import { asIpv6, compareCodePoints, compareIpBytes } from './order.js';

const ipAsIpv6 = (text: string) => {
  const ip = parseIp(text);
  return ip === null ? null : asIpv6(ip);
};

describe('compareCodePoints: the order of keyword terms (UTF-8 bytes)', () => {
  it('orders astral characters after U+FFFF, as UTF-8 bytes do (UTF-16 units would not)', () => {
    expect(compareCodePoints('\u{1F600}', '\uffff')).toBeGreaterThan(0);
    expect(compareCodePoints('\u{1F600}', '\ue000')).toBeGreaterThan(0);
  });

  it('orders other strings as JavaScript does, a prefix first', () => {
    expect(compareCodePoints('a', 'b')).toBeLessThan(0);
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0);
    expect(compareCodePoints('same', 'same')).toBe(0);
    expect(compareCodePoints('B', 'a')).toBeLessThan(0);
  });
});

describe('ip order: every address as 16 bytes, IPv4 as ::ffff:a.b.c.d', () => {
  it('maps an IPv4 address into the IPv6 space and keeps an IPv6 one', () => {
    expect([...asIpv6(Uint8Array.of(10, 0, 0, 1))]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1]);
    const v6 = ipAsIpv6('::1');
    expect(v6 && asIpv6(v6)).toBe(v6);
  });

  it('orders addresses bytewise, so IPv4 sorts between ::ffff:0:0 and the IPv6 addresses above it', () => {
    const order = (a: string, b: string) => {
      const x = ipAsIpv6(a);
      const y = ipAsIpv6(b);
      if (x === null || y === null) throw new Error('not an address');
      return Math.sign(compareIpBytes(x, y));
    };
    expect(order('10.0.0.2', '10.0.0.10')).toBe(-1);
    expect(order('::1', '0.0.0.1')).toBe(-1);
    expect(order('2001:db8::1', '255.255.255.255')).toBe(1);
    expect(order('::ffff:10.0.0.1', '10.0.0.1')).toBe(0);
    expect(ipAsIpv6('localhost')).toBeNull();
  });
});
