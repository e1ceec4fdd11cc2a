// devfs through syscalls: the base devices (/dev/null, /dev/zero, /dev/random, /dev/urandom),
// nodes a driver publishes and unpublishes while the system runs, and the Haiku hook protocol
// (reference/haiku.md §3): open gives a cookie, every later hook gets it, close comes with the last
// close of the description, free only once no operation is in progress, and fcntl's O_NONBLOCK
// reaches the driver as control(B_SET_NONBLOCKING_IO / B_SET_BLOCKING_IO).

import { describe, expect, it } from 'vitest';
import { SysError } from '../../../kernel/abi/errno.js';
import { F_GETFL, F_SETFL, O_APPEND, O_CREAT, O_DIRECTORY, O_EXCL, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY } from '../../../kernel/abi/fcntl.js';
import { B_SET_BLOCKING_IO, B_SET_NONBLOCKING_IO, FIONBIO } from '../../../kernel/abi/ioctl.js';
import { POLLIN, POLLOUT } from '../../../kernel/abi/poll.js';
import { B_SELECT_DISCONNECTED, B_SELECT_ERROR, B_SELECT_READ, B_SELECT_WRITE, type SelectEvent } from '../../../kernel/abi/select.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { SIGKILL } from '../../../kernel/abi/signal.js';
import { S_IFCHR, S_IFMT } from '../../../kernel/abi/stat.js';
import { CLOCK_MONOTONIC } from '../../../kernel/abi/syscalls.js';
import { WTERMSIG } from '../../../kernel/abi/wait.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { WaitQueue } from '../../../kernel/sched/scheduler.js';
import { ByteQueue } from '../../../kernel/vfs/byte-queue.js';
import type { DeviceHooks } from '../../../kernel/vfs/devfs.js';
import { SelectPool } from '../../../kernel/vfs/file.js';
import { errnoOf, hex, probe, text } from '../../helpers/probe.js';

