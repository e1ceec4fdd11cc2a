// A TLS-mode client (--client / --tls-client --pull) between two restarts: the link, one peer
// (tls-session.ts) towards --remote, the pushed options applied once PUSH_REPLY comes (the tun is
// opened and configured then, through ifconfig and route as any program would), the AEAD data
// channel, keepalive, and the exit notification. One poll() on the link and the tun, with the
// earliest timer as its timeout.

import { aeadSeal, clampDevicePacket, mssFixValue } from './mssfix.js';
import { isSysError, strerror } from '../../../kernel/abi/errno.js';
import { POLLIN, type PollFd } from '../../../kernel/abi/poll.js';
import { SIGHUP, SIGINT, SIGNAL_NAMES, SIGTERM, SIGUSR1, SIGUSR2 } from '../../../kernel/abi/signal.js';
import { CLOCK_MONOTONIC, CLOCK_REALTIME, type Sys } from '../../../kernel/abi/syscalls.js';
import { lookupAead, PEER_ID_UNDEF } from './aead.js';
import type { RandomPool } from '../../lib/random.js';
import { opcodeOf, P_DATA_V1, P_DATA_V2 } from './control-packet.js';
import { addRoutes, closeDevice, configureDevice, type Device, type Ending, endingFor, openDevice, redirectGatewayRoutes, routeList } from './device.js';
import { CONNECTION_RESET, type Endpoint, Link, resolveRemote, sameEndpoint, stopLabel } from './link.js';
import { D_CRYPT_ERRORS, D_HANDSHAKE, D_LINK_ERRORS, D_PING, D_ROUTE, type Logger, M_INFO, printAddr } from './log.js';
import { buildPing, isPing } from './messages.js';
import type { Options } from './options.js';
import { parsePushReply, type Pulled } from './push.js';
import { applyResolv } from './resolv-conf.js';
import type { TlsSetup } from './tls-setup.js';
import { TlsPeer } from './tls-session.js';

const SEC = 1e9;

export interface ClientContext {
  readonly sys: Sys;
  readonly log: Logger;
  readonly opts: Options;
  readonly kind: 'tun' | 'tap' | 'null';
  readonly setup: TlsSetup;
  readonly rng: RandomPool;
  readonly signals: number[];
}


interface Stop {
  readonly signo: number;
  readonly hard: boolean;
  readonly label?: string;
  readonly text: string;
  readonly first?: string;
}

export class TlsClient {
  private link: Link | null = null;
  private device: Device | null;
  private remote: Endpoint | null = null;
  private peer: TlsPeer | null = null;
  private pulled: Pulled | null = null;
  private peerId = PEER_ID_UNDEF;
  /** The MSS SYNs through the device are clamped to once the data channel is known (mssfix.ts). */
  private mssFix = 0;
  private up = false;
  private nowNs = 0;
  private wallOffset = 0;
  private lastSend = 0;
  private lastRecv = 0;
  private ping = 0;
  private pingRestart = 0;
  private pushRequestAt = Infinity;
  private exitAt = Infinity;
  private exitSignal = 0;

  constructor(
    private readonly c: ClientContext,
    persisted: Device | null,
  ) {
    this.device = persisted;
    this.ping = c.opts.ping;
    this.pingRestart = c.opts.pingRec;
  }

  /** OpenVPN's `now`: whole seconds of the wall clock. */
  private get now(): number {
    return Math.floor((this.nowNs + this.wallOffset) / SEC);
  }

  private async updateTime(): Promise<void> {
    this.nowNs = await this.c.sys.clock_gettime(CLOCK_MONOTONIC);
  }

