// Bad input through the TUN/TAP write path into the stack: random and mutated packets (truncated
// headers, bad IP/ICMP/UDP checksums, lying total and UDP lengths, IHL < 5 or beyond the buffer,
// overlapping and never-completing fragments, datagrams up to 65535 bytes, random bytes) written by
// a program into a TUN without and with packet info, into a TAP, and into a TUN of a host that
// forwards (packets for others are passed on, dropped for their TTL, or find no route), in virtual
// time.
//
// For every case: the kernel never throws (no panic, no crashed program), the case ends, each write
// gets exactly the result reference §2 gives it (EINVAL, EINVAL + rx_dropped for a bad version
// nibble, EIO + rx_dropped while down), and the counters add up:
//   written  = accepted (rx_packets) + refused (write errors)
//   accepted = reached IP (InReceives) + rx_nohandler [+ rx_otherhost, ARP, rx_errors on a TAP]
//   InReceives = InHdrErrors + InAddrErrors + ReasmReqds + (InDelivers - ReasmOKs)
//                [+ ForwDatagrams + FragFails + InNoRoutes, on the router]
//   InDelivers = ICMP (InMsgs + InErrors) + UDP (InDatagrams + NoPorts + InErrors)
//                + TCP (InSegs + InErrs) + InUnknownProtos
// each term predicted packet by packet by the oracle in oracle.ts; fragments go to reassembly,
// whose datagrams all complete, fail, or time out after 30 s of virtual time (ReasmTimeout).

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildArpPacket, buildEthernetFrame, ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from '../../kernel/abi/wire/index.js';
import { budgetMs, crashes, numRuns } from './harness.js';
import { makeRig, type Mode, PEER_MAC, type Rig, runCase, TAP_MAC } from './input-rig.js';
import { arpMalformed, ipFate, type IpFate } from './oracle.js';
import { type Built, ipBatch, mutatedDatagram, type Net, TAP_NET, TUN_NET } from './packets.js';

/** What must happen to one write, and then to the packet. */
type Fate = { write: 'EINVAL' | 'EIO'; counted: boolean } | { write: 'ok'; len: number; then: IpFate | 'rxNoHandler' | 'rxOtherHost' | 'rxErrors' | 'arp' };

function fateOf(mode: Mode, bytes: Uint8Array, down: boolean, net: Net): Fate {
  if (mode === 'tun-pi') {
    if (bytes.length < 4) return { write: 'EINVAL', counted: false };
    if (down) return { write: 'EIO', counted: true };
    const proto = (bytes[2]! << 8) | bytes[3]!;
    return { write: 'ok', len: bytes.length - 4, then: proto === 0x0800 ? ipFate(bytes.subarray(4), net) : 'rxNoHandler' };
  }
  if (mode === 'tun' || mode === 'tun-fwd') {
    const version = bytes.length > 0 ? bytes[0]! >> 4 : 0;
    if (version !== 4 && version !== 6) return { write: 'EINVAL', counted: true };
    if (down) return { write: 'EIO', counted: true };
    return { write: 'ok', len: bytes.length, then: version === 4 ? ipFate(bytes, net, mode === 'tun-fwd') : 'rxNoHandler' };
  }
  if (bytes.length < 14) return { write: 'EINVAL', counted: false };
  if (down) return { write: 'EIO', counted: true };
  const dst = bytes.subarray(0, 6).reduce((n, b) => n * 256 + b, 0);
  const multicast = (bytes[0]! & 1) === 1;
  const type = (bytes[12]! << 8) | bytes[13]!;
  const ok = (then: Extract<Fate, { write: 'ok' }>['then']): Fate => ({ write: 'ok', len: bytes.length, then });
  if (dst !== TAP_MAC && !multicast) return ok('rxOtherHost');
  if (type === ETHERTYPE_ARP) return ok(arpMalformed(bytes.subarray(14)) ? 'rxErrors' : 'arp');
  if (type === ETHERTYPE_IPV4) return ok(ipFate(bytes.subarray(14), net));
  return ok('rxNoHandler');
}

const PI = (proto: number, flags = 0) => new Uint8Array([flags >> 8, flags & 0xff, proto >> 8, proto & 0xff]);
const cat = (a: Uint8Array, b: Uint8Array) => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

