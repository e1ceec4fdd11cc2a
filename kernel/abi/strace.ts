// strace's way of writing a system call: decoded flags, quoted buffers, structs by field, and the
// result or the errno with its message. Used by the kernel for traced processes and by tests.

import { ERRNO, type ErrnoName } from './errno.js';
import { ACCESS_MODE_NAMES, F_DUPFD, F_GETFD, F_GETFL, F_SETFD, F_SETFL, FD_CLOEXEC, O_ACCMODE, OPEN_FLAG_NAMES } from './fcntl.js';
import { ARPHRD_NAMES, IFF_NAMES, type Ifreq } from './if.js';
import {
  B_SET_BLOCKING_IO,
  B_SET_NONBLOCKING_IO,
  IOCTL_NAMES,
  ioctlNumber,
  SIOCADDRT,
  SIOCDELRT,
  SIOCGETRT,
  TUN_FLAG_NAMES,
  TUN_FLT_ALLMULTI,
  TUN_OFFLOAD_NAMES,
  TUNGETIFF,
  TUNSETIFF,
  TUNSETLINK,
  TUNSETOFFLOAD,
  TUNSETQUEUE,
  TUNSETTXFILTER,
} from './ioctl.js';
import { POLL_NAMES, type PollFd } from './poll.js';
import { RTF_NAMES, type Rtentry } from './route.js';
import { SIGNAL_NAMES } from './signal.js';
import type { Sockaddr } from './socket.js';
import { flagNames, formatSockaddr, quoteBytes, quoteString } from './strace-format.js';
import { formatNetArgs, formatNetResult } from './strace-net.js';
import type { SpawnOptions, WaitResult } from './syscalls.js';
import { WCONTINUED, WEXITSTATUS, WIFCONTINUED, WIFSIGNALED, WIFSTOPPED, WNOHANG, WSTOPSIG, WTERMSIG, WUNTRACED } from './wait.js';

export { flagNames, formatSockaddr, quoteBytes, quoteString };

const LFLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [0o1, 'ISIG'],
  [0o2, 'ICANON'],
  [0o10, 'ECHO'],
];

/** Linux's NGROUPS_MAX, the size a getgroups caller passes to have them all. */
const NGROUPS_MAX = 65536;

/** strace's limit on the elements of an array it prints (its -s, 32 by default, applies to both). */
const MAX_ELEMENTS = 32;

/** A value one of the names stands for exactly (not a set of flags), or the number itself. */
function valueName(value: number, names: ReadonlyArray<readonly [number, string]>): string {
  return names.find(([v]) => v === value)?.[1] ?? String(value);
}

function macText(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

function macNumberText(mac: number): string {
  return macText(new Uint8Array(6).map((_, i) => Math.floor(mac / 2 ** (8 * (5 - i))) & 0xff));
}

/** An array as strace writes one: its elements, cut after MAX_ELEMENTS with "...". */
function formatArray(a: readonly unknown[], item: (v: unknown) => string = formatValue): string {
  const shown = a.slice(0, MAX_ELEMENTS).map(item);
  if (a.length > MAX_ELEMENTS) shown.push('...');
  return `[${shown.join(', ')}]`;
}

/**
 * Any argument a kernel fills or reads, field by field (the tables tunlab's own requests return,
 * struct winsize, an arpreq): numbers as they are, strings quoted, bytes as a hardware address.
 */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return 'NULL';
  if (typeof v === 'string') return quoteString(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'function') return '0x1';
  if (v instanceof Uint8Array) return macText(v);
  if (Array.isArray(v)) return formatArray(v);
  if (typeof v === 'object') {
    if ('sin_addr' in v || 'sdl_name' in v) return formatSockaddr(v as Sockaddr);
    if ('rt_dst' in v) return formatRtentry(v as Rtentry);
    if ('ifr_name' in v) return formatIfreq(0, v as Ifreq);
    return `{${Object.entries(v).map(([k, x]) => `${k}=${formatValue(x)}`).join(', ')}}`;
  }
  return String(v);
}




function openFlags(flags: number): string {
  const mode = ACCESS_MODE_NAMES[flags & O_ACCMODE] ?? String(flags & O_ACCMODE);
  const rest = flagNames(flags & ~O_ACCMODE, OPEN_FLAG_NAMES, '');
  return rest ? `${mode}|${rest}` : mode;
}


/** The ifreq members formatIfreq writes itself; any other (a table tunlab's requests fill) follows them. */
const IFREQ_FIELDS: ReadonlySet<string> = new Set(['ifr_name', 'ifr_flags', 'ifr_addr', 'ifr_dstaddr', 'ifr_broadaddr', 'ifr_netmask', 'ifr_hwaddr', 'ifr_mtu', 'ifr_metric', 'ifr_ifindex', 'ifr_qlen', 'ifr_type', 'ifr_media', 'ifr_qdisc']);

