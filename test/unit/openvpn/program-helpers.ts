// Shared by the openvpn program tests: a routed world (a --- r --- b) with the static key on both
// ends, programs started in virtual time, and a relay that can corrupt or replay datagrams.

import { readFileSync } from 'node:fs';
import { defineProgram, type Program } from '../../../kernel/abi/program.js';
import { AF_INET, SOCK_DGRAM, SOCK_STREAM, type SockaddrIn, sockaddrIn } from '../../../kernel/abi/socket.js';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import type { World } from '../../../kernel/world/world.js';
import cat from '../../../userland/bin/cat.js';
import ifconfig from '../../../userland/bin/ifconfig.js';
import openvpn from '../../../userland/bin/openvpn/main.js';
import { formatStaticKey } from '../../../userland/bin/openvpn/static-key.js';
import ping from '../../../userland/bin/ping.js';
import route from '../../../userland/bin/route.js';
import tc from '../../../userland/bin/tc/main.js';
import { ROUTED_WORLD, routedWorld } from '../../helpers/net.js';
import { type Started, start } from '../../helpers/world.js';
import { tlsText } from './tls-helpers.js';

export const KEY = readFileSync(new URL('../../../fixtures/worlds/keys/static.key', import.meta.url), 'utf8');
/** A second, unrelated key. */
export const OTHER_KEY = formatStaticKey(Uint8Array.from({ length: 256 }, (_, i) => (i * 97 + 13) & 0xff));

/**
 * relay LISTEN TARGET_ADDR TARGET_PORT MODE: forwards datagrams between the first outside sender
 * and TARGET. MODE "flip" flips a bit of every datagram; "replay" sends the first datagram from
 * outside a second time after the third; "pass" forwards as is.
 */
export const relay: Program = defineProgram({
  name: 'relay',
  summary: 'forward, corrupt or replay UDP datagrams (tests only)',
  async main(argv, sys) {
    const [, listen, targetAddr, targetPort, mode] = argv;
    const target = sockaddrIn(targetAddr!, Number(targetPort));
    const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    await sys.bind(fd, sockaddrIn('0.0.0.0', Number(listen)));
    let client: SockaddrIn | null = null;
    let first: Uint8Array | null = null;
    let fromClient = 0;
    for (;;) {
      const r = await sys.recvfrom(fd, 65536);
      const from = r.from as SockaddrIn;
      const data = r.data.slice();
      if (mode === 'flip') data[data.length - 1] ^= 0x01;
      if (from.sin_addr === target.sin_addr && from.sin_port === target.sin_port) {
        if (client) await sys.sendto(fd, data, 0, client);
        continue;
      }
      client = from;
      await sys.sendto(fd, data, 0, target);
      fromClient++;
      if (mode === 'replay') {
        first ??= data;
        if (fromClient === 3) await sys.sendto(fd, first, 0, target);
      }
    }
  },
});

/** tcpsend ADDR PORT HEX: connects, writes the bytes, and closes (a peer that breaks OpenVPN's framing). */
export const tcpsend: Program = defineProgram({
  name: 'tcpsend',
  summary: 'write bytes on a TCP connection (tests only)',
  async main(argv, sys) {
    const [, addr, port, hex] = argv;
    const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
    await sys.connect(fd, sockaddrIn(addr!, Number(port)));
    await sys.write(fd, Uint8Array.from(hex!.match(/../g)!.map((h) => parseInt(h, 16))));
    await sys.close(fd);
    return 0;
  },
});

export const PROGRAMS: readonly Program[] = [openvpn, ifconfig, route, ping, cat, relay, tcpsend, tc];

/** a (192.168.1.10) and b (10.0.0.2) across a router, with /etc/k (and /etc/other.key) on both. */
export function pairWorld(): World {
  const spec = structuredClone(ROUTED_WORLD) as { hosts: Record<string, { files?: object }> };
  for (const h of ['a', 'b']) {
    spec.hosts[h]!.files = { '/etc/k': { text: KEY, mode: '0600' }, '/etc/other.key': { text: OTHER_KEY, mode: '0600' } };
  }
  return routedWorld(PROGRAMS, spec).world;
}

/** The crypto options both peers share, with a key direction. */
export const crypto = (dir: '0' | '1' | null, key = '/etc/k') => [
  '--secret',
  key,
  ...(dir === null ? [] : [dir]),
  '--cipher',
  'AES-256-CBC',
  '--auth',
  'SHA256',
];

/** Run the world for `seconds` of virtual time (or until nothing can happen any more). */
export async function runFor(world: World, seconds: number): Promise<void> {
  const end = world.sched.now() + seconds * 1e9;
  world.sched.at(end, () => {});
  await world.run({ until: () => world.sched.now() >= end });
}

export async function startOn(world: World, host: string, argv: string[]): Promise<Started> {
  return start(world.mustHost(host), argv);
}

/** Send a signal and run until the process is gone. */
export async function stop(world: World, s: Started, signo: number): Promise<void> {
  s.proc.signal(signo);
  await world.run({ until: () => !s.proc.alive });
}

/** Run a program to its end and return its output. */
export async function runOn(world: World, host: string, argv: string[]): Promise<{ out: string; status: number }> {
  const s = await startOn(world, host, argv);
  await world.run({ until: () => !s.proc.alive });
  return { out: s.output(), status: WEXITSTATUS(s.proc.status ?? 0) };
}

/** The log without its timestamps ("2026-01-01 00:00:00 " and " us=N"). */
export function logLines(output: string): string[] {
  return output
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (us=\d+ )?/, ''));
}

/** The routed world with the TLS vectors' PKI and keys in /etc/openvpn: the client on a, the server on b. */
export function tlsWorld(extra: readonly Program[] = []): World {
  const spec = structuredClone(ROUTED_WORLD) as { hosts: Record<string, { files?: object }> };
  const files = (who: string) => ({
    '/etc/openvpn/ca.crt': { text: tlsText('ca.crt') },
    [`/etc/openvpn/${who}.crt`]: { text: tlsText(`${who}.crt`) },
    [`/etc/openvpn/${who}.key`]: { text: tlsText(`${who}.key`), mode: '0600' },
    '/etc/openvpn/tc.key': { text: tlsText('tc.key'), mode: '0600' },
    '/etc/openvpn/ta.key': { text: tlsText('ta.key'), mode: '0600' },
    '/etc/openvpn/v2s.key': { text: tlsText('v2s.key'), mode: '0600' },
    '/etc/openvpn/v2c.key': { text: tlsText('v2c.key'), mode: '0600' },
  });
  spec.hosts.a!.files = files('client');
  spec.hosts.b!.files = files('server');
  return routedWorld([...PROGRAMS, ...extra], spec).world;
}

export const SERVER = [
  'openvpn', '--dev', 'tun', '--server', '10.8.0.0', '255.255.255.0', '--topology', 'subnet', '--dh', 'none',
  '--ca', '/etc/openvpn/ca.crt', '--cert', '/etc/openvpn/server.crt', '--key', '/etc/openvpn/server.key',
  '--tls-crypt', '/etc/openvpn/tc.key', '--keepalive', '2', '10', '--verb', '3',
];
export const CLIENT = [
  'openvpn', '--client', '--dev', 'tun', '--remote', '10.0.0.2', '--nobind', '--ca', '/etc/openvpn/ca.crt',
  '--cert', '/etc/openvpn/client.crt', '--key', '/etc/openvpn/client.key', '--tls-crypt', '/etc/openvpn/tc.key',
  '--remote-cert-tls', 'server', '--verb', '3',
];
