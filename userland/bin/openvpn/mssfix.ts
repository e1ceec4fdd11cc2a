// --mssfix, on by default in 2.6 as "mssfix 1492 mtu": the MSS option of every TCP SYN and SYN-ACK
// crossing the tun (or, on a tap, of IPv4 inside its Ethernet frames) is lowered so that a full
// segment, once sealed and sent, makes an outer IP packet of at most 1492 bytes, and is never
// fragmented on the link. frame_calculate_mssfix() in mss.c, with the header sizes of mtu.c
// (frame_calculate_protocol_header_size, _payload_overhead) and crypto.c; mss_fixup_ipv4().
// Checked against 2.6.14 (tshark on the far tun, UDP unless said):
//   TLS, P_DATA_V2:  AES-256-GCM 1400, CHACHA20-POLY1305 1400, AES-256-CBC + SHA256 1363, + SHA1 1379,
//                    AES-256-GCM over TCP 1386, tap: AES-256-GCM 1368, AES-256-CBC + SHA256 1331,
//                    --tun-mtu 1400: 1360;
//   static key:      AES-256-CBC + SHA1 1359, + SHA256 1343, --cipher none --auth none 1396 (udp and
//                    udp4 alike: 2.6 works it out before the peer's address is known, and counts an
//                    IPv6 header for it).

import { checksumUpdate16 } from '../../../kernel/abi/wire/checksum.js';
import type { Options } from './options.js';

/** 2.6's default --mssfix: the largest outer IP packet, encapsulation included ("mtu"). */
export const MSSFIX_DEFAULT = 1492;

/** IPv4 and TCP headers without options, taken from a packet's size to get its MSS. */
const IP_TCP = 20 + 20;

/** A tap's --tun-mtu-extra (TAP_MTU_EXTRA_DEFAULT): the Ethernet header is not part of its MTU. */
export const TAP_MTU_EXTRA = 32;

/** The AEAD tag (OPENVPN_AEAD_TAG_LENGTH). */
const AEAD_TAG = 16;

/** What the data channel puts around a packet (calculate_crypto_overhead()). */
export interface SealOverhead {
  /** Opcode and peer id in front: 0 with a static key, 1 for P_DATA_V1, 4 for P_DATA_V2. */
  readonly opcode: number;
  readonly packetId: number;
  /**
   * CBC: the packet id goes inside the plaintext, padded to whole blocks; AEAD: a tag, no HMAC;
   * none (no cipher): the packet id and HMAC in front.
   */
  readonly mode: 'cbc' | 'aead' | 'none';
  readonly hmac: number;
  readonly iv: number;
  readonly block: number;
}

/** A TLS-mode AEAD data channel: P_DATA_V2 with a peer id, else V1; the short packet id. */
export const aeadSeal = (peerId: boolean): SealOverhead => ({ opcode: peerId ? 4 : 1, packetId: 4, mode: 'aead', hmac: 0, iv: 0, block: 0 });

/** Where the value is worked out: the tunnel's device, and whether the peer's address is known yet. */
export interface MssFixPlace {
  readonly kind: 'tun' | 'tap' | 'null';
  /** Static key: no (2.6 computes it at start, an unknown family counted as IPv6); TLS: yes, IPv4. */
  readonly peerIpv4: boolean;
}

/** datagram_overhead(): the outer IP header and UDP, or TCP, header. */
function encapsulation(tcp: boolean, ipv4: boolean): number {
  return (tcp ? 20 : 8) + (ipv4 ? 20 : 40);
}

/** --mssfix as it takes effect (show-options prints it). */
export type MssFixSetting = NonNullable<Options['mssfix']>;

/**
 * options_postprocess_mutate_ce(): --mssfix given with a value is taken as it is; not given, or
 * given bare, it is 1492 mtu, unless the tun's MTU is not 1500: then mssfix is that MTU, fixed.
 */
export function mssFixSetting(o: Pick<Options, 'tunMtu' | 'mssfix'>): MssFixSetting {
  if (o.mssfix) return o.mssfix;
  if (o.tunMtu !== 1500) return { max: o.tunMtu, encap: true, fixed: true };
  return { max: MSSFIX_DEFAULT, encap: true, fixed: false };
}

