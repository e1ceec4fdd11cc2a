// The replay side of the differential TUN suite: a fixture recorded on Linux (test/difftun/record.py)
// becomes one tunlab shell script of `syscall`, `su` and `ifconfig` lines, run in virtual time on a
// host of its own (a fresh namespace has nothing but lo; so has this host). Each step's output is
// parsed back into the fixture's terms and compared: the per-step diff names what differs.
// The translations that are by design live in mapping.ts.

import { IFF_NAMES } from '../../kernel/abi/if.js';
import { TUN_FLAG_NAMES } from '../../kernel/abi/ioctl.js';
import { World } from '../../kernel/world/world.js';
import { userlandPrograms } from '../../userland/bin/registry.js';
import { start } from '../helpers/world.js';
import { CLONE_DEVICE, errnoOfMessage, Names, shortFlags, suPrefix } from './mapping.js';

export interface Cred {
  uid: number;
  gid: number;
  groups: number[];
}

export interface Step {
  op: string;
  fd?: string;
  as?: Cred;
  result: Record<string, unknown>;
  [arg: string]: unknown;
}

export interface Fixture {
  name: string;
  description: string;
  kernel: string;
  items?: number[];
  steps: Step[];
}

const HOST = 'lab';
/** A replay that has not ended after this much virtual time is stuck (no step sleeps). */
const TIME_LIMIT_NS = 60e9;

// ---------------------------------------------------------------- fixture steps as tunlab commands

/** A word for the shell: double-quoted when it holds anything the shell would split or expand. */
function word(w: string): string {
  return w === '' ? '""' : /^[\w%./:,-]+$/.test(w) ? w : `"${w.replace(/["\\$`]/g, '\\$&')}"`;
}

const flagWords = (names: unknown) => (String(names ?? '') === '' ? '0' : String(names).replace(/\|/g, ','));

/** The bytes a sendto step sends: what record.py's sequences.payload(n) makes. */
const payloadHex = (n: number) => Array.from({ length: n }, (_, i) => (i & 0xff).toString(16).padStart(2, '0')).join('');

class Translator {
  readonly names = new Names();
  private readonly fds = new Map<string, number>();
  private readonly open = new Set([0, 1, 2]);

  fd(handle: unknown): number {
    const n = this.fds.get(String(handle));
    if (n === undefined) throw new Error(`step uses fd ${String(handle)} before it was opened`);
    return n;
  }

  /** The fd the next open gets: the lowest free one, as on Linux. */
  allocate(handle: string): number {
    let n = 0;
    while (this.open.has(n)) n++;
    this.open.add(n);
    this.fds.set(handle, n);
    return n;
  }

  release(handle: unknown): void {
    this.open.delete(this.fd(handle));
  }

  name(s: Step): string {
    return word(this.names.toTunlab(String(s['name'])));
  }

  command(s: Step): string {
    switch (s.op) {
      case 'open':
        return `syscall open ${CLONE_DEVICE} ${flagWords(s['flags'])}`;
      case 'socket':
        return 'syscall socket AF_INET SOCK_DGRAM';
      case 'close':
        return `syscall close ${this.fd(s.fd)}`;
      case 'read':
        return `syscall read ${this.fd(s.fd)} ${s['count']}`;
      case 'write':
        return `syscall write ${this.fd(s.fd)} ${s['data']}`.trimEnd();
      case 'poll':
        return `syscall poll ${this.fd(s.fd)} ${flagWords(s['events'])} 0`;
      case 'bind':
        return `syscall bind ${this.fd(s.fd)} ${s['addr']}:${s['port']}`;
      case 'sendto':
        return `syscall sendto ${this.fd(s.fd)} ${s['addr']}:${s['port']} ${payloadHex(Number(s['size']))}`.trimEnd();
      case 'ifconfig':
        return `ifconfig ${this.name(s)} ${(s['args'] as string[]).join(' ')}`;
      case 'ioctl':
        return this.ioctl(s);
    }
    throw new Error(`unknown op ${s.op}`);
  }

