// One run of the tunnel between two restarts (OpenVPN's init_instance .. close_instance): open the
// device and the link, then one poll() on both with the next timer as its timeout (ping to send,
// ping-restart/exit to check, OCC request to repeat, "Initialization Sequence Completed" to print),
// never a busy loop. What ends it is returned: an exit, or a restart with the reason 2.6 logs.

import { isSysError, strerror } from '../../../kernel/abi/errno.js';
import { POLLIN, type PollFd } from '../../../kernel/abi/poll.js';
import { SIGHUP, SIGINT, SIGNAL_NAMES, SIGTERM, SIGUSR1, SIGUSR2 } from '../../../kernel/abi/signal.js';
import { CLOCK_MONOTONIC, CLOCK_REALTIME, type Sys } from '../../../kernel/abi/syscalls.js';
import { Batch } from './batch.js';
import type { Codec } from './codec.js';
import { clampMss } from './mssfix.js';
import { addRoutes, closeDevice, configureDevice, type Device, type Ending, endingFor, openDevice, routeList } from './device.js';
import { CONNECTION_RESET, type Endpoint, Link, resolveRemote, sameEndpoint, stopLabel } from './link.js';
import { formatTimeUtc } from './data-channel.js';
import { D_HANDSHAKE, D_LINK_ERRORS, D_LINK_RW, D_LOW, D_PACKET_CONTENT, D_PING, D_SHOW_OCC, D_SHOW_PARMS, type Logger, M_INFO, printAddr } from './log.js';
import { buildOccReply, buildOccRequest, buildPing, classifyPayload, OCC_INTERVAL_SECONDS, OCC_N_TRIES, occReplyWarnings } from './messages.js';
import type { Options } from './options.js';

const SEC = 1e9;
/** What the whole program shares across restarts. */
export interface Context {
  readonly sys: Sys;
  readonly log: Logger;
  readonly opts: Options;
  readonly kind: 'tun' | 'tap' | 'null';
  readonly codec: Codec;
  readonly occLocal: string;
  readonly occRemote: string;
  /** The MSS a TCP SYN through the tun is clamped to (mssfix.ts); 0 for none. */
  readonly mssFix: number;
  /** Signals caught by the handlers, oldest first. */
  readonly signals: number[];
}


/** How an instance stops: the signal OpenVPN raises, hard (from outside) or soft (its own). */
interface Stop {
  readonly signo: number;
  readonly hard: boolean;
  readonly label?: string;
  readonly text: string;
  /** The line before the closing lines ("Inactivity timeout (--ping-restart), restarting"). */
  readonly first?: string;
}

export class Instance {
  private link: Link | null = null;
  private device: Device | null;
  private remote: Endpoint | null = null;
  private peer: Endpoint | null = null;
  private established = false;
  private up = false;
  /**
   * wait_for_connect, a one-second coarse timer on whole seconds of the wall clock (time_t):
   * `waitLast` is the second it last fired, `wallOffset` turns the monotonic clock into wall time.
   */
  private waitLast = 0;
  private wallOffset = 0;
  private t0 = 0;
  private lastSend = -Infinity;
  private lastRecv = 0;
  private occTries = 0;
  private occNext = Infinity;
  /** After a tun read error, the tun is left out of poll until then (see fromTun). */
  private tunQuietUntil = 0;
  private tunRead = 0;
  private readonly linkBatch = new Batch();
  private readonly tunBatch = new Batch();
  private tunWrite = 0;
  private authRead = 0;

  constructor(
    private readonly c: Context,
    persisted: Device | null,
  ) {
    this.device = persisted;
  }

  /**
   * The monotonic clock as of the last updateTime(): like OpenVPN's `now`, read once per turn of the
   * event loop and after each wait, not for every use.
   */
  private nowNs = 0;

  private async updateTime(): Promise<number> {
    this.nowNs = await this.c.sys.clock_gettime(CLOCK_MONOTONIC);
    return this.nowNs;
  }

  /** The wall clock's whole second (OpenVPN's `now`, a time_t) at monotonic time `mono`. */
  private wallSecond(mono: number): number {
    return Math.floor((mono + this.wallOffset) / SEC);
  }

