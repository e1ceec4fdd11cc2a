// --mode server over UDP (mudp.c, multi.c): one socket, one tun, many clients. A client's reset
// is answered statelessly with an HMAC session id (ssl_pkt.c calculate_session_id_hmac); only a
// packet that echoes it creates an instance. Each instance is a TlsPeer with a pool address (or
// one from --client-config-dir), gets its PUSH_REPLY right after key method 2, and is found again
// by its source address (control), its peer-id (data) and its virtual address (the tun side).
// --client-to-client forwards between clients without the tun; iroutes route networks behind one.

import { aeadSeal, clampMss, mssFixValue } from './mssfix.js';
import { createHmac } from 'node:crypto';
import { isSysError, strerror } from '../../../kernel/abi/errno.js';
import { O_CLOEXEC, O_CREAT, O_TRUNC, O_WRONLY } from '../../../kernel/abi/fcntl.js';
import { POLLIN, type PollFd } from '../../../kernel/abi/poll.js';
import { SIGHUP, SIGINT, SIGNAL_NAMES, SIGTERM, SIGUSR1, SIGUSR2 } from '../../../kernel/abi/signal.js';
import { CLOCK_MONOTONIC, CLOCK_REALTIME, type Sys } from '../../../kernel/abi/syscalls.js';
import { formatIpv4, parseIpv4 } from '../../../kernel/abi/wire/index.js';
import { lookupAead, type AeadSpec } from './aead.js';
import type { RandomPool } from '../../lib/random.js';
import {
  emitControlPlain,
  header,
  keyIdOf,
  opcodeOf,
  P_ACK_V1,
  P_CONTROL_HARD_RESET_CLIENT_V2,
  P_CONTROL_HARD_RESET_CLIENT_V3,
  P_CONTROL_HARD_RESET_SERVER_V2,
  P_CONTROL_V1,
  P_CONTROL_WKC_V1,
  P_DATA_V1,
  P_DATA_V2,
  parseControlPlain,
  sameBytes,
  SID_SIZE,
} from './control-packet.js';
import { formatTimeUtc } from './data-channel.js';
import { addRoutes, closeDevice, configureDevice, type Device, type Ending, endingFor, openDevice, routeList } from './device.js';
import { IV_PROTO_CC_EXIT_NOTIFY, IV_PROTO_DYN_TLS_CRYPT, IV_PROTO_REQUEST_PUSH, IV_PROTO_TLS_KEY_EXPORT, parsePeerInfo } from './key-method.js';
import { CONNECTION_RESET, type Endpoint, Link } from './link.js';
import { D_CRYPT_ERRORS, D_HANDSHAKE, D_PING, D_ROUTE, D_SHOW_PARMS, type Logger, M_INFO, printAddr } from './log.js';
import { buildPing, isPing } from './messages.js';
import { splitConfigLine } from './config-line.js';
import type { Options } from './options.js';
import { buildPushReply } from './push.js';
import { readBounded } from './tls-setup.js';
import type { TlsSetup } from './tls-setup.js';
import { controlChannelKeyLines, type PeerEvent, type PeerWrap, TlsPeer } from './tls-session.js';
import { unwrapClientKey } from './tls-crypt-v2.js';
import { EARLY_NEG_START, locateWkc, tlsCryptKeys, TlsCryptWrap, type TlsWrap } from './tls-wrap.js';

const SEC = 1e9;
const D_MULTI_LOW = 3;
const D_MULTI_DROPPED = 4;

export interface ServerContext {
  readonly sys: Sys;
  readonly log: Logger;
  readonly opts: Options;
  readonly kind: 'tun' | 'tap' | 'null';
  readonly setup: TlsSetup;
  readonly rng: RandomPool;
  readonly signals: number[];
}

interface Client {
  readonly addr: Endpoint;
  readonly key: string;
  readonly peer: TlsPeer;
  readonly peerId: number;
  vaddr: string | null;
  iroutes: { network: number; mask: number }[];
  ifconfig: { local: string; remote: string } | null;
  pushExtra: string[];
  pushed: boolean;
  named: boolean;
  cipher: AeadSpec | null;
  /** The MSS SYNs to and from this client are clamped to once its cipher is known (mssfix.ts). */
  mssFix: number;
  lastRecv: number;
  lastSend: number;
  exitAt: number;
  readonly since: number;
  bytesIn: number;
  bytesOut: number;
}

