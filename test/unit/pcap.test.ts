import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
  PcapWriter,
  isPcapError,
  readPcap,
  writePcap,
  type PcapFile,
} from '../../userland/lib/pcap.js';

const numRuns = Number(process.env.FUZZ_RUNS ?? 2000);
const VECTOR = new Uint8Array(
  readFileSync(fileURLToPath(new URL('./openvpn/vectors/real-openvpn-2.6.14-static.pcap', import.meta.url))),
);

function ok(bytes: Uint8Array): PcapFile {
  const f = readPcap(bytes);
  if (isPcapError(f)) throw new Error(f.message);
  return f;
}
function err(bytes: Uint8Array): string {
  const f = readPcap(bytes);
  if (!isPcapError(f)) throw new Error('read, but should not have');
  return f.message;
}

describe('readPcap', () => {
  it('reads the tcpdump capture of the OpenVPN vector', () => {
    const f = ok(VECTOR);
    expect(f).toMatchObject({ linkType: LINKTYPE_ETHERNET, snaplen: 262144, nanosecond: false, littleEndian: true, versionMajor: 2, versionMinor: 4 });
    expect(f.packets.length).toBe(29);
    expect(f.packets[0]).toMatchObject({ tsSec: 1795443056, tsUsec: 829837, tsNsec: 829837000, origLen: 122 });
    expect(f.packets[0]!.data.length).toBe(122);
    expect(f.packets.reduce((n, p) => n + 16 + p.data.length, 24)).toBe(VECTOR.length);
  });

  it('names what is wrong with a damaged file', () => {
    expect(err(new Uint8Array(0))).toBe('truncated global header: 0 of 24 bytes');
    expect(err(VECTOR.slice(0, 23))).toBe('truncated global header: 23 of 24 bytes');
    expect(err(new Uint8Array(24).fill(0x41))).toBe('not a pcap file: magic 0x41414141');
    expect(err(Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a, ...new Uint8Array(28)))).toMatch(/pcapng/);
    const v3 = VECTOR.slice(0, 24);
    v3[4] = 3;
    expect(err(v3)).toBe('unsupported pcap version 3.4 (expected 2.4)');
    expect(err(VECTOR.slice(0, 30))).toBe('truncated record header of packet 1 at offset 24: 6 of 16 bytes');
    const cut = readPcap(VECTOR.slice(0, 24 + 138 + 16 + 50));
    expect(cut).toMatchObject({
      kind: 'pcap-error',
      message: 'truncated data of packet 2 at offset 178: record says 122 bytes, 50 left',
      offset: 178,
    });
    if (isPcapError(cut)) expect(cut.packets.length).toBe(1);
  });

  it('never throws on garbage', () => {
    const header = VECTOR.slice(0, 24);
    const arb = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.uint8Array({ maxLength: 300 }).map((b) => new Uint8Array([...header, ...b])),
      fc.tuple(fc.integer({ min: 0, max: VECTOR.length }), fc.integer({ min: 0, max: VECTOR.length - 1 }), fc.integer({ min: 0, max: 255 })).map(
        ([len, at, v]) => {
          const b = VECTOR.slice(0, len);
          if (at < b.length) b[at] = v;
          return b;
        },
      ),
    );
    fc.assert(
      fc.property(arb, (bytes) => {
        const f = readPcap(bytes);
        if (!isPcapError(f)) for (const p of f.packets) expect(p.data.length).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns },
    );
  });
});

describe('PcapWriter', () => {
  const packet = fc.record({
    tsNs: fc.bigInt({ min: 0n, max: 0xffffffffn * 1_000_000_000n + 999_999_999n }),
    data: fc.uint8Array({ maxLength: 100 }),
  });

  it('round-trips in every byte order and resolution', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(LINKTYPE_ETHERNET, LINKTYPE_RAW, LINKTYPE_NULL),
        fc.boolean(),
        fc.boolean(),
        fc.array(packet, { maxLength: 6 }),
        (linkType, nanosecond, littleEndian, packets) => {
          const f = ok(writePcap({ linkType, nanosecond, littleEndian }, packets));
          expect(f).toMatchObject({ linkType, nanosecond, littleEndian, snaplen: 262144 });
          expect(f.packets.length).toBe(packets.length);
          f.packets.forEach((p, i) => {
            const ns = packets[i]!.tsNs;
            expect(BigInt(p.tsSec)).toBe(ns / 1_000_000_000n);
            const frac = Number(ns % 1_000_000_000n);
            expect(p.tsNsec).toBe(nanosecond ? frac : Math.floor(frac / 1000) * 1000);
            expect(p.tsUsec).toBe(Math.floor(frac / 1000));
            expect(p.data).toEqual(packets[i]!.data);
            expect(p.origLen).toBe(packets[i]!.data.length);
          });
        },
      ),
      { numRuns: Math.min(numRuns, 500) },
    );
  });

  it('writes the same bytes tcpdump wrote', () => {
    const f = ok(VECTOR);
    const w = new PcapWriter({ linkType: LINKTYPE_ETHERNET });
    const parts = [w.header(), ...f.packets.map((p) => w.record(BigInt(p.tsSec) * 1_000_000_000n + BigInt(p.tsNsec), p.data))];
    expect(Buffer.concat(parts)).toEqual(Buffer.from(VECTOR));
  });

  it('cuts packets at the snaplen and keeps the original length', () => {
    const w = new PcapWriter({ linkType: LINKTYPE_RAW, snaplen: 10 });
    const f = ok(Buffer.concat([w.header(), w.record(1_500_000_000_123_456_789, new Uint8Array(30).fill(9))]));
    expect(f.snaplen).toBe(10);
    expect(f.packets[0]).toMatchObject({ tsSec: 1_500_000_000, tsUsec: 123_456, origLen: 30 });
    expect(f.packets[0]!.data).toEqual(new Uint8Array(10).fill(9));
    // A number timestamp is exact enough for microseconds at present-day times.
    const g = ok(Buffer.concat([w.header(), w.record(1_795_443_056_829_837_000, new Uint8Array(1))]));
    expect(g.packets[0]).toMatchObject({ tsSec: 1_795_443_056, tsUsec: 829_837 });
  });
});
