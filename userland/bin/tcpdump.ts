// tcpdump: watch the packets an interface sends and receives, or read and write capture files,
// printing them the way tcpdump 4.99 (libpcap 1.10) does with -n: tunlab has no name service.
//
// Capture is Haiku's: socket(AF_LINK, SOCK_DGRAM, 0), then ioctl(SIOCSPACKETCAP, {ifr_name}) makes
// the kernel queue a copy of every frame the interface sends or receives (root only). recvfrom()
// gives the frame and a sockaddr_dl whose sdl_type says how to decode it: Ethernet for NICs, taps
// and bridges, bare IP for tuns and the loopback. -w writes a classic pcap file with the matching
// link type (EN10MB or RAW), which Wireshark and real tcpdump read; -r reads one back (no root).
//
// A trailing expression is a capture filter (userland/lib/pcap-filter.ts: the common part of
// pcap-filter(7)); packets it refuses are received but not captured. `-i any` captures every
// interface of the host, as on Linux: each line says which interface and which way (In, Out, B for
// broadcast, M for multicast), and -w writes Linux's cooked LINUX_SLL2 frames. A -w name ending in
// .pcapng writes pcapng (userland/lib/capture-output.ts): an interface block per interface, each
// packet with its direction and its journey id (see journey) as a comment. The statistics at the end come from the
// capture socket's row in the socket table (SIOCGSOCKTABLE): packets it queued plus the ones it had
// to drop, as Linux reports tp_packets; when another capture watches the same interface the rows
// cannot be told apart and the counts are this process's own.

import { isSysError, strerror } from '../../kernel/abi/errno.js';
import { O_CREAT, O_TRUNC, O_WRONLY } from '../../kernel/abi/fcntl.js';
import { IFF_LOOPBACK, IFF_UP, IFT_BRIDGE, IFT_ETHER, IFT_LOOP, type Ifconf, type Ifreq } from '../../kernel/abi/if.js';
import { SIOCCPACKETCAP, SIOCGIFCONF, SIOCGIFFLAGS, SIOCGIFNAME, SIOCGIFTYPE, SIOCGSOCKTABLE, SIOCSPACKETCAP } from '../../kernel/abi/ioctl.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { SIGINT, SIGTERM } from '../../kernel/abi/signal.js';
import { parseIpv4 } from '../../kernel/abi/wire/index.js';
import { AF_LINK, SOCK_DGRAM, type SockaddrDl, type SocketInfo } from '../../kernel/abi/socket.js';
import { CLOCK_REALTIME, type Sys } from '../../kernel/abi/syscalls.js';
import { CaptureOutput, type FrameSource, linkTypeOf } from '../lib/capture-output.js';
import { command, parse } from '../lib/cli.js';
import { formatTimestamp, type LineOptions, type LinkKind, packetLine, splitTime } from '../lib/dissect/index.js';
import { usageError } from '../lib/errors.js';
import { closeInput, openInput } from '../lib/fileio.js';
import { compileFilter, FilterError, type PacketFilter } from '../lib/pcap-filter.js';
import { hostsTable } from '../lib/resolve.js';
import { guarded, out } from '../lib/guard.js';
import { eprint, readAll, writeAll } from '../lib/io.js';
import {
  DEFAULT_SNAPLEN,
  isPcapError,
  LINKTYPE_ETHERNET,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
  PCAP_MAGIC_MICRO,
  PCAP_MAGIC_NANO,
  type PcapPacket,
  MAXIMUM_SNAPLEN,
  readPcap,
} from '../lib/pcap.js';
import { LINKTYPE_LINUX_SLL2, readPcapng, sll2Record, wantsPcapng } from '../lib/pcapng.js';

/** A pcapng file starts with a Section Header Block, whose type reads the same in either byte order. */
const PCAPNG_BLOCK_TYPE = 0x0a0d0d0a;

const EXIT_FAILURE = 1;
/** libpcap's MAXIMUM_SNAPLEN: the largest -s tcpdump accepts. */
const MAX_SNAPLEN = MAXIMUM_SNAPLEN;

