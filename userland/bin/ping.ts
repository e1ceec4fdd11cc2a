// ping: ICMP echo requests through a raw socket, replies and errors printed the way Haiku's ping
// (FreeBSD's, since 2024) prints them, statistics at the end or on ^C. -S binds the socket to a
// source address; -D sets the Don't Fragment bit (FreeBSD's meaning, through IP_DONTFRAG; Linux's
// ping -D means timestamps instead). A user may not open a raw socket (EPERM): then ping goes
// through an ICMP datagram socket as iputils' ping does, which the kernel gives the identifier and
// the replies to, without their IP header (the TTL comes with IP_RECVTTL). Such a socket is told
// of no ICMP errors, so a user's ping prints none.

import { isSysError } from '../../kernel/abi/errno.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { sysMessage } from '../lib/errors.js';
import { guarded } from '../lib/guard.js';
import {
  formatIpv4,
  IcmpPacket,
  IcmpRepr,
  Ipv4Packet,
  isWireError,
} from '../../kernel/abi/wire/index.js';
import { POLLIN } from '../../kernel/abi/poll.js';
import { SIGINT, SIGTERM } from '../../kernel/abi/signal.js';
import { AF_INET, IP_DONTFRAG, IP_RECVTTL, IP_TTL, IPPROTO_ICMP, IPPROTO_IP, MSG_DONTWAIT, SOCK_DGRAM, SOCK_RAW, type SockaddrIn, sockaddrIn } from '../../kernel/abi/socket.js';
import { CLOCK_MONOTONIC, type Sys } from '../../kernel/abi/syscalls.js';
import { command, EXIT_USAGE, intArg, numberArg, parse } from '../lib/cli.js';
import { eprint, print } from '../lib/io.js';
import { resolveHost } from '../lib/resolve.js';

const EX_NOHOST = 68;
const STAMP_LEN = 8;

/** FreeBSD's DEFDATALEN, and maxpayload: IP_MAXPACKET less the IP and ICMP headers. */
const DEFAULT_DATALEN = 56;
const MAX_PAYLOAD = 65535 - 20 - 8;

interface Options {
  count?: number;
  interval?: number;
  size: number;
  ttl?: number;
  waittime?: number;
  quiet?: boolean;
  source?: string;
  dontFragment?: boolean;
}

const UNREACH_TEXT: Record<number, string> = {
  0: 'Destination Net Unreachable',
  1: 'Destination Host Unreachable',
  2: 'Destination Protocol Unreachable',
  3: 'Destination Port Unreachable',
  4: 'frag needed and DF set',
  5: 'Source Route Failed',
  6: 'Destination Net Unknown',
  7: 'Destination Host Unknown',
  9: 'Destination Net Prohibited',
  10: 'Destination Host Prohibited',
  13: 'Communication prohibited by filter',
};

const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');

/** FreeBSD's pr_iph: the quoted IP header of an ICMP error, field by field. */
function describeQuoted(original: Uint8Array): string {
  if (original.length < 20) return '';
  const v = new Ipv4Packet(original);
  const src = formatIpv4(v.src);
  const dst = formatIpv4(v.dst);
  const flagsOff = (original[6]! << 8) | original[7]!;
  let s = `Vr HL TOS  Len   ID Flg  off TTL Pro  cks ${'Src'.padStart(src.length)} ${'Dst'.padStart(dst.length)}\n`;
  s += ` ${v.version.toString(16)}  ${v.ihl.toString(16)}  ${hex(v.tos, 2)} ${hex(v.totalLen, 4)} ${hex(v.ident, 4)}`;
  s += `   ${((flagsOff & 0xe000) >> 13).toString(16)} ${hex(flagsOff & 0x1fff, 4)}`;
  s += `  ${hex(v.ttl, 2)}  ${hex(v.protocol, 2)} ${hex(v.checksum, 4)} ${src} ${dst}\n`;
  const rest = original.subarray(v.headerLen);
  if (v.protocol === 17 && rest.length >= 4)
    s += `UDP: from port ${(rest[0]! << 8) | rest[1]!}, to port ${(rest[2]! << 8) | rest[3]!} (decimal)\n`;
  else if (v.protocol === 1 && rest.length >= 8)
    s += `ICMP: type ${rest[0]}, code ${rest[1]}, size ${v.totalLen - v.headerLen}, id 0x${hex((rest[4]! << 8) | rest[5]!, 4)}, seq 0x${hex((rest[6]! << 8) | rest[7]!, 4)}\n`;
  return s;
}

