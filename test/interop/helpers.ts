// Shared by the live interop tests: real processes (the built tunlab command, a real OpenVPN 2.6, Linux
// ping), each bounded by `timeout` and killed in afterAll; their output polled until a line appears;
// free loopback ports; scratch directories shared into tunlab with --share (mounted at /host); and a
// UDP relay in the test process that flips one bit of one datagram in N.
//
// Everything binds 127.0.0.1 only. The tunlab side's shell scripts end by themselves when the test
// creates a file in the shared directory (`waitFile`), so a clean exit can be asserted.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../../bin/paths.js';
import { afterAll, beforeAll } from 'vitest';
import { TUNLAB_COMMAND } from '../helpers/command.js';

/** The default world's /etc/openvpn/static.key, as a real file. */
export const KEY_FILE = path.join(PACKAGE_ROOT, 'fixtures', 'worlds', 'keys', 'static.key');
export const EMULATED_KEY = '/etc/openvpn/static.key';
export const CRYPTO = ['--cipher', 'AES-256-CBC', '--auth', 'SHA256'];
export const HMAC_FAILED = 'Authenticate/Decrypt packet error: packet HMAC authentication failed';
/** How long a line may take to appear (a loaded 2-core CI machine included). */
export const DEADLINE_MS = 20_000;
/** The bound on every child process, in seconds: far above any test, far below forever. */
const CHILD_SECONDS = 90;

/** A child process and everything it printed (stdout and stderr, interleaved as they came). */
export class Child {
  private text = '';
  status: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    const add = (d: Buffer) => void (this.text += d.toString('utf8'));
    proc.stdout!.on('data', add);
    proc.stderr!.on('data', add);
    this.exited = new Promise((resolve) => {
      proc.on('close', (code, signal) => {
        this.status = { code, signal };
        resolve();
      });
      proc.on('error', (e) => {
        this.text += `\n[spawn error: ${e.message}]\n`;
        this.status ??= { code: null, signal: null };
        resolve();
      });
    });
  }

  get output(): string {
    return this.text;
  }

  /** The lines that contain `pattern` (a string) or match it (a RegExp). */
  lines(pattern: string | RegExp): string[] {
    return this.text.split('\n').filter((l) => (typeof pattern === 'string' ? l.includes(pattern) : pattern.test(l)));
  }

  count(pattern: string | RegExp): number {
    return this.lines(pattern).length;
  }

  /** Wait for a line; fails early (with the output) if the process ends without printing it. */
  async waitFor(pattern: string | RegExp, n = 1, ms = DEADLINE_MS): Promise<void> {
    await until(() => {
      if (this.count(pattern) >= n) return true;
      if (this.status) throw new Error(`${this.name} exited (${JSON.stringify(this.status)}) before printing ${n}× ${pattern}:\n${tail(this.text)}`);
      return false;
    }, `${n}× ${pattern} from ${this.name}`, ms);
  }

  /** Wait for the process to end by itself; its exit code. */
  async exit(ms = DEADLINE_MS): Promise<number | null> {
    await until(() => this.status !== null, `${this.name} to exit`, ms);
    return this.status!.code;
  }

  /** SIGTERM (timeout passes it on to the command and its group), then SIGKILL to the group. */
  async kill(): Promise<void> {
    if (this.status || this.proc.pid === undefined) return;
    signalGroup(this.proc.pid, 'SIGTERM');
    const gone = await Promise.race([this.exited.then(() => true), sleep(5000).then(() => false)]);
    if (!gone) signalGroup(this.proc.pid, 'SIGKILL');
    await Promise.race([this.exited, sleep(2000)]);
  }
}

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  // `timeout` makes its own process group, so the group is the command and whatever it started.
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, sig);
    } catch {
      // already gone
    }
  }
}

const children = new Set<Child>();

