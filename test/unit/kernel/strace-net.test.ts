// The socket and epoll calls as strace writes them: the expected lines are what strace 6 printed
// tracing the same calls on Linux (addresses aside, errno texts Haiku's), plus tunlab's decoding of what strace leaves
// raw (TCP_CM_INQ's data, tcp_info's fields).

import { describe, expect, it } from 'vitest';
import { EPOLL_CLOEXEC, EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLLET, EPOLLIN, EPOLLRDHUP } from '../../../kernel/abi/epoll.js';
import { FIONREAD, SIOCGIFQDISC, SIOCOUTQ, SIOCSIFQDISC } from '../../../kernel/abi/ioctl.js';
import {
  AF_INET,
  IPPROTO_TCP,
  MSG_DONTWAIT,
  MSG_MORE,
  MSG_NOSIGNAL,
  MSG_PEEK,
  SHUT_WR,
  SO_ERROR,
  SO_LINGER,
  SO_REUSEADDR,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  sockaddrIn,
  SOL_SOCKET,
} from '../../../kernel/abi/socket.js';
import { formatSyscall } from '../../../kernel/abi/strace.js';
import { SOL_TCP, TCP_CM_INQ, TCP_CONGESTION, TCP_INFO, TCP_INQ, TCP_NODELAY } from '../../../kernel/abi/tcp.js';

const enc = (s: string) => new TextEncoder().encode(s);
const server = sockaddrIn('127.0.0.1', 45678);
const client = sockaddrIn('127.0.0.1', 49190);
const serverText = '{sa_family=AF_INET, sin_port=htons(45678), sin_addr=inet_addr("127.0.0.1")}';
const clientText = '{sa_family=AF_INET, sin_port=htons(49190), sin_addr=inet_addr("127.0.0.1")}';

