// Properties over every format: emit-then-parse is the identity on reprs, checksums fold to zero
// over their own packet, and no input bytes at all (random, truncated, bit-flipped) make a checked
// or parse function throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ARPOP_REPLY,
  ARPOP_REQUEST,
  ArpPacket,
  ArpRepr,
  EthernetFrame,
  EthernetRepr,
  IPPROTO_UDP,
  ICMP_FRAG_NEEDED,
  IcmpPacket,
  IcmpRepr,
  Ipv4Packet,
  Ipv4Repr,
  UdpPacket,
  UdpRepr,
  WireError,
  buildArpPacket,
  buildEthernetFrame,
  buildIcmpPacket,
  buildIpv4Packet,
  buildUdpPacket,
  checksumAccumulate,
  checksumAccumulateRange,
  checksumFinish,
  formatIpv4,
  formatMac,
  internetChecksum,
  parseIpv4,
  parseMac,
  pseudoHeaderSum,
} from '../../../kernel/abi/wire/index.js';
import { pseudoHeader, referenceChecksum } from './hex.js';
import { numRuns } from './runs.js';

const opts = { numRuns };

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const ipv4Addr = fc.integer({ min: 0, max: 0xffff_ffff });
const mac = fc.integer({ min: 0, max: 0xffff_ffff_ffff });
const bytes = (maxLength: number) => fc.uint8Array({ maxLength });

const ethernetRepr: fc.Arbitrary<EthernetRepr> = fc.record({ dst: mac, src: mac, ethertype: u16 });

const arpRepr: fc.Arbitrary<ArpRepr> = fc.record({
  operation: fc.constantFrom(ARPOP_REQUEST, ARPOP_REPLY),
  senderMac: mac,
  senderIp: ipv4Addr,
  targetMac: mac,
  targetIp: ipv4Addr,
});

const ipv4Repr: fc.Arbitrary<Ipv4Repr> = fc.record({
  src: ipv4Addr,
  dst: ipv4Addr,
  protocol: u8,
  ttl: u8,
  ident: u16,
  tos: u8,
  dontFragment: fc.boolean(),
  moreFragments: fc.boolean(),
  fragmentOffset: fc.integer({ min: 0, max: 0x1fff }).map((units) => units * 8),
  payloadLen: fc.integer({ min: 0, max: 600 }),
});

const icmpRepr: fc.Arbitrary<IcmpRepr> = fc.oneof(
  fc.record({ kind: fc.constantFrom('echo-request' as const, 'echo-reply' as const), ident: u16, seq: u16, data: bytes(200) }),
  fc.record({ kind: fc.constant('dst-unreachable' as const), code: u8.filter((c) => c !== ICMP_FRAG_NEEDED), original: bytes(100) }),
  fc.record({ kind: fc.constant('dst-unreachable' as const), code: fc.constant(ICMP_FRAG_NEEDED), nextHopMtu: u16, original: bytes(100) }),
  fc.record({ kind: fc.constant('time-exceeded' as const), code: u8, original: bytes(100) }),
  fc.record({
    kind: fc.constant('other' as const),
    type: u8.filter((t) => t !== 0 && t !== 3 && t !== 8 && t !== 11),
    code: u8,
    rest: fc.uint8Array({ minLength: 4, maxLength: 100 }),
  }),
);

const udpRepr: fc.Arbitrary<UdpRepr> = fc.record({ srcPort: u16, dstPort: u16, payload: bytes(300) });

