// Every built-in program, by the name it has in /bin. Programs load on first use, so a one-line
// `tunlab -c` does not pay for the ones it never runs.

import type { Program } from '../../kernel/abi/program.js';

interface Entry {
  summary: string;
  load: () => Promise<{ default: Program }>;
}

const PROGRAMS: Record<string, Entry> = {
  ping: { summary: 'send ICMP echo requests to a host', load: () => import('./ping.js') },
  ifconfig: { summary: 'configure network interfaces', load: () => import('./ifconfig.js') },
  route: { summary: 'show and change the routing table', load: () => import('./route.js') },
  arp: { summary: 'show and change the ARP cache', load: () => import('./arp.js') },
  netstat: { summary: 'sockets, interface counters, routes and protocol statistics', load: () => import('./netstat.js') },
  sh: { summary: 'the shell', load: () => import('./sh.js') },
  strace: { summary: 'trace the system calls of a command', load: () => import('./strace.js') },
  hosts: { summary: 'list the hosts of this world', load: () => import('./hosts.js') },
  on: { summary: 'run a command on another host', load: () => import('./on.js') },
  su: { summary: 'run a shell as another user', load: () => import('./su.js') },
  tunreply: { summary: 'answer ICMP echo requests from the far end of a tun or tap', load: () => import('./tunreply.js') },
  udpserver: { summary: 'receive (and echo) UDP datagrams', load: () => import('./udpserver.js') },
  udpclient: { summary: 'send UDP datagrams and wait for their echo', load: () => import('./udpclient.js') },
};

const cache = new Map<string, Program>();

/** The programs a world installs in /bin (a ProgramSource, in kernel/world terms). */
export const userlandPrograms = {
  names(): string[] {
    return Object.keys(PROGRAMS).sort();
  },
  summary(name: string): string | undefined {
    return PROGRAMS[name]?.summary;
  },
  async load(name: string): Promise<Program | undefined> {
    const hit = cache.get(name);
    if (hit) return hit;
    const entry = PROGRAMS[name];
    if (!entry) return undefined;
    const p = (await entry.load()).default;
    cache.set(name, p);
    return p;
  },
};
