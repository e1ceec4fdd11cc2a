import { describe, expect, it } from 'vitest';
import { checksumAccumulateRange, checksumFinish, pseudoHeaderSum } from '../../../kernel/abi/wire/checksum.js';
import { PACKET_ID_LONG_SIZE } from '../../../userland/bin/openvpn/data-channel.js';
import { aeadSeal, clampDevicePacket, clampMss, mssFixSetting, mssFixValue } from '../../../userland/bin/openvpn/mssfix.js';

const udp = { tunMtu: 1500, mssfix: null, proto: 'udp' as const };
const tcp = { ...udp, proto: 'tcp-client' as const };
/** A static key's data channel: AES-256-CBC with this HMAC, the long packet id. */
const staticCbc = (hmac: number) => ({ opcode: 0, packetId: PACKET_ID_LONG_SIZE, mode: 'cbc' as const, hmac, iv: 16, block: 16 });
/** TLS mode with P_DATA_V2: AES-256-CBC with this HMAC, the short packet id. */
const tlsCbc = (hmac: number) => ({ opcode: 4, packetId: 4, mode: 'cbc' as const, hmac, iv: 16, block: 16 });
const staticTun = { kind: 'tun' as const, peerIpv4: false };
const tlsTun = { kind: 'tun' as const, peerIpv4: true };
const tlsTap = { kind: 'tap' as const, peerIpv4: true };

// Every value below is what real 2.6.14 put in a SYN crossing the tunnel (tshark on the far tun,
// two network namespaces over a veth), and what its --verb 4 "Data Channel MTU parms" said.
describe('mssfix value, as 2.6.14 clamps', () => {
  it('TLS mode, P_DATA_V2 over UDP: AEAD ciphers 1400, AES-256-CBC 1363 with SHA256 and 1379 with SHA1', () => {
    expect(mssFixValue(udp, tlsTun, aeadSeal(true))).toBe(1400); // AES-256-GCM and CHACHA20-POLY1305 alike
    expect(mssFixValue(udp, tlsTun, tlsCbc(32))).toBe(1363);
    expect(mssFixValue(udp, tlsTun, tlsCbc(20))).toBe(1379);
  });

  it('TLS mode over TCP: the IPv4 + TCP encapsulation and the length field, 1386 with AES-256-GCM', () => {
    expect(mssFixValue(tcp, tlsTun, aeadSeal(true))).toBe(1386);
  });

  it('TLS mode on a tap: less the 32 bytes of --tun-mtu-extra, 1368 with AES-256-GCM, 1331 with AES-256-CBC + SHA256', () => {
    expect(mssFixValue(udp, tlsTap, aeadSeal(true))).toBe(1368);
    expect(mssFixValue(udp, tlsTap, tlsCbc(32))).toBe(1331);
  });

  it('a static key: 1359 with AES-256-CBC + SHA1, 1343 with SHA256 (an IPv6 header counted), 1396 without crypto', () => {
    expect(mssFixValue(udp, staticTun, staticCbc(20))).toBe(1359);
    expect(mssFixValue(udp, staticTun, staticCbc(32))).toBe(1343);
    expect(mssFixValue(udp, staticTun, { opcode: 0, packetId: PACKET_ID_LONG_SIZE, mode: 'none', hmac: 0, iv: 0, block: 0 })).toBe(1396);
  });

  it('is --tun-mtu less the IPv4 and TCP headers when --tun-mtu is given: 1360 for --tun-mtu 1400', () => {
    expect(mssFixValue({ ...udp, tunMtu: 1400 }, tlsTun, aeadSeal(true))).toBe(1360);
  });

  it('P_DATA_V1 (no peer id) has a one-byte opcode: three bytes more', () => {
    expect(mssFixValue(udp, tlsTun, aeadSeal(false))).toBe(1403);
  });

  // A real 2.6.14 client in TLS mode (AES-256-GCM pushed, P_DATA_V2, UDP over IPv4) with each
  // --mssfix, its --verb 4 "Data Channel MTU parms [ mss_fix:N" once connected.
  it('--mssfix N counts no outer headers, N mtu counts them, N fixed is N less 40, 0 is off', () => {
    const gcm = (max: number, encap = false, fixed = false) => mssFixValue({ ...udp, mssfix: { max, encap, fixed } }, tlsTun, aeadSeal(true));
    expect(gcm(1400)).toBe(1336);
    expect(gcm(1200)).toBe(1136);
    expect(gcm(1400, true)).toBe(1308);
    expect(gcm(1300, true)).toBe(1208);
    expect(gcm(1400, false, true)).toBe(1360);
    expect(gcm(0)).toBe(0);
    // Given, it wins over what --tun-mtu would make of it.
    expect(mssFixValue({ ...udp, tunMtu: 1400, mssfix: { max: 1400, encap: false, fixed: false } }, tlsTun, aeadSeal(true))).toBe(1336);
  });

  it('--tun-mtu 1500 given is the default size: 1492 mtu, not fixed', () => {
    expect(mssFixSetting({ tunMtu: 1500, mssfix: null })).toEqual({ max: 1492, encap: true, fixed: false });
    expect(mssFixSetting({ tunMtu: 1400, mssfix: null })).toEqual({ max: 1400, encap: true, fixed: true });
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

  it('on a tap, clamps IPv4 inside an Ethernet frame, padding after the packet, and nothing else', () => {
    const ip = segment(SYN, [2, 4, 0x05, 0xb4]);
    const frame = (type: number) => {
      // A 58-byte frame padded to Ethernet's minimum of 60.
      const f = new Uint8Array(60);
      f.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, type >> 8, type & 0xff]);
      f.set(ip, 14);
      return f;
    };
    const f = frame(0x0800);
    clampDevicePacket(f, 'tap', 1368);
    const inner = f.subarray(14, 14 + ip.length);
    expect(mssOf(inner, 22)).toBe(1368);
    expect(tcpChecksumOk(inner)).toBe(true);
    const arp = frame(0x0806);
    const arpBefore = arp.slice();
    clampDevicePacket(arp, 'tap', 1368);
    expect(arp).toEqual(arpBefore);
    const bare = ip.slice();
    clampDevicePacket(bare, 'tun', 1400);
    expect(mssOf(bare, 22)).toBe(1400);
  });
});