function formatIfreq(req: number, r: Ifreq): string {
  const fields = [`ifr_name=${quoteString(r.ifr_name)}`];
  if (r.ifr_flags !== undefined) {
    // The TUN requests' flags are IFF_TUN, IFF_ATTACH_QUEUE...: some share values with IFF_UP's kind.
    const names = req === TUNSETIFF || req === TUNGETIFF || req === TUNSETQUEUE ? TUN_FLAG_NAMES : IFF_NAMES;
    fields.push(`ifr_flags=${flagNames(r.ifr_flags, names)}`);
  }
  for (const k of ['ifr_addr', 'ifr_dstaddr', 'ifr_broadaddr', 'ifr_netmask'] as const) {
    const v = r[k];
    if (v) fields.push(`${k}=${formatSockaddr(v)}`);
  }
  if (r.ifr_hwaddr) fields.push(`ifr_hwaddr={sa_family=${valueName(r.ifr_hwaddr.sa_family, ARPHRD_NAMES)}, sa_data=${macText(r.ifr_hwaddr.sa_data)}}`);
  for (const k of ['ifr_mtu', 'ifr_metric', 'ifr_ifindex', 'ifr_qlen', 'ifr_type'] as const) if (r[k] !== undefined) fields.push(`${k}=${r[k]}`);
  if (r.ifr_media !== undefined) fields.push(`ifr_media=${quoteString(r.ifr_media)}`);
  if (r.ifr_qdisc !== undefined)
    fields.push(r.ifr_qdisc ? `ifr_qdisc={kind=${quoteString(r.ifr_qdisc.kind)}, handle=0x${r.ifr_qdisc.handle.toString(16)}, limit=${r.ifr_qdisc.limit}}` : 'ifr_qdisc=NULL');
  for (const [k, v] of Object.entries(r)) if (!IFREQ_FIELDS.has(k)) fields.push(`${k}=${formatValue(v)}`);
  return `{${fields.join(', ')}}`;
}

function formatRtentry(r: Rtentry): string {
  const f = [`rt_dst=${formatSockaddr(r.rt_dst)}`, `rt_genmask=${formatSockaddr(r.rt_genmask)}`];
  if (r.rt_gateway) f.push(`rt_gateway=${formatSockaddr(r.rt_gateway)}`);
  f.push(`rt_flags=${flagNames(r.rt_flags, RTF_NAMES)}`);
  if (r.rt_metric !== undefined) f.push(`rt_metric=${r.rt_metric}`);
  if (r.rt_mtu !== undefined) f.push(`rt_mtu=${r.rt_mtu}`);
  if (r.rt_dev) f.push(`rt_dev=${quoteString(r.rt_dev)}`);
  return `{${f.join(', ')}}`;
}

export function formatIoctlArg(req: number, arg: unknown): string {
  if (arg === undefined || arg === null) return req === B_SET_NONBLOCKING_IO || req === B_SET_BLOCKING_IO ? 'NULL' : '0';
  if (typeof arg === 'number') {
    if (req === TUNSETLINK) return valueName(arg, ARPHRD_NAMES);
    if (req === TUNSETOFFLOAD) return flagNames(arg, TUN_OFFLOAD_NAMES);
    return String(arg);
  }
  if (typeof arg === 'object') {
    if ('ifr_name' in arg) return formatIfreq(req, arg as Ifreq);
    if ((req === SIOCADDRT || req === SIOCDELRT || req === SIOCGETRT) && 'rt_dst' in arg) return formatRtentry(arg as Rtentry);
    if (req === TUNSETTXFILTER && 'addrs' in arg && Array.isArray(arg.addrs)) {
      const f = arg as { flags?: number; addrs: unknown[] };
      const flags = flagNames(f.flags ?? 0, [[TUN_FLT_ALLMULTI, 'TUN_FLT_ALLMULTI']]);
      return `{flags=${flags}, count=${f.addrs.length}, addr=${formatArray(f.addrs, (m) => (typeof m === 'number' ? macNumberText(m) : formatValue(m)))}}`;
    }
    if ('c_lflag' in arg) return `{c_lflag=${flagNames(Number((arg as { c_lflag: number }).c_lflag), LFLAG_NAMES)}}`;
    if ('value' in arg && Object.keys(arg).length === 1) return `[${(arg as { value: unknown }).value}]`;
    return formatValue(arg);
  }
  return String(arg);
}

