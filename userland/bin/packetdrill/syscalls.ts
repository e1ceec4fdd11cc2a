// The system calls a script may make (run_system_call.c's table): each evaluates its arguments,
// maps the script's fds to live ones, makes the call, and checks the result and errno; the calls
// that create or change sockets tell the runner, which keeps the script-to-live mapping. Buffers
// are zero-filled, as packetdrill's are.

import { ERRNO, type ErrnoName, strerror } from '../../../kernel/abi/errno.js';
import type { EpollEvent } from '../../../kernel/abi/epoll.js';
import type { IntRef } from '../../../kernel/abi/ioctl.js';
import { POLL_NAMES, type PollFd } from '../../../kernel/abi/poll.js';
import type { Cmsg, Linger, SockaddrIn, SockoptValue } from '../../../kernel/abi/socket.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import type { Expr, SyscallSpec } from './ast.js';
import { arg, argCount, bracketed, bufferArg, checkType, ellipsis, field, isEllipsis, s32, ScriptError } from './expr.js';

export type Outcome = { ok: true; value: number } | { ok: false; errno: ErrnoName };

/** What the calls need from the runner: the fd mapping and the socket bookkeeping around it. */
export interface SyscallHost {
  readonly domain: number;
  toLive(scriptFd: number): number;
  /** socket(), open(), epoll_create(), pipe(): a new script fd for a live one. */
  addFd(kind: 'socket' | 'file' | 'epoll' | 'pipe', scriptFd: number, liveFd: number, type?: number, protocol?: number): void;
  listening(scriptFd: number): void;
  accepted(scriptFd: number, liveFd: number): void;
  closed(scriptFd: number, liveFd: number): void;
  /** run_syscall_connect: the socket starts connecting; returns the live address to use. */
  connecting(scriptFd: number, unspec: boolean): SockaddrIn;
  bindAddress(): SockaddrIn;
  /** A NULL buffer: tunlab's calls take arrays, never addresses, so there is no pointer to pass. */
  nullBuffer(): never;
}

type Impl = (sys: Sys, host: SyscallHost, args: Expr[], run: (call: () => Promise<number>) => Promise<Outcome>, spec: SyscallSpec) => Promise<Outcome>;

function fdArg(host: SyscallHost, args: Expr[], i: number): number {
  return host.toLive(s32(arg(args, i)));
}

const zeros = (n: number) => new Uint8Array(Math.max(0, n));

function iovLens(e: Expr): number[] {
  checkType(e, 'list');
  return e.list!.map((x) => {
    checkType(x, 'iovec');
    return s32(field(x, 'iov_len'));
  });
}

function msgIov(e: Expr): number[] {
  checkType(e, 'msghdr');
  const lens = iovLens(field(e, 'msg_iov'));
  if (e.count !== lens.length) throw new ScriptError(`msg_iovlen ${e.count} does not match ${lens.length}-element iovec array`);
  return lens;
}

function cmsgsOf(e: Expr): Cmsg[] {
  const control = field(e, 'msg_control');
  checkType(control, 'list');
  return control.list!.map((c) => {
    checkType(c, 'cmsg');
    const data = field(c, 'cmsg_data');
    if (data.kind !== 'int') throw new ScriptError('Unrecognized type for cmsg_data');
    return { cmsg_level: s32(field(c, 'cmsg_level')), cmsg_type: s32(field(c, 'cmsg_type')), cmsg_data: s32(data) };
  });
}

function pollNames(v: number): string {
  return POLL_NAMES.filter(([bit]) => v & bit)
    .map(([, n]) => n)
    .join('|');
}

