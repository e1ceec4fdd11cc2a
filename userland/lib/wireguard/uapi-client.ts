// wg's side of the UAPI (wireguard-tools' ipc-uapi-unix.h and ipc-uapi.h): an interface exists when
// /var/run/wireguard/IF.sock is a socket something answers on (a stale one is unlinked, as wg does);
// get=1 is read into a device, set=1 text is sent and its errno read back. tunlab has no kernel
// WireGuard, so a name with no daemon fails as wg's netlink fallback does on a kernel without the
// module: "Protocol not supported".

import { isSysError, strerror } from '../../../kernel/abi/errno.js';
import { AF_UNIX, SOCK_CLOEXEC, SOCK_STREAM, sockaddrUn } from '../../../kernel/abi/socket.js';
import { S_ISSOCK } from '../../../kernel/abi/stat.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { writeAll } from '../io.js';
import { keyFromHex, publicKeyOf } from './keys.js';
import { parsePrefix, type Prefix } from './prefix.js';

export const SOCKET_DIRECTORY = '/var/run/wireguard';

export interface WgPeer {
  publicKey: Uint8Array;
  /** Null when all zeros (no preshared key). */
  presharedKey: Uint8Array | null;
  endpoint: string | null;
  lastHandshakeSec: number;
  lastHandshakeNsec: number;
  rxBytes: number;
  txBytes: number;
  persistentKeepalive: number;
  allowedIps: Prefix[];
}

export interface WgDevice {
  name: string;
  privateKey: Uint8Array | null;
  publicKey: Uint8Array | null;
  listenPort: number;
  fwmark: number;
  peers: WgPeer[];
}

/** A failure, as the text perror() would print for it. */
export class IpcFailure {
  constructor(
    readonly message: string,
    /** The errno connect() gave, when it was connect that failed (there is a socket file). */
    readonly connectErrno?: string,
  ) {}
}

/** Linux errno numbers wireguard-go answers with, and their text. */
function errnoText(n: number): string {
  switch (n) {
    case 5:
      return strerror('EIO');
    case 22:
      return strerror('EINVAL');
    case 98:
      return strerror('EADDRINUSE');
    case 71:
      return 'Protocol error';
    default:
      return `Unknown error ${n}`;
  }
}

const sockPath = (name: string) => `${SOCKET_DIRECTORY}/${name}.sock`;

/** userspace_interface_file: a connected socket, or the errno of the attempt. */
async function connectInterface(sys: Sys, name: string): Promise<number | IpcFailure> {
  const path = sockPath(name);
  try {
    const st = await sys.stat(path);
    if (!S_ISSOCK(st.st_mode)) return new IpcFailure(strerror('EBADF'));
  } catch (e) {
    if (!isSysError(e)) throw e;
    return new IpcFailure(strerror(e.errno));
  }
  const fd = await sys.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  try {
    await sys.connect(fd, sockaddrUn(path));
    return fd;
  } catch (e) {
    await sys.close(fd);
    if (!isSysError(e)) throw e;
    if (e.errno === 'ECONNREFUSED') {
      try {
        await sys.unlink(path);
      } catch (u) {
        if (!isSysError(u)) throw u;
      }
    }
    return new IpcFailure(strerror(e.errno), e.errno);
  }
}

/** userspace_has_wireguard_interface: a socket file with a daemon behind it. */
export async function hasInterface(sys: Sys, name: string): Promise<boolean> {
  if (name.includes('/') || name === '' || name === '.' || name === '..') return false;
  const fd = await connectInterface(sys, name);
  // Only a refused connection means no daemon (wg's userspace_has_wireguard_interface): a socket
  // the caller may not connect to (EACCES) is an interface it is then told it cannot access.
  if (fd instanceof IpcFailure) return fd.connectErrno !== undefined && fd.connectErrno !== 'ECONNREFUSED';
  await sys.close(fd);
  return true;
}

