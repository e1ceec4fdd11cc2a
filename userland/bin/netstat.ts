// netstat: the network's tables and counters. Sockets in the layout of Haiku's netstat
// (src/bin/network/netstat/netstat.cpp: "%-6s %6lu %6lu %-22s%-22s%-12s": protocol, receive and
// send queues, addresses, state), with tunlab's count of the segments or datagrams each socket
// dropped after the queues, and TCP's states named as Linux names them (ESTABLISHED, TIME_WAIT ...);
// Haiku's Program column is not kept. The other views as BSD's netstat offers them:
//
//   netstat [-a] [-n]     sockets: Proto Recv-Q Send-Q Drops Local Address Foreign Address State
//                         (listening TCP sockets only with -a, as BSD's and Linux's netstat)
//   netstat -i            interfaces: a <Link#n> line and a line per IPv4 address, with counters
//   netstat -r            the routing table, in route's layout
//   netstat -s            ip, icmp, tcp and udp counters, grouped and worded as BSD's netstat -s
//
// Exit status: 0 on success, 1 when the kernel refuses, 2 for bad usage.

import { ARPHRD_ETHER, type IfAddrInfo, type Ifreq, type IfStats } from '../../kernel/abi/if.js';
import {
  SIOCGIFADDRS,
  SIOCGIFHWADDR,
  SIOCGIFINDEX,
  SIOCGIFMTU,
  SIOCGIFSTATS,
  SIOCGPROTOSTATS,
  SIOCGRTTABLE,
  SIOCGSOCKTABLE,
} from '../../kernel/abi/ioctl.js';
import { formatIpv4, parseIpv4, prefixFromMask } from '../../kernel/abi/wire/index.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { guarded } from '../lib/guard.js';
import type { Rtentry } from '../../kernel/abi/route.js';
import type { ProtoStats, SocketInfo } from '../../kernel/abi/socket.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { command, parse } from '../lib/cli.js';
import { eprint, print } from '../lib/io.js';
import { EXIT_FAILURE, EXIT_USAGE, formatRouteTable, interfaceNames, netSocket, tryIoctl } from '../lib/netconf.js';

const NAME = 'netstat';

interface Options {
  all?: boolean;
  numeric?: boolean;
  interfaces?: boolean;
  route?: boolean;
  statistics?: boolean;
}

export default defineProgram({
  name: NAME,
  summary: 'show network sockets, interfaces, routes and counters',
  main: guarded(NAME, async (argv, sys) => {
    const cmd = command(NAME, 'show network sockets, interfaces, routes and protocol counters')
      .option('-a, --all', 'show listening sockets too')
      .option('-n, --numeric', "don't resolve names (names are never resolved)")
      .option('-i, --interfaces', 'show the interfaces and their counters')
      .option('-r, --route', 'show the routing table')
      .option('-s, --statistics', 'show the ip, icmp, tcp and udp counters')
      .addHelpText('after', '\nExit status: 0 on success, 1 when the kernel refuses, 2 for bad usage.');
    const r = await parse<Options>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const o = r.opts;
    if ([o.interfaces, o.route, o.statistics].filter(Boolean).length > 1) {
      await eprint(sys, `${NAME}: -i, -r and -s cannot be combined\nusage: ${cmd.createHelp().commandUsage(cmd)}\n`);
      return EXIT_USAGE;
    }
    const fd = await netSocket(sys);
    if (fd === null) {
      await eprint(sys, `${NAME}: The networking stack doesn't seem to be available.\n`);
      return EXIT_FAILURE;
    }
    let text: string;
    if (o.interfaces) text = await interfaces(sys, fd);
    else if (o.route) {
      const t: { routes: Rtentry[] } = { routes: [] };
      await sys.ioctl(fd, SIOCGRTTABLE, t);
      text = formatRouteTable(t.routes);
    } else if (o.statistics) text = await statistics(sys, fd);
    else text = await sockets(sys, fd, o.all ?? false);
    await print(sys, text);
    return 0;
  }),
});

// ------------------------------------------------------------------ sockets

/** "0.0.0.0:53" as Haiku's inet_print_address writes it: "*" for INADDR_ANY. */
function endpoint(s: string): string {
  return s.replace(/^0\.0\.0\.0:/, '*:');
}

async function sockets(sys: Sys, fd: number, all: boolean): Promise<string> {
  const t: { sockets: SocketInfo[] } = { sockets: [] };
  await sys.ioctl(fd, SIOCGSOCKTABLE, t);
  const row = (proto: string, recvQ: string, sendQ: string, drops: string, local: string, remote: string, state: string) =>
    `${proto.padEnd(6)} ${recvQ.padStart(6)} ${sendQ.padStart(6)} ${drops.padStart(6)} ${local.padEnd(22)}${remote.padEnd(22)}${state}`.trimEnd() + '\n';
  let out = row('Proto', 'Recv-Q', 'Send-Q', 'Drops', 'Local Address', 'Foreign Address', 'State');
  for (const s of t.sockets) {
    if (s.state === 'LISTEN' && !all) continue;
    out += row(s.proto, String(s.recvQ), String(s.sendQ ?? 0), String(s.drops), endpoint(s.local), endpoint(s.remote), s.state ?? '');
  }
  return out;
}