  private ioctl(s: Step): string {
    const req = String(s['req']);
    const head = `syscall ioctl ${this.fd(s.fd)} ${req}`;
    switch (req) {
      case 'TUNSETIFF':
        return `${head} ${word(this.names.toTunlab(String(s['name'])))} ${flagWords(s['flags'])}`;
      case 'TUNGETIFF':
      case 'TUNGETFEATURES':
        return head;
      case 'TUNSETPERSIST':
      case 'TUNSETOWNER':
      case 'TUNSETGROUP':
        return `${head} ${s['value']}`;
      case 'SIOCSIFFLAGS':
        return `${head} ${this.name(s)} ${flagWords(s['flags'])}`;
      case 'SIOCSIFMTU':
        return `${head} ${this.name(s)} ${s['mtu']}`;
      case 'SIOCSIFADDR':
      case 'SIOCSIFDSTADDR':
      case 'SIOCSIFNETMASK':
        return `${head} ${this.name(s)} ${s['addr']}`;
      case 'SIOCSIFHWADDR':
        // The family word only where it is not the default (ARPHRD_ETHER), as a person would type it.
        return `${head} ${this.name(s)}${s['family'] === 'ARPHRD_ETHER' ? '' : ` ${s['family']}`} ${s['mac']}`;
      default:
        return `${head} ${this.name(s)}`;
    }
  }
}

const MARK = '@@';

// ---------------------------------------------------------------- tunlab's output in the fixture's terms

function flagsOf(text: string, table: ReadonlyArray<readonly [number, string]>): number {
  let v = 0;
  for (const part of text.split('|')) {
    if (part === '0' || part === '') continue;
    const known = table.find(([, n]) => n === part);
    if (known) v |= known[0];
    else if (/^0x[0-9a-f]+$/i.test(part)) v |= Number(part);
    else throw new Error(`unknown flag ${part}`);
  }
  return v;
}

const TUN_AND_IF_FLAGS = [...TUN_FLAG_NAMES, [0x1000, 'IFF_NOFILTER'] as const];

function bytesOfHexdump(lines: string[]): string {
  let hex = '';
  for (const l of lines) {
    if (!/^[0-9a-f]{8}  /.test(l)) continue;
    hex += l.slice(10, 10 + 49).replace(/\s+/g, '');
  }
  return hex;
}

const POLL_COMPARED = ['POLLIN', 'POLLPRI', 'POLLOUT', 'POLLERR', 'POLLHUP', 'POLLNVAL'];

/** A step's output (the lines between its markers) and exit status, as a fixture result. */
function parseStep(s: Step, out: string[], rc: number, t: Translator, expectFd: number | null): Record<string, unknown> {
  const text = out.join('\n');
  const err = /^-1 (E[A-Z0-9]+) \(/.exec(out[0] ?? '');
  if (s.op === 'ifconfig') return rc === 0 ? { status: 0 } : { status: 'failed', errno: errnoOfMessage(text) ?? text };
  if (s.op === 'state') return parseState(out);
  if (err) return { ret: -1, errno: err[1] };
  if (rc !== 0) return { ret: `no result (status ${rc}): ${text}` };
  const first = out[0] ?? '';
  switch (s.op) {
    case 'open':
    case 'socket':
      return { ret: Number(first) === expectFd ? 'fd' : `fd ${first}, not the lowest free (${expectFd})` };
    case 'read': {
      const n = Number(first);
      return { ret: n, data: bytesOfHexdump(out.slice(1)) };
    }
    case 'write':
    case 'sendto':
    case 'close':
    case 'bind':
      return { ret: Number(first) };
    case 'poll': {
      if (/^0 \(Timeout\)/.test(first)) return { ret: 0, revents: '' };
      const m = /revents=([A-Z|0-9x]+)/.exec(first);
      const names = (m?.[1] ?? '').split('|').filter((n) => POLL_COMPARED.includes(n));
      return { ret: Number(first.split(' ')[0]), revents: POLL_COMPARED.filter((n) => names.includes(n)).join('|') };
    }
    case 'ioctl':
      return parseIoctl(String(s['req']), first, t);
  }
  return { ret: text };
}

function parseIoctl(req: string, line: string, t: Translator): Record<string, unknown> {
  const ret = Number(line.split(' ')[0]);
  const field = (name: string) => new RegExp(`${name}=("(?:[^"\\\\]|\\\\.)*"|[^,}]+)`).exec(line)?.[1];
  switch (req) {
    case 'TUNSETIFF':
    case 'TUNGETIFF': {
      const name = JSON.parse(field('ifr_name') ?? '""') as string;
      return { ret, name: t.names.toLinux(name), flags: flagsOf(field('ifr_flags') ?? '0', TUN_AND_IF_FLAGS) };
    }
    case 'TUNGETFEATURES':
      return { ret, value: Number(/\[(\d+)\]/.exec(line)?.[1]) };
    case 'SIOCGIFFLAGS':
      return { ret, name: t.names.toLinux(JSON.parse(field('ifr_name') ?? '""') as string), flags: shortFlags(flagsOf(field('ifr_flags') ?? '0', IFF_NAMES)) };
    case 'SIOCGIFMTU':
      return { ret, mtu: Number(field('ifr_mtu')) };
    case 'SIOCGIFHWADDR': {
      const fam = /sa_family=(\w+)/.exec(line)?.[1] ?? '';
      const family = { ARPHRD_ETHER: 1, ARPHRD_LOOPBACK: 772, ARPHRD_NONE: 65534 }[fam] ?? Number(fam);
      return { ret, family, mac: /sa_data=([0-9a-f:]+)/.exec(line)?.[1] };
    }
  }
  return { ret };
}

function parseState(out: string[]): Record<string, unknown> {
  const err = /^-1 (E[A-Z0-9]+) \(/.exec(out[0] ?? '');
  if (err) return { exists: false, errno: err[1] };
  const flags = shortFlags(flagsOf(/ifr_flags=([^}]+)\}/.exec(out[0] ?? '')?.[1] ?? '0', IFF_NAMES));
  const mtu = Number(/ifr_mtu=(\d+)/.exec(out[1] ?? '')?.[1]);
  const counters = (label: string) => {
    const m = new RegExp(`${label}: (\\d+) packets, \\d+ errors, (\\d+) bytes, \\d+ mcasts, (\\d+) dropped`).exec(out.join('\n'));
    return m ? m.slice(1).map(Number) : [NaN, NaN, NaN];
  };
  const [rxp, rxb, rxd] = counters('Receive');
  const [txp, txb, txd] = counters('Transmit');
  return { exists: true, flags, mtu, stats: { rx_packets: rxp, rx_bytes: rxb, rx_dropped: rxd, tx_packets: txp, tx_bytes: txb, tx_dropped: txd } };
}

