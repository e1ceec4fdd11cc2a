// AF_UNIX stream sockets through syscalls only. Every expectation was checked against Linux 6.x
// with a Python client on this machine (socket(AF_UNIX, SOCK_STREAM) on a tmpfs): the errno of each
// misuse, the names each side sees, EOF, EPIPE and ECONNRESET, and the socket file in the tree.

import { describe, expect, it } from 'vitest';
import { O_CREAT, O_RDONLY, O_WRONLY } from '../../../kernel/abi/fcntl.js';
import { POLLHUP, POLLIN, POLLOUT } from '../../../kernel/abi/poll.js';
import { SIGPIPE } from '../../../kernel/abi/signal.js';
import {
  AF_INET,
  AF_UNIX,
  MSG_NOSIGNAL,
  SHUT_WR,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  sockaddrIn,
  sockaddrUn,
} from '../../../kernel/abi/socket.js';
import { S_IFMT, S_IFSOCK } from '../../../kernel/abi/stat.js';
import { formatSyscall } from '../../../kernel/abi/strace.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { errnoOf, probe, text } from '../../helpers/probe.js';

const enc = (s: string) => new TextEncoder().encode(s);
const unixSocket = (sys: Sys, flags = 0) => sys.socket(AF_UNIX, SOCK_STREAM | flags, 0);

