// Helpers for TUN/TAP tests: programs that open, configure and drive a tun through syscalls only.

import { isSysError } from '../../kernel/abi/errno.js';
import { O_RDWR } from '../../kernel/abi/fcntl.js';
import { IFF_UP, type Ifconf, type Ifreq, type IfStats } from '../../kernel/abi/if.js';
import type { Rtentry } from '../../kernel/abi/route.js';
import {
  IFF_NO_PI,
  IFF_TAP,
  IFF_TUN,
  SIOCAIFADDR,
  SIOCDIFADDR,
  SIOCGIFCONF,
  SIOCGIFFLAGS,
  SIOCGIFSTATS,
  SIOCGRTTABLE,
  SIOCSARP,
  SIOCSIFADDR,
  SIOCSIFDSTADDR,
  SIOCSIFFLAGS,
  SIOCSIFNETMASK,
  TUNSETIFF,
} from '../../kernel/abi/ioctl.js';
import {
  ARPOP_REPLY,
  ARPOP_REQUEST,
  ArpPacket,
  ArpRepr,
  buildArpPacket,
  buildEthernetFrame,
  buildIcmpPacket,
  buildIpv4Packet,
  buildUdpPacket,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  EthernetFrame,
  formatIpv4,
  IcmpPacket,
  IcmpRepr,
  IPPROTO_ICMP,
  IPPROTO_UDP,
  Ipv4Packet,
  isWireError,
  parseIpv4,
  UdpPacket,
} from '../../kernel/abi/wire/index.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { AF_INET, SOCK_DGRAM, sockaddrIn } from '../../kernel/abi/socket.js';
import { POLLIN } from '../../kernel/abi/poll.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { print } from '../../userland/lib/io.js';

/** open(/dev/misc/tun) + TUNSETIFF; returns the fd and the name the kernel chose. */
export async function tunAlloc(sys: Sys, name: string, flags: number): Promise<{ fd: number; name: string }> {
  const fd = await sys.open('/dev/misc/tun', O_RDWR);
  const ifr: Ifreq = { ifr_name: name, ifr_flags: flags };
  await sys.ioctl(fd, TUNSETIFF, ifr);
  return { fd, name: ifr.ifr_name };
}

/** What `ifconfig NAME ADDR [peer PEER] [netmask MASK] up` does, by ioctl on a socket. */
export async function ifup(sys: Sys, name: string, addr: string, opts: { peer?: string; netmask?: string } = {}): Promise<void> {
  const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
  await sys.ioctl(s, SIOCSIFADDR, { ifr_name: name, ifr_addr: sockaddrIn(addr) });
  if (opts.netmask) await sys.ioctl(s, SIOCSIFNETMASK, { ifr_name: name, ifr_netmask: sockaddrIn(opts.netmask) });
  if (opts.peer) await sys.ioctl(s, SIOCSIFDSTADDR, { ifr_name: name, ifr_dstaddr: sockaddrIn(opts.peer) });
  const f: Ifreq = { ifr_name: name };
  await sys.ioctl(s, SIOCGIFFLAGS, f);
  await sys.ioctl(s, SIOCSIFFLAGS, { ifr_name: name, ifr_flags: (f.ifr_flags ?? 0) | IFF_UP });
  await sys.close(s);
}

export async function ifdown(sys: Sys, name: string): Promise<void> {
  const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
  const f: Ifreq = { ifr_name: name };
  await sys.ioctl(s, SIOCGIFFLAGS, f);
  await sys.ioctl(s, SIOCSIFFLAGS, { ifr_name: name, ifr_flags: (f.ifr_flags ?? 0) & ~IFF_UP });
  await sys.close(s);
}

const ip = (s: string) => parseIpv4(s)!;

/** An IPv4 ICMP echo request, as a peer at the other end of a tunnel would send it. */
export function echoRequest(src: string, dst: string, ident: number, seq: number, data = new Uint8Array(56)): Uint8Array {
  const icmp = buildIcmpPacket({ kind: 'echo-request', ident, seq, data });
  return buildIpv4Packet(
    { src: ip(src), dst: ip(dst), protocol: IPPROTO_ICMP, ttl: 64, ident: seq, tos: 0, dontFragment: false, moreFragments: false, fragmentOffset: 0 },
    icmp,
  );
}

