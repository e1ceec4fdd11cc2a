// Every built-in program, by the name it has in /bin. Programs load on first use, so a one-line
// `tunlab -c` does not pay for the ones it never runs.

import type { Program } from '../../kernel/abi/program.js';
import { table } from '../lib/table.js';

interface Entry {
  summary: string;
  load: () => Promise<{ default: Program }>;
}

const PROGRAMS = table<Entry>({
  awk: { summary: 'pattern scanning and processing language', load: () => import('./awk/main.js') },
  basename: { summary: 'strip directory and suffix from filenames', load: () => import('./basename.js') },
  // The tunlab shell under the name scripts ask for (#!/bin/bash): one shell, two names.
  bash: { summary: 'the shell (the tunlab sh, for #!/bin/bash scripts)', load: () => import('./sh.js') },
  cat: { summary: 'concatenate files and print on the standard output', load: () => import('./cat.js') },
  chmod: { summary: 'change file mode bits', load: () => import('./chmod.js') },
  clear: { summary: 'clear the terminal screen', load: () => import('./clear.js') },
  cp: { summary: 'copy files and directories', load: () => import('./cp.js') },
  cut: { summary: 'remove sections from each line of files', load: () => import('./cut.js') },
  date: { summary: 'print the system date and time', load: () => import('./date.js') },
  find: { summary: 'search for files in a directory hierarchy', load: () => import('./find.js') },
  diff: { summary: 'compare files line by line', load: () => import('./diff.js') },
  dirname: { summary: 'strip the last component from file names', load: () => import('./dirname.js') },
  dmesg: { summary: 'print the kernel message buffer', load: () => import('./dmesg.js') },
  echo: { summary: 'display a line of text', load: () => import('./echo.js') },
  env: { summary: 'run a program in a modified environment', load: () => import('./env.js') },
  'false': { summary: 'do nothing, unsuccessfully', load: () => import('./false.js') },
  grep: { summary: 'print lines that match patterns', load: () => import('./grep.js') },
  head: { summary: 'output the first part of files', load: () => import('./head.js') },
  hexdump: { summary: 'display file contents in hexadecimal, decimal, octal, or ascii', load: () => import('./hexdump.js') },
  hostname: { summary: 'show the system host name', load: () => import('./hostname.js') },
  id: { summary: 'print real and effective user and group IDs', load: () => import('./id.js') },
  ip: { summary: 'show and change routing, devices and tunnels (iproute2)', load: () => import('./ip/main.js') },
  kill: { summary: 'send a signal to processes', load: () => import('./kill.js') },
  ln: { summary: 'make links between files', load: () => import('./ln.js') },
  ls: { summary: 'list directory contents', load: () => import('./ls.js') },
  mkdir: { summary: 'make directories', load: () => import('./mkdir.js') },
  mv: { summary: 'move (rename) files', load: () => import('./mv.js') },
  printf: { summary: 'format and print data', load: () => import('./printf.js') },
  ps: { summary: 'list the teams (processes) of this host', load: () => import('./ps.js') },
  rm: { summary: 'remove files or directories', load: () => import('./rm.js') },
  rmdir: { summary: 'remove empty directories', load: () => import('./rmdir.js') },
  sed: { summary: 'stream editor for filtering and transforming text', load: () => import('./sed/main.js') },
  seq: { summary: 'print a sequence of numbers', load: () => import('./seq.js') },
  ss: { summary: 'another utility to investigate sockets (iproute2)', load: () => import('./ss.js') },
  sha256sum: { summary: 'compute SHA256 message digest', load: () => import('./sha256sum.js') },
  sort: { summary: 'sort lines of text files', load: () => import('./sort.js') },
  sleep: { summary: 'delay for a specified amount of time', load: () => import('./sleep.js') },
  tail: { summary: 'output the last part of files', load: () => import('./tail.js') },
  tee: { summary: 'read from standard input and write to standard output and files', load: () => import('./tee.js') },
  touch: { summary: 'create empty files', load: () => import('./touch.js') },
  'true': { summary: 'do nothing, successfully', load: () => import('./true.js') },
  tr: { summary: 'translate or delete characters', load: () => import('./tr.js') },
  tty: { summary: 'print the file name of the terminal connected to standard input', load: () => import('./tty.js') },
  uname: { summary: 'print system information', load: () => import('./uname.js') },
  uniq: { summary: 'report or omit repeated lines', load: () => import('./uniq.js') },
  uptime: { summary: 'tell how long the system has been running', load: () => import('./uptime.js') },
  wc: { summary: 'print newline, word, and byte counts for each file', load: () => import('./wc.js') },
  which: { summary: 'locate a command', load: () => import('./which.js') },
  xargs: { summary: 'build and execute command lines from standard input', load: () => import('./xargs.js') },
  yes: { summary: 'output a string repeatedly until killed', load: () => import('./yes.js') },
  tunrelay: { summary: 'carry a tun over UDP to a peer, without encryption', load: () => import('./tunrelay.js') },
  tcpdump: { summary: 'capture and show the packets of an interface', load: () => import('./tcpdump.js') },
  journey: { summary: "follow a command's packets through every layer of every host", load: () => import('./journey/main.js') },
  topology: { summary: 'draw the world: segments, cards, bridges and tunnels that are up', load: () => import('./topology.js') },
  ping: { summary: 'send ICMP echo requests to a host', load: () => import('./ping.js') },
  ethtool: { summary: 'show or change the offload features of a network interface', load: () => import('./ethtool.js') },
  ifconfig: { summary: 'configure network interfaces', load: () => import('./ifconfig.js') },
  route: { summary: 'show and change the routing table', load: () => import('./route.js') },
  arp: { summary: 'show and change the ARP cache', load: () => import('./arp.js') },
  httpd: { summary: 'a small web server (busybox httpd)', load: () => import('./httpd.js') },
  curl: { summary: 'transfer a URL over HTTP', load: () => import('./curl.js') },
  iperf3: { summary: 'perform network throughput tests (iperf 3.12)', load: () => import('./iperf3/main.js') },
  iperf: { summary: 'perform network throughput tests (iperf3)', load: () => import('./iperf3/main.js') },
  nc: { summary: 'arbitrary TCP and UDP connections and listens (OpenBSD netcat)', load: () => import('./nc.js') },
  netstat: { summary: 'sockets, interface counters, routes and protocol statistics', load: () => import('./netstat.js') },
  sh: { summary: 'the shell', load: () => import('./sh.js') },
  strace: { summary: 'trace the system calls of a command', load: () => import('./strace.js') },
  hosts: { summary: 'list the hosts of this world', load: () => import('./hosts.js') },
  on: { summary: 'run a command on another host', load: () => import('./on.js') },
  su: { summary: 'run a shell as another user', load: () => import('./su.js') },
  sg: { summary: 'execute a command as a different group', load: () => import('./sg.js') },
  packetdrill: { summary: 'test a TCP stack with scripts of system calls and packets', load: () => import('./packetdrill/main.js') },
  sysctl: { summary: 'configure kernel parameters at runtime', load: () => import('./sysctl.js') },
  traceroute: { summary: 'print the route packets take to network host (FreeBSD)', load: () => import('./traceroute.js') },
  tc: { summary: 'show and change traffic control (root qdiscs)', load: () => import('./tc/main.js') },
  tunreply: { summary: 'answer ICMP echo requests from the far end of a tun or tap', load: () => import('./tunreply.js') },
  openvpn: { summary: 'secure IP tunnel daemon (TLS and static key, wire-compatible with OpenVPN 2.6)', load: () => import('./openvpn/main.js') },
  pki: { summary: "a certificate authority with easy-rsa's verbs (init-pki, build-ca, build-*-full, revoke, gen-crl)", load: () => import('./pki.js') },
  wg: { summary: 'set and retrieve configuration of WireGuard interfaces', load: () => import('./wg/main.js') },
  'wg-quick': { summary: 'set up a WireGuard interface simply', load: () => import('./wg-quick/main.js') },
  'wireguard-go': { summary: 'userspace WireGuard daemon (wireguard-go 0.0.20220316)', load: () => import('./wireguard/main.js') },
  udpserver: { summary: 'receive (and echo) UDP datagrams', load: () => import('./udpserver.js') },
  udpclient: { summary: 'send UDP datagrams and wait for their echo', load: () => import('./udpclient.js') },
});

/** The programs a world installs in /bin (a ProgramSource, in kernel/world terms). */
export const userlandPrograms = {
  names(): string[] {
    return Object.keys(PROGRAMS).sort();
  },
  summary(name: string): string | undefined {
    return PROGRAMS[name]?.summary;
  },
  /** The module loader caches each program's module: a second load is one resolved import. */
  async load(name: string): Promise<Program | undefined> {
    const entry = PROGRAMS[name];
    return entry ? (await entry.load()).default : undefined;
  },
};