interface Options {
  interface?: string;
  c?: string;
  n: number;
  e?: boolean;
  x: number;
  X: number;
  v: number;
  q?: boolean;
  w?: string;
  r?: string;
  s?: string;
  l?: boolean;
  S?: boolean;
  t?: boolean;
  direction?: string;
}

const count = (_: string, previous: number) => previous + 1;

/** The link types tunlab captures and reads: pcap number, libpcap's name and description. */
const SLL2_NAME = 'LINUX_SLL2 (Linux cooked v2)';
const LINK_TYPES: Readonly<Record<number, { kind: LinkKind; name: string }>> = {
  [LINKTYPE_ETHERNET]: { kind: 'ether', name: 'EN10MB (Ethernet)' },
  [LINKTYPE_RAW]: { kind: 'raw', name: 'RAW (Raw IP)' },
  [LINKTYPE_NULL]: { kind: 'null', name: 'NULL (BSD loopback)' },
  [LINKTYPE_LINUX_SLL2]: { kind: 'sll2', name: SLL2_NAME },
};
/** The capture name for every interface (the kernel's LinkSocket knows it too). */
const ANY_DEVICE = 'any';
/** Linux's sll_pkttype words, as tcpdump prints them for "any". */
const PKTTYPE_WORDS: Readonly<Record<number, string>> = { 0: 'In', 1: 'B', 2: 'M', 3: 'P', 4: 'Out' };

export default defineProgram({
  name: 'tcpdump',
  summary: 'dump traffic on a network interface',
  main: guarded('tcpdump', async (argv, sys) => {
    const cmd = command('tcpdump', 'print the packets an interface sends and receives, or read and write pcap files')
      .option('-i, --interface <interface>', 'capture on this interface, or on all of them with "any" (default: the first up interface that is not a loopback)')
      .option('-c <count>', 'exit after receiving count packets')
      .option('-n', 'do not convert addresses to names (always so: tunlab has no name service)', count, 0)
      .option('-e', 'print the link-level header on each line')
      .option('-x', 'print each packet in hex, without (-x) or with (-xx) its link-level header', count, 0)
      .option('-X', 'print each packet in hex and ASCII, without (-X) or with (-XX) its link-level header', count, 0)
      .option('-v', 'verbose output: IP header fields, checksums (-vv: more)', count, 0)
      .option('-q', 'quick output: less protocol information')
      .option('-S', 'print absolute TCP sequence numbers')
      .option('-t', 'do not print a timestamp on each line')
      .option('-w <file>', 'write the raw packets to a pcap file instead of printing them ("-": standard output; a name ending in .pcapng: pcapng)')
      .option('-r <file>', 'read packets from a pcap file ("-": standard input)')
      .option('-s <snaplen>', `capture at most snaplen bytes of each packet (0: ${MAX_SNAPLEN})`)
      .option('-l', 'line-buffered output (always so)')
      .option('-Q, --direction <direction>', 'capture only packets received (in), sent (out) or both (inout)')
      .argument('[expression...]', 'a capture filter (pcap-filter: host, net, port, portrange, src/dst, ip, arp, icmp, udp, tcp, and/or/not)');
    const r = await parse<Options>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const o = r.opts;
    let limit = Infinity;
    if (o.c !== undefined) {
      if (!/^\d+$/.test(o.c) || Number(o.c) < 1 || Number(o.c) > 0x7fffffff) return usageError(sys, cmd, `invalid packet count ${o.c}`);
      limit = Number(o.c);
    }
    let snaplen = DEFAULT_SNAPLEN;
    if (o.s !== undefined) {
      if (!/^\d+$/.test(o.s) || Number(o.s) > MAX_SNAPLEN) {
        return usageError(sys, cmd, `invalid snaplen ${o.s} (must be >= 0 and <= ${MAX_SNAPLEN})`);
      }
      snaplen = Number(o.s) === 0 ? MAX_SNAPLEN : Number(o.s);
    }
    const direction = o.direction ?? 'inout';
    if (direction !== 'in' && direction !== 'out' && direction !== 'inout') {
      return usageError(sys, cmd, `unknown capture direction \`${direction}'`);
    }
    const line: LineOptions & { link: LinkKind } = {
      link: 'ether',
      linkHeader: o.e ?? false,
      verbose: o.v,
      quiet: o.q ?? false,
      hex: o.x,
      hexAscii: o.X,
      ...(o.S ? {} : { tcpConversations: new Map() }),
    };
    let filter: PacketFilter | null = null;
    if (r.args.length > 0) {
      const hosts = await hostsTable(sys);
      try {
        filter = compileFilter(r.args.join(' '), (name) => parseIpv4(name) ?? hosts.get(name) ?? null);
      } catch (e) {
        if (!(e instanceof FilterError)) throw e;
        // libpcap: a grammar error is "can't parse filter expression: ...", any other names itself.
        await eprint(sys, `tcpdump: ${e.message === 'syntax error' ? "can't parse filter expression: " : ''}${e.message}\n`);
        return EXIT_FAILURE;
      }
    }
    const dump = new Dumper(sys, line, o.t ?? false, limit, filter);
    if (o.r !== undefined) return dump.readFile(o.r, o.w);
    return dump.live({ iface: o.interface, snaplen, direction, write: o.w, verbose: o.v > 0 });
  }),
});