function formatPoll(fds: PollFd[], withRevents: boolean): string {
  const items = fds.map((p) =>
    withRevents ? `{fd=${p.fd}, revents=${flagNames(p.revents, POLL_NAMES)}}` : `{fd=${p.fd}, events=${flagNames(p.events, POLL_NAMES)}}`,
  );
  return `[${items.join(', ')}]`;
}

const FD_FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [[FD_CLOEXEC, 'FD_CLOEXEC']];
const WAIT_OPTION_NAMES: ReadonlyArray<readonly [number, string]> = [
  [WNOHANG, 'WNOHANG'],
  [WUNTRACED, 'WUNTRACED'],
  [WCONTINUED, 'WCONTINUED'],
];

/** A wait status as strace writes the int waitpid stored: [{WIFEXITED(s) && WEXITSTATUS(s) == 0}]. */
function waitStatus(s: number): string {
  const sig = (n: number) => SIGNAL_NAMES[n] ?? String(n);
  if (WIFCONTINUED(s)) return '[{WIFCONTINUED(s)}]';
  if (WIFSTOPPED(s)) return `[{WIFSTOPPED(s) && WSTOPSIG(s) == ${sig(WSTOPSIG(s))}}]`;
  if (WIFSIGNALED(s)) return `[{WIFSIGNALED(s) && WTERMSIG(s) == ${sig(WTERMSIG(s))}}]`;
  return `[{WIFEXITED(s) && WEXITSTATUS(s) == ${WEXITSTATUS(s)}}]`;
}

/** A spawn that forks a copy of the caller (SpawnOptions.forkImage) is that fork() to strace. */
function isFork(name: string, args: readonly unknown[]): boolean {
  const opts = args[2] as SpawnOptions | undefined;
  return name === 'spawn' && typeof opts === 'object' && opts !== null && opts.forkImage !== undefined;
}

const FCNTL_NAMES: Record<number, string> = {
  [F_DUPFD]: 'F_DUPFD',
  [F_GETFD]: 'F_GETFD',
  [F_SETFD]: 'F_SETFD',
  [F_GETFL]: 'F_GETFL',
  [F_SETFL]: 'F_SETFL',
};

/** A mode as strace's print_numeric_umode_t writes it (%#03o): 000, 022, 0777. */
function octalMode(n: number): string {
  return (n === 0 ? '0' : `0${n.toString(8)}`).padStart(3, '0');
}

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
      // A --load program may name its request ('TUNSETIFF'), as the kernel accepts it.
      const req = typeof a[1] === 'string' ? (ioctlNumber(a[1]) ?? NaN) : Number(a[1]);
      const reqName = IOCTL_NAMES[req] ?? (typeof a[1] === 'string' ? quoteString(a[1]) : `0x${req.toString(16)}`);
      return a.length > 2 ? `${a[0]}, ${reqName}, ${formatIoctlArg(req, a[2])}` : `${a[0]}, ${reqName}`;
    }
    case 'fcntl': {
      const cmd = Number(a[1]);
      const cmdName = FCNTL_NAMES[cmd] ?? String(cmd);
      if (cmd === F_SETFL) return `${a[0]}, ${cmdName}, ${openFlags(Number(a[2]))}`;
      if (cmd === F_SETFD) return `${a[0]}, ${cmdName}, ${flagNames(Number(a[2] ?? 0), FD_FLAG_NAMES)}`;
      return a[2] !== undefined ? `${a[0]}, ${cmdName}, ${a[2]}` : `${a[0]}, ${cmdName}`;
    }
    case 'poll': {
      const fds = a[0] as PollFd[];
      return `${formatPoll(fds, false)}, ${fds.length}, ${a[1]}`;
    }
    case 'waitpid': {
      // The status waitpid stored, once it returned a child's (none with WNOHANG and nothing yet).
      const r = result as WaitResult | undefined;
      const status = r && r.pid > 0 ? waitStatus(r.status) : '0x0';
      return `${a[0]}, ${status}, ${flagNames(Number(a[1] ?? 0), WAIT_OPTION_NAMES)}`;
    }
    case 'setgroups': {
      const g = Array.isArray(a[0]) ? a[0] : [];
      return `${g.length}, ${formatArray(g)}`;
    }
    case 'getgroups':
      // getgroups(size, list): tunlab's call has no size; strace would show the caller's.
      return `${NGROUPS_MAX}, ${Array.isArray(result) ? formatArray(result) : '0x0'}`;
    case 'spawn':
    case 'execve':
      return `${quoteString(String(a[0]))}, ${arrayOfStrings(a[1])}`;
    case 'clock_gettime':
      return Number(a[0]) === 0 ? 'CLOCK_REALTIME' : Number(a[0]) === 1 ? 'CLOCK_MONOTONIC' : String(a[0]);
    case 'kill':
      return `${a[0]}, ${SIGNAL_NAMES[Number(a[1])] ?? a[1]}`;
    case 'sigaction':
      return `${SIGNAL_NAMES[Number(a[0])] ?? a[0]}, ${typeof a[1] === 'function' ? '{sa_handler=0x1}' : `{sa_handler=${a[1]}}`}`;
    case 'mkdir':
      return `${quoteString(String(a[0]))}, ${octalMode(Number(a[1] ?? 0o755))}`;
    case 'umask':
      return octalMode(Number(a[0]));
    case 'stat':
    case 'lstat':
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
  if (name === 'pipe' || isFork(name, args)) return '0';
  if (name === 'waitpid') return String((result as WaitResult).pid);
  if (name === 'getgroups' && Array.isArray(result)) return String(result.length);
  if (name === 'umask' && typeof result === 'number') return octalMode(result);
  if (name === 'sigaction') return typeof result === 'function' ? '0 (was a handler)' : `0 (was ${String(result)})`;
  // As strace's %#lx: 0 is "0"; F_GETFD's 0 carries no flags to name.
  const hex = (n: number) => (n === 0 ? '0' : `0x${n.toString(16)}`);
  if (name === 'fcntl' && Number(args[1]) === F_GETFL) return `${hex(Number(result))} (flags ${openFlags(Number(result))})`;
  if (name === 'fcntl' && Number(args[1]) === F_GETFD) return Number(result) === 0 ? '0' : `${hex(Number(result))} (flags ${flagNames(Number(result), FD_FLAG_NAMES)})`;
  if (typeof result === 'number') return String(result);
  if (typeof result === 'string') return quoteString(result);
  return '0';
}