export default defineProgram({
  name: 'ping',
  summary: 'send ICMP echo requests to a host',
  main: guarded('ping', async (argv, sys) => {
    const cmd = command('ping', 'send ICMP ECHO_REQUEST packets to network hosts')
      .option('-c, --count <count>', 'stop after sending count packets', intArg('count', 1, 1_000_000_000))
      .option('-i, --interval <wait>', 'wait seconds between packets (default 1)', numberArg('interval', 0.001, 3600))
      .option('-s, --size <packetsize>', 'data bytes per packet (default 56)')
      .option('-t, --ttl <ttl>', 'IP time to live of outgoing packets', intArg('ttl', 1, 255))
      .option('-m <ttl>', 'IP time to live (FreeBSD spelling)', intArg('ttl', 1, 255))
      .option('-W, --waittime <ms>', 'milliseconds to wait for the last reply (default 10000)', intArg('waittime', 1, 3_600_000))
      .option('-q, --quiet', 'print only the summary')
      .option('-S, --source <src_addr>', 'use this address as the source of outgoing packets (binds the socket to it)')
      .option('-D, --dont-fragment', "set the Don't Fragment bit (FreeBSD's -D; not Linux's timestamps)")
      .argument('<host>', 'name or address to ping');
    const r = await parse<Omit<Options, 'size'> & { m?: number; size?: string }>(sys, cmd, argv);
    if ('status' in r) return r.status;
    // -s as FreeBSD's ping checks it (strtonum, then the room an IP packet has), in its words.
    const sizeWord = r.opts.size ?? String(DEFAULT_DATALEN);
    if (!/^\d+$/.test(sizeWord) || sizeWord.length > 10 || Number(sizeWord) > 0x7fff_ffff) {
      await eprint(sys, `ping: invalid packet size: \`${sizeWord}'\n`);
      return EXIT_USAGE;
    }
    if (Number(sizeWord) > MAX_PAYLOAD) {
      await eprint(sys, `ping: packet size too large: ${sizeWord} > ${MAX_PAYLOAD}\n`);
      return EXIT_USAGE;
    }
    const opts: Options & { m?: number } = { ...r.opts, size: Number(sizeWord) };
    const host = r.args[0]!;
    const dst = await resolveHost(sys, host);
    if (dst === null) {
      await eprint(sys, `ping: cannot resolve ${host}: Unknown host\n`);
      return EX_NOHOST;
    }
    let src: number | null = null;
    if (opts.source !== undefined) {
      src = await resolveHost(sys, opts.source);
      if (src === null) {
        await eprint(sys, `ping: cannot resolve ${opts.source}: Unknown host\n`);
        return EX_NOHOST;
      }
    }
    return new Pinger(sys, host, dst, src, { ...opts, ttl: opts.ttl ?? opts.m }).run();
  }),
});

class Pinger {
  private fd = -1;
  /** Through an ICMP datagram socket: the kernel picks the identifier and matches the replies. */
  private datagram = false;
  private readonly ident: number;
  /** Requests tried (their sequence numbers), and those the kernel took. */
  private attempts = 0;
  private transmitted = 0;
  private received = 0;
  private duplicates = 0;
  private readonly seen = new Set<number>();
  private tmin = Infinity;
  private tmax = 0;
  private tsum = 0;
  private tsumsq = 0;
  private interrupted = false;
  /** Where every request goes: made once, not formatted again for each request. */
  private readonly to: SockaddrIn;

  constructor(
    private readonly sys: Sys,
    private readonly host: string,
    private readonly dst: number,
    private readonly src: number | null,
    private readonly opts: Options,
  ) {
    this.ident = sys.getpid() & 0xffff;
    this.to = sockaddrIn(formatIpv4(dst));
  }