export function udpPacket(src: string, sport: number, dst: string, dport: number, payload: Uint8Array): Uint8Array {
  const udp = buildUdpPacket({ srcPort: sport, dstPort: dport, payload }, ip(src), ip(dst));
  return buildIpv4Packet(
    { src: ip(src), dst: ip(dst), protocol: IPPROTO_UDP, ttl: 64, ident: 1, tos: 0, dontFragment: false, moreFragments: false, fragmentOffset: 0 },
    udp,
  );
}

// ------------------------------------------------------------------ transcripts and small tools
// (everything below is userland code: it reaches the kernel only through `sys`)

/** The outcome of a syscall as a transcript shows it: its result, the length read, or the errno name. */
export async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    const r = await p;
    return r instanceof Uint8Array ? `${r.length} bytes` : String(r);
  } catch (e) {
    if (isSysError(e)) return e.errno;
    throw e;
  }
}

/** Print "label: outcome" for one syscall. */
export async function report(sys: Sys, label: string, p: Promise<unknown>): Promise<void> {
  await print(sys, `${label}: ${await outcome(p)}\n`);
}

/** open(/dev/misc/tun) without attaching. */
export function openClone(sys: Sys, flags = 0): Promise<number> {
  return sys.open('/dev/misc/tun', O_RDWR | flags);
}

export async function getFlags(sys: Sys, name: string): Promise<number> {
  const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
  const f: Ifreq = { ifr_name: name };
  try {
    await sys.ioctl(s, SIOCGIFFLAGS, f);
  } finally {
    await sys.close(s);
  }
  return f.ifr_flags ?? 0;
}

/** The interface's counters as `ifconfig` reads them (SIOCGIFSTATS). */
export async function getStats(sys: Sys, name: string): Promise<IfStats> {
  const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
  const r: Ifreq & { ifr_stats?: IfStats } = { ifr_name: name };
  try {
    await sys.ioctl(s, SIOCGIFSTATS, r);
  } finally {
    await sys.close(s);
  }
  return r.ifr_stats!;
}

/** "rx 3/252 drop 1 | tx 2/168 drop 0": packets/bytes and drops, as one line. */
export async function statsLine(sys: Sys, name: string): Promise<string> {
  const st = await getStats(sys, name);
  return `rx ${st.receive.packets}/${st.receive.bytes} drop ${st.receive.dropped} | tx ${st.send.packets}/${st.send.bytes} drop ${st.send.dropped}`;
}

/** `ifconfig --delete NAME`: SIOCDIFADDR without an address deletes the interface (Haiku). */
export async function deleteIface(sys: Sys, name: string): Promise<void> {
  const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
  try {
    await sys.ioctl(s, SIOCDIFADDR, { ifr_name: name });
  } finally {
    await sys.close(s);
  }
}

/** Haiku's `ifconfig tun/3 ...` on a missing interface: SIOCAIFADDR creates it. */
export async function createIface(sys: Sys, name: string): Promise<number> {
  const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
  const r: Ifreq = { ifr_name: name };
  try {
    await sys.ioctl(s, SIOCAIFADDR, r);
  } finally {
    await sys.close(s);
  }
  return r.ifr_ifindex ?? -1;
}

/** `arp -s IP MAC`: a permanent neighbour entry, so frames leave a TAP without an ARP exchange. */
export async function arpSet(sys: Sys, ip: string, mac: string, iface?: string): Promise<void> {
  const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
  try {
    await sys.ioctl(s, SIOCSARP, { ip, mac, ...(iface ? { iface } : {}) });
  } finally {
    await sys.close(s);
  }
}