describe('AF_UNIX stream sockets', () => {
  it('misuses give Linux errno', async () => {
    const { lines } = await probe(async (sys, note) => {
      const s = await unixSocket(sys);
      note(`listen unbound: ${await errnoOf(sys.listen(s, 1))}`);
      note(`accept unbound: ${await errnoOf(sys.accept(s))}`);
      note(`send unconnected: ${await errnoOf(sys.sendto(s, enc('x')))}`);
      note(`recv unconnected: ${await errnoOf(sys.recvfrom(s, 1))}`);
      note(`shutdown unconnected: ${await errnoOf(sys.shutdown(s, SHUT_WR))}`);
      note(`getpeername: ${await errnoOf(sys.getpeername(s))}`);
      note(`getsockname: ${JSON.stringify(await sys.getsockname(s))}`);
      note(`bind: ${await errnoOf(sys.bind(s, sockaddrUn('/tmp/b.sock')))}`);
      note(`bind again: ${await errnoOf(sys.bind(s, sockaddrUn('/tmp/c.sock')))}`);
      note(`accept not listening: ${await errnoOf(sys.accept(s))}`);
      note(`listen: ${await errnoOf(sys.listen(s, 5))}`);
      note(`connect listening self: ${await errnoOf(sys.connect(s, sockaddrUn('/tmp/b.sock')))}`);
      const t = await unixSocket(sys);
      note(`bind taken: ${await errnoOf(sys.bind(t, sockaddrUn('/tmp/b.sock')))}`);
      note(`bind over a file: ${await errnoOf(sys.bind(t, sockaddrUn('/boot/home')))}`);
      note(`bind no dir: ${await errnoOf(sys.bind(t, sockaddrUn('/nonexistent/x')))}`);
      note(`bind too long: ${await errnoOf(sys.bind(t, sockaddrUn(`/tmp/${'a'.repeat(200)}`)))}`);
      note(`bind inet address: ${await errnoOf(sys.bind(t, sockaddrIn('0.0.0.0', 0)))}`);
      note(`connect missing: ${await errnoOf(sys.connect(t, sockaddrUn('/tmp/none.sock')))}`);
      note(`connect a directory: ${await errnoOf(sys.connect(t, sockaddrUn('/tmp')))}`);
      const f = await sys.open('/tmp/plain', O_WRONLY | O_CREAT, 0o644);
      await sys.close(f);
      note(`connect a file: ${await errnoOf(sys.connect(t, sockaddrUn('/tmp/plain')))}`);
      const u = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      note(`udp bind path: ${await errnoOf(sys.bind(u, sockaddrUn('/tmp/u.sock')))}`);
      note(`dgram: ${await errnoOf(sys.socket(AF_UNIX, SOCK_DGRAM, 0))}`);
    });
    expect(lines).toEqual([
      'listen unbound: EINVAL',
      'accept unbound: EINVAL',
      'send unconnected: ENOTCONN',
      'recv unconnected: EINVAL',
      'shutdown unconnected: 0',
      'getpeername: ENOTCONN',
      'getsockname: {"sun_family":9,"sun_path":""}',
      'bind: 0',
      'bind again: EINVAL',
      'accept not listening: EINVAL',
      'listen: 0',
      'connect listening self: EINVAL',
      'bind taken: EADDRINUSE',
      'bind over a file: EADDRINUSE',
      'bind no dir: ENOENT',
      'bind too long: EINVAL',
      'bind inet address: EINVAL',
      'connect missing: ENOENT',
      'connect a directory: ECONNREFUSED',
      'connect a file: ECONNREFUSED',
      'udp bind path: EAFNOSUPPORT',
      'dgram: EPROTONOSUPPORT',
    ]);
  });

  it('connects, names both ends, carries bytes both ways, and ends with EOF and EPIPE', async () => {
    const { lines } = await probe(async (sys, note) => {
      await sys.sigaction(SIGPIPE, () => note('SIGPIPE'));
      const l = await unixSocket(sys);
      await sys.bind(l, sockaddrUn('/tmp/srv.sock'));
      await sys.listen(l, 5);
      const c = await unixSocket(sys);
      note(`connect: ${await errnoOf(sys.connect(c, sockaddrUn('/tmp/srv.sock')))}`);
      note(`connect again: ${await errnoOf(sys.connect(c, sockaddrUn('/tmp/srv.sock')))}`);
      note(`client name ${JSON.stringify((await sys.getsockname(c)) as object)} peer ${JSON.stringify(await sys.getpeername(c))}`);
      const a = await sys.accept(l);
      note(`accepted peer ${JSON.stringify(a.addr)} name ${JSON.stringify(await sys.getsockname(a.fd))}`);
      await sys.write(c, 'hello');
      note(`server read ${text(await sys.read(a.fd, 100))}`);
      await sys.write(a.fd, 'olleh');
      note(`client read ${text(await sys.read(c, 100))}`);
      await sys.shutdown(c, SHUT_WR);
      note(`after shut: ${(await sys.read(a.fd, 100)).length} bytes`);
      note(`send after shut: ${await errnoOf(sys.sendto(c, enc('x'), MSG_NOSIGNAL))}`);
      await sys.close(a.fd);
      note(`recv after peer close: ${(await sys.read(c, 10)).length} bytes`);
      note(`write after peer close: ${await errnoOf(sys.write(c, 'x'))}`);
      // Unread data when the reader closes: the writer's next read is a reset, once.
      const c3 = await unixSocket(sys);
      await sys.connect(c3, sockaddrUn('/tmp/srv.sock'));
      await sys.write(c3, 'zz');
      const a3 = await sys.accept(l);
      await sys.close(a3.fd);
      note(`recv after close with unread data: ${await errnoOf(sys.read(c3, 10))}`);
      note(`then: ${await errnoOf(sys.read(c3, 10))}`);
      await sys.close(l);
      const st = await sys.stat('/tmp/srv.sock');
      note(`file: ${(st.st_mode & S_IFMT) === S_IFSOCK ? 'socket' : 'other'} 0${(st.st_mode & 0o777).toString(8)}`);
      note(`open it: ${await errnoOf(sys.open('/tmp/srv.sock', O_RDONLY))}`);
      const d = await unixSocket(sys);
      note(`connect stale: ${await errnoOf(sys.connect(d, sockaddrUn('/tmp/srv.sock')))}`);
      note(`unlink: ${await errnoOf(sys.unlink('/tmp/srv.sock'))}`);
      note(`connect gone: ${await errnoOf(sys.connect(d, sockaddrUn('/tmp/srv.sock')))}`);
    });
    expect(lines).toEqual([
      'connect: 0',
      'connect again: EISCONN',
      'client name {"sun_family":9,"sun_path":""} peer {"sun_family":9,"sun_path":"/tmp/srv.sock"}',
      'accepted peer {"sun_family":9,"sun_path":""} name {"sun_family":9,"sun_path":"/tmp/srv.sock"}',
      'server read hello',
      'client read olleh',
      'after shut: 0 bytes',
      'send after shut: EPIPE',
      'recv after peer close: 0 bytes',
      'SIGPIPE',
      'write after peer close: EPIPE',
      'recv after close with unread data: ECONNRESET',
      'then: 0 bytes',
      'file: socket 0755',
      'open it: ENXIO',
      'connect stale: ECONNREFUSED',
      'unlink: 0',
      'connect gone: ENOENT',
    ]);
  });

  it('blocks in accept and read until the other side acts, and polls as Linux does', async () => {
    const { lines } = await probe(async (sys, note, argv) => {
      if (argv[1] === 'client') {
        const c = await unixSocket(sys);
        await sys.nanosleep(1e9);
        await sys.connect(c, sockaddrUn('/tmp/p.sock'));
        await sys.nanosleep(1e9);
        await sys.write(c, 'hi');
        note(`client got ${text(await sys.read(c, 100))}`);
        return 0;
      }
      const l = await unixSocket(sys);
      await sys.bind(l, sockaddrUn('/tmp/p.sock'));
      await sys.listen(l, 1);
      const fds = [{ fd: l, events: POLLIN, revents: 0 }];
      note(`poll idle listener: ${await sys.poll(fds, 0)}`);
      const child = await sys.spawn('/bin/probe', ['probe', 'client']);
      const a = await sys.accept(l);
      note(`accepted fd ${a.fd}`);
      note(`read ${text(await sys.read(a.fd, 100))}`);
      const pf = [{ fd: a.fd, events: POLLIN | POLLOUT, revents: 0 }];
      await sys.poll(pf, 1000);
      note(`poll open: ${pf[0]!.revents === POLLOUT ? 'POLLOUT' : pf[0]!.revents}`);
      await sys.write(a.fd, 'bye');
      await sys.waitpid(child);
      await sys.poll(pf, 1000);
      note(`poll after the client left: ${(pf[0]!.revents & (POLLIN | POLLHUP)) === (POLLIN | POLLHUP) ? 'POLLIN|POLLHUP' : pf[0]!.revents}`);
      const nb = await unixSocket(sys, SOCK_NONBLOCK);
      await sys.bind(nb, sockaddrUn('/tmp/nb.sock'));
      await sys.listen(nb, 0);
      note(`accept nonblocking: ${await errnoOf(sys.accept(nb))}`);
    });
    expect(lines).toEqual([
      'poll idle listener: 0',
      'accepted fd 4',
      'read hi',
      'poll open: POLLOUT',
      'client got bye',
      'poll after the client left: POLLIN|POLLHUP',
      'accept nonblocking: EAGAIN',
    ]);
  });

  it('refuses a socket file the caller may not write (EACCES), and a directory it may not search', async () => {
    const { lines } = await probe(async (sys, note, argv) => {
      if (argv[1] === 'user') {
        const c = await unixSocket(sys);
        note(`user connect: ${await errnoOf(sys.connect(c, sockaddrUn('/tmp/root.sock')))}`);
        note(`user connect hidden: ${await errnoOf(sys.connect(c, sockaddrUn('/tmp/private/x.sock')))}`);
        note(`user bind in /etc: ${await errnoOf(sys.bind(c, sockaddrUn('/etc/x.sock')))}`);
        return 0;
      }
      const l = await unixSocket(sys);
      await sys.bind(l, sockaddrUn('/tmp/root.sock'));
      await sys.listen(l, 1);
      await sys.mkdir('/tmp/private', 0o700);
      const m = await unixSocket(sys);
      await sys.bind(m, sockaddrUn('/tmp/private/x.sock'));
      await sys.listen(m, 1);
      const child = await sys.spawn('/bin/probe', ['probe', 'user'], { uid: 1000, gid: 1000 });
      await sys.waitpid(child);
    });
    expect(lines).toEqual(['user connect: EACCES', 'user connect hidden: EACCES', 'user bind in /etc: EACCES']);
  });
});

describe('strace of AF_UNIX calls', () => {
  it('decodes sockaddr_un, accept4 and shutdown as strace does', () => {
    expect(formatSyscall('connect', [3, sockaddrUn('/var/run/wireguard/wg0.sock')], 0)).toBe('connect(3, {sa_family=AF_UNIX, sun_path="/var/run/wireguard/wg0.sock"}, 110) = 0');
    expect(formatSyscall('connect', [3, sockaddrUn('/tmp/none')], undefined, 'ECONNREFUSED')).toBe('connect(3, {sa_family=AF_UNIX, sun_path="/tmp/none"}, 110) = -1 ECONNREFUSED (Connection refused)');
    expect(formatSyscall('accept4', [3, SOCK_CLOEXEC], { fd: 5, addr: sockaddrUn('') })).toBe('accept4(3, {sa_family=AF_UNIX}, [110 => 2], SOCK_CLOEXEC) = 5');
    expect(formatSyscall('shutdown', [4, SHUT_WR], 0)).toBe('shutdown(4, SHUT_WR) = 0');
    expect(formatSyscall('listen', [3, 5], 0)).toBe('listen(3, 5) = 0');
  });
});