  async run(): Promise<Ending> {
    const { sys, log, opts } = this.c;
    const remote = await resolveRemote(sys, log, opts);
    if (typeof remote === 'string') return this.finish({ signo: SIGUSR1, hard: false, text: remote });
    this.remote = remote;
    this.peer = remote;
    const routes = await routeList(sys, log, opts, this.c.kind);
    if (this.device === null) {
      this.device = await openDevice(sys, log, opts, this.c.kind);
      await configureDevice(sys, log, opts, this.device);
      await addRoutes(sys, log, opts, this.device, routes);
    } else {
      await log.msg(M_INFO, `Preserving previous TUN/TAP instance: ${this.device.name}`);
    }
    const mtu = opts.tunMtu;
    await log.msg(
      D_SHOW_PARMS,
      `Data Channel MTU parms [ mss_fix:0 max_frag:0 tun_mtu:${mtu} tun_max_mtu:${mtu + 100} headroom:136 payload:${mtu + 268} tailroom:562 ET:${this.c.kind === 'tap' ? 32 : 0} ]`,
    );
    await log.msg(D_SHOW_OCC, `Local Options String (VER=V4): '${this.c.occLocal}'`);
    await log.msg(D_SHOW_OCC, `Expected Remote Options String (VER=V4): '${this.c.occRemote}'`);
    const link = await Link.open(sys, log, opts, remote, this.c.signals);
    if (!(link instanceof Link)) return this.finish(link);
    this.link = link;
    this.t0 = await this.updateTime();
    this.wallOffset = (await sys.clock_gettime(CLOCK_REALTIME)) - this.t0;
    this.waitLast = this.wallSecond(this.t0);
    this.lastRecv = this.t0;
    this.occNext = this.t0 + OCC_INTERVAL_SECONDS * SEC;
    return this.finish(await this.loop());
  }

  /** The event loop: timers, then one poll on the link and the device. */
  private async loop(): Promise<Stop> {
    const { sys, log, opts } = this.c;
    const link = this.link!;
    const tunFd = this.device!.fd;
    for (;;) {
      const stop = await this.takeSignal();
      if (stop) return stop;
      const now = await this.updateTime();
      if (opts.pingRec > 0 && now >= this.lastRecv + opts.pingRec * SEC) {
        return opts.pingRecAction === 'exit'
          ? { signo: SIGTERM, hard: false, text: 'ping-exit', first: 'Inactivity timeout (--ping-exit), exiting' }
          : { signo: SIGUSR1, hard: false, text: 'ping-restart', first: 'Inactivity timeout (--ping-restart), restarting' };
      }
      if (!this.up && this.wallSecond(now) >= this.waitLast + 1) {
        // check_connection_established(): up at the first tick after the first authenticated packet.
        this.waitLast = this.wallSecond(now);
        if (this.established) await this.doUp();
      }
      if (now >= this.occNext) await this.occTick(now);
      if (opts.ping > 0 && this.peer && now >= this.lastSend + opts.ping * SEC) {
        await this.send(buildPing(), undefined, 'SENT PING');
      }
      const fds: PollFd[] = [{ fd: link.fd, events: POLLIN, revents: 0 }];
      if (now >= this.tunQuietUntil) this.tunQuietUntil = 0;
      if (tunFd >= 0 && this.tunQuietUntil === 0) fds.push({ fd: tunFd, events: POLLIN, revents: 0 });
      const timeout = this.pollTimeout();
      // A signal caught since the top of the loop (its handler runs as a call returns) must not
      // wait for the poll's timeout: the last look comes after the last call before poll.
      if (this.c.signals.length > 0) continue;
      try {
        await sys.poll(fds, timeout);
        await this.updateTime();
      } catch (e) {
        if (!isSysError(e, 'EINTR')) throw e;
        await log.msg(M_INFO, `event_wait : ${strerror(e.errno)} (fd=-1,code=${e.code})`);
        continue;
      }
      if (fds[0]!.revents) {
        const n = this.linkBatch.size();
        let read = 0;
        while (read < n) {
          const stop2 = await this.fromLink();
          if (stop2) return stop2;
          if (link.reset) return CONNECTION_RESET;
          if (!link.more) break;
          read++;
          if (this.c.signals.length > 0) break;
        }
        this.linkBatch.done(read, n);
      }
      if (fds[1]?.revents) {
        const n = this.tunBatch.size();
        let read = 0;
        while (read < n && (await this.fromTun(tunFd))) {
          read++;
          if (this.c.signals.length > 0) break;
        }
        this.tunBatch.done(read, n);
      }
    }
  }

  private pollTimeout(): number {
    const { opts } = this.c;
    const due: number[] = [this.occNext];
    if (opts.pingRec > 0) due.push(this.lastRecv + opts.pingRec * SEC);
    if (opts.ping > 0 && this.peer) due.push(this.lastSend + opts.ping * SEC);
    if (this.established && !this.up) {
      // The coarse timer sleeps whole seconds from now, as OpenVPN's event loop does.
      const now = this.nowNs;
      due.push(now + (this.waitLast + 1 - this.wallSecond(now)) * SEC);
    }
    if (this.tunQuietUntil > 0) due.push(this.tunQuietUntil);
    const next = Math.min(...due);
    if (next === Infinity) return -1;
    return Math.max(0, (next - this.nowNs) / 1e6);
  }