export const SYSCALLS: ReadonlyMap<string, Impl> = new Map<string, Impl>([
  [
    'socket',
    async (sys, host, args, run, spec) => {
      argCount(args, 3);
      const domain = isEllipsis(args[0]) ? host.domain : s32(args[0]!);
      const type = s32(arg(args, 1));
      const protocol = s32(arg(args, 2));
      const out = await run(() => sys.socket(domain, type, protocol));
      if (out.ok) host.addFd('socket', s32(spec.result), out.value, type, protocol);
      return out;
    },
  ],
  [
    'bind',
    async (sys, host, args, run) => {
      argCount(args, 3);
      const fd = fdArg(host, args, 0);
      ellipsis(arg(args, 1));
      ellipsis(arg(args, 2));
      const addr = host.bindAddress();
      return run(() => sys.bind(fd, addr));
    },
  ],
  [
    'listen',
    async (sys, host, args, run) => {
      argCount(args, 2);
      const scriptFd = s32(arg(args, 0));
      const fd = host.toLive(scriptFd);
      const backlog = s32(arg(args, 1));
      const out = await run(() => sys.listen(fd, backlog));
      if (out.ok) host.listening(scriptFd);
      return out;
    },
  ],
  [
    'accept',
    async (sys, host, args, run, spec) => {
      argCount(args, 3);
      const fd = fdArg(host, args, 0);
      ellipsis(arg(args, 1));
      ellipsis(arg(args, 2));
      const out = await run(async () => (await sys.accept(fd)).fd);
      if (out.ok) host.accepted(s32(spec.result), out.value);
      return out;
    },
  ],
  [
    'connect',
    async (sys, host, args, run) => {
      argCount(args, 3);
      const scriptFd = s32(arg(args, 0));
      const fd = host.toLive(scriptFd);
      const unspec = !isEllipsis(args[1]);
      if (unspec) s32(args[1]!);
      ellipsis(arg(args, 2));
      const addr = host.connecting(scriptFd, unspec);
      return run(() => sys.connect(fd, addr));
    },
  ],
  ['read', (sys, host, args, run) => readLike(sys, host, args, run, 3)],
  ['recv', (sys, host, args, run) => readLike(sys, host, args, run, 4)],
  ['recvfrom', (sys, host, args, run) => readLike(sys, host, args, run, 6)],
  ['write', (sys, host, args, run) => writeLike(sys, host, args, run, 3)],
  ['send', (sys, host, args, run) => writeLike(sys, host, args, run, 4)],
  ['sendto', (sys, host, args, run) => writeLike(sys, host, args, run, 6)],
  [
    // readv and writev on a socket are recvmsg and sendmsg with no address and no flags; tunlab has
    // them only in that form.
    'readv',
    async (sys, host, args, run) => {
      argCount(args, 3);
      const fd = fdArg(host, args, 0);
      const lens = iovLens(arg(args, 1));
      const n = s32(arg(args, 2));
      if (n !== lens.length) throw new ScriptError(`iov_count ${n} does not match ${lens.length}-element iovec array`);
      return run(async () => (await sys.recvmsg(fd, lens, 0)).data.length);
    },
  ],
  [
    'writev',
    async (sys, host, args, run) => {
      argCount(args, 3);
      const fd = fdArg(host, args, 0);
      const lens = iovLens(arg(args, 1));
      const n = s32(arg(args, 2));
      if (n !== lens.length) throw new ScriptError(`iov_count ${n} does not match ${lens.length}-element iovec array`);
      return run(() => sys.sendmsg(fd, { msg_iov: lens.map(zeros) }, 0));
    },
  ],
  [
    'sendmsg',
    async (sys, host, args, run) => {
      argCount(args, 3);
      const scriptFd = s32(arg(args, 0));
      const fd = host.toLive(scriptFd);
      const msg = arg(args, 1);
      const lens = msgIov(msg);
      const control = cmsgsOf(msg);
      const flags = s32(arg(args, 2));
      const name = host.connecting(scriptFd, false);
      if (s32(field(msg, 'msg_flags')) !== 0) throw new ScriptError('sendmsg ignores msg_flags field in msghdr');
      return run(() => sys.sendmsg(fd, { msg_name: name, msg_iov: lens.map(zeros), msg_control: control }, flags));
    },
  ],
  [
    'recvmsg',
    async (sys, host, args, run) => {
      argCount(args, 3);
      const fd = fdArg(host, args, 0);
      const msg = arg(args, 1);
      const lens = msgIov(msg);
      const expectedControl = cmsgsOf(msg);
      const expectedFlags = s32(field(msg, 'msg_flags'));
      const flags = s32(arg(args, 2));
      let got: Awaited<ReturnType<Sys['recvmsg']>> | null = null;
      const out = await run(async () => {
        got = await sys.recvmsg(fd, lens, flags);
        return got.data.length;
      });
      if (got) checkRecvmsg(got, expectedFlags, expectedControl);
      return out;
    },
  ],
  [
    'fcntl',
    async (sys, host, args, run) => {
      if (args.length !== 2 && args.length !== 3) throw new ScriptError(`fcntl expected 2-3 args but got ${args.length}`);
      const fd = fdArg(host, args, 0);
      const cmd = s32(arg(args, 1));
      const a = args.length === 3 ? s32(args[2]!) : undefined;
      return run(() => sys.fcntl(fd, cmd, a));
    },
  ],
  [
    'ioctl',
    async (sys, host, args, run) => {
      if (args.length !== 2 && args.length !== 3) throw new ScriptError(`ioctl expected 2-3 args but got ${args.length}`);
      const fd = fdArg(host, args, 0);
      const cmd = s32(arg(args, 1));
      if (args.length === 2) return run(() => sys.ioctl(fd, cmd));
      const want = bracketed(args[2]!);
      const ref: IntRef = { value: 0 };
      const out = await run(() => sys.ioctl(fd, cmd, ref));
      if (out.ok && ref.value !== want) throw new ScriptError(`Bad ioctl optval: expected: ${want} actual: ${ref.value}`);
      return out;
    },
  ],
  [
    'close',
    async (sys, host, args, run) => {
      argCount(args, 1);
      const scriptFd = s32(arg(args, 0));
      const fd = host.toLive(scriptFd);
      const out = await run(() => sys.close(fd));
      if (out.ok) host.closed(scriptFd, fd);
      return out;
    },
  ],
  [
    'shutdown',
    async (sys, host, args, run) => {
      argCount(args, 2);
      const fd = fdArg(host, args, 0);
      const how = s32(arg(args, 1));
      return run(() => sys.shutdown(fd, how));
    },
  ],
  ['getsockopt', getsockopt],
  ['setsockopt', setsockopt],
  [
    'poll',
    async (sys, host, args, run) => {
      argCount(args, 3);
      const list = arg(args, 0);
      checkType(list, 'list');
      const fds: PollFd[] = list.list!.map((p) => {
        checkType(p, 'pollfd');
        return { fd: host.toLive(s32(field(p, 'fd'))), events: s32(field(p, 'events')), revents: 0 };
      });
      const nfds = s32(arg(args, 1));
      const timeout = s32(arg(args, 2));
      if (nfds !== fds.length) throw new ScriptError(`nfds ${nfds} does not match ${fds.length}-element pollfd array`);
      const out = await run(() => sys.poll(fds, timeout));
      list.list!.forEach((p, i) => {
        const want = p.fields!.revents ? s32(p.fields!.revents) : 0;
        const got = fds[i]!.revents;
        if (want !== got) throw new ScriptError(`Expected revents of ${pollNames(want)} but got ${pollNames(got)} for pollfd ${i}`);
      });
      return out;
    },
  ],
  [
    'open',
    async (sys, host, args, run, spec) => {
      argCount(args, 2);
      const name = arg(args, 0);
      checkType(name, 'string');
      const flags = s32(arg(args, 1));
      const out = await run(() => sys.open(name.text!, flags));
      if (out.ok) host.addFd('file', s32(spec.result), out.value);
      return out;
    },
  ],
  [
    'epoll_create',
    async (sys, host, args, run, spec) => {
      argCount(args, 1);
      const size = s32(arg(args, 0));
      const out = await run(() => sys.epoll_create(size));
      if (out.ok) host.addFd('epoll', s32(spec.result), out.value);
      return out;
    },
  ],
  [
    'epoll_ctl',
    async (sys, host, args, run) => {
      argCount(args, 4);
      const epfd = fdArg(host, args, 0);
      const op = s32(arg(args, 1));
      const scriptFd = s32(arg(args, 2));
      const fd = host.toLive(scriptFd);
      const ev = epollEvent(host, arg(args, 3), scriptFd, fd);
      return run(() => sys.epoll_ctl(epfd, op, fd, ev));
    },
  ],
  [
    'epoll_wait',
    async (sys, host, args, run) => {
      argCount(args, 4);
      const epfd = fdArg(host, args, 0);
      const want = epollEvent(host, arg(args, 1), -1, -1);
      const max = s32(arg(args, 2));
      const timeout = s32(arg(args, 3));
      let got: EpollEvent[] = [];
      const out = await run(async () => {
        got = await sys.epoll_wait(epfd, max, timeout);
        return got.length;
      });
      const first = got[0] ?? { events: 0, data: 0 };
      if (out.ok && (first.events >>> 0) !== (want.events >>> 0)) {
        throw new ScriptError(`epoll_event->events does not match script: expected: 0x${(want.events >>> 0).toString(16)} actual: 0x${(first.events >>> 0).toString(16)}\n`);
      }
      if (out.ok && first.data !== want.data) throw new ScriptError(`epoll_event->data does not match script: expected: ${want.data} actual: ${first.data}\n`);
      return out;
    },
  ],
  [
    'pipe',
    async (sys, host, args, run) => {
      argCount(args, 1);
      const list = arg(args, 0);
      checkType(list, 'list');
      if (list.list!.length !== 2) throw new ScriptError(`${list.list!.length} pipe file descriptors instead of 2\n`);
      const want = list.list!.map(s32);
      let fds: [number, number] | null = null;
      const out = await run(async () => {
        fds = await sys.pipe();
        return 0;
      });
      if (fds) for (let i = 0; i < 2; i++) host.addFd('pipe', want[i]!, fds[i]!);
      return out;
    },
  ],
]);