const addrKey = (e: Endpoint) => `${e.addr}:${e.port}`;
const ipOf = (s: string) => parseIpv4(s) ?? 0;

export class TlsServer {
  private link: Link | null = null;
  private device: Device | null = null;
  private readonly byAddr = new Map<string, Client>();
  private readonly byPeerId = new Map<number, Client>();
  private readonly byVaddr = new Map<string, Client>();
  private hmacKey: Uint8Array = new Uint8Array(0);
  private nowNs = 0;
  private wallOffset = 0;
  private pool: { next: number; end: number; step: number; netmask: string | null; free: number[] } | null = null;
  private statusAt = Infinity;

  constructor(private readonly c: ServerContext) {}

  private get now(): number {
    return Math.floor((this.nowNs + this.wallOffset) / SEC);
  }

  async run(): Promise<Ending> {
    const { sys, log, opts, rng } = this.c;
    const o = this.serverOptions();
    const routes = await routeList(sys, log, o, this.c.kind);
    this.device = await openDevice(sys, log, o, this.c.kind);
    await configureDevice(sys, log, o, this.device);
    await addRoutes(sys, log, o, this.device, routes);
    const link = await Link.open(sys, log, opts, null, this.c.signals);
    // Over TCP the server takes one client's connection at a time; a signal may end the wait.
    if (!(link instanceof Link)) return this.finish(link);
    this.link = link;
    await log.msg(D_MULTI_LOW, 'MULTI: multi_init called, r=256 v=256');
    this.initPool(o);
    this.nowNs = await sys.clock_gettime(CLOCK_MONOTONIC);
    this.wallOffset = (await sys.clock_gettime(CLOCK_REALTIME)) - this.nowNs;
    await rng.ensure(256);
    this.hmacKey = rng.take(32);
    if (opts.status) this.statusAt = this.now;
    await log.msg(M_INFO, 'Initialization Sequence Completed');
    const stop = await this.loop();
    return this.finish(stop);
  }

  /** helper_client_server(): --server NET MASK as ifconfig, pool, route and pushes. */
  private serverOptions(): Options {
    // The pushes in 2.6's order: the config's own, then helper_client_server()'s, then helper_keepalive()'s.
    const o: Options = { ...this.c.opts, routes: [...this.c.opts.routes], push: [...this.c.opts.push] };
    const keepalive = o.keepalive ? [`ping ${o.keepalive.ping}`, `ping-restart ${o.keepalive.restart}`] : [];
    const s = o.server;
    if (!s) {
      o.push.push(...keepalive);
      return o;
    }
    const net = ipOf(s.network);
    const mask = ipOf(s.netmask);
    const top = net | (~mask >>> 0);
    const ip = (n: number) => formatIpv4(n >>> 0);
    if (o.topology === 'subnet' || this.c.kind === 'tap') {
      o.ifconfig = { local: ip(net + 1), remote: s.netmask };
      o.ifconfigPool ??= { start: ip(net + 2), end: ip(top - 1), netmask: s.netmask };
      o.push.push(`route-gateway ${ip(net + 1)}`);
    } else {
      o.ifconfig = { local: ip(net + 1), remote: ip(net + 2) };
      o.ifconfigPool ??= { start: ip(net + 4), end: ip(top - 4), netmask: null };
      o.routes.unshift({ network: s.network, netmask: s.netmask, gateway: null });
      o.push.push(o.clientToClient ? `route ${s.network} ${s.netmask}` : `route ${ip(net + 1)}`);
    }
    if (this.c.kind === 'tun') o.push.push(`topology ${o.topology}`);
    o.push.push(...keepalive);
    return o;
  }

  private initPool(o: Options): void {
    const p = o.ifconfigPool;
    if (!p) return;
    const start = ipOf(p.start);
    const end = ipOf(p.end);
    const subnet = p.netmask !== null || this.c.kind === 'tap';
    const step = subnet ? 1 : 4;
    this.pool = { next: start, end, step, netmask: p.netmask ?? o.server?.netmask ?? null, free: [] };
    void this.c.log.msg(D_ROUTE, `IFCONFIG POOL IPv4: base=${p.start} size=${Math.floor((end - start) / step) + 1}`);
  }