/** Send `count` UDP datagrams from a fresh socket to ADDR:PORT (the stack's packets towards a tun). */
export async function udpBurst(sys: Sys, addr: string, port: number, count: number, size = 16): Promise<number> {
  const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
  for (let i = 0; i < count; i++) {
    const payload = new Uint8Array(size);
    payload[0] = i >> 8;
    payload[1] = i & 0xff;
    await sys.sendto(s, payload, 0, sockaddrIn(addr, port));
  }
  await sys.close(s);
  return count;
}

/** Read packets without blocking until the queue is empty (the fd must be O_NONBLOCK). */
export async function drain(sys: Sys, fd: number, max = 1 << 16): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (;;) {
    try {
      out.push(await sys.read(fd, max));
    } catch (e) {
      if (isSysError(e, 'EAGAIN')) return out;
      throw e;
    }
  }
}

/**
 * `as UID GID PROG ARGS...`: run a program under other credentials (a root-only spawn option, like
 * su), and exit with its status.
 */
export const asUser = defineProgram({
  name: 'as',
  summary: 'run a program as another user and group',
  async main(argv, sys) {
    const [, uid, gid, prog, ...rest] = argv;
    const pid = await sys.spawn(`/bin/${prog}`, [prog!, ...rest], { uid: Number(uid), gid: Number(gid) });
    const { status } = await sys.waitpid(pid);
    return (status >> 8) & 0xff;
  },
});

/** An ICMP echo reply answering an echo request packet (IPv4), as the far end of a tunnel makes it. */
export function echoReplyFor(request: Uint8Array): Uint8Array | null {
  const ipv = new Ipv4Packet(request);
  const icmp = IcmpRepr.parse(new IcmpPacket(ipv.payload.subarray(0, ipv.totalLen - ipv.headerLen)));
  if (isWireError(icmp) || icmp.kind !== 'echo-request') return null;
  const reply = buildIcmpPacket({ kind: 'echo-reply', ident: icmp.ident, seq: icmp.seq, data: icmp.data });
  return buildIpv4Packet(
    { src: ipv.dst, dst: ipv.src, protocol: IPPROTO_ICMP, ttl: 64, ident: ipv.ident, tos: 0, dontFragment: false, moreFragments: false, fragmentOffset: 0 },
    reply,
  );
}

/** One line describing an IPv4 packet: "10.8.0.1>10.8.0.2 udp 40000>7000 'hello'" or "... icmp echo-reply seq=1". */
export function describeIp(bytes: Uint8Array): string {
  const ipv = new Ipv4Packet(bytes);
  const head = `${formatIpv4(ipv.src)}>${formatIpv4(ipv.dst)}`;
  const body = ipv.payload.subarray(0, ipv.totalLen - ipv.headerLen);
  if (ipv.protocol === IPPROTO_UDP) {
    const u = new UdpPacket(body);
    return `${head} udp ${u.srcPort}>${u.dstPort} '${new TextDecoder().decode(u.payload)}'`;
  }
  if (ipv.protocol === IPPROTO_ICMP) {
    const r = IcmpRepr.parse(new IcmpPacket(body));
    if (isWireError(r)) return `${head} icmp (bad)`;
    return `${head} icmp ${r.kind}${'seq' in r ? ` seq=${r.seq}` : ''}`;
  }
  return `${head} proto ${ipv.protocol}`;
}

/** Every interface name (SIOCGIFCONF), as `ifconfig -a` walks them. */
export async function interfaceNames(sys: Sys): Promise<string[]> {
  const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
  const c: Ifconf = { ifc_req: [] };
  try {
    await sys.ioctl(s, SIOCGIFCONF, c);
  } finally {
    await sys.close(s);
  }
  return c.ifc_req.map((r) => r.ifr_name);
}

/** The routes through an interface (SIOCGRTTABLE) as "dest/mask" strings, in table order. */
export async function routesVia(sys: Sys, name: string): Promise<string[]> {
  const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
  const t: { routes: Rtentry[] } = { routes: [] };
  try {
    await sys.ioctl(s, SIOCGRTTABLE, t);
  } finally {
    await sys.close(s);
  }
  return t.routes.filter((r) => r.rt_dev === name).map((r) => `${r.rt_dst.sin_addr}/${r.rt_genmask.sin_addr}`);
}

