// The tun device under test (netdev.c's local_netdev): created as tun0, brought up, given the
// local address and a route to the remote prefix through the gateway, as packetdrill does with
// ioctls and `ip route`. Outbound packets are taken by a thread that reads the device all along
// and stamps each with the clock as it arrives, standing in for packetdrill's AF_PACKET sniffer
// and its SIOCGSTAMP times; the runner waits for them on a pipe. Inbound packets are written
// into the device.

import { isSysError } from '../../../kernel/abi/errno.js';
import { O_RDWR } from '../../../kernel/abi/fcntl.js';
import { IFF_RUNNING, IFF_UP, type Ifreq } from '../../../kernel/abi/if.js';
import { IFF_NO_PI, IFF_TUN, SIOCADDRT, SIOCDELRT, SIOCGIFFLAGS, SIOCSIFADDR, SIOCSIFFLAGS, SIOCSIFMTU, SIOCSIFNETMASK, TUNSETIFF } from '../../../kernel/abi/ioctl.js';
import { POLLIN } from '../../../kernel/abi/poll.js';
import { RTF_GATEWAY, RTF_UP, type Rtentry } from '../../../kernel/abi/route.js';
import { AF_INET, SOCK_DGRAM, SOCK_STREAM, sockaddrIn } from '../../../kernel/abi/socket.js';
import { CLOCK_MONOTONIC, type Sys } from '../../../kernel/abi/syscalls.js';
import { formatIpv4, maskFromPrefix } from '../../../kernel/abi/wire/address.js';

/** TUN_DRIVER_DEFAULT_MTU. */
export const DEFAULT_MTU = 1500;
export const TUN_NAME = 'tun0';

export interface NetConfig {
  localIp: number;
  remoteIp: number;
  remotePrefix: number;
  gatewayIp: number;
  prefixLen: number;
  mtu: number;
}

export class Die extends Error {}

export interface Sniffed {
  bytes: Uint8Array;
  usecs: number;
}

export async function nowUsecs(sys: Sys): Promise<number> {
  return Math.floor((await sys.clock_gettime(CLOCK_MONOTONIC)) / 1000);
}

export class Netdev {
  private readonly queue: Sniffed[] = [];
  private wakeR = -1;
  private wakeW = -1;

  private constructor(
    private readonly sys: Sys,
    readonly tunFd: number,
  ) {}

