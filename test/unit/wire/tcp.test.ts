import { describe, expect, it } from 'vitest';
import {
  TCP_ACK,
  TCP_AE,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  TcpPacket,
  TcpRepr,
  WireError,
  buildTcpPacket,
  parseIpv4,
  parseTcpOptions,
  tcpOptionsLen,
  type TcpOption,
} from '../../../kernel/abi/wire/index.js';
import { capturedSegments } from '../tcp/vectors.js';
import { hex, toHex } from './hex.js';

const A = parseIpv4('10.77.0.1')!;
const B = parseIpv4('10.77.0.2')!;

function parse(bytes: Uint8Array, src: number, dst: number, lenient = false): TcpRepr | WireError {
  const p = TcpPacket.checked(bytes);
  return p instanceof WireError ? p : TcpRepr.parse(p, src, dst, { lenientOptions: lenient });
}

function reasonOf(x: unknown): string {
  expect(x).toBeInstanceOf(WireError);
  return (x as WireError).reason;
}

describe('TCP segments of a real Linux 6.18 connection (handshake-data-close-default-sysctls.pcap)', () => {
  const segs = capturedSegments('handshake-data-close-default-sysctls.pcap');

  it('parses the SYN: absolute ISN, window 64240, options mss,sackOK,TS,nop,wscale in that order', () => {
    const syn = parse(segs[0]!.tcp, A, B) as TcpRepr;
    expect(syn).toMatchObject({ srcPort: 44290, dstPort: 5002, seq: 1424276701, ack: 0, flags: TCP_SYN, window: 64240, urgent: 0 });
    expect(syn.options).toEqual<TcpOption[]>([
      { kind: 'mss', mss: 1460 },
      { kind: 'sackPermitted' },
      { kind: 'timestamp', tsval: 0x62984c5e, tsecr: 0 },
      { kind: 'nop' },
      { kind: 'wscale', shift: 10 },
    ]);
    expect(syn.payload.length).toBe(0);
  });

  it('parses the SYN-ACK, a data segment and the FIN', () => {
    const synack = parse(segs[1]!.tcp, B, A) as TcpRepr;
    expect(synack).toMatchObject({ seq: 3195324142, ack: 1424276702, flags: TCP_SYN | TCP_ACK, window: 65160 });
    expect(synack.options[2]).toEqual({ kind: 'timestamp', tsval: 0xe881bf94, tsecr: 0x62984c5e });
    const data = parse(segs[3]!.tcp, A, B) as TcpRepr;
    expect(data).toMatchObject({ flags: TCP_PSH | TCP_ACK, window: 63 });
    expect(data.options.map((o) => o.kind)).toEqual(['nop', 'nop', 'timestamp']);
    expect(data.payload.length).toBe(100);
    const fin = parse(segs[7]!.tcp, A, B) as TcpRepr;
    expect(fin.flags).toBe(TCP_FIN | TCP_ACK);
  });

  it('re-emits every segment of the capture byte for byte, checksum included', () => {
    for (const s of segs) {
      const repr = parse(s.tcp, s.src, s.dst) as TcpRepr;
      expect(toHex(buildTcpPacket(repr, s.src, s.dst))).toBe(toHex(s.tcp));
    }
  });

  it('binds the checksum to the pseudo-header', () => {
    expect(reasonOf(parse(segs[0]!.tcp, A, B + 1))).toMatch(/bad checksum/);
    const p = TcpPacket.checked(segs[0]!.tcp) as TcpPacket;
    expect(p.verifyChecksum(A, B)).toBe(true);
    expect(TcpRepr.parse(p, A, B + 1, { checksum: false })).toMatchObject({ seq: 1424276701 });
  });
});

describe('the RSTs Linux sends to a closed port (rst-to-closed-port.pcap)', () => {
  it('are bare headers: win 0, no options', () => {
    const segs = capturedSegments('rst-to-closed-port.pcap');
    const rstAck = parse(segs[1]!.tcp, segs[1]!.src, segs[1]!.dst) as TcpRepr;
    expect(rstAck).toMatchObject({ flags: TCP_RST | TCP_ACK, seq: 0, ack: 3163564905, window: 0, options: [] });
    const rst = parse(segs[3]!.tcp, segs[3]!.src, segs[3]!.dst) as TcpRepr;
    expect(rst).toMatchObject({ flags: TCP_RST, seq: 5000, window: 0 });
    for (const s of segs) expect(toHex(buildTcpPacket(parse(s.tcp, s.src, s.dst) as TcpRepr, s.src, s.dst))).toBe(toHex(s.tcp));
  });
});