/** The MSS the tunnel clamps SYNs to, or 0 for none (--mssfix 0). */
export function mssFixValue(o: Pick<Options, 'tunMtu' | 'mssfix' | 'proto'>, at: MssFixPlace, seal: SealOverhead): number {
  const m = mssFixSetting(o);
  if (m.max <= 0) return 0;
  if (m.fixed) return Math.max(0, m.max - IP_TCP);
  const tcp = o.proto !== 'udp';
  // On a stream, the packet's 2-byte length field; the outer headers only with "mtu".
  let overhead = (m.encap ? encapsulation(tcp, at.peerIpv4) : 0) + (tcp ? 2 : 0);
  let payloadOverhead = IP_TCP + (at.kind === 'tap' ? TAP_MTU_EXTRA : 0);
  overhead += seal.opcode + (seal.mode === 'aead' ? AEAD_TAG : seal.hmac);
  if (seal.mode === 'cbc') {
    overhead += seal.iv;
    payloadOverhead += seal.packetId;
  } else {
    overhead += seal.packetId;
  }
  let target = m.max - overhead;
  // adjust_payload_max_cbc(): at least one byte of padding, the ciphertext whole blocks.
  if (seal.mode === 'cbc') target = Math.floor(target / seal.block) * seal.block - 1;
  const mss = target - payloadOverhead;
  return mss > 0 ? mss : 0;
}

/** clampMss() for what the device gives or takes: an IPv4 packet, or an Ethernet frame carrying one. */
export function clampDevicePacket(p: Uint8Array, kind: 'tun' | 'tap' | 'null', max: number): void {
  if (max <= 0) return;
  if (kind === 'tun') return clampMss(p, max);
  // is_ipv4() for TUNNEL_TYPE_TAP: EtherType IPv4 right after the addresses (no VLAN tag).
  if (kind !== 'tap' || p.length < 14 + 20 || p[12] !== 0x08 || p[13] !== 0x00) return;
  const total = (p[16]! << 8) | p[17]!;
  // A short frame is padded to Ethernet's minimum: the packet is what its IP length says.
  if (total <= p.length - 14) clampMss(p.subarray(14, 14 + total), max);
}

/**
 * mss_fixup_ipv4(): lower the MSS option of a TCP SYN (or SYN-ACK) in the IPv4 packet `p`, in
 * place, to `max`, adjusting the TCP checksum for the changed word. Anything else is left alone.
 */
export function clampMss(p: Uint8Array, max: number): void {
  if (max <= 0 || p.length < 20 || p[0]! >> 4 !== 4 || p[9] !== 6) return;
  const ihl = (p[0]! & 0x0f) * 4;
  const total = (p[2]! << 8) | p[3]!;
  // A whole packet, not a later fragment, with room for a TCP header.
  if (total !== p.length || (((p[6]! & 0x1f) << 8) | p[7]!) !== 0 || ihl < 20 || p.length - ihl < 20) return;
  const tcp = ihl;
  if (!(p[tcp + 13]! & 0x02)) return;
  const hlen = (p[tcp + 12]! >> 4) * 4;
  if (hlen <= 20 || tcp + hlen > p.length) return;
  for (let at = tcp + 20, left = hlen - 20; left > 1; ) {
    const kind = p[at]!;
    if (kind === 0) break;
    if (kind === 1) {
      at++;
      left--;
      continue;
    }
    const len = p[at + 1]!;
    if (len <= 0 || len > left) break;
    if (kind === 2 && len === 4) {
      const mss = (p[at + 2]! << 8) | p[at + 3]!;
      if (mss > max) {
        p[at + 2] = max >> 8;
        p[at + 3] = max & 0xff;
        // One checksum word when the option starts at an even offset (as it always comes first);
        // at an odd one its bytes fall in two words, each sum then seeing them swapped.
        const odd = (at - tcp) % 2 === 1;
        const swap = (v: number) => ((v & 0xff) << 8) | (v >> 8);
        const sum = (p[tcp + 16]! << 8) | p[tcp + 17]!;
        const next = odd ? checksumUpdate16(sum, swap(mss), swap(max)) : checksumUpdate16(sum, mss, max);
        p[tcp + 16] = next >> 8;
        p[tcp + 17] = next & 0xff;
      }
    }
    at += len;
    left -= len;
  }
}
