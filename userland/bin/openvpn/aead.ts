// The TLS-mode data channel with an AEAD cipher (crypto.c openvpn_encrypt_aead / _decrypt_aead):
//
//   P_DATA_V2 = [0x48 | key id][peer-id u24 BE][packet id u32 BE][tag 16][ciphertext]
//   P_DATA_V1 = [0x30 | key id][packet id u32 BE][tag 16][ciphertext]
//
// nonce = packet id || the 8-byte implicit IV (the head of the direction's HMAC key slot), AAD =
// everything before the tag but the tag itself: 8 bytes for V2, 5 for V1. Packet ids are the short
// form (no time), from 1 per key and direction, replay-checked with the window of --replay-window.
// The data keys come from key-derivation.ts: 256 bytes, keys[0] (bytes 0..127) for what the client
// sends, keys[1] (128..255) for what the server sends; each slot is 64 bytes of cipher key then 64
// of "HMAC" key whose first 8 bytes are the implicit IV. No I/O, no clock.

import { type CipherGCMTypes, createCipheriv, createDecipheriv } from 'node:crypto';
import { replayReason } from './data-channel.js';
import { P_DATA_V1, P_DATA_V2 } from './control-packet.js';
import { ReplayWindow } from './replay.js';

export interface AeadSpec {
  /** The name OpenVPN prints and negotiates. */
  readonly name: string;
  readonly nodeName: CipherGCMTypes | 'chacha20-poly1305';
  readonly keyLength: number;
}

export const AES_128_GCM: AeadSpec = { name: 'AES-128-GCM', nodeName: 'aes-128-gcm', keyLength: 16 };
export const AES_192_GCM: AeadSpec = { name: 'AES-192-GCM', nodeName: 'aes-192-gcm', keyLength: 24 };
export const AES_256_GCM: AeadSpec = { name: 'AES-256-GCM', nodeName: 'aes-256-gcm', keyLength: 32 };
export const CHACHA20_POLY1305: AeadSpec = { name: 'CHACHA20-POLY1305', nodeName: 'chacha20-poly1305', keyLength: 32 };

const BY_NAME: ReadonlyMap<string, AeadSpec> = new Map<string, AeadSpec>(
  [AES_128_GCM, AES_192_GCM, AES_256_GCM, CHACHA20_POLY1305].map((c) => [c.name.toLowerCase(), c]),
);

/** A --data-ciphers name (case-insensitive, as OpenSSL matches), or null. */
export function lookupAead(name: string): AeadSpec | null {
  return BY_NAME.get(name.toLowerCase()) ?? null;
}

export const DEFAULT_DATA_CIPHERS = 'AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305';

export const TAG_SIZE = 16;
/** The peer-id that means "none assigned" (the client has no pushed peer-id yet). */
export const PEER_ID_UNDEF = 0xffffff;
const SLOT = 128;

export interface DirectionKeys {
  readonly cipherKey: Uint8Array;
  readonly implicitIv: Uint8Array;
}

/** The send and receive halves of the 256-byte key2 for a role: the client sends with keys[0]. */
export function aeadKeys(key2: Uint8Array, cipher: AeadSpec, server: boolean): { send: DirectionKeys; recv: DirectionKeys } {
  if (key2.length !== 2 * SLOT) throw new RangeError(`data key material is ${2 * SLOT} bytes, got ${key2.length}`);
  const slot = (n: number): DirectionKeys => ({
    cipherKey: key2.slice(n * SLOT, n * SLOT + cipher.keyLength),
    implicitIv: key2.slice(n * SLOT + 64, n * SLOT + 72),
  });
  return server ? { send: slot(1), recv: slot(0) } : { send: slot(0), recv: slot(1) };
}

export type AeadOpen =
  | { readonly ok: true; readonly packetId: number; readonly payload: Uint8Array }
  | { readonly ok: false; readonly reason: string };

/** One key's data channel in both directions (a key_state's crypto_options). */
export class AeadChannel {
  /** Last packet id sent (0 before the first). */
  sentId = 0;
  readonly replay: ReplayWindow;

  constructor(
    readonly cipher: AeadSpec,
    readonly keyId: number,
    private readonly keys: { send: DirectionKeys; recv: DirectionKeys },
    replayWindow = 64,
    replaySeconds = 15,
  ) {
    this.replay = new ReplayWindow(replayWindow, replaySeconds);
  }

  private nonce(id: number, iv: Uint8Array): Buffer {
    const n = Buffer.alloc(12);
    n.writeUInt32BE(id, 0);
    n.set(iv, 4);
    return n;
  }

  /** Seal one payload as P_DATA_V2 with `peerId` (or V1 when peerId is null). Ids run out at 2^32 - 1. */
  seal(payload: Uint8Array, peerId: number | null): Uint8Array {
    if (this.sentId >= 0xffffffff) throw new RangeError('ENCRYPT ERROR: packet ID roll over');
    const id = ++this.sentId;
    const head = peerId === null ? 1 : 4;
    const out = new Uint8Array(head + 4 + TAG_SIZE + payload.length);
    const view = new DataView(out.buffer);
    if (peerId === null) out[0] = (P_DATA_V1 << 3) | this.keyId;
    else view.setUint32(0, (((P_DATA_V2 << 3) | this.keyId) << 24) | (peerId & 0xffffff));
    view.setUint32(head, id);
    const aad = out.subarray(0, head + 4);
    const c = createCipheriv(this.cipher.nodeName as CipherGCMTypes, this.keys.send.cipherKey, this.nonce(id, this.keys.send.implicitIv), { authTagLength: TAG_SIZE });
    c.setAAD(aad);
    out.set(c.update(payload), head + 4 + TAG_SIZE);
    c.final();
    out.set(c.getAuthTag(), head + 4);
    return out;
  }

  /**
   * Authenticate, decrypt and replay-check one P_DATA_V1/V2 datagram of this key. `now` in seconds,
   * for the replay window's expiry. The failure reason is OpenVPN's text after
   * "AEAD Decrypt error: " (or the replay message).
   */
  open(datagram: Uint8Array, now: number): AeadOpen {
    const v2 = datagram[0]! >> 3 === P_DATA_V2;
    const head = v2 ? 4 : 1;
    if (datagram.length < head + 4 + TAG_SIZE) return { ok: false, reason: 'AEAD Decrypt error: missing tag' };
    if (datagram.length === head + 4 + TAG_SIZE) return { ok: false, reason: 'AEAD Decrypt error: missing payload' };
    const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
    const id = view.getUint32(head);
    const tag = datagram.subarray(head + 4, head + 4 + TAG_SIZE);
    let plain: Buffer;
    try {
      const d = createDecipheriv(this.cipher.nodeName as CipherGCMTypes, this.keys.recv.cipherKey, this.nonce(id, this.keys.recv.implicitIv), { authTagLength: TAG_SIZE });
      d.setAAD(datagram.subarray(0, head + 4));
      d.setAuthTag(tag);
      plain = Buffer.concat([d.update(datagram.subarray(head + 4 + TAG_SIZE)), d.final()]);
    } catch {
      return { ok: false, reason: 'AEAD Decrypt error: cipher final failed' };
    }
    if (!this.replay.check(id, 0, now)) return { ok: false, reason: `AEAD Decrypt error: ${replayReason(id, 0)}` };
    this.replay.commit(id, 0, now);
    return { ok: true, packetId: id, payload: new Uint8Array(plain.buffer, plain.byteOffset, plain.length) };
  }
}