describe('the base devices', () => {
  it('/dev/null reads end at once and swallows every write', async () => {
    const r = await probe(async (sys, note) => {
      const fd = await sys.open('/dev/null', O_RDWR);
      note(`read: ${await errnoOf(sys.read(fd, 100))}`);
      note(`write: ${await sys.write(fd, 'hello')}, ${await sys.write(fd, new Uint8Array(1 << 20))}`);
      note(`read again: ${await errnoOf(sys.read(fd, 100))}`);
      const fds = [{ fd, events: POLLIN | POLLOUT, revents: 0 }];
      note(`poll: ${await sys.poll(fds, -1)} revents ${fds[0]!.revents === (POLLIN | POLLOUT)}`);
      note(`unknown ioctl: ${await errnoOf(sys.ioctl(fd, 0x1234))}`);
    });
    expect(r.lines).toEqual(['read: 0 bytes', 'write: 5, 1048576', 'read again: 0 bytes', 'poll: 1 revents true', 'unknown ioctl: ENOTTY']);
  });

  it('/dev/zero gives as many zero bytes as asked for and takes writes', async () => {
    const r = await probe(async (sys, note) => {
      const fd = await sys.open('/dev/zero', O_RDWR);
      note(`read 16: ${hex(await sys.read(fd, 16))}`);
      note(`read 0: ${await errnoOf(sys.read(fd, 0))}`);
      const big = await sys.read(fd, 100_000);
      note(`read 100000: ${big.length} bytes, all zero ${big.every((b) => b === 0)}`);
      note(`write: ${await sys.write(fd, 'abc')}`);
      const st = await sys.fstat(fd);
      note(`${(st.st_mode & S_IFMT) === S_IFCHR ? 'chr' : 'not chr'} rdev ${st.st_rdev >> 8}:${st.st_rdev & 0xff}`);
    });
    expect(r.lines).toEqual(['read 16: 00000000000000000000000000000000', 'read 0: 0 bytes', 'read 100000: 100000 bytes, all zero true', 'write: 3', 'chr rdev 1:5']);
  });

  it('/dev/random and /dev/urandom are seeded in virtual time: the same seed gives the same bytes, another seed others', async () => {
    const draw = async (seed: number) => {
      const r = await probe(
        async (sys, note) => {
          for (const dev of ['/dev/random', '/dev/urandom']) {
            const fd = await sys.open(dev, O_RDONLY);
            note(hex(await sys.read(fd, 16)));
            await sys.close(fd);
          }
        },
        { world: { seed } },
      );
      return r.lines;
    };
    const a = await draw(7);
    const b = await draw(7);
    const c = await draw(8);
    expect(a).toHaveLength(2);
    for (const line of [...a, ...c]) expect(line).toMatch(/^[0-9a-f]{32}$/);
    expect(b).toEqual(a);
    expect(c[0]).not.toBe(a[0]);
    expect(c[1]).not.toBe(a[1]);
    // Two reads never repeat each other, and a generator that gives zeros is no generator.
    expect(a[1]).not.toBe(a[0]);
    expect(a[0]).not.toBe('0'.repeat(32));
  });

  it('answers open as a real devfs: EISDIR for a directory opened for writing, ENOTDIR for O_DIRECTORY on a device, EEXIST for O_CREAT|O_EXCL', async () => {
    const r = await probe(async (sys, note) => {
      const tries: Array<[string, () => Promise<unknown>]> = [
        ['open /dev O_WRONLY', () => sys.open('/dev', O_WRONLY)],
        ['open /dev/misc O_RDWR', () => sys.open('/dev/misc', O_RDWR)],
        ['open /dev/misc O_RDONLY', () => sys.open('/dev/misc', O_RDONLY).then(() => 'ok')],
        ['open /dev/null O_DIRECTORY', () => sys.open('/dev/null', O_RDONLY | O_DIRECTORY)],
        ['open /dev/null O_CREAT|O_EXCL', () => sys.open('/dev/null', O_WRONLY | O_CREAT | O_EXCL)],
        ['open /dev/null O_CREAT', () => sys.open('/dev/null', O_WRONLY | O_CREAT).then(() => 'ok')],
        ['open /dev/nothing', () => sys.open('/dev/nothing', O_RDONLY)],
        ['unlink /dev/null', () => sys.unlink('/dev/null')],
        ['mkdir /dev/d', () => sys.mkdir('/dev/d')],
      ];
      for (const [label, f] of tries) note(`${label}: ${await errnoOf(f())}`);
    });
    expect(r.lines).toEqual([
      'open /dev O_WRONLY: EISDIR',
      'open /dev/misc O_RDWR: EISDIR',
      'open /dev/misc O_RDONLY: ok',
      'open /dev/null O_DIRECTORY: ENOTDIR',
      'open /dev/null O_CREAT|O_EXCL: EEXIST',
      'open /dev/null O_CREAT: ok',
      'open /dev/nothing: ENOENT',
      'unlink /dev/null: EPERM',
      'mkdir /dev/d: EPERM',
    ]);
  });
});

// ------------------------------------------------------------------ a test driver

interface Cookie {
  id: number;
  nonblocking: boolean;
}

const EVENT_NAMES: Record<number, string> = {
  [B_SELECT_READ]: 'read',
  [B_SELECT_WRITE]: 'write',
  [B_SELECT_ERROR]: 'error',
  [B_SELECT_DISCONNECTED]: 'disconnected',
};

/** A control op the test driver knows (anything else is B_DEV_INVALID_IOCTL). */
const PROBE_OP = 0x7000;

/**
 * A loopback device in the hook style, noting every hook call: what is written to any cookie can
 * be read from any cookie; a read blocks (interruptibly) while there is nothing, or fails with
 * EAGAIN on a non-blocking cookie; select(READ) holds while there are bytes.
 */