  /** An address from the pool: the client's own and the other end (net30) or the netmask (subnet). */
  private allocate(): { local: string; remote: string } | null {
    const p = this.pool;
    if (!p) return null;
    let base = p.free.shift();
    if (base === undefined) {
      if (p.next > p.end) return null;
      base = p.next;
      p.next += p.step;
    }
    if (p.step === 1) return { local: formatIpv4(base), remote: p.netmask ?? '255.255.255.0' };
    return { local: formatIpv4(base + 2), remote: formatIpv4(base + 1) };
  }

  private release(c: Client): void {
    if (!this.pool || !c.ifconfig || c.pushExtra.some((x) => x.startsWith('ifconfig-push'))) return;
    const ip = ipOf(c.ifconfig.local);
    this.pool.free.push(this.pool.step === 1 ? ip : ip - 2);
  }

  private async loop(): Promise<{ signo: number; hard: boolean; text: string }> {
    const { sys, log } = this.c;
    for (;;) {
      while (this.c.signals.length > 0) {
        const signo = this.c.signals.shift()!;
        if (signo === SIGUSR2) continue;
        if (signo === SIGINT || signo === SIGTERM || signo === SIGUSR1 || signo === SIGHUP) return { signo, hard: true, text: '' };
      }
      this.nowNs = await sys.clock_gettime(CLOCK_MONOTONIC);
      await this.c.rng.ensure(1024);
      for (const client of [...this.byAddr.values()]) await this.service(client);
      if (this.now >= this.statusAt) await this.writeStatus();
      const fds: PollFd[] = [{ fd: this.link!.fd, events: POLLIN, revents: 0 }];
      if (this.device && this.device.fd >= 0) fds.push({ fd: this.device.fd, events: POLLIN, revents: 0 });
      if (this.c.signals.length > 0) continue;
      try {
        await sys.poll(fds, this.pollTimeout());
        this.nowNs = await sys.clock_gettime(CLOCK_MONOTONIC);
      } catch (e) {
        if (!isSysError(e, 'EINTR')) throw e;
        await log.msg(M_INFO, `event_wait : ${strerror(e.errno)} (fd=-1,code=${e.code})`);
        continue;
      }
      if (fds[0]!.revents) {
        await this.fromLink();
        if (this.link!.reset) return CONNECTION_RESET;
      }
      if (fds[1]?.revents) await this.fromTun();
    }
  }

  private pollTimeout(): number {
    const { opts } = this.c;
    const toNs = (s: number) => s * SEC - this.wallOffset;
    let next = this.statusAt === Infinity ? Infinity : toNs(this.statusAt);
    for (const c of this.byAddr.values()) {
      const t = c.peer.timeout(this.now);
      next = Math.min(next, t === 0 ? this.nowNs : toNs(this.now + t));
      if (c.exitAt !== Infinity) next = Math.min(next, toNs(c.exitAt));
      if (c.pushed && opts.ping > 0) next = Math.min(next, c.lastSend + opts.ping * SEC);
      if (opts.pingRec > 0) next = Math.min(next, c.lastRecv + opts.pingRec * SEC);
    }
    return next === Infinity ? -1 : Math.max(0, (next - this.nowNs) / 1e6);
  }

  private clientLog(c: Client) {
    const { log } = this.c;
    // The common name joins the prefix once the connection is established (set_prefix in multi.c).
    return (level: number, line: string) => log.msg(level, `${c.named ? `${c.peer.commonName}/` : ''}${addrKey(c.addr)} ${line}`);
  }

  /** One client's timers and control channel. */
  private async service(c: Client): Promise<void> {
    const { opts } = this.c;
    const say = this.clientLog(c);
    if (c.exitAt <= this.now) return this.drop(c, 'SIGTERM[soft,remote-exit] received, client-instance exiting');
    if (opts.pingRec > 0 && this.nowNs >= c.lastRecv + opts.pingRec * SEC) {
      await say(M_INFO, 'Inactivity timeout (--ping-restart), restarting');
      return this.drop(c, 'SIGUSR1[soft,ping-restart] received, client-instance restarting');
    }
    // What the events make the peer write (a PUSH_REPLY) goes out in the same turn.
    for (;;) {
      for (const d of await c.peer.output(this.now)) await this.link!.write(d, c.addr);
      const events = c.peer.events.splice(0);
      if (events.length === 0) break;
      for (const ev of events) if (!(await this.onEvent(c, ev))) return;
    }
    if (c.pushed && opts.ping > 0 && this.nowNs >= c.lastSend + opts.ping * SEC) {
      await this.sendData(c, buildPing());
      await say(D_PING, 'SENT PING');
    }
    // A key renegotiated meanwhile, or a new key since the last turn: give it its keys.
    if (c.pushed && c.cipher) {
      for (const ks of [c.peer.primary, c.peer.lameDuck]) if (ks && ks.state === 'active' && !ks.data) c.peer.installDataKeys(c.cipher, ks.keyId);
    }
  }