describe('emit then parse is the identity', () => {
  it('Ethernet', () => {
    fc.assert(
      fc.property(ethernetRepr, bytes(64), (repr, payload) => {
        const frame = EthernetFrame.checked(buildEthernetFrame(repr, payload));
        expect(frame).toBeInstanceOf(EthernetFrame);
        expect(EthernetRepr.parse(frame as EthernetFrame)).toEqual(repr);
      }),
      opts,
    );
  });

  it('ARP', () => {
    fc.assert(
      fc.property(arpRepr, (repr) => {
        expect(ArpRepr.parse(new ArpPacket(buildArpPacket(repr)))).toEqual(repr);
      }),
      opts,
    );
  });

  it('IPv4', () => {
    fc.assert(
      fc.property(ipv4Repr, (repr) => {
        const b = new Uint8Array(Ipv4Repr.bufferLen(repr) + repr.payloadLen);
        Ipv4Repr.emit(repr, new Ipv4Packet(b));
        expect(internetChecksum(b.subarray(0, 20))).toBe(0);
        const packet = Ipv4Packet.checked(b);
        expect(packet).toBeInstanceOf(Ipv4Packet);
        expect(Ipv4Repr.parse(packet as Ipv4Packet)).toEqual(repr);
        // Buffer.equals: toEqual walks a typed array element by element, too slow for thousands of runs.
        expect(Buffer.from(buildIpv4Packet(repr, b.subarray(20))).equals(b)).toBe(true);
      }),
      opts,
    );
  });

  it('ICMP', () => {
    fc.assert(
      fc.property(icmpRepr, (repr) => {
        const b = buildIcmpPacket(repr);
        expect(b.length).toBe(IcmpRepr.bufferLen(repr));
        expect(internetChecksum(b)).toBe(0);
        const packet = IcmpPacket.checked(b);
        expect(packet).toBeInstanceOf(IcmpPacket);
        expect(IcmpRepr.parse(packet as IcmpPacket)).toEqual(repr);
      }),
      opts,
    );
  });

  it('UDP', () => {
    fc.assert(
      fc.property(udpRepr, ipv4Addr, ipv4Addr, (repr, src, dst) => {
        const b = buildUdpPacket(repr, src, dst);
        expect(b.length).toBe(UdpRepr.bufferLen(repr));
        expect(checksumFinish(checksumAccumulate(b, pseudoHeaderSum(src, dst, IPPROTO_UDP, b.length)))).toBe(0);
        expect(new UdpPacket(b).checksum).not.toBe(0);
        const packet = UdpPacket.checked(b);
        expect(packet).toBeInstanceOf(UdpPacket);
        expect(UdpRepr.parse(packet as UdpPacket, src, dst)).toEqual(repr);
      }),
      opts,
    );
  });
});

describe('checksum arithmetic', () => {
  it('agrees with the slow reference', () => {
    fc.assert(
      fc.property(bytes(3000), (data) => {
        expect(internetChecksum(data)).toBe(referenceChecksum(data));
      }),
      opts,
    );
  });

  it('chains over an even split and over ranges', () => {
    fc.assert(
      fc.property(bytes(200), bytes(200), fc.nat(), (a0, b, start) => {
        const a = a0.length % 2 === 0 ? a0 : a0.subarray(1);
        const whole = new Uint8Array([...a, ...b]);
        expect(checksumFinish(checksumAccumulate(b, checksumAccumulate(a)))).toBe(internetChecksum(whole));
        const s = whole.length === 0 ? 0 : start % whole.length;
        expect(checksumFinish(checksumAccumulateRange(whole, s, whole.length))).toBe(internetChecksum(whole.subarray(s)));
      }),
      opts,
    );
  });

  it('pseudo-header sum matches its bytes', () => {
    fc.assert(
      fc.property(ipv4Addr, ipv4Addr, u8, u16, (src, dst, proto, len) => {
        expect(checksumFinish(pseudoHeaderSum(src, dst, proto, len))).toBe(referenceChecksum(pseudoHeader(src, dst, proto, len)));
      }),
      opts,
    );
  });
});

describe('address text round-trips', () => {
  it('IPv4 and MAC', () => {
    fc.assert(
      fc.property(ipv4Addr, mac, (a, m) => {
        expect(parseIpv4(formatIpv4(a))).toBe(a);
        expect(parseMac(formatMac(m))).toBe(m);
      }),
      opts,
    );
  });
});

