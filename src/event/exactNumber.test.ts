import { describe, expect, it } from 'vitest';
import { compareExact, integerBeyondDouble, numberOfText } from './exactNumber.js';

describe('integerBeyondDouble: the bigint form is kept for integers no double holds, only', () => {
  it.each([
    ['9007199254740993', 9007199254740993n],
    ['-9007199254740993', -9007199254740993n],
    ['+9007199254740993', 9007199254740993n],
    ['0009007199254740993', 9007199254740993n], // leading zeros, as Long.parseLong reads them
    ['9223372036854775807', 9223372036854775807n], // Long.MAX_VALUE
    ['-9223372036854775807', -9223372036854775807n],
    ['18446744073709551615', 18446744073709551615n], // unsigned_long's maximum
  ])('%s → %s', (text, expected) => {
    expect(integerBeyondDouble(text)).toBe(expected);
  });

  it.each([
    ['9007199254740992', 'a double holds 2^53 exactly'],
    ['9007199254740991', 'safe'],
    ['10000000000000000', 'a double holds 10^16 exactly'],
    ['-9223372036854775808', 'a double holds -2^63 exactly'],
    ['18446744073709551617', 'beyond unsigned_long'],
    ['-9223372036854775809', 'below long'],
    ['123456789012345678901234', 'longer than any long'],
    ['9007199254740993.0', 'not an integer text'],
    ['9007199254740993e0', 'not an integer text'],
    [' 9007199254740993', 'white space is the caller’s to trim'],
    ['12345', 'short'],
  ])('%s → undefined (%s)', (text) => {
    expect(integerBeyondDouble(text)).toBeUndefined();
  });
});

describe('numberOfText', () => {
  it('reads a long beyond 2^53 exactly and anything else as Number does', () => {
    expect(numberOfText('9007199254740993')).toBe(9007199254740993n);
    expect(numberOfText(' 9007199254740993 ')).toBe(9007199254740993n);
    expect(numberOfText('9007199254740992')).toBe(9007199254740992);
    expect(numberOfText('5e1')).toBe(50);
    expect(numberOfText('1.5')).toBe(1.5);
    expect(numberOfText('9007199254740993.5')).toBe(9007199254740994);
  });
});

describe('compareExact', () => {
  it('orders bigints and numbers by their mathematical values', () => {
    expect(compareExact(9007199254740993n, 9007199254740992)).toBe(1);
    expect(compareExact(9007199254740992, 9007199254740993n)).toBe(-1);
    expect(compareExact(9007199254740993n, 9007199254740994)).toBe(-1);
    expect(compareExact(9007199254740993n, 9007199254740993n)).toBe(0);
    // Number(9007199254740993n) is 9007199254740992: a comparison through doubles would say 0.
    expect(compareExact(9007199254740993n, Number(9007199254740993n))).toBe(1);
    expect(compareExact(-9007199254740993n, -9007199254740992)).toBe(-1);
    expect(compareExact(1.5, 2)).toBe(-1);
  });
});
