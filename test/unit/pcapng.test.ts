// Reading pcapng as libpcap does for tcpdump -r: a file written by Wireshark's editcap, tunlab's
// own files, and libpcap's refusals (mixed link types, packets before an interface, cut blocks).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../userland/lib/escapes.js';
import { isPcapError, LINKTYPE_ETHERNET, LINKTYPE_RAW, readPcap, type PcapFile } from '../../userland/lib/pcap.js';
import { LINKTYPE_LINUX_SLL2, type PcapngFile, PcapngWriter, readPcapng } from '../../userland/lib/pcapng.js';

const numRuns = Number(process.env.FUZZ_RUNS ?? 2000);
const vector = (rel: string) => new Uint8Array(readFileSync(fileURLToPath(new URL(rel, import.meta.url))));

function ok(bytes: Uint8Array): PcapngFile {
  const f = readPcapng(bytes);
  if (isPcapError(f)) throw new Error(f.message);
  return f;
}

const concat = concatBytes;

const frame = (n: number) => Uint8Array.from({ length: 60 }, (_, i) => (i * 7 + n) & 0xff);

describe('readPcapng', () => {
  it('reads what editcap wrote: the same packets, times and lengths as the classic pcap it came from', () => {
    const ng = ok(vector('./capture-vectors/tls-auth.pcapng'));
    const classic = readPcap(vector('./openvpn/vectors/tls/tls-auth.pcap')) as PcapFile;
    expect(ng.linkType).toBe(LINKTYPE_ETHERNET);
    expect(ng.snaplen).toBe(262144);
    expect(ng.packets.length).toBe(classic.packets.length);
    expect(ng.packets.length).toBeGreaterThan(10);
    ng.packets.forEach((p, i) => {
      const c = classic.packets[i]!;
      expect([p.tsSec, p.tsUsec, p.origLen]).toEqual([c.tsSec, c.tsUsec, c.origLen]);
      expect(p.data).toEqual(c.data);
    });
  });

  it('reads back what tunlab writes, nanoseconds, interfaces and all', () => {
    const w = new PcapngWriter();
    const a = w.addInterface({ linkType: LINKTYPE_LINUX_SLL2, snaplen: 262144, name: '/dev/net/ipro1000/0', description: 'haiku' });
    const b = w.addInterface({ linkType: LINKTYPE_LINUX_SLL2, snaplen: 262144, name: 'tun/0' });
    const bytes = concat([
      w.header(),
      a.block,
      w.packet({ interfaceId: a.id, timestampNs: 1_767_225_600_000_000_123n, data: frame(1), origLen: 60, direction: 'out', comment: 'journey 1' }),
      b.block,
      w.packet({ interfaceId: b.id, timestampNs: 1_767_225_601_500_000_000n, data: frame(2).subarray(0, 40), origLen: 90 }),
    ]);
    const f = ok(bytes);
    expect(f.linkType).toBe(LINKTYPE_LINUX_SLL2);
    expect(f.interfaces.map((i) => i.name)).toEqual(['/dev/net/ipro1000/0', 'tun/0']);
    expect(f.packets.map((p) => [p.interfaceId, p.tsSec, p.tsNsec, p.tsUsec, p.origLen, p.data.length])).toEqual([
      [0, 1_767_225_600, 123, 0, 60, 60],
      [1, 1_767_225_601, 500_000_000, 500_000, 90, 40],
    ]);
    expect(f.packets[0]!.data).toEqual(frame(1));
  });

  it('refuses as libpcap does, keeping the packets read before the problem', () => {
    const w = new PcapngWriter();
    const eth = w.addInterface({ linkType: LINKTYPE_ETHERNET, snaplen: 262144, name: 'eth' });
    const raw = w.addInterface({ linkType: LINKTYPE_RAW, snaplen: 262144, name: 'tun/0' });
    const p0 = w.packet({ interfaceId: 0, timestampNs: 0n, data: frame(0), origLen: 60 });
    const mixed = readPcapng(concat([w.header(), eth.block, p0, raw.block, p0]));
    expect(isPcapError(mixed) && [mixed.message, mixed.packets.length]).toEqual(['an interface has a type 101 different from the type of the first interface', 1]);

    const early = readPcapng(concat([w.header(), p0, eth.block]));
    expect(isPcapError(early) && early.message).toBe('the capture file has a packet block before any Interface Description Blocks');

    const none = readPcapng(w.header());
    expect(isPcapError(none) && none.message).toBe('the capture file has no Interface Description Blocks');

    const noSuch = readPcapng(concat([w.header(), eth.block, new PcapngWriter().packet({ interfaceId: 3, timestampNs: 0n, data: frame(0), origLen: 60 })]));
    expect(isPcapError(noSuch) && noSuch.message).toBe("a packet arrived on interface 3, but there's no Interface Description Block for that interface");

    const whole = concat([w.header(), eth.block, p0]);
    const cut = readPcapng(whole.subarray(0, whole.length - 10));
    expect(isPcapError(cut) && cut.message).toMatch(/^truncated pcapng dump file; tried to read \d+ bytes, only got \d+$/);

    const odd = whole.slice();
    new DataView(odd.buffer).setUint32(whole.length - p0.length + 4, 61, true);
    expect((readPcapng(odd) as { message: string }).message).toBe('block in pcapng dump file has a length of 61 that is not a multiple of 4');

    const notNg = readPcapng(vector('./openvpn/vectors/tls/tls-auth.pcap'));
    expect(isPcapError(notNg) && notNg.message).toBe('unknown file format');
  });

  it('never throws on any bytes, and reads no more packets than the file holds', () => {
    const w = new PcapngWriter();
    const eth = w.addInterface({ linkType: LINKTYPE_ETHERNET, snaplen: 262144, name: 'eth' });
    const good = concat([w.header(), eth.block, w.packet({ interfaceId: 0, timestampNs: 5n, data: frame(3), origLen: 60 })]);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat(good.length), (flips, len) => {
        const bytes = good.slice(0, len);
        for (const [at, v] of flips) if (at < bytes.length) bytes[at] = v;
        const r = readPcapng(bytes);
        const packets = isPcapError(r) ? r.packets : r.packets;
        expect(packets.length).toBeLessThanOrEqual(1);
      }),
      { numRuns },
    );
  });
});
