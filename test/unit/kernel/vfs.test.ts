// The VFS through syscalls only: the Haiku tree, open flags, offsets, lseek, dup, fcntl, stat,
// the name-space calls, the working directory, and pipes. Every expectation is an exact errno
// name or exact bytes, as a real kernel gives them (Linux and Haiku agree on all of these).

import { describe, expect, it } from 'vitest';
import {
  F_DUPFD,
  F_GETFD,
  F_GETFL,
  F_SETFD,
  F_SETFL,
  FD_CLOEXEC,
  O_APPEND,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NONBLOCK,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  SEEK_CUR,
  SEEK_END,
  SEEK_SET,
} from '../../../kernel/abi/fcntl.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG } from '../../../kernel/abi/stat.js';
import { CLOCK_MONOTONIC, type Sys } from '../../../kernel/abi/syscalls.js';
import { exitedStatus } from '../../../kernel/abi/wait.js';
import { errnoOf, probe, text } from '../../helpers/probe.js';

const kind = (mode: number) =>
  ({ [S_IFREG]: 'reg', [S_IFDIR]: 'dir', [S_IFCHR]: 'chr', [S_IFIFO]: 'fifo', [S_IFLNK]: 'lnk' })[mode & S_IFMT] ?? `0${(mode & S_IFMT).toString(8)}`;

/** A new file with these contents, closed again. */
async function mkfile(sys: Sys, path: string, contents: string): Promise<void> {
  const fd = await sys.open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644);
  await sys.write(fd, contents);
  await sys.close(fd);
}

async function slurp(sys: Sys, path: string): Promise<string> {
  const fd = await sys.open(path, O_RDONLY);
  const data = await sys.read(fd, 4096);
  await sys.close(fd);
  return text(data);
}

describe('the Haiku tree', () => {
  it('boots with /boot/home, /bin, /dev, /etc, /tmp and /var/log, and a process starts in /boot/home', async () => {
    const r = await probe(async (sys, note) => {
      for (const d of ['/', '/boot', '/boot/home', '/bin', '/dev', '/etc', '/tmp', '/var', '/var/log']) {
        const st = await sys.stat(d);
        note(`${d} ${kind(st.st_mode)} ${(st.st_mode & 0o7777).toString(8)}`);
      }
      note(`/ holds ${(await sys.readdir('/')).map((e) => `${e.d_name}:${kind(e.d_type)}`).join(' ')}`);
      note(`/var/log/syslog ${kind((await sys.stat('/var/log/syslog')).st_mode)}`);
      note(`/etc/hostname ${JSON.stringify(await slurp(sys, '/etc/hostname'))}`);
      note(`cwd ${await sys.getcwd()}`);
    });
    expect(r.lines).toEqual([
      '/ dir 755',
      '/boot dir 755',
      '/boot/home dir 755',
      '/bin dir 555',
      '/dev dir 755',
      '/etc dir 755',
      '/tmp dir 1777',
      '/var dir 755',
      '/var/log dir 755',
      '/ holds bin:dir boot:dir dev:dir etc:dir proc:dir sys:dir tmp:dir var:dir',
      '/var/log/syslog reg',
      '/etc/hostname "haiku\\n"',
      'cwd /boot/home',
    ]);
  });
});

