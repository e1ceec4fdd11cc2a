// strace's way of writing a system call: decoded flags, quoted buffers, structs by field, and the
// result or the errno with its message. Used by the kernel for traced processes and by tests.

import { ERRNO, type ErrnoName } from './errno.js';
import { ACCESS_MODE_NAMES, F_DUPFD, F_GETFD, F_GETFL, F_SETFD, F_SETFL, O_ACCMODE, OPEN_FLAG_NAMES } from './fcntl.js';
import { IFF_NAMES, type Ifreq } from './if.js';
import {
  B_SET_BLOCKING_IO,
  B_SET_NONBLOCKING_IO,
  IOCTL_NAMES,
  SIOCADDRT,
  SIOCDELRT,
  TUN_FLAG_NAMES,
  TUNGETIFF,
  TUNSETIFF,
} from './ioctl.js';
import { POLL_NAMES, type PollFd } from './poll.js';
import { RTF_NAMES, type Rtentry } from './route.js';
import { SIGNAL_NAMES } from './signal.js';
import { flagNames, formatSockaddr, quoteBytes, quoteString } from './strace-format.js';
import { formatNetArgs, formatNetResult } from './strace-net.js';

export { flagNames, formatSockaddr, quoteBytes, quoteString };

const LFLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [0o1, 'ISIG'],
  [0o2, 'ICANON'],
  [0o10, 'ECHO'],
];

const ARPHRD_NAMES: Record<number, string> = { 1: 'ARPHRD_ETHER', 772: 'ARPHRD_LOOPBACK', 65534: 'ARPHRD_NONE' };

function openFlags(flags: number): string {
  const mode = ACCESS_MODE_NAMES[flags & O_ACCMODE] ?? String(flags & O_ACCMODE);
  const rest = flagNames(flags & ~O_ACCMODE, OPEN_FLAG_NAMES, '');
  return rest ? `${mode}|${rest}` : mode;
}

function formatIfreq(req: number, r: Ifreq): string {
  const fields = [`ifr_name=${quoteString(r.ifr_name)}`];
  if (r.ifr_flags !== undefined) {
    const names = req === TUNSETIFF || req === TUNGETIFF ? TUN_FLAG_NAMES : IFF_NAMES;
    fields.push(`ifr_flags=${flagNames(r.ifr_flags, names)}`);
  }
  for (const k of ['ifr_addr', 'ifr_dstaddr', 'ifr_broadaddr', 'ifr_netmask'] as const) {
    const v = r[k];
    if (v) fields.push(`${k}=${formatSockaddr(v)}`);
  }
  if (r.ifr_hwaddr)
    fields.push(`ifr_hwaddr={sa_family=${ARPHRD_NAMES[r.ifr_hwaddr.sa_family] ?? r.ifr_hwaddr.sa_family}, sa_data=${[...r.ifr_hwaddr.sa_data].map((b) => b.toString(16).padStart(2, '0')).join(':')}}`);
  for (const k of ['ifr_mtu', 'ifr_metric', 'ifr_ifindex', 'ifr_qlen', 'ifr_type'] as const) if (r[k] !== undefined) fields.push(`${k}=${r[k]}`);
  if (r.ifr_media !== undefined) fields.push(`ifr_media=${quoteString(r.ifr_media)}`);
  if (r.ifr_qdisc !== undefined)
    fields.push(r.ifr_qdisc ? `ifr_qdisc={kind=${quoteString(r.ifr_qdisc.kind)}, handle=0x${r.ifr_qdisc.handle.toString(16)}, limit=${r.ifr_qdisc.limit}}` : 'ifr_qdisc=NULL');
  return `{${fields.join(', ')}}`;
}

function formatRtentry(r: Rtentry): string {
  const f = [`rt_dst=${formatSockaddr(r.rt_dst)}`, `rt_genmask=${formatSockaddr(r.rt_genmask)}`];
  if (r.rt_gateway) f.push(`rt_gateway=${formatSockaddr(r.rt_gateway)}`);
  f.push(`rt_flags=${flagNames(r.rt_flags, RTF_NAMES)}`);
  if (r.rt_dev) f.push(`rt_dev=${quoteString(r.rt_dev)}`);
  return `{${f.join(', ')}}`;
}

export function formatIoctlArg(req: number, arg: unknown): string {
  if (arg === undefined || arg === null) return req === B_SET_NONBLOCKING_IO || req === B_SET_BLOCKING_IO ? 'NULL' : '0';
  if (typeof arg === 'number') return String(arg);
  if (typeof arg === 'object') {
    if ('ifr_name' in arg) return formatIfreq(req, arg as Ifreq);
    if ((req === SIOCADDRT || req === SIOCDELRT) && 'rt_dst' in arg) return formatRtentry(arg as Rtentry);
    if ('value' in arg) return `[${(arg as { value: unknown }).value}]`;
    if ('c_lflag' in arg) return `{c_lflag=${flagNames(Number((arg as { c_lflag: number }).c_lflag), LFLAG_NAMES)}}`;
    return '{...}';
  }
  return String(arg);
}

function formatPoll(fds: PollFd[], withRevents: boolean): string {
  const items = fds.map((p) =>
    withRevents ? `{fd=${p.fd}, revents=${flagNames(p.revents, POLL_NAMES)}}` : `{fd=${p.fd}, events=${flagNames(p.events, POLL_NAMES)}}`,
  );
  return `[${items.join(', ')}]`;
}

