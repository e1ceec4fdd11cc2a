// strace's way of writing calls, where tunlab's calls differ in shape from Linux's: pipe() fills
// its int[2] (shown as the argument), waitpid returns the pid and stores the status, fcntl's fd
// flags have names, a shell's subshell is a fork(), and every ioctl argument is decoded.

import { describe, expect, it } from 'vitest';
import { F_GETFD, F_GETFL, F_SETFD, FD_CLOEXEC, O_NONBLOCK, O_RDWR } from '../../../kernel/abi/fcntl.js';
import { SIOCGIFSTATS, SIOCGRTTABLE, TUNSETQUEUE, IFF_ATTACH_QUEUE } from '../../../kernel/abi/ioctl.js';
import { RTF_UP } from '../../../kernel/abi/route.js';
import { SIGKILL, SIGTSTP } from '../../../kernel/abi/signal.js';
import { sockaddrIn } from '../../../kernel/abi/socket.js';
import { decodedAtEntry, formatEntry, formatResumed, formatSyscall } from '../../../kernel/abi/strace.js';
import { TraceLogs } from '../../../kernel/proc/trace-log.js';
import type { OpenFile } from '../../../kernel/vfs/file.js';
import { shellRun } from '../../helpers/session.js';
import { CONTINUED_STATUS, exitedStatus, signaledStatus, stoppedStatus, WNOHANG, WUNTRACED } from '../../../kernel/abi/wait.js';

describe('strace lines', () => {
  it('pipe([3, 4]) = 0', () => {
    expect(formatSyscall('pipe', [], [3, 4])).toBe('pipe([3, 4]) = 0');
    expect(formatSyscall('pipe', [], undefined, 'EMFILE')).toBe('pipe(0x0) = -1 EMFILE (Too many open files)');
  });

  it('waitpid shows the status it stored and returns the pid', () => {
    expect(formatSyscall('waitpid', [3], { pid: 3, status: exitedStatus(0) })).toBe('waitpid(3, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0) = 3');
    expect(formatSyscall('waitpid', [-1, WUNTRACED], { pid: 7, status: stoppedStatus(SIGTSTP) })).toBe('waitpid(-1, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGTSTP}], WUNTRACED) = 7');
    expect(formatSyscall('waitpid', [7], { pid: 7, status: signaledStatus(SIGKILL) })).toBe('waitpid(7, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}], 0) = 7');
    expect(formatSyscall('waitpid', [7, 6], { pid: 7, status: CONTINUED_STATUS })).toBe('waitpid(7, [{WIFCONTINUED(s)}], WUNTRACED|WCONTINUED) = 7');
    expect(formatSyscall('waitpid', [-1, WNOHANG], { pid: 0, status: 0 })).toBe('waitpid(-1, 0x0, WNOHANG) = 0');
    expect(formatSyscall('waitpid', [9], undefined, 'ECHILD')).toBe('waitpid(9, 0x0, 0) = -1 ECHILD (No child process)');
  });

  it("umask and mkdir write modes in octal as strace's print_numeric_umode_t: 000, 022, 0777", () => {
    expect(formatSyscall('umask', [0o77], 0o22)).toBe('umask(077) = 022');
    expect(formatSyscall('umask', [0], 0o77)).toBe('umask(000) = 077');
    expect(formatSyscall('umask', [0o777], 0)).toBe('umask(0777) = 000');
    expect(formatSyscall('mkdir', ['/tmp/d', 0o777], 0)).toBe('mkdir("/tmp/d", 0777) = 0');
  });

  it('fcntl names the fd flags and the file status flags', () => {
    expect(formatSyscall('fcntl', [3, F_SETFD, FD_CLOEXEC], 0)).toBe('fcntl(3, F_SETFD, FD_CLOEXEC) = 0');
    expect(formatSyscall('fcntl', [3, F_GETFD], 1)).toBe('fcntl(3, F_GETFD) = 0x1 (flags FD_CLOEXEC)');
    expect(formatSyscall('fcntl', [3, F_GETFD], 0)).toBe('fcntl(3, F_GETFD) = 0');
    expect(formatSyscall('fcntl', [3, F_GETFL], O_RDWR | O_NONBLOCK)).toBe('fcntl(3, F_GETFL) = 0x82 (flags O_RDWR|O_NONBLOCK)');
    expect(formatSyscall('fcntl', [3, F_GETFL], 0)).toBe('fcntl(3, F_GETFL) = 0 (flags O_RDONLY)');
  });

  it("a shell's subshell is a fork(); its image is nobody's business", () => {
    expect(formatSyscall('spawn', ['/bin/sh', ['sh', '--subshell'], { forkImage: '{"state":"..."}' }], 5)).toBe('fork() = 5');
    expect(formatSyscall('spawn', ['/bin/sh', ['sh', '--subshell'], { forkImage: '{}' }], undefined, 'EAGAIN')).toBe('fork() = -1 EAGAIN (Operation would block)');
    expect(formatSyscall('spawn', ['/bin/ls', ['ls'], {}], 6)).toBe('spawn("/bin/ls", ["ls"]) = 6');
  });

  it('decodes every ioctl argument: tables, counters, TUNSETQUEUE flags', () => {
    const routes = { routes: [{ rt_dst: sockaddrIn('10.0.0.0'), rt_genmask: sockaddrIn('255.0.0.0'), rt_flags: RTF_UP, rt_dev: 'loop' }] };
    expect(formatSyscall('ioctl', [3, SIOCGRTTABLE, routes], 0)).toBe(
      'ioctl(3, SIOCGRTTABLE, {routes=[{rt_dst={sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("10.0.0.0")}, rt_genmask={sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("255.0.0.0")}, rt_flags=RTF_UP, rt_dev="loop"}]}) = 0',
    );
    expect(formatSyscall('ioctl', [3, SIOCGIFSTATS, { ifr_name: 'loop', ifr_stats: { collisions: 0 } }], 0)).toBe('ioctl(3, SIOCGIFSTATS, {ifr_name="loop", ifr_stats={collisions=0}}) = 0');
    expect(formatSyscall('ioctl', [3, TUNSETQUEUE, { ifr_name: '', ifr_flags: IFF_ATTACH_QUEUE }], 0)).toBe('ioctl(3, TUNSETQUEUE, {ifr_name="", ifr_flags=IFF_ATTACH_QUEUE}) = 0');
    expect(formatSyscall('ioctl', [3, 'TUNSETQUEUE', { ifr_name: '', ifr_flags: IFF_ATTACH_QUEUE }], 0)).toBe('ioctl(3, TUNSETQUEUE, {ifr_name="", ifr_flags=IFF_ATTACH_QUEUE}) = 0');
    const many = { sockets: Array.from({ length: 40 }, (_, i) => i) };
    expect(formatSyscall('ioctl', [3, 0x89f2, many], 0)).toMatch(/\{sockets=\[0, 1, [^\]]*, 31, \.\.\.\]\}\) = 0$/);
  });
});