describe('open', () => {
  it('honours the access mode: EBADF reading a write-only fd and writing a read-only one; O_RDWR shares one offset', async () => {
    const r = await probe(async (sys, note) => {
      const w = await sys.open('/tmp/f', O_WRONLY | O_CREAT, 0o644);
      note(`write on O_WRONLY: ${await errnoOf(sys.write(w, 'hello'))}`);
      note(`read on O_WRONLY: ${await errnoOf(sys.read(w, 5))}`);
      const ro = await sys.open('/tmp/f', O_RDONLY);
      note(`read on O_RDONLY: ${text(await sys.read(ro, 10))}`);
      note(`write on O_RDONLY: ${await errnoOf(sys.write(ro, 'x'))}`);
      const rw = await sys.open('/tmp/f', O_RDWR);
      note(`O_RDWR read 2: ${text(await sys.read(rw, 2))}`);
      note(`O_RDWR write at 2: ${await sys.write(rw, 'XY')}`);
      note(`file now: ${await slurp(sys, '/tmp/f')}`);
      note(`F_GETFL: ${await sys.fcntl(w, F_GETFL)} ${await sys.fcntl(ro, F_GETFL)} ${await sys.fcntl(rw, F_GETFL)}`);
    });
    expect(r.lines).toEqual([
      'write on O_WRONLY: 5',
      'read on O_WRONLY: EBADF',
      'read on O_RDONLY: hello',
      'write on O_RDONLY: EBADF',
      'O_RDWR read 2: he',
      'O_RDWR write at 2: 2',
      'file now: heXYo',
      `F_GETFL: ${O_WRONLY} ${O_RDONLY} ${O_RDWR}`,
    ]);
  });

  it('O_CREAT makes a file owned by the caller with the mode asked; O_EXCL refuses an existing one with EEXIST; ENOENT without O_CREAT', async () => {
    const r = await probe(
      async (sys, note) => {
        note(`open missing: ${await errnoOf(sys.open('/tmp/new', O_RDONLY))}`);
        note(`O_CREAT in a missing directory: ${await errnoOf(sys.open('/tmp/nodir/new', O_WRONLY | O_CREAT))}`);
        const fd = await sys.open('/tmp/new', O_WRONLY | O_CREAT | O_EXCL, 0o640);
        const st = await sys.fstat(fd);
        note(`created ${kind(st.st_mode)} ${(st.st_mode & 0o777).toString(8)} uid ${st.st_uid} gid ${st.st_gid} size ${st.st_size}`);
        note(`O_CREAT|O_EXCL again: ${await errnoOf(sys.open('/tmp/new', O_WRONLY | O_CREAT | O_EXCL))}`);
        note(`O_CREAT|O_EXCL on a directory: ${await errnoOf(sys.open('/tmp', O_RDONLY | O_CREAT | O_EXCL))}`);
        note(`O_CREAT alone on the existing file: ${await errnoOf(sys.open('/tmp/new', O_WRONLY | O_CREAT))}`);
        note(`its owner reopens it for reading: ${await errnoOf(sys.open('/tmp/new', O_RDONLY))}`);
      },
      { uid: 100 },
    );
    expect(r.lines).toEqual([
      'open missing: ENOENT',
      'O_CREAT in a missing directory: ENOENT',
      'created reg 640 uid 100 gid 100 size 0',
      'O_CREAT|O_EXCL again: EEXIST',
      'O_CREAT|O_EXCL on a directory: EEXIST',
      'O_CREAT alone on the existing file: 4',
      'its owner reopens it for reading: 5',
    ]);
  });

  it('O_TRUNC empties a file; O_APPEND writes at the end whatever the offset', async () => {
    const r = await probe(async (sys, note) => {
      await mkfile(sys, '/tmp/t', 'abcdef');
      const t = await sys.open('/tmp/t', O_RDWR | O_TRUNC);
      note(`after O_TRUNC: size ${(await sys.fstat(t)).st_size}`);
      await sys.close(t);
      const ro = await sys.open('/tmp/t', O_RDONLY | O_TRUNC);
      note(`O_TRUNC read-only then read: ${await errnoOf(sys.read(ro, 10))}`);
      await mkfile(sys, '/tmp/a', 'abc');
      const a = await sys.open('/tmp/a', O_WRONLY | O_APPEND);
      note(`F_GETFL has O_APPEND: ${(await sys.fcntl(a, F_GETFL)) === (O_WRONLY | O_APPEND)}`);
      note(`lseek to 0: ${await sys.lseek(a, 0, SEEK_SET)}`);
      await sys.write(a, 'DE');
      note(`offset after append: ${await sys.lseek(a, 0, SEEK_CUR)}`);
      await sys.lseek(a, 1, SEEK_SET);
      await sys.write(a, 'F');
      note(`contents: ${await slurp(sys, '/tmp/a')}`);
      // F_SETFL can take O_APPEND away again: the next write lands at the offset.
      await sys.fcntl(a, F_SETFL, 0);
      await sys.lseek(a, 0, SEEK_SET);
      await sys.write(a, 'z');
      note(`after clearing O_APPEND: ${await slurp(sys, '/tmp/a')}`);
    });
    expect(r.lines).toEqual([
      'after O_TRUNC: size 0',
      'O_TRUNC read-only then read: 0 bytes',
      'F_GETFL has O_APPEND: true',
      'lseek to 0: 0',
      'offset after append: 5',
      'contents: abcDEF',
      'after clearing O_APPEND: zbcDEF',
    ]);
  });

  it('gives ENOTDIR for a file used as a directory and EISDIR for a directory opened for writing or read as a file', async () => {
    const r = await probe(async (sys, note) => {
      const tries: Array<[string, () => Promise<unknown>]> = [
        ['open /etc/hostname/x', () => sys.open('/etc/hostname/x', O_RDONLY)],
        ['stat /etc/hostname/x', () => sys.stat('/etc/hostname/x')],
        ['mkdir /etc/hostname/d', () => sys.mkdir('/etc/hostname/d')],
        ['open /etc/hostname O_DIRECTORY', () => sys.open('/etc/hostname', O_RDONLY | O_DIRECTORY)],
        ['readdir /etc/hostname', () => sys.readdir('/etc/hostname')],
        ['chdir /etc/hostname', () => sys.chdir('/etc/hostname')],
        ['rmdir /etc/hostname', () => sys.rmdir('/etc/hostname')],
        ['open /tmp O_WRONLY', () => sys.open('/tmp', O_WRONLY)],
        ['open /tmp O_RDWR', () => sys.open('/tmp', O_RDWR)],
        ['open /tmp O_WRONLY|O_CREAT', () => sys.open('/tmp', O_WRONLY | O_CREAT)],
        ['read /tmp', async () => sys.read(await sys.open('/tmp', O_RDONLY), 10)],
        ['read /dev', async () => sys.read(await sys.open('/dev', O_RDONLY), 10)],
      ];
      for (const [label, f] of tries) note(`${label}: ${await errnoOf(f())}`);
    });
    expect(r.lines).toEqual([
      'open /etc/hostname/x: ENOTDIR',
      'stat /etc/hostname/x: ENOTDIR',
      'mkdir /etc/hostname/d: ENOTDIR',
      'open /etc/hostname O_DIRECTORY: ENOTDIR',
      'readdir /etc/hostname: ENOTDIR',
      'chdir /etc/hostname: ENOTDIR',
      'rmdir /etc/hostname: ENOTDIR',
      'open /tmp O_WRONLY: EISDIR',
      'open /tmp O_RDWR: EISDIR',
      'open /tmp O_WRONLY|O_CREAT: EISDIR',
      'read /tmp: EISDIR',
      'read /dev: EISDIR',
    ]);
  });

  it('checks permissions with the caller\'s credentials: owner, others, search permission on the way, and root', async () => {
    const r = await probe(
      async (sys, note) => {
        // As root: a private directory of user 200 holding a world-readable file.
        await sys.mkdir('/tmp/priv', 0o700);
        await mkfile(sys, '/tmp/priv/f', 'secret');
        await mkfile(sys, '/tmp/mine', 'mine');
        await sys.chmod('/tmp/mine', 0o600);
        const as = async (uid: number, what: string) => {
          const kid = await sys.spawn('/bin/perm', ['perm', what], { uid, gid: uid });
          await sys.waitpid(kid);
        };
        await as(0, 'root');
        await as(100, 'user 100');
      },
      {
        programs: (note) => [
          defineProgram({
            name: 'perm',
            summary: '',
            async main(argv, sys) {
              const tries: Array<[string, () => Promise<unknown>]> = [
                ['read /tmp/mine', () => sys.open('/tmp/mine', O_RDONLY)],
                ['write /tmp/mine', () => sys.open('/tmp/mine', O_WRONLY)],
                ['read /tmp/priv/f', () => sys.open('/tmp/priv/f', O_RDONLY)],
                ['list /tmp/priv', () => sys.readdir('/tmp/priv')],
                ['create in /tmp/priv', () => sys.open(`/tmp/priv/g${sys.getuid()}`, O_WRONLY | O_CREAT)],
                ['chdir /tmp/priv', () => sys.chdir('/tmp/priv')],
                ['stat /tmp/priv/f', () => sys.stat('/tmp/priv/f')],
                ['lstat /tmp/priv/nosuch', () => sys.lstat('/tmp/priv/nosuch')],
                ['stat /etc/motd/x', () => sys.stat('/etc/motd/x')],
                ['write /etc/motd', () => sys.open('/etc/motd', O_WRONLY)],
                ['create in /etc', () => sys.open(`/etc/new${sys.getuid()}`, O_WRONLY | O_CREAT)],
              ];
              const got: string[] = [];
              for (const [label, f] of tries) got.push(`${label} ${await errnoOf(f().then(() => 'ok'))}`);
              note(`${argv[1]}: ${got.join(', ')}`);
            },
          }),
        ],
      },
    );
    expect(r.lines).toEqual([
      'root: read /tmp/mine ok, write /tmp/mine ok, read /tmp/priv/f ok, list /tmp/priv ok, create in /tmp/priv ok, chdir /tmp/priv ok, stat /tmp/priv/f ok, lstat /tmp/priv/nosuch ENOENT, stat /etc/motd/x ENOTDIR, write /etc/motd ok, create in /etc ok',
      'user 100: read /tmp/mine EACCES, write /tmp/mine EACCES, read /tmp/priv/f EACCES, list /tmp/priv EACCES, create in /tmp/priv EACCES, chdir /tmp/priv EACCES, stat /tmp/priv/f EACCES, lstat /tmp/priv/nosuch EACCES, stat /etc/motd/x ENOTDIR, write /etc/motd EACCES, create in /etc EACCES',
    ]);
  });

  it('O_CLOEXEC marks the fd (F_GETFD); a spawned child and an execve do not keep it, an fd without it survives both', async () => {
    const r = await probe(
      async (sys, note) => {
        const keep = await sys.open('/etc/hostname', O_RDONLY);
        const drop = await sys.open('/etc/motd', O_RDONLY | O_CLOEXEC);
        const marked = await sys.open('/etc/hostname', O_RDONLY);
        await sys.fcntl(marked, F_SETFD, FD_CLOEXEC);
        note(`F_GETFD: keep ${await sys.fcntl(keep, F_GETFD)} drop ${await sys.fcntl(drop, F_GETFD)} marked ${await sys.fcntl(marked, F_GETFD)}`);
        const fds = [String(keep), String(drop), String(marked)];
        const child = await sys.spawn('/bin/fdcheck', ['fdcheck', 'child', ...fds]);
        await sys.waitpid(child);
        // dup never copies the flag (POSIX): the copy survives exec.
        const copy = await sys.dup(drop);
        note(`dup of the O_CLOEXEC fd: F_GETFD ${await sys.fcntl(copy, F_GETFD)}`);
        note(`F_DUPFD of it: F_GETFD ${await sys.fcntl(await sys.fcntl(drop, F_DUPFD, 20), F_GETFD)}`);
        await sys.execve('/bin/fdcheck', ['fdcheck', 'execve', ...fds, String(copy)]);
        note('execve returned');
      },
      {
        programs: (note) => [
          defineProgram({
            name: 'fdcheck',
            summary: '',
            async main(argv, sys) {
              const fds = argv.slice(2).map(Number);
              const seen = await Promise.all(fds.map((fd) => errnoOf(sys.fcntl(fd, F_GETFD))));
              note(`${argv[1]} sees fds ${fds.map((fd, i) => `${fd}=${seen[i]}`).join(' ')}; pid is ${sys.getpid()}`);
            },
          }),
        ],
      },
    );
    expect(r.lines).toEqual([
      'F_GETFD: keep 0 drop 1 marked 1',
      'child sees fds 3=0 4=EBADF 5=EBADF; pid is 3',
      'dup of the O_CLOEXEC fd: F_GETFD 0',
      'F_DUPFD of it: F_GETFD 0',
      'execve sees fds 3=0 4=EBADF 5=EBADF 6=0; pid is 2',
    ]);
    expect(r.status).toBe(exitedStatus(0));
  });
});

