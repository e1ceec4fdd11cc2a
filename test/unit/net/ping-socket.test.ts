// Raw sockets need root (Linux: CAP_NET_RAW), and ICMP datagram sockets ("ping sockets") let a
// user ping when its groups lie in net.ipv4.ping_group_range, with Linux's semantics (checked on
// 6.18 with python as uid 1000 in a network namespace): the kernel owns the identifier and the
// checksum, refuses anything but an echo request, and hands each socket the replies to its
// identifier without the IP header.

import { describe, expect, it } from 'vitest';
import { O_RDONLY, O_WRONLY } from '../../../kernel/abi/fcntl.js';
import {
  AF_INET,
  AF_LINK,
  IP_RECVTTL,
  IP_TTL,
  IPPROTO_ICMP,
  IPPROTO_IP,
  IPPROTO_RAW,
  IPPROTO_UDP,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
  sockaddrIn,
} from '../../../kernel/abi/socket.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { buildIcmpPacket, IcmpPacket, Ipv4Packet, internetChecksum } from '../../../kernel/abi/wire/index.js';
import { formatSyscall } from '../../../kernel/abi/strace.js';
import netstat from '../../../userland/bin/netstat.js';
import { errnoOf, hex, type Note, probe } from '../../helpers/probe.js';
import { run, start, testWorld } from '../../helpers/world.js';
import { defineProgram } from '../../../kernel/abi/program.js';

const LO = sockaddrIn('127.0.0.1');
const RANGE = '/proc/sys/net/ipv4/ping_group_range';

const echo = (ident: number, seq: number, data = new Uint8Array([1, 2, 3, 4])) => buildIcmpPacket({ kind: 'echo-request', ident, seq, data });

async function readRange(sys: Sys): Promise<string> {
  const fd = await sys.open(RANGE, O_RDONLY);
  const t = new TextDecoder().decode(await sys.read(fd, 100));
  await sys.close(fd);
  return JSON.stringify(t);
}

async function writeRange(sys: Sys, text: string): Promise<string> {
  const fd = await sys.open(RANGE, O_WRONLY);
  try {
    return await errnoOf(sys.write(fd, new TextEncoder().encode(text)));
  } finally {
    await sys.close(fd);
  }
}

/** As uid 1000 in group 1000 (and `groups`): which sockets it may open. */
async function asUser(body: (sys: Sys, note: Note) => Promise<void>, range?: string, groups: number[] = []) {
  return probe(async (sys, note, argv) => {
    if (argv[1] === 'user') return void (await body(sys, note));
    if (range !== undefined) note(`range write: ${await writeRange(sys, range)}`);
    await sys.waitpid(await sys.spawn('/bin/probe', ['probe', 'user'], { uid: 1000, gid: 1000, groups }));
  });
}

describe('raw sockets need root', () => {
  it('uid 1000 gets EPERM for SOCK_RAW of every protocol; protocol 0 is EPROTONOSUPPORT and one past IPPROTO_MAX EINVAL first, as on Linux', async () => {
    const { lines } = await asUser(async (sys, note) => {
      for (const p of [IPPROTO_ICMP, IPPROTO_UDP, 6, 2, IPPROTO_RAW]) note(`raw ${p}: ${await errnoOf(sys.socket(AF_INET, SOCK_RAW, p))}`);
      note(`raw 0: ${await errnoOf(sys.socket(AF_INET, SOCK_RAW, 0))}`);
      // Out of range is EINVAL before the caller is looked at; 262 (IPPROTO_MPTCP) is in range.
      for (const p of [263, 300, -1]) note(`raw ${p}: ${await errnoOf(sys.socket(AF_INET, SOCK_RAW, p))}`);
      note(`raw 262: ${await errnoOf(sys.socket(AF_INET, SOCK_RAW, 262))}`);
      note(`dgram 300: ${await errnoOf(sys.socket(AF_INET, SOCK_DGRAM, 300))}`);
      // Still open to a user: UDP, TCP, and the link socket (the capture itself is what needs root).
      note(`udp: ${await errnoOf(sys.socket(AF_INET, SOCK_DGRAM, 0))}`);
      note(`tcp: ${await errnoOf(sys.socket(AF_INET, SOCK_STREAM, 0))}`);
      note(`link: ${await errnoOf(sys.socket(AF_LINK, SOCK_DGRAM, 0))}`);
    });
    expect(lines).toEqual(['raw 1: EPERM', 'raw 17: EPERM', 'raw 6: EPERM', 'raw 2: EPERM', 'raw 255: EPERM', 'raw 0: EPROTONOSUPPORT', 'raw 263: EINVAL', 'raw 300: EINVAL', 'raw -1: EINVAL', 'raw 262: EPERM', 'dgram 300: EINVAL', 'udp: 3', 'tcp: 4', 'link: 5']);
  });

  it('root still opens one', async () => {
    const { lines } = await probe(async (sys, note) => note(`raw: ${await errnoOf(sys.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP))}`));
    expect(lines).toEqual(['raw: 3']);
  });
});