// A call that blocks while another process's line is written (strace -f, tunlab --trace) is cut
// and resumed as strace writes it; a process that dies in a call ends it with `= ?` and its
// followed children end with `+++ exited with N +++` or `+++ killed by SIGNAL +++`.
describe('strace lines of calls that block', () => {
  it('the start of a call as strace writes it, and what follows <... NAME resumed>', () => {
    expect(formatEntry('read', [3, 65536])).toBe('read(3, ');
    expect(formatResumed('read', [3, 65536], new TextEncoder().encode('hi\n'))).toBe('"hi\\n", 65536) = 3');
    expect(formatEntry('waitpid', [6])).toBe('waitpid(6, ');
    expect(formatResumed('waitpid', [6], { pid: 6, status: exitedStatus(0) })).toBe('[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0) = 6');
    expect(formatEntry('nanosleep', [1e9])).toBe('nanosleep(1000000000');
    expect(formatResumed('nanosleep', [1e9], 0)).toBe(') = 0');
    expect(formatEntry('ioctl', [3, SIOCGIFSTATS, { ifr_name: 'loop' }])).toBe('ioctl(3, SIOCGIFSTATS, ');
    expect(formatResumed('read', [3, 10], undefined, 'EINTR')).toBe('0x0, 10) = -1 EINTR (Interrupted system call)');
    expect(formatEntry('epoll_wait', [4, 8, -1])).toBe('epoll_wait(4, ');
    expect(formatResumed('epoll_wait', [4, 8, -1], [])).toBe('[], 8, -1) = 0');
    expect(decodedAtEntry('read', [3, 1])).toBe(false);
    expect(decodedAtEntry('write', [1, 'x'])).toBe(true);
  });

  it('cuts a line another process interrupts, resumes it by name, and writes each end', () => {
    const logs = new TraceLogs();
    const sink = {} as OpenFile;
    const read = { prefix: '[pid 6] ', name: 'read', args: [0, 65536] };
    const wait = { prefix: '[pid 5] ', name: 'waitpid', args: [6] };
    const text = (lines: Array<[OpenFile, string]>) => lines.map(([, t]) => t).join('');
    expect(text(logs.enter([sink], read))).toBe('');
    expect(text(logs.enter([sink], wait))).toBe('[pid 6] read(0,  <unfinished ...>\n');
    expect(text(logs.leave([sink], read, '[pid 6] ', 'read', [0, 65536], new Uint8Array([0x78]), undefined))).toBe(
      '[pid 5] waitpid(6,  <unfinished ...>\n[pid 6] <... read resumed>"x", 65536) = 1\n',
    );
    expect(text(logs.leave([sink], wait, '[pid 5] ', 'waitpid', [6], { pid: 6, status: exitedStatus(0) }, undefined))).toBe(
      '[pid 5] <... waitpid resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0) = 6\n',
    );
    // Nothing between its start and its end: one whole line.
    const write = { prefix: '', name: 'write', args: [1, 'x'] };
    logs.enter([sink], write);
    expect(text(logs.leave([sink], write, '', 'write', [1, 'x'], 1, undefined))).toBe('write(1, "x", 1) = 1\n');
  });

  it('a process killed in a call: `= ?` after the start, or after <... resumed>, then its end', () => {
    const logs = new TraceLogs();
    const sink = {} as OpenFile;
    const read = { prefix: '', name: 'read', args: [0, 65536] };
    logs.enter([sink], read);
    expect(logs.died([[sink, false]], read, '', signaledStatus(SIGKILL))).toEqual([[sink, 'read(0,  <unfinished ...>) = ?\n']]);
    const sleep = { prefix: '[pid 7] ', name: 'nanosleep', args: [1e9] };
    const other = { prefix: '[pid 2] ', name: 'poll', args: [[], -1] };
    logs.enter([sink], sleep);
    logs.enter([sink], other);
    expect(logs.died([[sink, true]], sleep, '[pid 7] ', signaledStatus(SIGKILL))).toEqual([
      [sink, '[pid 2] poll([], 0, -1 <unfinished ...>\n[pid 7] <... nanosleep resumed>) = ?\n[pid 7] +++ killed by SIGKILL +++\n'],
    ]);
    expect(logs.died([[sink, true]], null, '[pid 8] ', exitedStatus(3))).toEqual([[sink, '[pid 8] +++ exited with 3 +++\n']]);
  });

  it('strace: a read killed while it blocks, and the children strace -f follows', async () => {
    const killed = await shellRun("(sleep 5; echo x) | strace -o /tmp/t cat & sleep 1; kill -9 $(ps | awk '/^cat/{print $2}'); wait; cat /tmp/t");
    expect(killed.out).toBe('read(0,  <unfinished ...>) = ?\n+++ killed by SIGKILL +++\n');
    const followed = await shellRun("(sleep 2; echo x) | strace -f -o /tmp/t sh -c 'cat; exit 4'; cat /tmp/t");
    expect(followed.out).toMatch(/^\[pid +(\d+)\] read\(0,  <unfinished \.\.\.>\n\[pid +\d+\] waitpid\(\1,  <unfinished \.\.\.>\n\[pid +\1\] <\.\.\. read resumed>"x\\n", 65536\) = 2$/m);
    expect(followed.out).toMatch(/^\[pid +(\d+)\] \+\+\+ exited with 0 \+\+\+\n\[pid +\d+\] <\.\.\. waitpid resumed>\[\{WIFEXITED\(s\) && WEXITSTATUS\(s\) == 0\}\], 0\) = \1$/m);
    expect(followed.out).toMatch(/\n\+\+\+ exited with 4 \+\+\+\n$/);
  });
});