async function readLike(sys: Sys, host: SyscallHost, args: Expr[], run: (c: () => Promise<number>) => Promise<Outcome>, n: 3 | 4 | 6): Promise<Outcome> {
  argCount(args, n);
  const fd = fdArg(host, args, 0);
  if (bufferArg(arg(args, 1)) === 'null') host.nullBuffer();
  const count = s32(arg(args, 2));
  const flags = n > 3 ? s32(arg(args, 3)) : 0;
  if (n === 6) {
    ellipsis(arg(args, 4));
    ellipsis(arg(args, 5));
  }
  if (n === 3) return run(async () => (await sys.read(fd, count)).length);
  return run(async () => (await sys.recvfrom(fd, count, flags)).data.length);
}

async function writeLike(sys: Sys, host: SyscallHost, args: Expr[], run: (c: () => Promise<number>) => Promise<Outcome>, n: 3 | 4 | 6): Promise<Outcome> {
  argCount(args, n);
  const scriptFd = s32(arg(args, 0));
  const fd = host.toLive(scriptFd);
  if (bufferArg(arg(args, 1)) === 'null') host.nullBuffer();
  const data = zeros(s32(arg(args, 2)));
  const flags = n > 3 ? s32(arg(args, 3)) : 0;
  if (n === 3) return run(() => sys.write(fd, data));
  if (n === 4) return run(() => sys.sendto(fd, data, flags, null));
  const unspec = !isEllipsis(args[4]);
  if (unspec) s32(args[4]!);
  ellipsis(arg(args, 5));
  const addr = host.connecting(scriptFd, unspec);
  return run(() => sys.sendto(fd, data, flags, addr));
}