describe('strace lines for socket calls', () => {
  it('socket, bind, listen, connect, accept and accept4', () => {
    expect(formatSyscall('socket', [AF_INET, SOCK_STREAM | SOCK_NONBLOCK, IPPROTO_TCP], 3)).toBe(
      'socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_TCP) = 3',
    );
    expect(formatSyscall('bind', [3, server], 0)).toBe(`bind(3, ${serverText}, 16) = 0`);
    expect(formatSyscall('listen', [3, 128], 0)).toBe('listen(3, 128) = 0');
    expect(formatSyscall('listen', [4, 5], undefined, 'EINVAL')).toBe('listen(4, 5) = -1 EINVAL (Invalid Argument)');
    expect(formatSyscall('connect', [4, server], 0)).toBe(`connect(4, ${serverText}, 16) = 0`);
    expect(formatSyscall('accept4', [3, SOCK_CLOEXEC | SOCK_NONBLOCK], { fd: 5, addr: client })).toBe(
      `accept4(3, ${clientText}, [16], SOCK_CLOEXEC|SOCK_NONBLOCK) = 5`,
    );
    expect(formatSyscall('accept', [3], undefined, 'EAGAIN')).toBe('accept(3, 0x0, [16]) = -1 EAGAIN (Operation would block)');
    expect(formatSyscall('getsockname', [4], client)).toBe(`getsockname(4, ${clientText}, [16]) = 0`);
    expect(formatSyscall('getpeername', [4], server)).toBe(`getpeername(4, ${serverText}, [16]) = 0`);
    expect(formatSyscall('shutdown', [4, SHUT_WR], 0)).toBe('shutdown(4, SHUT_WR) = 0');
  });

  it('socket options by level and name: ints, struct linger, the congestion control, tcp_info', () => {
    expect(formatSyscall('setsockopt', [3, SOL_SOCKET, SO_REUSEADDR, 1], 0)).toBe('setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0');
    expect(formatSyscall('setsockopt', [4, SOL_TCP, TCP_NODELAY, 1], 0)).toBe('setsockopt(4, SOL_TCP, TCP_NODELAY, [1], 4) = 0');
    expect(formatSyscall('setsockopt', [5, SOL_TCP, TCP_INQ, 1], 0)).toBe('setsockopt(5, SOL_TCP, TCP_INQ, [1], 4) = 0');
    expect(formatSyscall('setsockopt', [4, SOL_SOCKET, SO_LINGER, { l_onoff: 1, l_linger: 0 }], 0)).toBe(
      'setsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0',
    );
    expect(formatSyscall('setsockopt', [4, SOL_TCP, TCP_CONGESTION, 'reno'], 0)).toBe('setsockopt(4, SOL_TCP, TCP_CONGESTION, "reno", 4) = 0');
    expect(formatSyscall('getsockopt', [4, SOL_TCP, TCP_CONGESTION], 'reno')).toBe(
      'getsockopt(4, SOL_TCP, TCP_CONGESTION, "reno\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0", [16]) = 0',
    );
    expect(formatSyscall('getsockopt', [4, SOL_SOCKET, SO_ERROR], 0)).toBe('getsockopt(4, SOL_SOCKET, SO_ERROR, [0], [4]) = 0');
    expect(formatSyscall('getsockopt', [4, SOL_SOCKET, SO_ERROR], undefined, 'EBADF')).toBe(
      'getsockopt(4, SOL_SOCKET, SO_ERROR, 0x0, 0x0) = -1 EBADF (Bad file descriptor)',
    );
    const info: Record<string, number> = { tcpi_state: 1, tcpi_ca_state: 0, tcpi_retransmits: 0, tcpi_options: 7, tcpi_snd_wscale: 7 };
    for (let i = 0; i < 40; i++) info[`tcpi_more${i}`] = i;
    const line = formatSyscall('getsockopt', [4, SOL_TCP, TCP_INFO], info);
    expect(line).toMatch(
      /^getsockopt\(4, SOL_TCP, TCP_INFO, \{tcpi_state=TCP_ESTABLISHED, tcpi_ca_state=TCP_CA_Open, tcpi_retransmits=0, tcpi_options=TCPI_OPT_TIMESTAMPS\|TCPI_OPT_SACK\|TCPI_OPT_WSCALE, tcpi_snd_wscale=7, tcpi_more0=0, /,
    );
    // The fields a 2.6 kernel had, then strace's abbreviation.
    expect(line).toContain('tcpi_more26=26, ...}, [280]) = 0');
    expect(line).not.toContain('tcpi_more27');
  });

  it('send and receive calls with their flags, iovecs and control messages', () => {
    expect(formatSyscall('sendto', [4, enc('x'), MSG_MORE | MSG_DONTWAIT, null], 1)).toBe('sendto(4, "x", 1, MSG_DONTWAIT|MSG_MORE, NULL, 0) = 1');
    expect(formatSyscall('sendto', [4, enc('ping'), 0, server], 4)).toBe(`sendto(4, "ping", 4, 0, ${serverText}, 16) = 4`);
    expect(formatSyscall('recvfrom', [5, 100, MSG_PEEK], { data: enc('hi'), from: null, flags: 0 })).toBe('recvfrom(5, "hi", 100, MSG_PEEK, NULL, NULL) = 2');
    expect(formatSyscall('recvfrom', [5, 100, 0], { data: enc('hi'), from: server, flags: 0 })).toBe(`recvfrom(5, "hi", 100, 0, ${serverText}, [16]) = 2`);
    expect(formatSyscall('recvfrom', [5, 100, MSG_DONTWAIT], undefined, 'EAGAIN')).toBe(
      'recvfrom(5, 0x0, 100, MSG_DONTWAIT, NULL, NULL) = -1 EAGAIN (Operation would block)',
    );
    expect(formatSyscall('sendmsg', [4, { msg_iov: [enc('hello'), enc(' world')] }, MSG_NOSIGNAL], 11)).toBe(
      'sendmsg(4, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="hello", iov_len=5}, {iov_base=" world", iov_len=6}], msg_iovlen=2, msg_controllen=0, msg_flags=0}, MSG_NOSIGNAL) = 11',
    );
    const got = { data: enc('hello world'), from: null, flags: 0, control: [{ cmsg_level: SOL_TCP, cmsg_type: TCP_CM_INQ, cmsg_data: 0 }] };
    expect(formatSyscall('recvmsg', [5, [100], 0], got)).toBe(
      'recvmsg(5, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="hello world", iov_len=100}], msg_iovlen=1, msg_control=[{cmsg_len=20, cmsg_level=SOL_TCP, cmsg_type=TCP_CM_INQ, cmsg_data=[0]}], msg_controllen=24, msg_flags=0}, 0) = 11',
    );
    // Two iovecs: each shows the part of the data that landed in it.
    expect(formatSyscall('recvmsg', [5, [5, 100], 0], { data: enc('hello world'), from: null, flags: 0, control: [] })).toContain(
      'msg_iov=[{iov_base="hello", iov_len=5}, {iov_base=" world", iov_len=100}], msg_iovlen=2, msg_controllen=0',
    );
  });

  it('the epoll calls and the socket queue ioctls', () => {
    expect(formatSyscall('epoll_create1', [EPOLL_CLOEXEC], 6)).toBe('epoll_create1(EPOLL_CLOEXEC) = 6');
    expect(formatSyscall('epoll_create', [1], 7)).toBe('epoll_create(1) = 7');
    const ev = { events: EPOLLIN | EPOLLET | EPOLLRDHUP, data: 5 };
    expect(formatSyscall('epoll_ctl', [6, EPOLL_CTL_ADD, 5, ev], 0)).toBe(
      'epoll_ctl(6, EPOLL_CTL_ADD, 5, {events=EPOLLIN|EPOLLRDHUP|EPOLLET, data={u32=5, u64=5}}) = 0',
    );
    expect(formatSyscall('epoll_ctl', [6, EPOLL_CTL_DEL, 5, null], 0)).toBe('epoll_ctl(6, EPOLL_CTL_DEL, 5, NULL) = 0');
    expect(formatSyscall('epoll_wait', [6, 8, 1000], [{ events: EPOLLIN, data: 5 }])).toBe(
      'epoll_wait(6, [{events=EPOLLIN, data={u32=5, u64=5}}], 8, 1000) = 1',
    );
    expect(formatSyscall('epoll_wait', [6, 8, 0], [])).toBe('epoll_wait(6, [], 8, 0) = 0');
    expect(formatSyscall('ioctl', [5, FIONREAD, { value: 11 }], 0)).toBe('ioctl(5, FIONREAD, [11]) = 0');
    expect(formatSyscall('ioctl', [4, SIOCOUTQ, { value: 1 }], 0)).toMatch(/^ioctl\(4, (TIOCOUTQ|SIOCOUTQ), \[1\]\) = 0$/);
    expect(formatSyscall('ioctl', [9, SIOCSIFQDISC, { ifr_name: 'tun0', ifr_qdisc: { kind: 'pfifo', handle: 0x8001, limit: 0 } }], 0)).toBe(
      'ioctl(9, SIOCSIFQDISC, {ifr_name="tun0", ifr_qdisc={kind="pfifo", handle=0x8001, limit=0}}) = 0',
    );
    expect(formatSyscall('ioctl', [9, SIOCGIFQDISC, { ifr_name: 'tun0', ifr_qdisc: null }], 0)).toBe('ioctl(9, SIOCGIFQDISC, {ifr_name="tun0", ifr_qdisc=NULL}) = 0');
    expect(formatSyscall('spawn_thread', [async () => 0], 9)).toBe('spawn_thread(0x1) = 9');
  });
});
