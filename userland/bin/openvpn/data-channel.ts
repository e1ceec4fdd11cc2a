// The static-key data channel of OpenVPN 2.6 (crypto.c openvpn_encrypt_v1 / openvpn_decrypt_v1 with
// a CBC cipher, an HMAC, and the long packet-id form that static mode always uses):
//
//   UDP payload = HMAC(IV || ciphertext) || IV || CBC(key, IV, id u32 BE || time u32 BE || payload)
//
// with PKCS#7 padding (1..block bytes) and a fresh random IV per packet. There is no opcode, key id
// or peer id byte. The module does no I/O and reads no clock: the caller owns the send counter and
// session time, the IV source and the receive clock, which is what lets the emulator run it in
// virtual time and tests replay it byte for byte.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AuthSpec, CipherSpec } from './algorithms.js';
import { CbcDecryptor, CbcEncryptor, paddedLength } from './cbc-chain.js';
import { ReplayWindow } from './replay.js';
import type { SlotKeys } from './static-key.js';

/** Bytes of packet id and time at the head of the plaintext. */
export const PACKET_ID_LONG_SIZE = 8;
export const PACKET_ID_MAX = 0xffffffff;

/**
 * Datagram size for a payload of `payloadLength` bytes: H + IV + the padded (8 + P). Padding is
 * always added, so 8 + P is rounded up to the next whole block strictly above it. A 16-byte ping is
 * 80 bytes with AES+SHA256 and 68 with SHA1; an 84-byte ICMP echo packet is 144.
 */
export function datagramLength(payloadLength: number, cipher: CipherSpec, auth: AuthSpec): number {
  const plain = PACKET_ID_LONG_SIZE + payloadLength;
  return auth.length + cipher.ivLength + cipher.blockSize * (Math.floor(plain / cipher.blockSize) + 1);
}

export interface EncryptState {
  readonly cipher: CipherSpec;
  readonly auth: AuthSpec;
  /** The send slot of keySlots(). */
  readonly keys: SlotKeys;
  /** Session time (u32), OpenVPN's Unix time at the first packet; the caller picks it. */
  time: number;
  /** Id of the last packet sent: 0 before the first, so the first packet carries 1. */
  packetId: number;
  /** Source of IVs; OpenVPN uses its PRNG. Defaults to node:crypto randomBytes. */
  readonly randomIv: (length: number) => Uint8Array;
  /** The send direction's cipher, made once (cbc-chain.ts). */
  readonly cbc: CbcEncryptor;
}

export interface EncryptStateInit {
  cipher: CipherSpec;
  auth: AuthSpec;
  keys: SlotKeys;
  time: number;
  randomIv?: (length: number) => Uint8Array;
}

export function createEncryptState(init: EncryptStateInit): EncryptState {
  checkKeys(init.keys, init.cipher, init.auth);
  return {
    cipher: init.cipher,
    auth: init.auth,
    keys: init.keys,
    time: toU32(init.time, 'time'),
    packetId: 0,
    randomIv: init.randomIv ?? ((n) => randomBytes(n)),
    cbc: new CbcEncryptor(init.cipher.nodeName, init.keys.cipherKey),
  };
}

/** The line OpenVPN logs when a sender's 32-bit packet id is used up within one second. */
export const PACKET_ID_ROLL_OVER = 'ENCRYPT ERROR: packet ID roll over';

/**
 * Seal one payload (IP packet, frame, ping or OCC message). Every call uses the next packet id, so
 * pings and OCC count too. Throws RangeError(PACKET_ID_ROLL_OVER) once the id would pass 2^32 - 1:
 * call rollOverPacketId() first if that can matter (it cannot in practice: 4 billion packets).
 * OpenVPN never sends an empty payload (it skips a zero-length buffer); this seals one if asked.
 */
