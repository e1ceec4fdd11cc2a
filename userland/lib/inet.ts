// What the TCP/UDP client and server programs (nc, iperf3, httpd, curl, traceroute, ss) share:
// the few service names of /etc/services they print, a reverse lookup through /etc/hosts, a
// connect that gives up after a timeout, and copying a whole buffer to a socket.

import { errnoName, isSysError, SysError } from '../../kernel/abi/errno.js';
import { F_GETFL, F_SETFL, O_NONBLOCK } from '../../kernel/abi/fcntl.js';
import { POLLOUT } from '../../kernel/abi/poll.js';
import { SO_ERROR, SOL_SOCKET, sockaddrIn } from '../../kernel/abi/socket.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { formatIpv4 } from '../../kernel/abi/wire/index.js';
import { hostsTable } from './resolve.js';

// The /etc/services entries people meet over a tunnel; nc prints `*` for any other port, as it
// does when getservbyport finds nothing.
const SERVICES: ReadonlyMap<string, string> = new Map<string, string>([
  ['tcp/7', 'echo'],
  ['udp/7', 'echo'],
  ['tcp/9', 'discard'],
  ['udp/9', 'discard'],
  ['tcp/21', 'ftp'],
  ['tcp/22', 'ssh'],
  ['tcp/23', 'telnet'],
  ['tcp/25', 'smtp'],
  ['tcp/53', 'domain'],
  ['udp/53', 'domain'],
  ['tcp/80', 'http'],
  ['udp/123', 'ntp'],
  ['tcp/443', 'https'],
  ['udp/1194', 'openvpn'],
  ['tcp/1194', 'openvpn'],
  ['tcp/5201', 'iperf3'],
]);

export function serviceName(proto: 'tcp' | 'udp', port: number): string | undefined {
  return SERVICES.get(`${proto}/${port}`);
}

/** The first /etc/hosts name of an address (getnameinfo without DNS), or the dotted quad. */
export async function hostName(sys: Sys, addr: string): Promise<string> {
  for (const [name, a] of await hostsTable(sys)) if (formatIpv4(a) === addr) return name;
  return addr;
}

/** The errno's text of a failed call; anything else is a bug, and goes on up to the guard. */
export function sysMessage(e: unknown): string {
  if (!isSysError(e)) throw e;
  return e.message;
}

/**
 * connect() that gives up after timeoutMs (none when null), as nc -w and curl --connect-timeout
 * do: a non-blocking connect, poll for POLLOUT, then SO_ERROR. Throws the connect's SysError;
 * a timeout throws EINPROGRESS, what the caller reports as "timed out: Operation now in progress".
 */
export async function connectWithin(sys: Sys, fd: number, addr: string, port: number, timeoutMs: number | null): Promise<void> {
  if (timeoutMs === null) {
    await sys.connect(fd, sockaddrIn(addr, port));
    return;
  }
  const flags = await sys.fcntl(fd, F_GETFL);
  await sys.fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  try {
    await sys.connect(fd, sockaddrIn(addr, port));
  } catch (e) {
    if (!isSysError(e) || e.errno !== 'EINPROGRESS') throw e;
    const p = [{ fd, events: POLLOUT, revents: 0 }];
    if ((await sys.poll(p, timeoutMs)) === 0) throw e;
    const err = await sys.getsockopt(fd, SOL_SOCKET, SO_ERROR);
    const name = typeof err === 'number' && err !== 0 ? errnoName(err) : undefined;
    if (name) throw new SysError(name);
  }
  await sys.fcntl(fd, F_SETFL, flags);
}

/** Write all of data to fd (a socket may take less than asked). */
export async function sendAll(sys: Sys, fd: number, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await sys.write(fd, off === 0 ? data : data.subarray(off));
}