function loopDriver(log: string[]): DeviceHooks<Cookie> {
  const buf = new ByteQueue();
  const readable = new WaitQueue('probe (waiting for data)');
  const pool = new SelectPool();
  let nextId = 1;
  return {
    open(name, flags) {
      const c = { id: nextId++, nonblocking: (flags & O_NONBLOCK) !== 0 };
      log.push(`open#${c.id} ${name}${c.nonblocking ? ' O_NONBLOCK' : ''}`);
      return c;
    },
    close(c) {
      log.push(`close#${c.id}`);
      readable.wakeAll();
    },
    free(c) {
      log.push(`free#${c.id}`);
    },
    control(c, op) {
      log.push(`control#${c.id} ${op === B_SET_NONBLOCKING_IO ? 'B_SET_NONBLOCKING_IO' : op === B_SET_BLOCKING_IO ? 'B_SET_BLOCKING_IO' : `0x${op.toString(16)}`}`);
      if (op === B_SET_NONBLOCKING_IO || op === B_SET_BLOCKING_IO) c.nonblocking = op === B_SET_NONBLOCKING_IO;
      else if (op !== PROBE_OP) throw new SysError('B_DEV_INVALID_IOCTL');
      return 0;
    },
    async read(c, _pos, len, ctx) {
      log.push(`read#${c.id} ${len}`);
      while (buf.length === 0) {
        if (c.nonblocking) throw new SysError('EAGAIN');
        const why = await ctx.task.scheduler.sleep(ctx.task, [readable], { interruptible: true, syscall: ctx.syscall, channel: readable.name });
        if (why === 'signal') throw new SysError('EINTR');
      }
      const data = buf.take(len);
      log.push(`read#${c.id} done`);
      return data;
    },
    write(c, _pos, data) {
      log.push(`write#${c.id} ${text(data)}`);
      buf.push(data.slice());
      readable.wakeAll();
      pool.notify(B_SELECT_READ);
      return data.length;
    },
    select(c, event, sync) {
      log.push(`select#${c.id} ${EVENT_NAMES[event] ?? event}`);
      pool.add(event, sync);
      if ((event === B_SELECT_READ && buf.length > 0) || event === B_SELECT_WRITE) sync.notify(event);
    },
    deselect(c, event: SelectEvent, sync) {
      log.push(`deselect#${c.id} ${EVENT_NAMES[event] ?? event}`);
      pool.remove(event, sync);
    },
  };
}

function withDriver(k: Kernel, log: string[], path = 'probe'): void {
  k.devfs.publish(path, loopDriver(log), { mode: 0o666, rdev: (99 << 8) | 1 });
}

