// Where tunlab differs from Linux by design, in one place: everything the replay translates between a
// fixture recorded on Linux (fixtures/difftun/*.json) and what tunlab's tools take and print. Any
// other difference is a failure of the differential suite.
//
// 1. The clone device: Linux's /dev/net/tun is Haiku's /dev/misc/tun (DESIGN.md, devfs).
// 2. The name the kernel picks for an empty TUNSETIFF name: Linux's tun%d/tap%d are Haiku's tun/%d
//    and tap/%d (tun0 is tun/0). A sequence that later names the device by that name (tun0) means
//    the device TUNSETIFF made, so the replay remembers the pair. Names a program gives (dt0, a
//    tun%d pattern) are the same on both.
// 3. The loopback interface: Linux's lo is Haiku's loop.
// 4. ifconfig is Haiku's, not net-tools': the same words for what the suite uses (NAME up, down,
//    mtu N), but its own messages and exit status (1, where net-tools exits 255 for some errors).
//    The replay compares whether it failed and the errno its message names.
// 5. poll bits have Haiku's numbers (POLLOUT is 0x2, not 0x4): fixtures and replay compare names.
// 6. Credentials: Linux's recorder switches uid, gid and groups in its own process; tunlab's replay
//    runs that step in `su [-g GID] [-G GID,...] UID -c CMD`, whose shell inherits the fds.
// 7. Interface counters: Linux's /sys/class/net/NAME/statistics are Haiku's SIOCGIFSTATS, as
//    `ifconfig NAME` prints them (Receive/Transmit: packets, bytes, dropped).
// 8. SIOCGIFFLAGS: Linux's ifr_flags is a short, so it never carries IFF_LOWER_UP (0x10000); Haiku's
//    is an int that carries IFF_LINK (the same bit, which Haiku's ifconfig prints as "link"). The
//    comparison keeps the low 16 bits.

import { ERRNO, type ErrnoName } from '../../kernel/abi/errno.js';

export const CLONE_DEVICE = '/dev/misc/tun';

/** Linux's kernel-chosen name (tun0) for tunlab's (tun/0), or null when the name is not one. */
export function linuxNameOf(tunlabName: string): string | null {
  const m = /^(tun|tap)\/(\d+)$/.exec(tunlabName);
  return m ? `${m[1]}${m[2]}` : null;
}

/** The names a sequence's steps use, as tunlab knows the devices: learned as TUNSETIFF answers. */
export class Names {
  private readonly aliases = new Map<string, string>([['lo', 'loop']]);

  learn(linuxName: string, tunlabName: string): void {
    if (linuxName !== tunlabName && linuxNameOf(tunlabName) === linuxName) this.aliases.set(linuxName, tunlabName);
  }

  toTunlab(linuxName: string): string {
    return this.aliases.get(linuxName) ?? linuxName;
  }

  toLinux(tunlabName: string): string {
    for (const [linux, tunlab] of this.aliases) if (tunlab === tunlabName) return linux;
    return tunlabName;
  }
}

/** SIOCGIFFLAGS as Linux's short ifr_flags holds it. */
export const shortFlags = (flags: number) => flags & 0xffff;

/** The errno a Haiku-style message names ("ifconfig: Setting MTU failed: Invalid Argument"). */
export function errnoOfMessage(text: string): ErrnoName | null {
  const last = text.trim().split('\n').pop() ?? '';
  for (const [name, e] of Object.entries(ERRNO) as Array<[ErrnoName, { message: string }]>) {
    if (last.endsWith(`: ${e.message}`)) return name;
  }
  return null;
}

/** `su` for a step's credentials (Linux's setgroups, setresgid, setresuid). */
export function suPrefix(as: { uid: number; gid: number; groups: number[] }): string {
  // util-linux's su takes the first -G as the primary group when there is no -g: give -g with -G.
  const g = as.gid !== as.uid || as.groups.length ? ` -g ${as.gid}` : '';
  const groups = as.groups.length ? ` -G ${as.groups.join(',')}` : '';
  return `su${g}${groups} ${as.uid} -c`;
}
