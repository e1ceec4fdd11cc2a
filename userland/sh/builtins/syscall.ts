// syscall NAME ARGS...: one system call from the shell's own process, so fds stay open from one
// line to the next. The driver demo tool: flags and ioctl requests by name, structs filled from
// words, packets built from a short spec, results printed the way strace prints them.

import { ERRNO, isSysError } from '../../../kernel/abi/errno.js';
import * as fcntl from '../../../kernel/abi/fcntl.js';
import * as io from '../../../kernel/abi/ioctl.js';
import { buildIcmpPacket, buildIpv4Packet, buildUdpPacket, IPPROTO_ICMP, IPPROTO_UDP, parseMac } from '../../../kernel/abi/wire/index.js';
import { POLL_NAMES, type PollFd } from '../../../kernel/abi/poll.js';
import { signalNumber } from '../../../kernel/abi/signal.js';
import { flagNames, formatIoctlArg, formatSockaddr, quoteBytes } from '../../../kernel/abi/strace.js';
import { writeAll } from '../../lib/io.js';
import { table } from '../../lib/table.js';
import { hexdumpCanonical } from '../../lib/hexdump.js';
import { ioctlArg, requestHelp, requestWords } from './syscall-ioctl.js';
import { addrPort, flags, ip, mode, num, path, UsageError } from './syscall-words.js';
import type { Interpreter } from '../interp/interpreter.js';
import type { BuiltinEntry } from './types.js';

const IP_DEFAULTS = { ttl: 64, tos: 0, dontFragment: false, moreFragments: false, fragmentOffset: 0 } as const;

/**
 * Bytes to write, from words: hex digits ("4500 0054 ..."), text:..., or a packet built from a
 * spec: icmp:SRC,DST[,SEQ] (an echo request) or udp:SRC:PORT,DST:PORT[,TEXT]. A leading --pi adds a
 * TUN packet-info header; --eth SRCMAC,DSTMAC wraps the packet in an Ethernet frame (for a TAP).
 * Commas, not '>' or '|', so that nothing in a spec means something to the shell.
 */
export function bytesFrom(words: string[]): Uint8Array {
  let pi = false;
  let eth: [number, number] | null = null;
  const w = [...words];
  for (;;) {
    if (w[0] === '--pi') {
      pi = true;
      w.shift();
    } else if (w[0] === '--eth') {
      const m = /^([0-9a-fA-F:]+),([0-9a-fA-F:]+)$/.exec(w[1] ?? '');
      const a = m ? parseMac(m[1]!) : null;
      const b = m ? parseMac(m[2]!) : null;
      if (a === null || b === null) throw new UsageError('--eth wants SRCMAC,DSTMAC');
      eth = [a, b];
      w.splice(0, 2);
    } else break;
  }
  const spec = w.join(' ');
  let body: Uint8Array;
  let m: RegExpExecArray | null;
  if (spec.startsWith('text:')) body = new TextEncoder().encode(spec.slice(5).replace(/\\n/g, '\n'));
  else if ((m = /^icmp:([\d.]+),([\d.]+)(?:,(\d+))?$/.exec(spec))) {
    const seq = m[3] ? Number(m[3]) : 1;
    const icmp = buildIcmpPacket({ kind: 'echo-request', ident: 0x1234, seq, data: new Uint8Array(56).map((_, i) => i) });
    body = buildIpv4Packet({ src: ip(m[1]!), dst: ip(m[2]!), protocol: IPPROTO_ICMP, ident: seq, ...IP_DEFAULTS }, icmp);
  } else if ((m = /^udp:([\d.]+):(\d+),([\d.]+):(\d+)(?:,(.*))?$/.exec(spec))) {
    const src = ip(m[1]!);
    const dst = ip(m[3]!);
    const udp = buildUdpPacket({ srcPort: Number(m[2]), dstPort: Number(m[4]), payload: new TextEncoder().encode(m[5] ?? 'hello') }, src, dst);
    body = buildIpv4Packet({ src, dst, protocol: IPPROTO_UDP, ident: 1, ...IP_DEFAULTS }, udp);
  } else {
    const hex = spec.replace(/^hex:/, '').replace(/[\s:]/g, '');
    if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
      throw new UsageError('data must be hex bytes, text:..., icmp:SRC,DST[,SEQ] or udp:SRC:PORT,DST:PORT[,TEXT]');
    }
    body = Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
  }
  if (eth) {
    const frame = new Uint8Array(14 + body.length);
    for (let i = 0; i < 6; i++) {
      frame[i] = Math.floor(eth[1] / 2 ** (8 * (5 - i))) & 0xff;
      frame[6 + i] = Math.floor(eth[0] / 2 ** (8 * (5 - i))) & 0xff;
    }
    frame[12] = 0x08;
    frame.set(body, 14);
    body = frame;
  }
  if (pi) {
    const out = new Uint8Array(4 + body.length);
    out[2] = eth ? 0x08 : 0x08;
    out.set(body, 4);
    body = out;
  }
  return body;
}