  /** One thing the control channel reported; false when the instance is gone. */
  private async onEvent(c: Client, ev: PeerEvent): Promise<boolean> {
    const say = this.clientLog(c);
    if (ev.kind === 'failed') {
      await this.drop(c, 'SIGUSR1[soft,tls-error] received, client-instance restarting');
      return false;
    }
    if (ev.kind === 'active') {
      if (ev.first) await this.connected(c);
      else if (c.cipher) c.peer.installDataKeys(c.cipher, ev.keyId);
    } else if (ev.text === 'EXIT') {
      await say(1, 'CC-EEN exit message received by peer');
      await say(3, 'Delayed exit in 5 seconds');
      c.exitAt = this.now + 5;
    } else if (ev.text === 'PUSH_REQUEST') {
      if (!c.pushed) await this.push(c);
    } else {
      await say(1, `WARNING: Received unknown control message: ${ev.text}`);
    }
    return this.byAddr.has(c.key);
  }

  /** The client is authenticated: its address, its keys, its PUSH_REPLY. */
  private async connected(c: Client): Promise<void> {
    const { log, opts } = this.c;
    const peer = c.peer;
    const info = parsePeerInfo(peer.peerKeyMethod?.peerInfo ?? null);
    await log.msg(M_INFO, `${addrKey(c.addr)} [${peer.commonName}] Peer Connection Initiated with ${printAddr(c.addr.addr, c.addr.port)}`);
    c.named = true;
    if (!opts.duplicateCn) {
      for (const other of [...this.byAddr.values()]) {
        if (other !== c && other.peer.commonName === peer.commonName && other.pushed) {
          await this.clientLog(c)(D_MULTI_LOW, `MULTI: new connection by client '${peer.commonName}' will cause previous active sessions by this client to be dropped.  Remember to use the --duplicate-cn option if you want multiple clients using the same certificate or username to concurrently connect.`);
          await this.drop(other, 'SIGUSR1[soft,connection-reset] received, client-instance restarting');
        }
      }
    }
    await this.clientConfig(c);
    const say2 = this.clientLog(c);
    c.ifconfig ??= this.allocate();
    if (c.ifconfig) {
      await say2(M_INFO, `MULTI_sva: pool returned IPv4=${c.ifconfig.local}, IPv6=(Not enabled)`);
      c.vaddr = c.ifconfig.local;
      this.byVaddr.set(c.vaddr, c);
      await say2(D_MULTI_LOW, `MULTI: Learn: ${c.vaddr} -> ${peer.commonName}/${addrKey(c.addr)}`);
      await say2(D_MULTI_LOW, `MULTI: primary virtual IP for ${peer.commonName}/${addrKey(c.addr)}: ${c.vaddr}`);
    }
    // NCP: the first of our --data-ciphers the client also has.
    const theirs = (info.get('IV_CIPHERS') ?? '').split(':').map((n) => n.toLowerCase());
    c.cipher = this.c.setup.ciphers.find((s) => theirs.includes(s.name.toLowerCase())) ?? (opts.dataCiphersFallback ? lookupAead(opts.dataCiphersFallback) : null);
    const proto = Number(info.get('IV_PROTO') ?? '0');
    peer.ekm = (proto & IV_PROTO_TLS_KEY_EXPORT) !== 0;
    // A 2.6 client says IV_PROTO_REQUEST_PUSH and gets its reply unasked; others send PUSH_REQUEST.
    if ((proto & IV_PROTO_REQUEST_PUSH) !== 0) await this.push(c);
  }

