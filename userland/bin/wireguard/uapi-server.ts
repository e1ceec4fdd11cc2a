// The UAPI socket (wireguard-go's ipc/uapi_unix.go): /var/run/wireguard/IF.sock, an AF_UNIX stream
// socket made under umask 077 (srwx------). A name already bound by a live daemon is "unix socket
// in use"; a stale one (nobody answers a connect) is removed and bound again. Each accepted
// connection is a UapiSession; reads and writes never block the device (a client that sends
// without reading, or too much, is cut off).

import { isSysError } from '../../../kernel/abi/errno.js';
import { POLLIN, POLLOUT, type PollFd } from '../../../kernel/abi/poll.js';
import { AF_UNIX, MSG_DONTWAIT, MSG_NOSIGNAL, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_STREAM, sockaddrUn } from '../../../kernel/abi/socket.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { mkdirAll } from '../../lib/fileio.js';
import type { Device } from './device.js';
import { goErrno } from './tun.js';
import { UapiSession } from './uapi.js';

export const SOCKET_DIRECTORY = '/var/run/wireguard';
export const socketPath = (ifname: string) => `${SOCKET_DIRECTORY}/${ifname}.sock`;

/** Connections served at once; more are accepted and closed. */
const MAX_CONNECTIONS = 32;
/** Bytes a connection may have waiting, either way, before it is dropped. */
const MAX_BUFFERED = 1 << 20;

/** UAPIOpen: the listening socket's fd, or Go's error text. */
export async function uapiOpen(sys: Sys, ifname: string): Promise<number | string> {
  const path = socketPath(ifname);
  try {
    await mkdirAll(sys, SOCKET_DIRECTORY);
  } catch (e) {
    return `mkdir ${SOCKET_DIRECTORY}: ${goErrno(e)}`;
  }
  const listen = async (): Promise<number> => {
    const fd = await sys.socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    // UAPIListen binds under a umask of 077 (srwx------): only root may talk to the daemon.
    const old = await sys.umask(0o077);
    try {
      await sys.bind(fd, sockaddrUn(path));
      await sys.listen(fd, 4096);
      return fd;
    } catch (e) {
      await sys.close(fd);
      throw e;
    } finally {
      await sys.umask(old);
    }
  };
  try {
    return await listen();
  } catch (e) {
    if (!isSysError(e, 'EADDRINUSE')) return `listen unix ${path}: bind: ${goErrno(e)}`;
  }
  // Somebody's name: if a daemon answers there it is in use, otherwise it is stale.
  const probe = await sys.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  try {
    await sys.connect(probe, sockaddrUn(path));
    return 'unix socket in use';
  } catch (e) {
    if (!isSysError(e)) throw e;
  } finally {
    await sys.close(probe);
  }
  try {
    await sys.unlink(path);
    return await listen();
  } catch (e) {
    return `remove ${path}: ${goErrno(e)}`;
  }
}

interface Connection {
  fd: number;
  session: UapiSession;
  /** Bytes of the session's answers not yet written. */
  pending: Uint8Array;
}

export class UapiServer {
  private readonly conns: Connection[] = [];
  private readonly enc = new TextEncoder();

  constructor(
    private readonly sys: Sys,
    private readonly dev: Device,
    readonly listenFd: number,
  ) {}

  /** The fds to poll: the listener, each connection (for output too when some waits). */
  pollFds(): PollFd[] {
    return [
      { fd: this.listenFd, events: POLLIN, revents: 0 },
      ...this.conns.map((c) => ({ fd: c.fd, events: POLLIN | (c.pending.length ? POLLOUT : 0), revents: 0 })),
    ];
  }

  /** Serve what poll said is ready. */
  async serve(ready: PollFd[]): Promise<void> {
    for (const p of ready) {
      if (!p.revents) continue;
      if (p.fd === this.listenFd) await this.acceptAll();
      else {
        const c = this.conns.find((x) => x.fd === p.fd);
        if (c) await this.service(c);
      }
    }
  }

  private async acceptAll(): Promise<void> {
    for (;;) {
      let fd: number;
      try {
        fd = (await this.sys.accept4(this.listenFd, SOCK_NONBLOCK | SOCK_CLOEXEC)).fd;
      } catch (e) {
        if (!isSysError(e)) throw e;
        return;
      }
      if (this.conns.length >= MAX_CONNECTIONS) await this.sys.close(fd);
      else this.conns.push({ fd, session: new UapiSession(this.dev), pending: new Uint8Array(0) });
    }
  }

  private async service(c: Connection): Promise<void> {
    let eof = false;
    for (;;) {
      let data: Uint8Array;
      try {
        data = (await this.sys.recvfrom(c.fd, 65536, MSG_DONTWAIT)).data;
      } catch (e) {
        if (!isSysError(e)) throw e;
        if (e.errno !== 'EAGAIN') eof = true;
        break;
      }
      if (data.length === 0) {
        eof = true;
        break;
      }
      await c.session.input(data);
      this.take(c);
      if (c.session.closing || c.pending.length > MAX_BUFFERED) break;
    }
    if (eof) {
      await c.session.end();
      this.take(c);
    }
    await this.flush(c);
    if (c.session.closing || eof || c.pending.length > MAX_BUFFERED) await this.drop(c);
  }

  private take(c: Connection): void {
    if (!c.session.out) return;
    const more = this.enc.encode(c.session.out);
    c.session.out = '';
    const next = new Uint8Array(c.pending.length + more.length);
    next.set(c.pending);
    next.set(more, c.pending.length);
    c.pending = next;
  }

  private async flush(c: Connection): Promise<void> {
    while (c.pending.length > 0) {
      try {
        c.pending = c.pending.subarray(await this.sys.sendto(c.fd, c.pending, MSG_DONTWAIT | MSG_NOSIGNAL));
      } catch (e) {
        if (!isSysError(e)) throw e;
        if (e.errno !== 'EAGAIN') c.pending = new Uint8Array(0);
        return;
      }
    }
  }

  private async drop(c: Connection): Promise<void> {
    this.conns.splice(this.conns.indexOf(c), 1);
    try {
      await this.sys.close(c.fd);
    } catch (e) {
      if (!isSysError(e)) throw e;
    }
  }

  async close(): Promise<void> {
    for (const c of [...this.conns]) await this.drop(c);
    await this.sys.close(this.listenFd);
  }
}