describe('offsets and lseek', () => {
  it('reads and writes advance the offset; SEEK_SET, SEEK_CUR and SEEK_END; EOF reads 0 bytes; a write past the end leaves zeros', async () => {
    const r = await probe(async (sys, note) => {
      const fd = await sys.open('/tmp/s', O_RDWR | O_CREAT, 0o644);
      await sys.write(fd, 'abcdef');
      note(`after write: ${await sys.lseek(fd, 0, SEEK_CUR)}`);
      note(`SEEK_SET 0: ${await sys.lseek(fd, 0, SEEK_SET)}`);
      note(`read 3: ${text(await sys.read(fd, 3))}`);
      note(`SEEK_CUR +1: ${await sys.lseek(fd, 1, SEEK_CUR)}`);
      note(`read 10: ${text(await sys.read(fd, 10))}`);
      note(`read at EOF: ${await errnoOf(sys.read(fd, 10))}`);
      note(`SEEK_END -2: ${await sys.lseek(fd, -2, SEEK_END)}`);
      note(`read 10: ${text(await sys.read(fd, 10))}`);
      note(`SEEK_CUR -7: ${await errnoOf(sys.lseek(fd, -7, SEEK_CUR))}`);
      note(`SEEK_SET -1: ${await errnoOf(sys.lseek(fd, -1, SEEK_SET))}`);
      note(`SEEK_END -7: ${await errnoOf(sys.lseek(fd, -7, SEEK_END))}`);
      note(`whence 7: ${await errnoOf(sys.lseek(fd, 0, 7))}`);
      note(`offset unchanged: ${await sys.lseek(fd, 0, SEEK_CUR)}`);
      note(`SEEK_END +3: ${await sys.lseek(fd, 3, SEEK_END)}`);
      note(`size before the write: ${(await sys.fstat(fd)).st_size}`);
      await sys.write(fd, 'Z');
      await sys.lseek(fd, 0, SEEK_SET);
      note(`bytes: ${Buffer.from(await sys.read(fd, 20)).toString('hex')}`);
      note(`lseek on a bad fd: ${await errnoOf(sys.lseek(99, 0, SEEK_SET))}`);
    });
    expect(r.lines).toEqual([
      'after write: 6',
      'SEEK_SET 0: 0',
      'read 3: abc',
      'SEEK_CUR +1: 4',
      'read 10: ef',
      'read at EOF: 0 bytes',
      'SEEK_END -2: 4',
      'read 10: ef',
      'SEEK_CUR -7: EINVAL',
      'SEEK_SET -1: EINVAL',
      'SEEK_END -7: EINVAL',
      'whence 7: EINVAL',
      'offset unchanged: 6',
      'SEEK_END +3: 9',
      'size before the write: 6',
      'bytes: 6162636465660000005a',
      'lseek on a bad fd: EBADF',
    ]);
  });

  it('two opens of one file have two offsets', async () => {
    const r = await probe(async (sys, note) => {
      await mkfile(sys, '/tmp/two', '0123456789');
      const a = await sys.open('/tmp/two', O_RDONLY);
      const b = await sys.open('/tmp/two', O_RDONLY);
      note(`${text(await sys.read(a, 4))} ${text(await sys.read(b, 2))} ${text(await sys.read(a, 2))}`);
    });
    expect(r.lines).toEqual(['0123 01 45']);
  });

  it('gives ESPIPE on a pipe', async () => {
    const r = await probe(async (sys, note) => {
      const [rd, wr] = await sys.pipe();
      note(`read end: ${await errnoOf(sys.lseek(rd, 0, SEEK_SET))}, write end: ${await errnoOf(sys.lseek(wr, 0, SEEK_CUR))}`);
    });
    expect(r.lines).toEqual(['read end: ESPIPE, write end: ESPIPE']);
  });
});

