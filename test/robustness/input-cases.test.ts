// The named cases behind the input properties: that the harness would see a kernel exception at
// all, each write error of reference §2 with its counter, and the fragment cases that broke the
// reassembler (a RangeError thrown in the kernel; an oversized datagram lost without a count).

import { describe, expect, it } from 'vitest';
import { buildIcmpPacket, buildIpv4Packet, IPPROTO_ICMP, IPPROTO_UDP, Ipv4Packet, parseIpv4 } from '../../kernel/abi/wire/index.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { crashes, guardedWorld, runBounded } from './harness.js';
import { makeRig, runCase } from './input-rig.js';

const ip = (s: string) => parseIpv4(s)!;

/** A fragment from 10.8.0.1 to 10.8.0.2: `len` payload bytes at `offset`, with `optionWords` of NOP options. */
function frag(offset: number, len: number, mf: boolean, opts: { ident?: number; optionWords?: number; protocol?: number } = {}): Uint8Array {
  const words = opts.optionWords ?? 0;
  const p = buildIpv4Packet(
    { src: ip('10.8.0.1'), dst: ip('10.8.0.2'), protocol: opts.protocol ?? IPPROTO_UDP, ttl: 64, ident: opts.ident ?? 7, tos: 0, dontFragment: false, moreFragments: mf, fragmentOffset: offset },
    new Uint8Array(words * 4 + len).fill(1, 0, words * 4),
  );
  const v = new Ipv4Packet(p);
  v.ihl = 5 + words;
  v.fillChecksum();
  return p;
}

describe('the harness', () => {
  it('sees a kernel exception: the panic is recorded and the run fails loudly', async () => {
    const { w, panics } = guardedWorld([]);
    w.sched.soon(() => {
      throw new Error('a bug in a soft interrupt');
    });
    await expect(w.run()).rejects.toThrow('a bug in a soft interrupt');
    expect(panics).toHaveLength(1);
  });

  it('sees a crashed program, and kills one that never ends', async () => {
    const crash = defineProgram({ name: 'crash', summary: '', main: () => JSON.parse('{') as number });
    const spin = defineProgram({
      name: 'spin',
      summary: '',
      async main(_a, sys) {
        // A real system call: the gate lets the machine run every 512 calls. (A loop with no
        // system call at all would never yield Node's event loop: no harness can stop that.)
        for (;;) await sys.getcwd();
      },
    });
    const { w } = guardedWorld([crash, spin]);
    const r = await runBounded(w, 'haiku', ['crash']);
    expect(r.code).toBe(128 + 11);
    expect(crashes(w)).toEqual([expect.stringMatching(/crash\[\d+\]: crashed: SyntaxError/)]);
    const s = await runBounded(w, 'haiku', ['spin'], { wallMs: 200 });
    expect(s.killed).toBe(true);
    expect(s.code).toBe(128 + 9);
  });
});

describe('write errors of reference §2, each in its counter', () => {
  it('TUN without PI: a bad version nibble is EINVAL and rx_dropped; IPv6 is accepted, rx_nohandler', async () => {
    const rig = await makeRig('tun');
    const good = frag(0, 8, false);
    const r = await runCase(rig, [new Uint8Array(0), new Uint8Array([0x50, 0, 0, 0]), new Uint8Array([0x60, 0, 0, 0]), good], false);
    expect(r.results).toEqual(['EINVAL', 'EINVAL', '4', String(good.length)]);
    expect([r.d.rxDropped, r.d.rxPackets, r.d.rxNoHandler, r.d.InReceives]).toEqual([2, 2, 1, 1]);
  });

  it('TUN without PI, down: EIO and rx_dropped, after the EINVAL checks', async () => {
    const rig = await makeRig('tun');
    const r = await runCase(rig, [new Uint8Array([0x10]), frag(0, 8, false)], true);
    expect(r.results).toEqual(['EINVAL', 'EIO']);
    expect([r.d.rxDropped, r.d.rxPackets, r.d.InReceives]).toEqual([2, 0, 0]);
  });

  it('TUN with PI: shorter than 4 bytes is EINVAL and not counted; an unknown protocol is rx_nohandler', async () => {
    const rig = await makeRig('tun-pi');
    const r = await runCase(rig, [new Uint8Array(3), new Uint8Array([0, 0, 0x12, 0x34, 0x45]), new Uint8Array([0, 0, 8, 0, 0x99])], false);
    expect(r.results).toEqual(['EINVAL', '5', '5']);
    // With PI the version nibble is not the driver's business: IP finds the header bad.
    expect([r.d.rxDropped, r.d.rxPackets, r.d.rxNoHandler, r.d.InHdrErrors]).toEqual([0, 2, 1, 1]);
  });

  it('TAP: shorter than an Ethernet header is EINVAL and not counted; down is EIO', async () => {
    const rig = await makeRig('tap');
    const r = await runCase(rig, [new Uint8Array(13), new Uint8Array(14)], true);
    expect(r.results).toEqual(['EINVAL', 'EIO']);
    expect([r.d.rxDropped, r.d.rxPackets]).toEqual([1, 0]);
  });
});

