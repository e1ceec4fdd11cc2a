// The daemon's one thread: a poll() on the tun, the UDP socket and the UAPI sockets, its timeout the
// earliest peer timer, so the kernel clock alone says when anything happens (virtual time runs a
// scenario identically every time). Each wake reads the clocks once, then what is ready, a bounded
// batch at a time, as wireguard-go's routines would. Here the device meets the syscalls: DeviceIo
// sends on the socket, writes the tun and reads /dev/urandom.

import { isSysError } from '../../../kernel/abi/errno.js';
import { F_SETFL, O_NONBLOCK } from '../../../kernel/abi/fcntl.js';
import { POLLIN, type PollFd } from '../../../kernel/abi/poll.js';
import { SIGINT, SIGTERM } from '../../../kernel/abi/signal.js';
import { AF_INET, MSG_DONTWAIT, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, type SockaddrIn, sockaddrIn } from '../../../kernel/abi/socket.js';
import { CLOCK_MONOTONIC, CLOCK_REALTIME, type Sys } from '../../../kernel/abi/syscalls.js';
import type { ProgramDropReason } from '../../../kernel/abi/journey.js';
import { RandomPool } from '../../lib/random.js';
import { Device, type DeviceIo } from './device.js';
import type { WgLog } from './log.js';
import { processHandshakes, receiveDatagram } from './receive.js';
import { fromTun } from './send.js';
import { runTimers } from './timer-handlers.js';
import { getMtu, goErrno } from './tun.js';
import { UapiServer } from './uapi-server.js';


class SyscallIo implements DeviceIo {
  udp = -1;

  constructor(
    private readonly sys: Sys,
    private readonly tun: number,
    private readonly rng: RandomPool,
  ) {}

  async send(data: Uint8Array, to: { addr: string; port: number }): Promise<string | null> {
    if (this.udp < 0) return 'bind is closed';
    try {
      await this.sys.sendto(this.udp, data, 0, sockaddrIn(to.addr, to.port));
      return null;
    } catch (e) {
      return goErrno(e);
    }
  }

  async writeTun(packet: Uint8Array): Promise<void> {
    try {
      await this.sys.write(this.tun, packet);
    } catch (e) {
      // A tun that is down takes nothing (EIO): the packet is lost, as on Linux.
      if (!isSysError(e)) throw e;
    }
  }

  random(n: number): Promise<Uint8Array> {
    return this.rng.bytes(n);
  }

  async dropped(reason: ProgramDropReason): Promise<void> {
    await this.sys.journey_drop(reason);
  }

  /** BindUpdate: a new socket on `port` (0: any); the old one closes only once the new one is there. */
  async bind(port: number): Promise<number | string> {
    let fd: number;
    try {
      fd = await this.sys.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    } catch (e) {
      return goErrno(e);
    }
    try {
      if (this.udp >= 0 && port !== 0) {
        // Rebinding to the port the old socket holds: let it go first, as wireguard-go closes its bind.
        const old = (await this.sys.getsockname(this.udp)) as SockaddrIn;
        if (old.sin_port === port) await this.closeUdp();
      }
      await this.sys.bind(fd, sockaddrIn('0.0.0.0', port));
    } catch (e) {
      await this.sys.close(fd);
      return goErrno(e);
    }
    await this.closeUdp();
    this.udp = fd;
    return ((await this.sys.getsockname(fd)) as SockaddrIn).sin_port;
  }

  async closeUdp(): Promise<void> {
    if (this.udp < 0) return;
    const fd = this.udp;
    this.udp = -1;
    await this.sys.close(fd);
  }
}

export interface Daemon {
  sys: Sys;
  log: WgLog;
  ifname: string;
  tunFd: number;
  uapiFd: number;
  /** The wall clock as last read, which the log stamps its lines with. */
  clock: { wall: number };
}