/** Start `argv` under `timeout` (and inside network namespace `netns` if given); `seconds` for a test that runs longer than most. */
export function launch(name: string, argv: string[], opts: { netns?: string; seconds?: number } = {}): Child {
  const inNs = opts.netns ? ['ip', 'netns', 'exec', opts.netns] : [];
  const proc = spawn('timeout', ['-k', '3', String(opts.seconds ?? CHILD_SECONDS), ...inNs, ...argv], {
    cwd: PACKAGE_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  const c = new Child(name, proc);
  children.add(c);
  return c;
}

/** For afterEach/afterAll: children stopped, relays closed, scratch directories removed. */
export async function cleanup(): Promise<void> {
  await Promise.all([...children].map((c) => c.kill()));
  children.clear();
  for (const r of relays) r.close();
  relays.clear();
  for (const s of scratches) s.remove();
  scratches.clear();
}

/** Everything every child printed, for a failure message. */
function allOutput(): string {
  return [...children].map((c) => `----- ${c.name} ${JSON.stringify(c.status)}\n${tail(c.output)}`).join('\n');
}

function tail(s: string, n = 6000): string {
  return s.length > n ? `[...]${s.slice(-n)}` : s;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Poll `cond` every 50 ms until it holds; after `ms`, fail with every child's output. */
export async function until(cond: () => boolean, what: string | (() => string), ms = DEADLINE_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}\n${allOutput()}`);
    await sleep(50);
  }
}

/** `n` distinct UDP ports free on 127.0.0.1 (bound together, then released). */
export async function freeUdpPorts(n: number): Promise<number[]> {
  const socks = await Promise.all(Array.from({ length: n }, () => bindUdp(0)));
  const ports = socks.map((s) => s.address().port);
  await Promise.all(socks.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

function bindUdp(port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(port, '127.0.0.1', () => {
      s.off('error', reject);
      resolve(s);
    });
  });
}

const scratches = new Set<Scratch>();

/** A scratch directory, shared into tunlab with --share (it is /host there); cleanup() removes it. */
export class Scratch {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-interop-'));

  constructor() {
    scratches.add(this);
  }

  path(name: string): string {
    return path.join(this.dir, name);
  }

  touch(name: string): void {
    fs.writeFileSync(this.path(name), '');
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The emulated shell's wait for the test to create /host/NAME. */
export const waitFile = (name: string) => `while [ ! -e /host/${name} ]; do sleep 0.1; done`;

/** tunlab in real time on haiku, real datagrams (or TCP connections) to 127.0.0.1:forward reaching haiku:1194. */
export function tunlabArgv(o: { script: string; forward: number; share?: string; proto?: 'udp' | 'tcp' }): string[] {
  const share = o.share ? ['--share', o.share] : [];
  return [process.execPath, TUNLAB_COMMAND, '--clock', 'real', '--no-color', '--host', 'haiku', '--forward', `${o.proto ?? 'udp'}:${o.forward}:haiku:1194`, ...share, '-c', o.script];
}

/**
 * The emulated openvpn on haiku:1194. Its peer is 10.0.2.2:rport, which is the real 127.0.0.1:rport;
 * without rport it has no --remote and learns its peer from the first authenticated datagram.
 */
export function emulatedOpenvpn(o: { rport?: number; dir: '0' | '1'; key?: string; verb?: number; tun?: [string, string] }): string {
  const dev = o.tun ? `--dev tun --ifconfig ${o.tun[0]} ${o.tun[1]}` : '--dev null';
  const remote = o.rport === undefined ? '' : ` --remote 10.0.2.2 --rport ${o.rport}`;
  return `openvpn ${dev}${remote} --lport 1194 --secret ${o.key ?? EMULATED_KEY} ${o.dir} ${CRYPTO.join(' ')} --ping 1 --verb ${o.verb ?? 4}`;
}

/** A tunlab script: run the emulated openvpn until the test creates /host/stop, then end it. */
export const untilStopped = (openvpnCommand: string) => `${openvpnCommand} & ${waitFile('stop')}; kill %1; wait`;

/** A real OpenVPN 2.6 on 127.0.0.1:lport whose peer is 127.0.0.1:rport. */
export function realOpenvpn(o: { lport: number; rport: number; dir: '0' | '1'; key?: string; verb?: number; tun?: [string, string] }): string[] {
  const dev = o.tun ? ['--dev', 'tun0', '--ifconfig', o.tun[0], o.tun[1]] : ['--dev', 'null'];
  return [
    'openvpn', ...dev, '--proto', 'udp', '--local', '127.0.0.1', '--lport', String(o.lport), '--remote', '127.0.0.1', '--rport', String(o.rport),
    '--secret', o.key ?? KEY_FILE, o.dir, ...CRYPTO, '--ping', '1', '--verb', String(o.verb ?? 4),
  ];
}

/** An echo reply line of Linux ping or tunlab's: "64 bytes from 10.8.0.2: icmp_seq=1 ttl=64 time=...". */
export const replyFrom = (bytes: number, addr: string) => new RegExp(`^${bytes} bytes from ${addr.replace(/\./g, '\\.')}: icmp_seq=\\d+ ttl=64 `);

/** A command run to its end (bounded by timeout); status and output. */
export function runTool(argv: string[], seconds = 20): { status: number | null; out: string } {
  const r = spawnSync('timeout', ['-k', '2', String(seconds), ...argv], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

interface Direction {
  intact: number;
  flipped: number;
}

const relays = new Set<FlipRelay>();

/**
 * A UDP relay between two peers that must each see one fixed peer address (both run --remote):
 * `sideA` is where peer A sends (its --rport), `sideB` where peer B sends. Datagrams are passed on
 * to the other peer's port; one in `every` (per direction) has one bit flipped on the way. It
 * drops everything until pass(), so the test can wait until both peers listen: a datagram relayed
 * before a peer's socket is bound would be counted but never reach it.
 */
export class FlipRelay {
  readonly toA: Direction = { intact: 0, flipped: 0 };
  readonly toB: Direction = { intact: 0, flipped: 0 };
  private passing = false;

  private constructor(
    private readonly sideA: dgram.Socket,
    private readonly sideB: dgram.Socket,
    aPort: number,
    bPort: number,
    every: number,
  ) {
    const relay = (from: dgram.Socket, out: dgram.Socket, port: number, d: Direction) =>
      from.on('message', (msg) => {
        if (!this.passing) return;
        const n = d.intact + d.flipped;
        if (n % every === every - 1) {
          // A different byte and bit each time: the HMAC, the IV and the ciphertext all get hit.
          msg[(n * 37) % msg.length] ^= 1 << (n % 8);
          d.flipped++;
        } else d.intact++;
        out.send(msg, port, '127.0.0.1');
      });
    relay(sideA, sideB, bPort, this.toB);
    relay(sideB, sideA, aPort, this.toA);
    relays.add(this);
  }

  static async open(aPort: number, bPort: number, every: number): Promise<FlipRelay> {
    return new FlipRelay(await bindUdp(0), await bindUdp(0), aPort, bPort, every);
  }

  /** The port peer A must use as its --rport (and B likewise). */
  get portForA(): number {
    return this.sideA.address().port;
  }

  get portForB(): number {
    return this.sideB.address().port;
  }

  pass(): void {
    this.passing = true;
  }

  /** Pass nothing more (the sockets stay open, so no ICMP errors reach the peers). */
  hold(): void {
    this.passing = false;
  }

  close(): void {
    relays.delete(this);
    this.sideA.close();
    this.sideB.close();
  }
}

/**
 * Under TUNLAB_REQUIRE_INTEROP=1 (.ci/run sets it) an interop test never skips: a missing tool or
 * privilege is a failure, so CI cannot pass without the real peers having run.
 */
export const INTEROP_REQUIRED = process.env.TUNLAB_REQUIRE_INTEROP === '1';

/** Why the real tools are not all here (naming the Debian package), or null when they are. */
export function missingTools(...tools: Array<{ command: string; pkg: string }>): string | null {
  for (const t of tools) {
    const found = spawnSync('sh', ['-c', `command -v ${t.command}`], { stdio: ['ignore', 'pipe', 'ignore'] });
    if (found.status !== 0) return `${t.command} is not installed (apt install ${t.pkg})`;
  }
  return null;
}

export const OPENVPN = { command: 'openvpn', pkg: 'openvpn' };
export const TSHARK = { command: 'tshark', pkg: 'tshark' };

/**
 * Skip the test saying why, when `reason` says it cannot run here; under TUNLAB_REQUIRE_INTEROP=1
 * fail instead. For a beforeEach or the start of a test.
 */
export function skipUnlessAble(ctx: { skip(note?: string): void }, reason: string | null, what: string): void {
  if (reason === null) return;
  if (INTEROP_REQUIRED) throw new Error(`${what} cannot run: ${reason}; TUNLAB_REQUIRE_INTEROP=1 says it must`);
  console.warn(`${what} skipped: ${reason}`);
  ctx.skip(reason);
}

/**
 * Create network namespace `ns` with its loopback up. Returns why it cannot be (not root, no
 * `ip netns`): the tests that need it skip saying so; null once it exists.
 */
export function makeNetns(ns: string): string | null {
  const uid = process.getuid?.();
  if (uid !== 0) return `needs root to create a network namespace (id -u is ${uid ?? 'unknown'})`;
  const add = runTool(['ip', 'netns', 'add', ns]);
  if (add.status !== 0) return `\`ip netns add ${ns}\` failed: ${add.out.trim()}`;
  const lo = runTool(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  if (lo.status !== 0) throw new Error(`ip -n ${ns} link set lo up: ${lo.out}`);
  return null;
}

/**
 * A network namespace for the tests of one file: made in beforeAll once `tools` are there (then
 * `setup` runs on it: veths, addresses), deleted in afterAll after every child has been stopped.
 * `why()` says why it could not be made (for skipUnlessAble), or null.
 */
export function fileNetns(prefix: string, tools: Array<{ command: string; pkg: string }> = [], setup?: (ns: string) => void): { name: string; why: () => string | null } {
  const name = `${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`;
  let reason: string | null = 'not made yet';
  beforeAll(() => {
    reason = missingTools(...tools) ?? makeNetns(name);
    if (reason === null) setup?.(name);
  });
  afterAll(async () => {
    await cleanup();
    if (reason !== null) return;
    const del = runTool(['ip', 'netns', 'del', name]);
    if (del.status !== 0) throw new Error(`ip netns del ${name}: ${del.out}`);
  });
  return { name, why: () => reason };
}