  /** Signals caught since the last look: SIGUSR2 prints statistics, the others stop the instance. */
  private async takeSignal(): Promise<Stop | null> {
    while (this.c.signals.length > 0) {
      const signo = this.c.signals.shift()!;
      if (signo === SIGUSR2) {
        await this.statistics();
        continue;
      }
      if (signo === SIGINT || signo === SIGTERM || signo === SIGUSR1 || signo === SIGHUP) return { signo, hard: true, text: '' };
    }
    return null;
  }

  private async statistics(): Promise<void> {
    const { log, sys } = this.c;
    const when = formatTimeUtc(Math.floor((await sys.clock_gettime(CLOCK_REALTIME)) / SEC));
    const lines = [
      'OpenVPN STATISTICS',
      `Updated,${when}`,
      `TUN/TAP read bytes,${this.tunRead}`,
      `TUN/TAP write bytes,${this.tunWrite}`,
      `TCP/UDP read bytes,${this.link?.readBytes ?? 0}`,
      `TCP/UDP write bytes,${this.link?.writeBytes ?? 0}`,
      `Auth read bytes,${this.authRead}`,
      'END',
    ];
    for (const l of lines) await log.msg(M_INFO, l);
  }

  /** Seal and send one payload to the peer; nothing goes out before a peer is known. */
  private async send(payload: Uint8Array, before?: string, after?: string): Promise<void> {
    if (!this.peer) return;
    const { log, codec } = this.c;
    if (before) await log.msg(D_PACKET_CONTENT, before);
    const datagram = await codec.seal(payload, this.wallSecond(this.nowNs));
    if (after) await log.msg(D_PING, after);
    this.lastSend = this.nowNs;
    await this.link!.write(datagram, this.peer);
  }

  /** check_send_occ_req(): every 10 s from the start, 11 requests, then give up. */
  private async occTick(now: number): Promise<void> {
    if (++this.occTries >= OCC_N_TRIES) {
      if (this.c.opts.remote) {
        await this.c.log.msg(
          D_SHOW_OCC,
          'NOTE: failed to obtain options consistency info from peer -- this could be due to remote peer running a different version of OpenVPN.',
        );
      }
      this.occNext = Infinity;
      return;
    }
    this.occNext = now + OCC_INTERVAL_SECONDS * SEC;
    await this.send(buildOccRequest(), 'SENT OCC_REQUEST');
  }

  /** do_up(): the success marker, a whole second after the start as OpenVPN's timer ticks. */
  private async doUp(): Promise<void> {
    const { log, opts, codec } = this.c;
    this.up = true;
    await log.msg(M_INFO, 'Initialization Sequence Completed');
    await log.msg(D_HANDSHAKE, `Data Channel: cipher '${codec.cipherName}', auth '${codec.authName}'`);
    const timers: string[] = [];
    if (opts.ping > 0) timers.push(`ping ${opts.ping}`);
    if (opts.pingRec > 0) timers.push(`ping-${opts.pingRecAction} ${opts.pingRec}`);
    if (timers.length > 0) await log.msg(D_HANDSHAKE, `Timers: ${timers.join(', ')}`);
  }

  private async fromLink(): Promise<Stop | null> {
    for (const got of await this.link!.read()) {
      const stop = await this.fromPeer(got.data, got.from);
      if (stop) return stop;
    }
    return null;
  }

  private async fromPeer(data: Uint8Array, from: Endpoint): Promise<Stop | null> {
    const { log, opts, codec } = this.c;
    if (this.remote && !opts.float && !sameEndpoint(from, this.remote)) {
      await log.msg(
        D_LINK_ERRORS,
        `TCP/UDP: Incoming packet rejected from ${printAddr(from.addr, from.port)}[1], expected peer address: ${printAddr(this.remote.addr, this.remote.port)} (allow this incoming source address/port by removing --remote or adding --float)`,
      );
      return null;
    }
    const opened = await codec.open(data, this.wallSecond(this.nowNs));
    if (!opened.ok) {
      // Where only openvpn can see it: the datagram's journey ends here, and why.
      if (opened.failure) await this.c.sys.journey_drop(opened.failure === 'replay' ? 'replay' : opened.failure === 'hmac' || opened.failure === 'missing-auth' ? 'hmac' : 'decrypt');
      return null;
    }
    this.lastRecv = this.nowNs;
    this.authRead += opened.payload.length;
    if (!this.established || !sameEndpoint(from, this.peer)) {
      this.peer = from;
      await log.msg(M_INFO, `Peer Connection Initiated with ${printAddr(from.addr, from.port)}`);
      this.established = true;
    }
    const p = classifyPayload(opened.payload);
    if (p.kind === 'ping') {
      await log.msg(D_PING, 'RECEIVED PING PACKET');
      return null;
    }
    if (p.kind === 'occ') {
      const m = p.message;
      switch (m.name) {
        case 'OCC_REQUEST':
          await log.msg(D_PACKET_CONTENT, 'RECEIVED OCC_REQUEST');
          await this.send(buildOccReply(this.c.occLocal), 'SENT OCC_REPLY');
          break;
        case 'OCC_REPLY':
          await log.msg(D_PACKET_CONTENT, 'RECEIVED OCC_REPLY');
          for (const w of occReplyWarnings(this.c.occRemote, m.options)) await log.msg(D_SHOW_OCC, w);
          this.occNext = Infinity;
          break;
        case 'OCC_EXIT':
          await log.msg(D_PACKET_CONTENT, 'RECEIVED OCC_EXIT');
          return { signo: SIGUSR1, hard: false, text: 'remote-exit' };
        default:
          break;
      }
      return null;
    }
    await this.toTun(p.payload);
    return null;
  }