function describeStat(st: { st_mode: number; st_size: number; st_ino: number; st_uid: number; st_gid: number; st_rdev: number; st_nlink: number }): string {
  const type = st.st_mode & 0o170000;
  const kind = { 0o100000: 'S_IFREG', 0o040000: 'S_IFDIR', 0o020000: 'S_IFCHR', 0o010000: 'S_IFIFO', 0o140000: 'S_IFSOCK', 0o120000: 'S_IFLNK' }[type] ?? '?';
  const rdev = type === 0o020000 ? `, st_rdev=makedev(${st.st_rdev >> 8}, ${st.st_rdev & 0xff})` : '';
  return `{st_mode=${kind}|0${(st.st_mode & 0o7777).toString(8)}, st_ino=${st.st_ino}, st_nlink=${st.st_nlink}, st_uid=${st.st_uid}, st_gid=${st.st_gid}, st_size=${st.st_size}${rdev}}`;
}

type Call = (sh: Interpreter, a: string[]) => Promise<string>;

const CALLS = table<{ usage: string; run: Call }>({
  open: {
    usage: 'open PATH [FLAGS] [MODE]   e.g. open /dev/misc/tun O_RDWR,O_NONBLOCK',
    run: async (sh, a) => String(await sh.sys.open(path(a[0]), a[1] ? flags(a[1], 'flag') : fcntl.O_RDONLY, a[2] ? mode(a[2]) : 0o644)),
  },
  close: { usage: 'close FD', run: async (sh, a) => String(await sh.sys.close(num(a[0], 'FD'))) },
  read: {
    usage: 'read FD COUNT',
    run: async (sh, a) => {
      const data = await sh.sys.read(num(a[0], 'FD'), num(a[1], 'COUNT'));
      return `${data.length}${data.length ? '\n' + hexdumpCanonical(data).trimEnd() : ''}`;
    },
  },
  write: {
    usage: 'write FD DATA   DATA: hex bytes, text:..., icmp:SRC,DST[,SEQ] or udp:SRC:PORT,DST:PORT[,TEXT]; prefixes --pi, --eth SRCMAC,DSTMAC',
    run: async (sh, a) => String(await sh.sys.write(num(a[0], 'FD'), bytesFrom(a.slice(1)))),
  },
  ioctl: {
    usage: 'ioctl FD REQUEST [WORDS]   e.g. ioctl 3 TUNSETIFF tun/%d IFF_TUN,IFF_NO_PI (syscall help ioctl: every request)',
    run: async (sh, a) => {
      const fd = num(a[0], 'FD');
      const reqWord = a[1] ?? '';
      const req = /^\d+$|^0x/i.test(reqWord) ? Number(reqWord) : io.ioctlNumber(reqWord);
      if (req === undefined) throw new UsageError(`unknown ioctl request ${reqWord || '(none)'} (names like TUNSETIFF, SIOCGIFFLAGS, FIONREAD; syscall help ioctl)`);
      const arg = ioctlArg(req, reqWord, a.slice(2));
      const r = await sh.sys.ioctl(fd, req, arg);
      return typeof arg === 'object' && arg !== null ? `${r} ${formatIoctlArg(req, arg)}` : String(r);
    },
  },
  poll: {
    usage: 'poll FD[,FD...] EVENTS TIMEOUT_MS   e.g. poll 3 POLLIN 100',
    run: async (sh, a) => {
      const fds: PollFd[] = (a[0] ?? '').split(',').map((f) => ({ fd: num(f, 'FD'), events: flags(a[1] ?? 'POLLIN', 'event'), revents: 0 }));
      const n = await sh.sys.poll(fds, a[2] === undefined ? -1 : num(a[2], 'timeout'));
      return n === 0 ? '0 (Timeout)' : `${n} [${fds.filter((p) => p.revents).map((p) => `{fd=${p.fd}, revents=${flagNames(p.revents, POLL_NAMES)}}`).join(', ')}]`;
    },
  },
  fcntl: {
    usage: 'fcntl FD CMD [ARG]   e.g. fcntl 3 F_SETFL O_NONBLOCK',
    run: async (sh, a) => {
      const cmd = flags(a[1], 'command');
      const r = await sh.sys.fcntl(num(a[0], 'FD'), cmd, a[2] === undefined ? undefined : flags(a[2], 'flag'));
      return cmd === fcntl.F_GETFL ? `0x${r.toString(16)} (${flagNames(r & ~3, fcntl.OPEN_FLAG_NAMES, '') ? `${fcntl.ACCESS_MODE_NAMES[r & 3]}|${flagNames(r & ~3, fcntl.OPEN_FLAG_NAMES)}` : fcntl.ACCESS_MODE_NAMES[r & 3]})` : String(r);
    },
  },
  dup: { usage: 'dup FD', run: async (sh, a) => String(await sh.sys.dup(num(a[0], 'FD'))) },
  dup2: { usage: 'dup2 OLDFD NEWFD', run: async (sh, a) => String(await sh.sys.dup2(num(a[0], 'FD'), num(a[1], 'FD'))) },
  pipe: { usage: 'pipe', run: async (sh) => `[${(await sh.sys.pipe()).join(', ')}]` },
  lseek: { usage: 'lseek FD OFFSET WHENCE', run: async (sh, a) => String(await sh.sys.lseek(num(a[0], 'FD'), num(a[1], 'offset'), flags(a[2] ?? 'SEEK_SET', 'whence'))) },
  stat: { usage: 'stat PATH', run: async (sh, a) => describeStat(await sh.sys.stat(path(a[0]))) },
  chmod: { usage: 'chmod PATH MODE   e.g. chmod ./run.sh 0755', run: async (sh, a) => String(await sh.sys.chmod(path(a[0]), mode(a[1]))) },
  fstat: { usage: 'fstat FD', run: async (sh, a) => describeStat(await sh.sys.fstat(num(a[0], 'FD'))) },
  socket: {
    usage: 'socket DOMAIN TYPE [PROTOCOL]   e.g. socket AF_INET SOCK_DGRAM 0',
    run: async (sh, a) => String(await sh.sys.socket(flags(a[0], 'domain'), flags(a[1], 'type'), a[2] ? flags(a[2], 'protocol') : 0)),
  },
  bind: { usage: 'bind FD ADDR:PORT', run: async (sh, a) => String(await sh.sys.bind(num(a[0], 'FD'), addrPort(a[1]))) },
  connect: { usage: 'connect FD ADDR:PORT', run: async (sh, a) => String(await sh.sys.connect(num(a[0], 'FD'), addrPort(a[1]))) },
  sendto: {
    usage: 'sendto FD ADDR:PORT DATA',
    run: async (sh, a) => String(await sh.sys.sendto(num(a[0], 'FD'), bytesFrom(a.slice(2)), 0, addrPort(a[1]))),
  },
  recvfrom: {
    usage: 'recvfrom FD COUNT [FLAGS]',
    run: async (sh, a) => {
      const r = await sh.sys.recvfrom(num(a[0], 'FD'), num(a[1], 'COUNT'), a[2] ? flags(a[2], 'flag') : 0);
      return `${r.data.length} from ${formatSockaddr(r.from)} ${quoteBytes(r.data)}`;
    },
  },
  getsockname: { usage: 'getsockname FD', run: async (sh, a) => formatSockaddr(await sh.sys.getsockname(num(a[0], 'FD'))) },
  setsockopt: {
    usage: 'setsockopt FD LEVEL NAME VALUE   e.g. setsockopt 4 SOL_SOCKET SO_RCVBUF 4096',
    run: async (sh, a) => String(await sh.sys.setsockopt(num(a[0], 'FD'), flags(a[1], 'level'), flags(a[2], 'option'), num(a[3], 'value'))),
  },
  getsockopt: {
    usage: 'getsockopt FD LEVEL NAME',
    run: async (sh, a) => String(await sh.sys.getsockopt(num(a[0], 'FD'), flags(a[1], 'level'), flags(a[2], 'option'))),
  },
  kill: {
    usage: 'kill PID SIGNAL',
    run: async (sh, a) => {
      const s = signalNumber(a[1] ?? 'TERM');
      if (s === undefined) throw new UsageError(`unknown signal ${a[1]}`);
      return String(await sh.sys.kill(num(a[0], 'PID'), s));
    },
  },
  getpid: { usage: 'getpid', run: async (sh) => String(sh.sys.getpid()) },
  // Credentials: they change the shell's own process, as a setuid in a C shell builtin would.
  getuid: { usage: 'getuid', run: async (sh) => String(sh.sys.getuid()) },
  getgid: { usage: 'getgid', run: async (sh) => String(sh.sys.getgid()) },
  setuid: { usage: 'setuid UID', run: async (sh, a) => String(await sh.sys.setuid(num(a[0], 'UID'))) },
  setgid: { usage: 'setgid GID', run: async (sh, a) => String(await sh.sys.setgid(num(a[0], 'GID'))) },
  getgroups: {
    usage: 'getgroups',
    run: async (sh) => {
      const groups = await sh.sys.getgroups();
      return `${groups.length} [${groups.join(', ')}]`;
    },
  },
  setgroups: {
    usage: 'setgroups [GID[,GID...]]   e.g. setgroups 100,101 (none: no groups)',
    run: async (sh, a) => String(await sh.sys.setgroups(a[0] === undefined || a[0] === '' ? [] : a[0].split(',').map((g) => num(g, 'GID')))),
  },
});

