// WireGuard messages (the whitepaper's section 5.4; wireguard-go's device/noise-protocol.go), the
// UDP payloads of a WireGuard tunnel. Unlike the IP headers every field is little-endian, and the
// first four bytes are one u32 message type: a type byte with non-zero "reserved" bytes is an
// unknown type, which is how wireguard-go reads it. The daemon (userland/bin/wireguard) and the
// dissector (userland/lib/dissect/wireguard.ts) share these views.
//
//   type 1, handshake initiation, 148 bytes: type, sender u32, ephemeral 32, static 32+16,
//           timestamp 12+16, mac1 16, mac2 16
//   type 2, handshake response, 92 bytes: type, sender u32, receiver u32, ephemeral 32, empty 0+16,
//           mac1 16, mac2 16
//   type 3, cookie reply, 64 bytes: type, receiver u32, nonce 24, cookie 16+16
//   type 4, transport data, 32 bytes or more: type, receiver u32, counter u64, then the packet
//           sealed with its 16-byte tag (a keepalive seals nothing: 32 bytes)

import { WireError } from './error.js';

export const WG_HANDSHAKE_INITIATION = 1;
export const WG_HANDSHAKE_RESPONSE = 2;
export const WG_COOKIE_REPLY = 3;
export const WG_TRANSPORT_DATA = 4;

export const WG_INITIATION_LEN = 148;
export const WG_RESPONSE_LEN = 92;
export const WG_COOKIE_REPLY_LEN = 64;
export const WG_TRANSPORT_HEADER_LEN = 16;
/** The Poly1305 tag every sealed field ends with. */
export const WG_TAG_LEN = 16;
/** A transport message with nothing inside: the keepalive. */
export const WG_KEEPALIVE_LEN = WG_TRANSPORT_HEADER_LEN + WG_TAG_LEN;
export const WG_KEY_LEN = 32;
export const WG_MAC_LEN = 16;
export const WG_COOKIE_NONCE_LEN = 24;
/** TAI64N: 8 bytes of seconds, 4 of nanoseconds. */
export const WG_TIMESTAMP_LEN = 12;
/** The port wg(8) and the dissectors take for WireGuard when nothing else is said. */
export const WG_DEFAULT_PORT = 51820;

/** Wireshark's names for the message types (packet-wireguard.c, wg_type_names). */
export const WG_TYPE_NAMES: Readonly<Record<number, string>> = {
  [WG_HANDSHAKE_INITIATION]: 'Handshake Initiation',
  [WG_HANDSHAKE_RESPONSE]: 'Handshake Response',
  [WG_COOKIE_REPLY]: 'Cookie Reply',
  [WG_TRANSPORT_DATA]: 'Transport Data',
};