interface LiveOptions {
  iface: string | undefined;
  snaplen: number;
  direction: 'in' | 'out' | 'inout';
  write: string | undefined;
  verbose: boolean;
}

class Dumper {
  private captured = 0;
  private writer: CaptureOutput | null = null;
  private writeFd = -1;

  constructor(
    private readonly sys: Sys,
    private readonly line: LineOptions & { link: LinkKind },
    private readonly noStamp: boolean,
    private readonly limit: number,
    private readonly filter: PacketFilter | null,
  ) {}

  private async fail(text: string): Promise<number> {
    await eprint(this.sys, `tcpdump: ${text}\n`);
    return EXIT_FAILURE;
  }

  /** Open the -w file and write its header; an error message, or null when ready. */
  private async openOutput(path: string, o: { linkType: number; snaplen: number; any: boolean; source: string }): Promise<string | null> {
    try {
      this.writeFd = path === '-' ? 1 : await this.sys.open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644);
    } catch (e) {
      if (isSysError(e)) return `${path}: ${strerror(e.errno)}`;
      throw e;
    }
    const host = (await this.sys.uname()).nodename;
    this.writer = new CaptureOutput({ pcapng: wantsPcapng(path), any: o.any, linkType: o.linkType, snaplen: o.snaplen, host, source: o.source });
    await writeAll(this.sys, this.writeFd, this.writer.header());
    return null;
  }

  /** One packet: into the file, or printed (after its interface and direction, for "any"). */
  private async emit(sec: number, usec: number, data: Uint8Array, origLen: number, meta: { source?: FrameSource; journey?: number; any?: boolean } = {}): Promise<void> {
    if (this.filter && !this.filter(this.line.link, data, origLen)) return;
    this.captured++;
    if (this.writer) {
      const tsNs = BigInt(sec) * 1_000_000_000n + BigInt(usec) * 1000n;
      await writeAll(this.sys, this.writeFd, this.writer.frame({ tsNs, data, origLen, ...(meta.source ? { source: meta.source } : {}), ...(meta.journey !== undefined ? { journey: meta.journey } : {}) }));
      return;
    }
    const stamp = this.noStamp ? '' : formatTimestamp(sec, usec);
    if (meta.any && meta.source) {
      // Printed as what an "any" capture holds: the cooked header, then the packet without its own.
      const kind = meta.source.type === IFT_ETHER || meta.source.type === IFT_BRIDGE ? 'ether' : meta.source.type === IFT_LOOP ? 'loop' : 'ip';
      const record = sll2Record(data, kind, meta.source.index, meta.source.dir).data;
      await this.printCooked(stamp, record, origLen + record.length - data.length, meta.source.name);
      return;
    }
    if (this.line.link === 'sll2' && data.length >= 20) {
      await this.printCooked(stamp, data, origLen, await this.interfaceName((data[4]! * 2 ** 24 + ((data[5]! << 16) | (data[6]! << 8) | data[7]!)) >>> 0));
      return;
    }
    await out(this.sys, packetLine(stamp, data, this.line, origLen));
  }

  /** print-sll.c: "%-5s %-3s " (the interface, what the packet was to it), then the record. */
  private async printCooked(stamp: string, record: Uint8Array, origLen: number, ifname: string): Promise<void> {
    const word = PKTTYPE_WORDS[record[10]!] ?? '?';
    // packetLine puts one space after what it is given: the prefix gives the rest.
    const prefix = `${ifname.padEnd(5)} ${word.padEnd(3)}`;
    await out(this.sys, packetLine(stamp ? `${stamp} ${prefix}` : prefix, record, { ...this.line, link: 'sll2' }, origLen));
  }

  private readonly ifNames = new Map<number, string>();

  /** A cooked record's interface by this host's names, as tcpdump uses the reading machine's ("?" if none). */
  private async interfaceName(index: number): Promise<string> {
    const known = this.ifNames.get(index);
    if (known !== undefined) return known;
    let name = '?';
    const s = await this.sys.socket(AF_LINK, SOCK_DGRAM, 0);
    try {
      const req: Ifreq = { ifr_name: '', ifr_ifindex: index };
      await this.sys.ioctl(s, SIOCGIFNAME, req);
      name = req.ifr_name || '?';
    } catch (e) {
      if (!isSysError(e)) throw e;
    } finally {
      await this.sys.close(s);
    }
    this.ifNames.set(index, name);
    return name;
  }

  // ---------------------------------------------------------------- -r

  async readFile(path: string, writePath: string | undefined): Promise<number> {
    const sys = this.sys;
    let bytes: Uint8Array;
    let fd: number;
    try {
      fd = await openInput(sys, path);
    } catch (e) {
      if (isSysError(e)) return this.fail(`${path}: ${strerror(e.errno)}`);
      throw e;
    }
    try {
      bytes = await readAll(sys, fd);
    } catch (e) {
      if (isSysError(e)) return this.fail(`${path}: ${strerror(e.errno)}`);
      throw e;
    } finally {
      await closeInput(sys, fd);
    }
    if (bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0) === PCAPNG_BLOCK_TYPE) return this.readPcapngFile(path, bytes, writePath);
    const headerError = fileHeaderError(bytes);
    if (headerError !== null) return this.fail(headerError);
    const file = readPcap(bytes);
    if (isPcapError(file) && file.offset < 24) return this.fail(file.message);
    let linkType: number;
    let snaplen: number;
    let packets: PcapPacket[];
    if (isPcapError(file)) {
      // The header was good: tcpdump prints what it can, then complains about the rest.
      const header = readPcap(bytes.subarray(0, 24));
      if (isPcapError(header)) return this.fail(file.message);
      linkType = header.linkType;
      snaplen = header.snaplen;
      packets = file.packets;
    } else {
      linkType = file.linkType;
      snaplen = file.snaplen;
      packets = file.packets;
    }
    return this.replay(path, { linkType, snaplen, packets }, writePath, isPcapError(file) ? loopError(file.message) : null);
  }

  /** A pcapng file, as libpcap reads one: refused at open before its first interface, else read up to what it cannot take. */
  private async readPcapngFile(path: string, bytes: Uint8Array, writePath: string | undefined): Promise<number> {
    const file = readPcapng(bytes);
    if (!isPcapError(file)) return this.replay(path, file, writePath, null);
    const opened = readPcapng(bytes.subarray(0, file.offset));
    if (isPcapError(opened)) return this.fail(file.message);
    return this.replay(path, { ...opened, packets: file.packets }, writePath, file.message);
  }

  /** The packets of a file read, printed or written again; `loopFailure` is what stopped the reading early. */
  private async replay(path: string, file: { linkType: number; snaplen: number; packets: readonly PcapPacket[] }, writePath: string | undefined, loopFailure: string | null): Promise<number> {
    const sys = this.sys;
    const { linkType, snaplen } = file;
    const known = LINK_TYPES[linkType];
    if (writePath === undefined) {
      if (!known) return this.fail(`packet printing is not supported for link type ${linkType}: use -w`);
      this.line.link = known.kind;
    }
    await eprint(sys, `reading from file ${path}, link-type ${known?.name ?? String(linkType)}, snapshot length ${snaplen}\n`);
    // tcpdump.c: a cooked capture names interfaces by index, and this machine's may not be the capturer's.
    if (linkType === LINKTYPE_LINUX_SLL2) await eprint(sys, 'Warning: interface names might be incorrect\n');
    if (writePath !== undefined) {
      const err = await this.openOutput(writePath, { linkType, snaplen, any: false, source: path });
      if (err) return this.fail(err);
    }
    try {
      for (const p of file.packets) {
        if (this.captured >= this.limit) break;
        await this.emit(p.tsSec, p.tsUsec, p.data, p.origLen);
      }
    } finally {
      await this.closeOutput();
    }
    if (loopFailure !== null && this.captured < this.limit) return this.fail(`pcap_loop: ${loopFailure}`);
    return 0;
  }

  private async closeOutput(): Promise<void> {
    if (this.writeFd > 2) await this.sys.close(this.writeFd);
    this.writeFd = -1;
  }

  // ---------------------------------------------------------------- live capture

  async live(o: LiveOptions): Promise<number> {
    const sys = this.sys;
    const name = o.iface ?? (await defaultInterface(sys));
    if (name === null) return this.fail('no suitable device found');
    const fd = await sys.socket(AF_LINK, SOCK_DGRAM, 0);
    try {
      await sys.ioctl(fd, SIOCSPACKETCAP, { ifr_name: name } satisfies Ifreq);
    } catch (e) {
      await sys.close(fd);
      if (isSysError(e, 'ENODEV') || isSysError(e, 'ENXIO')) return this.fail(`${name}: No such device exists\n(No such device exists)`);
      if (isSysError(e, 'EPERM') || isSysError(e, 'EACCES')) {
        return this.fail(`${name}: You don't have permission to perform this capture on that device\n(SIOCSPACKETCAP: ${strerror(e.errno)})`);
      }
      if (isSysError(e)) return this.fail(`${name}: ${strerror(e.errno)}`);
      throw e;
    }
    const any = name === ANY_DEVICE;
    const typeReq: Ifreq = { ifr_name: name };
    if (!any) await sys.ioctl(fd, SIOCGIFTYPE, typeReq);
    const linkType = any ? LINKTYPE_LINUX_SLL2 : linkTypeOf(typeReq.ifr_type ?? 0);
    if (o.write !== undefined) {
      const err = await this.openOutput(o.write, { linkType, snaplen: o.snaplen, any, source: name });
      if (err) {
        await sys.close(fd);
        return this.fail(err);
      }
    }
    let interrupted = false;
    const stop = () => {
      interrupted = true;
    };
    await sys.sigaction(SIGINT, stop);
    await sys.sigaction(SIGTERM, stop);
    const quietBanner = o.verbose || o.write !== undefined;
    await eprint(
      sys,
      `${quietBanner ? 'tcpdump: ' : 'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n'}` +
        `listening on ${name}, link-type ${any ? SLL2_NAME : LINK_TYPES[linkType]!.name}, snapshot length ${o.snaplen} bytes\n`,
    );
    let skipped = 0;
    let failure: string | null = null;
    try {
      while (!interrupted && this.captured < this.limit) {
        let got;
        try {
          got = await sys.recvfrom(fd, 65536 + 64, 0);
        } catch (e) {
          if (isSysError(e, 'EINTR')) continue;
          if (isSysError(e, 'ENETDOWN')) {
            failure = 'pcap_loop: The interface went down';
            break;
          }
          throw e;
        }
        const from = got.from as SockaddrDl | null;
        const dir = from?.sdl_direction;
        if (o.direction !== 'inout' && dir !== undefined && dir !== o.direction) {
          skipped++;
          continue;
        }
        this.line.link = from ? LINK_TYPES[linkTypeOf(from.sdl_type)]!.kind : LINK_TYPES[linkType]!.kind;
        const { sec, usec } = splitTime(await sys.clock_gettime(CLOCK_REALTIME));
        const data = got.data.length > o.snaplen ? got.data.subarray(0, o.snaplen) : got.data;
        const source: FrameSource | undefined = from ? { index: from.sdl_index, name: from.sdl_name, type: from.sdl_type, dir: from.sdl_direction ?? 'in' } : undefined;
        await this.emit(sec, usec, data, got.data.length, { ...(source ? { source } : {}), ...(got.journey !== undefined ? { journey: got.journey } : {}), any });
      }
    } finally {
      await this.closeOutput();
    }
    const stats = await captureStats(sys, fd, name);
    await sys.ioctl(fd, SIOCCPACKETCAP, {});
    await sys.close(fd);
    if (interrupted && o.write !== '-') await out(sys, '\n');
    if (failure) await eprint(sys, `tcpdump: ${failure}\n`);
    const received = stats ? stats.received - skipped : this.captured;
    const dropped = stats?.dropped ?? 0;
    const plural = (n: number) => (n === 1 ? '' : 's');
    await eprint(
      sys,
      `${this.captured} packet${plural(this.captured)} captured\n` +
        `${received} packet${plural(received)} received by filter\n` +
        `${dropped} packet${plural(dropped)} dropped by kernel\n`,
    );
    return failure ? EXIT_FAILURE : 0;
  }
}