  private async toTun(packet: Uint8Array): Promise<void> {
    const { sys, log } = this.c;
    const fd = this.device!.fd;
    if (fd < 0) return;
    if (this.c.mssFix > 0 && this.c.kind === 'tun') clampMss(packet, this.c.mssFix);
    if (log.enabled(D_LINK_RW)) await log.msg(D_LINK_RW, `TUN WRITE [${packet.length}]`);
    try {
      const n = await sys.write(fd, packet);
      if (log.logsRw) await log.rw('w');
      this.tunWrite += n;
    } catch (e) {
      if (!isSysError(e)) throw e;
      await log.msg(M_INFO, `write to TUN/TAP : ${strerror(e.errno)} (fd=-1,code=${e.code})`);
    }
  }

  /** One packet from the tun; false when there was none to read (EAGAIN, an error, an empty read). */
  private async fromTun(fd: number): Promise<boolean> {
    const { sys, log } = this.c;
    let packet: Uint8Array;
    try {
      packet = await sys.read(fd, 65536);
    } catch (e) {
      if (isSysError(e, 'EAGAIN') || isSysError(e, 'EINTR')) return false;
      if (!isSysError(e)) throw e;
      // 2.6 logs this and polls again at once, forever (an interface deleted under it logs
      // "File descriptor in bad state" hundreds of thousands of times a second). Here the tun is
      // left out of poll for a second after each error, so virtual time can go on.
      await log.msg(M_INFO, `read from TUN/TAP : ${strerror(e.errno)} (fd=-1,code=${e.code})`);
      this.tunQuietUntil = this.nowNs + SEC;
      return false;
    }
    if (log.enabled(D_PACKET_CONTENT)) await log.msg(D_PACKET_CONTENT, ` read from TUN/TAP returned ${packet.length}`);
    if (packet.length === 0) return false;
    if (log.enabled(D_LINK_RW)) await log.msg(D_LINK_RW, `TUN READ [${packet.length}]`);
    if (log.logsRw) await log.rw('r');
    this.tunRead += packet.length;
    // drop_if_recursive_routing(): a packet for the peer itself would loop through the tunnel.
    if (this.c.kind === 'tun' && this.peer && packet.length >= 20 && packet[0]! >> 4 === 4) {
      const dst = `${packet[16]}.${packet[17]}.${packet[18]}.${packet[19]}`;
      if (dst === this.peer.addr) {
        await log.msg(D_LOW, `Recursive routing detected, drop tun packet to ${printAddr(this.peer.addr, this.peer.port)}`);
        return true;
      }
    }
    if (this.c.mssFix > 0 && this.c.kind === 'tun') clampMss(packet, this.c.mssFix);
    await this.send(packet);
    return true;
  }

  /** close_instance(): the closing lines, in 2.6's order, and what comes next. */
  private async finish(stop: Stop): Promise<Ending> {
    const { sys, log, opts } = this.c;
    if (stop.first) await log.msg(M_INFO, stop.first);
    if (this.link) await this.link.close();
    const restart = stop.signo === SIGUSR1 || stop.signo === SIGHUP;
    let keep: Device | null = null;
    if (stop.signo === SIGUSR1 && opts.persistTun && this.device) keep = this.device;
    else if (this.device) await closeDevice(sys, log, this.device);
    else await log.msg(D_HANDSHAKE, 'Closing TUN/TAP interface');
    const name = SIGNAL_NAMES[stop.signo] ?? `SIG${stop.signo}`;
    await log.msg(M_INFO, `${name}[${stopLabel(stop)},${stop.text}] received, process ${restart ? 'restarting' : 'exiting'}`);
    return endingFor(stop.signo, keep, stop.text === 'connection-failed');
  }
}