  async run(): Promise<Ending> {
    const { sys, log, opts, rng } = this.c;
    const remote = await resolveRemote(sys, log, opts);
    if (typeof remote === 'string') return this.finish({ signo: SIGUSR1, hard: false, text: remote });
    if (remote === null) return this.finish({ signo: SIGTERM, hard: false, text: 'no-remote', first: 'Options error: --client needs --remote' });
    this.remote = remote;
    if (!opts.pull && this.device === null) {
      this.device = await openDevice(sys, log, opts, this.c.kind);
      await configureDevice(sys, log, opts, this.device);
    }
    const link = await Link.open(sys, log, opts, remote, this.c.signals);
    if (!(link instanceof Link)) return this.finish(link);
    this.link = link;
    await this.updateTime();
    this.wallOffset = (await sys.clock_gettime(CLOCK_REALTIME)) - this.nowNs;
    this.lastRecv = this.nowNs;
    await rng.ensure(256);
    this.peer = new TlsPeer(this.c.setup.session, this.peerIo(), this.now);
    return this.finish(await this.loop());
  }

  private peerIo() {
    const { log, rng } = this.c;
    return {
      random: (n: number) => rng.take(n),
      log: (level: number, line: string) => log.msg(level, line),
      wallNow: () => this.now,
    };
  }

  private async loop(): Promise<Stop> {
    const { sys, log } = this.c;
    for (;;) {
      const stop = await this.takeSignal();
      if (stop) return stop;
      await this.updateTime();
      const now = this.now;
      if (this.exitAt <= now) {
        return { signo: this.exitSignal, hard: false, text: 'exit-with-notification' };
      }
      if (this.pingRestart > 0 && this.nowNs >= this.lastRecv + this.pingRestart * SEC) {
        return { signo: SIGUSR1, hard: false, text: 'ping-restart', first: 'Inactivity timeout (--ping-restart), restarting' };
      }
      await this.c.rng.ensure(256);
      const end = await this.drivePeer();
      if (end) return end;
      if (this.up && this.ping > 0 && this.nowNs >= this.lastSend + this.ping * SEC) {
        await this.sendData(buildPing());
        await log.msg(D_PING, 'SENT PING');
      }
      if (this.pushRequestAt <= now && !this.pulled && this.peer!.sendMessage('PUSH_REQUEST')) {
        await log.msg(D_HANDSHAKE, "SENT CONTROL [" + this.peer!.commonName + "]: 'PUSH_REQUEST' (status=1)");
        this.pushRequestAt = now + 5;
        continue;
      }
      const fds: PollFd[] = [{ fd: this.link!.fd, events: POLLIN, revents: 0 }];
      const tunFd = this.device?.fd ?? -1;
      if (this.up && tunFd >= 0) fds.push({ fd: tunFd, events: POLLIN, revents: 0 });
      // A signal caught while the TLS engine had the event loop must not wait for a timeout.
      if (this.c.signals.length > 0) continue;
      try {
        await sys.poll(fds, this.pollTimeout());
        await this.updateTime();
      } catch (e) {
        if (!isSysError(e, 'EINTR')) throw e;
        await log.msg(M_INFO, `event_wait : ${strerror(e.errno)} (fd=-1,code=${e.code})`);
        continue;
      }
      if (fds[0]!.revents) {
        await this.fromLink();
        if (this.link!.reset) return CONNECTION_RESET;
      }
      if (fds[1]?.revents) await this.fromTun(tunFd);
    }
  }

  /** Sends what the control channel has to send and acts on what it reported. */
  private async drivePeer(): Promise<Stop | null> {
    const peer = this.peer!;
    // Whatever the events make the peer write goes out in the same turn.
    for (;;) {
      for (const d of await peer.output(this.now)) await this.link!.write(d, this.remote!);
      const events = peer.events.splice(0);
      if (events.length === 0) return null;
      for (const ev of events) {
        if (ev.kind === 'failed') return { signo: SIGUSR1, hard: false, text: 'tls-error' };
        if (ev.kind === 'active') await this.onActive(ev.keyId, ev.first);
        if (ev.kind === 'message') {
          const stop = await this.onMessage(ev.text);
          if (stop) return stop;
        }
      }
    }
  }