/** libpcap's default device: the first interface that is up and not a loopback. */
async function defaultInterface(sys: Sys): Promise<string | null> {
  const s = await sys.socket(AF_LINK, SOCK_DGRAM, 0);
  try {
    const conf: Ifconf = { ifc_req: [] };
    await sys.ioctl(s, SIOCGIFCONF, conf);
    for (const { ifr_name } of conf.ifc_req) {
      const f: Ifreq = { ifr_name };
      await sys.ioctl(s, SIOCGIFFLAGS, f);
      const flags = f.ifr_flags ?? 0;
      if (flags & IFF_UP && !(flags & IFF_LOOPBACK)) return ifr_name;
    }
    return null;
  } finally {
    await sys.close(s);
  }
}

/** This capture's counters from the socket table: what it queued plus what it dropped (Linux adds
 * tp_drops to tp_packets), or null when the row cannot be told from another capture's. */
async function captureStats(sys: Sys, fd: number, name: string): Promise<{ received: number; dropped: number } | null> {
  const table: { sockets: SocketInfo[] } = { sockets: [] };
  try {
    await sys.ioctl(fd, SIOCGSOCKTABLE, table);
  } catch (e) {
    if (isSysError(e)) return null;
    throw e;
  }
  const rows = table.sockets.filter((s) => s.proto === 'link' && s.local === name);
  if (rows.length !== 1) return null;
  return { received: rows[0]!.received + rows[0]!.drops, dropped: rows[0]!.drops };
}

/** What libpcap says of a file whose global header is not a classic pcap one, or null. */
function fileHeaderError(bytes: Uint8Array): string | null {
  if (bytes.length < 4) return `truncated dump file; tried to read 4 file header bytes, only got ${bytes.length}`;
  const magic = new DataView(bytes.buffer, bytes.byteOffset, 4);
  const le = magic.getUint32(0, true);
  const be = magic.getUint32(0, false);
  const known = [PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO];
  if (!known.includes(le) && !known.includes(be)) return 'unknown file format';
  if (bytes.length < 24) return `truncated dump file; tried to read 24 file header bytes, only got ${bytes.length - 4}`;
  return null;
}

/** libpcap's words for a capture file cut short, from readPcap's description of where. */
/** libpcap's words for a record it cannot read (sf-pcap.c's pcap_next_packet). */
function loopError(message: string): string {
  const header = /truncated record header .*: (\d+) of (\d+) bytes/.exec(message);
  if (header) return `truncated dump file; tried to read ${header[2]} header bytes, only got ${header[1]}`;
  const data = /record says (\d+) bytes, (\d+) left/.exec(message);
  if (data) return `truncated dump file; tried to read ${data[1]} captured bytes, only got ${data[2]}`;
  return message;
}