// Every way into the module from untrusted bytes, reading every getter of a checked view as well.
function parseAll(b: Uint8Array): unknown[] {
  const results: unknown[] = [];
  const eth = EthernetFrame.checked(b);
  results.push(eth);
  if (!(eth instanceof WireError)) results.push(eth.dst, eth.src, eth.ethertype, eth.payload, EthernetRepr.parse(eth));
  results.push(EthernetRepr.parse(new EthernetFrame(b)));

  const arp = ArpPacket.checked(b);
  results.push(arp);
  if (!(arp instanceof WireError)) {
    results.push(arp.hardwareType, arp.protocolType, arp.hardwareLen, arp.protocolLen, arp.operation);
    results.push(arp.senderMac, arp.senderIp, arp.targetMac, arp.targetIp, ArpRepr.parse(arp));
  }
  results.push(ArpRepr.parse(new ArpPacket(b)));

  const ip = Ipv4Packet.checked(b);
  results.push(ip);
  if (!(ip instanceof WireError)) {
    results.push(ip.version, ip.ihl, ip.tos, ip.totalLen, ip.ident, ip.dontFragment, ip.moreFragments, ip.reservedFlag);
    results.push(ip.fragmentOffset, ip.ttl, ip.protocol, ip.checksum, ip.src, ip.dst, ip.options, ip.payload);
    results.push(ip.verifyChecksum(), Ipv4Repr.parse(ip), Ipv4Repr.parse(ip, { checksum: false }));
  }
  results.push(Ipv4Repr.parse(new Ipv4Packet(b)));

  const icmp = IcmpPacket.checked(b);
  results.push(icmp);
  if (!(icmp instanceof WireError)) {
    results.push(icmp.type, icmp.code, icmp.checksum, icmp.echoIdent, icmp.echoSeq, icmp.nextHopMtu, icmp.restOfHeader);
    results.push(icmp.payload, icmp.verifyChecksum(), IcmpRepr.parse(icmp), IcmpRepr.parse(icmp, { checksum: false }));
  }
  results.push(IcmpRepr.parse(new IcmpPacket(b)));

  const udp = UdpPacket.checked(b);
  results.push(udp);
  if (!(udp instanceof WireError)) {
    results.push(udp.srcPort, udp.dstPort, udp.length, udp.checksum, udp.payload, udp.verifyChecksum(1, 2));
    results.push(UdpRepr.parse(udp, 1, 2), UdpRepr.parse(udp, 1, 2, { checksum: false }));
  }
  results.push(UdpRepr.parse(new UdpPacket(b), 1, 2));
  return results;
}

function expectValueOrWireError(results: unknown[]): void {
  for (const r of results) {
    if (r instanceof WireError) expect(typeof r.reason).toBe('string');
    else expect(r).not.toBeUndefined();
    if (typeof r === 'number') expect(Number.isNaN(r)).toBe(false);
  }
}

// A valid packet of some layer, as bytes.
const validPacket: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.tuple(ethernetRepr, bytes(64)).map(([r, p]) => buildEthernetFrame(r, p)),
  arpRepr.map(buildArpPacket),
  fc.tuple(ipv4Repr, bytes(64)).map(([r, p]) => buildIpv4Packet(r, p)),
  fc.tuple(ipv4Repr, icmpRepr).map(([r, m]) => buildIpv4Packet({ ...r, protocol: 1 }, buildIcmpPacket(m))),
  icmpRepr.map(buildIcmpPacket),
  udpRepr.map((r) => buildUdpPacket(r, 1, 2)),
);

type Mutation = { kind: 'truncate'; at: number } | { kind: 'flip'; bits: number[] } | { kind: 'extend'; tail: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), bits: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('extend' as const), tail: bytes(32) }),
);

function mutate(b: Uint8Array, m: Mutation): Uint8Array {
  switch (m.kind) {
    case 'truncate':
      return b.subarray(0, b.length === 0 ? 0 : m.at % b.length);
    case 'flip': {
      const out = b.slice();
      if (out.length > 0) for (const bit of m.bits) out[(bit >>> 3) % out.length]! ^= 1 << (bit & 7);
      return out;
    }
    case 'extend':
      return new Uint8Array([...b, ...m.tail]);
  }
}

describe('no input makes a parser throw', () => {
  it('random bytes', () => {
    fc.assert(
      fc.property(bytes(120), (b) => {
        expectValueOrWireError(parseAll(b));
      }),
      opts,
    );
  });

  it('mutated valid packets', () => {
    fc.assert(
      fc.property(validPacket, fc.array(mutation, { minLength: 1, maxLength: 3 }), (packet, mutations) => {
        let b = packet;
        for (const m of mutations) b = mutate(b, m);
        expectValueOrWireError(parseAll(b));
      }),
      opts,
    );
  });

  it('single bit flips in an IPv4 header never pass the checksum', () => {
    fc.assert(
      fc.property(ipv4Repr, fc.integer({ min: 0, max: 159 }), (repr, bit) => {
        const b = buildIpv4Packet(repr, new Uint8Array(repr.payloadLen));
        b[bit >>> 3]! ^= 1 << (bit & 7);
        const r = Ipv4Repr.parse(new Ipv4Packet(b));
        expect(r).toBeInstanceOf(WireError);
      }),
      opts,
    );
  });
});
