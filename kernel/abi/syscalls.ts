// The system call interface: everything a program can ask of the kernel. A program receives a
// `Sys` bound to its own process, exactly as a C program links against libc; failures throw a
// SysError with the errno name. This file is the contract between userland and the kernel.

import type { JourneyBatch, JourneyOpenOptions, ProgramDropReason } from './journey.js';
import type { PollFd } from './poll.js';
import type { WorldTopology } from './topology.js';
import type { SignalHandler } from './signal.js';
import type { EpollEvent } from './epoll.js';
import type { AcceptResult, MsgHdr, RecvMsgResult, RecvResult, Sockaddr, SockaddrBind, SockaddrIn, SockoptValue } from './socket.js';
import type { Dirent, Stat } from './stat.js';

export interface SpawnOptions {
  /**
   * The child's fd table: entry i becomes the child's fd i, taken from the parent's fd given
   * (-1 leaves it closed). Without it the child inherits every fd not marked close-on-exec.
   */
  fds?: number[];
  /**
   * posix_spawn file actions, applied in order to a copy of the caller's fd table before the
   * close-on-exec fds are dropped: {dup2: [from, to]} and {close: fd}. The shell's redirections.
   */
  fileActions?: FileAction[];
  env?: Record<string, string>;
  cwd?: string;
  /** Put the child in this process group (0: a new group led by the child). */
  pgid?: number;
  /**
   * Make the child's process group the foreground group of the terminal on this fd of the caller
   * before the child runs (glibc's posix_spawnattr_tcsetpgrp_np): a shell's foreground job can
   * then never read the terminal before it is its own, and be stopped for it. Best effort: an fd
   * that is not a terminal is left alone.
   */
  tcsetpgrp?: number;
  /** Run the child on another host of the world (the shell's `on HOST`); fds travel with it. */
  host?: string;
  /** Trace every syscall of the child (and, with followForks, its descendants) to this fd. */
  trace?: { fd: number; followForks?: boolean };
  /** Run as this user (root only: `su`). */
  uid?: number;
  gid?: number;
  /** The child's supplementary groups (root only: `su -G`); without, the caller's. */
  groups?: number[];
  /**
   * The child is a fork of the caller: it runs `path` with this image of the caller's memory (a
   * shell's subshell: its variables, functions and the command to run), which it gets back with
   * forkImage(). The kernel hands it over, as fork() copies memory, so neither side makes a
   * system call for it; strace shows the call as fork().
   */
  forkImage?: string;
}

export type FileAction = { dup2: [number, number] } | { close: number };

export interface WaitResult {
  /** 0 with WNOHANG when no child has changed state yet. */
  pid: number;
  status: number;
}

export interface Utsname {
  sysname: string;
  nodename: string;
  release: string;
  version: string;
  machine: string;
}

export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  uid: number;
  gid: number;
  state: 'running' | 'sleeping' | 'stopped' | 'zombie';
  command: string;
  args: string[];
  /** What it is blocked in, if anything: "read", "poll" ... */
  wchan: string;
  startNs: number;
  /** Its open sockets: fd and the socket's inode (st_ino), which SIOCGSOCKTABLE rows carry (ss -p). */
  sockets?: Array<{ fd: number; ino: number }>;
}

export const CLOCK_REALTIME = 0;
export const CLOCK_MONOTONIC = 1;

export interface Sys {
  readonly pid: number;

  // --- process identity and environment (libc-level: no kernel entry, no trace)
  getpid(): number;
  getppid(): number;
  getuid(): number;
  getgid(): number;
  getenv(name: string): string | undefined;
  setenv(name: string, value: string): void;
  unsetenv(name: string): void;
  environ(): Record<string, string>;
  /** The image this process was forked with (SpawnOptions.forkImage), or null. */
  forkImage(): string | null;
  /**
   * A point where the program may be preempted, as a timer interrupt would preempt it anywhere:
   * code that computes without system calls (a loop of builtins) calls it at each step, so the
   * machine keeps running, signals arrive and a busy machine's time moves. No kernel entry.
   */
  preemptible(): Promise<void>;

