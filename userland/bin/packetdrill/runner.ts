// One script run (run.c): the init command, each event at its time, then the cleanup command, the
// collected %{ }% code, and a RST into every connection the script leaves open. Times are checked
// as packetdrill checks them: within --tolerance_usecs or --tolerance_percent of the time since the
// previous event. A system call with an end time (`...0.200`) runs in a thread of its own so the
// script goes on while it blocks.

import { type ErrnoName, isSysError } from '../../../kernel/abi/errno.js';
import { POLLIN } from '../../../kernel/abi/poll.js';
import { SIGINT, SIGPIPE, SIGQUIT } from '../../../kernel/abi/signal.js';
import { AF_INET, AF_UNSPEC, sockaddrIn, type SockaddrIn } from '../../../kernel/abi/socket.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { SOL_TCP, TCP_INFO } from '../../../kernel/abi/tcp.js';
import { WEXITSTATUS, WIFSIGNALED, WTERMSIG } from '../../../kernel/abi/wait.js';
import { formatIpv4 } from '../../../kernel/abi/wire/address.js';
import { eprint, print } from '../../lib/io.js';
import { type Event, NO_TIME, type Script } from './ast.js';
import type { Addresses, Config } from './config.js';
import { evaluate, ScriptError } from './expr.js';
import { Die, ephemeralPort, type Netdev, nowUsecs } from './netdev.js';
import { PacketError, type PacketHost, PacketRunner } from './run-packet.js';
import { PyError, PyInterpreter } from './python.js';
import { type FdState, side, type Sock, type Timing } from './state.js';
import { CODE_SYMBOLS } from './symbols.js';
import { checkResult, FD_RESULT, type Outcome, SYSCALLS, type SyscallHost } from './syscalls.js';

const secs = (usecs: number) => (usecs / 1e6).toFixed(6);
const signedSecs = (usecs: number) => `${usecs < 0 ? '-' : '+'}${secs(Math.abs(usecs))}`;

/** A pipe one thread writes a byte into and another waits on: how the runner's threads meet. */
class Doorbell {
  private constructor(
    private readonly r: number,
    private readonly w: number,
  ) {}
  static async create(sys: Sys): Promise<Doorbell> {
    const [r, w] = await sys.pipe();
    return new Doorbell(r, w);
  }
  async ring(sys: Sys): Promise<void> {
    await sys.write(this.w, 'x');
  }
  /** Wait for a ring (at most `ms`, -1 for ever); false on timeout. */
  async wait(sys: Sys, ms: number): Promise<boolean> {
    const fds = [{ fd: this.r, events: POLLIN, revents: 0 }];
    if ((await sys.poll(fds, ms)) === 0) return false;
    await sys.read(this.r, 4096);
    return true;
  }
}

type CodeFragment = { info: Record<string, number> } | { line: number; text: string };

export class Runner implements PacketHost, SyscallHost {
  sut: Sock | null = null;
  readonly domain = AF_INET;
  readonly localIp: number;
  readonly remoteIp: number;
  private readonly fds: FdState[] = [];
  private readonly timing: Timing = { liveStartUsecs: 0, scriptStartUsecs: 0, lastEvent: null, scriptLastUsecs: 0, numEvents: 0 };
  private thread: { state: 'idle' | 'enqueued' | 'running'; event: Event | null } = { state: 'idle', event: null };
  private bell!: Doorbell;
  private readonly code: CodeFragment[] = [];
  private readonly errnoMain: { name: ErrnoName | null } = { name: null };
  private readonly errnoThread: { name: ErrnoName | null } = { name: null };
  private initDone = false;
  private cachedPort: number | null = null;
  private readonly packets: PacketRunner;

  constructor(
    private readonly sys: Sys,
    readonly cfg: Config,
    addrs: Addresses,
    private readonly script: Script,
    dev: Netdev,
  ) {
    this.localIp = addrs.localIp;
    this.remoteIp = addrs.remoteIp;
    this.packets = new PacketRunner(this, dev);
  }

