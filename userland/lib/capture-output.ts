// Where tcpdump -w puts what it captured: a classic pcap file (one link type for the whole file), or
// pcapng when the name ends in .pcapng (an interface block for each interface a frame came from,
// named, with its host as the description; each packet with its direction and its journey id as a
// comment). A capture on "any" writes every frame as Linux's any device delivers it: the cooked
// LINUX_SLL2 header, the packet without its link-level header.

import { IFT_BRIDGE, IFT_ETHER, IFT_LOOP } from '../../kernel/abi/if.js';
import { DEFAULT_SNAPLEN, LINKTYPE_ETHERNET, LINKTYPE_RAW, PcapWriter } from './pcap.js';
import { LINKTYPE_LINUX_SLL2, PcapngWriter, sll2Record } from './pcapng.js';

/** Where a captured frame came from, as the capture socket's sockaddr_dl says it. */
export interface FrameSource {
  index: number;
  name: string;
  /** IFT_* of the interface. */
  type: number;
  dir: 'in' | 'out';
}

export interface CapturedFrame {
  tsNs: bigint;
  data: Uint8Array;
  origLen: number;
  source?: FrameSource;
  journey?: number;
}

export interface CaptureOutputOptions {
  pcapng: boolean;
  /** A capture on every interface (-i any): LINUX_SLL2. */
  any: boolean;
  /** The link type of a single interface's frames (or of the file read). */
  linkType: number;
  snaplen?: number;
  /** The host the capture runs on: the interfaces' description in pcapng. */
  host: string;
  /** Names the one interface of a capture that is not on "any" (or the file read). */
  source: string;
}

/** How a captured interface's frames start: Ethernet for NICs, taps and bridges, else bare IP. */
export function linkTypeOf(ifType: number): number {
  return ifType === IFT_ETHER || ifType === IFT_BRIDGE ? LINKTYPE_ETHERNET : LINKTYPE_RAW;
}

export class CaptureOutput {
  private readonly pcap: PcapWriter | null;
  private readonly ng: PcapngWriter | null;
  /** pcapng interface ids by interface index (-1: the single interface of a plain capture). */
  private readonly ids = new Map<number, number>();
  private readonly snaplen: number;

  constructor(private readonly o: CaptureOutputOptions) {
    this.snaplen = o.snaplen ?? DEFAULT_SNAPLEN;
    const linkType = o.any ? LINKTYPE_LINUX_SLL2 : o.linkType;
    this.pcap = o.pcapng ? null : new PcapWriter({ linkType, snaplen: this.snaplen });
    this.ng = o.pcapng ? new PcapngWriter() : null;
  }

  header(): Uint8Array {
    return this.pcap ? this.pcap.header() : this.ng!.header();
  }

  /** The bytes that record one frame (in pcapng, preceded by its interface's block the first time). */
  frame(f: CapturedFrame): Uint8Array {
    let data = f.data;
    let origLen = f.origLen;
    if (this.o.any && f.source) {
      const kind = f.source.type === IFT_ETHER || f.source.type === IFT_BRIDGE ? 'ether' : f.source.type === IFT_LOOP ? 'loop' : 'ip';
      data = sll2Record(f.data, kind, f.source.index, f.source.dir).data;
      origLen += data.length - f.data.length;
    }
    if (this.pcap) return this.pcap.record(f.tsNs, data, origLen);
    const ng = this.ng!;
    const key = this.o.any && f.source ? f.source.index : -1;
    let id = this.ids.get(key);
    let idb: Uint8Array | null = null;
    if (id === undefined) {
      const name = this.o.any && f.source ? f.source.name : this.o.source;
      const made = ng.addInterface({ linkType: this.o.any ? LINKTYPE_LINUX_SLL2 : this.o.linkType, snaplen: this.snaplen, name, description: this.o.host });
      id = made.id;
      idb = made.block;
      this.ids.set(key, id);
    }
    const epb = ng.packet({
      interfaceId: id,
      timestampNs: f.tsNs,
      data,
      origLen,
      ...(f.source ? { direction: f.source.dir } : {}),
      ...(f.journey !== undefined ? { comment: `journey ${f.journey}` } : {}),
    });
    if (!idb) return epb;
    const both = new Uint8Array(idb.length + epb.length);
    both.set(idb);
    both.set(epb, idb.length);
    return both;
  }
}
