// The TUN/TAP control hook: Linux's ioctls with their argument shapes (values, `int *` as
// {value}, struct ifreq as an Ifreq object) and their errnos, including Linux's habit of answering
// an unknown request with EINVAL, not ENOTTY.

import { SysError } from '../../abi/errno.js';
import { ARPHRD_ETHER, type Ifreq } from '../../abi/if.js';
import {
  B_SET_BLOCKING_IO,
  B_SET_NONBLOCKING_IO,
  IFF_ATTACH_QUEUE,
  IFF_DETACH_QUEUE,
  IFF_NOFILTER,
  type IntRef,
  SIOCGIFHWADDR,
  SIOCSIFHWADDR,
  TUN_FEATURES,
  TUNGETFEATURES,
  TUNGETIFF,
  TUNGETSNDBUF,
  TUNGETVNETHDRSZ,
  TUNSETCARRIER,
  TUNSETDEBUG,
  TUNSETGROUP,
  TUNSETIFF,
  TUNSETIFINDEX,
  TUNSETLINK,
  TUNSETNOCSUM,
  TUNSETOFFLOAD,
  TUNSETOWNER,
  TUNSETPERSIST,
  TUNSETQUEUE,
  TUNSETSNDBUF,
  TUNSETTXFILTER,
  TUNSETVNETHDRSZ,
} from '../../abi/ioctl.js';
import type { IoContext } from '../../vfs/file.js';
import type { TunDevice } from './tun-device.js';
import type { TunFile } from './tun-file.js';

/** What TUNSETIFF needs of the driver: to find or make the device and attach the fd. */
export interface TunSetIff {
  setIff(f: TunFile, requested: string, flags: number, ctx: IoContext): string;
}

/** The TUN_F_* offload bits a kernel knows (CSUM ... USO6). */
const KNOWN_OFFLOADS = 0x7f;

function ifreq(arg: unknown): Ifreq {
  if (typeof arg !== 'object' || arg === null || typeof (arg as Ifreq).ifr_name !== 'string') throw new SysError('EFAULT');
  return arg as Ifreq;
}

/** An `int *` argument. */
function ref(arg: unknown): IntRef {
  if (typeof arg !== 'object' || arg === null || typeof (arg as IntRef).value !== 'number') throw new SysError('EFAULT');
  return arg as IntRef;
}

/** A plain value argument (the ioctl's third argument is the number itself). */
function value(arg: unknown): number {
  if (typeof arg === 'number') return arg;
  if (typeof arg === 'object' && arg !== null && typeof (arg as IntRef).value === 'number') return (arg as IntRef).value;
  if (arg === undefined || arg === null) return 0;
  throw new SysError('EFAULT');
}

function macBytes(mac: number | null): Uint8Array {
  const out = new Uint8Array(6);
  if (mac !== null) for (let i = 0; i < 6; i++) out[i] = Math.floor(mac / 2 ** (8 * (5 - i))) & 0xff;
  return out;
}

