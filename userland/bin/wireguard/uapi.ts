// The cross-platform UAPI text protocol (wireguard-go's device/uapi.go), one session per accepted
// connection: "get=1\n\n" answers the configuration and state as key=value lines, "set=1\n" takes
// key=value lines up to an empty one, each answered "errno=N\n\n". Lines are applied as they come,
// as the Go scanner does: an error stops the operation where it is, and what follows of it is then
// read as the next operation (so it closes the connection as an invalid one). Keys are hex.

import { isZeroKey, keyFromHex, keyToHex } from '../../lib/wireguard/keys.js';
import { formatPrefix, parsePrefix } from '../../lib/wireguard/prefix.js';
import type { Device } from './device.js';
import { endpointText, type Endpoint, type Peer } from './peer.js';
import { sendKeepalive, sendStaged } from './send.js';

/** ipc.IpcError* (ipc/uapi_unix.go): negated errno values. */
export const IPC_ERROR_PROTOCOL = -71;
export const IPC_ERROR_INVALID = -22;
export const IPC_ERROR_PORT_IN_USE = -98;

class IpcError {
  constructor(
    readonly code: number,
    readonly message: string,
  ) {}

  toString(): string {
    return `IPC error ${this.code}: ${this.message}`;
  }
}

/** strconv.ParseUint(value, 10, bits), or its error text. */
function parseUint(value: string, bits: 16 | 32): number | string {
  if (!/^[0-9]+$/.test(value)) return `strconv.ParseUint: parsing ${goQuote(value)}: invalid syntax`;
  const n = Number(value);
  if (n > 2 ** bits - 1) return `strconv.ParseUint: parsing ${goQuote(value)}: value out of range`;
  return n;
}

/** Go's %q of a string (enough of it for what users type). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Go's %q of one byte: 'x', '\n', '\x00'. */
function goQuoteByte(b: number): string {
  const esc: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 39: "\\'", 92: '\\\\' };
  if (esc[b]) return `'${esc[b]}'`;
  if (b >= 0x20 && b < 0x7f) return `'${String.fromCharCode(b)}'`;
  return b < 0x80 ? `'\\x${b.toString(16).padStart(2, '0')}'` : `'\\u00${b.toString(16)}'`;
}

/** An IPv4 endpoint "a.b.c.d:port" as netip.ParseAddrPort reads it; IPv6 the stack cannot reach. */
function parseEndpoint(value: string): Endpoint | string {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(value);
  if (m) {
    const octets = m[1]!.split('.');
    const port = Number(m[2]);
    if (octets.every((o) => Number(o) <= 255 && (o === '0' || !o.startsWith('0'))) && port <= 65535) return { addr: m[1]!, port };
  }
  if (/^\[[0-9a-fA-F:.]+\]:\d+$/.test(value)) return 'tunlab has no IPv6';
  return `invalid AddrPort`;
}

/** The peer a set operation is configuring (ipcSetPeer): a dummy stands for one that is ignored. */
interface SetPeer {
  peer: Peer | null;
  dummy: boolean;
  created: boolean;
  /** Persistent keepalive was just turned on: send one at the end (handlePostConfig). */
  pkaOn: boolean;
}

export class UapiSession {
  private buf = new Uint8Array(0);
  private mode: 'op' | 'set' | 'get' = 'op';
  private setPeer: SetPeer | null = null;
  private deviceConfig = true;
  /** What to send back; `closing` once the connection is to be closed after it. */
  out = '';
  closing = false;

  constructor(private readonly dev: Device) {}

  /** Bytes from the client, processed as far as whole lines (or the byte after get=1) allow. */
  async input(data: Uint8Array): Promise<void> {
    const next = new Uint8Array(this.buf.length + data.length);
    next.set(this.buf);
    next.set(data, this.buf.length);
    this.buf = next;
    while (!this.closing) {
      if (this.mode === 'get') {
        if (this.buf.length === 0) return;
        const b = this.buf[0]!;
        this.buf = this.buf.subarray(1);
        this.mode = 'op';
        if (b !== 0x0a) await this.status(new IpcError(IPC_ERROR_INVALID, `trailing character in UAPI get: ${goQuoteByte(b)}`));
        else {
          this.out += this.get();
          await this.status(null);
        }
        continue;
      }
      const nl = this.buf.indexOf(0x0a);
      if (nl < 0) return;
      const line = new TextDecoder().decode(this.buf.subarray(0, nl));
      this.buf = this.buf.subarray(nl + 1);
      if (this.mode === 'set') await this.setLine(line);
      else if (line === 'set=1') {
        this.mode = 'set';
        this.setPeer = null;
        this.deviceConfig = true;
      } else if (line === 'get=1') this.mode = 'get';
      else {
        await this.dev.log.error(`invalid UAPI operation: ${line}\n`.replace(/\n$/, ''));
        this.closing = true;
      }
    }
  }