/** The interfaces, sorted: the *.sock names of the directory that a daemon answers on. */
export async function listInterfaces(sys: Sys): Promise<string[]> {
  let names: string[];
  try {
    names = (await sys.readdir(SOCKET_DIRECTORY)).map((d) => d.d_name);
  } catch (e) {
    if (!isSysError(e)) throw e;
    return [];
  }
  const out: string[] = [];
  for (const n of names.sort()) {
    if (!n.endsWith('.sock') || n.length <= 5) continue;
    const name = n.slice(0, -5);
    if (await hasInterface(sys, name)) out.push(name);
  }
  return out;
}

/** One request and its whole answer (up to the empty line after errno=), on a fresh connection. */
async function exchange(sys: Sys, name: string, request: string): Promise<string | IpcFailure> {
  if (!(await hasInterface(sys, name))) return new IpcFailure(strerror('EPROTONOSUPPORT'));
  const fd = await connectInterface(sys, name);
  if (fd instanceof IpcFailure) return fd;
  try {
    await writeAll(sys, fd, request);
    let text = '';
    const dec = new TextDecoder();
    for (;;) {
      const chunk = await sys.read(fd, 65536);
      if (chunk.length === 0) return text;
      text += dec.decode(chunk, { stream: true });
      if (/(^|\n)errno=-?\d+\n\n/.test(text) || text.length > 1 << 24) return text;
    }
  } catch (e) {
    if (!isSysError(e)) throw e;
    return new IpcFailure(strerror(e.errno));
  } finally {
    await sys.close(fd);
  }
}

/** The errno= line's value (0 on success), or a protocol error. */
function errnoOf(text: string): number | IpcFailure {
  const m = /(?:^|\n)errno=(-?\d+)\n\n/.exec(text);
  if (!m) return new IpcFailure('Protocol error');
  return Number(m[1]);
}

/** userspace_get_device. */
export async function getDevice(sys: Sys, name: string): Promise<WgDevice | IpcFailure> {
  const text = await exchange(sys, name, 'get=1\n\n');
  if (text instanceof IpcFailure) return text;
  const err = errnoOf(text);
  if (err instanceof IpcFailure) return err;
  if (err !== 0) return new IpcFailure(errnoText(-err));
  const dev: WgDevice = { name, privateKey: null, publicKey: null, listenPort: 0, fwmark: 0, peers: [] };
  let peer: WgPeer | null = null;
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    const num = () => Number(value) || 0;
    if (key === 'private_key' && !peer) {
      dev.privateKey = keyFromHex(value);
      dev.publicKey = dev.privateKey && publicKeyOf(dev.privateKey);
    } else if (key === 'listen_port' && !peer) dev.listenPort = num();
    else if (key === 'fwmark' && !peer) dev.fwmark = num();
    else if (key === 'public_key') {
      const k = keyFromHex(value);
      if (!k) return new IpcFailure('Protocol error');
      peer = { publicKey: k, presharedKey: null, endpoint: null, lastHandshakeSec: 0, lastHandshakeNsec: 0, rxBytes: 0, txBytes: 0, persistentKeepalive: 0, allowedIps: [] };
      dev.peers.push(peer);
    } else if (peer && key === 'preshared_key') {
      const k = keyFromHex(value);
      peer.presharedKey = k && k.some((b) => b !== 0) ? k : null;
    } else if (peer && key === 'endpoint') peer.endpoint = value;
    else if (peer && key === 'last_handshake_time_sec') peer.lastHandshakeSec = num();
    else if (peer && key === 'last_handshake_time_nsec') peer.lastHandshakeNsec = num();
    else if (peer && key === 'rx_bytes') peer.rxBytes = num();
    else if (peer && key === 'tx_bytes') peer.txBytes = num();
    else if (peer && key === 'persistent_keepalive_interval') peer.persistentKeepalive = num();
    else if (peer && key === 'allowed_ip') {
      const p = parsePrefix(value);
      if (p) peer.allowedIps.push(p);
    }
  }
  return dev;
}

/** userspace_set_device: null on success. */
export async function setDevice(sys: Sys, name: string, text: string): Promise<IpcFailure | null> {
  const answer = await exchange(sys, name, text);
  if (answer instanceof IpcFailure) return answer;
  const err = errnoOf(answer);
  if (err instanceof IpcFailure) return err;
  return err === 0 ? null : new IpcFailure(errnoText(-err));
}