  private async onActive(keyId: number, first: boolean): Promise<void> {
    const { log, opts } = this.c;
    const peer = this.peer!;
    if (first) {
      await log.msg(M_INFO, `[${peer.commonName}] Peer Connection Initiated with ${printAddr(this.remote!.addr, this.remote!.port)}`);
      await log.msg(D_ROUTE, 'TLS: move_session: dest=TM_ACTIVE src=TM_INITIAL reinit_src=1');
      await log.msg(D_ROUTE, 'TLS: tls_multi_process: initial untrusted session promoted to trusted');
      // The server pushes unasked to a client that says IV_PROTO_REQUEST_PUSH; ask only if it did not.
      if (opts.pull) this.pushRequestAt = this.now + 1;
      else await this.start(null);
      return;
    }
    const cipher = this.pulled?.cipher ? lookupAead(this.pulled.cipher) : this.c.setup.ciphers[0]!;
    if (cipher) peer.installDataKeys(cipher, keyId);
  }

  private async onMessage(text: string): Promise<Stop | null> {
    const { log } = this.c;
    if (text.startsWith('PUSH_REPLY')) {
      await log.msg(D_ROUTE, `PUSH: Received control message: '${text}'`);
      if (this.pulled) return null;
      await this.start(parsePushReply(text));
      return null;
    }
    if (text === 'EXIT' || text.startsWith('RESTART')) {
      return { signo: SIGUSR1, hard: false, text: 'server-pushed-connection-reset' };
    }
    if (text === 'HALT') return { signo: SIGTERM, hard: false, text: 'server-pushed-halt' };
    if (text.startsWith('AUTH_FAILED')) {
      await log.msg(M_INFO, 'AUTH: Received control message: AUTH_FAILED');
      return { signo: SIGTERM, hard: false, text: 'auth-failure' };
    }
    if (text.startsWith('INFO')) return null;
    await log.msg(D_LINK_ERRORS, `WARNING: Received unknown control message: ${text}`);
    return null;
  }