describe('TCP header rules', () => {
  const base: TcpRepr = { srcPort: 8080, dstPort: 40000, seq: 1, ack: 2, flags: TCP_ACK, window: 257, urgent: 0, options: [], payload: new Uint8Array(0) };

  it('refuses a header shorter than 20 bytes or a data offset past the segment', () => {
    expect(reasonOf(TcpPacket.checked(new Uint8Array(19)))).toBe('TCP: header truncated (19 < 20 bytes)');
    const b = buildTcpPacket(base, A, B);
    b[12] = 0x40;
    expect(reasonOf(TcpPacket.checked(b))).toBe('TCP: data offset < 5 (4)');
    b[12] = 0x60;
    expect(reasonOf(TcpPacket.checked(b))).toBe('TCP: header length exceeds segment (24 > 20 bytes)');
  });

  it('carries the AE bit in byte 12 and keeps the reserved bits apart', () => {
    const b = buildTcpPacket({ ...base, flags: TCP_AE | TCP_ACK }, A, B);
    expect(b[12]).toBe(0x51);
    expect(b[13]).toBe(0x10);
    const p = new TcpPacket(b);
    expect(p.flags).toBe(TCP_AE | TCP_ACK);
    expect(p.reserved).toBe(0);
  });

  it('pads options with end-of-list to a word and refuses more than 40 bytes', () => {
    const b = buildTcpPacket({ ...base, options: [{ kind: 'wscale', shift: 7 }] }, A, B);
    expect(toHex(b.subarray(20, 24))).toBe('03030700');
    expect((parse(b, A, B) as TcpRepr).options).toEqual([{ kind: 'wscale', shift: 7 }, { kind: 'eol' }]);
    const sack: TcpOption = { kind: 'sack', blocks: [[1, 2], [3, 4], [5, 6], [7, 8]] };
    expect(tcpOptionsLen([{ kind: 'nop' }, { kind: 'nop' }, sack])).toBe(36);
    expect(() => buildTcpPacket({ ...base, options: [sack, { kind: 'timestamp', tsval: 1, tsecr: 2 }] }, A, B)).toThrow(RangeError);
  });

  it('round-trips SACK blocks, unknown kinds and known kinds with a wrong length', () => {
    const opts: TcpOption[] = [
      { kind: 'nop' },
      { kind: 'nop' },
      { kind: 'sack', blocks: [[0xfffffff0, 0x10]] },
      { kind: 'unknown', type: 34, data: hex('0102030405060708') },
      { kind: 'unknown', type: 2, data: hex('05') },
    ];
    const repr = { ...base, options: opts, payload: hex('6869') };
    const again = parse(buildTcpPacket(repr, A, B), A, B) as TcpRepr;
    expect(again.options).toEqual([...opts, { kind: 'eol' }]);
    expect(toHex(again.payload)).toBe('6869');
  });

  it('refuses a malformed option when strict and stops before it when lenient', () => {
    expect(reasonOf(parseTcpOptions(hex('020405b40800')))).toBe('TCP: option 8 has bad length 0');
    expect(reasonOf(parseTcpOptions(hex('01010308')))).toBe('TCP: option 3 has bad length 8');
    expect(reasonOf(parseTcpOptions(hex('0101010102')))).toBe('TCP: option 2 truncated');
    expect(parseTcpOptions(hex('020405b40800'), true)).toEqual([{ kind: 'mss', mss: 1460 }]);
    const b = buildTcpPacket({ ...base, options: [{ kind: 'mss', mss: 1460 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'nop' }] }, A, B);
    b[24] = 8;
    b[25] = 1;
    new TcpPacket(b).fillChecksum(A, B);
    expect(reasonOf(parse(b, A, B))).toBe('TCP: option 8 has bad length 1');
    expect((parse(b, A, B, true) as TcpRepr).options).toEqual([{ kind: 'mss', mss: 1460 }]);
  });
});