  private async push(c: Client): Promise<void> {
    const { opts } = this.c;
    const say = this.clientLog(c);
    if (!c.cipher) {
      await say(1, `PUSH: No common cipher between server and client. Server data-ciphers: '${this.c.setup.ciphers.map((s) => s.name).join(':')}'`);
      c.peer.sendMessage('AUTH_FAILED,Data channel cipher negotiation failed (no shared cipher)');
      c.exitAt = this.now + 1;
      return;
    }
    const info = parsePeerInfo(c.peer.peerKeyMethod?.peerInfo ?? null);
    const proto = Number(info.get('IV_PROTO') ?? '0');
    const dyn = (proto & IV_PROTO_DYN_TLS_CRYPT) !== 0 && (opts.tlsCrypt !== null || opts.tlsCryptV2 !== null);
    const o = this.serverOptions();
    const reply = buildPushReply({
      push: [...o.push, ...c.pushExtra.filter((p) => !p.startsWith('ifconfig-push'))],
      ifconfig: c.ifconfig,
      peerId: c.peerId,
      cipher: c.cipher.name,
      ccExit: (proto & IV_PROTO_CC_EXIT_NOTIFY) !== 0,
      ekm: c.peer.ekm,
      dynTlsCrypt: dyn,
      tunMtu: opts.tunMtu,
    });
    c.peer.installDataKeys(c.cipher);
    c.mssFix = mssFixValue(opts, { kind: this.c.kind, peerIpv4: true }, aeadSeal(true));
    if (dyn) c.peer.enableDynTlsCrypt();
    await say(D_SHOW_PARMS, `Outgoing Data Channel: Cipher '${c.cipher.name}' initialized with ${c.cipher.keyLength * 8} bit key`);
    await say(D_SHOW_PARMS, `Incoming Data Channel: Cipher '${c.cipher.name}' initialized with ${c.cipher.keyLength * 8} bit key`);
    c.peer.sendMessage(reply);
    await say(D_ROUTE, `SENT CONTROL [${c.peer.commonName}]: '${reply}' (status=1)`);
    c.pushed = true;
    c.lastSend = this.nowNs;
    await say(D_HANDSHAKE, `Data Channel: cipher '${c.cipher.name}', peer-id: ${c.peerId}`);
    const timers: string[] = [];
    if (opts.ping > 0) timers.push(`ping ${opts.ping}`);
    if (opts.pingRec > 0) timers.push(`ping-restart ${opts.pingRec}`);
    if (timers.length) await say(D_HANDSHAKE, `Timers: ${timers.join(', ')}`);
    const flags = reply.match(/protocol-flags ([^,]*)/);
    if (flags) await say(D_HANDSHAKE, `Protocol options: protocol-flags ${flags[1]}`);
  }

  /** --client-config-dir DIR/CN: ifconfig-push, iroute and push lines for this client. */
  private async clientConfig(c: Client): Promise<void> {
    const dir = this.c.opts.clientConfigDir;
    if (!dir || !c.peer.commonName || c.peer.commonName.includes('/') || c.peer.commonName.startsWith('.')) return;
    const r = await readBounded(this.c.sys, `${dir}/${c.peer.commonName}`, 65536);
    if (!r.ok) return;
    for (const line of new TextDecoder().decode(r.bytes).split('\n')) {
      const w = splitConfigLine(line);
      const name = w[0]?.replace(/^--/, '');
      if (name === 'ifconfig-push' && w[1] && w[2]) {
        c.ifconfig = { local: w[1], remote: w[2] };
        c.pushExtra.push('ifconfig-push');
      } else if (name === 'iroute' && w[1]) {
        const net = parseIpv4(w[1]);
        const mask = parseIpv4(w[2] ?? '255.255.255.255');
        if (net !== null && mask !== null) c.iroutes.push({ network: net & mask, mask });
      } else if (name === 'push' && w[1]) {
        c.pushExtra.push(w[1]);
      }
    }
  }

  private async drop(c: Client, line: string): Promise<void> {
    await this.clientLog(c)(D_MULTI_LOW, line);
    c.peer.close();
    this.byAddr.delete(c.key);
    this.byPeerId.delete(c.peerId);
    if (c.vaddr && this.byVaddr.get(c.vaddr) === c) this.byVaddr.delete(c.vaddr);
    this.release(c);
  }

  /** The stateless session id of the reset answer (calculate_session_id_hmac). */
  private hmacSid(from: Endpoint, clientSid: Uint8Array, slotOffset: number): Uint8Array {
    const slot = Math.floor(this.now / Math.floor((this.c.opts.handWindow + 1) / 2)) - slotOffset;
    const h = createHmac('sha256', this.hmacKey);
    h.update(Uint8Array.of(slot >>> 24, (slot >>> 16) & 0xff, (slot >>> 8) & 0xff, slot & 0xff));
    h.update(Uint8Array.of(...(parseIpv4(from.addr) === null ? [] : from.addr.split('.').map(Number)), from.port >> 8, from.port & 0xff));
    h.update(clientSid);
    return new Uint8Array(h.digest().subarray(0, SID_SIZE));
  }