export function encryptPacket(state: EncryptState, payload: Uint8Array): Uint8Array {
  if (state.packetId >= PACKET_ID_MAX) throw new RangeError(PACKET_ID_ROLL_OVER);
  const { cipher, auth, keys } = state;
  const iv = state.randomIv(cipher.ivLength);
  if (iv.length !== cipher.ivLength) throw new RangeError(`IV source gave ${iv.length} bytes, need ${cipher.ivLength}`);
  state.packetId += 1;

  const length = PACKET_ID_LONG_SIZE + payload.length;
  const plain = new Uint8Array(paddedLength(length));
  const view = new DataView(plain.buffer);
  view.setUint32(0, state.packetId);
  view.setUint32(4, state.time);
  plain.set(payload, PACKET_ID_LONG_SIZE);
  const ciphertext = state.cbc.encrypt(iv, plain, length);

  const out = new Uint8Array(auth.length + iv.length + ciphertext.length);
  out.set(iv, auth.length);
  out.set(ciphertext, auth.length + iv.length);
  const mac = createHmac(auth.nodeName, keys.hmacKey).update(out.subarray(auth.length)).digest();
  out.set(mac, 0);
  return out;
}

/**
 * OpenVPN's long-form roll over: once the id is exhausted, a sender whose clock has moved past its
 * session time starts a new session (time = now, ids from 1 again), which the receiver accepts as
 * "time moved forward". Returns false when the id is exhausted and the clock has not moved on.
 */
export function rollOverPacketId(state: EncryptState, now: number): boolean {
  if (state.packetId < PACKET_ID_MAX) return true;
  if (now <= state.time) return false;
  state.time = toU32(now, 'now');
  state.packetId = 0;
  return true;
}

export interface DecryptState {
  readonly cipher: CipherSpec;
  readonly auth: AuthSpec;
  /** The receive slot of keySlots(). */
  readonly keys: SlotKeys;
  readonly replay: ReplayWindow;
  /**
   * Formats a packet's time in the replay message. OpenVPN uses localtime() and
   * "%04d-%02d-%02d %02d:%02d:%02d"; the default here formats in UTC.
   */
  readonly formatTime: (unixSeconds: number) => string;
  /** The receive direction's cipher, made once (cbc-chain.ts). */
  readonly cbc: CbcDecryptor;
}

export interface DecryptStateInit {
  cipher: CipherSpec;
  auth: AuthSpec;
  keys: SlotKeys;
  /** Defaults to a window of 64 ids and 15 s, OpenVPN's UDP defaults. */
  replay?: ReplayWindow;
  formatTime?: (unixSeconds: number) => string;
}

export function createDecryptState(init: DecryptStateInit): DecryptState {
  checkKeys(init.keys, init.cipher, init.auth);
  return {
    cipher: init.cipher,
    auth: init.auth,
    keys: init.keys,
    replay: init.replay ?? new ReplayWindow(),
    formatTime: init.formatTime ?? formatTimeUtc,
    cbc: new CbcDecryptor(init.cipher.nodeName, init.keys.cipherKey),
  };
}

/** Why a datagram was dropped, in the order OpenVPN tests. */
export type DecryptFailure =
  | 'missing-auth' // shorter than the HMAC
  | 'hmac' // HMAC mismatch: wrong key, wrong direction, wrong --auth, or tampering
  | 'missing-iv' // authenticated, but shorter than HMAC + IV
  | 'missing-payload' // nothing after the IV
  | 'cipher-final' // ciphertext not whole blocks, or bad padding
  | 'packet-id' // plaintext shorter than the 8-byte packet id
  | 'replay'; // refused by the replay window

export type DecryptResult =
  | { readonly ok: true; readonly packetId: number; readonly time: number; readonly payload: Uint8Array }
  | {
      readonly ok: false;
      readonly failure: DecryptFailure;
      /** OpenVPN's text, e.g. `packet HMAC authentication failed`; see decryptErrorLine(). */
      readonly reason: string;
      /** Known once the plaintext was read (failure 'replay'). */
      readonly packetId?: number;
      readonly time?: number;
    };

/** Prefix of every data-channel error line in static mode (error_prefix in openvpn_decrypt_v1). */
export const DECRYPT_ERROR_PREFIX = 'Authenticate/Decrypt packet error';

/** The full line OpenVPN logs at verb >= 1 for a dropped packet. */
export function decryptErrorLine(result: { readonly reason: string }): string {
  return `${DECRYPT_ERROR_PREFIX}: ${result.reason}`;
}

