import { describe, expect, it } from 'vitest';
import { checksumAccumulateRange, checksumFinish, pseudoHeaderSum } from '../../../kernel/abi/wire/checksum.js';
import { PACKET_ID_LONG_SIZE } from '../../../userland/bin/openvpn/data-channel.js';
import { clampMss, mssFixValue } from '../../../userland/bin/openvpn/mssfix.js';

const udp = { tunMtu: 1500, tunMtuSet: false, proto: 'udp' as const };
const cbc = (hmac: number, iv: number, block: number) => ({ header: hmac + iv + PACKET_ID_LONG_SIZE, cbcBlock: block, packetId: PACKET_ID_LONG_SIZE });

describe('mssfix value', () => {
  it('is 1359 for a static key with AES-256-CBC + HMAC-SHA256 over UDP, as 2.6.14 clamps on the wire', () => {
    expect(mssFixValue(udp, cbc(32, 16, 16))).toBe(1359);
  });

  it('follows the HMAC, the block rounding and the encapsulation', () => {
    // SHA1: 1492 - 28 - 44 = 1420, rounded down to 1408, one byte of padding, the packet id.
    expect(mssFixValue(udp, cbc(20, 16, 16))).toBe(1359);
    // SHA512: 1492 - 28 - 88 = 1376: already whole blocks.
    expect(mssFixValue(udp, cbc(64, 16, 16))).toBe(1376 - 1 - 8 - 40);
    // Over TCP: IPv4 + TCP and the 2-byte length instead of IPv4 + UDP.
    expect(mssFixValue({ ...udp, proto: 'tcp-client' }, cbc(32, 16, 16))).toBe(1392 - 1 - 8 - 40);
    // Cleartext: only the encapsulation.
    expect(mssFixValue(udp, null)).toBe(1492 - 28 - 40);
  });

  it('is --tun-mtu less the IPv4 and TCP headers when --tun-mtu is given', () => {
    expect(mssFixValue({ ...udp, tunMtu: 1400, tunMtuSet: true }, cbc(32, 16, 16))).toBe(1360);
  });
});

/** An IPv4 TCP segment from 10.8.0.1 to 10.8.0.2 with these flags and options, checksums right. */
function segment(flags: number, options: number[]): Uint8Array {
  const tcpLen = 20 + options.length;
  const p = new Uint8Array(20 + tcpLen);
  p.set([0x45, 0, 0, p.length, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 8, 0, 1, 10, 8, 0, 2]);
  const t = 20;
  p.set([0x9c, 0x40, 0x23, 0x28, 0, 0, 0, 1, 0, 0, 0, 0, (tcpLen / 4) << 4, flags, 0xfa, 0xf0], t);
  p.set(options, t + 20);
  const sum = checksumFinish(checksumAccumulateRange(p, t, p.length, pseudoHeaderSum(0x0a080001, 0x0a080002, 6, tcpLen)));
  p[t + 16] = sum >> 8;
  p[t + 17] = sum & 0xff;
  return p;
}

const tcpChecksumOk = (p: Uint8Array) => checksumFinish(checksumAccumulateRange(p, 20, p.length, pseudoHeaderSum(0x0a080001, 0x0a080002, 6, p.length - 20))) === 0;
/** The 16-bit value at offset `at` of the TCP header. */
const mssOf = (p: Uint8Array, at: number) => (p[20 + at]! << 8) | p[21 + at]!;

describe('clampMss', () => {
  const SYN = 0x02;
  const ACK = 0x10;
  // MSS 1460, SACK permitted, timestamps, NOP, window scale: Linux's SYN.
  const linux = [2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7];

  it('lowers a SYN’s MSS and keeps its checksum right', () => {
    const p = segment(SYN, linux);
    expect(tcpChecksumOk(p)).toBe(true);
    clampMss(p, 1359);
    expect(mssOf(p, 22)).toBe(1359);
    expect(tcpChecksumOk(p)).toBe(true);
  });

  it('does so for a SYN-ACK, and for an MSS at an odd offset (after a NOP)', () => {
    const p = segment(SYN | ACK, [1, 2, 4, 0x05, 0xb4, 1, 1, 1]);
    clampMss(p, 1359);
    expect(mssOf(p, 23)).toBe(1359);
    expect(tcpChecksumOk(p)).toBe(true);
  });

  it('leaves a smaller MSS, a segment without SYN, and a later fragment alone', () => {
    const small = segment(SYN, [2, 4, 0x02, 0x18]);
    const before = small.slice();
    clampMss(small, 1359);
    expect(small).toEqual(before);
    const data = segment(ACK, linux);
    const dataBefore = data.slice();
    clampMss(data, 1359);
    expect(data).toEqual(dataBefore);
    const frag = segment(SYN, linux);
    // A later fragment (offset 128): what looks like a TCP header is the middle of the data.
    frag[6] = 0;
    frag[7] = 16;
    const fragBefore = frag.slice();
    clampMss(frag, 1359);
    expect(frag).toEqual(fragBefore);
  });
});