describe('dup and dup2', () => {
  it('share one open file description: one offset, one set of status flags', async () => {
    const r = await probe(async (sys, note) => {
      await mkfile(sys, '/tmp/d', 'abcdefgh');
      const a = await sys.open('/tmp/d', O_RDONLY);
      const b = await sys.dup(a);
      note(`dup gives the lowest free fd: ${b === a + 1}`);
      note(`${text(await sys.read(a, 2))} ${text(await sys.read(b, 2))} offset via a: ${await sys.lseek(a, 0, SEEK_CUR)}`);
      note(`dup2 to 10: ${await sys.dup2(a, 10)}`);
      note(`read 10: ${text(await sys.read(10, 1))}; offset via b: ${await sys.lseek(b, 0, SEEK_CUR)}`);
      await sys.fcntl(b, F_SETFL, O_NONBLOCK);
      note(`O_NONBLOCK set through b shows on a: ${(await sys.fcntl(a, F_GETFL)) & O_NONBLOCK ? 'yes' : 'no'}`);
      await sys.close(a);
      note(`after closing a, 10 still reads: ${text(await sys.read(10, 10))}`);
      note(`dup2 onto itself: ${await sys.dup2(b, b)}; dup2 of a closed fd: ${await errnoOf(sys.dup2(a, 11))}; dup of a closed fd: ${await errnoOf(sys.dup(a))}`);
      note(`dup2 out of range: ${await errnoOf(sys.dup2(b, 100000))}`);
    });
    expect(r.lines).toEqual([
      'dup gives the lowest free fd: true',
      'ab cd offset via a: 4',
      'dup2 to 10: 10',
      'read 10: e; offset via b: 5',
      'O_NONBLOCK set through b shows on a: yes',
      'after closing a, 10 still reads: fgh',
      `dup2 onto itself: 4; dup2 of a closed fd: EBADF; dup of a closed fd: EBADF`,
      'dup2 out of range: EBADF',
    ]);
  });

  it('dup2 onto an open fd closes what was there (a pipe writer: its reader sees EOF)', async () => {
    const r = await probe(async (sys, note) => {
      const [rd, wr] = await sys.pipe();
      const file = await sys.open('/etc/hostname', O_RDONLY);
      await sys.write(wr, 'last');
      await sys.dup2(file, wr);
      note(`pipe: ${text(await sys.read(rd, 10))} then ${await errnoOf(sys.read(rd, 10))}`);
      note(`old number now reads the file: ${JSON.stringify(text(await sys.read(wr, 10)))}`);
    });
    expect(r.lines).toEqual(['pipe: last then 0 bytes', 'old number now reads the file: "haiku\\n"']);
  });
});