export interface DecryptOptions {
  /**
   * Record the packet in the replay window when it is accepted (default true, as OpenVPN does).
   * Pass false to commit later with state.replay.commit(packetId, time, now), after checks of your own.
   */
  readonly commit?: boolean;
}

/**
 * Authenticate, decrypt and replay-check one datagram. `now` is the receiver's clock in seconds,
 * used only for replay-window expiry. Never throws: anything malformed is an error value.
 */
export function decryptPacket(
  state: DecryptState,
  datagram: Uint8Array,
  now: number,
  options: DecryptOptions = {},
): DecryptResult {
  const { cipher, auth, keys } = state;
  const hmacLength = auth.length;
  if (datagram.length < hmacLength) return fail('missing-auth', 'missing authentication info');

  const body = datagram.subarray(hmacLength);
  const expected = createHmac(auth.nodeName, keys.hmacKey).update(body).digest();
  if (!timingSafeEqual(expected, datagram.subarray(0, hmacLength))) {
    return fail('hmac', 'packet HMAC authentication failed');
  }

  if (body.length < cipher.ivLength) return fail('missing-iv', 'missing IV info');
  const iv = body.subarray(0, cipher.ivLength);
  const ciphertext = body.subarray(cipher.ivLength);
  if (ciphertext.length < 1) return fail('missing-payload', 'missing payload');

  const plain = state.cbc.decrypt(iv, ciphertext);
  if (!plain) return fail('cipher-final', 'cipher final failed');

  if (plain.length < PACKET_ID_LONG_SIZE) return fail('packet-id', 'error reading CBC packet-id');
  const head = new DataView(plain.buffer, plain.byteOffset, PACKET_ID_LONG_SIZE);
  const packetId = head.getUint32(0);
  const time = head.getUint32(4);

  if (!state.replay.check(packetId, time, now)) {
    return {
      ok: false,
      failure: 'replay',
      reason: replayReason(packetId, time, state.formatTime),
      packetId,
      time,
    };
  }
  if (options.commit ?? true) state.replay.commit(packetId, time, now);
  return { ok: true, packetId, time, payload: new Uint8Array(plain.subarray(PACKET_ID_LONG_SIZE)) };
}

/**
 * packet_id_net_print() inside crypto_check_replay()'s message, e.g.
 * `bad packet ID (may be a replay): [ #18 / time = (1795443056) 2026-11-23 14:10:56 ] -- see ...`.
 * A time of 0 is left out, as OpenVPN does.
 */
export function replayReason(packetId: number, time: number, formatTime: (unixSeconds: number) => string = formatTimeUtc): string {
  const stamp = time !== 0 ? ` / time = (${time}) ${formatTime(time)}` : '';
  return (
    `bad packet ID (may be a replay): [ #${packetId}${stamp} ] -- see the man page entry for --no-replay ` +
    'and --replay-window for more info or silence this warning with --mute-replay-warnings'
  );
}

/** OpenVPN 2.6's time_string() layout ("%04d-%02d-%02d %02d:%02d:%02d"), in UTC. */
export function formatTimeUtc(unixSeconds: number): string {
  const secs = Math.floor(unixSeconds);
  const days = Math.floor(secs / 86400);
  const sod = secs - days * 86400;
  // Civil date from days since 1970-01-01 (H. Hinnant's algorithm), so no Date object is involved.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return (
    `${String(year).padStart(4, '0')}-${p2(month)}-${p2(day)} ` +
    `${p2(Math.floor(sod / 3600))}:${p2(Math.floor((sod % 3600) / 60))}:${p2(sod % 60)}`
  );
}

function fail(failure: DecryptFailure, reason: string): DecryptResult {
  return { ok: false, failure, reason };
}

function toU32(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`${what} ${value} is not a u32`);
  return value;
}

function checkKeys(keys: SlotKeys, cipher: CipherSpec, auth: AuthSpec): void {
  if (keys.cipherKey.length !== cipher.keyLength) {
    throw new RangeError(`${cipher.name} needs a ${cipher.keyLength}-byte key, got ${keys.cipherKey.length}`);
  }
  if (keys.hmacKey.length !== auth.length) {
    throw new RangeError(`HMAC-${auth.name} needs a ${auth.length}-byte key, got ${keys.hmacKey.length}`);
  }
}