  private async fromLink(): Promise<void> {
    for (const got of await this.link!.read()) if (got.data.length > 0) await this.fromPeer(got.data, got.from);
  }

  private async fromPeer(data: Uint8Array, from: Endpoint): Promise<void> {
    const op = opcodeOf(data[0]!);
    if (op === P_DATA_V2 || op === P_DATA_V1) return this.dataIn(data, from);
    const c = this.byAddr.get(addrKey(from));
    if (c) {
      c.lastRecv = this.nowNs;
      await c.peer.input(data, this.now, printAddr(from.addr, from.port));
      return;
    }
    await this.newPeer(data, from);
  }

  /** tls_pre_decrypt_lite(): a packet from an address with no instance. */
  private async newPeer(data: Uint8Array, from: Endpoint): Promise<void> {
    const { log, opts, setup } = this.c;
    const op = opcodeOf(data[0]!);
    const where = printAddr(from.addr, from.port);
    if (data.length < 1 + SID_SIZE) return;
    const withWkc = op === P_CONTROL_HARD_RESET_CLIENT_V3 || op === P_CONTROL_WKC_V1;
    if ((op !== P_CONTROL_HARD_RESET_CLIENT_V2 && op !== P_CONTROL_V1 && op !== P_ACK_V1 && !withWkc) || keyIdOf(data[0]!) !== 0) return;
    let own: PeerWrap | null = null;
    if (withWkc) {
      own = await this.clientKey(data, where, op === P_CONTROL_WKC_V1 ? 'Connection Attempt ' : '');
      if (!own) return;
    } else if (setup.v2Server && setup.session.wrap.mode === 'none') {
      await log.msg(1, `TLS Error: could not determine wrapping from ${where}`);
      return;
    }
    const wrap = (own?.wrap ?? setup.session.wrap).fresh();
    const r = wrap.unwrap(data, this.now, false);
    if (!r.ok) {
      for (const l of r.lines) await log.msg(1, l);
      await log.msg(1, `TLS Error: ${wrap.mode === 'crypt' ? 'tls-crypt unwrapping failed' : 'incoming packet authentication failed'} from ${where}`);
      return;
    }
    const clientSid = data.slice(1, 1 + SID_SIZE);
    const plain = parseControlPlain(op, r.plain);
    if (!plain) return;
    if (op === P_CONTROL_HARD_RESET_CLIENT_V2 || op === P_CONTROL_HARD_RESET_CLIENT_V3) {
      // A tls-crypt-v2 client announces early negotiation with its wrap-pid (mudp.c): it can send
      // its WKc again with message 1, so the server keeps nothing and asks for that (RESEND_WKC).
      const early = op === P_CONTROL_HARD_RESET_CLIENT_V3 && (new DataView(data.buffer, data.byteOffset).getUint32(1 + SID_SIZE) & 0xff000000) === EARLY_NEG_START;
      if (op === P_CONTROL_HARD_RESET_CLIENT_V3 && !early) {
        // 2.6 keeps state for such a client (2.5 and older) unless force-cookie; tunlab never does.
        if (opts.tlsCryptV2ForceCookie) await log.msg(7, `tls-crypt-v2 force-cookie is enabled, ignoring connection attempt from old client (${where})`);
        else await log.msg(1, `tls-crypt-v2: a client without early negotiation (before 2.6) is not supported by tunlab's openvpn, ignoring connection attempt from ${where}`);
        return;
      }
      // Answer with a session id that proves, later, that the client saw this answer: no state yet.
      const sid = this.hmacSid(from, clientSid, 0);
      const payload = early ? Uint8Array.of(0, 1, 0, 2, 0, 1) : new Uint8Array(0);
      const reply = emitControlPlain({ acks: [0], remoteSid: clientSid, msgId: 0, payload });
      await this.link!.write(wrap.wrap(header(P_CONTROL_HARD_RESET_SERVER_V2, 0), sid, reply, this.now), from);
      return;
    }
    const valid = plain.acks.includes(0) && [0, 1].some((k) => sameBytes(plain.remoteSid, this.hmacSid(from, clientSid, k)));
    if (!valid) return;
    if (this.byAddr.size >= opts.maxClients) {
      await log.msg(1, `MULTI: new incoming connection would exceed maximum number of clients (${opts.maxClients})`);
      return;
    }
    const peerId = this.takePeerId();
    const peer = new TlsPeer(setup.session, { random: (n) => this.c.rng.take(n), log: (l, line) => this.clientLog(client)(l, line), wallNow: () => this.now }, this.now, {
      sid: plain.remoteSid!,
      remoteSid: clientSid,
      sentWrapIds: 1,
      ...(own ? { own } : {}),
    });
    const client: Client = {
      addr: from,
      key: addrKey(from),
      peer,
      peerId,
      vaddr: null,
      iroutes: [],
      ifconfig: null,
      mssFix: 0,
      pushExtra: [],
      pushed: false,
      named: false,
      cipher: null,
      lastRecv: this.nowNs,
      lastSend: this.nowNs,
      exitAt: Infinity,
      since: this.now,
      bytesIn: 0,
      bytesOut: 0,
    };
    this.byAddr.set(client.key, client);
    this.byPeerId.set(peerId, client);
    await log.msg(4, 'Connection Attempt MULTI: multi_create_instance called');
    await peer.input(data, this.now, where);
  }