  async run(): Promise<number> {
    const sys = this.sys;
    try {
      this.fd = await sys.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    } catch (e) {
      const status = await this.openDatagram(e);
      if (status !== 0) return status;
    }
    if (this.opts.ttl !== undefined) await sys.setsockopt(this.fd, IPPROTO_IP, IP_TTL, this.opts.ttl);
    if (this.opts.dontFragment) await sys.setsockopt(this.fd, IPPROTO_IP, IP_DONTFRAG, 1);
    if (this.src !== null) {
      try {
        await sys.bind(this.fd, sockaddrIn(formatIpv4(this.src)));
      } catch (e) {
        if (!isSysError(e)) throw e;
        await eprint(sys, `ping: bind: ${e.message}\n`);
        return 1;
      }
    }
    const stop = () => {
      this.interrupted = true;
    };
    await sys.sigaction(SIGINT, stop);
    await sys.sigaction(SIGTERM, stop);
    const addr = formatIpv4(this.dst);
    const from = this.src !== null ? ` from ${formatIpv4(this.src)}` : '';
    await print(sys, `PING ${this.host} (${addr})${from}: ${this.opts.size} data bytes\n`);
    const intervalNs = Math.round((this.opts.interval ?? 1) * 1e9);
    const count = this.opts.count ?? Infinity;
    let nextSend = await this.now();
    let deadline = Infinity;
    while (!this.interrupted) {
      const now = await this.now();
      if (this.attempts < count && now >= nextSend) {
        await this.send();
        // The next one an interval on; after a stop (^Z, then fg) one at once and no catching up
        // in a burst, as FreeBSD's ping times each request from the last.
        nextSend += intervalNs;
        if (nextSend <= now) nextSend = now + intervalNs;
        if (this.attempts >= count) {
          // After the last request: twice the longest round trip (at least a second) when replies
          // came, else the full wait time, as FreeBSD's ping waits.
          const wait = this.received > 0 ? Math.max(1e9, 2 * this.tmax * 1e6) : (this.opts.waittime ?? 10_000) * 1e6;
          deadline = (await this.now()) + wait;
        }
        continue;
      }
      if (this.attempts >= count && (now >= deadline || this.received >= count)) break;
      const until = this.attempts < count ? nextSend : deadline;
      const fds = [{ fd: this.fd, events: POLLIN, revents: 0 }];
      try {
        await sys.poll(fds, Math.max(0, Math.ceil((until - now) / 1e6)));
      } catch (e) {
        if (isSysError(e, 'EINTR')) continue;
        throw e;
      }
      if (fds[0]!.revents & POLLIN) await this.receive();
    }
    await this.summary();
    return this.received > 0 ? 0 : 2;
  }

  /**
   * The raw socket was refused: for a user without one (EPERM), an ICMP datagram socket, iputils'
   * fallback. 0 when there is a socket, else ping's exit status.
   */
  private async openDatagram(rawError: unknown): Promise<number> {
    const sys = this.sys;
    if (!isSysError(rawError, 'EPERM')) {
      await eprint(sys, `ping: socket: ${sysMessage(rawError)}\n`);
      return 2;
    }
    try {
      this.fd = await sys.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    } catch (e) {
      if (!isSysError(e)) throw e;
      // Neither: iputils' words for the raw socket refused (the datagram socket's EACCES is not shown).
      await eprint(sys, `ping: socktype: SOCK_RAW\nping: socket: ${sysMessage(rawError)}\nping: => missing cap_net_raw+p capability or setuid?\n`);
      return 2;
    }
    this.datagram = true;
    await sys.setsockopt(this.fd, IPPROTO_IP, IP_RECVTTL, 1);
    return 0;
  }

  private async now(): Promise<number> {
    return this.sys.clock_gettime(CLOCK_MONOTONIC);
  }

  private async send(): Promise<void> {
    const seq = this.attempts & 0xffff;
    const data = new Uint8Array(this.opts.size);
    for (let i = STAMP_LEN; i < data.length; i++) data[i] = i & 0xff;
    if (data.length >= STAMP_LEN) {
      // Read again, not the loop's reading: a busy machine charges each call its time (see the
      // scheduler's BUSY_AFTER), so a stamp taken one call earlier would shorten the round trip.
      const t = await this.now();
      const dv = new DataView(data.buffer);
      dv.setUint32(0, Math.floor(t / 1e9));
      dv.setUint32(4, Math.floor((t % 1e9) / 1e3));
    }
    const icmp = new Uint8Array(8 + data.length);
    IcmpRepr.emit({ kind: 'echo-request', ident: this.ident, seq, data }, new IcmpPacket(icmp));
    this.attempts++;
    try {
      await this.sys.sendto(this.fd, icmp, 0, this.to);
    } catch (e) {
      if (isSysError(e, 'EINTR')) return;
      await eprint(this.sys, `ping: sendto: ${sysMessage(e)}\n`);
      return;
    }
    // Only what left counts: a request the kernel refused was never transmitted.
    this.transmitted++;
  }