/** Run the device until SIGTERM or SIGINT, or until its tun goes away; the exit status. */
export async function runDaemon(d: Daemon): Promise<number> {
  const { sys, log } = d;
  const signals: number[] = [];
  for (const s of [SIGTERM, SIGINT]) await sys.sigaction(s, (n) => void signals.push(n));
  await sys.fcntl(d.tunFd, F_SETFL, O_NONBLOCK);
  const rng = new RandomPool(sys);
  const io = new SyscallIo(sys, d.tunFd, rng);
  const dev = new Device(io, log);
  // The wall clock is read with the monotonic one only now and then: in between it is the monotonic
  // clock plus the last offset seen (one clock_gettime per wake, not two).
  let wallOffset = 0;
  let offsetRead = -Infinity;
  const tick = async () => {
    dev.now = await sys.clock_gettime(CLOCK_MONOTONIC);
    if (dev.now - offsetRead >= 1e9) {
      wallOffset = (await sys.clock_gettime(CLOCK_REALTIME)) - dev.now;
      offsetRead = dev.now;
    }
    dev.wallNow = d.clock.wall = dev.now + wallOffset;
  };
  await tick();
  await log.verbose('Device started');
  const uapi = new UapiServer(sys, dev, d.uapiFd);
  await log.verbose('UAPI listener started');
  // No netlink here: the device is up from the start, so its socket is bound at once (port 0: any).
  await log.verbose('Interface up requested');
  const bound = await io.bind(0);
  if (typeof bound === 'number') {
    dev.boundPort = bound;
    await log.verbose('UDP bind has been updated');
  }
  await log.verbose('Interface state was Down, requested Up, now Up');
  let lastMtuCheck = -Infinity;
  for (;;) {
    if (signals.length > 0) break;
    await runTimers(dev);
    await processHandshakes(dev);
    const fds: PollFd[] = [{ fd: d.tunFd, events: POLLIN, revents: 0 }, ...uapi.pollFds()];
    if (io.udp >= 0) fds.push({ fd: io.udp, events: POLLIN, revents: 0 });
    const next = dev.nextDeadline();
    const timeout = next === Infinity ? -1 : Math.max(0, Math.ceil((next - dev.now) / 1e6));
    try {
      await sys.poll(fds, timeout);
    } catch (e) {
      if (isSysError(e, 'EINTR')) continue;
      throw e;
    }
    await tick();
    await dev.refillRandom();
    // One datagram and one packet per wake: poll says again at once when more wait, which costs
    // less than reading until EAGAIN.
    const udpReady = io.udp >= 0 && fds.find((p) => p.fd === io.udp)?.revents;
    if (udpReady) {
      try {
        const got = await sys.recvfrom(io.udp, 65536, MSG_DONTWAIT);
        const from = got.from as SockaddrIn | null;
        if (from) await receiveDatagram(dev, got.data, { addr: from.sin_addr, port: from.sin_port });
      } catch (e) {
        if (!isSysError(e)) throw e;
      }
      await processHandshakes(dev);
    }
    if (fds[0]!.revents) {
      if (dev.now - lastMtuCheck > 1e9) {
        lastMtuCheck = dev.now;
        dev.mtu = (await getMtu(sys, d.ifname)) ?? dev.mtu;
      }
      try {
        const packet = await sys.read(d.tunFd, 65536);
        await fromTun(dev, packet);
      } catch (e) {
        if (!isSysError(e)) throw e;
        if (e.errno !== 'EAGAIN' && e.errno !== 'EINTR') {
          // The interface is gone (wg-quick down deletes it): the device closes, as wireguard-go does.
          await log.error(`Failed to read packet from TUN device: ${goErrno(e)}`);
          break;
        }
      }
    }
    await uapi.serve(fds.slice(1));
  }
  await log.verbose('Device closing');
  for (const p of dev.peers.values()) await log.verbose(`${p.name} - Stopping`);
  await uapi.close();
  await io.closeUdp();
  await rng.close();
  await log.verbose('Device closed');
  return 0;
}