// ---------------------------------------------------------------- running and comparing

export interface StepOutcome {
  index: number;
  step: Step;
  command: string;
  linux: Record<string, unknown>;
  tunlab: Record<string, unknown>;
  differences: string[];
}

/**
 * Run the fixture's steps in tunlab, all in one shell so that its fds persist, and compare each.
 * The script is written up front: the fds a step uses are predictable (the lowest free one, which
 * the replay checks), and so are the names the kernel picks (mapping.ts).
 */
export async function replay(f: Fixture): Promise<StepOutcome[]> {
  const w = new World({ programs: userlandPrograms, checkErrno: true });
  w.addHost(HOST);
  const t = new Translator();
  const commands: string[] = [];
  const expectFds: Array<number | null> = [];
  for (const s of f.steps) {
    let fdNote: number | null = null;
    if (s.op === 'state') {
      const sfd = t.allocate('state');
      const name = word(t.names.toTunlab(String(s['name'])));
      commands.push(
        [`syscall socket AF_INET SOCK_DGRAM >/dev/null`, `syscall ioctl ${sfd} SIOCGIFFLAGS ${name}`, `syscall ioctl ${sfd} SIOCGIFMTU ${name}`, `ifconfig ${name} 2>&1 | grep -E 'Receive|Transmit'`, `syscall close ${sfd} >/dev/null`].join('; '),
      );
      t.release('state');
    } else {
      let cmd = t.command(s);
      if (s.op === 'open' || s.op === 'socket') {
        const r = s.result['ret'];
        fdNote = r === 'fd' ? t.allocate(String(s.fd)) : null;
      }
      if (s.op === 'close') t.release(s.fd);
      // A name TUNSETIFF picked on Linux (tun0 for "") is tunlab's tun/0 from here on.
      if (s.op === 'ioctl' && s['req'] === 'TUNSETIFF' && s['name'] === '' && typeof s.result['name'] === 'string') {
        t.names.learn(s.result['name'], `${String(s['flags']).includes('IFF_TUN') ? 'tun' : 'tap'}/${/\d+$/.exec(s.result['name'])?.[0]}`);
      }
      if (s.as) cmd = `${suPrefix(s.as)} '${cmd}'`;
      commands.push(`${cmd} 2>&1`);
    }
    expectFds.push(fdNote);
  }
  const script = commands.map((c, i) => `echo '${MARK} ${i}'\n${c}\necho "${MARK} rc $?"`).join('\n') + '\n';
  const sh = await start(w.mustHost(HOST), ['sh', '-c', script]);
  const outcome = await w.run({ until: () => !sh.proc.alive, timeLimitNs: TIME_LIMIT_NS });
  if (outcome.kind !== 'done') throw new Error(`the replay did not finish (${outcome.kind}):\n${w.describeStuck(outcome)}\n${sh.output()}`);
  const sections = splitSections(sh.output());
  return f.steps.map((s, i) => {
    const sec = sections.get(i) ?? { out: [`(no output: the script ended before step ${i})`], rc: -1 };
    const tunlab = parseStep(s, sec.out, sec.rc, t, expectFds[i] ?? null);
    return { index: i, step: s, command: commands[i]!, linux: s.result, tunlab, differences: compare(s, s.result, tunlab) };
  });
}

