// Bounds on I/O, each with a clear error: the pipe buffer (a writer blocks at 64 KiB; O_NONBLOCK
// gives EAGAIN or a partial write; writes up to PIPE_BUF are atomic), socket buffers (SO_RCVBUF
// clamped, datagrams beyond it dropped and counted), the largest read and write (MAX_IO), the
// largest datagram, and the most fds one poll() may watch (MAX_POLL_FDS).

import { describe, expect, it } from 'vitest';
import { F_SETFL, O_CREAT, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY, SEEK_SET } from '../../kernel/abi/fcntl.js';
import type { PollFd } from '../../kernel/abi/poll.js';
import { POLLIN } from '../../kernel/abi/poll.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { AF_INET, MSG_DONTWAIT, SO_RCVBUF, SO_SNDBUF, SOCK_DGRAM, SOL_SOCKET, sockaddrIn } from '../../kernel/abi/socket.js';
import { MAX_RCVBUF, MIN_RCVBUF } from '../../kernel/net/socket/socket.js';
import { PIPE_BUF, PIPE_CAPACITY } from '../../kernel/vfs/pipe.js';
import { MAX_RW_COUNT } from '../../kernel/syscalls/fd.js';

/** 16 MiB: once the largest write tunlab took; a write of any size up to MAX_RW_COUNT completes now. */
const MAX_IO = 1 << 24;
import { MAX_POLL_FDS } from '../../kernel/syscalls/poll.js';
import { outcome } from '../helpers/tun.js';
import { guardedWorld, runBounded } from './harness.js';

let log: string[] = [];
const note = async (label: string, p: Promise<unknown>) => void log.push(`${label}: ${await outcome(p)}`);
const bytes = (n: number, fill = 0x61) => new Uint8Array(n).fill(fill);

const nonblockingPipe = defineProgram({
  name: 'nbpipe',
  summary: '',
  async main(_a, sys) {
    const [r, w] = await sys.pipe();
    await sys.fcntl(w, F_SETFL, O_NONBLOCK);
    await note('write 64 KiB', sys.write(w, bytes(PIPE_CAPACITY)));
    await note('write 1 more', sys.write(w, bytes(1)));
    await note('read 100', sys.read(r, 100));
    await note('write 5000 (more than PIPE_BUF) into 100 of room', sys.write(w, bytes(5000)));
    await note('read 4000', sys.read(r, 4000));
    await note(`write ${PIPE_BUF} (PIPE_BUF) into 4000 of room`, sys.write(w, bytes(PIPE_BUF)));
    await note('write 4000 into 4000 of room', sys.write(w, bytes(4000)));
  },
});

/** `bigwrite N`: one blocking write of N bytes to stdout; `drainer` reads its pipe once it is blocked. */
const bigwrite = defineProgram({
  name: 'bigwrite',
  summary: '',
  async main(argv, sys) {
    log.push(`bigwrite wrote ${await sys.write(1, bytes(Number(argv[1]), Number(argv[2] ?? 0x61)))}`);
  },
});

const drainer = defineProgram({
  name: 'drainer',
  summary: '',
  async main(argv, sys) {
    // drainer PREFILL CHUNK SIZE...: PREFILL bytes of 'z' first, then a writer per SIZE (each one
    // write of its own byte), then reads of CHUNK bytes once they have all had a go.
    const [r, w] = await sys.pipe();
    const [prefill, chunk, ...sizes] = argv.slice(1).map(Number);
    if (prefill) await sys.write(w, bytes(prefill!, 0x7a));
    const writers = sizes.map((n, i) => sys.spawn('/bin/bigwrite', ['bigwrite', String(n), String(0x61 + i)], { fds: [-1, w, 2] }));
    const pids = await Promise.all(writers);
    await sys.close(w);
    await sys.nanosleep(1e9);
    const table = await sys.getprocs();
    log.push(`writers: ${pids.map((p) => table.find((t) => t.pid === p)!.wchan || 'done').join(', ')}`);
    const chunks: Uint8Array[] = [];
    for (;;) {
      const c = await sys.read(r, chunk!);
      if (c.length === 0) break;
      chunks.push(c);
    }
    const all = Buffer.concat(chunks);
    // The lengths of the runs of each writer's byte: atomic writes never split.
    const runs: number[] = [];
    for (let i = 0; i < all.length; ) {
      let j = i;
      while (j < all.length && all[j] === all[i]) j++;
      runs.push(j - i);
      i = j;
    }
    log.push(`read ${all.length} in runs of ${[...new Set(runs)].sort((a, b) => a - b).join('/')}`);
    for (const p of pids) await sys.waitpid(p);
  },
});

