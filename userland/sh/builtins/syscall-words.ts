// The words of `syscall`: numbers, flag and constant names, paths, modes and addresses, each read
// from one word of the command line, with a usage error naming what was wanted.

import * as fcntl from '../../../kernel/abi/fcntl.js';
import { ARPHRD_NAMES, IFF_NAMES } from '../../../kernel/abi/if.js';
import * as io from '../../../kernel/abi/ioctl.js';
import { POLL_NAMES } from '../../../kernel/abi/poll.js';
import { RTF_NAMES } from '../../../kernel/abi/route.js';
import * as so from '../../../kernel/abi/socket.js';
import { parseIpv4, parseMac } from '../../../kernel/abi/wire/index.js';
import { table } from '../../lib/table.js';

/** A word that cannot be what the call wants: `syscall NAME: message` and the call's usage, status 2. */
export class UsageError {
  constructor(readonly message: string) {}
}

const named = (names: ReadonlyArray<readonly [number, string]>) => Object.fromEntries(names.map(([v, n]) => [n, v]));

/** Every constant a word may name. */
const NAMED = table<number>({
  ...named(fcntl.OPEN_FLAG_NAMES),
  O_RDONLY: fcntl.O_RDONLY,
  O_WRONLY: fcntl.O_WRONLY,
  O_RDWR: fcntl.O_RDWR,
  ...named(POLL_NAMES),
  ...named(io.TUN_FLAG_NAMES),
  ...named(io.TUN_OFFLOAD_NAMES),
  TUN_FLT_ALLMULTI: io.TUN_FLT_ALLMULTI,
  ...named(IFF_NAMES),
  ...named(ARPHRD_NAMES),
  ...named(RTF_NAMES),
  F_GETFL: fcntl.F_GETFL,
  F_SETFL: fcntl.F_SETFL,
  F_GETFD: fcntl.F_GETFD,
  F_SETFD: fcntl.F_SETFD,
  F_DUPFD: fcntl.F_DUPFD,
  FD_CLOEXEC: fcntl.FD_CLOEXEC,
  ISIG: io.ISIG,
  ICANON: io.ICANON,
  ECHO: io.ECHO,
  SEEK_SET: 0,
  SEEK_CUR: 1,
  SEEK_END: 2,
  AF_INET: so.AF_INET,
  AF_LINK: so.AF_LINK,
  AF_INET6: so.AF_INET6,
  SOCK_DGRAM: so.SOCK_DGRAM,
  SOCK_RAW: so.SOCK_RAW,
  SOCK_STREAM: so.SOCK_STREAM,
  SOCK_NONBLOCK: so.SOCK_NONBLOCK,
  SOCK_CLOEXEC: so.SOCK_CLOEXEC,
  IPPROTO_IP: so.IPPROTO_IP,
  IPPROTO_ICMP: so.IPPROTO_ICMP,
  IPPROTO_UDP: so.IPPROTO_UDP,
  SOL_SOCKET: so.SOL_SOCKET,
  SO_RCVBUF: so.SO_RCVBUF,
  SO_SNDBUF: so.SO_SNDBUF,
  SO_BROADCAST: so.SO_BROADCAST,
  SO_REUSEADDR: so.SO_REUSEADDR,
  SO_ERROR: so.SO_ERROR,
  IP_TTL: so.IP_TTL,
  IP_TOS: so.IP_TOS,
  MSG_PEEK: so.MSG_PEEK,
  MSG_DONTWAIT: so.MSG_DONTWAIT,
});

const NUMBER = /^-?(0x[0-9a-f]+|\d+)$/i;

/** A number, or flag names joined with | or , (O_RDWR|O_NONBLOCK, IFF_TUN,IFF_NO_PI). */
export function flags(word: string | undefined, what: string): number {
  if (word === undefined) throw new UsageError(`missing ${what}`);
  let v = 0;
  for (const part of word.split(/[|,]/)) {
    const p = part.trim();
    if (p === '' || p === '0') continue;
    const n = NUMBER.test(p) ? Number(p) : NAMED[p];
    if (n === undefined) throw new UsageError(`unknown ${what}: ${p}`);
    v |= n;
  }
  return v;
}

export function num(word: string | undefined, what: string): number {
  if (word === undefined || !NUMBER.test(word)) throw new UsageError(`${what} must be a number${word === undefined ? '' : `, not ${word}`}`);
  return Number(word);
}

/** One of `names` (ARPHRD_ETHER) or a number in 0..max: a value that is no set of flags. */
export function oneOf(word: string | undefined, names: ReadonlyArray<readonly [number, string]>, what: string, max: number): number {
  const byName = names.find(([, n]) => n === word)?.[0];
  if (byName !== undefined) return byName;
  if (word !== undefined && /^\d+$/.test(word) && Number(word) <= max) return Number(word);
  throw new UsageError(`${what} must be a name like ${names[0]?.[1] ?? '?'} or a number up to ${max}${word === undefined ? '' : `, not ${word}`}`);
}

/** A path operand: required, as open(2) and chmod(2) take one. */
export function path(word: string | undefined): string {
  if (word === undefined) throw new UsageError('missing PATH');
  return word;
}

/** A file mode in octal, as chmod(1) and open(2)'s mode are written. */
export function mode(word: string | undefined): number {
  if (word === undefined || !/^[0-7]{1,6}$/.test(word)) throw new UsageError(`MODE must be octal (0644, 755)${word === undefined ? '' : `, not ${word}`}`);
  return parseInt(word, 8);
}

export function ip(s: string): number {
  const a = parseIpv4(s);
  if (a === null) throw new UsageError(`not an IPv4 address: ${s}`);
  return a;
}

/** A struct sockaddr_in holding an address alone (what the SIOCSIF* requests take). */
export function inAddr(word: string | undefined, what: string): so.SockaddrIn {
  if (word === undefined) throw new UsageError(`missing ${what}`);
  ip(word);
  return so.sockaddrIn(word);
}

export function addrPort(word: string | undefined): so.SockaddrIn {
  const m = /^(\d+\.\d+\.\d+\.\d+)(?::(\d+))?$/.exec(word ?? '');
  // A sockaddr_in holds 4 octets and a 16-bit port: anything else cannot even be passed.
  if (!m || parseIpv4(m[1]!) === null || Number(m[2] ?? 0) > 65535) throw new UsageError(`address must be A.B.C.D[:PORT], not ${word ?? '(nothing)'}`);
  return so.sockaddrIn(m[1]!, m[2] ? Number(m[2]) : 0);
}

/** A MAC address (aa:bb:cc:dd:ee:ff) as a 48-bit number. */
export function mac(word: string | undefined, what = 'MAC'): number {
  const m = parseMac(word ?? '');
  if (m === null) throw new UsageError(`${what} must be a MAC address like 52:54:00:12:34:56${word === undefined ? '' : `, not ${word}`}`);
  return m;
}

export function macBytes(m: number): Uint8Array {
  return new Uint8Array(6).map((_, i) => Math.floor(m / 2 ** (8 * (5 - i))) & 0xff);
}