export function tunControl(drv: TunSetIff, c: TunFile, op: number, arg: unknown, ctx: IoContext): number {
  // Requests that work on an fd that is not attached yet.
  switch (op) {
    case B_SET_NONBLOCKING_IO:
      c.nonblocking = true;
      return 0;
    case B_SET_BLOCKING_IO:
      c.nonblocking = false;
      return 0;
    case TUNGETFEATURES:
      ref(arg).value = TUN_FEATURES;
      return 0;
    case TUNSETIFF: {
      const r = ifreq(arg);
      const flags = typeof r.ifr_flags === 'number' ? r.ifr_flags : 0;
      // The real name goes back into the struct; the flags stay as passed (reference §5.10).
      r.ifr_name = drv.setIff(c, r.ifr_name, flags, ctx);
      return 0;
    }
    case TUNSETIFINDEX:
      if (c.device) throw new SysError('EPERM');
      c.wantedIndex = value(arg);
      return 0;
    case TUNSETQUEUE: {
      const flags = ifreq(arg).ifr_flags ?? 0;
      if (flags & IFF_ATTACH_QUEUE) {
        c.enable();
        return 0;
      }
      if (flags & IFF_DETACH_QUEUE) {
        c.disable();
        return 0;
      }
      throw new SysError('EINVAL');
    }
  }

  // A queue taken out of service by TUNSETQUEUE(IFF_DETACH_QUEUE) still belongs to its device:
  // Linux's tun_get() finds it through tfile->tun, so its ioctls work (reference §1: TUNGETIFF
  // reports IFF_DETACH_QUEUE "if detached"; §2: TUNSETCARRIER(1) "with no queue" is EPERM, which
  // only such an fd can ask). Only an fd that never attached, or whose device is gone, gets EBADFD.
  const dev = c.owner();
  switch (op) {
    case TUNGETIFF: {
      const r = ifreq(arg);
      r.ifr_name = dev.name;
      // IFF_NOFILTER shares its bit with IFF_NO_PI and is set whenever no socket filter is attached.
      r.ifr_flags = dev.reportedFlags | IFF_NOFILTER | (c.state === 'disabled' ? IFF_DETACH_QUEUE : 0);
      return 0;
    }
    case TUNSETNOCSUM:
    case TUNSETDEBUG:
      return 0;
    case TUNSETPERSIST: {
      const on = value(arg) !== 0;
      if (dev.persist !== on) dev.env.log.write(`tun: ${dev.name} ${on ? 'made' : 'no longer'} persistent`);
      dev.persist = on;
      return 0;
    }
    case TUNSETOWNER:
    case TUNSETGROUP: {
      const id = value(arg);
      // (uid_t)-1 is the one invalid id.
      if (!Number.isInteger(id) || id < 0 || id >= 0xffff_ffff) throw new SysError('EINVAL');
      if (op === TUNSETOWNER) dev.owner = id;
      else dev.group = id;
      return 0;
    }
    case TUNSETLINK:
      if (dev.iface.up) throw new SysError('EBUSY');
      dev.linkType = value(arg);
      return 0;
    case TUNSETOFFLOAD: {
      const v = value(arg);
      if (v & ~KNOWN_OFFLOADS) throw new SysError('EINVAL');
      return 0;
    }
    case TUNSETTXFILTER:
      // Filters are a TAP feature; on a TUN Linux refuses them.
      if (dev.kind === 'tun') throw new SysError('EINVAL');
      return setTxFilter(dev, arg);
    case TUNGETSNDBUF:
      ref(arg).value = c.sndbuf;
      return 0;
    case TUNSETSNDBUF: {
      const v = ref(arg).value;
      if (!Number.isInteger(v) || v <= 0) throw new SysError('EINVAL');
      c.sndbuf = v;
      return 0;
    }
    case TUNGETVNETHDRSZ:
      ref(arg).value = dev.vnetHdrSz;
      return 0;
    case TUNSETVNETHDRSZ: {
      const v = ref(arg).value;
      if (!Number.isInteger(v) || v < 10) throw new SysError('EINVAL');
      dev.vnetHdrSz = v;
      return 0;
    }
    case TUNSETCARRIER: {
      const on = ref(arg).value !== 0;
      if (on && dev.queues.length === 0) throw new SysError('EPERM');
      dev.carrier = on;
      return 0;
    }
    case SIOCGIFHWADDR: {
      const r = ifreq(arg);
      r.ifr_hwaddr = { sa_family: dev.linkType, sa_data: macBytes(dev.mac) };
      return 0;
    }
    case SIOCSIFHWADDR: {
      const r = ifreq(arg);
      if (dev.kind === 'tun') throw new SysError('EOPNOTSUPP');
      const hw = r.ifr_hwaddr;
      if (!hw || !(hw.sa_data instanceof Uint8Array) || hw.sa_data.length < 6) throw new SysError('EFAULT');
      if (hw.sa_family !== ARPHRD_ETHER) throw new SysError('EINVAL');
      if (hw.sa_data[0]! & 1) throw new SysError('EADDRNOTAVAIL');
      dev.mac = [...hw.sa_data.subarray(0, 6)].reduce((n, b) => n * 256 + b, 0);
      return 0;
    }
    default:
      // FIONREAD, TCGETS and anything else unknown: EINVAL, as Linux's tun answers (§5.4).
      throw new SysError('EINVAL');
  }
}

/** struct tun_filter {flags, count, addr[count]} as {flags, addrs: number[]}: returns the count taken. */
function setTxFilter(dev: TunDevice, arg: unknown): number {
  if (typeof arg !== 'object' || arg === null || !Array.isArray((arg as { addrs?: unknown }).addrs)) throw new SysError('EFAULT');
  const f = arg as { flags?: number; addrs: number[] };
  dev.txFilter = f.addrs.length === 0 ? null : { allMulti: ((f.flags ?? 0) & 1) !== 0, addrs: new Set(f.addrs) };
  return f.addrs.length;
}