describe('fcntl', () => {
  it('F_GETFL reports the access mode and status flags; F_SETFL changes only O_NONBLOCK and O_APPEND', async () => {
    const r = await probe(async (sys, note) => {
      const fd = await sys.open('/tmp/fl', O_RDWR | O_CREAT | O_TRUNC | O_NONBLOCK, 0o644);
      note(`F_GETFL after open: ${(await sys.fcntl(fd, F_GETFL)) === (O_RDWR | O_NONBLOCK)}`);
      await sys.fcntl(fd, F_SETFL, 0);
      note(`cleared: ${(await sys.fcntl(fd, F_GETFL)) === O_RDWR}`);
      await sys.fcntl(fd, F_SETFL, O_WRONLY | O_CREAT | O_APPEND | O_NONBLOCK);
      note(`set: ${(await sys.fcntl(fd, F_GETFL)) === (O_RDWR | O_APPEND | O_NONBLOCK)}`);
      note(`F_SETFD 1 / F_GETFD: ${await sys.fcntl(fd, F_SETFD, FD_CLOEXEC)} / ${await sys.fcntl(fd, F_GETFD)}`);
      note(`F_SETFD 0 / F_GETFD: ${await sys.fcntl(fd, F_SETFD, 0)} / ${await sys.fcntl(fd, F_GETFD)}`);
      note(`bad cmd: ${await errnoOf(sys.fcntl(fd, 0x7777))}; bad fd: ${await errnoOf(sys.fcntl(77, F_GETFL))}`);
    });
    expect(r.lines).toEqual([
      'F_GETFL after open: true',
      'cleared: true',
      'set: true',
      'F_SETFD 1 / F_GETFD: 0 / 1',
      'F_SETFD 0 / F_GETFD: 0 / 0',
      'bad cmd: EINVAL; bad fd: EBADF',
    ]);
  });

  it('O_NONBLOCK set gives EAGAIN on an empty pipe; cleared again, the read blocks until a writer comes (virtual time)', async () => {
    const r = await probe(
      async (sys, note) => {
        const [rd, wr] = await sys.pipe();
        await sys.fcntl(rd, F_SETFL, O_NONBLOCK);
        note(`non-blocking read: ${await errnoOf(sys.read(rd, 1))}`);
        await sys.fcntl(rd, F_SETFL, 0);
        const kid = await sys.spawn('/bin/late', ['late', String(wr)]);
        await sys.close(wr);
        const t0 = await sys.clock_gettime(CLOCK_MONOTONIC);
        const got = text(await sys.read(rd, 10));
        note(`blocking read: ${got} after ${((await sys.clock_gettime(CLOCK_MONOTONIC)) - t0) / 1e9}s`);
        await sys.waitpid(kid);
      },
      {
        programs: () => [
          defineProgram({
            name: 'late',
            summary: '',
            async main(argv, sys) {
              await sys.nanosleep(3e9);
              await sys.write(Number(argv[1]), 'late');
            },
          }),
        ],
      },
    );
    expect(r.lines).toEqual(['non-blocking read: EAGAIN', 'blocking read: late after 3s']);
  });
});

