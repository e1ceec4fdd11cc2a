// Software GSO and GRO on their own: a super-packet cut into segments (headers, IDs, sequence
// numbers, flags and checksums of each piece) and merged back (GRO's rules for what joins a flow's
// packet), with a property that cutting then merging gives back the packet that was cut.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ipv4Packet, buildIpv4Packet, IPPROTO_TCP } from '../../../../kernel/abi/wire/ipv4.js';
import { TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TcpPacket, buildTcpPacket } from '../../../../kernel/abi/wire/tcp.js';
import type { NetInterface } from '../../../../kernel/net/iface/interface.js';
import { NetFeatures, NIC_CHANGEABLE } from '../../../../kernel/net/iface/offload/features.js';
import { groMerge, type RxFrame } from '../../../../kernel/net/iface/offload/gro.js';
import { gsoSegment, partialTcpChecksum } from '../../../../kernel/net/iface/offload/gso.js';

const SRC = 0x0a00_0001;
const DST = 0x0a00_0002;

interface Spec {
  payload: Uint8Array;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  ident?: number;
  df?: boolean;
  srcPort?: number;
  /** Leave the TCP checksum as GSO does (the pseudo-header's sum only). */
  partial?: boolean;
}

/** An Ethernet frame with a TCP/IPv4 segment (timestamps option, as tunlab's TCP sends). */
function frame(s: Spec): Uint8Array {
  const tcp = buildTcpPacket(
    {
      srcPort: s.srcPort ?? 40000,
      dstPort: 5201,
      seq: s.seq ?? 1000,
      ack: s.ack ?? 77,
      flags: s.flags ?? TCP_ACK,
      window: s.window ?? 500,
      urgent: 0,
      options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'timestamp', tsval: 5, tsecr: 9 }],
      payload: s.payload,
    },
    SRC,
    DST,
  );
  if (s.partial) {
    const c = partialTcpChecksum(SRC, DST, tcp.length);
    tcp[16] = c >> 8;
    tcp[17] = c & 0xff;
  }
  const ip = buildIpv4Packet({ src: SRC, dst: DST, protocol: IPPROTO_TCP, ttl: 64, ident: s.ident ?? 300, tos: 0, dontFragment: s.df ?? true, moreFragments: false, fragmentOffset: 0 }, tcp);
  const f = new Uint8Array(14 + ip.length);
  f.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]);
  f.set(ip, 14);
  return f;
}

const bytes = (n: number, seed = 1): Uint8Array => new Uint8Array(n).map((_, i) => (i * 31 + seed) & 0xff);
const tcpOf = (f: Uint8Array): TcpPacket => new TcpPacket(f.subarray(14 + 20, 14 + new Ipv4Packet(f.subarray(14)).totalLen));

function iface(gro: boolean): NetInterface {
  return { name: 'eth', device: { features: new NetFeatures(NIC_CHANGEABLE, gro ? ['rx-gro'] : []) } } as unknown as NetInterface;
}

describe('software GSO', () => {
  it('cuts a super-packet into MSS segments with their own headers and checksums', () => {
    const data = bytes(3000);
    const whole = frame({ payload: data, seq: 0xffff_fc00, flags: TCP_ACK | TCP_PSH | TCP_FIN | TCP_CWR, ident: 0xfffe, partial: true });
    const pieces = gsoSegment(whole, 14, 1448);
    expect(pieces.map((p) => p.length)).toEqual([14 + 52 + 1448, 14 + 52 + 1448, 14 + 52 + 104]);
    pieces.forEach((p, i) => {
      expect(p.subarray(0, 14)).toEqual(whole.subarray(0, 14));
      const ip = new Ipv4Packet(p.subarray(14));
      expect(ip.totalLen).toBe(p.length - 14);
      expect(ip.ident).toBe((0xfffe + i) & 0xffff);
      expect(ip.verifyChecksum()).toBe(true);
      const t = tcpOf(p);
      expect(t.seq).toBe((0xffff_fc00 + i * 1448) >>> 0);
      expect(t.verifyChecksum(SRC, DST)).toBe(true);
      expect(t.payload).toEqual(data.subarray(i * 1448, i * 1448 + 1448));
      expect(t.flags & TCP_ACK).toBe(TCP_ACK);
      // FIN and PSH belong to the end of the data, CWR to its start.
      expect(t.flags & (TCP_FIN | TCP_PSH)).toBe(i === 2 ? TCP_FIN | TCP_PSH : 0);
      expect(t.flags & TCP_CWR).toBe(i === 0 ? TCP_CWR : 0);
    });
  });

  it('leaves a packet of one segment, and anything not TCP/IPv4, as it is', () => {
    const small = frame({ payload: bytes(1000) });
    expect(gsoSegment(small, 14, 1448)).toEqual([small]);
    const arp = new Uint8Array(60);
    expect(gsoSegment(arp, 14, 1448)).toEqual([arp]);
  });

  it('leaves headroom in front of each piece for a link header', () => {
    const ip = frame({ payload: bytes(4000), partial: true }).subarray(14);
    for (const p of gsoSegment(ip, 0, 1448, 14)) expect(p.byteOffset).toBe(14);
  });
});

