// World files (fixtures/worlds/*.json): hosts, their NICs and addresses, segments, routes, files
// and boot commands. A bad file is refused with the name of the field at fault and what it should
// have been, before anything is built.

import type { NetemOptions, QdiscOptions } from '../abi/if.js';
import { formatIpv4, parseIpv4, parseMac } from '../abi/wire/address.js';
import { DEFAULT_FS_LIMITS, type FsLimits } from '../vfs/fs-quota.js';

export class WorldFileError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'WorldFileError';
  }
}

export interface SegmentSpec {
  delayNs: number;
  jitterNs: number;
  loss: number;
  duplicate: number;
}

export interface NicSpec {
  driver: string;
  segment: string;
  address: { addr: number; prefix: number } | null;
  mac: number | null;
  mtu: number | null;
  up: boolean;
  /** Its root qdisc at boot, as `tc qdisc add dev NIC root ...` would install it. */
  qdisc: QdiscOptions | null;
}

export interface RouteSpec {
  dest: number;
  prefix: number;
  via: number | null;
  dev: string | null;
  metric: number;
  reject: boolean;
}

export type FileSpec = { text: string; mode: number } | { from: string; mode: number };

/** An Ethernet bridge of a host: its member interfaces switch frames between them. */
export interface BridgeSpec {
  name: string;
  members: string[];
  address: { addr: number; prefix: number } | null;
  up: boolean;
}

export interface HostSpec {
  name: string;
  description: string;
  nics: NicSpec[];
  bridges: BridgeSpec[];
  routes: RouteSpec[];
  forwarding: boolean;
  files: Array<{ path: string; spec: FileSpec }>;
  boot: string[];
}

export interface UplinkSpec {
  host: string;
  address: { addr: number; prefix: number };
  gateway: number;
}

export interface WorldSpec {
  /** Likely mistakes that do not stop the world from booting, each led by its field. */
  warnings: string[];
  name: string;
  description: string;
  epochNs: number | null;
  /** Every host's root file system size and inodes, when the file sets them. */
  disk: FsLimits | null;
  segments: Map<string, SegmentSpec>;
  hosts: HostSpec[];
  uplink: UplinkSpec | null;
}

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A value as an error message quotes it: scalars as JSON, containers by kind (a list nested 100 000
 * deep must not overflow the stack being printed).
 */
function show(v: Json): string {
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object' && v !== null) return 'an object';
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function checkKeys(obj: Record<string, Json>, allowed: readonly string[], at: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw new WorldFileError(at ? `${at}.${k}` : k, `unknown field (expected one of: ${allowed.join(', ')})`);
  }
}

function str(v: Json, at: string): string {
  if (typeof v !== 'string') throw new WorldFileError(at, `must be a string, not ${show(v)}`);
  return v;
}

function bool(v: Json, at: string): boolean {
  if (typeof v !== 'boolean') throw new WorldFileError(at, `must be true or false, not ${show(v)}`);
  return v;
}

function num(v: Json, at: string, min: number, max: number, integer = false): number {
  // An MTU or a metric of 1500.5 is as wrong as one out of range.
  const kind = integer ? 'a whole number' : 'a number';
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new WorldFileError(at, `must be ${kind} from ${min} to ${max}, not ${show(v)}`);
  }
  return v;
}

/** "0.2ms", "10ms", "1s", "250us", "5ns", or a bare number of milliseconds. */
export function parseDuration(v: Json, at: string): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.round(v * 1e6);
  if (typeof v === 'string') {
    const m = /^(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|min|h)$/.exec(v.trim());
    if (m) {
      const scale = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, min: 60e9, h: 3600e9 }[m[2] as 'ns' | 'us' | 'µs' | 'ms' | 's' | 'min' | 'h'];
      return Math.round(Number(m[1]) * scale);
    }
  }
  throw new WorldFileError(at, `must be a duration like "0.5ms", "20s", "5min" or "24h", not ${show(v)}`);
}

/** A probability 0 to 1 as netem keeps it: a fraction of 2^32 - 1. */
function probability(v: Json, at: string): number {
  return v === undefined ? 0 : Math.round(num(v, at, 0, 1) * 0xffff_ffff);
}