  /** The pushed options applied (or, without --pull, the configured ones): keys, tun, routes. */
  private async start(p: Pulled | null): Promise<void> {
    const { sys, log, opts } = this.c;
    const peer = this.peer!;
    const o: Options = { ...opts, routes: [...opts.routes] };
    if (p) {
      this.pulled = p;
      for (const w of p.warnings) await log.msg(M_INFO, w);
      for (const i of p.ignored) await log.msg(D_ROUTE, `Options error: option '${i.split(' ')[0]}' cannot be used in this context ([PUSH-OPTIONS])`);
      if (p.ifconfig) {
        o.ifconfig = p.ifconfig;
        await log.msg(D_ROUTE, 'OPTIONS IMPORT: --ifconfig/up options modified');
      }
      if (p.topology) o.topology = p.topology;
      if (!opts.routeNopull && (p.routes.length > 0 || p.routeGateway)) {
        o.routes.push(...p.routes);
        o.routeGateway = p.routeGateway ?? o.routeGateway;
        await log.msg(D_ROUTE, 'OPTIONS IMPORT: route-related options modified');
      }
      if (!opts.routeNopull && p.dhcpOptions.length > 0) await log.msg(D_ROUTE, 'OPTIONS IMPORT: --ip-win32 and/or --dhcp-option options modified');
      if (p.ping !== null || p.pingRestart !== null) {
        this.ping = p.ping ?? this.ping;
        this.pingRestart = p.pingRestart ?? this.pingRestart;
        await log.msg(D_ROUTE, 'OPTIONS IMPORT: timers and/or timeouts modified');
      }
      if (p.tunMtu !== null) {
        o.tunMtu = p.tunMtu;
        await log.msg(D_ROUTE, `OPTIONS IMPORT: tun-mtu set to ${p.tunMtu}`);
      }
      if (p.peerId !== null) this.peerId = p.peerId;
      peer.ekm = p.protocolFlags.includes('tls-ekm');
      if (p.protocolFlags.includes('dyn-tls-crypt')) peer.enableDynTlsCrypt();
    }
    const cipher = lookupAead(p?.cipher ?? this.c.setup.ciphers[0]!.name);
    if (!cipher) {
      await log.msg(M_INFO, `OPTIONS ERROR: failed to import crypto options (ciphers) from pushed options: ${p?.cipher}`);
      return;
    }
    peer.installDataKeys(cipher);
    // As 2.6 recomputes it once the cipher is negotiated and the server's address known.
    this.mssFix = mssFixValue(o, { kind: this.c.kind, peerIpv4: true }, aeadSeal(this.peerId !== PEER_ID_UNDEF));
    if (this.device === null && this.c.kind !== 'null') {
      const routes = await routeList(sys, log, o, this.c.kind);
      const redirect = opts.routeNopull ? opts.redirectGateway : (p?.redirectGateway ?? opts.redirectGateway);
      if (redirect) {
        const gw = o.routeGateway ?? (o.topology !== 'subnet' ? (o.ifconfig?.remote ?? null) : null);
        routes.unshift(...(await redirectGatewayRoutes(sys, log, redirect, this.remote!.addr, gw)));
      }
      this.device = await openDevice(sys, log, o, this.c.kind);
      await configureDevice(sys, log, o, this.device);
      await addRoutes(sys, log, o, this.device, routes);
      // What update-resolv-conf, as --up, would do with the client's own and the pushed options.
      const dhcp = [...opts.dhcpOptions, ...(opts.routeNopull ? [] : (p?.dhcpOptions ?? []))];
      if (dhcp.length > 0) this.device.resolv = await applyResolv(sys, log, this.device.name, dhcp);
    }
    this.up = true;
    await log.msg(M_INFO, 'Initialization Sequence Completed');
    await log.msg(D_HANDSHAKE, `Data Channel: cipher '${cipher.name}', peer-id: ${this.peerId === PEER_ID_UNDEF ? 'none' : this.peerId}`);
    const timers: string[] = [];
    if (this.ping > 0) timers.push(`ping ${this.ping}`);
    if (this.pingRestart > 0) timers.push(`ping-restart ${this.pingRestart}`);
    if (timers.length > 0) await log.msg(D_HANDSHAKE, `Timers: ${timers.join(', ')}`);
    const proto: string[] = [];
    if (opts.explicitExitNotify > 0) proto.push(`explicit-exit-notify ${opts.explicitExitNotify}`);
    if (p && p.protocolFlags.length > 0) proto.push(`protocol-flags ${p.protocolFlags.join(' ')}`);
    if (proto.length > 0) await log.msg(D_HANDSHAKE, `Protocol options: ${proto.join(', ')}`);
  }

  private pollTimeout(): number {
    const due: number[] = [];
    const secToNs = (s: number) => s * SEC - this.wallOffset;
    const t = this.peer!.timeout(this.now);
    // The peer counts whole seconds: wake at the start of the second it names.
    due.push(t === 0 ? this.nowNs : secToNs(this.now + t));
    if (this.pingRestart > 0) due.push(this.lastRecv + this.pingRestart * SEC);
    if (this.up && this.ping > 0) due.push(this.lastSend + this.ping * SEC);
    if (this.pushRequestAt !== Infinity && !this.pulled) due.push(secToNs(this.pushRequestAt));
    if (this.exitAt !== Infinity) due.push(secToNs(this.exitAt));
    const next = Math.min(...due);
    if (next === Infinity) return -1;
    return Math.max(0, (next - this.nowNs) / 1e6);
  }

  private async takeSignal(): Promise<Stop | null> {
    const { log, opts } = this.c;
    while (this.c.signals.length > 0) {
      const signo = this.c.signals.shift()!;
      if (signo === SIGUSR2) continue;
      if ((signo === SIGTERM || signo === SIGINT) && opts.explicitExitNotify > 0 && this.up && this.exitAt === Infinity) {
        await log.msg(M_INFO, `${SIGNAL_NAMES[signo]} received, sending exit notification to peer`);
        this.peer!.sendMessage('EXIT');
        await log.msg(D_HANDSHAKE, `SENT CONTROL [${this.peer!.commonName}]: 'EXIT' (status=1)`);
        this.exitSignal = signo;
        this.exitAt = this.now + opts.explicitExitNotify;
        continue;
      }
      if (signo === SIGINT || signo === SIGTERM || signo === SIGUSR1 || signo === SIGHUP) return { signo, hard: true, text: '' };
    }
    return null;
  }

