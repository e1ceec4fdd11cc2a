// The Linux 6.18 captures of vectors/ (copied from the shared reference, see vectors/README.md):
// each Ethernet frame's IPv4 header and TCP segment, for golden byte tests.

import { readFileSync } from 'node:fs';
import { Ipv4Packet } from '../../../kernel/abi/wire/index.js';
import { isPcapError, LINKTYPE_ETHERNET, readPcap } from '../../../userland/lib/pcap.js';

export interface CapturedSegment {
  /** Microseconds since the first packet of the capture. */
  atUs: number;
  src: number;
  dst: number;
  ip: Uint8Array;
  tcp: Uint8Array;
}

export function capturedSegments(file: string): CapturedSegment[] {
  const pcap = readPcap(readFileSync(new URL(`./vectors/${file}`, import.meta.url)));
  if (isPcapError(pcap)) throw new Error(`${file}: ${pcap.message}`);
  if (pcap.linkType !== LINKTYPE_ETHERNET) throw new Error(`${file}: link type ${pcap.linkType}`);
  const first = pcap.packets[0]!;
  const t0 = first.tsSec * 1e6 + first.tsUsec;
  return pcap.packets.map((p) => {
    const ip = p.data.subarray(14);
    const v = new Ipv4Packet(ip);
    return { atUs: p.tsSec * 1e6 + p.tsUsec - t0, src: v.src, dst: v.dst, ip: ip.subarray(0, v.totalLen), tcp: v.payload };
  });
}