/** A duration as tc leaves it in the kernel: whole microseconds, then whole 64 ns psched ticks. */
function tickedDuration(v: Json, at: string): number {
  if (v === undefined) return 0;
  const ns = parseDuration(v, at);
  if (ns > 60e9) throw new WorldFileError(at, `must be at most a minute, not ${show(v)}`);
  return Math.floor((Math.floor(ns / 1000) * 1000) / 64) * 64;
}

/** A rate as tc writes it, in bits per second ("10mbit", "512kbit", "1gbit", "800bit"): bytes per second. */
function rate(v: Json, at: string): number {
  const m = typeof v === 'string' ? /^(\d+(?:\.\d+)?)(bit|kbit|mbit|gbit)$/i.exec(v.trim()) : null;
  const scale = m ? { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9 }[m[2]!.toLowerCase() as 'bit' | 'kbit' | 'mbit' | 'gbit'] : 0;
  const bytes = m ? Math.floor((Number(m[1]) * scale) / 8) : 0;
  if (bytes < 1 || bytes > 1e12) throw new WorldFileError(at, `must be a rate like "10mbit", "512kbit" or "1gbit", not ${show(v)}`);
  return bytes;
}

/** A NIC's root qdisc: {"kind": "netem", "delay": "20ms", "loss": 0.01, ...} or {"kind": "tbf", "rate": "1mbit", "burst": 1600, "limit": 3000}. */
function qdisc(v: Json, at: string): QdiscOptions {
  if (!isObject(v) || (v.kind !== 'netem' && v.kind !== 'tbf')) throw new WorldFileError(at, 'must be an object like {"kind": "netem", "delay": "20ms", "loss": 0.01} or {"kind": "tbf", "rate": "1mbit", "burst": 1600, "limit": 3000}');
  if (v.kind === 'tbf') {
    checkKeys(v, ['kind', 'rate', 'burst', 'limit'], at);
    return { kind: 'tbf', rate: rate(v.rate, `${at}.rate`), burst: num(v.burst, `${at}.burst`, 1, 0xffff_ffff, true), limit: num(v.limit, `${at}.limit`, 0, 0xffff_ffff, true) };
  }
  checkKeys(v, ['kind', 'delay', 'jitter', 'loss', 'duplicate', 'reorder', 'gap', 'corrupt', 'rate', 'limit'], at);
  const o: NetemOptions = {
    kind: 'netem',
    limit: v.limit === undefined ? 1000 : num(v.limit, `${at}.limit`, 0, 0xffff_ffff, true),
    delayNs: tickedDuration(v.delay, `${at}.delay`),
    jitterNs: tickedDuration(v.jitter, `${at}.jitter`),
    loss: probability(v.loss, `${at}.loss`),
    duplicate: probability(v.duplicate, `${at}.duplicate`),
    reorder: probability(v.reorder, `${at}.reorder`),
    gap: v.gap === undefined ? 0 : num(v.gap, `${at}.gap`, 1, 0xffff_ffff, true),
    corrupt: probability(v.corrupt, `${at}.corrupt`),
    rate: v.rate === undefined ? 0 : rate(v.rate, `${at}.rate`),
  };
  // As tc: reordering needs a delay to reorder against, and a gap needs reordering.
  if (o.reorder && !o.delayNs) throw new WorldFileError(`${at}.reorder`, 'reordering needs a delay');
  if (o.gap && !o.reorder) throw new WorldFileError(`${at}.gap`, 'a gap needs a reorder probability');
  if (o.reorder && !o.gap) o.gap = 1;
  return o;
}

/** A size as tmpfs's size= takes it: bytes, or a number with k, m or g (binary units). */
function diskSize(v: Json, at: string): number {
  const m = typeof v === 'string' ? /^(\d+)([kmg]?)$/i.exec(v.trim()) : null;
  const bytes = typeof v === 'number' ? v : m ? Number(m[1]) * 1024 ** ' kmg'.indexOf((m[2] || ' ').toLowerCase()) : NaN;
  if (!Number.isInteger(bytes) || bytes < 65536 || bytes > 2 ** 32) {
    throw new WorldFileError(at, `must be a size from 64k to 4g, as bytes or with k, m or g (like "64m"), not ${show(v)}`);
  }
  return bytes;
}