/** The bytes one case writes, for each mode: IP packets, behind a PI header or in a frame. */
function writesFor(mode: Mode): fc.Arbitrary<Uint8Array[]> {
  if (mode === 'tun' || mode === 'tun-fwd') return ipBatch(TUN_NET, mode === 'tun-fwd').map((bs) => bs.map((b) => b.bytes));
  if (mode === 'tun-pi') {
    const header = fc.oneof(
      { weight: 8, arbitrary: fc.constant(PI(0x0800)) },
      { weight: 1, arbitrary: fc.constantFrom(PI(0x86dd), PI(0x0806), PI(0x0800, 0x0001)) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((p) => PI(p)) },
    );
    const short = fc.uint8Array({ maxLength: 3 });
    return fc.oneof(
      { weight: 6, arbitrary: fc.tuple(ipBatch(TUN_NET), fc.array(header, { minLength: 1, maxLength: 1 })).map(([bs, [h]]) => bs.map((b) => cat(h!, b.bytes))) },
      { weight: 1, arbitrary: fc.array(short, { minLength: 1, maxLength: 3 }) },
    );
  }
  const mac = fc.constantFrom(TAP_MAC, TAP_MAC, TAP_MAC, 0xffff_ffff_ffff, 0x0100_5e00_0001, 0x0200_0000_00cc);
  const framed = (type: fc.Arbitrary<number>, payload: fc.Arbitrary<Built[]>) =>
    fc.tuple(mac, type, payload).map(([dst, t, bs]) => bs.map((b) => buildEthernetFrame({ dst, src: PEER_MAC, ethertype: t }, b.bytes)));
  const arp = fc.tuple(fc.constantFrom(1, 2, 3), fc.nat({ max: 3 }), fc.uint8Array({ maxLength: 4 })).map(([op, cut, junk]): Built[] => {
    const p = buildArpPacket({ operation: op === 3 ? 1 : op, senderMac: PEER_MAC, senderIp: TAP_NET.peer, targetMac: 0, targetIp: TAP_NET.local });
    if (op === 3) p[7] = 9; // an operation that is neither request nor reply
    return [{ bytes: cut === 0 ? p.subarray(0, 20) : cat(p, junk), what: 'arp' }];
  });
  return fc.oneof(
    { weight: 6, arbitrary: framed(fc.constant(ETHERTYPE_IPV4), ipBatch(TAP_NET)) },
    { weight: 1, arbitrary: framed(fc.constant(ETHERTYPE_ARP), arp) },
    { weight: 1, arbitrary: framed(fc.constantFrom(ETHERTYPE_IPV6, 0x88cc, 0x0000), mutatedDatagram(TAP_NET).map((b) => [b])) },
    { weight: 1, arbitrary: fc.array(fc.uint8Array({ maxLength: 13 }), { minLength: 1, maxLength: 3 }) },
  );
}

/**
 * The counters a case must have moved, side by side with what they did move: one comparison, so
 * that a failing case shows every term at once (and 2000 cases do not pay for 40 expects each).
 */