describe('ping_group_range', () => {
  it('defaults to systemd\'s "0 2147483647" and is validated as Linux validates it', async () => {
    const { lines } = await probe(async (sys, note) => {
      note(`default ${await readRange(sys)}`);
      for (const t of ['0 5\n', '5 3', '0 4294967294', '0 4294967295', '1 2 3', ' 7   9 ', '+3 4', '0x5 6', '\n', '-1 5', 'abc', '010 20', '5', '3 3']) {
        const r = await writeRange(sys, t);
        note(`${JSON.stringify(t)} ${r} ${await readRange(sys)}`);
      }
    });
    expect(lines).toEqual([
      'default "0\\t2147483647\\n"',
      '"0 5\\n" 4 "0\\t5\\n"',
      '"5 3" 3 "1\\t0\\n"',
      '"0 4294967294" 12 "0\\t4294967294\\n"',
      '"0 4294967295" EINVAL "0\\t4294967294\\n"',
      '"1 2 3" 5 "1\\t2\\n"',
      '" 7   9 " 7 "7\\t9\\n"',
      '"+3 4" EINVAL "7\\t9\\n"',
      '"0x5 6" 5 "5\\t6\\n"',
      '"\\n" EINVAL "5\\t6\\n"',
      '"-1 5" EINVAL "5\\t6\\n"',
      '"abc" EINVAL "5\\t6\\n"',
      '"010 20" 6 "8\\t20\\n"',
      '"5" 1 "5\\t20\\n"',
      '"3 3" 3 "3\\t3\\n"',
    ]);
  });

  it('a user cannot write it through a descriptor root opened: EPERM, as proc_sys_call_handler checks each write', async () => {
    const { lines } = await probe(async (sys, note, argv) => {
      if (argv[1] === 'user') return void note(`user write: ${await errnoOf(sys.write(3, new TextEncoder().encode('0 5')))}`);
      const fd = await sys.open(RANGE, O_WRONLY);
      note(`fd ${fd}`);
      await sys.waitpid(await sys.spawn('/bin/probe', ['probe', 'user'], { uid: 1000, gid: 1000 }));
      note(`range ${await readRange(sys)}`);
    });
    expect(lines).toEqual(['fd 3', 'user write: EPERM', 'range "0\\t2147483647\\n"']);
  });

  it('admits a user by its gid or a supplementary group, else EACCES; root is no exception', async () => {
    const open = async (sys: Sys, note: Note) => note(`ping socket: ${await errnoOf(sys.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP))}`);
    expect((await asUser(open)).lines).toEqual(['ping socket: 3']);
    // The range is root's to change (0644), or a user could let itself in.
    expect((await asUser(async (sys, note) => note(`user write: ${await errnoOf(sys.open(RANGE, O_WRONLY))}`))).lines).toEqual(['user write: EACCES']);
    expect((await asUser(open, '1 0')).lines).toEqual(['range write: 3', 'ping socket: EACCES']);
    expect((await asUser(open, '1000 1000')).lines).toEqual(['range write: 9', 'ping socket: 3']);
    expect((await asUser(open, '500 600', [550])).lines).toEqual(['range write: 7', 'ping socket: 3']);
    expect((await asUser(open, '500 600', [700])).lines).toEqual(['range write: 7', 'ping socket: EACCES']);
    const root = await probe(async (sys, note) => {
      note(`range write: ${await writeRange(sys, '500 600')}`);
      await open(sys, note);
    });
    expect(root.lines).toEqual(['range write: 7', 'ping socket: EACCES']);
  });
});

