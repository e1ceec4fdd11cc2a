// ip tuntap, as iproute2's: add makes a persistent tun or tap device (TUNSETIFF with IFF_NO_PI
// unless "pi", TUNSETOWNER/TUNSETGROUP for user/group, TUNSETPERSIST), del makes it transient
// again so it goes with the fd, list/show prints each tun/tap with its flags, owner and group
// (read with SIOCGIFTUNINFO, where Linux reads /sys/class/net/NAME/tun_flags, owner, group).

import { isSysError } from '../../../kernel/abi/errno.js';
import { O_RDWR } from '../../../kernel/abi/fcntl.js';
import { type Ifreq } from '../../../kernel/abi/if.js';
import { IFF_MULTI_QUEUE, IFF_NO_PI, IFF_ONE_QUEUE, IFF_TAP, IFF_TUN, IFF_TUN_EXCL, IFF_VNET_HDR, SIOCGIFTUNINFO, TUNSETGROUP, TUNSETIFF, TUNSETOWNER, TUNSETPERSIST, type TunInfo } from '../../../kernel/abi/ioctl.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { out } from '../../lib/guard.js';
import { interfaceNames, tryIoctl } from '../../lib/netconf.js';
import { loadNames } from '../../lib/users.js';
import { fail, matches } from './common.js';

const TUN_DEVICE = '/dev/misc/tun';

async function list(sys: Sys, fd: number): Promise<number> {
  let s = '';
  for (const name of await interfaceNames(sys, fd)) {
    const q: Ifreq & { ifr_tun?: TunInfo } = { ifr_name: name };
    if ((await tryIoctl(sys, fd, SIOCGIFTUNINFO, q)) !== null || !q.ifr_tun) continue;
    const t = q.ifr_tun;
    let line = `${name}:`;
    if (t.flags & IFF_TUN) line += ' tun';
    if (t.flags & IFF_TAP) line += ' tap';
    if (!(t.flags & IFF_NO_PI)) line += ' pi';
    if (t.flags & IFF_ONE_QUEUE) line += ' one_queue';
    if (t.flags & IFF_VNET_HDR) line += ' vnet_hdr';
    if (t.flags & IFF_MULTI_QUEUE) line += ' multi_queue';
    if (t.persist) line += ' persist';
    if (t.owner !== -1) line += ` user ${t.owner}`;
    if (t.group !== -1) line += ` group ${t.group}`;
    s += `${line}\n`;
  }
  await out(sys, s);
  return 0;
}

/** A user or group given by name or number, as iproute2 takes them; null when unknown. */
async function idOf(sys: Sys, word: string, kind: 'user' | 'group'): Promise<number | null> {
  if (/^\d+$/.test(word)) return Number(word);
  const db = await loadNames(sys);
  const id = kind === 'user' ? db.uidOf(word) : db.gidOf(word);
  return id ?? null;
}

export async function tuntapCommand(sys: Sys, fd: number, args: string[]): Promise<number> {
  const verb = args[0];
  if (verb === undefined || matches(verb, 'list', 'show', 'lst')) return list(sys, fd);
  const add = matches(verb, 'add');
  if (!add && !matches(verb, 'delete', 'del')) return fail(sys, `Command "${verb}" is unknown, try "ip tuntap help".`, 255);
  const a = args.slice(1);
  let name = '';
  let mode = 0;
  let flags = IFF_NO_PI;
  let uid = -1;
  let gid = -1;
  while (a.length > 0) {
    const w = a.shift()!;
    if (w === 'mode') {
      const m = a.shift() ?? '';
      if (m === 'tun') mode = IFF_TUN;
      else if (m === 'tap') mode = IFF_TAP;
      else return fail(sys, `Unknown tunnel mode "${m}"`, 255);
    } else if (w === 'user' || w === 'group') {
      const v = a.shift() ?? '';
      const id = await idOf(sys, v, w);
      if (id === null) return fail(sys, `invalid ${w} "${v}"`, 255);
      if (w === 'user') uid = id;
      else gid = id;
    } else if (w === 'pi') flags &= ~IFF_NO_PI;
    else if (w === 'one_queue') flags |= IFF_ONE_QUEUE;
    else if (w === 'vnet_hdr') flags |= IFF_VNET_HDR;
    else if (w === 'multi_queue') flags |= IFF_MULTI_QUEUE;
    else if (w === 'dev' || w === 'name') name = a.shift() ?? '';
    else if (name === '') name = w;
    else return fail(sys, `Error: either "dev" is duplicate, or "${w}" is a garbage.`, 255);
  }
  if (mode === 0) return fail(sys, 'You failed to specify a tunnel mode', 255);
  let tfd: number;
  try {
    tfd = await sys.open(TUN_DEVICE, O_RDWR);
  } catch (e) {
    if (!isSysError(e)) throw e;
    return fail(sys, `open: ${e.message}`, 1);
  }
  const step = async (what: string, op: number, arg: unknown): Promise<boolean> => {
    const err = await tryIoctl(sys, tfd, op, arg);
    if (err === null) return true;
    await fail(sys, `ioctl(${what}): ${(await import('../../../kernel/abi/errno.js')).strerror(err)}`, 1);
    return false;
  };
  try {
    // add insists on a new device (IFF_TUN_EXCL, as iproute2 asks): an existing one is EBUSY.
    const ifr: Ifreq = { ifr_name: name, ifr_flags: mode | flags | (add ? IFF_TUN_EXCL : 0) };
    if (!(await step('TUNSETIFF', TUNSETIFF, ifr))) return 1;
    if (add) {
      if (uid !== -1 && !(await step('TUNSETOWNER', TUNSETOWNER, uid))) return 1;
      if (gid !== -1 && !(await step('TUNSETGROUP', TUNSETGROUP, gid))) return 1;
    }
    if (!(await step('TUNSETPERSIST', TUNSETPERSIST, add ? 1 : 0))) return 1;
    return 0;
  } finally {
    await sys.close(tfd);
  }
}