function checkRecvmsg(got: { flags: number; control: Cmsg[] }, flags: number, control: Cmsg[]): void {
  if ((got.flags >>> 0) !== (flags >>> 0)) {
    const hex = (v: number) => (v >>> 0).toString(16).toUpperCase().padStart(8, '0');
    throw new ScriptError(`Expected msg_flags 0x${hex(flags)} but got 0x${hex(got.flags)}`);
  }
  let i = 0;
  for (; i < Math.min(got.control.length, control.length); i++) {
    const a = got.control[i]!;
    const e = control[i]!;
    if (a.cmsg_level !== e.cmsg_level) throw new ScriptError(`Bad level in cmsg ${i}: expected=${e.cmsg_level} actual=${a.cmsg_level}`);
    if (a.cmsg_type !== e.cmsg_type) throw new ScriptError(`Bad type in cmsg ${i}: expected=${e.cmsg_type} actual=${a.cmsg_type}`);
    if (a.cmsg_data !== e.cmsg_data) throw new ScriptError(`Bad data in cmsg ${i}: expected=${e.cmsg_data} actual=${a.cmsg_data}`);
  }
  if (got.control.length > control.length) throw new ScriptError(`received more than ${i} cmsgs`);
  if (got.control.length < control.length) throw new ScriptError(`received only ${i} cmsgs`);
}

function epollEvent(host: SyscallHost, e: Expr, scriptFd: number, liveFd: number): EpollEvent {
  checkType(e, 'epollev');
  const events = s32(field(e, 'events')) >>> 0;
  const f = e.fields!;
  if (f.fd) {
    const want = s32(f.fd);
    if (scriptFd === -1) return { events, data: host.toLive(want) };
    if (want !== scriptFd) throw new ScriptError('wrong fd specified in epoll_event\n');
    return { events, data: liveFd };
  }
  const v = f.ptr ?? f.u32 ?? f.u64;
  if (!v) throw new ScriptError('epoll_event specified incorrectly');
  checkType(v, 'int');
  return { events, data: Number(v.int!) };
}