describe('the hook protocol', () => {
  it('calls open, write, read, control, select and deselect with the cookie from open; close and free come with the last close only', async () => {
    const log: string[] = [];
    const r = await probe(
      async (sys, note) => {
        const fd = await sys.open('/dev/probe', O_RDWR);
        log.push('-- write');
        await sys.write(fd, 'ping');
        log.push('-- read');
        note(`read: ${text(await sys.read(fd, 10))}`);
        log.push('-- ioctl');
        note(`known control: ${await errnoOf(sys.ioctl(fd, PROBE_OP, { value: 1 }))}; unknown: ${await errnoOf(sys.ioctl(fd, PROBE_OP + 1))}`);
        log.push('-- poll');
        const fds = [{ fd, events: POLLIN, revents: 0 }];
        note(`poll with nothing to read: ${await sys.poll(fds, 0)}`);
        log.push('-- second open');
        const other = await sys.open('/dev/probe', O_RDONLY);
        await sys.close(other);
        log.push('-- dup, close the original');
        const copy = await sys.dup(fd);
        await sys.close(fd);
        log.push('-- close the copy');
        await sys.close(copy);
        log.push('-- end');
      },
      { setup: (k) => withDriver(k, log) },
    );
    expect(r.lines).toEqual(['read: ping', 'known control: 0; unknown: ENOTTY', 'poll with nothing to read: 0']);
    expect(log).toEqual([
      'open#1 probe',
      '-- write',
      'write#1 ping',
      '-- read',
      'read#1 10',
      'read#1 done',
      '-- ioctl',
      'control#1 0x7000',
      'control#1 0x7001',
      '-- poll',
      'select#1 error',
      'select#1 disconnected',
      'select#1 read',
      'deselect#1 error',
      'deselect#1 disconnected',
      'deselect#1 read',
      '-- second open',
      'open#2 probe',
      'close#2',
      'free#2',
      '-- dup, close the original',
      '-- close the copy',
      'close#1',
      'free#1',
      '-- end',
    ]);
  });

  it('turns fcntl(F_SETFL, O_NONBLOCK) and FIONBIO into control(B_SET_NONBLOCKING_IO / B_SET_BLOCKING_IO), only when the flag changes', async () => {
    const log: string[] = [];
    const r = await probe(
      async (sys, note) => {
        const fd = await sys.open('/dev/probe', O_RDWR);
        log.push('-- F_SETFL O_NONBLOCK');
        await sys.fcntl(fd, F_SETFL, O_NONBLOCK);
        note(`non-blocking read: ${await errnoOf(sys.read(fd, 1))}; F_GETFL ${(await sys.fcntl(fd, F_GETFL)) === (O_RDWR | O_NONBLOCK)}`);
        log.push('-- again, and O_APPEND: no change of O_NONBLOCK');
        await sys.fcntl(fd, F_SETFL, O_NONBLOCK);
        await sys.fcntl(fd, F_SETFL, O_NONBLOCK | O_APPEND);
        log.push('-- F_SETFL 0');
        await sys.fcntl(fd, F_SETFL, 0);
        log.push('-- FIONBIO 1, FIONBIO 0');
        await sys.ioctl(fd, FIONBIO, { value: 1 });
        await sys.ioctl(fd, FIONBIO, { value: 0 });
        log.push('-- open with O_NONBLOCK');
        const nb = await sys.open('/dev/probe', O_RDONLY | O_NONBLOCK);
        note(`read on it: ${await errnoOf(sys.read(nb, 1))}`);
        log.push('-- end');
      },
      { setup: (k) => withDriver(k, log) },
    );
    expect(r.lines).toEqual(['non-blocking read: EAGAIN; F_GETFL true', 'read on it: EAGAIN']);
    expect(log).toEqual([
      'open#1 probe',
      '-- F_SETFL O_NONBLOCK',
      'control#1 B_SET_NONBLOCKING_IO',
      'read#1 1',
      '-- again, and O_APPEND: no change of O_NONBLOCK',
      '-- F_SETFL 0',
      'control#1 B_SET_BLOCKING_IO',
      '-- FIONBIO 1, FIONBIO 0',
      'control#1 B_SET_NONBLOCKING_IO',
      'control#1 B_SET_BLOCKING_IO',
      '-- open with O_NONBLOCK',
      'open#2 probe O_NONBLOCK',
      'read#2 1',
      '-- end',
      // The probe's exit closes its fds, in fd order.
      'close#1',
      'free#1',
      'close#2',
      'free#2',
    ]);
  });

  it('poll sleeps in select until the driver notifies; a blocking read waits for a writer (virtual time)', async () => {
    const log: string[] = [];
    const r = await probe(
      async (sys, note) => {
        const fd = await sys.open('/dev/probe', O_RDWR);
        const kid = await sys.spawn('/bin/pollreader', ['pollreader', String(fd)]);
        await sys.nanosleep(2e9);
        log.push('-- parent writes at 2s');
        await sys.write(fd, 'wake');
        await sys.waitpid(kid);
        await sys.close(fd);
        note(`done at ${(await sys.clock_gettime(CLOCK_MONOTONIC)) / 1e9}s`);
      },
      {
        programs: (note) => [
          defineProgram({
            name: 'pollreader',
            summary: '',
            async main(argv, sys) {
              const fd = Number(argv[1]);
              const fds = [{ fd, events: POLLIN, revents: 0 }];
              const n = await sys.poll(fds, -1);
              note(`poll ${n} revents ${fds[0]!.revents} at ${(await sys.clock_gettime(CLOCK_MONOTONIC)) / 1e9}s`);
              note(`read ${text(await sys.read(fd, 10))}`);
            },
          }),
        ],
        setup: (k) => withDriver(k, log),
      },
    );
    expect(r.lines).toEqual([`poll 1 revents ${POLLIN} at 2s`, 'read wake', 'done at 2s']);
    expect(log).toEqual([
      'open#1 probe',
      'select#1 error',
      'select#1 disconnected',
      'select#1 read',
      '-- parent writes at 2s',
      'write#1 wake',
      'deselect#1 error',
      'deselect#1 disconnected',
      'deselect#1 read',
      'read#1 10',
      'read#1 done',
      'close#1',
      'free#1',
    ]);
  });

  it('calls free after close even when the last holder was killed in the middle of a read that never returns', async () => {
    const log: string[] = [];
    const r = await probe(
      async (sys, note) => {
        const fd = await sys.open('/dev/probe', O_RDONLY);
        const kid = await sys.spawn('/bin/stuck', ['stuck', String(fd)]);
        await sys.close(fd);
        await sys.nanosleep(1e9);
        log.push('-- kill at 1s');
        await sys.kill(kid, SIGKILL);
        const { status } = await sys.waitpid(kid);
        note(`reader killed by ${WTERMSIG(status)}`);
      },
      {
        programs: (note) => [
          defineProgram({
            name: 'stuck',
            summary: '',
            async main(argv, sys) {
              await sys.read(Number(argv[1]), 10);
              note('read returned');
            },
          }),
        ],
        setup: (k) => withDriver(k, log),
      },
    );
    expect(r.lines).toEqual([`reader killed by ${SIGKILL}`]);
    expect(log).toEqual(['open#1 probe', 'read#1 10', '-- kill at 1s', 'close#1', 'free#1']);
  });
});

