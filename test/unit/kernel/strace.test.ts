// strace's way of writing calls, where tunlab's calls differ in shape from Linux's: pipe() fills
// its int[2] (shown as the argument), waitpid returns the pid and stores the status, fcntl's fd
// flags have names, a shell's subshell is a fork(), and every ioctl argument is decoded.

import { describe, expect, it } from 'vitest';
import { F_GETFD, F_GETFL, F_SETFD, FD_CLOEXEC, O_NONBLOCK, O_RDWR } from '../../../kernel/abi/fcntl.js';
import { SIOCGIFSTATS, SIOCGRTTABLE, TUNSETQUEUE, IFF_ATTACH_QUEUE } from '../../../kernel/abi/ioctl.js';
import { RTF_UP } from '../../../kernel/abi/route.js';
import { SIGKILL, SIGTSTP } from '../../../kernel/abi/signal.js';
import { sockaddrIn } from '../../../kernel/abi/socket.js';
import { formatSyscall } from '../../../kernel/abi/strace.js';
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
