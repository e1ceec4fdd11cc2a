// Helpers for TUN/TAP tests: programs that open, configure and drive a tun through syscalls only.

import { O_RDWR } from '../../kernel/abi/fcntl.js';
import { IFF_UP, type Ifreq } from '../../kernel/abi/if.js';
import { SIOCGIFFLAGS, SIOCSIFADDR, SIOCSIFDSTADDR, SIOCSIFFLAGS, SIOCSIFNETMASK, TUNSETIFF } from '../../kernel/abi/ioctl.js';
import {
  buildIcmpPacket,
  buildIpv4Packet,
  buildUdpPacket,
  IPPROTO_ICMP,
  IPPROTO_UDP,
  parseIpv4,
} from '../../kernel/abi/packets.js';
import { AF_INET, SOCK_DGRAM, sockaddrIn } from '../../kernel/abi/socket.js';
import type { Sys } from '../../kernel/abi/syscalls.js';

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