// ------------------------------------------------------------------ interfaces

async function interfaces(sys: Sys, fd: number): Promise<string> {
  interface Row {
    name: string;
    mtu: string;
    network: string;
    address: string;
    counters: string[];
  }
  const rows: Row[] = [];
  for (const name of await interfaceNames(sys, fd)) {
    const idx: Ifreq = { ifr_name: name };
    const mtu: Ifreq = { ifr_name: name };
    const hw: Ifreq = { ifr_name: name };
    const stats: Ifreq & { ifr_stats?: IfStats } = { ifr_name: name };
    const addrs: Ifreq & { addrs?: IfAddrInfo[] } = { ifr_name: name };
    if ((await tryIoctl(sys, fd, SIOCGIFINDEX, idx)) !== null) continue; // gone meanwhile
    await tryIoctl(sys, fd, SIOCGIFMTU, mtu);
    await tryIoctl(sys, fd, SIOCGIFHWADDR, hw);
    await tryIoctl(sys, fd, SIOCGIFSTATS, stats);
    await tryIoctl(sys, fd, SIOCGIFADDRS, addrs);
    const mac =
      hw.ifr_hwaddr && hw.ifr_hwaddr.sa_family === ARPHRD_ETHER
        ? [...hw.ifr_hwaddr.sa_data.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':')
        : '';
    const st = stats.ifr_stats;
    const counters = st
      ? [st.receive.packets, st.receive.errors, st.receive.dropped, st.send.packets, st.send.errors, st.send.dropped, st.collisions].map(String)
      : Array<string>(7).fill('-');
    const mtuText = String(mtu.ifr_mtu ?? '-');
    rows.push({ name, mtu: mtuText, network: `<Link#${idx.ifr_ifindex}>`, address: mac, counters });
    for (const a of addrs.addrs ?? []) {
      const mask = parseIpv4(a.netmask) ?? 0xffff_ffff;
      const net = formatIpv4(((parseIpv4(a.address) ?? 0) & mask) >>> 0);
      rows.push({ name, mtu: mtuText, network: `${net}/${prefixFromMask(mask) ?? 32}`, address: a.address, counters: Array<string>(7).fill('-') });
    }
  }
  const nameWidth = Math.max(4, ...rows.map((r) => r.name.length));
  const widths = [8, 5, 5, 8, 5, 5, 5];
  const line = (name: string, mtu: string, network: string, address: string, counters: string[]) =>
    `${name.padEnd(nameWidth)} ${mtu.padStart(5)} ${network.padEnd(18)} ${address.padEnd(17)} ${counters.map((c, i) => c.padStart(widths[i]!)).join(' ')}\n`;
  let out = line('Name', 'Mtu', 'Network', 'Address', ['Ipkts', 'Ierrs', 'Idrop', 'Opkts', 'Oerrs', 'Odrop', 'Coll']);
  for (const r of rows) out += line(r.name, r.mtu, r.network, r.address, r.counters);
  return out;
}

// ------------------------------------------------------------------ protocol counters

/** "3 packets" or "1 packet": BSD's netstat picks the singular for one. */
function plural(n: number, text: string, depth = 1): string {
  return `${'\t'.repeat(depth)}${n} ${text.replace(/\{([^|}]*)\|?([^}]*)\}/g, (_m, many: string, one: string) => (n === 1 ? one : many))}\n`;
}

const ICMP_TYPES: ReadonlyArray<readonly [string, string]> = [
  ['EchoReps', 'echo reply'],
  ['DestUnreachs', 'destination unreachable'],
  ['Echos', 'echo'],
  ['TimeExcds', 'time exceeded'],
];