describe('stat, fstat, lstat', () => {
  it('tells devices, directories, files, links and pipes apart, with sizes and owners', async () => {
    const r = await probe(async (sys, note) => {
      const nul = await sys.stat('/dev/null');
      note(`/dev/null ${kind(nul.st_mode)} ${(nul.st_mode & 0o777).toString(8)} rdev ${nul.st_rdev >> 8}:${nul.st_rdev & 0xff}`);
      note(`/tmp ${kind((await sys.stat('/tmp')).st_mode)}`);
      await mkfile(sys, '/tmp/sz', 'x'.repeat(1234));
      const st = await sys.stat('/tmp/sz');
      note(`/tmp/sz ${kind(st.st_mode)} size ${st.st_size} nlink ${st.st_nlink}`);
      const fd = await sys.open('/tmp/sz', O_WRONLY | O_APPEND);
      await sys.write(fd, 'yy');
      const fst = await sys.fstat(fd);
      note(`fstat after append: size ${fst.st_size} same inode ${fst.st_ino === st.st_ino} same dev ${fst.st_dev === st.st_dev}`);
      await sys.symlink('/tmp/sz', '/tmp/ln');
      const l = await sys.lstat('/tmp/ln');
      note(`lstat link ${kind(l.st_mode)} size ${l.st_size}; stat through it ${kind((await sys.stat('/tmp/ln')).st_mode)} size ${(await sys.stat('/tmp/ln')).st_size}`);
      note(`readlink ${await sys.readlink('/tmp/ln')}`);
      const [rd] = await sys.pipe();
      note(`pipe ${kind((await sys.fstat(rd)).st_mode)}`);
      const dn = await sys.open('/dev/null', O_RDONLY);
      note(`fstat /dev/null ${kind((await sys.fstat(dn)).st_mode)}`);
      note(`stat missing: ${await errnoOf(sys.stat('/tmp/none'))}; lstat missing: ${await errnoOf(sys.lstat('/tmp/none'))}; fstat bad fd: ${await errnoOf(sys.fstat(42))}`);
      await sys.symlink('/tmp/none', '/tmp/dangling');
      note(`dangling link: lstat ${kind((await sys.lstat('/tmp/dangling')).st_mode)}, stat ${await errnoOf(sys.stat('/tmp/dangling'))}`);
    });
    expect(r.lines).toEqual([
      '/dev/null chr 666 rdev 1:3',
      '/tmp dir',
      '/tmp/sz reg size 1234 nlink 1',
      'fstat after append: size 1236 same inode true same dev true',
      'lstat link lnk size 7; stat through it reg size 1236',
      'readlink /tmp/sz',
      'pipe fifo',
      'fstat /dev/null chr',
      'stat missing: ENOENT; lstat missing: ENOENT; fstat bad fd: EBADF',
      'dangling link: lstat lnk, stat ENOENT',
    ]);
  });
});

