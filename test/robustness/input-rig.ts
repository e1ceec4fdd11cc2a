// The rig for the input properties: a host with a persistent TUN (10.8.0.2 peer 10.8.0.1) or TAP
// (10.9.0.1/24, MAC 02:00:00:00:00:aa, peer 10.9.0.2 at 02:00:00:00:00:bb), and an injector
// program that attaches with the case's framing, listens on UDP 7000, writes the case's packets
// (noting each write's result), reads back what its socket received, and exits. The test body
// reads the kernel's counters before and after: a case is one batch, its deltas are its own.

import { isSysError } from '../../kernel/abi/errno.js';
import { ARPHRD_ETHER, IFF_UP, type Ifreq } from '../../kernel/abi/if.js';
import { IFF_NO_PI, IFF_TAP, IFF_TUN, SIOCGIFFLAGS, SIOCSIFFLAGS, SIOCSIFHWADDR, TUNSETIFF, TUNSETPERSIST } from '../../kernel/abi/ioctl.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { AF_INET, MSG_DONTWAIT, SO_RCVBUF, SOCK_DGRAM, SOL_SOCKET, sockaddrIn } from '../../kernel/abi/socket.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { World } from '../../kernel/world/world.js';
import { arpSet, ifup, openClone, outcome } from '../helpers/tun.js';
import { crashes, exitCode, guardedWorld } from './harness.js';
import { BOUND_PORT } from './packets.js';

/** A TUN without and with packet info, a TAP, and a TUN on a host that forwards (a router). */
export type Mode = 'tun' | 'tun-pi' | 'tap' | 'tun-fwd';
export const TAP_MAC = 0x0200_0000_00aa;
export const PEER_MAC = 0x0200_0000_00bb;
const NAME: Record<Mode, string> = { tun: 'tun/0', 'tun-pi': 'tun/0', tap: 'tap/0', 'tun-fwd': 'tun/0' };
const FLAGS: Record<Mode, number> = { tun: IFF_TUN | IFF_NO_PI, 'tun-pi': IFF_TUN, tap: IFF_TAP | IFF_NO_PI, 'tun-fwd': IFF_TUN | IFF_NO_PI };

interface Job {
  mode: Mode;
  down: boolean;
  writes: Uint8Array[];
  results: string[];
  delivered: number;
}

let job: Job | null = null;

async function setUp(sys: Sys, name: string, up: boolean): Promise<void> {
  const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
  const f: Ifreq = { ifr_name: name };
  await sys.ioctl(s, SIOCGIFFLAGS, f);
  await sys.ioctl(s, SIOCSIFFLAGS, { ifr_name: name, ifr_flags: up ? (f.ifr_flags ?? 0) | IFF_UP : (f.ifr_flags ?? 0) & ~IFF_UP });
  await sys.close(s);
}

/** `mkdev tun|tun-pi|tap`: create the persistent device and configure it. */
const mkdev = defineProgram({
  name: 'mkdev',
  summary: '',
  async main(argv, sys) {
    const mode = argv[1] as Mode;
    const fd = await openClone(sys);
    await sys.ioctl(fd, TUNSETIFF, { ifr_name: NAME[mode], ifr_flags: FLAGS[mode] });
    await sys.ioctl(fd, TUNSETPERSIST, 1);
    if (mode === 'tap') {
      const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      const mac = new Uint8Array([2, 0, 0, 0, 0, 0xaa]);
      await sys.ioctl(s, SIOCSIFHWADDR, { ifr_name: 'tap/0', ifr_hwaddr: { sa_family: ARPHRD_ETHER, sa_data: mac } });
      await sys.close(s);
      await ifup(sys, 'tap/0', '10.9.0.1', { netmask: '255.255.255.0' });
      await arpSet(sys, '10.9.0.2', '02:00:00:00:00:bb', 'tap/0');
    } else await ifup(sys, 'tun/0', '10.8.0.2', { peer: '10.8.0.1' });
  },
});

/** `inject`: one case (the job set by the test body). */
const inject = defineProgram({
  name: 'inject',
  summary: '',
  async main(_argv, sys) {
    const j = job!;
    const name = NAME[j.mode];
    const fd = await openClone(sys);
    await sys.ioctl(fd, TUNSETIFF, { ifr_name: name, ifr_flags: FLAGS[j.mode] });
    const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    await sys.setsockopt(s, SOL_SOCKET, SO_RCVBUF, 4 << 20);
    await sys.bind(s, sockaddrIn('0.0.0.0', BOUND_PORT));
    if (j.down) await setUp(sys, name, false);
    for (const w of j.writes) j.results.push(await outcome(sys.write(fd, w)));
    // Let the stack's soft interrupt take the last packets before looking at the socket.
    await sys.nanosleep(1000);
    for (;;) {
      try {
        await sys.recvfrom(s, 1 << 16, MSG_DONTWAIT);
        j.delivered++;
      } catch (e) {
        if (isSysError(e, 'EAGAIN')) break;
        throw e;
      }
    }
    if (j.down) await setUp(sys, name, true);
  },
});