const FCNTL_NAMES: Record<number, string> = {
  [F_DUPFD]: 'F_DUPFD',
  [F_GETFD]: 'F_GETFD',
  [F_SETFD]: 'F_SETFD',
  [F_GETFL]: 'F_GETFL',
  [F_SETFL]: 'F_SETFL',
};

function arrayOfStrings(a: unknown): string {
  return Array.isArray(a) ? `[${a.map((s) => quoteString(String(s))).join(', ')}]` : String(a);
}

/** The argument list of a call, as strace would write it. */
export function formatArgs(name: string, args: readonly unknown[], result: unknown): string {
  const net = formatNetArgs(name, args, result);
  if (net !== null) return net;
  const a = args;
  switch (name) {
    case 'open':
      return `${quoteString(String(a[0]))}, ${openFlags(Number(a[1]))}${a[2] !== undefined && Number(a[1]) & 0x0200 ? `, 0${Number(a[2]).toString(8)}` : ''}`;
    case 'read': {
      const data = result instanceof Uint8Array ? quoteBytes(result) : '0x0';
      return `${a[0]}, ${data}, ${a[1]}`;
    }
    case 'write': {
      const d = a[1];
      const bytes = typeof d === 'string' ? new TextEncoder().encode(d) : (d as Uint8Array);
      return `${a[0]}, ${quoteBytes(bytes)}, ${bytes.length}`;
    }
    case 'ioctl': {
      const req = Number(a[1]);
      const reqName = IOCTL_NAMES[req] ?? `0x${req.toString(16)}`;
      return a.length > 2 ? `${a[0]}, ${reqName}, ${formatIoctlArg(req, a[2])}` : `${a[0]}, ${reqName}`;
    }
    case 'fcntl': {
      const cmd = Number(a[1]);
      const cmdName = FCNTL_NAMES[cmd] ?? String(cmd);
      if (cmd === F_SETFL) return `${a[0]}, ${cmdName}, ${openFlags(Number(a[2]))}`;
      return a[2] !== undefined ? `${a[0]}, ${cmdName}, ${a[2]}` : `${a[0]}, ${cmdName}`;
    }
    case 'poll': {
      const fds = a[0] as PollFd[];
      return `${formatPoll(fds, false)}, ${fds.length}, ${a[1]}`;
    }
    case 'spawn':
    case 'execve':
      return `${quoteString(String(a[0]))}, ${arrayOfStrings(a[1])}`;
    case 'clock_gettime':
      return Number(a[0]) === 0 ? 'CLOCK_REALTIME' : Number(a[0]) === 1 ? 'CLOCK_MONOTONIC' : String(a[0]);
    case 'kill':
      return `${a[0]}, ${SIGNAL_NAMES[Number(a[1])] ?? a[1]}`;
    case 'sigaction':
      return `${SIGNAL_NAMES[Number(a[0])] ?? a[0]}, ${typeof a[1] === 'function' ? '{sa_handler=0x1}' : `{sa_handler=${a[1]}}`}`;
    case 'stat':
    case 'lstat':
    case 'mkdir':
    case 'rmdir':
    case 'unlink':
    case 'chdir':
    case 'readdir':
    case 'readlink':
      return a.map((x, i) => (i === 0 ? quoteString(String(x)) : String(x))).join(', ');
    case 'journey_open': {
      const o = a[0] as { events?: number } | undefined;
      return o?.events !== undefined ? `{events=${o.events}}` : 'NULL';
    }
    case 'journey_read':
      return `${a[0]}, ${(result as { events?: unknown[] } | undefined)?.events ? '[...]' : '0x0'}, ${a[1]}`;
    case 'rename':
    case 'symlink':
      return `${quoteString(String(a[0]))}, ${quoteString(String(a[1]))}`;
    case 'spawn_thread':
      return '0x1';
    default:
      return a.map((x) => (typeof x === 'string' ? quoteString(x) : typeof x === 'object' ? '{...}' : typeof x === 'function' ? '0x1' : String(x))).join(', ');
  }
}

export function formatResult(name: string, result: unknown, errno: ErrnoName | undefined, args: readonly unknown[]): string {
  if (errno) return `-1 ${errno} (${ERRNO[errno].message})`;
  if (name === 'read' && result instanceof Uint8Array) return String(result.length);
  const net = formatNetResult(name, result);
  if (net !== null) return net;
  if (name === 'journey_read') {
    const b = result as { events: unknown[]; lost: number };
    return b.lost ? `${b.events.length} (${b.lost} lost)` : String(b.events.length);
  }
  if (name === 'poll') {
    const n = Number(result);
    return n > 0 ? `${n} (${formatPoll((args[0] as PollFd[]).filter((p) => p.revents), true)})` : n === 0 ? '0 (Timeout)' : String(n);
  }
  if (name === 'pipe' && Array.isArray(result)) return `0 ([${result.join(', ')}])`;
  if (name === 'sigaction') return typeof result === 'function' ? '0 (was a handler)' : `0 (was ${String(result)})`;
  if (name === 'fcntl' && Number(args[1]) === F_GETFL) return `0x${Number(result).toString(16)} (flags ${openFlags(Number(result))})`;
  if (typeof result === 'number') return String(result);
  if (typeof result === 'string') return quoteString(result);
  return '0';
}

/** One whole strace line (without the newline). */
export function formatSyscall(name: string, args: readonly unknown[], result: unknown, errno?: ErrnoName): string {
  const shownName = name === 'pipe' ? 'pipe' : name;
  const argText = name === 'pipe' ? '' : formatArgs(name, args, result);
  return `${shownName}(${argText}) = ${formatResult(name, result, errno, args)}`;
}