  /**
   * tls_crypt_v2_extract_client_key() before any state: the client's key from the WKc its packet
   * ends with, or null after 2.6's lines. `prefix` is the log prefix 2.6 has at that point.
   */
  private async clientKey(data: Uint8Array, where: string, prefix: string): Promise<PeerWrap | null> {
    const { log, setup, opts } = this.c;
    const fail = async (...lines: string[]) => {
      for (const l of [...lines, `TLS Error: can not extract tls-crypt-v2 client key from ${where}`]) await log.msg(1, `${prefix}${l}`);
      return null;
    };
    if (!setup.v2Server) return fail('Client wants tls-crypt-v2, but no server key present.');
    await log.msg(D_HANDSHAKE, `${prefix}Control Channel: using tls-crypt-v2 key`);
    const at = locateWkc(data);
    if (!at.ok) return fail(at.line);
    const k = unwrapClientKey(setup.v2Server, data.subarray(at.at));
    if (!k.ok) return fail(...k.lines, 'Can not unwrap tls-crypt-v2 client key');
    for (const line of controlChannelKeyLines()) await log.msg(D_SHOW_PARMS, `${prefix}${line}`);
    const replay = { window: opts.replayWindow, seconds: opts.replaySeconds, mute: opts.muteReplayWarnings };
    const wrap: TlsWrap = new TlsCryptWrap(tlsCryptKeys(k.value.key, true), replay);
    return { wrap, wrapKey: k.value.key };
  }

  private takePeerId(): number {
    for (let id = 0; ; id++) if (!this.byPeerId.has(id)) return id;
  }

  private async dataIn(data: Uint8Array, from: Endpoint): Promise<void> {
    const { log, opts } = this.c;
    const v2 = opcodeOf(data[0]!) === P_DATA_V2;
    const c = v2 && data.length >= 4 ? this.byPeerId.get(((data[1]! << 16) | (data[2]! << 8) | data[3]!) >>> 0) : this.byAddr.get(addrKey(from));
    if (!c || addrKey(c.addr) !== addrKey(from)) return;
    const key = c.peer.decryptKey(keyIdOf(data[0]!));
    if (!key) return;
    const r = key.open(data, this.now);
    if (!r.ok) {
      if (!(opts.muteReplayWarnings && r.reason.includes('replay'))) await this.clientLog(c)(D_CRYPT_ERRORS, r.reason);
      return;
    }
    c.lastRecv = this.nowNs;
    c.bytesIn += data.length;
    c.peer.countBytes(key.keyId, r.payload.length);
    if (isPing(r.payload)) {
      await this.clientLog(c)(D_PING, 'RECEIVED PING PACKET');
      return;
    }
    const p = r.payload;
    if (p.length < 20 || p[0]! >> 4 !== 4) return;
    const src = (p[12]! << 24) | (p[13]! << 16) | (p[14]! << 8) | p[15]!;
    if (!this.owns(c, src >>> 0)) {
      await this.clientLog(c)(D_MULTI_DROPPED, `MULTI: bad source address from client [${formatIpv4(src >>> 0)}], packet dropped`);
      return;
    }
    const dst = ((p[16]! << 24) | (p[17]! << 16) | (p[18]! << 8) | p[19]!) >>> 0;
    clampMss(p, c.mssFix);
    if (opts.clientToClient) {
      const to = this.route(dst);
      if (to && to !== c) return this.sendData(to, p);
    }
    try {
      await this.c.sys.write(this.device!.fd, p);
    } catch (e) {
      if (!isSysError(e)) throw e;
      await log.msg(M_INFO, `write to TUN/TAP : ${strerror(e.errno)} (fd=-1,code=${e.code})`);
    }
  }

