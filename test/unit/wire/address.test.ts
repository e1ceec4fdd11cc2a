import { describe, expect, it } from 'vitest';
import {
  BROADCAST_MAC,
  formatIpv4,
  formatMac,
  isLimitedBroadcast,
  isLoopbackIpv4,
  isMulticastIpv4,
  isMulticastMac,
  isUnspecifiedIpv4,
  maskFromPrefix,
  parseIpv4,
  parseMac,
  prefixFromMask,
  readIpv4,
  readMac,
  writeIpv4,
  writeMac,
} from '../../../kernel/abi/wire/address.js';

describe('IPv4 address text', () => {
  it('parses strict dotted quads', () => {
    expect(parseIpv4('10.0.2.15')).toBe(0x0a00020f);
    expect(parseIpv4('0.0.0.0')).toBe(0);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIpv4('64.233.160.1')).toBe(0x40e9a001);
  });

  it.each(['1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.00', '+1.2.3.4', '1.2.3.-4', ' 1.2.3.4', '1.2.3.4 ', '1..3.4', '', 'a.b.c.d', '0x1.2.3.4', '1.2.3.4.', '1000.1.1.1'])(
    'rejects %j',
    (s) => {
      expect(parseIpv4(s)).toBeNull();
    },
  );

  it('formats', () => {
    expect(formatIpv4(0xc0a80001)).toBe('192.168.0.1');
    expect(formatIpv4(-1)).toBe('255.255.255.255');
    expect(formatIpv4(0)).toBe('0.0.0.0');
  });
});

describe('MAC address text', () => {
  it('parses colon and dash forms in any case', () => {
    expect(parseMac('52:54:00:12:34:56')).toBe(0x525400123456);
    expect(parseMac('AA-bb-CC-dd-EE-ff')).toBe(0xaabbccddeeff);
    expect(parseMac('ff:ff:ff:ff:ff:ff')).toBe(BROADCAST_MAC);
  });

  it.each(['aa:bb:cc:dd:ee', 'aa:bb:cc:dd:ee:ff:00', 'aa:bb-cc:dd:ee:ff', 'a:bb:cc:dd:ee:ff', 'gg:bb:cc:dd:ee:ff', 'aabb.ccdd.eeff', ''])('rejects %j', (s) => {
    expect(parseMac(s)).toBeNull();
  });

  it('formats lowercase with colons', () => {
    expect(formatMac(0xaabbccddeeff)).toBe('aa:bb:cc:dd:ee:ff');
    expect(formatMac(0)).toBe('00:00:00:00:00:00');
    expect(formatMac(0x020000000001)).toBe('02:00:00:00:00:01');
  });
});

describe('masks and prefixes', () => {
  it('converts both ways', () => {
    expect(maskFromPrefix(0)).toBe(0);
    expect(maskFromPrefix(8)).toBe(0xff000000);
    expect(maskFromPrefix(24)).toBe(0xffffff00);
    expect(maskFromPrefix(32)).toBe(0xffffffff);
    for (let p = 0; p <= 32; p++) expect(prefixFromMask(maskFromPrefix(p))).toBe(p);
  });

  it('rejects non-contiguous masks', () => {
    expect(prefixFromMask(0xff00ff00)).toBeNull();
    expect(prefixFromMask(0x00ffffff)).toBeNull();
    expect(prefixFromMask(0xfffffffe)).toBe(31);
  });

  it('refuses impossible prefix lengths', () => {
    expect(() => maskFromPrefix(33)).toThrow(RangeError);
    expect(() => maskFromPrefix(-1)).toThrow(RangeError);
  });
});

describe('classification', () => {
  it('classifies IPv4 addresses', () => {
    expect(isMulticastIpv4(parseIpv4('224.0.0.1')!)).toBe(true);
    expect(isMulticastIpv4(parseIpv4('239.255.255.255')!)).toBe(true);
    expect(isMulticastIpv4(parseIpv4('240.0.0.0')!)).toBe(false);
    expect(isLoopbackIpv4(parseIpv4('127.0.0.1')!)).toBe(true);
    expect(isLoopbackIpv4(parseIpv4('128.0.0.1')!)).toBe(false);
    expect(isLimitedBroadcast(0xffffffff)).toBe(true);
    expect(isLimitedBroadcast(-1)).toBe(true);
    expect(isLimitedBroadcast(parseIpv4('10.255.255.255')!)).toBe(false);
    expect(isUnspecifiedIpv4(0)).toBe(true);
  });

  it('classifies MACs by the group bit', () => {
    expect(isMulticastMac(BROADCAST_MAC)).toBe(true);
    expect(isMulticastMac(0x01005e000001)).toBe(true);
    expect(isMulticastMac(0x525400123456)).toBe(false);
    expect(isMulticastMac(0x020000000001)).toBe(false);
  });
});

describe('byte access', () => {
  it('reads and writes at an offset', () => {
    const b = new Uint8Array(12);
    writeMac(b, 1, 0xfedcba987654);
    writeIpv4(b, 7, 0xc0a80001);
    expect(Array.from(b)).toEqual([0, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 192, 168, 0, 1, 0]);
    expect(readMac(b, 1)).toBe(0xfedcba987654);
    expect(readIpv4(b, 7)).toBe(0xc0a80001);
  });

  it('reads high addresses as unsigned', () => {
    expect(readIpv4(new Uint8Array([255, 255, 255, 255]), 0)).toBe(0xffffffff);
    expect(readMac(new Uint8Array(6).fill(0xff), 0)).toBe(BROADCAST_MAC);
  });
});