/** A snapshot of every counter a case may move. */
export function counters(k: Kernel, mode: Mode): Record<string, number> {
  const iface = k.net.byName(NAME[mode])!;
  const c = iface.counters;
  const out: Record<string, number> = {
    rxPackets: c.rxPackets,
    rxBytes: c.rxBytes,
    rxDropped: c.rxDropped,
    rxErrors: c.rxErrors,
    rxNoHandler: c.rxNoHandler,
    rxOtherHost: c.rxOtherHost,
    backlogDrops: k.net.backlogDrops,
    // The stack's own answers to a local or loopback source (an ICMP error, an echo reply) come back
    // in through the loopback interface: counted here, so the IP counters can be reconciled.
    loopRx: k.net.loop.counters.rxPackets,
    ...Object.fromEntries(Object.entries(k.net.ip).map(([n, v]) => [n, v as number])),
    ...Object.fromEntries(Object.entries(k.net.icmp).map(([n, v]) => [`icmp.${n}`, v as number])),
    ...Object.fromEntries(Object.entries(k.sockets.udp.counters).map(([n, v]) => [`udp.${n}`, v as number])),
    ...Object.fromEntries(Object.entries(k.sockets.tcp.engine.stats()).map(([n, v]) => [`tcp.${n}`, v])),
  };
  const st = k.net.reassembler.stats;
  out['reasm.reqds'] = st.reqds;
  out['reasm.oks'] = st.oks;
  out['reasm.fails'] = st.fails;
  out['reasm.timeouts'] = st.timeouts;
  return out;
}

export function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(after).map((n) => [n, after[n]! - (before[n] ?? 0)]));
}

export interface Rig {
  w: World;
  k: Kernel;
  panics: unknown[];
  mode: Mode;
}

export async function makeRig(mode: Mode): Promise<Rig> {
  const { w, panics } = guardedWorld([mkdev, inject]);
  const k = w.mustHost('haiku');
  k.net.forwarding = mode === 'tun-fwd';
  const p = await k.spawn(null, '/bin/mkdev', ['mkdev', mode], { files: [] });
  await w.run({ until: () => !p.alive });
  if (p.status !== 0) throw new Error(`mkdev ${mode} failed: ${p.status}`);
  return { w, k, panics, mode };
}

export interface CaseResult {
  results: string[];
  delivered: number;
  /** Counter deltas right after the writes. */
  d: Record<string, number>;
  /** Datagrams still waiting for fragments when the injector ended. */
  pending: number;
  /** Still pending 29.9 s later (must be all of them: none expires early). */
  pendingBeforeTimeout: number;
  /** Counter deltas once every pending datagram timed out. */
  dEnd: Record<string, number>;
  /** Virtual time the run after the writes took (40 s when there was anything to wait for). */
  timeoutNs: number;
}

/** Run one case: the injector writes `writes`, then the reassembly timers run out. */
export async function runCase(rig: Rig, writes: Uint8Array[], down: boolean): Promise<CaseResult> {
  const { w, k } = rig;
  const before = counters(k, rig.mode);
  job = { mode: rig.mode, down, writes, results: [], delivered: 0 };
  const p = await k.spawn(null, '/bin/inject', ['inject'], { files: [] });
  const outcome = await w.run({ until: () => !p.alive, timeLimitNs: w.sched.now() + 10e9 });
  if (outcome.kind !== 'done' || exitCode(p.status) !== 0) throw new Error(`injector: ${outcome.kind}, status ${p.status}; ${crashes(w).join('; ')}`);
  const d = delta(before, counters(k, rig.mode));
  const pending = k.net.reassembler.inFlight;
  const t0 = w.sched.now();
  await w.run({ until: () => false, timeLimitNs: t0 + 29.9e9 });
  const pendingBeforeTimeout = k.net.reassembler.inFlight;
  // Then everything due by 40 s: the reassembly timeouts, and ARP's retries for the answers a TAP
  // case provoked, so that nothing of this case happens during the next.
  await w.run({ until: () => false, timeLimitNs: t0 + 40e9 });
  const r: CaseResult = {
    results: job.results,
    delivered: job.delivered,
    d,
    pending,
    pendingBeforeTimeout,
    dEnd: delta(before, counters(k, rig.mode)),
    timeoutNs: w.sched.now() - t0,
  };
  job = null;
  return r;
}