  /** run_script. Returns the exit status; failures are Die, whose message is for stderr. */
  async run(): Promise<number> {
    const sys = this.sys;
    const path = this.cfg.scriptPath;
    this.bell = await Doorbell.create(sys);
    this.cachedPort = await ephemeralPort(sys);
    if (this.script.init !== null) {
      const err = await this.system(sys, this.script.init);
      if (err !== null) {
        await eprint(sys, `${path}: error executing init command: ${err}\n`);
        return 1;
      }
      this.initDone = true;
    }
    // A write to a closed connection is an EPIPE the script checks, not a death.
    await sys.sigaction(SIGPIPE, 'SIG_IGN');
    try {
      this.timing.liveStartUsecs = await this.now();
      const events = this.script.events;
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        if (i === 0) {
          this.timing.scriptStartUsecs = e.usecs;
          if (e.usecs !== 0) throw new Die(`${path}:${e.line}: first event should be at time 0\n`);
        } else {
          const prev = events[i - 1]!;
          this.timing.scriptLastUsecs = prev.usecs;
          this.timing.lastEvent = prev;
          if (absolute(prev) && absolute(e) && e.usecs < prev.usecs) {
            throw new Die(`${path}:${e.line}: time goes backward in script from ${prev.usecs} usec to ${e.usecs} usec\n`);
          }
        }
        await this.adjustRelative(e);
        await this.dispatch(e);
        this.timing.numEvents++;
      }
      if ((await this.runCleanup(sys)) !== null) return 1;
      await this.executeCode();
      if (!(await this.awaitIdle(sys))) {
        throw new Die(`${path}:${this.thread.event?.line ?? 0}: runtime error: exiting while a blocking system call is in progress\n`);
      }
      await this.closeAll();
      return 0;
    } catch (e) {
      if (!(e instanceof Die)) throw e;
      await eprint(sys, e.message);
      await this.runCleanup(sys);
      return 1;
    }
  }

  private async dispatch(e: Event): Promise<void> {
    const path = this.cfg.scriptPath;
    switch (e.type) {
      case 'packet':
        try {
          await this.packets.run(e);
        } catch (err) {
          if (!(err instanceof PacketError || err instanceof ScriptError)) throw err;
          const warn = err instanceof PacketError && err.nonFatal && this.cfg.nonFatal.packet;
          const msg = `${path}:${e.line}: ${warn ? 'warning' : 'error'} handling packet: ${err.message}\n`;
          if (!warn) throw new Die(msg);
          await eprint(this.sys, msg);
        }
        return;
      case 'syscall':
        return this.syscallEvent(e);
      case 'command': {
        await this.waitForEvent(e);
        const err = await this.system(this.sys, e.command!);
        if (err !== null) throw new Die(`${path}:${e.line}: error executing \`${e.command}\` command: ${err}\n`);
        return;
      }
      case 'code':
        return this.codeEvent(e);
    }
  }

  // ------------------------------------------------------------------ time

  now(): Promise<number> {
    return nowUsecs(this.sys);
  }

  scriptTime(liveUsecs: number): number {
    return liveUsecs - this.timing.liveStartUsecs + this.timing.scriptStartUsecs;
  }

  lastEventUsecs(): number {
    return this.timing.lastEvent ? this.timing.lastEvent.usecs : NO_TIME;
  }

  scriptLastUsecs(): number {
    return this.timing.scriptLastUsecs;
  }

  private async adjustRelative(e: Event): Promise<void> {
    if (e.timeType !== 'any' && e.timeType !== 'relative' && e.timeType !== 'relative-range') return;
    const last = this.timing.lastEvent;
    const offset = last && anchored(last) && anchored(e) ? last.usecs : (await this.now()) - this.timing.liveStartUsecs;
    e.offsetUsecs = offset;
    e.usecs += offset;
    if (e.timeType === 'relative-range') e.endUsecs += offset;
    if (e.timeType === 'relative' && e.type === 'syscall' && e.syscall!.endUsecs !== NO_TIME) e.syscall!.endUsecs += offset;
  }

  /** verify_time against the event's time (or its end time, for a blocking call's return). */
  verifyTime(e: Event, liveUsecs: number, description: string, scriptUsecs = e.usecs, scriptEnd = e.endUsecs, last = this.lastEventUsecs()): string | null {
    const start = this.timing.scriptStartUsecs;
    const expected = scriptUsecs - start;
    const expectedEnd = scriptEnd - start;
    const actual = liveUsecs - this.timing.liveStartUsecs;
    if (e.timeType === 'any') return null;
    let tol = this.cfg.toleranceUsecs;
    if (last !== NO_TIME) tol = Math.max(tol, Math.trunc((this.cfg.tolerancePercent / 100) * (scriptUsecs - last)));
    if (e.timeType === 'absolute-range' || e.timeType === 'relative-range') {
      if (actual >= expected - tol && actual <= expectedEnd + tol) return null;
      if (e.timeType === 'absolute-range') {
        return `timing error: expected ${description} in time range ${secs(scriptUsecs)}~${secs(scriptEnd)} sec but happened at ${secs(actual)} sec`;
      }
      const off = e.offsetUsecs;
      return `timing error: expected ${description} in relative time range +${secs(scriptUsecs - off)}~+${secs(scriptEnd - off)} sec but happened at ${signedSecs(actual - off)} sec`;
    }
    if (actual >= expected - tol && actual <= expected + tol) return null;
    return `timing error: expected ${description} at ${secs(scriptUsecs)} sec but happened at ${secs(actual)} sec; tolerance ${secs(tol)} sec`;
  }

  /** wait_for_event: sleep until the event's time, then check it happens then. */
  async waitForEvent(e: Event, sys = this.sys): Promise<void> {
    const target = this.timing.liveStartUsecs + (e.usecs - this.timing.scriptStartUsecs);
    const wait = target - (await nowUsecs(sys));
    if (wait > 0) await sys.nanosleep(wait * 1000);
    if (this.timing.numEvents === 0) return;
    const err = this.verifyTime(e, await nowUsecs(sys), description(e));
    if (err) throw new Die(`${this.cfg.scriptPath}:${e.line}: ${err}\n`);
  }

  // ------------------------------------------------------------------ system calls

  private async syscallEvent(e: Event): Promise<void> {
    const spec = e.syscall!;
    if (spec.endUsecs === NO_TIME) {
      await this.awaitIdle(this.sys);
      return this.invoke(this.sys, e, this.errnoMain);
    }
    if (!(await this.awaitIdle(this.sys))) {
      throw new Die(`${this.cfg.scriptPath}:${e.line}: runtime error in ${spec.name} call: blocking system call while another blocking system call is already in progress\n`);
    }
    this.thread = { state: 'enqueued', event: e };
    await this.sys.spawn_thread((tsys) => this.blockingThread(tsys, e));
    while (this.thread.state === 'enqueued') await this.bell.wait(this.sys, -1);
    // Wait for the call to block (or finish): every task runs before a yield returns.
    for (let i = 0; i < 3 && this.thread.state === 'running'; i++) await this.sys.sched_yield();
  }

  private async blockingThread(tsys: Sys, e: Event): Promise<void> {
    try {
      await this.invoke(tsys, e, this.errnoThread);
    } catch (err) {
      if (!(err instanceof Die)) throw err;
      await eprint(tsys, err.message);
      await this.runCleanup(tsys);
      await tsys.exit(1);
    }
    this.thread = { state: 'idle', event: null };
    await this.bell.ring(tsys);
  }

  /** await_idle_thread: at most a second for a blocking call in progress to return. */
  private async awaitIdle(sys: Sys): Promise<boolean> {
    const idle = () => this.thread.state === 'idle';
    if (idle()) return true;
    const deadline = (await nowUsecs(sys)) + 1_000_000;
    while (!idle()) {
      const left = Math.ceil((deadline - (await nowUsecs(sys))) / 1000);
      if (left <= 0 || !(await this.bell.wait(sys, left))) return idle();
    }
    return true;
  }

  /** invoke_system_call, and for a blocking call the check of its return time. */
  private async invoke(sys: Sys, e: Event, errno: { name: ErrnoName | null }): Promise<void> {
    const spec = e.syscall!;
    const path = this.cfg.scriptPath;
    const blocking = spec.endUsecs !== NO_TIME;
    await this.waitForEvent(e, sys);
    let liveEnd = -1;
    try {
      const impl = SYSCALLS.get(spec.name);
      if (!impl) throw new ScriptError(`Unknown system call: '${spec.name}'`);
      const args = spec.args.map(evaluate);
      const result = evaluate(spec.result);
      const evaluated = { ...spec, args, result };
      const run = async (call: () => Promise<number>): Promise<Outcome> => {
        if (blocking) {
          this.thread.state = 'running';
          await this.bell.ring(sys);
        }
        let out: Outcome;
        try {
          out = { ok: true, value: await call() };
        } catch (err) {
          if (!isSysError(err)) throw err;
          out = { ok: false, errno: err.errno };
        }
        liveEnd = await nowUsecs(sys);
        if (this.cfg.verbose) await print(sys, `${spec.name} syscall: ${secs(this.scriptTime(liveEnd))}\n`);
        checkResult(evaluated, FD_RESULT.has(spec.name) ? 'fd' : 'exact', out, errno);
        return out;
      };
      await impl(sys, this, args, run, evaluated);
    } catch (err) {
      if (err instanceof ScriptError) throw new Die(`${path}:${e.line}: runtime error in ${spec.name} call: ${err.message}\n`);
      throw err;
    }
    if (blocking && liveEnd >= 0) {
      const err = this.verifyTime(e, liveEnd, 'system call return', spec.endUsecs, 0, e.usecs);
      if (err) throw new Die(`${path}:${e.line}: ${err}\n`);
    }
  }

  toLive(scriptFd: number): number {
    const f = this.fds.find((x) => !x.closed && x.scriptFd === scriptFd);
    if (!f) throw new ScriptError(`unable to find fd with script fd ${scriptFd}`);
    return f.liveFd;
  }

  addFd(kind: FdState['kind'], scriptFd: number, liveFd: number, type = 0, protocol = 0): void {
    if (kind === 'socket' && scriptFd < 0) throw new ScriptError(`invalid socket fd ${scriptFd} in script`);
    if (this.fds.some((x) => !x.closed && x.scriptFd === scriptFd)) throw new ScriptError(`duplicate fd ${scriptFd} in script`);
    if (this.fds.some((x) => !x.closed && x.liveFd === liveFd)) throw new ScriptError(`duplicate live fd ${liveFd}`);
    if (kind !== 'socket') {
      this.fds.unshift({ kind, scriptFd, liveFd, closed: false, sock: null });
      return;
    }
    const s = this.newSock();
    s.state = 'new';
    s.type = type;
    s.protocol = protocol || 6;
    s.fd.scriptFd = scriptFd;
    s.fd.liveFd = liveFd;
    this.sut = s;
  }

  newSock(): Sock {
    const fd: FdState = { kind: 'socket', scriptFd: -1, liveFd: -1, closed: false, sock: null };
    const s: Sock = { state: 'init', type: 0, protocol: 6, fd, script: side(), live: side(), tsValMap: new Map(), firstTs: null, lastInjected: null, lastOutbound: null };
    fd.sock = s;
    this.fds.unshift(fd);
    return s;
  }

  private sockOf(scriptFd: number): Sock | null {
    return this.fds.find((x) => !x.closed && x.scriptFd === scriptFd)?.sock ?? null;
  }

  listening(scriptFd: number): void {
    const s = this.sockOf(scriptFd);
    if (!s) throw new ScriptError(`unable to find socket with script fd ${scriptFd}`);
    s.state = 'passive-listening';
  }

  accepted(scriptFd: number, liveFd: number): void {
    const f = this.fds.find((x) => x.sock && (x.sock.state === 'passive-synack-sent' || x.sock.state === 'passive-synack-acked'));
    if (!f) throw new ScriptError('unable to find socket matching accept() call');
    f.scriptFd = scriptFd;
    f.liveFd = liveFd;
  }

  closed(scriptFd: number, liveFd: number): void {
    const f = this.fds.find((x) => !x.closed && x.scriptFd === scriptFd);
    if (!f || f.liveFd !== liveFd) throw new ScriptError(`unable to find fd with script fd ${scriptFd} and live fd ${liveFd}`);
    f.closed = true;
  }

  connecting(scriptFd: number, unspec: boolean): SockaddrIn {
    const addr = sockaddrIn(formatIpv4(this.remoteIp), this.cfg.connectPort);
    const s = this.sockOf(scriptFd);
    if (!s) return addr;
    if (unspec) {
      s.state = 'new';
      return { ...addr, sin_family: AF_UNSPEC as typeof AF_INET };
    }
    if (s.state !== 'new') return addr;
    s.state = 'active-connecting';
    s.script = side();
    s.live.remote = { ip: this.remoteIp, port: this.cfg.connectPort };
    return addr;
  }

  bindAddress(): SockaddrIn {
    return sockaddrIn(formatIpv4(this.localIp), this.cfg.bindPort);
  }

  nullBuffer(): never {
    throw new ScriptError('a NULL buffer cannot be passed: tunlab system calls take arrays, not addresses');
  }

  async nextEphemeralPort(): Promise<number> {
    if (this.cachedPort !== null) {
      const p = this.cachedPort;
      this.cachedPort = null;
      return p;
    }
    return ephemeralPort(this.sys);
  }

  // ------------------------------------------------------------------ commands and code

  /** safe_system: `sh -c COMMAND`; an error message, or null when it exited 0. */
  private async system(sys: Sys, command: string): Promise<string | null> {
    let pid: number;
    try {
      pid = await sys.spawn('/bin/sh', ['sh', '-c', command], { env: { ...sys.environ(), PACKETDRILL_PID: String(sys.pid) } });
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    const { status } = await sys.waitpid(pid);
    if (WIFSIGNALED(status) && (WTERMSIG(status) === SIGINT || WTERMSIG(status) === SIGQUIT)) {
      return `got signal ${WTERMSIG(status)} (${WTERMSIG(status) === SIGINT ? 'Interrupt' : 'Quit'})`;
    }
    if (WEXITSTATUS(status) !== 0) return `non-zero status ${WEXITSTATUS(status)}`;
    return null;
  }

  /** run_cleanup_command: the script's last command, whenever its init command ran. */
  private async runCleanup(sys: Sys): Promise<string | null> {
    const cmd = this.script.cleanup;
    if (cmd === null || !this.initDone) return null;
    this.initDone = false;
    const err = await this.system(sys, cmd);
    if (err !== null) await eprint(sys, `${this.cfg.scriptPath}: error executing cleanup command: ${err}\n`);
    return err;
  }

  private async codeEvent(e: Event): Promise<void> {
    await this.waitForEvent(e);
    const fail = (m: string) => new Die(`${this.cfg.scriptPath}:${e.line}: runtime error in code: ${m}\n`);
    if (!this.sut) throw fail('no socket to use for code');
    let info: unknown;
    try {
      info = await this.sys.getsockopt(this.sut.fd.liveFd, SOL_TCP, TCP_INFO);
    } catch {
      throw fail("can't find getsockopt to get TCP info");
    }
    this.code.push({ info: info as Record<string, number> });
    this.code.push({ line: e.line, text: e.code! });
  }

  /** code_execute: every snippet in order, each seeing the tcp_info taken when its line ran. */
  private async executeCode(): Promise<void> {
    if (this.code.length === 0) return;
    let out = '';
    const py = new PyInterpreter((s) => (out += s));
    for (const f of this.code) {
      if ('info' in f) {
        for (const [k, v] of CODE_SYMBOLS) py.globals.set(k, BigInt(v));
        for (const [k, v] of Object.entries(f.info)) py.globals.set(k, BigInt(Math.trunc(v)));
        continue;
      }
      try {
        py.run(f.text);
      } catch (e) {
        if (!(e instanceof PyError)) throw e;
        if (out) await print(this.sys, out);
        const line = f.line + Math.max(0, e.line - 1);
        await eprint(
          this.sys,
          `${this.cfg.scriptPath}:${f.line}: error in Python code\nTraceback (most recent call last):\n  File "${this.cfg.scriptPath}", line ${line}, in <module>\n${e.type}${e.message ? `: ${e.message}` : ''}\n`,
        );
        throw new Die(`${this.cfg.scriptPath}: error executing code: '${this.cfg.codeCommand}' returned non-zero status 1\n`);
      }
    }
    if (out) await print(this.sys, out);
  }

  /** close_all_fds: close what the script left open and reset its connections. */
  private async closeAll(): Promise<void> {
    for (const f of this.fds) {
      if (f.liveFd >= 0 && !f.closed) {
        try {
          await this.sys.close(f.liveFd);
        } catch (e) {
          throw new Die(`close: ${e instanceof Error ? e.message : String(e)}\n`);
        }
      }
      const s = f.sock;
      if (s && s.protocol === 6 && s.live.local.port !== 0 && s.live.remote.port !== 0) await this.packets.reset(s);
    }
  }

  print(s: string): Promise<void> {
    return print(this.sys, s);
  }
}

function absolute(e: Event): boolean {
  return e.timeType === 'absolute' || e.timeType === 'absolute-range';
}

/** Consecutive relative inbound packets are timed from each other, not from now. */
function anchored(e: Event): boolean {
  return e.type === 'packet' && e.packet!.direction === 'inbound';
}

function description(e: Event): string {
  switch (e.type) {
    case 'packet':
      return e.packet!.direction === 'inbound' ? 'inbound packet' : 'outbound packet';
    case 'syscall':
      return 'system call start';
    case 'command':
      return 'command';
    case 'code':
      return 'data collection for code';
  }
}