function splitSections(out: string): Map<number, { out: string[]; rc: number }> {
  const m = new Map<number, { out: string[]; rc: number }>();
  let cur: { out: string[]; rc: number } | null = null;
  for (const line of out.split('\n')) {
    const start = new RegExp(`^${MARK} (\\d+)$`).exec(line);
    const rc = new RegExp(`^${MARK} rc (\\d+)$`).exec(line);
    if (start) m.set(Number(start[1]), (cur = { out: [], rc: -1 }));
    else if (rc && cur) {
      cur.rc = Number(rc[1]);
      cur = null;
    } else if (cur) cur.out.push(line);
  }
  return m;
}

/**
 * What differs between Linux's result and tunlab's, field by field (nothing when they agree); `who`
 * names the two sides in the report (the live test compares a fixture with a fresh recording).
 */
export function compare(s: Step, linux: Record<string, unknown>, tunlab: Record<string, unknown>, who: [string, string] = ['Linux', 'tunlab']): string[] {
  const [L, T] = who;
  const out: string[] = [];
  if (s.op === 'ifconfig') {
    const lFailed = linux['status'] !== 0;
    const tFailed = tunlab['status'] !== 0;
    if (lFailed !== tFailed) out.push(`${L} ${lFailed ? `failed (${String(linux['errno'])})` : 'succeeded'}, ${T} ${tFailed ? `failed (${String(tunlab['errno'])})` : 'succeeded'}`);
    else if (lFailed && linux['errno'] !== tunlab['errno']) out.push(`errno: ${L} ${String(linux['errno'])}, ${T} ${String(tunlab['errno'])}`);
    return out;
  }
  for (const key of Object.keys(linux)) {
    if (key === 'flag_names') continue;
    const l = linux[key];
    const t = tunlab[key];
    if (key === 'data') {
      const d = dataDifference(String(l), String(t ?? ''), (s['vary'] as number[][] | undefined) ?? [], who);
      if (d) out.push(d);
    } else if (key === 'stats' && typeof l === 'object' && l) {
      for (const [k, v] of Object.entries(l)) {
        const tv = (t as Record<string, unknown> | undefined)?.[k];
        if (tv !== v) out.push(`${k}: ${L} ${String(v)}, ${T} ${String(tv)}`);
      }
    } else if (key === 'flags' && typeof l === 'number') {
      if (l !== t) out.push(`flags: ${L} 0x${l.toString(16)} (${String(linux['flag_names'])}), ${T} ${typeof t === 'number' ? `0x${t.toString(16)}` : String(t)}`);
    } else if (JSON.stringify(l) !== JSON.stringify(t)) out.push(`${key}: ${L} ${JSON.stringify(l)}, ${T} ${JSON.stringify(t)}`);
  }
  return out;
}

/** The first byte that differs outside the ranges Linux leaves unpredictable, with its neighbours. */
function dataDifference(linux: string, tunlab: string, vary: number[][], [L, T]: [string, string]): string | null {
  const varies = (i: number) => vary.some(([a, b]) => i >= a! && i < b!);
  const n = Math.max(linux.length, tunlab.length) / 2;
  for (let i = 0; i < n; i++) {
    if (varies(i)) continue;
    if (linux.slice(2 * i, 2 * i + 2) !== tunlab.slice(2 * i, 2 * i + 2)) {
      const around = (h: string) => h.slice(Math.max(0, 2 * i - 8), 2 * i + 10) || '(none)';
      return `data: byte ${i} differs (${L} ${linux.length / 2} bytes, ${T} ${tunlab.length / 2}): ${L} ...${around(linux)}..., ${T} ...${around(tunlab)}...`;
    }
  }
  return null;
}

/** The report of a sequence that disagrees: every step, the differing ones marked. */
export function describe(f: Fixture, outcomes: StepOutcome[]): string {
  const lines = [`${f.name}: ${f.description}`];
  for (const o of outcomes) {
    const mark = o.differences.length ? '✗' : ' ';
    lines.push(`${mark} ${String(o.index).padStart(2)} ${o.command.length > 110 ? `${o.command.slice(0, 110)}...` : o.command}`);
    for (const d of o.differences) lines.push(`       ${d}`);
  }
  return lines.join('\n');
}