  /** local_netdev_new: the device, its address and route, and the sniffing thread. */
  static async create(sys: Sys, cfg: NetConfig): Promise<Netdev> {
    let fd = -1;
    for (let tries = 1; ; tries++) {
      try {
        fd = await sys.open('/dev/misc/tun', O_RDWR);
        // Linux names the first free tun "tun0" when asked for none; tunlab's driver follows
        // Haiku's tun/N names, so the name the scripts use is asked for outright.
        await sys.ioctl(fd, TUNSETIFF, { ifr_name: TUN_NAME, ifr_flags: IFF_TUN | IFF_NO_PI } satisfies Ifreq);
        break;
      } catch (e) {
        if (!isSysError(e)) throw e;
        if (fd >= 0) await sys.close(fd);
        fd = -1;
        if (tries >= 10) throw new Die(`open tun device: ${e.message}\n`);
        await sys.nanosleep(100_000_000);
      }
    }
    const dev = new Netdev(sys, fd);
    const ctl = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    try {
      const must = async (what: string, op: number, arg: unknown) => {
        try {
          await sys.ioctl(ctl, op, arg);
        } catch (e) {
          if (isSysError(e)) throw new Die(`${what}: ${e.message}\n`);
          throw e;
        }
      };
      if (cfg.mtu !== DEFAULT_MTU) await must('ifconfig mtu', SIOCSIFMTU, { ifr_name: TUN_NAME, ifr_mtu: cfg.mtu } satisfies Ifreq);
      const flags: Ifreq = { ifr_name: TUN_NAME };
      await must('SIOCGIFFLAGS', SIOCGIFFLAGS, flags);
      await must('SIOCSIFFLAGS', SIOCSIFFLAGS, { ifr_name: TUN_NAME, ifr_flags: (flags.ifr_flags ?? 0) | IFF_UP | IFF_RUNNING } satisfies Ifreq);
      await must('ip addr add', SIOCSIFADDR, { ifr_name: TUN_NAME, ifr_addr: sockaddrIn(formatIpv4(cfg.localIp)) } satisfies Ifreq);
      await must('ip addr add', SIOCSIFNETMASK, { ifr_name: TUN_NAME, ifr_netmask: sockaddrIn(formatIpv4(maskFromPrefix(cfg.prefixLen))) } satisfies Ifreq);
      const route: Rtentry = {
        rt_dst: sockaddrIn(formatIpv4(cfg.remoteIp & maskFromPrefix(cfg.remotePrefix))),
        rt_genmask: sockaddrIn(formatIpv4(maskFromPrefix(cfg.remotePrefix))),
        rt_gateway: sockaddrIn(formatIpv4(cfg.gatewayIp)),
        rt_flags: RTF_UP | RTF_GATEWAY,
        rt_dev: TUN_NAME,
      };
      // "ip route del PREFIX > /dev/null 2>&1 ; ip route add PREFIX dev tun0 via GATEWAY"
      try {
        await sys.ioctl(ctl, SIOCDELRT, route);
      } catch (e) {
        if (!isSysError(e)) throw e;
      }
      try {
        await sys.ioctl(ctl, SIOCADDRT, route);
      } catch (e) {
        if (!isSysError(e)) throw e;
        const prefix = `${formatIpv4(cfg.remoteIp & maskFromPrefix(cfg.remotePrefix))}/${cfg.remotePrefix}`;
        throw new Die(`error executing route command 'ip -4 route del ${prefix} > /dev/null 2>&1 ; ip -4 route add ${prefix} dev ${TUN_NAME} via ${formatIpv4(cfg.gatewayIp)} > /dev/null 2>&1'\n`);
      }
    } finally {
      await sys.close(ctl);
    }
    [dev.wakeR, dev.wakeW] = await sys.pipe();
    await sys.spawn_thread((tsys) => dev.sniff(tsys));
    return dev;
  }

  /** The sniffing thread: every packet the stack sends into the device, with its arrival time. */
  private async sniff(tsys: Sys): Promise<void> {
    for (;;) {
      let bytes: Uint8Array;
      try {
        bytes = await tsys.read(this.tunFd, 65536);
      } catch (e) {
        if (isSysError(e, 'EINTR')) continue;
        return;
      }
      this.queue.push({ bytes, usecs: await nowUsecs(tsys) });
      await tsys.write(this.wakeW, 'p');
    }
  }

  /** The next sniffed packet, waiting at most `timeoutSecs` (null: for ever); null on timeout. */
  async receive(timeoutSecs: number | null): Promise<Sniffed | null> {
    const deadline = timeoutSecs === null ? null : (await nowUsecs(this.sys)) + timeoutSecs * 1e6;
    for (;;) {
      const p = this.queue.shift();
      if (p) {
        await this.sys.read(this.wakeR, 1);
        return p;
      }
      const left = deadline === null ? -1 : Math.ceil((deadline - (await nowUsecs(this.sys))) / 1000);
      if (deadline !== null && left <= 0) return null;
      await this.sys.poll([{ fd: this.wakeR, events: POLLIN, revents: 0 }], left);
    }
  }

  async send(bytes: Uint8Array): Promise<void> {
    try {
      await this.sys.write(this.tunFd, bytes);
    } catch (e) {
      if (isSysError(e)) throw new Die(`write error: ${e.message}\n`);
      throw e;
    }
  }
}

/**
 * packetdrill's ephemeral_port(): a port the kernel hands out, held by a listening socket for the
 * whole run, so no other connection of this host can take it while the script uses it as the
 * remote port.
 */
export async function ephemeralPort(sys: Sys): Promise<number> {
  const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
  await sys.bind(fd, sockaddrIn('0.0.0.0', 0));
  await sys.listen(fd, 1);
  const a = await sys.getsockname(fd);
  return 'sin_port' in a ? a.sin_port : 0;
}