describe('ICMP datagram sockets', () => {
  it('the kernel sets the identifier and the checksum; the reply comes without its IP header', async () => {
    const { lines } = await asUser(async (sys, note) => {
      const s = await sys.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
      note(`name before: ${JSON.stringify(await sys.getsockname(s))}`);
      const req = echo(0x1234, 7);
      req[2] = 0xde; // a wrong checksum: the kernel writes its own
      req[3] = 0xad;
      note(`send: ${await errnoOf(sys.sendto(s, req, 0, LO))}`);
      const name = await sys.getsockname(s);
      note(`name after: ${JSON.stringify(name)}`);
      const got = await sys.recvfrom(s, 100);
      const port = 'sin_port' in name ? name.sin_port : -1;
      const view = new IcmpPacket(got.data);
      note(`reply: ${hex(got.data.subarray(0, 2))} ident=${view.echoIdent === port} seq=${view.echoSeq} sum ok=${internetChecksum(got.data) === 0} from ${JSON.stringify(got.from)}`);
      note(`peer: ${await errnoOf(sys.getpeername(s))}`);
    });
    expect(lines).toEqual([
      'name before: {"sin_family":1,"sin_port":0,"sin_addr":"0.0.0.0"}',
      'send: 12',
      'name after: {"sin_family":1,"sin_port":1,"sin_addr":"0.0.0.0"}',
      'reply: 0000 ident=true seq=7 sum ok=true from {"sin_family":1,"sin_port":0,"sin_addr":"127.0.0.1"}',
      'peer: ENOTCONN',
    ]);
  });

  it('what goes out is the request with the socket\'s identifier and a correct checksum (a raw socket sees it)', async () => {
    const { lines } = await probe(async (sys, note) => {
      const raw = await sys.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
      const s = await sys.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
      await sys.bind(s, sockaddrIn('0.0.0.0', 4321));
      await sys.sendto(s, echo(1, 9), 0, LO);
      const p = new Ipv4Packet((await sys.recvfrom(raw, 200)).data);
      const icmp = new IcmpPacket(p.payload);
      note(`out: type ${icmp.type} ident ${icmp.echoIdent} seq ${icmp.echoSeq} sum ok ${internetChecksum(p.payload) === 0}`);
    });
    expect(lines).toEqual(['out: type 8 ident 4321 seq 9 sum ok true']);
  });

  it('two sockets get two identifiers, and each only the replies to its own', async () => {
    const { lines } = await asUser(async (sys, note) => {
      const a = await sys.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
      const b = await sys.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
      await sys.bind(b, sockaddrIn('127.0.0.1', 777));
      await sys.sendto(a, echo(0, 1), 0, LO);
      await sys.sendto(b, echo(0, 2), 0, LO);
      await sys.sendto(a, echo(0, 3), 0, LO);
      for (const [n, fd] of [['a', a], ['b', b]] as const) {
        const port = (await sys.getsockname(fd)) as { sin_port: number };
        const seqs: number[] = [];
        for (;;) {
          const r = await errnoOf(sys.recvfrom(fd, 100, 0x80).then((g) => seqs.push(new IcmpPacket(g.data).echoSeq)));
          if (r === 'EAGAIN') break;
        }
        note(`${n} ident ${port.sin_port}: seqs ${seqs.join(',')}`);
      }
    });
    expect(lines).toEqual(['a ident 1: seqs 1,3', 'b ident 777: seqs 2']);
  });

  it('refuses anything but an echo request, and a message shorter than its header: EINVAL', async () => {
    const { lines } = await asUser(async (sys, note) => {
      const s = await sys.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
      const msg = (type: number, code: number) => {
        const m = echo(0, 1);
        m[0] = type;
        m[1] = code;
        return m;
      };
      for (const [t, c] of [[0, 0], [13, 0], [8, 1], [3, 3]]) note(`type ${t} code ${c}: ${await errnoOf(sys.sendto(s, msg(t!, c!), 0, LO))}`);
      note(`7 bytes: ${await errnoOf(sys.sendto(s, msg(8, 0).subarray(0, 7), 0, LO))}`);
      note(`65516 bytes: ${await errnoOf(sys.sendto(s, new Uint8Array(65516).fill(8, 0, 1), 0, LO))}`);
      note(`no address: ${await errnoOf(sys.sendto(s, msg(8, 0), 0, null))}`);
      note(`second bind: ${await errnoOf(sys.bind(s, sockaddrIn('0.0.0.0', 5)))}`);
      const t = await sys.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
      note(`bind foreign: ${await errnoOf(sys.bind(t, sockaddrIn('10.9.9.9', 0)))}`);
      note(`bind port 80 as a user: ${await errnoOf(sys.bind(t, sockaddrIn('127.0.0.1', 80)))}`);
      note(`unroutable: ${await errnoOf(sys.sendto(t, msg(8, 0), 0, sockaddrIn('10.1.1.1')))}`);
      note(`stream: ${await errnoOf(sys.socket(AF_INET, SOCK_STREAM, IPPROTO_ICMP))}`);
    });
    expect(lines).toEqual([
      'type 0 code 0: EINVAL',
      'type 13 code 0: EINVAL',
      'type 8 code 1: EINVAL',
      'type 3 code 3: EINVAL',
      '7 bytes: EINVAL',
      '65516 bytes: EMSGSIZE',
      'no address: EDESTADDRREQ',
      'second bind: EINVAL',
      'bind foreign: EADDRNOTAVAIL',
      'bind port 80 as a user: 0',
      'unroutable: ENETUNREACH',
      'stream: EPROTONOSUPPORT',
    ]);
  });

  it('recvmsg with an iovec length that is no count is EINVAL for every socket, before it waits', async () => {
    const { lines } = await asUser(async (sys, note) => {
      const socks: Array<[string, number]> = [
        ['ping', await sys.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)],
        ['udp', await sys.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)],
        ['tcp', await sys.socket(AF_INET, SOCK_STREAM, 0)],
      ];
      for (const [kind, s] of socks) {
        const got = [];
        for (const bad of [['x'], [-1], [1.5], [10, 2 ** 60]]) got.push(await errnoOf(sys.recvmsg(s, bad as unknown as number[])));
        note(`${kind}: ${got.join(' ')}`);
      }
    });
    expect(lines).toEqual(['ping: EINVAL EINVAL EINVAL EINVAL', 'udp: EINVAL EINVAL EINVAL EINVAL', 'tcp: EINVAL EINVAL EINVAL EINVAL']);
  });

  it('connect or bind with no address struct at all is EFAULT, not a crash (ping and UDP sockets alike)', async () => {
    const { lines } = await asUser(async (sys, note) => {
      for (const proto of [IPPROTO_ICMP, IPPROTO_UDP]) {
        const s = await sys.socket(AF_INET, SOCK_DGRAM, proto);
        for (const bad of [null, 0, 'x']) {
          const addr = bad as unknown as ReturnType<typeof sockaddrIn>;
          note(`${proto} connect ${JSON.stringify(bad)}: ${await errnoOf(sys.connect(s, addr))} bind: ${await errnoOf(sys.bind(s, addr))}`);
        }
      }
    });
    expect(lines).toEqual([
      '1 connect null: EFAULT bind: EFAULT',
      '1 connect 0: EFAULT bind: EFAULT',
      '1 connect "x": EFAULT bind: EFAULT',
      '17 connect null: EFAULT bind: EFAULT',
      '17 connect 0: EFAULT bind: EFAULT',
      '17 connect "x": EFAULT bind: EFAULT',
    ]);
  });

  it('IP_RECVTTL gives each reply\'s TTL as a control message; connect sends without an address', async () => {
    const { lines } = await asUser(async (sys, note) => {
      const s = await sys.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
      await sys.setsockopt(s, IPPROTO_IP, IP_RECVTTL, 1);
      note(`option: ${await sys.getsockopt(s, IPPROTO_IP, IP_RECVTTL)}`);
      await sys.connect(s, LO);
      note(`send: ${await errnoOf(sys.sendto(s, echo(0, 1), 0, null))}`);
      const m = await sys.recvmsg(s, [100]);
      note(`control: ${JSON.stringify(m.control)} ${m.data.length} bytes`);
      note(`peer: ${await errnoOf(sys.getpeername(s))}`);
    });
    expect(lines).toEqual([
      'option: 1',
      'send: 12',
      `control: [{"cmsg_level":${IPPROTO_IP},"cmsg_type":${IP_TTL},"cmsg_data":64}] 12 bytes`,
      'peer: ENOTCONN',
    ]);
  });

  it('strace writes the calls as Linux strace does', () => {
    expect(formatSyscall('socket', [AF_INET, SOCK_DGRAM, IPPROTO_ICMP], 3)).toBe('socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) = 3');
    expect(formatSyscall('socket', [AF_INET, SOCK_RAW, IPPROTO_ICMP], undefined, 'EPERM')).toBe('socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) = -1 EPERM (Operation not allowed)');
    expect(formatSyscall('setsockopt', [3, IPPROTO_IP, IP_RECVTTL, 1], 0)).toBe('setsockopt(3, SOL_IP, IP_RECVTTL, [1], 4) = 0');
    const m = { data: new Uint8Array(0), from: LO, flags: 0, control: [{ cmsg_level: IPPROTO_IP, cmsg_type: IP_TTL, cmsg_data: 64 }] };
    expect(formatSyscall('recvmsg', [3, [0], 0], m)).toContain('msg_control=[{cmsg_len=20, cmsg_level=SOL_IP, cmsg_type=IP_TTL, cmsg_data=[64]}]');
  });
});

describe('netstat', () => {
  it('lists a ping socket as icmp with its identifier as the port, not as a UDP socket', async () => {
    const holder = defineProgram({
      name: 'holder',
      summary: 'holds a bound ping socket',
      async main(_argv, sys) {
        const s = await sys.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
        await sys.bind(s, sockaddrIn('127.0.0.1', 99));
        await sys.nanosleep(60e9);
      },
    });
    const w = testWorld([holder, netstat]);
    await start(w.mustHost('haiku'), ['holder'], { uid: 1000 });
    const r = await run(w, 'haiku', ['netstat']);
    expect(r.out).toMatch(/^icmp {8}0 {6}0 {6}0 127\.0\.0\.1:99 {10}\*:\*$/m);
  });
});
