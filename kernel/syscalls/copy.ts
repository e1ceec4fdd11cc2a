// copy_from_user and copy_to_user: a system call works on the kernel's own copy of every structure
// a program passes, never on the program's object. What cannot be copied (a getter that throws, a
// function where data belongs, a cycle, something absurdly deep or wide) is EFAULT for that call,
// as a bad pointer is, and never an exception inside the kernel. After the call, the structures the
// call fills in (an ioctl's argument, poll's fds) are copied back, field by field; a structure that
// cannot take them (frozen) is EFAULT too, with the call's effect done, as on Linux.

import { SysError } from '../abi/errno.js';
import type { SyscallName } from '../abi/syscall-errors.js';

/** Nesting and breadth a syscall structure never needs more of (poll's fds: MAX_POLL_FDS). */
const MAX_DEPTH = 8;
const MAX_KEYS = 4096;

/** Which arguments (by position) each call writes back into. */
const OUT_ARGS: ReadonlyMap<SyscallName, number> = new Map<SyscallName, number>([
  ['ioctl', 2],
  ['poll', 0],
]);

/**
 * Calls whose list may be longer than MAX_KEYS: setgroups takes up to NGROUPS_MAX (65536), and one
 * more must still reach it, to be its EINVAL rather than the copy's EFAULT.
 */
const LONG_LISTS: ReadonlyMap<SyscallName, number> = new Map<SyscallName, number>([['setgroups', 65537]]);

/** Arguments that may be functions: a signal handler, a thread's entry, are code, not data. */
const CODE_ARGS: ReadonlyMap<SyscallName, number> = new Map<SyscallName, number>([
  ['sigaction', 1],
  ['spawn_thread', 0],
]);

function fault(): never {
  throw new SysError('EFAULT');
}

/** Each structure the copy made, with the program's structure it was copied from. */
type Originals = Map<object, object>;

function copy(value: unknown, depth: number, originals: Originals | null, maxKeys = MAX_KEYS): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function' || typeof value === 'symbol') fault();
    return value;
  }
  // Byte buffers are data the kernel copies itself where it keeps them (a pipe, a packet queue).
  if (value instanceof Uint8Array) return value;
  if (depth >= MAX_DEPTH) fault();
  if (Array.isArray(value)) {
    if (value.length > maxKeys) fault();
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copy(value[i], depth + 1, originals);
    originals?.set(out, value);
    return out;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) fault();
  const keys = Object.keys(value);
  if (keys.length > MAX_KEYS) fault();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const v = copy((value as Record<string, unknown>)[key], depth + 1, originals);
    // An own key named __proto__ (an environment variable `export __proto__=1`) is data like any
    // other: defined, since assigning it would set the copy's prototype instead.
    if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else out[key] = v;
  }
  originals?.set(out, value);
  return out;
}

/** The kernel's copy of an argument, and for one the call writes back, where each part came from. */
export interface KernelCopy {
  value: unknown;
  originals: Originals | null;
}

/** The kernel's copy of argument `i` of `name`; EFAULT when it cannot be made. */
export function copyIn(name: SyscallName, i: number, value: unknown): KernelCopy {
  if (typeof value === 'function' && CODE_ARGS.get(name) === i) return { value, originals: null };
  const originals = OUT_ARGS.get(name) === i ? new Map<object, object>() : null;
  try {
    return { value: copy(value, 0, originals, LONG_LISTS.get(name)), originals };
  } catch (e) {
    if (e instanceof SysError) throw e;
    // A getter or a proxy that threw while being read: the program's own fault.
    return fault();
  }
}

/**
 * copy_to_user: the call's results into the program's structure. A part the kernel filled in
 * place goes back field by field into the part it was copied from; a part the kernel made anew
 * (a table it returns) is handed over as it is. EFAULT when the program's structure refuses it.
 */
export function copyOut(k: KernelCopy): void {
  if (!k.originals) return;
  const user = k.originals.get(k.value as object);
  if (!user) return;
  try {
    assign(k.value as object, user, k.originals);
  } catch {
    fault();
  }
}

function assign(from: object, to: object, originals: Originals): void {
  if (Object.isFrozen(to)) throw new TypeError('frozen');
  const target = to as Record<string, unknown>;
  for (const key of Object.keys(from)) {
    const f = (from as Record<string, unknown>)[key];
    const back = f !== null && typeof f === 'object' ? originals.get(f) : undefined;
    if (back) assign(f as object, back, originals);
    else if (target[key] !== f) target[key] = f;
  }
}