describe('the name space', () => {
  it('readdir lists a directory sorted with types; mkdir gives EEXIST and ENOENT; rmdir ENOTEMPTY', async () => {
    const r = await probe(async (sys, note) => {
      note(`mkdir: ${await sys.mkdir('/tmp/d')}`);
      await mkfile(sys, '/tmp/d/b', 'b');
      await mkfile(sys, '/tmp/d/a', 'a');
      await sys.mkdir('/tmp/d/c');
      note((await sys.readdir('/tmp/d')).map((e) => `${e.d_name}:${kind(e.d_type)}`).join(' '));
      note(`mkdir again: ${await errnoOf(sys.mkdir('/tmp/d'))}`);
      note(`mkdir over a file: ${await errnoOf(sys.mkdir('/tmp/d/a'))}`);
      note(`mkdir /: ${await errnoOf(sys.mkdir('/'))}`);
      note(`mkdir with a missing parent: ${await errnoOf(sys.mkdir('/tmp/x/y'))}`);
      note(`readdir missing: ${await errnoOf(sys.readdir('/tmp/x'))}`);
      note(`rmdir non-empty: ${await errnoOf(sys.rmdir('/tmp/d'))}`);
      note(`rmdir empty: ${await errnoOf(sys.rmdir('/tmp/d/c'))}`);
      note(`rmdir missing: ${await errnoOf(sys.rmdir('/tmp/d/c'))}`);
      note((await sys.readdir('/tmp/d')).map((e) => e.d_name).join(' '));
    });
    expect(r.lines).toEqual([
      'mkdir: 0',
      'a:reg b:reg c:dir',
      'mkdir again: EEXIST',
      'mkdir over a file: EEXIST',
      'mkdir /: EEXIST',
      'mkdir with a missing parent: ENOENT',
      'readdir missing: ENOENT',
      'rmdir non-empty: ENOTEMPTY',
      'rmdir empty: 0',
      'rmdir missing: ENOENT',
      'a b',
    ]);
  });

  it('unlink removes a name (an open fd keeps reading); ENOENT when missing, EISDIR on a directory (Linux and Haiku)', async () => {
    const r = await probe(async (sys, note) => {
      await mkfile(sys, '/tmp/u', 'still here');
      const fd = await sys.open('/tmp/u', O_RDONLY);
      note(`unlink: ${await sys.unlink('/tmp/u')}`);
      note(`stat after: ${await errnoOf(sys.stat('/tmp/u'))}`);
      note(`open fd reads: ${text(await sys.read(fd, 100))}`);
      note(`unlink again: ${await errnoOf(sys.unlink('/tmp/u'))}`);
      await sys.mkdir('/tmp/dir');
      note(`unlink a directory: ${await errnoOf(sys.unlink('/tmp/dir'))}`);
      note(`unlink /: ${await errnoOf(sys.unlink('/'))}`);
      await sys.symlink('/etc/motd', '/tmp/l');
      await sys.unlink('/tmp/l');
      note(`unlink a symlink: link ${await errnoOf(sys.lstat('/tmp/l'))}, target ${kind((await sys.stat('/etc/motd')).st_mode)}`);
    });
    expect(r.lines).toEqual([
      'unlink: 0',
      'stat after: ENOENT',
      'open fd reads: still here',
      'unlink again: ENOENT',
      'unlink a directory: EISDIR',
      'unlink /: EISDIR',
      'unlink a symlink: link ENOENT, target reg',
    ]);
  });

  it('rename moves a name, replaces an existing file, and refuses a missing source (ENOENT) or another mount (EXDEV)', async () => {
    const r = await probe(async (sys, note) => {
      await mkfile(sys, '/tmp/old', 'one');
      note(`rename: ${await sys.rename('/tmp/old', '/tmp/new')}`);
      note(`old: ${await errnoOf(sys.stat('/tmp/old'))}; new: ${await slurp(sys, '/tmp/new')}`);
      await mkfile(sys, '/tmp/other', 'two');
      await sys.rename('/tmp/other', '/tmp/new');
      note(`replaced: ${await slurp(sys, '/tmp/new')}; other: ${await errnoOf(sys.stat('/tmp/other'))}`);
      await sys.mkdir('/tmp/dir');
      await sys.rename('/tmp/new', '/tmp/dir/moved');
      note(`into a directory: ${(await sys.readdir('/tmp/dir')).map((e) => e.d_name).join(' ')}`);
      note(`missing: ${await errnoOf(sys.rename('/tmp/gone', '/tmp/x'))}`);
      note(`across mounts: ${await errnoOf(sys.rename('/tmp/dir/moved', '/dev/moved'))}`);
      note(`a file over a directory: ${await errnoOf(sys.rename('/etc/motd', '/tmp/dir'))}; it still holds ${(await sys.readdir('/tmp/dir')).map((e) => e.d_name).join(' ')}`);
      note(`a directory over a file: ${await errnoOf(sys.rename('/tmp/dir', '/etc/motd'))}`);
      await sys.mkdir('/tmp/empty');
      note(`a directory over a non-empty one: ${await errnoOf(sys.rename('/tmp/empty', '/tmp/dir'))}`);
      note(`a directory into itself: ${await errnoOf(sys.rename('/tmp/dir', '/tmp/dir/inside'))}`);
      note(`onto itself: ${await errnoOf(sys.rename('/tmp/dir', '/tmp/dir'))}`);
      note(`a directory over an empty one: ${await errnoOf(sys.rename('/tmp/dir', '/tmp/empty'))}; ${(await sys.readdir('/tmp/empty')).map((e) => e.d_name).join(' ')}`);
    });
    expect(r.lines).toEqual([
      'rename: 0',
      'old: ENOENT; new: one',
      'replaced: two; other: ENOENT',
      'into a directory: moved',
      'missing: ENOENT',
      'across mounts: EXDEV',
      'a file over a directory: EISDIR; it still holds moved',
      'a directory over a file: ENOTDIR',
      'a directory over a non-empty one: ENOTEMPTY',
      'a directory into itself: EINVAL',
      'onto itself: 0',
      'a directory over an empty one: 0; moved',
    ]);
  });

  it('chdir changes where relative paths resolve; getcwd reports the normalised path', async () => {
    const r = await probe(async (sys, note) => {
      note(`start: ${await sys.getcwd()}`);
      await sys.chdir('/tmp');
      await sys.mkdir('sub');
      await sys.chdir('./sub/../sub//');
      note(`cwd: ${await sys.getcwd()}`);
      await mkfile(sys, 'rel.txt', 'relative');
      note(`absolute view: ${await slurp(sys, '/tmp/sub/rel.txt')}`);
      await sys.chdir('..');
      note(`up: ${await sys.getcwd()}; relative stat: ${kind((await sys.stat('sub/rel.txt')).st_mode)}`);
      note(`readdir .: ${(await sys.readdir('.')).map((e) => e.d_name).join(' ')}`);
      await sys.chdir('../..');
      note(`above the root stays at the root: ${await sys.getcwd()}`);
      await sys.chdir('dev');
      note(`into a mount: ${await sys.getcwd()}; relative open: ${await errnoOf(sys.open('null', O_RDONLY))}`);
      note(`chdir missing: ${await errnoOf(sys.chdir('/nowhere'))}; cwd still ${await sys.getcwd()}`);
    });
    expect(r.lines).toEqual([
      'start: /boot/home',
      'cwd: /tmp/sub',
      'absolute view: relative',
      'up: /tmp; relative stat: reg',
      'readdir .: sub',
      'above the root stays at the root: /',
      'into a mount: /dev; relative open: 3',
      'chdir missing: ENOENT; cwd still /dev',
    ]);
  });
});