describe('forwarding', () => {
  it('a packet whose TTL runs out is counted in InHdrErrors (as Linux), ICMP error or not', async () => {
    // Before the fix it was counted nowhere; with a source RFC 1122 forbids an error to, not at all.
    const rig = await makeRig('tun-fwd');
    const pkt = (src: string, ttl: number, dst = '10.8.0.1') =>
      buildIpv4Packet({ src: ip(src), dst: ip(dst), protocol: IPPROTO_UDP, ttl, ident: 1, tos: 0, dontFragment: false, moreFragments: false, fragmentOffset: 0 }, new Uint8Array(8));
    const r = await runCase(rig, [pkt('10.8.0.1', 1), pkt('0.0.0.0', 1), pkt('10.8.0.1', 2), pkt('10.8.0.1', 9, '172.16.0.1')], false);
    expect([r.d.InHdrErrors, r.d['icmp.OutTimeExcds'], r.d.ForwDatagrams, r.d.InAddrErrors, r.d.InNoRoutes]).toEqual([2, 1, 1, 0, 1]);
  });

  it('a packet no route covers is net unreachable in IpExt InNoRoutes whatever its TTL, as Linux routes before ip_forward()', async () => {
    // Before the fix: counted in Ip OutNoRoutes (Linux keeps that for this host's own packets),
    // and a TTL of 1 was answered with time exceeded.
    const rig = await makeRig('tun-fwd');
    const pkt = (ttl: number) =>
      buildIpv4Packet({ src: ip('10.8.0.1'), dst: ip('172.16.0.1'), protocol: IPPROTO_UDP, ttl, ident: 1, tos: 0, dontFragment: false, moreFragments: false, fragmentOffset: 0 }, new Uint8Array(8));
    const r = await runCase(rig, [pkt(1), pkt(9)], false);
    expect([r.d.InNoRoutes, r.d.OutNoRoutes, r.d.InHdrErrors, r.d['icmp.OutTimeExcds'], r.d['icmp.OutDestUnreachs']]).toEqual([2, 0, 0, 0, 2]);
  });
});

describe('fragments', () => {
  it('a last fragment ending before a piece already queued is discarded, not a kernel RangeError', async () => {
    // Before the fix: bytes (0 + 8 + 8) matched the total (16) with a hole at 0..8 and a piece at
    // 24..32, and the reassembler wrote that piece past its buffer.
    const rig = await makeRig('tun');
    const r = await runCase(rig, [frag(0, 0, true), frag(24, 8, true), frag(8, 8, false)], false);
    expect(rig.panics).toEqual([]);
    expect(r.d['reasm.reqds']).toBe(3);
    expect(r.d['reasm.oks']).toBe(0);
    expect(r.d['reasm.fails']).toBe(1);
    // The first piece's datagram was discarded; the one the later pieces began never completes.
    expect(r.pending).toBe(0);
  });

  it('a datagram that options make longer than 65535 bytes fails reassembly, counted', async () => {
    // 60-byte headers: 60 + 65512 > 65535. Before the fix it was built with a wrapped total length,
    // failed to parse, and was lost with nothing counting it.
    const rig = await makeRig('tun');
    const first = frag(0, 65456, true, { optionWords: 10, ident: 9 });
    const last = frag(65456, 56, false, { optionWords: 10, ident: 9 });
    const r = await runCase(rig, [first, last], false);
    expect(r.results).toEqual([String(first.length), String(last.length)]);
    expect([r.d['reasm.reqds'], r.d['reasm.oks'], r.d['reasm.fails'], r.d.InDelivers]).toEqual([2, 0, 1, 0]);
  });

  it('overlapping fragments drop the datagram (as Linux since FragmentSmack); a clean one completes', async () => {
    const rig = await makeRig('tun');
    const data = buildIcmpPacket({ kind: 'echo-request', ident: 1, seq: 1, data: new Uint8Array(40) });
    const whole = buildIpv4Packet({ src: ip('10.8.0.1'), dst: ip('10.8.0.2'), protocol: IPPROTO_ICMP, ttl: 64, ident: 3, tos: 0, dontFragment: false, moreFragments: false, fragmentOffset: 0 }, data);
    const piece = (off: number, end: number, mf: boolean) => {
      const p = new Uint8Array(20 + end - off);
      p.set(whole.subarray(0, 20));
      p.set(whole.subarray(20 + off, 20 + end), 20);
      const v = new Ipv4Packet(p);
      v.totalLen = p.length;
      v.fragmentOffset = off;
      v.moreFragments = mf;
      v.fillChecksum();
      return p;
    };
    const r = await runCase(rig, [piece(0, 24, true), piece(16, 48, false), piece(0, 24, true), piece(24, 48, false)], false);
    expect([r.d['reasm.reqds'], r.d['reasm.fails'], r.d['reasm.oks'], r.d['icmp.InEchos']]).toEqual([4, 1, 1, 1]);
  });

  it('fragments that never complete time out after 30 s of virtual time, with ReasmTimeout and ICMP time exceeded', async () => {
    const rig = await makeRig('tun');
    const r = await runCase(rig, [frag(0, 16, true, { ident: 1 }), frag(16, 8, true, { ident: 2 })], false);
    expect(r.pending).toBe(2);
    expect(r.pendingBeforeTimeout).toBe(2);
    expect(r.dEnd.ReasmTimeout! - r.d.ReasmTimeout!).toBe(2);
    expect(r.dEnd['reasm.timeouts']! - r.d['reasm.timeouts']!).toBe(2);
    // Only the datagram whose first fragment came in gets a time exceeded (RFC 792).
    expect(r.dEnd['icmp.OutTimeExcds']! - r.d['icmp.OutTimeExcds']!).toBe(1);
    expect(rig.k.net.reassembler.inFlight).toBe(0);
  });
});