async function statistics(sys: Sys, fd: number): Promise<string> {
  const t: { stats?: ProtoStats } = {};
  await sys.ioctl(fd, SIOCGPROTOSTATS, t);
  const ip = t.stats?.ip ?? {};
  const icmp = t.stats?.icmp ?? {};
  const udp = t.stats?.udp ?? {};
  const tcp = t.stats?.tcp ?? {};
  const v = (r: Record<string, number>, k: string) => r[k] ?? 0;

  let out = 'ip:\n';
  out += plural(v(ip, 'InReceives'), 'total {packets|packet} received');
  out += plural(v(ip, 'InHdrErrors'), 'with bad headers');
  out += plural(v(ip, 'InAddrErrors'), 'with invalid destination addresses');
  out += plural(v(ip, 'ReasmReqds'), '{fragments|fragment} received');
  out += plural(v(ip, 'ReasmFails'), '{fragments|fragment} dropped (dup or out of space)');
  out += plural(v(ip, 'ReasmTimeout'), '{fragments|fragment} dropped after timeout');
  out += plural(v(ip, 'ReasmOKs'), '{packets|packet} reassembled ok');
  out += plural(v(ip, 'InDelivers'), '{packets|packet} for this host');
  out += plural(v(ip, 'InUnknownProtos'), '{packets|packet} for unknown/unsupported protocol');
  out += plural(v(ip, 'ForwDatagrams'), '{packets|packet} forwarded');
  // BSD counts a packet to forward that no route covers as not forwardable; Linux in IpExt InNoRoutes.
  out += plural(v(ip, 'InNoRoutes'), '{packets|packet} not forwardable');
  out += plural(v(ip, 'InDiscards'), 'incoming {packets|packet} discarded');
  out += plural(v(ip, 'OutRequests'), '{packets|packet} sent from this host');
  out += plural(v(ip, 'OutDiscards'), 'output {packets|packet} dropped due to no bufs, etc.');
  out += plural(v(ip, 'OutNoRoutes'), 'output {packets|packet} discarded due to no route');
  out += plural(v(ip, 'FragOKs'), 'output {datagrams|datagram} fragmented');
  out += plural(v(ip, 'FragCreates'), '{fragments|fragment} created');
  out += plural(v(ip, 'FragFails'), '{datagrams|datagram} that can\'t be fragmented');

  out += 'icmp:\n';
  out += plural(v(icmp, 'InMsgs'), '{messages|message} received');
  out += plural(v(icmp, 'InErrors'), 'input {messages|message} with errors');
  out += histogram('Input', icmp, 'In');
  out += plural(v(icmp, 'OutMsgs'), '{messages|message} sent');
  out += plural(v(icmp, 'OutErrors'), '{messages|message} that could not be sent');
  out += histogram('Output', icmp, 'Out');

  // Linux's Tcp and TcpExt counters where BSD's tcpstat has the same meaning, in BSD's words.
  out += 'tcp:\n';
  out += plural(v(tcp, 'OutSegs'), '{packets|packet} sent');
  out += plural(v(tcp, 'TCPWinProbe'), 'window probe {packets|packet}', 2);
  out += plural(v(tcp, 'InSegs'), '{packets|packet} received');
  out += plural(v(tcp, 'InCsumErrors'), 'discarded for bad {checksums|checksum}', 2);
  out += plural(v(tcp, 'ActiveOpens'), 'connection {requests|request}');
  out += plural(v(tcp, 'PassiveOpens'), 'connection {accepts|accept}');
  out += plural(v(tcp, 'AttemptFails'), 'embryonic {connections|connection} dropped');
  out += plural(v(tcp, 'ListenOverflows'), 'listen queue {overflows|overflow}');
  out += plural(v(tcp, 'TCPTimeouts'), 'retransmit {timeouts|timeout}');
  out += plural(v(tcp, 'TCPAbortOnTimeout'), '{connections|connection} dropped by rexmit timeout', 2);
  out += plural(v(tcp, 'TCPKeepAlive'), 'keepalive {probes|probe} sent');
  out += plural(v(tcp, 'SyncookiesSent'), '{cookies|cookie} sent');
  out += plural(v(tcp, 'SyncookiesRecv'), '{cookies|cookie} received');
  out += plural(v(tcp, 'TCPSackRecovery'), 'SACK recovery {episodes|episode}');

  out += 'udp:\n';
  out += plural(v(udp, 'InDatagrams'), '{datagrams|datagram} received');
  out += plural(v(udp, 'InCsumErrors'), 'with bad checksum');
  out += plural(v(udp, 'InErrors'), 'with other errors');
  out += plural(v(udp, 'NoPorts'), 'dropped due to no socket');
  out += plural(v(udp, 'RcvbufErrors'), 'dropped due to full socket buffers');
  out += plural(v(udp, 'OutDatagrams'), '{datagrams|datagram} output');
  out += plural(v(udp, 'SndbufErrors'), 'output {datagrams|datagram} dropped due to full buffers');
  return out;
}

/** BSD's "Input histogram:" block: only the ICMP types seen, none of it when nothing was. */
function histogram(title: string, icmp: Record<string, number>, prefix: string): string {
  const seen = ICMP_TYPES.filter(([k]) => (icmp[prefix + k] ?? 0) > 0);
  if (seen.length === 0) return '';
  return `\t${title} histogram:\n${seen.map(([k, name]) => `\t\t${name}: ${icmp[prefix + k]}\n`).join('')}`;
}