/** Does this path exist (stat)? */
export async function exists(sys: Sys, path: string): Promise<boolean> {
  try {
    await sys.stat(path);
    return true;
  } catch (e) {
    if (isSysError(e, 'ENOENT')) return false;
    throw e;
  }
}

/** Wait in poll() until one of the fds is readable; returns their revents. */
export async function waitReadable(sys: Sys, fds: number[]): Promise<number[]> {
  const pfds = fds.map((fd) => ({ fd, events: POLLIN, revents: 0 }));
  await sys.poll(pfds, -1);
  return pfds.map((p) => p.revents);
}

/**
 * `tapreply COUNT`: the far end of a TAP at 10.9.0.1/24, as the seed's ping-reply program was: it
 * answers ARP for 10.9.0.2 and turns COUNT echo requests into replies, then reports its counters.
 */
export const tapPingResponder = defineProgram({
  name: 'tapreply',
  summary: 'answer ARP and ICMP echo for 10.9.0.2 on a TAP',
  async main(argv, sys) {
    const want = Number(argv[1]);
    const { fd, name } = await tunAlloc(sys, '', IFF_TAP | IFF_NO_PI);
    await ifup(sys, name, '10.9.0.1', { netmask: '255.255.255.0' });
    const peerIp = parseIpv4('10.9.0.2')!;
    const peerMac = 0x02_00_00_00_00_02;
    let answered = 0;
    while (answered < want) {
      const eth = new EthernetFrame(await sys.read(fd, 2048));
      if (eth.ethertype === ETHERTYPE_ARP) {
        const arp = ArpRepr.parse(new ArpPacket(eth.payload));
        if (isWireError(arp) || arp.operation !== ARPOP_REQUEST || arp.targetIp !== peerIp) continue;
        const reply = buildArpPacket({ operation: ARPOP_REPLY, senderMac: peerMac, senderIp: peerIp, targetMac: arp.senderMac, targetIp: arp.senderIp });
        await sys.write(fd, buildEthernetFrame({ dst: arp.senderMac, src: peerMac, ethertype: ETHERTYPE_ARP }, reply));
        await print(sys, `tapreply: told ${formatIpv4(arp.senderIp)} that 10.9.0.2 is at 02:00:00:00:00:02\n`);
      } else if (eth.ethertype === ETHERTYPE_IPV4) {
        const reply = echoReplyFor(eth.payload);
        if (!reply) continue;
        await sys.write(fd, buildEthernetFrame({ dst: eth.src, src: peerMac, ethertype: ETHERTYPE_IPV4 }, reply));
        answered++;
      }
    }
    await print(sys, `tapreply: answered ${answered} echo requests; ${await statsLine(sys, name)}\n`);
  },
});

/**
 * `udptunnel LOCAL PEER REMOTE`: a point-to-point tun LOCAL <-> PEER whose packets this relay carries
 * as UDP datagrams to REMOTE:1194, writing the datagrams it receives into the tun (runs forever).
 */
export const udpTunnel = defineProgram({
  name: 'udptunnel',
  summary: 'udptunnel LOCAL PEER REMOTE: tun LOCAL<->PEER, packets carried to REMOTE:1194 over UDP',
  async main(argv, sys) {
    const [, local, peer, remote] = argv;
    const { fd, name } = await tunAlloc(sys, '', IFF_TUN | IFF_NO_PI);
    await ifup(sys, name, local!, { peer: peer! });
    const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    await sys.bind(s, sockaddrIn('0.0.0.0', 1194));
    for (;;) {
      const [fromTun, fromNet] = await waitReadable(sys, [fd, s]);
      if (fromTun! & POLLIN) await sys.sendto(s, await sys.read(fd, 2048), 0, sockaddrIn(remote!, 1194));
      if (fromNet! & POLLIN) await sys.write(fd, (await sys.recvfrom(s, 2048)).data);
    }
  },
});