describe('pipes', () => {
  it('read returns what was written, then EOF (0 bytes, again and again) once the last writer closes', async () => {
    const r = await probe(async (sys, note) => {
      const [rd, wr] = await sys.pipe();
      const wr2 = await sys.dup(wr);
      await sys.write(wr, 'abc');
      await sys.close(wr);
      note(`first: ${text(await sys.read(rd, 2))}`);
      await sys.write(wr2, 'de');
      await sys.close(wr2);
      note(`rest: ${text(await sys.read(rd, 10))}`);
      note(`then: ${await errnoOf(sys.read(rd, 10))} and ${await errnoOf(sys.read(rd, 10))}`);
      const [rd2, wr3] = await sys.pipe();
      note(`wrong ends: write on read end ${await errnoOf(sys.write(rd2, 'x'))}, read on write end ${await errnoOf(sys.read(wr3, 1))}`);
      note(`F_GETFL: ${(await sys.fcntl(rd2, F_GETFL)) === O_RDONLY} ${(await sys.fcntl(wr3, F_GETFL)) === O_WRONLY}`);
    });
    expect(r.lines).toEqual(['first: ab', 'rest: cde', 'then: 0 bytes and 0 bytes', 'wrong ends: write on read end EBADF, read on write end EBADF', 'F_GETFL: true true']);
  });

  it('hold a bounded buffer: a writer blocks on a full pipe until the reader drains it (virtual time)', async () => {
    const CAP = 65536;
    const r = await probe(
      async (sys, note) => {
        const [rd, wr] = await sys.pipe();
        const kid = await sys.spawn('/bin/bigwriter', ['bigwriter', String(wr), String(CAP + 1000)]);
        await sys.close(wr);
        await sys.nanosleep(2e9);
        const blocked = (await sys.getprocs()).find((p) => p.pid === kid)!;
        note(`at 2s: ${(await sys.fstat(rd)).st_size} bytes buffered; writer ${blocked.state} in ${blocked.wchan}`);
        let total = 0;
        for (;;) {
          const d = await sys.read(rd, 100_000);
          if (d.length === 0) break;
          if (d.some((b) => b !== 0x61)) note('wrong byte');
          total += d.length;
        }
        note(`reader got ${total} bytes`);
        await sys.waitpid(kid);
      },
      {
        programs: (note) => [
          defineProgram({
            name: 'bigwriter',
            summary: '',
            async main(argv, sys) {
              const n = await sys.write(Number(argv[1]), new Uint8Array(Number(argv[2])).fill(0x61));
              note(`write returned ${n} at ${(await sys.clock_gettime(CLOCK_MONOTONIC)) / 1e9}s`);
            },
          }),
        ],
      },
    );
    expect(r.lines).toEqual([`at 2s: ${CAP} bytes buffered; writer sleeping in write`, `write returned ${CAP + 1000} at 2s`, `reader got ${CAP + 1000} bytes`]);
  });

  it('with O_NONBLOCK a large write is cut to the room left, and a small one goes whole or fails with EAGAIN (PIPE_BUF)', async () => {
    const r = await probe(async (sys, note) => {
      const [rd, wr] = await sys.pipe();
      await sys.fcntl(wr, F_SETFL, O_NONBLOCK);
      note(`large: ${await sys.write(wr, new Uint8Array(70_000))}`);
      note(`full: ${await errnoOf(sys.write(wr, 'x'))}`);
      await sys.read(rd, 100);
      note(`100 bytes of room, 200-byte write: ${await errnoOf(sys.write(wr, new Uint8Array(200)))}`);
      note(`100-byte write: ${await sys.write(wr, new Uint8Array(100))}`);
    });
    expect(r.lines).toEqual(['large: 65536', 'full: EAGAIN', '100 bytes of room, 200-byte write: EAGAIN', '100-byte write: 100']);
  });
});