function cidr(v: Json, at: string): { addr: number; prefix: number } {
  const s = str(v, at);
  const m = /^([^/]+)\/(\d{1,2})$/.exec(s);
  const addr = m ? parseIpv4(m[1]!) : null;
  const prefix = m ? Number(m[2]) : -1;
  if (addr === null || prefix < 0 || prefix > 32) throw new WorldFileError(at, `${JSON.stringify(s)} is not an IPv4 address with a prefix length (like "192.168.1.10/24")`);
  return { addr, prefix };
}

function ipv4(v: Json, at: string): number {
  const s = str(v, at);
  const a = parseIpv4(s);
  if (a === null) throw new WorldFileError(at, `${JSON.stringify(s)} is not an IPv4 address (like "192.168.1.1")`);
  return a;
}

function mode(v: Json, at: string): number {
  if (v === undefined) return 0o644;
  const s = str(v, at);
  if (!/^0?[0-7]{3,4}$/.test(s)) throw new WorldFileError(at, `must be an octal mode like "0600", not ${JSON.stringify(s)}`);
  return parseInt(s, 8);
}

/**
 * The path (as the errors name fields: "hosts.a", "hosts.a.nics[0].mac") of the first key that appears
 * twice in one object of `text`, which must be valid JSON; null when every key is unique.
 */
function repeatedKey(text: string): string | null {
  interface Frame {
    keys: Set<string> | null; // null for an array
    path: string;
    key: string;
    index: number;
  }
  const stack: Frame[] = [];
  const pathOf = (f: Frame | undefined, key: string): string => (!f ? '' : f.keys ? (f.path ? `${f.path}.${key}` : key) : `${f.path}[${f.index}]`);
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const top = stack[stack.length - 1];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      let k = j + 1;
      while (/\s/.test(text[k] ?? '')) k++;
      if (top?.keys && text[k] === ':') {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) return pathOf(top, key);
        top.keys.add(key);
        top.key = key;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      stack.push({ keys: c === '{' ? new Set() : null, path: pathOf(top, top?.key ?? ''), key: '', index: 0 });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',' && top && !top.keys) {
      top.index++;
    }
  }
  return null;
}

/** 2100-01-01T00:00:00Z. */
const EPOCH_MAX_MS = 4_102_444_800_000;
/** Where the kernel mounts other file systems over the root: a world file's files cannot go there. */
const MOUNT_POINTS: readonly string[] = ['/dev', '/bin', '/host'];
/** A one-way delay beyond this is more likely milliseconds written as seconds than a real link. */
const ABSURD_DELAY_NS = 10e9;

/** Why a host file's path is refused, or null: absolute, normalised, and not where a mount sits. */
function filePathProblem(path: string): string | null {
  if (!path.startsWith('/')) return 'must be an absolute path outside /dev';
  if (path === '/') return 'is the root directory, not a file';
  const parts = path.slice(1).split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return 'must be a plain absolute path (no ".", ".." or empty components, no trailing "/")';
  if (path.length >= 1024 || parts.some((p) => p.length > 255)) return 'is longer than a path may be (1023 bytes, 255 per name)';
  const mount = MOUNT_POINTS.find((m) => path === m || path.startsWith(`${m}/`));
  if (mount) return `is under ${mount}, where the kernel mounts a file system of its own: must be an absolute path outside /dev, /bin and /host`;
  return null;
}

const HOST_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const DRIVER_NAME = /^[a-z][a-z0-9_]{0,15}$/;

