// The uplink's TCP, as slirp does it: the gateway ends the guest's connections in its own stack's
// TCP (a transparent one: it answers for whatever address the guest connects to) and carries the
// bytes over real connections. A guest's SYN to 10.0.2.2:PORT (or to an allowed real address) is
// answered by a listener made for it on the spot; once accepted, a real connection to
// 127.0.0.1:PORT is opened, and the two streams are joined, FIN for FIN. If the real side refuses,
// the guest's connection is reset. A --forward tcp:REALPORT:HOST:PORT listens on the real
// 127.0.0.1:REALPORT and, for each real client, connects from 10.0.2.2 to the guest's PORT.
// Each real socket holds the scheduler open while it lives; real events reach the world through
// soon() and kick(), as the UDP side's do.

import { formatIpv4 } from '../abi/wire/address.js';
import type { Ipv4Repr } from '../abi/wire/ipv4.js';
import type { NetInterface } from '../net/iface/interface.js';
import type { TcpProtocol } from '../net/socket/tcp-protocol.js';
import type { TcpEngine } from '../net/tcp/engine.js';
import type { TcpSock } from '../net/tcp/sock.js';
import { finReceived, recvStep, sendStep, takeError, tcpDisconnect, tcpShutdownSend } from '../net/tcp/user.js';
import { TCP_CLOSE, TCP_ESTABLISHED, TCP_LISTEN, TCP_SYN_SENT } from '../abi/tcp.js';
import type { RealTcpServer, RealTcpSocket } from '../port/port.js';
import type { World } from './world.js';

/** Bytes read from a real socket that wait for the guest's window before the real side is paused. */
const REAL_BACKLOG = 256 * 1024;

/** What the uplink gives its TCP: the real side's policy and a log. */
export interface UplinkTcpIo {
  /** The real address a guest destination stands for (10.0.2.2 is 127.0.0.1), or null if refused. */
  realAddress(dst: number, port: number): string | null;
  log(line: string): void;
}

/** One guest connection joined to one real connection. */
class Splice {
  /** Bytes from the real side the guest's send buffer has not taken yet. */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private realEnded = false;
  private finSent = false;
  private realFinSent = false;
  private paused = false;
  private closed = false;

  constructor(
    private readonly tcp: UplinkTcp,
    private readonly sk: TcpSock,
    private readonly real: RealTcpSocket,
    private readonly release: () => void,
  ) {
    sk.events = { readable: () => this.pump(), writable: () => this.pump(), stateChanged: () => this.pump() };
    real.onData((d) =>
      tcp.fromReal(() => {
        this.pending.push(d);
        this.pendingBytes += d.length;
        if (this.pendingBytes > REAL_BACKLOG && !this.paused) {
          this.paused = true;
          real.pause();
        }
        this.pump();
      }),
    );
    real.onEnd(() => tcp.fromReal(() => ((this.realEnded = true), this.pump())));
    real.onClose((error) =>
      tcp.fromReal(() => {
        if (error !== null && !this.closed) {
          // The real side reset: so does the guest's.
          tcpDisconnect(this.sk);
          this.finish();
          return;
        }
        this.realEnded = true;
        this.pump();
      }),
    );
    real.resume();
    this.pump();
  }

  /** Move what can move both ways; close when both directions are done. */
  pump(): void {
    if (this.closed) return;
    const sk = this.sk;
    if (sk.state === TCP_CLOSE || (sk.err && sk.state !== TCP_ESTABLISHED)) {
      takeError(sk);
      this.real.destroy();
      this.finish();
      return;
    }
    // Guest to real.
    for (;;) {
      const r = recvStep(sk, 65536, false, 0, false);
      if (r.data.length) this.real.write(r.data);
      if (r.stop !== 'done' || r.data.length === 0) break;
    }
    if (finReceived(sk) && !this.realFinSent) {
      this.realFinSent = true;
      this.real.end();
    }
    // Real to guest.
    while (this.pending.length) {
      const head = this.pending[0]!;
      const s = sendStep(sk, head, 0, {});
      if (s.stop === 'error') {
        this.real.destroy();
        this.finish();
        return;
      }
      this.pendingBytes -= s.n;
      if (s.n < head.length) {
        this.pending[0] = head.subarray(s.n);
        break;
      }
      this.pending.shift();
    }
    if (this.paused && this.pendingBytes < REAL_BACKLOG / 2) {
      this.paused = false;
      this.real.resume();
    }
    if (this.realEnded && this.pending.length === 0 && !this.finSent) {
      this.finSent = true;
      tcpShutdownSend(sk);
    }
    if (this.finSent && this.realFinSent) this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.tcp.engine.close(this.sk);
    this.release();
  }
}