  private async sendData(payload: Uint8Array): Promise<void> {
    const key = this.peer!.encryptKey(this.now);
    if (!key) return;
    const datagram = key.seal(payload, this.peerId === PEER_ID_UNDEF ? null : this.peerId);
    this.peer!.countBytes(key.keyId, payload.length);
    this.lastSend = this.nowNs;
    await this.link!.write(datagram, this.remote!);
  }

  private async fromLink(): Promise<void> {
    for (const got of await this.link!.read()) await this.fromPeer(got.data, got.from);
  }

  private async fromPeer(data: Uint8Array, from: Endpoint): Promise<void> {
    const { log, opts } = this.c;
    if (!opts.float && !sameEndpoint(from, this.remote)) {
      await log.msg(
        D_LINK_ERRORS,
        `TCP/UDP: Incoming packet rejected from ${printAddr(from.addr, from.port)}[1], expected peer address: ${printAddr(this.remote!.addr, this.remote!.port)} (allow this incoming source address/port by removing --remote or adding --float)`,
      );
      return;
    }
    if (data.length === 0) return;
    const op = opcodeOf(data[0]!);
    if (op !== P_DATA_V2 && op !== P_DATA_V1) {
      await this.peer!.input(data, this.now, printAddr(from.addr, from.port));
      this.lastRecv = this.nowNs;
      return;
    }
    const key = this.peer!.decryptKey(data[0]! & 7);
    if (!key) return;
    const r = key.open(data, this.now);
    if (!r.ok) {
      if (!(opts.muteReplayWarnings && r.reason.includes('replay'))) await log.msg(D_CRYPT_ERRORS, r.reason);
      return;
    }
    this.lastRecv = this.nowNs;
    this.peer!.countBytes(key.keyId, r.payload.length);
    if (isPing(r.payload)) {
      await log.msg(D_PING, 'RECEIVED PING PACKET');
      return;
    }
    const fd = this.device?.fd ?? -1;
    if (fd < 0 || r.payload.length === 0) return;
    clampDevicePacket(r.payload, this.c.kind, this.mssFix);
    try {
      await this.c.sys.write(fd, r.payload);
    } catch (e) {
      if (!isSysError(e)) throw e;
      await log.msg(M_INFO, `write to TUN/TAP : ${strerror(e.errno)} (fd=-1,code=${e.code})`);
    }
  }

  private async fromTun(fd: number): Promise<void> {
    let packet: Uint8Array;
    try {
      packet = await this.c.sys.read(fd, 65536);
    } catch (e) {
      if (isSysError(e, 'EAGAIN') || isSysError(e, 'EINTR')) return;
      throw e;
    }
    if (packet.length === 0) return;
    clampDevicePacket(packet, this.c.kind, this.mssFix);
    await this.sendData(packet);
  }

  private async finish(stop: Stop): Promise<Ending> {
    const { sys, log, opts } = this.c;
    if (stop.first) await log.msg(M_INFO, stop.first);
    this.peer?.close();
    if (this.link) await this.link.close();
    const restart = stop.signo === SIGUSR1 || stop.signo === SIGHUP;
    let keep: Device | null = null;
    if (stop.signo === SIGUSR1 && opts.persistTun && this.device) keep = this.device;
    else if (this.device) await closeDevice(sys, log, this.device);
    const name = SIGNAL_NAMES[stop.signo] ?? `SIG${stop.signo}`;
    await log.msg(M_INFO, `${name}[${stopLabel(stop)},${stop.text}] received, process ${restart ? 'restarting' : 'exiting'}`);
    return endingFor(stop.signo, keep, stop.text === 'connection-failed');
  }
}
