// --mssfix, on by default in 2.6 as "mssfix 1492 mtu": the MSS option of every TCP SYN and SYN-ACK
// crossing the tun is lowered so that a full segment, once sealed and sent, makes an outer IP packet
// of at most 1492 bytes, and is never fragmented on the link. Checked against 2.6.14 (static key,
// AES-256-CBC + HMAC-SHA256, UDP): SYNs through the tunnel carry MSS 1359, full segments leave as
// 1484-byte IP packets. frame_calculate_mssfix(), mss_fixup_ipv4() and mss_fixup_dowork() in mss.c.

import { checksumUpdate16 } from '../../../kernel/abi/wire/checksum.js';
import type { Options } from './options.js';

/** 2.6's default --mssfix: the largest outer IP packet, encapsulation included ("mtu"). */
export const MSSFIX_DEFAULT = 1492;

/** IPv4 and TCP headers without options, taken from a packet's size to get its MSS. */
const IP_TCP = 20 + 20;

/** The data channel's sizes that frame_calculate_mssfix() works from (none: cleartext). */
export interface SealOverhead {
  /** HMAC + IV + packet id in front of (or around) the payload. */
  readonly header: number;
  /** CBC: the block the ciphertext is padded to, and the packet id is inside the plaintext. */
  readonly cbcBlock: number | null;
  readonly packetId: number;
}

/** The MSS the tunnel clamps SYNs to, or 0 for none. */
export function mssFixValue(o: Pick<Options, 'tunMtu' | 'tunMtuSet' | 'proto'>, seal: SealOverhead | null): number {
  // --tun-mtu given fixes mssfix to it (2.6's show-options: "mssfix_fixed = ENABLED").
  if (o.tunMtuSet) return o.tunMtu - IP_TCP;
  const tcp = o.proto !== 'udp';
  // The encapsulation (IPv4 + UDP, or IPv4 + TCP) and, on a stream, the packet's length field.
  const overhead = (tcp ? 20 + 20 + 2 : 20 + 8) + (seal?.header ?? 0);
  let payloadOverhead = IP_TCP;
  let target = MSSFIX_DEFAULT - overhead;
  if (seal?.cbcBlock) {
    // At least one byte of padding, and the ciphertext a whole number of blocks.
    target = Math.floor(target / seal.cbcBlock) * seal.cbcBlock - 1;
    payloadOverhead += seal.packetId;
  }
  const mss = target - payloadOverhead;
  return mss > 0 ? mss : 0;
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
