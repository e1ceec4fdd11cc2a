// What wg-quick asks of `ip`, done through the configuration ioctls ifconfig and route use:
// an interface's existence and MTU, its address, bringing it up, routes added and removed, and the
// route to an address (`ip route get`). Each returns the errno's name on failure.

import { type ErrnoName, isSysError } from '../../../kernel/abi/errno.js';
import { IFF_UP, type Ifreq } from '../../../kernel/abi/if.js';
import { SIOCADDRT, SIOCDELRT, SIOCDIFADDR, SIOCGETRT, SIOCGIFFLAGS, SIOCGIFMTU, SIOCGRTTABLE, SIOCSIFADDR, SIOCSIFFLAGS, SIOCSIFMTU, SIOCSIFNETMASK } from '../../../kernel/abi/ioctl.js';
import { RTF_HOST, type Rtentry } from '../../../kernel/abi/route.js';
import { AF_INET, SOCK_CLOEXEC, SOCK_DGRAM, sockaddrIn } from '../../../kernel/abi/socket.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { formatIpv4, maskFromPrefix, parseIpv4 } from '../../../kernel/abi/wire/address.js';

export class Net {
  private constructor(
    private readonly sys: Sys,
    private readonly fd: number,
  ) {}

  static async open(sys: Sys): Promise<Net> {
    return new Net(sys, await sys.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  }

  async close(): Promise<void> {
    await this.sys.close(this.fd);
  }

  private async ioctl(op: number, arg: unknown): Promise<ErrnoName | null> {
    try {
      await this.sys.ioctl(this.fd, op, arg);
      return null;
    } catch (e) {
      if (isSysError(e)) return e.errno;
      throw e;
    }
  }

  async exists(name: string): Promise<boolean> {
    return (await this.ioctl(SIOCGIFFLAGS, { ifr_name: name } satisfies Ifreq)) === null;
  }

  async mtu(name: string): Promise<number | null> {
    const ifr: Ifreq = { ifr_name: name };
    return (await this.ioctl(SIOCGIFMTU, ifr)) === null ? (ifr.ifr_mtu ?? null) : null;
  }

  /** `ip -4 address add A/N dev IF`: the address, then its netmask. */
  async addAddress(name: string, addr: string, bits: number): Promise<ErrnoName | null> {
    return (
      (await this.ioctl(SIOCSIFADDR, { ifr_name: name, ifr_addr: sockaddrIn(addr) } satisfies Ifreq)) ??
      (await this.ioctl(SIOCSIFNETMASK, { ifr_name: name, ifr_netmask: sockaddrIn(formatIpv4(maskFromPrefix(bits))) } satisfies Ifreq))
    );
  }

  /** `ip link set mtu M up dev IF`. */
  async setMtuUp(name: string, mtu: number): Promise<ErrnoName | null> {
    const err = await this.ioctl(SIOCSIFMTU, { ifr_name: name, ifr_mtu: mtu } satisfies Ifreq);
    if (err) return err;
    const ifr: Ifreq = { ifr_name: name };
    return (await this.ioctl(SIOCGIFFLAGS, ifr)) ?? (await this.ioctl(SIOCSIFFLAGS, { ifr_name: name, ifr_flags: (ifr.ifr_flags ?? 0) | IFF_UP } satisfies Ifreq));
  }

  /** `ip link delete dev IF`: the interface and every route through it go. */
  async deleteInterface(name: string): Promise<ErrnoName | null> {
    return this.ioctl(SIOCDIFADDR, { ifr_name: name } satisfies Ifreq);
  }

  private entry(dest: string, bits: number, via: { dev?: string; gateway?: string }): Rtentry {
    return {
      rt_dst: sockaddrIn(dest),
      rt_genmask: sockaddrIn(formatIpv4(maskFromPrefix(bits))),
      ...(via.gateway ? { rt_gateway: sockaddrIn(via.gateway) } : {}),
      rt_flags: bits === 32 ? RTF_HOST : 0,
      ...(via.dev ? { rt_dev: via.dev } : {}),
    };
  }

  async addRoute(dest: string, bits: number, via: { dev?: string; gateway?: string }): Promise<ErrnoName | null> {
    return this.ioctl(SIOCADDRT, this.entry(dest, bits, via));
  }

  async deleteRoute(dest: string, bits: number, via: { dev?: string; gateway?: string }): Promise<ErrnoName | null> {
    return this.ioctl(SIOCDELRT, this.entry(dest, bits, via));
  }

  async routes(): Promise<Rtentry[]> {
    const table: { routes: Rtentry[] } = { routes: [] };
    return (await this.ioctl(SIOCGRTTABLE, table)) === null ? table.routes : [];
  }

  /** `ip route show dev IF match P`: whether a route through IF holds the whole prefix. */
  async routeCovers(name: string, dest: string, bits: number): Promise<boolean> {
    const d = parseIpv4(dest)!;
    for (const r of await this.routes()) {
      if (r.rt_dev !== name) continue;
      const m = parseIpv4(r.rt_genmask.sin_addr) ?? 0xffff_ffff;
      const routeBits = m === 0 ? 0 : 32 - Math.log2((~m >>> 0) + 1);
      if (routeBits <= bits && ((d ^ parseIpv4(r.rt_dst.sin_addr)!) & m) === 0) return true;
    }
    return false;
  }

  /** `ip route get A`: the interface and gateway the stack would use. */
  async routeTo(addr: string): Promise<{ dev: string; gateway: string | null } | null> {
    const q: Rtentry = { rt_dst: sockaddrIn(addr), rt_genmask: sockaddrIn('0.0.0.0'), rt_flags: 0 };
    if ((await this.ioctl(SIOCGETRT, q)) !== null || !q.rt_dev) return null;
    return { dev: q.rt_dev, gateway: q.rt_gateway && q.rt_gateway.sin_addr !== '0.0.0.0' ? q.rt_gateway.sin_addr : null };
  }
}