export function parseWorldFile(text: string): WorldSpec {
  let raw: Json;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new WorldFileError('(file)', `not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(raw)) throw new WorldFileError('(file)', 'must be a JSON object');
  // JSON.parse keeps the last of two equal keys without a word: a second host "a" silently replaced
  // the first. Names are keys here (hosts, segments, files), so a repeated key is refused.
  const twice = repeatedKey(text);
  if (twice !== null) throw new WorldFileError(twice, 'appears twice (JSON would silently keep only the last one)');
  checkKeys(raw, ['name', 'description', 'epoch', 'disk', 'segments', 'hosts', 'uplink'], '');
  const name = raw.name === undefined ? 'world' : str(raw.name, 'name');
  const description = raw.description === undefined ? '' : str(raw.description, 'description');
  let epochNs: number | null = null;
  if (raw.epoch !== undefined) {
    const t = Date.parse(str(raw.epoch, 'epoch'));
    if (Number.isNaN(t)) throw new WorldFileError('epoch', `must be a date like "2026-01-01T00:00:00Z", not ${JSON.stringify(raw.epoch)}`);
    // The clock counts nanoseconds since 1970 in a double: past 2100 its steps grow beyond half a
    // microsecond, and near the end of Date's range every date printed would be a RangeError.
    if (t < 0 || t >= EPOCH_MAX_MS) throw new WorldFileError('epoch', `must be a date from 1970 to 2099, not ${JSON.stringify(raw.epoch)}`);
    epochNs = t * 1e6;
  }

  let disk: FsLimits | null = null;
  if (raw.disk !== undefined) {
    if (!isObject(raw.disk)) throw new WorldFileError('disk', 'must be an object like {"size": "64M", "inodes": 16384}');
    checkKeys(raw.disk, ['size', 'inodes'], 'disk');
    disk = {
      bytes: raw.disk.size === undefined ? DEFAULT_FS_LIMITS.bytes : diskSize(raw.disk.size, 'disk.size'),
      inodes: raw.disk.inodes === undefined ? DEFAULT_FS_LIMITS.inodes : num(raw.disk.inodes, 'disk.inodes', 64, 10_000_000, true),
    };
  }

  const segments = new Map<string, SegmentSpec>();
  if (raw.segments !== undefined) {
    if (!isObject(raw.segments)) throw new WorldFileError('segments', 'must be an object of segment names to their properties');
    for (const [sname, s] of Object.entries(raw.segments)) {
      const at = `segments.${sname}`;
      if (!HOST_NAME.test(sname)) throw new WorldFileError(at, 'segment names are lower-case letters, digits and dashes');
      if (!isObject(s)) throw new WorldFileError(at, 'must be an object ({} for defaults)');
      checkKeys(s, ['delay', 'jitter', 'loss', 'duplicate'], at);
      segments.set(sname, {
        delayNs: s.delay === undefined ? 100_000 : parseDuration(s.delay, `${at}.delay`),
        jitterNs: s.jitter === undefined ? 0 : parseDuration(s.jitter, `${at}.jitter`),
        loss: s.loss === undefined ? 0 : num(s.loss, `${at}.loss`, 0, 1),
        duplicate: s.duplicate === undefined ? 0 : num(s.duplicate, `${at}.duplicate`, 0, 1),
      });
    }
  }

  if (!isObject(raw.hosts) || Object.keys(raw.hosts).length === 0) throw new WorldFileError('hosts', 'must be an object with at least one host');
  const hosts: HostSpec[] = [];
  for (const [hname, h] of Object.entries(raw.hosts)) {
    const at = `hosts.${hname}`;
    if (!HOST_NAME.test(hname)) throw new WorldFileError(at, 'host names are lower-case letters, digits and dashes, starting with a letter');
    if (!isObject(h)) throw new WorldFileError(at, 'must be an object');
    checkKeys(h, ['description', 'nics', 'bridges', 'routes', 'forwarding', 'files', 'boot'], at);
    const nics: NicSpec[] = [];
    const nicList = h.nics ?? [];
    if (!Array.isArray(nicList)) throw new WorldFileError(`${at}.nics`, 'must be a list');
    nicList.forEach((n, i) => {
      const nat = `${at}.nics[${i}]`;
      if (!isObject(n)) throw new WorldFileError(nat, 'must be an object');
      checkKeys(n, ['driver', 'segment', 'address', 'mac', 'mtu', 'up', 'qdisc'], nat);
      const driver = n.driver === undefined ? 'ipro1000' : str(n.driver, `${nat}.driver`);
      if (!DRIVER_NAME.test(driver)) throw new WorldFileError(`${nat}.driver`, 'must be a driver name like "ipro1000" or "virtio"');
      const segment = str(n.segment, `${nat}.segment`);
      if (!segments.has(segment)) {
        if (raw.segments !== undefined) throw new WorldFileError(`${nat}.segment`, `no segment named ${JSON.stringify(segment)} (declared: ${[...segments.keys()].join(', ')})`);
        // Worlds that declare no segments get one per name used, with default properties.
        segments.set(segment, { delayNs: 100_000, jitterNs: 0, loss: 0, duplicate: 0 });
      }
      let mac: number | null = null;
      if (n.mac !== undefined) {
        mac = parseMac(str(n.mac, `${nat}.mac`));
        if (mac === null || (mac / 2 ** 40) & 1) throw new WorldFileError(`${nat}.mac`, `${JSON.stringify(n.mac)} is not a unicast MAC address (like "52:54:00:12:34:56")`);
      }
      nics.push({
        driver,
        segment,
        address: n.address === undefined ? null : cidr(n.address, `${nat}.address`),
        mac,
        mtu: n.mtu === undefined ? null : num(n.mtu, `${nat}.mtu`, 68, 9000, true),
        up: n.up === undefined ? true : bool(n.up, `${nat}.up`),
        qdisc: n.qdisc === undefined ? null : qdisc(n.qdisc, `${nat}.qdisc`),
      });
    });
    const bridges: BridgeSpec[] = [];
    const bridgeList = h.bridges ?? [];
    if (!Array.isArray(bridgeList)) throw new WorldFileError(`${at}.bridges`, 'must be a list');
    bridgeList.forEach((b, i) => {
      const bat = `${at}.bridges[${i}]`;
      if (!isObject(b)) throw new WorldFileError(bat, 'must be an object like {"name": "bridge/0", "members": ["/dev/net/ipro1000/0"]}');
      checkKeys(b, ['name', 'members', 'address', 'up'], bat);
      const name = str(b.name, `${bat}.name`);
      if (!/^bridge\/\d+$/.test(name)) throw new WorldFileError(`${bat}.name`, 'bridges are named bridge/<n>, as ifconfig makes them');
      if (bridges.some((o) => o.name === name)) throw new WorldFileError(`${bat}.name`, `${name} is declared twice`);
      if (!Array.isArray(b.members) || b.members.length === 0) throw new WorldFileError(`${bat}.members`, 'must be a list of interface names');
      const members = b.members.map((m, j) => str(m, `${bat}.members[${j}]`));
      for (const [j, m] of members.entries()) {
        if (members.indexOf(m) !== j || bridges.some((o) => o.members.includes(m))) throw new WorldFileError(`${bat}.members[${j}]`, `${m} can be a port of one bridge only`);
      }
      bridges.push({
        name,
        members,
        address: b.address === undefined ? null : cidr(b.address, `${bat}.address`),
        up: b.up === undefined ? true : bool(b.up, `${bat}.up`),
      });
    });
    const routes: RouteSpec[] = [];
    const routeList = h.routes ?? [];
    if (!Array.isArray(routeList)) throw new WorldFileError(`${at}.routes`, 'must be a list');
    routeList.forEach((r, i) => {
      const rat = `${at}.routes[${i}]`;
      if (!isObject(r)) throw new WorldFileError(rat, 'must be an object like {"to": "default", "via": "192.168.1.1"}');
      checkKeys(r, ['to', 'via', 'dev', 'metric', 'reject'], rat);
      const to = str(r.to, `${rat}.to`);
      const dest = to === 'default' ? { addr: 0, prefix: 0 } : to.includes('/') ? cidr(to, `${rat}.to`) : { addr: ipv4(to, `${rat}.to`), prefix: 32 };
      const via = r.via === undefined ? null : ipv4(r.via, `${rat}.via`);
      const dev = r.dev === undefined ? null : str(r.dev, `${rat}.dev`);
      const reject = r.reject === undefined ? false : bool(r.reject, `${rat}.reject`);
      if (via === null && dev === null && !reject) throw new WorldFileError(rat, 'needs "via" (a gateway), "dev" (an interface) or "reject": true');
      const route = { dest: dest.addr, prefix: dest.prefix, via, dev, metric: r.metric === undefined ? 0 : num(r.metric, `${rat}.metric`, 0, 65535, true), reject };
      const mask = (n: number, p: number) => (p === 0 ? 0 : (n & (0xffff_ffff << (32 - p))) >>> 0);
      const same = routes.findIndex(
        (o) => mask(o.dest, o.prefix) === mask(route.dest, route.prefix) && o.prefix === route.prefix && o.via === via && o.dev === dev && o.metric === route.metric,
      );
      if (same >= 0) throw new WorldFileError(rat, `is the same route as ${at}.routes[${same}] (same destination, gateway, interface and metric)`);
      routes.push(route);
    });
    const files: HostSpec['files'] = [];
    if (h.files !== undefined) {
      if (!isObject(h.files)) throw new WorldFileError(`${at}.files`, 'must be an object of paths to contents');
      for (const [path, f] of Object.entries(h.files)) {
        const fat = `${at}.files.${path}`;
        const problem = filePathProblem(path);
        if (problem) throw new WorldFileError(fat, problem);
        const holder = files.find((f) => path.startsWith(`${f.path}/`) || f.path.startsWith(`${path}/`));
        if (holder) throw new WorldFileError(fat, `cannot be both a file and a directory (${holder.path} is a file of this host too)`);
        if (typeof f === 'string') files.push({ path, spec: { text: f, mode: 0o644 } });
        else if (isObject(f)) {
          checkKeys(f, ['text', 'from', 'mode'], fat);
          if (f.text !== undefined) files.push({ path, spec: { text: str(f.text, `${fat}.text`), mode: mode(f.mode, `${fat}.mode`) } });
          else if (f.from !== undefined) files.push({ path, spec: { from: str(f.from, `${fat}.from`), mode: mode(f.mode, `${fat}.mode`) } });
          else throw new WorldFileError(fat, 'needs "text" or "from" (a file beside the world file)');
        } else throw new WorldFileError(fat, 'must be the file text or {"from": "../keys/x.key", "mode": "0600"}');
      }
    }
    const boot = h.boot === undefined ? [] : h.boot;
    if (!Array.isArray(boot)) throw new WorldFileError(`${at}.boot`, 'must be a list of shell commands');
    hosts.push({
      name: hname,
      description: h.description === undefined ? '' : str(h.description, `${at}.description`),
      nics,
      bridges,
      routes,
      forwarding: h.forwarding === undefined ? false : bool(h.forwarding, `${at}.forwarding`),
      files,
      boot: boot.map((b, i) => str(b, `${at}.boot[${i}]`)),
    });
  }

  let uplink: UplinkSpec | null = null;
  if (raw.uplink !== undefined) {
    const u = raw.uplink;
    if (!isObject(u)) throw new WorldFileError('uplink', 'must be an object like {"host": "haiku", "address": "10.0.2.15/24", "gateway": "10.0.2.2"}');
    checkKeys(u, ['host', 'address', 'gateway'], 'uplink');
    const host = str(u.host, 'uplink.host');
    if (!hosts.some((h) => h.name === host)) throw new WorldFileError('uplink.host', `no host named ${JSON.stringify(host)}`);
    uplink = { host, address: cidr(u.address, 'uplink.address'), gateway: ipv4(u.gateway, 'uplink.gateway') };
  }
  const spec: WorldSpec = { warnings: [], name, description, epochNs, disk, segments, hosts, uplink };
  spec.warnings = lint(spec);
  return spec;
}

/** Likely mistakes: they boot, but probably not as meant. */
function lint(spec: WorldSpec): string[] {
  const out: string[] = [];
  for (const [name, s] of spec.segments) {
    for (const [field, ns] of [['delay', s.delayNs], ['jitter', s.jitterNs]] as const) {
      if (ns > ABSURD_DELAY_NS) out.push(`segments.${name}.${field}: ${ns / 1e9} s one way is a very long time for a link (milliseconds meant?)`);
    }
  }
  const owner = new Map<number, string>();
  for (const h of spec.hosts) {
    const own = new Set<number>();
    h.nics.forEach((n, i) => {
      if (!n.address) return;
      const other = owner.get(n.address.addr);
      const field = `hosts.${h.name}.nics[${i}].address`;
      if (other !== undefined && other !== h.name) out.push(`${field}: ${formatIpv4(n.address.addr)} is host ${other}'s address too`);
      owner.set(n.address.addr, h.name);
      own.add(n.address.addr);
    });
    h.routes.forEach((r, i) => {
      if (r.via !== null && own.has(r.via)) out.push(`hosts.${h.name}.routes[${i}].via: ${formatIpv4(r.via)} is this host's own address, not a gateway`);
    });
  }
  return out;
}