  // --- files
  open(path: string, flags: number, mode?: number): Promise<number>;
  close(fd: number): Promise<number>;
  read(fd: number, count: number): Promise<Uint8Array>;
  write(fd: number, data: Uint8Array | string): Promise<number>;
  lseek(fd: number, offset: number, whence: number): Promise<number>;
  /** `request` by number, or by its name ('TUNSETIFF', 'SIOCGIFFLAGS'): EINVAL for a name of none. */
  ioctl(fd: number, request: number | string, arg?: unknown): Promise<number>;
  fcntl(fd: number, cmd: number, arg?: number): Promise<number>;
  poll(fds: PollFd[], timeoutMs: number): Promise<number>;
  dup(fd: number): Promise<number>;
  dup2(oldfd: number, newfd: number): Promise<number>;
  pipe(): Promise<[number, number]>;
  stat(path: string): Promise<Stat>;
  lstat(path: string): Promise<Stat>;
  fstat(fd: number): Promise<Stat>;
  readdir(path: string): Promise<Dirent[]>;
  mkdir(path: string, mode?: number): Promise<number>;
  rmdir(path: string): Promise<number>;
  unlink(path: string): Promise<number>;
  rename(from: string, to: string): Promise<number>;
  symlink(target: string, path: string): Promise<number>;
  readlink(path: string): Promise<string>;
  chmod(path: string, mode: number): Promise<number>;
  /**
   * Set the file mode creation mask (its 0777 bits) and return the old one. open(O_CREAT), mkdir
   * and an AF_UNIX bind create with their mode less the mask; children inherit it, execve keeps it.
   */
  umask(mask: number): Promise<number>;
  chdir(path: string): Promise<number>;
  getcwd(): Promise<string>;

  // --- processes and signals
  spawn(path: string, argv: string[], opts?: SpawnOptions): Promise<number>;
  /** Become another program (same pid and fds); returns only on failure. */
  execve(path: string, argv: string[], env?: Record<string, string>): Promise<never>;
  waitpid(pid: number, options?: number): Promise<WaitResult>;
  /** Never returns: the process ends with this status. */
  exit(status: number): Promise<never>;
  kill(pid: number, signo: number): Promise<number>;
  sigaction(signo: number, handler: SignalHandler): Promise<SignalHandler>;
  setpgid(pid: number, pgid: number): Promise<number>;
  /**
   * Credentials, with Linux's rules: root (uid 0) may set any uid, gid or supplementary groups;
   * anyone else only the ids it already has (EPERM), and no groups at all. Ids past 32 bits, or
   * (uid_t)-1, are EINVAL; more than NGROUPS_MAX groups too.
   */
  setuid(uid: number): Promise<number>;
  setgid(gid: number): Promise<number>;
  setgroups(groups: number[]): Promise<number>;
  /** The supplementary groups (getgroups(2): the effective gid is not added). */
  getgroups(): Promise<number[]>;
  getpgid(pid: number): Promise<number>;
  /** Make `pgid` the foreground process group of the terminal on `fd` (it gets ^C). */
  tcsetpgrp(fd: number, pgid: number): Promise<number>;
  tcgetpgrp(fd: number): Promise<number>;
  /** The process table of this host, for `ps`. */
  getprocs(): Promise<ProcessInfo[]>;

  // --- time
  clock_gettime(clock: number): Promise<number>;
  nanosleep(ns: number): Promise<number>;
  /**
   * Let every other runnable task (and the world outside: the terminal, real sockets) run first.
   * Emulated processes are cooperative: one that computes without ever making a system call would
   * hold the machine, so long-running loops call this at each turn.
   */
  sched_yield(): Promise<number>;