describe('publishing and unpublishing nodes', () => {
  it('a node appears when a driver publishes it and goes when it unpublishes it; an open fd keeps working; an emptied directory goes too', async () => {
    const log: string[] = [];
    let kernel: Kernel | null = null;
    const hooks = loopDriver(log);
    const r = await probe(
      async (sys, note) => {
        const ls = async (dir: string) => errnoOf(sys.readdir(dir).then((es) => es.map((e) => e.d_name).join(' ')));
        note(`boot: /dev/probe ${await ls('/dev/probe')}; stat /dev/probe/0 ${await errnoOf(sys.stat('/dev/probe/0'))}`);
        await sys.nanosleep(2e9);
        const st = await sys.stat('/dev/probe/1');
        note(`2s: /dev/probe ${await ls('/dev/probe')}; /dev/probe/1 ${(st.st_mode & S_IFMT) === S_IFCHR ? 'chr' : '?'} ${(st.st_mode & 0o777).toString(8)} rdev ${st.st_rdev >> 8}:${st.st_rdev & 0xff}`);
        const fd = await sys.open('/dev/probe/0', O_RDWR);
        await sys.nanosleep(2e9);
        note(`4s: /dev/probe ${await ls('/dev/probe')}; open /dev/probe/0 ${await errnoOf(sys.open('/dev/probe/0', O_RDWR))}`);
        note(`the fd opened before: write ${await sys.write(fd, 'still')}, read ${text(await sys.read(fd, 10))}`);
        await sys.nanosleep(2e9);
        note(`6s: /dev/probe ${await ls('/dev/probe')}; /dev has probe: ${(await sys.readdir('/dev')).some((e) => e.d_name === 'probe')}; sticky /dev/misc ${await ls('/dev/misc')}`);
        await sys.close(fd);
      },
      {
        // The driver side: it publishes two nodes at 1s, and takes them away at 3s and 5s.
        setup: (k) => {
          kernel = k;
          k.sched.after(1e9, () => {
            k.devfs.publish('probe/0', hooks, { rdev: (99 << 8) | 0 });
            k.devfs.publish('probe/1', hooks, { rdev: (99 << 8) | 1, mode: 0o600 });
          });
          k.sched.after(3e9, () => k.devfs.unpublish('probe/0'));
          k.sched.after(5e9, () => k.devfs.unpublish('probe/1'));
        },
      },
    );
    expect(r.lines).toEqual([
      'boot: /dev/probe ENOENT; stat /dev/probe/0 ENOENT',
      '2s: /dev/probe 0 1; /dev/probe/1 chr 600 rdev 99:1',
      '4s: /dev/probe 1; open /dev/probe/0 ENOENT',
      'the fd opened before: write 5, read still',
      '6s: /dev/probe ENOENT; /dev has probe: false; sticky /dev/misc tun',
    ]);
    expect(log).toEqual(['open#1 probe/0', 'write#1 still', 'read#1 10', 'read#1 done', 'close#1', 'free#1']);
    // Publishing a path twice is refused; unpublishing what is not there is harmless.
    expect(() => kernel!.devfs.publish('null', loopDriver([]))).toThrow(expect.objectContaining({ errno: 'EEXIST' }));
    expect(() => kernel!.devfs.unpublish('probe/7')).not.toThrow();
    expect(kernel!.devfs.list()).not.toContain('probe/1');
  });
});