export class UplinkTcp {
  readonly engine: TcpEngine;
  /** The listeners made for guests' SYNs, by "address:port". */
  private readonly listeners = new Map<string, TcpSock>();
  private readonly servers: Array<{ server: RealTcpServer; release: () => void }> = [];

  constructor(
    private readonly world: World,
    /** The gateway stack's TCP, transparent. */
    private readonly tcp: TcpProtocol,
    private readonly io: UplinkTcpIo,
  ) {
    this.engine = tcp.engine;
  }

  /** Run a real socket's event in the world (it arrives from outside the scheduler). */
  fromReal(fn: () => void): void {
    this.world.sched.soon(fn);
    this.world.sched.kick();
  }

  /** A TCP segment from the guest, in its datagram. A SYN to a new destination gets its listener first. */
  input(iface: NetInterface, packet: Uint8Array, ip: Ipv4Repr, segment: Uint8Array): void {
    const dstPort = (segment[2]! << 8) | segment[3]!;
    const flags = segment[13]!;
    const syn = (flags & 0x02) !== 0 && (flags & 0x10) === 0;
    const key = `${formatIpv4(ip.dst)}:${dstPort}`;
    if (syn && !this.listeners.has(key)) {
      const real = this.io.realAddress(ip.dst, dstPort);
      if (real === null) return;
      const ls = this.engine.socket();
      if (this.engine.bind(ls, ip.dst, dstPort) !== null || this.engine.listen(ls, 64) !== null) return;
      ls.events = { readable: () => this.acceptAll(ls, real, dstPort), writable() {}, stateChanged() {} };
      this.listeners.set(key, ls);
    }
    this.tcp.input(iface, packet, ip, segment);
  }

  /** Each connection the guest completed: its real counterpart, or a reset when there is none. */
  private acceptAll(ls: TcpSock, realAddr: string, realPort: number): void {
    if (ls.state !== TCP_LISTEN) return;
    for (let sk = this.engine.accept(ls); sk; sk = this.engine.accept(ls)) {
      const child = sk;
      const release = this.world.sched.holdExternal();
      this.world.port
        .tcpConnect(realPort, realAddr)
        .then((real) => this.fromReal(() => new Splice(this, child, real, release)))
        .catch((e: Error) =>
          this.fromReal(() => {
            this.io.log(`uplink: TCP to ${realAddr}:${realPort} failed: ${e.message}`);
            tcpDisconnect(child);
            this.engine.close(child);
            release();
          }),
        );
    }
  }

  /** --forward tcp:REALPORT:…:PORT: real clients of 127.0.0.1:REALPORT reach the guest's PORT. */
  async forward(realPort: number, guest: number, guestPort: number): Promise<void> {
    const server = await this.world.port.tcpListen(realPort, '127.0.0.1', (real) =>
      this.fromReal(() => {
        const sk = this.engine.socket();
        const release = this.world.sched.holdExternal();
        if (this.engine.connect(sk, guest, guestPort) !== null) {
          real.destroy();
          release();
          return;
        }
        // The splice starts once the guest answered (or resets the real client if it refused).
        sk.events = {
          readable() {},
          writable: () => this.connected(sk, real, release),
          stateChanged: () => this.connected(sk, real, release),
        };
      }),
    );
    // A listening --forward keeps the world waiting for real clients, as a UDP one does.
    this.servers.push({ server, release: this.world.sched.holdExternal() });
  }

  private connected(sk: TcpSock, real: RealTcpSocket, release: () => void): void {
    if (sk.state === TCP_SYN_SENT) return;
    if (sk.state !== TCP_CLOSE) {
      new Splice(this, sk, real, release);
      return;
    }
    sk.events = null;
    real.destroy();
    this.engine.close(sk);
    release();
  }

  close(): void {
    for (const s of this.servers) {
      s.server.close();
      s.release();
    }
    this.servers.length = 0;
  }
}