export function readU32Le(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

export function writeU32Le(b: Uint8Array, at: number, v: number): void {
  b[at] = v;
  b[at + 1] = v >>> 8;
  b[at + 2] = v >>> 16;
  b[at + 3] = v >>> 24;
}

export function readU64Le(b: Uint8Array, at: number): bigint {
  return (BigInt(readU32Le(b, at + 4)) << 32n) | BigInt(readU32Le(b, at));
}

export function writeU64Le(b: Uint8Array, at: number, v: bigint): void {
  writeU32Le(b, at, Number(v & 0xffff_ffffn));
  writeU32Le(b, at + 4, Number((v >> 32n) & 0xffff_ffffn));
}

/** The length a message of `type` must have (transport: its least). */
function fixedLen(type: number): number | undefined {
  switch (type) {
    case WG_HANDSHAKE_INITIATION:
      return WG_INITIATION_LEN;
    case WG_HANDSHAKE_RESPONSE:
      return WG_RESPONSE_LEN;
    case WG_COOKIE_REPLY:
      return WG_COOKIE_REPLY_LEN;
    default:
      return undefined;
  }
}

/** A view over one message; the fields a type lacks read as the bytes that sit there. */
export class WireGuardPacket {
  constructor(readonly buffer: Uint8Array) {}

  static checked(buffer: Uint8Array): WireGuardPacket | WireError {
    const packet = new WireGuardPacket(buffer);
    return packet.checkLen() ?? packet;
  }

  checkLen(): WireError | undefined {
    const len = this.buffer.length;
    if (len < 4) return new WireError(`WireGuard: message truncated (${len} < 4 bytes)`);
    const type = this.type;
    if (type === WG_TRANSPORT_DATA) {
      if (len < WG_KEEPALIVE_LEN) return new WireError(`WireGuard: transport message truncated (${len} < ${WG_KEEPALIVE_LEN} bytes)`);
      return undefined;
    }
    const want = fixedLen(type);
    if (want === undefined) return new WireError(`WireGuard: unknown message type 0x${type.toString(16).padStart(8, '0')}`);
    if (len !== want) return new WireError(`WireGuard: ${WG_TYPE_NAMES[type]} of ${len} bytes (not ${want})`);
    return undefined;
  }

  /** The whole first word: the type byte and the three reserved bytes, which must be zero. */
  get type(): number {
    return readU32Le(this.buffer, 0);
  }
  set type(v: number) {
    writeU32Le(this.buffer, 0, v);
  }

  /** Initiation and response: the index the sender wants to be addressed by. */
  get sender(): number {
    return readU32Le(this.buffer, 4);
  }
  set sender(v: number) {
    writeU32Le(this.buffer, 4, v);
  }

  /** Response: at 8; cookie reply and transport: at 4. */
  get receiver(): number {
    return readU32Le(this.buffer, this.type === WG_HANDSHAKE_RESPONSE ? 8 : 4);
  }
  set receiver(v: number) {
    writeU32Le(this.buffer, this.type === WG_HANDSHAKE_RESPONSE ? 8 : 4, v);
  }

  get ephemeral(): Uint8Array {
    const at = this.type === WG_HANDSHAKE_RESPONSE ? 12 : 8;
    return this.buffer.subarray(at, at + WG_KEY_LEN);
  }

  /** Initiation: the initiator's static public key, sealed. */
  get encryptedStatic(): Uint8Array {
    return this.buffer.subarray(40, 88);
  }

  /** Initiation: the TAI64N timestamp, sealed. */
  get encryptedTimestamp(): Uint8Array {
    return this.buffer.subarray(88, 116);
  }

  /** Response: nothing, sealed (the tag alone). */
  get encryptedNothing(): Uint8Array {
    return this.buffer.subarray(44, 60);
  }

  /** Where mac1 starts: what it covers ends there, and what mac2 covers ends 16 bytes later. */
  get macOffset(): number {
    return this.buffer.length - 2 * WG_MAC_LEN;
  }
  get mac1(): Uint8Array {
    const at = this.macOffset;
    return this.buffer.subarray(at, at + WG_MAC_LEN);
  }
  get mac2(): Uint8Array {
    const at = this.macOffset + WG_MAC_LEN;
    return this.buffer.subarray(at, at + WG_MAC_LEN);
  }

  /** Cookie reply: the XChaCha20 nonce and the sealed cookie. */
  get nonce(): Uint8Array {
    return this.buffer.subarray(8, 32);
  }
  get encryptedCookie(): Uint8Array {
    return this.buffer.subarray(32, 64);
  }

  /** Transport: the nonce of this message, which the receiver's replay window checks. */
  get counter(): bigint {
    return readU64Le(this.buffer, 8);
  }
  set counter(v: bigint) {
    writeU64Le(this.buffer, 8, v);
  }

  get encryptedPacket(): Uint8Array {
    return this.buffer.subarray(WG_TRANSPORT_HEADER_LEN);
  }
}

export type WireGuardRepr =
  | {
      type: typeof WG_HANDSHAKE_INITIATION;
      sender: number;
      ephemeral: Uint8Array;
      encryptedStatic: Uint8Array;
      encryptedTimestamp: Uint8Array;
      mac1: Uint8Array;
      mac2: Uint8Array;
    }
  | {
      type: typeof WG_HANDSHAKE_RESPONSE;
      sender: number;
      receiver: number;
      ephemeral: Uint8Array;
      encryptedNothing: Uint8Array;
      mac1: Uint8Array;
      mac2: Uint8Array;
    }
  | { type: typeof WG_COOKIE_REPLY; receiver: number; nonce: Uint8Array; encryptedCookie: Uint8Array }
  | { type: typeof WG_TRANSPORT_DATA; receiver: number; counter: bigint; encryptedPacket: Uint8Array };

function put(b: Uint8Array, at: number, field: Uint8Array, len: number, name: string): void {
  if (field.length !== len) throw new RangeError(`WireGuard: ${name} must be ${len} bytes, not ${field.length}`);
  b.set(field, at);
}

export const WireGuardRepr = {
  /** The fields are views into the packet's buffer, not copies. */
  parse(packet: WireGuardPacket): WireGuardRepr | WireError {
    const err = packet.checkLen();
    if (err !== undefined) return err;
    switch (packet.type) {
      case WG_HANDSHAKE_INITIATION:
        return {
          type: WG_HANDSHAKE_INITIATION,
          sender: packet.sender,
          ephemeral: packet.ephemeral,
          encryptedStatic: packet.encryptedStatic,
          encryptedTimestamp: packet.encryptedTimestamp,
          mac1: packet.mac1,
          mac2: packet.mac2,
        };
      case WG_HANDSHAKE_RESPONSE:
        return {
          type: WG_HANDSHAKE_RESPONSE,
          sender: packet.sender,
          receiver: packet.receiver,
          ephemeral: packet.ephemeral,
          encryptedNothing: packet.encryptedNothing,
          mac1: packet.mac1,
          mac2: packet.mac2,
        };
      case WG_COOKIE_REPLY:
        return { type: WG_COOKIE_REPLY, receiver: packet.receiver, nonce: packet.nonce, encryptedCookie: packet.encryptedCookie };
      default:
        return { type: WG_TRANSPORT_DATA, receiver: packet.receiver, counter: packet.counter, encryptedPacket: packet.encryptedPacket };
    }
  },

  bufferLen(repr: WireGuardRepr): number {
    return repr.type === WG_TRANSPORT_DATA ? WG_TRANSPORT_HEADER_LEN + repr.encryptedPacket.length : fixedLen(repr.type)!;
  },

  /** Writes the message into `bufferLen(repr)` bytes; a field of the wrong size is a RangeError. */
  emit(repr: WireGuardRepr, packet: WireGuardPacket): void {
    const b = packet.buffer;
    b.fill(0, 0, 4);
    packet.type = repr.type;
    switch (repr.type) {
      case WG_HANDSHAKE_INITIATION:
        packet.sender = repr.sender;
        put(b, 8, repr.ephemeral, WG_KEY_LEN, 'ephemeral');
        put(b, 40, repr.encryptedStatic, WG_KEY_LEN + WG_TAG_LEN, 'encrypted static');
        put(b, 88, repr.encryptedTimestamp, WG_TIMESTAMP_LEN + WG_TAG_LEN, 'encrypted timestamp');
        put(b, 116, repr.mac1, WG_MAC_LEN, 'mac1');
        put(b, 132, repr.mac2, WG_MAC_LEN, 'mac2');
        return;
      case WG_HANDSHAKE_RESPONSE:
        packet.sender = repr.sender;
        packet.receiver = repr.receiver;
        put(b, 12, repr.ephemeral, WG_KEY_LEN, 'ephemeral');
        put(b, 44, repr.encryptedNothing, WG_TAG_LEN, 'encrypted nothing');
        put(b, 60, repr.mac1, WG_MAC_LEN, 'mac1');
        put(b, 76, repr.mac2, WG_MAC_LEN, 'mac2');
        return;
      case WG_COOKIE_REPLY:
        packet.receiver = repr.receiver;
        put(b, 8, repr.nonce, WG_COOKIE_NONCE_LEN, 'nonce');
        put(b, 32, repr.encryptedCookie, WG_MAC_LEN + WG_TAG_LEN, 'encrypted cookie');
        return;
      case WG_TRANSPORT_DATA:
        packet.receiver = repr.receiver;
        packet.counter = repr.counter;
        b.set(repr.encryptedPacket, WG_TRANSPORT_HEADER_LEN);
        return;
    }
  },
};

export function buildWireGuardMessage(repr: WireGuardRepr): Uint8Array {
  const buf = new Uint8Array(WireGuardRepr.bufferLen(repr));
  WireGuardRepr.emit(repr, new WireGuardPacket(buf));
  return buf;
}

/**
 * Whether a UDP payload on any port looks like WireGuard, as Wireshark's heuristic dissector
 * decides (dissect_wg_heur): the first byte a known type with that type's length (a transport
 * message: at least 32 bytes), and the reserved bytes zero for a cookie reply or transport data
 * (Cloudflare's implementation uses them in handshakes, so there they are not checked).
 */
export function looksLikeWireGuard(payload: Uint8Array): boolean {
  const len = payload.length;
  if (len < 4) return false;
  const type = payload[0]!;
  const reservedZero = payload[1] === 0 && payload[2] === 0 && payload[3] === 0;
  switch (type) {
    case WG_HANDSHAKE_INITIATION:
      return len === WG_INITIATION_LEN;
    case WG_HANDSHAKE_RESPONSE:
      return len === WG_RESPONSE_LEN;
    case WG_COOKIE_REPLY:
      return len === WG_COOKIE_REPLY_LEN && reservedZero;
    case WG_TRANSPORT_DATA:
      return len >= WG_KEEPALIVE_LEN && reservedZero;
    default:
      return false;
  }
}
