// A whole frame through every layer: an ICMP echo request as the Haiku TUN/TAP driver's author
// captured it from a TAP device (zero MACs, 10.10.10.10 pinging itself).
import { describe, expect, it } from 'vitest';
import {
  ETHERTYPE_IPV4,
  EthernetFrame,
  EthernetRepr,
  IPPROTO_ICMP,
  IcmpPacket,
  IcmpRepr,
  Ipv4Packet,
  Ipv4Repr,
  WireError,
  buildEthernetFrame,
  buildIcmpPacket,
  buildIpv4Packet,
  formatIpv4,
} from '../../../kernel/abi/wire/index.js';
import { hex, referenceChecksum, toHex } from './hex.js';

const CAPTURE =
  '0000000000000000000000000800450000549c720000fe01f80e0a0a0a0a0a0a0a0a0800097c57020000603ad8466efd0500' +
  '08090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637';

function ok<T>(x: T | WireError): T {
  if (x instanceof WireError) throw new Error(`unexpected WireError: ${x.reason}`);
  return x;
}

describe('golden frame from the Haiku TUN driver blog', () => {
  const bytes = hex(CAPTURE);

  it('is 98 bytes: 14 Ethernet + 20 IPv4 + 8 ICMP + 56 data', () => {
    expect(bytes.length).toBe(98);
  });

  it('parses every layer', () => {
    const frame = ok(EthernetFrame.checked(bytes));
    const eth = ok(EthernetRepr.parse(frame));
    expect(eth).toEqual({ dst: 0, src: 0, ethertype: ETHERTYPE_IPV4 });

    const ip = ok(Ipv4Packet.checked(frame.payload));
    expect(ip.version).toBe(4);
    expect(ip.headerLen).toBe(20);
    expect(ip.tos).toBe(0);
    expect(ip.totalLen).toBe(84);
    expect(ip.checksum).toBe(0xf80e);
    expect(ip.checksum).toBe(referenceChecksum(ip.buffer.subarray(0, 10), ip.buffer.subarray(12, 20)));
    expect(ip.verifyChecksum()).toBe(true);
    const ipRepr = ok(Ipv4Repr.parse(ip));
    expect(ipRepr).toEqual({
      src: 0x0a0a0a0a,
      dst: 0x0a0a0a0a,
      protocol: IPPROTO_ICMP,
      ttl: 254,
      ident: 0x9c72,
      tos: 0,
      dontFragment: false,
      moreFragments: false,
      fragmentOffset: 0,
      payloadLen: 64,
    });
    expect(formatIpv4(ipRepr.src)).toBe('10.10.10.10');

    const icmp = ok(IcmpPacket.checked(ip.payload));
    expect([icmp.type, icmp.code, icmp.checksum, icmp.echoIdent, icmp.echoSeq]).toEqual([8, 0, 0x097c, 0x5702, 0]);
    expect(icmp.verifyChecksum()).toBe(true);
    expect(icmp.checksum).toBe(referenceChecksum(icmp.buffer.subarray(0, 2), icmp.buffer.subarray(4)));
    const echo = ok(IcmpRepr.parse(icmp));
    expect(echo.kind).toBe('echo-request');
    if (echo.kind !== 'echo-request') return;
    expect(echo.ident).toBe(0x5702);
    expect(echo.seq).toBe(0);
    expect(echo.data.length).toBe(56);
    // ping's payload: an 8-byte timestamp, then the bytes 0x08, 0x09, ... counting up.
    expect(toHex(echo.data.subarray(0, 8))).toBe('603ad8466efd0500');
    for (let i = 8; i < 56; i++) expect(echo.data[i]).toBe(i);
  });

  it('re-emits byte-identical output from the reprs', () => {
    const frame = ok(EthernetFrame.checked(bytes));
    const eth = ok(EthernetRepr.parse(frame));
    const ip = ok(Ipv4Packet.checked(frame.payload));
    const ipRepr = ok(Ipv4Repr.parse(ip));
    const echo = ok(IcmpRepr.parse(ok(IcmpPacket.checked(ip.payload))));

    // With the builders, innermost first.
    const rebuilt = buildEthernetFrame(eth, buildIpv4Packet(ipRepr, buildIcmpPacket(echo)));
    expect(toHex(rebuilt)).toBe(CAPTURE);

    // And in place, into one buffer, as the stack's transmit path does.
    const out = new Uint8Array(
      EthernetRepr.bufferLen(eth) + Ipv4Repr.bufferLen(ipRepr) + IcmpRepr.bufferLen(echo),
    );
    const outFrame = new EthernetFrame(out);
    EthernetRepr.emit(eth, outFrame);
    const outIp = new Ipv4Packet(outFrame.payload);
    Ipv4Repr.emit(ipRepr, outIp);
    IcmpRepr.emit(echo, new IcmpPacket(outIp.buffer.subarray(20)));
    expect(toHex(out)).toBe(CAPTURE);
  });
});