  /** The client closed its side: a set in progress ends as if by its empty line. */
  async end(): Promise<void> {
    if (this.mode === 'set' && !this.closing) {
      await this.postConfig();
      this.mode = 'op';
      await this.status(null);
    }
    this.closing = true;
  }

  private async status(err: IpcError | null): Promise<void> {
    if (err) await this.dev.log.error(err.toString());
    this.out += `errno=${err ? err.code : 0}\n\n`;
  }

  private async setLine(line: string): Promise<void> {
    if (line === '') {
      await this.postConfig();
      this.mode = 'op';
      await this.status(null);
      return;
    }
    const eq = line.indexOf('=');
    let err: IpcError | null;
    if (eq < 0) err = new IpcError(IPC_ERROR_PROTOCOL, `failed to parse line ${goQuote(line)}`);
    else {
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1);
      if (key === 'public_key') {
        this.deviceConfig = false;
        await this.postConfig();
        err = await this.publicKeyLine(value);
      } else err = this.deviceConfig ? await this.deviceLine(key, value) : await this.peerLine(key, value);
    }
    if (err) {
      // IpcSetOperation logs its error, then IpcHandle logs the status it sends.
      await this.dev.log.error(err.toString());
      this.mode = 'op';
      await this.status(err);
    }
  }

  private async deviceLine(key: string, value: string): Promise<IpcError | null> {
    const dev = this.dev;
    switch (key) {
      case 'private_key': {
        const k = keyFromHex(value);
        if (!k) return new IpcError(IPC_ERROR_INVALID, `failed to set private_key: ${value.length === 64 ? 'encoding/hex: invalid byte' : 'hex string does not fit the slice'}`);
        await dev.log.verbose('UAPI: Updating private key');
        dev.setPrivateKey(k);
        return null;
      }
      case 'listen_port': {
        const port = parseUint(value, 16);
        if (typeof port === 'string') return new IpcError(IPC_ERROR_INVALID, `failed to parse listen_port: ${port}`);
        await dev.log.verbose('UAPI: Updating listen port');
        dev.listenPort = port;
        const bound = await dev.io.bind(port);
        if (typeof bound === 'string') return new IpcError(IPC_ERROR_PORT_IN_USE, `failed to set listen_port: listen udp4 :${port}: bind: ${bound}`);
        dev.boundPort = bound;
        await dev.log.verbose('UDP bind has been updated');
        return null;
      }
      case 'fwmark': {
        const mark = parseUint(value, 32);
        if (typeof mark === 'string') return new IpcError(IPC_ERROR_INVALID, `invalid fwmark: ${mark}`);
        await dev.log.verbose('UAPI: Updating fwmark');
        dev.fwmark = mark;
        return null;
      }
      case 'replace_peers':
        if (value !== 'true') return new IpcError(IPC_ERROR_INVALID, `failed to set replace_peers, invalid value: ${value}`);
        await dev.log.verbose('UAPI: Removing all peers');
        for (const [k, p] of [...dev.peers]) {
          dev.removePeer(k);
          await dev.log.verbose(`${p.name} - Stopping`);
        }
        return null;
      default:
        return new IpcError(IPC_ERROR_INVALID, `invalid UAPI device key: ${key}`);
    }
  }

  private async publicKeyLine(value: string): Promise<IpcError | null> {
    const dev = this.dev;
    const k = keyFromHex(value);
    if (!k) return new IpcError(IPC_ERROR_INVALID, `failed to get peer by public key: ${value.length === 64 ? 'encoding/hex: invalid byte' : 'hex string does not fit the slice'}`);
    // A peer with the device's own public key is ignored (a dummy takes its lines).
    const dummy = dev.publicKey !== null && keyToHex(dev.publicKey) === keyToHex(k);
    let peer = dummy ? null : (dev.peer(k) ?? null);
    const created = !dummy && peer === null;
    if (created) {
      peer = dev.addPeer(k);
      await dev.log.verbose(`${peer.name} - UAPI: Created`);
    }
    this.setPeer = { peer, dummy, created, pkaOn: false };
    return null;
  }

  private async peerLine(key: string, value: string): Promise<IpcError | null> {
    const dev = this.dev;
    const sp = this.setPeer!;
    const name = sp.peer?.name ?? 'peer(AAAA…AAAA)';
    switch (key) {
      case 'update_only':
        if (value !== 'true') return new IpcError(IPC_ERROR_INVALID, `failed to set update only, invalid value: ${value}`);
        if (sp.created && !sp.dummy && sp.peer) {
          dev.removePeer(keyToHex(sp.peer.publicKey));
          sp.peer = null;
          sp.dummy = true;
        }
        return null;
      case 'remove':
        if (value !== 'true') return new IpcError(IPC_ERROR_INVALID, `failed to set remove, invalid value: ${value}`);
        if (!sp.dummy && sp.peer) {
          await dev.log.verbose(`${name} - UAPI: Removing`);
          dev.removePeer(keyToHex(sp.peer.publicKey));
          await dev.log.verbose(`${name} - Stopping`);
        }
        sp.peer = null;
        sp.dummy = true;
        return null;
      case 'preshared_key': {
        await dev.log.verbose(`${name} - UAPI: Updating preshared key`);
        const k = keyFromHex(value);
        if (!k) return new IpcError(IPC_ERROR_INVALID, `failed to set preshared key: ${value.length === 64 ? 'encoding/hex: invalid byte' : 'hex string does not fit the slice'}`);
        if (sp.peer) sp.peer.presharedKey = k;
        return null;
      }
      case 'endpoint': {
        await dev.log.verbose(`${name} - UAPI: Updating endpoint`);
        const e = parseEndpoint(value);
        if (typeof e === 'string') return new IpcError(IPC_ERROR_INVALID, `failed to set endpoint ${value}: ${e}`);
        if (sp.peer) sp.peer.endpoint = e;
        return null;
      }
      case 'persistent_keepalive_interval': {
        const secs = parseUint(value, 16);
        if (typeof secs === 'string') return new IpcError(IPC_ERROR_INVALID, `failed to set persistent keepalive interval: ${secs}`);
        await dev.log.verbose(`${name} - UAPI: Updating persistent keepalive interval`);
        if (sp.peer) {
          const old = sp.peer.timers.persistentKeepaliveInterval;
          sp.peer.timers.persistentKeepaliveInterval = secs;
          sp.pkaOn = old === 0 && secs !== 0;
        }
        return null;
      }
      case 'replace_allowed_ips':
        await dev.log.verbose(`${name} - UAPI: Removing all allowedips`);
        if (value !== 'true') return new IpcError(IPC_ERROR_INVALID, `failed to replace allowedips, invalid value: ${value}`);
        if (sp.peer) dev.allowed.removeByPeer(sp.peer);
        return null;
      case 'allowed_ip': {
        await dev.log.verbose(`${name} - UAPI: Adding allowedip`);
        const p = parsePrefix(value);
        if (!p || !value.includes('/')) return new IpcError(IPC_ERROR_INVALID, `failed to set allowed ip: netip.ParsePrefix(${goQuote(value)}): ${value.includes('/') ? 'bad prefix' : 'no \'/\''}`);
        if (sp.peer) dev.allowed.insert(p, sp.peer);
        return null;
      }
      case 'protocol_version':
        if (value !== '1') return new IpcError(IPC_ERROR_INVALID, `invalid protocol version: ${value}`);
        return null;
      default:
        return new IpcError(IPC_ERROR_INVALID, `invalid UAPI peer key: ${key}`);
    }
  }

  /** handlePostConfig: a configured peer starts; turning keepalive on sends one at once. */
  private async postConfig(): Promise<void> {
    const sp = this.setPeer;
    this.setPeer = null;
    if (!sp || sp.dummy || !sp.peer || !this.dev.peers.has(keyToHex(sp.peer.publicKey))) return;
    const dev = this.dev;
    await dev.refillRandom();
    if (sp.created) await dev.log.verbose(`${sp.peer.name} - Starting`);
    if (sp.pkaOn) await sendKeepalive(dev, sp.peer);
    await sendStaged(dev, sp.peer);
  }

  /** IpcGetOperation's lines: the device's keys, then each peer's, in wireguard-go's order. */
  private get(): string {
    const dev = this.dev;
    const lines: string[] = [];
    if (dev.privateKey && !isZeroKey(dev.privateKey)) lines.push(`private_key=${keyToHex(dev.privateKey)}`);
    if (dev.boundPort !== 0) lines.push(`listen_port=${dev.boundPort}`);
    if (dev.fwmark !== 0) lines.push(`fwmark=${dev.fwmark}`);
    for (const p of dev.peers.values()) {
      lines.push(`public_key=${keyToHex(p.publicKey)}`, `preshared_key=${keyToHex(p.presharedKey)}`, 'protocol_version=1');
      if (p.endpoint) lines.push(`endpoint=${endpointText(p.endpoint)}`);
      const sec = Math.floor(p.lastHandshakeWallNs / 1e9);
      lines.push(
        `last_handshake_time_sec=${sec}`,
        `last_handshake_time_nsec=${p.lastHandshakeWallNs - sec * 1e9}`,
        `tx_bytes=${p.txBytes}`,
        `rx_bytes=${p.rxBytes}`,
        `persistent_keepalive_interval=${p.timers.persistentKeepaliveInterval}`,
      );
      for (const prefix of dev.allowed.prefixesOf(p)) lines.push(`allowed_ip=${formatPrefix(prefix)}`);
    }
    return lines.map((l) => `${l}\n`).join('');
  }
}