  private owns(c: Client, ip: number): boolean {
    if (c.vaddr !== null && ipOf(c.vaddr) === ip) return true;
    return c.iroutes.some((r) => ((ip & r.mask) >>> 0) === r.network >>> 0);
  }

  /** The client a destination belongs to: its virtual address, else the longest iroute. */
  private route(dst: number): Client | null {
    const direct = this.byVaddr.get(formatIpv4(dst));
    if (direct) return direct;
    let best: Client | null = null;
    let bestMask = -1;
    for (const c of this.byAddr.values()) {
      for (const r of c.iroutes) {
        if (((dst & r.mask) >>> 0) === r.network >>> 0 && r.mask >>> 0 > bestMask) {
          best = c;
          bestMask = r.mask >>> 0;
        }
      }
    }
    return best;
  }

  private async fromTun(): Promise<void> {
    let p: Uint8Array;
    try {
      p = await this.c.sys.read(this.device!.fd, 65536);
    } catch (e) {
      if (isSysError(e, 'EAGAIN') || isSysError(e, 'EINTR')) return;
      throw e;
    }
    if (p.length < 20 || p[0]! >> 4 !== 4) return;
    const c = this.route(((p[16]! << 24) | (p[17]! << 16) | (p[18]! << 8) | p[19]!) >>> 0);
    if (!c) return;
    clampMss(p, c.mssFix);
    await this.sendData(c, p);
  }

  private async sendData(c: Client, payload: Uint8Array): Promise<void> {
    const key = c.peer.encryptKey(this.now);
    if (!key || !c.pushed) return;
    const d = key.seal(payload, c.peerId);
    c.peer.countBytes(key.keyId, payload.length);
    c.lastSend = this.nowNs;
    c.bytesOut += d.length;
    await this.link!.write(d, c.addr);
  }

  /** --status FILE: the version 1 client list, rewritten every interval. */
  private async writeStatus(): Promise<void> {
    const { sys, opts } = this.c;
    const st = opts.status!;
    this.statusAt = this.now + Math.max(1, st.interval);
    const when = formatTimeUtc(this.now);
    const lines = ['OpenVPN CLIENT LIST', `Updated,${when}`, 'Common Name,Real Address,Bytes Received,Bytes Sent,Connected Since'];
    for (const c of this.byAddr.values()) if (c.pushed) lines.push(`${c.peer.commonName},${addrKey(c.addr)},${c.bytesIn},${c.bytesOut},${formatTimeUtc(c.since)}`);
    lines.push('ROUTING TABLE', 'Virtual Address,Common Name,Real Address,Last Ref');
    for (const c of this.byAddr.values()) if (c.vaddr) lines.push(`${c.vaddr},${c.peer.commonName},${addrKey(c.addr)},${when}`);
    lines.push('GLOBAL STATS', 'Max bcast/mcast queue length,0', 'END');
    try {
      const fd = await sys.open(st.file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644);
      let bytes = new TextEncoder().encode(lines.join('\n') + '\n');
      while (bytes.length > 0) bytes = bytes.subarray(await sys.write(fd, bytes));
      await sys.close(fd);
    } catch (e) {
      if (!isSysError(e)) throw e;
    }
  }

  private async finish(stop: { signo: number; hard: boolean; text: string }): Promise<Ending> {
    const { sys, log, opts } = this.c;
    if (opts.explicitExitNotify > 0) {
      for (const c of this.byAddr.values()) {
        if (c.peer.sendMessage('RESTART')) for (const d of await c.peer.output(this.now)) await this.link!.write(d, c.addr);
      }
    }
    for (const c of this.byAddr.values()) c.peer.close();
    if (this.link) await this.link.close();
    if (this.device) await closeDevice(sys, log, this.device);
    const restart = stop.signo === SIGUSR1 || stop.signo === SIGHUP;
    await log.msg(M_INFO, `${SIGNAL_NAMES[stop.signo]}[${stop.hard ? 'hard' : 'soft'},${stop.text}] received, process ${restart ? 'restarting' : 'exiting'}`);
    return endingFor(stop.signo, null);
  }
}