describe('GRO', () => {
  it('merges a flow’s in-order segments into one packet with the first one’s headers', () => {
    const data = bytes(5000);
    const segs = gsoSegment(frame({ payload: data, flags: TCP_ACK | TCP_PSH, partial: true }), 14, 1448);
    const i = iface(true);
    const told: Array<[Uint8Array, Uint8Array, number]> = [];
    const out = groMerge(
      segs.map((f): RxFrame => [i, f, 0]),
      (_i, first, packet, n) => told.push([first, packet, n]),
    );
    expect(out).toHaveLength(1);
    const [, merged, gso] = out[0]!;
    // What a journey needs: the merged packet, the first segment it continues, how many it holds.
    expect(told).toEqual([[segs[0], merged, 4]]);
    expect(gso).toBe(1448);
    expect(tcpOf(merged).payload).toEqual(data);
    expect(tcpOf(merged).flags).toBe(TCP_ACK | TCP_PSH);
    expect(new Ipv4Packet(merged.subarray(14)).verifyChecksum()).toBe(true);
  });

  it('does nothing on an interface with GRO off', () => {
    const segs = gsoSegment(frame({ payload: bytes(5000), partial: true }), 14, 1448);
    const i = iface(false);
    const batch = segs.map((f): RxFrame => [i, f, 0]);
    expect(groMerge(batch)).toBe(batch);
  });

  it('keeps flows apart, and ends a packet at a gap, a changed ACK or window, a PSH or a short segment', () => {
    const i = iface(true);
    const seg = (s: Partial<Spec> & { seq: number }): RxFrame => [i, frame({ payload: bytes(1000), ...s }), 0];
    const out = groMerge([
      seg({ seq: 0 }),
      seg({ seq: 0, srcPort: 40001 }),
      seg({ seq: 1000 }),
      seg({ seq: 1000, srcPort: 40001 }),
      seg({ seq: 3000 }), // a gap: a new packet
      seg({ seq: 4000, ack: 78 }), // another ACK
      seg({ seq: 5000, ack: 78, window: 600 }), // another window
      seg({ seq: 6000, ack: 78, window: 600, flags: TCP_ACK | TCP_PSH }), // PSH joins, then ends it
      seg({ seq: 7000, ack: 78, window: 600 }),
      [i, frame({ payload: bytes(10), seq: 8000, ack: 78, window: 600 }), 0], // short: joins and ends it
      seg({ seq: 8010, ack: 78, window: 600 }),
    ]);
    const summary = out.map(([, f, gso]) => {
      const t = tcpOf(f);
      return `${t.srcPort} ${t.seq}+${t.payload.length}${gso ? ` gso ${gso}` : ''}`;
    });
    expect(summary).toEqual(['40000 0+2000 gso 1000', '40000 3000+1000', '40000 4000+1000', '40000 5000+2000 gso 1000', '40000 7000+1010 gso 1000', '40001 0+2000 gso 1000', '40000 8010+1000']);
  });

  it('passes up alone a SYN, a CWR, a bad checksum, a segment without payload, and one longer than the first', () => {
    const i = iface(true);
    const corrupt = frame({ payload: bytes(1000), seq: 2000 });
    corrupt[corrupt.length - 1] ^= 0xff;
    const out = groMerge([
      [i, frame({ payload: bytes(500), seq: 0 }), 0],
      [i, frame({ payload: bytes(1000), seq: 500 }), 0], // longer than the first: ends it, starts anew
      [i, frame({ payload: new Uint8Array(0), seq: 1500 }), 0],
      [i, corrupt, 0],
      [i, frame({ payload: bytes(1000), seq: 3000, flags: TCP_ACK | TCP_CWR }), 0],
      [i, frame({ payload: bytes(1000), seq: 4000, flags: TCP_SYN }), 0],
    ]);
    // Each goes up after what its flow held: the empty segment follows the 1000 bytes before it.
    expect(out.map(([, f, gso]) => `${tcpOf(f).seq}+${tcpOf(f).payload.length}/${gso}`)).toEqual(['0+500/0', '500+1000/0', '1500+0/0', '2000+1000/0', '3000+1000/0', '4000+1000/0']);
  });

  it("never lets a segment it does not hold overtake its flow's held data: a RST, a bare FIN, CWR data", () => {
    const i = iface(true);
    for (const [flags, len] of [[TCP_ACK | TCP_RST, 0], [TCP_ACK | TCP_FIN, 0], [TCP_ACK | TCP_CWR, 1000]] as const) {
      const out = groMerge([
        [i, frame({ payload: bytes(1000), seq: 1000 }), 0],
        [i, frame({ payload: bytes(1000), seq: 2000 }), 0],
        [i, frame({ payload: bytes(len), seq: 3000, flags }), 0],
      ]);
      expect(out.map(([, f, gso]) => `${tcpOf(f).seq}+${tcpOf(f).payload.length}/${gso}`)).toEqual(['1000+2000/1000', `3000+${len}/0`]);
    }
  });

  it('with DF merges only IDs that stay or count up, as inet_gro_receive does; others go up apart', () => {
    const i = iface(true);
    const run = (ids: number[]) =>
      groMerge(ids.map((ident, k) => [i, frame({ payload: bytes(100), seq: 1000 + k * 100, ident }), 0] as RxFrame)).map(([, f]) => tcpOf(f).payload.length);
    expect(run([300, 300, 300])).toEqual([300]);
    expect(run([300, 301, 302])).toEqual([300]);
    expect(run([300, 777])).toEqual([100, 100]);
  });

  it('holds at most eight flows: a ninth sends the oldest up', () => {
    const i = iface(true);
    const batch: RxFrame[] = [];
    for (let port = 0; port < 9; port++) batch.push([i, frame({ payload: bytes(100), seq: 0, srcPort: 1000 + port }), 0]);
    batch.push([i, frame({ payload: bytes(100), seq: 100, srcPort: 1000 }), 0]);
    const ports = groMerge(batch).map(([, f]) => `${tcpOf(f).srcPort}+${tcpOf(f).payload.length}`);
    expect(ports).toEqual(['1000+100', '1001+100', '1002+100', '1003+100', '1004+100', '1005+100', '1006+100', '1007+100', '1008+100', '1000+100']);
  });

  it('gives back what GSO cut, byte for byte (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 65000 }),
        fc.integer({ min: 536, max: 8960 }),
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.constantFrom(TCP_ACK, TCP_ACK | TCP_PSH, TCP_ACK | TCP_FIN | TCP_PSH, TCP_ACK | TCP_ECE),
        (len, mss, seq, ident, flags) => {
          const whole = frame({ payload: bytes(len, seq & 0xff), seq, ident, flags, partial: true });
          const i = iface(true);
          const out = groMerge(gsoSegment(whole, 14, mss).map((f): RxFrame => [i, f, 0]));
          expect(out).toHaveLength(1);
          const [, merged, gso] = out[0]!;
          if (len > mss) {
            expect(gso).toBe(mss);
            // Buffer.compare: a deep equality of 64 KB arrays takes vitest seconds.
            expect(Buffer.compare(merged, whole)).toBe(0);
          } else expect(merged).toBe(whole);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('netdev features', () => {
  it('hold TSO off without scatter-gather and a transmit checksum, and bring it back when they return', () => {
    const f = new NetFeatures(NIC_CHANGEABLE);
    f.setByName(new Map([['tx-tcp-segmentation', true]]));
    expect(f.tso).toBe(false);
    expect(f.get().requested[16]).toBe(true);
    f.setByName(new Map([['tx-scatter-gather', true], ['tx-checksum-ip-generic', true]]));
    expect(f.tso).toBe(true);
    f.setByName(new Map([['tx-checksum-ip-generic', false]]));
    expect([f.tso, f.canGso]).toEqual([false, false]);
    f.setByName(new Map([['tx-generic-segmentation', true]]));
    expect([f.tso, f.canGso]).toEqual([false, true]);
  });

  it('hold GSO off without scatter-gather, as software GSO depends on it (netdev_fix_features)', () => {
    const f = new NetFeatures(NIC_CHANGEABLE);
    f.setByName(new Map([['tx-generic-segmentation', true]]));
    expect([f.gso, f.canGso]).toEqual([false, false]);
    f.setByName(new Map([['tx-scatter-gather', true]]));
    expect([f.gso, f.canGso]).toEqual([true, true]);
  });

  it('ignore a change to a feature the device cannot change', () => {
    const f = new NetFeatures(NIC_CHANGEABLE);
    f.setByName(new Map([['rx-lro', true]]));
    expect(f.get().active.every((on) => !on)).toBe(true);
  });
});