/**
 * How many leading arguments strace shows when a call starts, for the calls that fill the rest
 * (read's buffer, waitpid's status, an ioctl's struct): the others are shown whole at the start.
 */
const SHOWN_AT_ENTRY: ReadonlyMap<string, number> = new Map([
  ['read', 1],
  ['recvfrom', 1],
  ['recvmsg', 1],
  ['epoll_wait', 1],
  ['accept', 1],
  ['accept4', 1],
  ['waitpid', 1],
  ['journey_read', 1],
  ['getgroups', 1],
  ['ioctl', 2],
]);

/** Whether strace has written all of a call by its start (what a call fills comes at its end otherwise). */
export function decodedAtEntry(name: string, args: readonly unknown[]): boolean {
  return !SHOWN_AT_ENTRY.has(name) && name !== 'pipe' && !isFork(name, args);
}

/** The name strace gives a call: a spawn that forks the caller is fork(). */
export function callName(name: string, args: readonly unknown[]): string {
  return isFork(name, args) ? 'fork' : name;
}

/** What strace writes when a call starts: `read(3, `, or `nanosleep(1000000000` for one shown whole. */
export function formatEntry(name: string, args: readonly unknown[]): string {
  if (isFork(name, args)) return 'fork(';
  if (name === 'pipe') return 'pipe(';
  const text = formatArgs(name, args, undefined);
  const shown = SHOWN_AT_ENTRY.get(name);
  if (shown === undefined) return `${name}(${text}`;
  // The leading arguments are numbers and names: no ", " inside them.
  let end = -2;
  for (let i = 0; i < shown && (i === 0 || end >= 0); i++) end = text.indexOf(', ', end + 2);
  return `${name}(${end < 0 ? text : text.slice(0, end)}, `;
}

/** What follows `<... NAME resumed>`: the arguments not shown at the start, and the result. */
export function formatResumed(name: string, args: readonly unknown[], result: unknown, errno?: ErrnoName): string {
  const whole = formatSyscall(name, args, result, errno);
  const entry = formatEntry(name, args);
  return whole.startsWith(entry) ? whole.slice(entry.length) : `) = ${formatResult(name, result, errno, args)}`;
}

/** One whole strace line (without the newline). */
export function formatSyscall(name: string, args: readonly unknown[], result: unknown, errno?: ErrnoName): string {
  if (isFork(name, args)) return `fork() = ${errno ? formatResult(name, result, errno, args) : String(result)}`;
  // pipe() fills an int[2]: strace shows it as the argument, the call returns 0.
  if (name === 'pipe') return `pipe(${Array.isArray(result) ? `[${result.join(', ')}]` : '0x0'}) = ${formatResult(name, result, errno, args)}`;
  return `${name}(${formatArgs(name, args, result)}) = ${formatResult(name, result, errno, args)}`;
}