/** The option length the kernel reports back: min(given, the option's size), as Linux copies. */
function liveOptlen(v: SockoptValue, given: number): number {
  if (typeof v === 'number') return Math.min(given, 4);
  if (typeof v === 'string') return Math.min(given, 16);
  if ('l_onoff' in v) return Math.min(given, 8);
  return given;
}

async function getsockopt(sys: Sys, host: SyscallHost, args: Expr[], run: (c: () => Promise<number>) => Promise<Outcome>): Promise<Outcome> {
  argCount(args, 5);
  const fd = fdArg(host, args, 0);
  const level = s32(arg(args, 1));
  const name = s32(arg(args, 2));
  const val = arg(args, 3);
  const optlen = bracketed(arg(args, 4));
  let got: SockoptValue | null = null;
  const out = await run(async () => {
    got = await sys.getsockopt(fd, level, name);
    return 0;
  });
  if (!out.ok || got === null) return out;
  const value: SockoptValue = got;
  const len = liveOptlen(value, optlen);
  if (len !== optlen) throw new ScriptError(`Bad getsockopt optlen: expected: ${optlen} actual: ${len}`);
  if (val.kind === 'string') {
    const want = val.text!;
    const live = typeof value === 'string' ? (value + '\0'.repeat(16)).slice(0, optlen) : String(value);
    if (optlen !== want.length) {
      throw new ScriptError(`Bad getsockopt optval: expected optlen (${optlen} bytes) does not match length of expected optval string '${want}' (${want.length} bytes)`);
    }
    if (live !== want) throw new ScriptError(`Bad getsockopt optval: expected: '${want}' actual: '${live.replace(/\0+$/, '')}'`);
  } else if (val.kind === 'list') {
    if (optlen !== 4) throw new ScriptError(`Unsupported getsockopt optlen: ${optlen}`);
    const want = bracketed(val);
    const live = typeof value === 'number' ? value | 0 : NaN;
    if (live !== want) throw new ScriptError(`Bad getsockopt optval: expected: ${want} actual: ${live}`);
  } else throw new ScriptError(`unsupported getsockopt value type: ${val.kind === 'linger' ? 'linger' : val.kind}`);
  return out;
}

async function setsockopt(sys: Sys, host: SyscallHost, args: Expr[], run: (c: () => Promise<number>) => Promise<Outcome>): Promise<Outcome> {
  argCount(args, 5);
  const fd = fdArg(host, args, 0);
  const level = s32(arg(args, 1));
  const name = s32(arg(args, 2));
  s32(arg(args, 4));
  const val = arg(args, 3);
  let value: SockoptValue;
  if (val.kind === 'linger') value = { l_onoff: s32(field(val, 'onoff')), l_linger: s32(field(val, 'linger')) } satisfies Linger;
  else if (val.kind === 'string') value = val.text!;
  else if (val.kind === 'list') value = bracketed(val);
  else throw new ScriptError(`unsupported setsockopt value type: ${val.kind}`);
  return run(() => sys.setsockopt(fd, level, name, value));
}

/** end_syscall: the result, then the errno, against the script's. */
export function checkResult(spec: SyscallSpec, mode: 'exact' | 'fd', out: Outcome, errno: { name: ErrnoName | null }): void {
  if (!out.ok) errno.name = out.errno;
  const actual = out.ok ? out.value : -1;
  const expected = s32(spec.result);
  const code = errno.name ? ERRNO[errno.name].code : 0;
  const text = errno.name ? strerror(errno.name) : 'No error';
  if (mode === 'fd' && expected >= 0) {
    if (actual < 0) throw new ScriptError(`Expected non-negative result but got ${actual} with errno ${code} (${text})`);
  } else if (actual !== expected) {
    throw new ScriptError(`Expected result ${expected} but got ${actual} with errno ${code} (${text})`);
  }
  if (spec.errno) {
    const want = spec.errno.name;
    if (!/^E[A-Z0-9]+$/.test(want)) throw new ScriptError(`unknown symbol: '${want}'`);
    if (want !== errno.name && !(want === 'EWOULDBLOCK' && errno.name === 'EAGAIN')) {
      const wcode = want in ERRNO ? ERRNO[want as ErrnoName].code : NaN;
      const wtext = want in ERRNO ? strerror(want as ErrnoName) : spec.errno.strerror;
      throw new ScriptError(`Expected errno ${wcode} (${wtext}) but got ${code} (${text})`);
    }
  }
}

/** The calls whose result is a new fd (CHECK_FD). */
export const FD_RESULT: ReadonlySet<string> = new Set(['socket', 'accept', 'open', 'epoll_create']);