function check(rig: Rig, writes: Uint8Array[], down: boolean, r: Awaited<ReturnType<typeof runCase>>): void {
  const net = rig.mode === 'tap' ? TAP_NET : TUN_NET;
  const fates = writes.map((b) => fateOf(rig.mode, b, down, net));
  const n = (pred: (f: Fate) => boolean) => fates.filter(pred).length;
  const then = (t: string) => n((f) => f.write === 'ok' && f.then === t);
  const accepted = fates.filter((f): f is Extract<Fate, { write: 'ok' }> => f.write === 'ok');
  const { d, dEnd } = r;
  const looped = d.loopRx!;
  // Reassembled datagrams and the stack's own looped-back answers (an ICMP error or echo reply to
  // a local source) add to the protocol counters; without any, the prediction is exact.
  const exact = d['reasm.oks'] === 0 && looped === 0;
  const atLeast = (counter: string, fate: IpFate) => (exact ? d[counter]! : Math.min(d[counter]!, then(fate)));
  const got = {
    // each write: its own result, exactly (reference §2)
    results: r.results,
    // written = accepted + refused; refused ones in rx_dropped where §2 says so
    rxPackets: d.rxPackets,
    rxBytes: d.rxBytes,
    refused: writes.length - d.rxPackets!,
    rxDropped: d.rxDropped! - d.backlogDrops!,
    backlogDrops: d.backlogDrops,
    // accepted = reached IP + each device-level drop (+ ARP on a TAP)
    rxNoHandler: d.rxNoHandler,
    rxOtherHost: d.rxOtherHost,
    rxErrors: d.rxErrors,
    InReceives: d.InReceives! - looped,
    // the IP layer: every packet that reached it, counted once
    InHdrErrors: d.InHdrErrors,
    InAddrErrors: d.InAddrErrors,
    ReasmReqds: d['reasm.reqds'],
    // a router's: passed on, too big with DF, no route to pass it on by (IpExt InNoRoutes, as
    // Linux's ip_error() counts it; OutNoRoutes is for this host's own packets only)
    ForwDatagrams: d.ForwDatagrams,
    FragFails: d.FragFails,
    InNoRoutes: d.InNoRoutes,
    ipBalance:
      d.InReceives! -
      (d.InHdrErrors! + d.InAddrErrors! + d['reasm.reqds']! + d.InDelivers! - d['reasm.oks']! + d.ForwDatagrams! + d.FragFails! + d.InNoRoutes!),
    // above IP: every delivered datagram in exactly one protocol counter
    protoBalance:
      d.InDelivers! -
      (d['icmp.InMsgs']! + d['icmp.InErrors']! + d['udp.InDatagrams']! + d['udp.NoPorts']! + d['udp.InErrors']! + d['tcp.InSegs']! + d['tcp.InErrs']! + d.InUnknownProtos!),
    'icmp.InMsgs': atLeast('icmp.InMsgs', 'icmp.InMsgs'),
    'icmp.InErrors': atLeast('icmp.InErrors', 'icmp.InErrors'),
    'udp.InDatagrams': atLeast('udp.InDatagrams', 'udp.InDatagrams'),
    'udp.InCsumErrors': atLeast('udp.InCsumErrors', 'udp.InCsumErrors'),
    'udp.NoPorts': atLeast('udp.NoPorts', 'udp.NoPorts'),
    // TCP's answers to a local source (a RST) come back in through the loopback: at least.
    'tcp.InSegs': atLeast('tcp.InSegs', 'tcp.InSegs'),
    'tcp.InErrs': atLeast('tcp.InErrs', 'tcp.InErrs'),
    InUnknownProtos: atLeast('InUnknownProtos', 'InUnknownProtos'),
    'udp.InErrors (less checksum errors)': exact ? d['udp.InErrors']! - d['udp.InCsumErrors']! : Math.min(d['udp.InErrors']! - d['udp.InCsumErrors']!, then('udp.InErrors')),
    'udp.RcvbufErrors': d['udp.RcvbufErrors'],
    'read back from the socket': r.delivered - d['udp.InDatagrams']!,
    // reassembly: nothing expires before 30 s, everything by then, each expiry counted
    pendingBeforeTimeout: r.pendingBeforeTimeout,
    expiredEarly: r.pending > 0 && r.timeoutNs < 29.9e9,
    timeouts: dEnd['reasm.timeouts']! - d['reasm.timeouts']!,
    ReasmTimeout: dEnd.ReasmTimeout! - d.ReasmTimeout!,
    failsByTimeout: dEnd['reasm.fails']! - d['reasm.fails']!,
    completedLate: dEnd['reasm.oks']! - d['reasm.oks']!,
    inFlightAtEnd: rig.k.net.reassembler.inFlight,
  };
  const want: typeof got = {
    results: fates.map((f, i) => (f.write === 'ok' ? String(writes[i]!.length) : f.write)),
    rxPackets: accepted.length,
    rxBytes: accepted.reduce((s, f) => s + f.len, 0),
    refused: n((f) => f.write !== 'ok'),
    rxDropped: n((f) => f.write !== 'ok' && f.counted),
    backlogDrops: 0,
    rxNoHandler: then('rxNoHandler'),
    rxOtherHost: then('rxOtherHost'),
    rxErrors: then('rxErrors'),
    InReceives: accepted.length - then('rxNoHandler') - then('rxOtherHost') - then('rxErrors') - then('arp'),
    InHdrErrors: then('InHdrErrors'),
    InAddrErrors: then('InAddrErrors'),
    ReasmReqds: then('ReasmReqds'),
    ForwDatagrams: then('ForwDatagrams'),
    FragFails: then('FragFails'),
    InNoRoutes: then('InNoRoutes'),
    ipBalance: 0,
    protoBalance: 0,
    'icmp.InMsgs': then('icmp.InMsgs'),
    'icmp.InErrors': then('icmp.InErrors'),
    'udp.InDatagrams': then('udp.InDatagrams'),
    'udp.InCsumErrors': then('udp.InCsumErrors'),
    'udp.NoPorts': then('udp.NoPorts'),
    'tcp.InSegs': then('tcp.InSegs'),
    'tcp.InErrs': then('tcp.InErrs'),
    InUnknownProtos: then('InUnknownProtos'),
    'udp.InErrors (less checksum errors)': then('udp.InErrors'),
    'udp.RcvbufErrors': 0,
    'read back from the socket': 0,
    pendingBeforeTimeout: r.pending,
    expiredEarly: false,
    timeouts: r.pending,
    ReasmTimeout: r.pending,
    failsByTimeout: r.pending,
    completedLate: 0,
    inFlightAtEnd: 0,
  };
  expect(got).toEqual(want);
}

describe.each<Mode>(['tun', 'tun-pi', 'tap', 'tun-fwd'])('%s: random and mutated packets written into the device', (mode) => {
  let rig: Rig;
  let cases = 0;
  beforeAll(async () => {
    rig = await makeRig(mode);
  });
  afterAll(() => {
    expect(rig.panics).toEqual([]);
    expect(crashes(rig.w)).toEqual([]);
  });

  it(`counts every packet in the right place (${numRuns} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(writesFor(mode), fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }), async (writes, down) => {
        // A failed case may leave the world in any state: start again from a fresh one. So does a
        // long run now and then, before 40 s a case add up to a virtual clock past 2^53 ns.
        if (rig.panics.length || ++cases % 10_000 === 0) rig = await makeRig(mode);
        const r = await runCase(rig, writes, down);
        expect(rig.panics).toEqual([]);
        expect(crashes(rig.w)).toEqual([]);
        check(rig, writes, down, r);
      }),
      { numRuns },
    );
  }, budgetMs(10));
});