describe('the pipe buffer', () => {
  it(`O_NONBLOCK: ${PIPE_CAPACITY} bytes fit, then EAGAIN; big writes are partial, small ones all or nothing`, async () => {
    const { w, panics } = guardedWorld([nonblockingPipe]);
    log = [];
    await runBounded(w, 'haiku', ['nbpipe']);
    expect(log).toEqual([
      `write 64 KiB: ${PIPE_CAPACITY}`,
      'write 1 more: EAGAIN',
      'read 100: 100 bytes',
      'write 5000 (more than PIPE_BUF) into 100 of room: 100',
      'read 4000: 4000 bytes',
      `write ${PIPE_BUF} (PIPE_BUF) into 4000 of room: EAGAIN`,
      'write 4000 into 4000 of room: 4000',
    ]);
    expect(panics).toEqual([]);
  });

  it('one write of 20 MB into a pipe completes whole, as the reader drains it (issue 12.15)', async () => {
    const { w, panics } = guardedWorld([drainer, bigwrite]);
    log = [];
    await runBounded(w, 'haiku', ['drainer', '0', String(1 << 20), '20000001']);
    expect(log).toEqual(['writers: write', 'bigwrite wrote 20000001', 'read 20000001 in runs of 20000001']);
    expect(panics).toEqual([]);
  });

  it('a blocking writer waits at 64 KiB until the reader makes room, then finishes its write', async () => {
    const { w, panics } = guardedWorld([drainer, bigwrite]);
    log = [];
    await runBounded(w, 'haiku', ['drainer', '0', '65536', '70000']);
    expect(log).toEqual(['writers: write', 'bigwrite wrote 70000', 'read 70000 in runs of 70000']);
    expect(panics).toEqual([]);
  });

  it('writes of PIPE_BUF bytes from several blocked writers never interleave', async () => {
    const { w } = guardedWorld([drainer, bigwrite]);
    log = [];
    // The pipe is full but for 100 bytes: four writers of PIPE_BUF bytes block, and the reader
    // makes room 1000 bytes at a time. Each write must go in whole, never in pieces.
    const prefill = PIPE_CAPACITY - 100;
    await runBounded(w, 'haiku', ['drainer', String(prefill), '1000', ...Array(4).fill(String(PIPE_BUF))]);
    expect(log[0]).toBe('writers: write, write, write, write');
    expect(log.at(-1)).toBe(`read ${prefill + 4 * PIPE_BUF} in runs of ${PIPE_BUF}/${prefill}`);
  });

  it('larger writes from blocked writers may interleave (they go in pieces as room appears)', async () => {
    const { w } = guardedWorld([drainer, bigwrite]);
    log = [];
    await runBounded(w, 'haiku', ['drainer', String(PIPE_CAPACITY - 100), '1000', '6000', '6000']);
    expect(log.at(-1)).not.toMatch(/runs of 6000\//);
  });

  it('follows the world limit (limits.pipeCapacity)', async () => {
    const { w } = guardedWorld([nonblockingPipe], ['haiku'], { pipeCapacity: 1024 });
    log = [];
    await runBounded(w, 'haiku', ['nbpipe']);
    expect(log[0]).toBe(`write 64 KiB: 1024`);
  });
});

const sockbuf = defineProgram({
  name: 'sockbuf',
  summary: '',
  async main(_a, sys) {
    const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    for (const v of [1, -5, 1 << 30, 4096]) {
      await sys.setsockopt(s, SOL_SOCKET, SO_RCVBUF, v);
      log.push(`SO_RCVBUF ${v} -> ${await sys.getsockopt(s, SOL_SOCKET, SO_RCVBUF)}`);
    }
    await note('SO_RCVBUF 1.5', sys.setsockopt(s, SOL_SOCKET, SO_RCVBUF, 1.5));
    await sys.setsockopt(s, SOL_SOCKET, SO_SNDBUF, 1 << 30);
    log.push(`SO_SNDBUF ${1 << 30} -> ${await sys.getsockopt(s, SOL_SOCKET, SO_SNDBUF)}`);
    await sys.setsockopt(s, SOL_SOCKET, SO_RCVBUF, 2048);
    await sys.bind(s, sockaddrIn('127.0.0.1', 7000));
    const out = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    for (let i = 0; i < 10; i++) await sys.sendto(out, bytes(100), 0, sockaddrIn('127.0.0.1', 7000));
    await note('sendto 65508 bytes', sys.sendto(out, bytes(65508), 0, sockaddrIn('127.0.0.1', 7000)));
    await sys.nanosleep(1000);
    let got = 0;
    while ((await outcome(sys.recvfrom(s, 1000, MSG_DONTWAIT))) !== 'EAGAIN') got++;
    log.push(`received ${got}`);
  },
});

describe('socket buffers', () => {
  it(`SO_RCVBUF is clamped to ${MIN_RCVBUF}..${MAX_RCVBUF}; what does not fit is dropped and counted`, async () => {
    const { w, panics } = guardedWorld([sockbuf]);
    log = [];
    await runBounded(w, 'haiku', ['sockbuf']);
    // 2048 bytes hold 5 datagrams of 100 bytes (each is charged 256 more, as skb truesize).
    expect(log).toEqual([
      `SO_RCVBUF 1 -> ${MIN_RCVBUF}`,
      `SO_RCVBUF -5 -> ${MIN_RCVBUF}`,
      `SO_RCVBUF ${1 << 30} -> ${MAX_RCVBUF}`,
      'SO_RCVBUF 4096 -> 4096',
      'SO_RCVBUF 1.5: EINVAL',
      `SO_SNDBUF ${1 << 30} -> ${MAX_RCVBUF}`,
      'sendto 65508 bytes: EMSGSIZE',
      'received 5',
    ]);
    const udp = w.mustHost('haiku').sockets.udp.counters;
    expect([udp.InDatagrams, udp.RcvbufErrors, udp.InErrors]).toEqual([5, 5, 5]);
    expect(panics).toEqual([]);
  });
});

const io = defineProgram({
  name: 'io',
  summary: '',
  async main(_a, sys) {
    const big = await sys.open('/tmp/big', O_RDWR | O_CREAT, 0o644);
    await sys.write(big, new Uint8Array(MAX_IO));
    await sys.write(big, new Uint8Array(1));
    await sys.lseek(big, 0, SEEK_SET);
    await note(`read ${4 * MAX_IO} from a file of ${MAX_IO + 1} bytes`, sys.read(big, 4 * MAX_IO));
    await note(`read ${2 ** 31} from its end`, sys.read(big, 2 ** 31));
    await sys.close(big);
    await sys.unlink('/tmp/big');
    const zero = await sys.open('/dev/zero', O_RDONLY);
    const nul = await sys.open('/dev/null', O_WRONLY);
    await note('read -1', sys.read(zero, -1));
    await note('read 1.5', sys.read(zero, 1.5));
    await note(`read ${MAX_RW_COUNT + 1} from /dev/zero`, sys.read(zero, MAX_RW_COUNT + 1));
    await note(`write ${MAX_IO} to /dev/null`, sys.write(nul, new Uint8Array(MAX_IO)));
    await note(`write ${MAX_IO + 1}`, sys.write(nul, new Uint8Array(MAX_IO + 1)));
    await note('write a number', sys.write(nul, 42 as unknown as Uint8Array));
    const many = (n: number): PollFd[] => Array.from({ length: n }, () => ({ fd: -1, events: POLLIN, revents: 0 }));
    await note(`poll ${MAX_POLL_FDS} fds`, sys.poll(many(MAX_POLL_FDS), 0));
    await note(`poll ${MAX_POLL_FDS + 1} fds`, sys.poll(many(MAX_POLL_FDS + 1), 0));
    await note('poll with a NaN timeout', sys.poll(many(1), NaN));
  },
});

describe('read, write and poll sizes', () => {
  it(`reads and writes of any size up to MAX_RW_COUNT complete, poll takes at most ${MAX_POLL_FDS} fds`, async () => {
    const { w, panics } = guardedWorld([io]);
    log = [];
    const r = await runBounded(w, 'haiku', ['io']);
    expect(r.code).toBe(0);
    expect(log).toEqual([
      `read ${4 * MAX_IO} from a file of ${MAX_IO + 1} bytes: ${MAX_IO + 1} bytes`,
      `read ${2 ** 31} from its end: 0 bytes`,
      'read -1: EINVAL',
      'read 1.5: EINVAL',
      // /dev/zero streams: a read gives at most a megabyte, whatever the count.
      `read ${MAX_RW_COUNT + 1} from /dev/zero: ${1 << 20} bytes`,
      `write ${MAX_IO} to /dev/null: ${MAX_IO}`,
      `write ${MAX_IO + 1}: ${MAX_IO + 1}`,
      'write a number: EFAULT',
      `poll ${MAX_POLL_FDS} fds: 0`,
      `poll ${MAX_POLL_FDS + 1} fds: EINVAL`,
      'poll with a NaN timeout: EINVAL',
    ]);
    expect(panics).toEqual([]);
  });
});