  // --- sockets
  socket(domain: number, type: number, protocol: number): Promise<number>;
  /** Give a socket its address: an IPv4 address and port, or (AF_UNIX) a path, made a socket file. */
  bind(fd: number, addr: SockaddrBind): Promise<number>;
  /** Connect (TCP: the handshake; a non-blocking socket fails with EINPROGRESS and finishes later). */
  connect(fd: number, addr: SockaddrBind): Promise<number>;
  /** Accept connections on a stream socket, at most `backlog` waiting (net.core.somaxconn caps it). */
  listen(fd: number, backlog: number): Promise<number>;
  /** The next connection of a listener: its new fd and its peer. */
  accept(fd: number): Promise<AcceptResult>;
  /** As accept, with SOCK_NONBLOCK / SOCK_CLOEXEC for the new fd. */
  accept4(fd: number, flags: number): Promise<AcceptResult>;
  sendto(fd: number, data: Uint8Array, flags?: number, addr?: SockaddrIn | null): Promise<number>;
  recvfrom(fd: number, count: number, flags?: number): Promise<RecvResult>;
  /** Send the buffers of msg_iov as one (MSG_MORE, MSG_EOR, MSG_NOSIGNAL ... in flags). */
  sendmsg(fd: number, msg: MsgHdr, flags?: number): Promise<number>;
  /** Receive into buffers of these lengths; the control messages come back too (TCP_CM_INQ). */
  recvmsg(fd: number, iovLens: number[], flags?: number): Promise<RecvMsgResult>;
  /** Shut down reading (SHUT_RD), writing (SHUT_WR: TCP sends its FIN) or both. */
  shutdown(fd: number, how: number): Promise<number>;
  getsockname(fd: number): Promise<Sockaddr>;
  getpeername(fd: number): Promise<Sockaddr>;
  setsockopt(fd: number, level: number, name: number, value: SockoptValue): Promise<number>;
  /** An option's value, of the option's type (an int, a name, struct linger, struct tcp_info). */
  getsockopt(fd: number, level: number, name: number): Promise<SockoptValue>;

  // --- event polling (Linux's epoll)
  epoll_create(size: number): Promise<number>;
  epoll_create1(flags: number): Promise<number>;
  /** Add, change or remove (EPOLL_CTL_*) the events watched on fd. */
  epoll_ctl(epfd: number, op: number, fd: number, event?: EpollEvent | null): Promise<number>;
  /** Wait for events (level-triggered, or edge-triggered with EPOLLET): at most maxevents. */
  epoll_wait(epfd: number, maxevents: number, timeoutMs: number): Promise<EpollEvent[]>;

  // --- threads
  /**
   * Run `entry` as another thread of this process (Haiku's spawn_thread): it shares the fds and
   * makes its own blocking calls through the Sys it is given. Returns the thread's id.
   */
  spawn_thread(entry: (sys: Sys) => Promise<unknown>): Promise<number>;

  // --- the machine
  uname(): Promise<Utsname>;
  /** The kernel log (dmesg): its lines, oldest first. */
  syslog(): Promise<string[]>;
  /** Names of the other hosts of the world (for `hosts` and `on`). */
  hosts(): Promise<string[]>;
  /** Every host and its interfaces that are up, with their segments and bridges (`topology`). */
  topology(): Promise<WorldTopology>;

  // --- packet journeys (kernel/abi/journey.ts)
  /** Start recording every packet event of the world (root only); an fd, the recording while open. */
  journey_open(opts?: JourneyOpenOptions): Promise<number>;
  /** Take up to `max` recorded events, oldest first (never blocks: poll the fd to wait). */
  journey_read(fd: number, max: number): Promise<JourneyBatch>;
  /**
   * The datagram this program received last and has not passed on was dropped, for this reason:
   * its journey ends there. 1 when one was pending (and someone records), else 0.
   */
  journey_drop(reason: ProgramDropReason): Promise<number>;
}