function help(): string {
  const lines = ['usage: syscall NAME ARGS...   one system call from this shell; its fds stay open', ''];
  for (const [name, c] of Object.entries(CALLS)) lines.push(`  ${c.usage.startsWith(name) ? c.usage : `${name} ${c.usage}`}`);
  // Commas, not |: the shell would take a | for a pipe.
  lines.push('', 'Flags and requests go by name, joined with commas (O_RDWR,O_NONBLOCK  IFF_TUN,IFF_NO_PI  POLLIN).', 'Errors print as -1 ERRNO (message), and the status is 1. `syscall help ioctl` lists the ioctl requests.');
  return lines.join('\n') + '\n';
}

/** The usage line for an error: for an ioctl whose request is known, that request's own words. */
function usageOf(name: string, usage: string, argv: string[]): string {
  const req = name === 'ioctl' && argv[3] !== undefined ? io.ioctlNumber(argv[3]) : undefined;
  const words = req === undefined ? undefined : requestWords(req);
  return words === undefined ? usage : `ioctl FD ${argv[3]}${words ? ` ${words}` : ''}`;
}

export const syscallBuiltin: Record<string, BuiltinEntry> = {
  syscall: {
    summary: 'make one system call from the shell (fds persist between lines)',
    usage: 'syscall NAME ARGS...',
    async run(sh, argv) {
      const name = argv[1];
      if (name === 'help' && argv[2] === 'ioctl') {
        await writeAll(sh.sys, 1, requestHelp());
        return 0;
      }
      if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
        await writeAll(sh.sys, name === undefined ? 2 : 1, help());
        return name === undefined ? 2 : 0;
      }
      const call = CALLS[name];
      if (!call) {
        await writeAll(sh.sys, 2, `syscall: unknown system call ${name} (try: syscall help)\n`);
        return 2;
      }
      try {
        await writeAll(sh.sys, 1, (await call.run(sh, argv.slice(2))) + '\n');
        return 0;
      } catch (e) {
        if (e instanceof UsageError) {
          await writeAll(sh.sys, 2, `syscall ${name}: ${e.message}\nusage: syscall ${usageOf(name, call.usage, argv)}\n`);
          return 2;
        }
        if (isSysError(e)) {
          await writeAll(sh.sys, 1, `-1 ${e.errno} (${ERRNO[e.errno].message})\n`);
          return 1;
        }
        throw e;
      }
    },
  },
};