  private async receive(): Promise<void> {
    // The message, its sender and its TTL: from a datagram socket, the ICMP message alone with the
    // TTL as a control message (recvmsg, as iputils reads it); from a raw socket, the IP packet.
    let icmpBytes: Uint8Array;
    let from: string;
    let ttl: number;
    try {
      if (this.datagram) {
        const got = await this.sys.recvmsg(this.fd, [65536], MSG_DONTWAIT);
        icmpBytes = got.data;
        from = got.from && 'sin_addr' in got.from ? got.from.sin_addr : '0.0.0.0';
        ttl = got.control.find((c) => c.cmsg_level === IPPROTO_IP && c.cmsg_type === IP_TTL)?.cmsg_data ?? 0;
      } else {
        const ip = Ipv4Packet.checked((await this.sys.recvfrom(this.fd, 65536, MSG_DONTWAIT)).data);
        if (isWireError(ip)) return;
        icmpBytes = ip.payload;
        from = formatIpv4(ip.src);
        ttl = ip.ttl;
      }
    } catch (e) {
      if (isSysError(e, 'EAGAIN') || isSysError(e, 'EINTR')) return;
      throw e;
    }
    const view = IcmpPacket.checked(icmpBytes);
    if (isWireError(view)) return;
    const repr = IcmpRepr.parse(view);
    if (isWireError(repr)) return;
    if (repr.kind === 'echo-reply') {
      // A datagram socket is given only the replies to its own identifier, which the kernel chose.
      if (!this.datagram && repr.ident !== this.ident) return;
      const seq = repr.seq;
      let rtt = 0;
      if (repr.data.length >= STAMP_LEN) {
        const dv = new DataView(repr.data.buffer, repr.data.byteOffset, repr.data.byteLength);
        const sent = dv.getUint32(0) * 1e9 + dv.getUint32(4) * 1e3;
        rtt = ((await this.now()) - sent) / 1e6;
      }
      const dup = this.seen.has(seq);
      if (dup) this.duplicates++;
      else {
        this.seen.add(seq);
        this.received++;
        this.tsum += rtt;
        this.tsumsq += rtt * rtt;
        this.tmin = Math.min(this.tmin, rtt);
        this.tmax = Math.max(this.tmax, rtt);
      }
      if (!this.opts.quiet) {
        const time = repr.data.length >= STAMP_LEN ? ` time=${rtt.toFixed(3)} ms` : '';
        await print(this.sys, `${icmpBytes.length} bytes from ${from}: icmp_seq=${seq} ttl=${ttl}${time}${dup ? ' (DUP!)' : ''}\n`);
      }
      return;
    }
    if (repr.kind !== 'dst-unreachable' && repr.kind !== 'time-exceeded') return;
    // An error about one of our requests? Look at the ICMP header it quotes.
    const q = repr.original;
    if (q.length < 28) return;
    const qip = new Ipv4Packet(q);
    const qicmp = q.subarray(qip.headerLen);
    if (qip.protocol !== 1 || qicmp[0] !== 8 || ((qicmp[4]! << 8) | qicmp[5]!) !== this.ident) return;
    if (this.opts.quiet) return;
    const text =
      repr.kind === 'time-exceeded'
        ? repr.code === 0
          ? 'Time to live exceeded'
          : 'Frag reassembly time exceeded'
        : repr.code === 4
          ? `frag needed and DF set (MTU ${repr.nextHopMtu ?? 0})`
          : (UNREACH_TEXT[repr.code] ?? `Dest Unreachable, Bad Code: ${repr.code}`);
    await print(this.sys, `${icmpBytes.length} bytes from ${from}: ${text}\n${describeQuoted(q)}`);
  }

  private async summary(): Promise<void> {
    const t = this.transmitted;
    const loss = t > 0 ? ((t - this.received) * 100) / t : 0;
    let s = `\n--- ${this.host} ping statistics ---\n`;
    s += `${t} packets transmitted, ${this.received} packets received,`;
    if (this.duplicates) s += ` +${this.duplicates} duplicates,`;
    // FreeBSD's ping has no loss to give when nothing was transmitted.
    s += t > 0 ? ` ${loss.toFixed(1)}% packet loss\n` : ' \n';
    // Under 8 data bytes there is no room for the send time: nothing was timed (as BSD ping).
    if (this.received > 0 && this.opts.size >= STAMP_LEN) {
      const n = this.received;
      const avg = this.tsum / n;
      const stddev = Math.sqrt(Math.max(0, this.tsumsq / n - avg * avg));
      s += `round-trip min/avg/max/stddev = ${this.tmin.toFixed(3)}/${avg.toFixed(3)}/${this.tmax.toFixed(3)}/${stddev.toFixed(3)} ms\n`;
    }
    await print(this.sys, s);
  }
}
