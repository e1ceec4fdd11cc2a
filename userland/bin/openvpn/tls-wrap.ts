// The three ways a control packet travels (ssl_pkt.c tls_wrap_control / read_control_auth,
// tls_crypt.c):
//
//   none       [op][own sid 8][control plaintext]
//   tls-auth   [op][own sid 8][HMAC h][wrap-pid u32][wrap-time u32][control plaintext]
//              HMAC over wrap-pid || wrap-time || op || sid || plaintext (swap_hmac)
//   tls-crypt  [op][own sid 8][wrap-pid u32][wrap-time u32][tag 32][AES-256-CTR(plaintext)]
//              tag = HMAC-SHA256(op || sid || pid || time || plaintext), CTR IV = tag[0..16)
//
// Each direction has its own long-form packet id (from 1, time = the clock at the first packet)
// and, on receipt, its own replay window (64 ids / 15 s by default). The keys are the 2048-bit
// static key format: tls-auth takes its HMAC key from the slot its --key-direction names, tls-crypt
// has the server send with slot 0 and the client with slot 1 (tls_crypt_init_key).

import { createCipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import type { AuthSpec } from './algorithms.js';
import { DECRYPT_ERROR_PREFIX, replayReason } from './data-channel.js';
import { ReplayWindow } from './replay.js';
import { opcodeOf, P_CONTROL_HARD_RESET_CLIENT_V3, P_CONTROL_WKC_V1, SID_SIZE } from './control-packet.js';
import { KEY_SLOT_LENGTH, type KeyDirection, STATIC_KEY_LENGTH } from './static-key.js';

export type UnwrapResult =
  | { readonly ok: true; readonly plain: Uint8Array }
  /** `lines`: what OpenVPN logs (D_CRYPT_ERRORS, D_REPLAY_ERRORS) before its "TLS Error: ... from ADDR" line. */
  | { readonly ok: false; readonly lines: readonly string[] };

export interface TlsWrap {
  readonly mode: 'none' | 'auth' | 'crypt';
  /** Bytes the wrap adds to a control packet, as calc_control_channel_frame_overhead() counts them. */
  readonly frameOverhead: number;
  /** Wrap one packet; every call takes the next wrap packet id. */
  wrap(header: number, sid: Uint8Array, plain: Uint8Array, nowSeconds: number): Uint8Array;
  /** Check and unwrap; `replay` false skips (and does not record) the packet-id check. */
  unwrap(packet: Uint8Array, nowSeconds: number, replay?: boolean): UnwrapResult;
  /**
   * The same keys with fresh packet-id state (each TLS session has its own); `lastSentId` says
   * how many packets this direction already sent (a stateless server's reset answer).
   */
  fresh(lastSentId?: number): TlsWrap;
}

export interface ReplayParams {
  readonly window: number;
  readonly seconds: number;
  readonly mute: boolean;
}

export const DEFAULT_REPLAY: ReplayParams = { window: 64, seconds: 15, mute: false };

/** The long-form packet id a sender writes: ids from 1, the time of the first packet. */
export class PacketIdSend {
  private time = 0;

  /** `id` is the last id used: 0 for a new sender, 0x0f000000 for a tls-crypt-v2 client's early negotiation. */
  constructor(private id = 0) {}

  next(now: number): [number, number] {
    if (this.time === 0) this.time = now >>> 0;
    this.id = (this.id + 1) >>> 0;
    return [this.id, this.time];
  }
}

const HEAD = 1 + SID_SIZE;
/** A tls-crypt-v2 client's first wrap-pid is one past this: it announces early negotiation (ssl_pkt.h). */
export const EARLY_NEG_START = 0x0f000000;
/**
 * tls_crypt_v2_extract_client_key()'s first half: where the WKc that ends a HARD_RESET_CLIENT_V3
 * or CONTROL_WKC_V1 starts (its last two bytes are its length), or the line 2.6 logs.
 */
export function locateWkc(packet: Uint8Array): { ok: true; at: number } | { ok: false; line: string } {
  if (packet.length < 2) return { ok: false, line: 'Can not read tls-crypt-v2 client key length' };
  const len = (packet[packet.length - 2]! << 8) | packet[packet.length - 1]!;
  if (len > packet.length) return { ok: false, line: 'Can not locate tls-crypt-v2 client key' };
  return { ok: true, at: packet.length - len };
}

/** The two opcodes whose packets end with the wrapped client key. */
const carriesWkc = (byte0: number): boolean => opcodeOf(byte0) === P_CONTROL_HARD_RESET_CLIENT_V3 || opcodeOf(byte0) === P_CONTROL_WKC_V1;

export class NoWrap implements TlsWrap {
  readonly mode = 'none';
  readonly frameOverhead = 0;

  wrap(header: number, sid: Uint8Array, plain: Uint8Array): Uint8Array {
    const out = new Uint8Array(HEAD + plain.length);
    out[0] = header;
    out.set(sid, 1);
    out.set(plain, HEAD);
    return out;
  }

  unwrap(packet: Uint8Array): UnwrapResult {
    return { ok: true, plain: packet.subarray(HEAD) };
  }

  fresh(): TlsWrap {
    return this;
  }
}

/** Checks a long-form id in a window of its own; the error lines as crypto_check_replay() words them. */
function replayCheck(win: ReplayWindow, params: ReplayParams, prefix: string, id: number, time: number, now: number): string[] | null {
  if (win.check(id, time, now)) {
    win.commit(id, time, now);
    return null;
  }
  return params.mute ? [] : [`${prefix}: ${replayReason(id, time)}`];
}

export class TlsAuthWrap implements TlsWrap {
  readonly mode = 'auth';
  readonly frameOverhead: number;
  private sendId = new PacketIdSend();
  private readonly window: ReplayWindow;

  constructor(
    private readonly auth: AuthSpec,
    private readonly sendKey: Uint8Array,
    private readonly recvKey: Uint8Array,
    private readonly replay: ReplayParams = DEFAULT_REPLAY,
  ) {
    this.frameOverhead = auth.length + 8;
    this.window = new ReplayWindow(replay.window, replay.seconds);
  }

  /** `--tls-auth FILE [dir]`: the HMAC halves of the slots the direction names (key_direction_state_init). */
  static fromKey(key: Uint8Array, direction: KeyDirection, auth: AuthSpec, replay?: ReplayParams): TlsAuthWrap {
    const slot = (n: 0 | 1) => key.slice(n * KEY_SLOT_LENGTH + 64, n * KEY_SLOT_LENGTH + 64 + auth.length);
    const send = slot(direction === 1 ? 1 : 0);
    const recv = slot(direction === 0 ? 1 : 0);
    return new TlsAuthWrap(auth, send, recv, replay);
  }

  fresh(lastSentId = 0): TlsWrap {
    const w = new TlsAuthWrap(this.auth, this.sendKey, this.recvKey, this.replay);
    w.sendId = new PacketIdSend(lastSentId);
    return w;
  }

  wrap(header: number, sid: Uint8Array, plain: Uint8Array, now: number): Uint8Array {
    const [id, time] = this.sendId.next(now);
    return this.seal(header, sid, plain, id, time);
  }

  /** wrap() with a given packet id and time. */
  seal(header: number, sid: Uint8Array, plain: Uint8Array, id: number, time: number): Uint8Array {
    const h = this.auth.length;
    const out = new Uint8Array(HEAD + h + 8 + plain.length);
    const view = new DataView(out.buffer);
    out[0] = header;
    out.set(sid, 1);
    view.setUint32(HEAD + h, id);
    view.setUint32(HEAD + h + 4, time);
    out.set(plain, HEAD + h + 8);
    out.set(this.mac(this.sendKey, out), HEAD);
    return out;
  }

  private mac(key: Uint8Array, packet: Uint8Array): Uint8Array {
    const h = this.auth.length;
    return createHmac(this.auth.nodeName, key)
      .update(packet.subarray(HEAD + h, HEAD + h + 8))
      .update(packet.subarray(0, HEAD))
      .update(packet.subarray(HEAD + h + 8))
      .digest();
  }

  unwrap(packet: Uint8Array, now: number, replay = true): UnwrapResult {
    const h = this.auth.length;
    if (packet.length < HEAD + h + 8) return { ok: false, lines: [] };
    if (!timingSafeEqual(this.mac(this.recvKey, packet), packet.subarray(HEAD, HEAD + h))) {
      return { ok: false, lines: [`${DECRYPT_ERROR_PREFIX}: packet HMAC authentication failed`] };
    }
    const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
    if (replay) {
      const bad = replayCheck(this.window, this.replay, DECRYPT_ERROR_PREFIX, view.getUint32(HEAD + h), view.getUint32(HEAD + h + 4), now);
      if (bad) return { ok: false, lines: bad };
    }
    return { ok: true, plain: packet.subarray(HEAD + h + 8) };
  }
}

const TAG = 32;
const OFF_PID = HEAD;
const OFF_TAG = OFF_PID + 8;
const OFF_CT = OFF_TAG + TAG;
const TLS_CRYPT_ERROR = 'tls-crypt unwrap error';

/** One direction's tls-crypt keys: AES-256-CTR and HMAC-SHA256, 32 bytes each. */
export interface CryptKeys {
  readonly cipher: Uint8Array;
  readonly hmac: Uint8Array;
}

/** The tls-crypt key slots for a role: the server sends with slot 0, the client with slot 1. */
export function tlsCryptKeys(key: Uint8Array, server: boolean): { send: CryptKeys; recv: CryptKeys } {
  if (key.length !== STATIC_KEY_LENGTH) throw new RangeError(`a tls-crypt key is ${STATIC_KEY_LENGTH} bytes`);
  const slot = (n: number): CryptKeys => ({
    cipher: key.slice(n * KEY_SLOT_LENGTH, n * KEY_SLOT_LENGTH + 32),
    hmac: key.slice(n * KEY_SLOT_LENGTH + 64, n * KEY_SLOT_LENGTH + 96),
  });
  return server ? { send: slot(0), recv: slot(1) } : { send: slot(1), recv: slot(0) };
}

export class TlsCryptWrap implements TlsWrap {
  readonly mode = 'crypt';
  /** pid + time, the tag, and a cipher block OpenVPN reserves though CTR never uses it. */
  readonly frameOverhead = 8 + TAG + 16;
  private sendId = new PacketIdSend();
  private readonly window: ReplayWindow;

  constructor(
    private readonly keys: { send: CryptKeys; recv: CryptKeys },
    private readonly replay: ReplayParams = DEFAULT_REPLAY,
    /** tls-crypt-v2: the wrapped client key, appended to HARD_RESET_CLIENT_V3 and CONTROL_WKC_V1. */
    readonly wkc: Uint8Array | null = null,
  ) {
    this.window = new ReplayWindow(replay.window, replay.seconds);
  }

  static fromKey(key: Uint8Array, server: boolean, replay?: ReplayParams): TlsCryptWrap {
    return new TlsCryptWrap(tlsCryptKeys(key, server), replay);
  }

  fresh(lastSentId = 0): TlsWrap {
    const w = new TlsCryptWrap(this.keys, this.replay, this.wkc);
    // tls_session_init(): a tls-crypt-v2 client's session counts on from EARLY_NEG_START.
    w.sendId = new PacketIdSend(lastSentId || (this.wkc ? EARLY_NEG_START : 0));
    return w;
  }

  wrap(header: number, sid: Uint8Array, plain: Uint8Array, now: number): Uint8Array {
    const [id, time] = this.sendId.next(now);
    const out = this.seal(header, sid, plain, id, time);
    if (!this.wkc || !carriesWkc(header)) return out;
    const whole = new Uint8Array(out.length + this.wkc.length);
    whole.set(out);
    whole.set(this.wkc, out.length);
    return whole;
  }

  /** wrap() with a given packet id and time. */
  seal(header: number, sid: Uint8Array, plain: Uint8Array, id: number, time: number): Uint8Array {
    const out = new Uint8Array(OFF_CT + plain.length);
    const view = new DataView(out.buffer);
    out[0] = header;
    out.set(sid, 1);
    view.setUint32(OFF_PID, id);
    view.setUint32(OFF_PID + 4, time);
    const tag = createHmac('sha256', this.keys.send.hmac).update(out.subarray(0, OFF_TAG)).update(plain).digest();
    out.set(tag, OFF_TAG);
    const enc = createCipheriv('aes-256-ctr', this.keys.send.cipher, tag.subarray(0, 16));
    out.set(enc.update(plain), OFF_CT);
    enc.final();
    return out;
  }

  /** A HARD_RESET_CLIENT_V3 or CONTROL_WKC_V1 is unwrapped without the WKc it ends with. */
  unwrap(whole: Uint8Array, now: number, replay = true): UnwrapResult {
    let packet = whole;
    if (whole.length > 0 && carriesWkc(whole[0]!)) {
      const at = locateWkc(whole);
      if (!at.ok) return { ok: false, lines: [at.line] };
      packet = whole.subarray(0, at.at);
    }
    if (packet.length < OFF_CT) return { ok: false, lines: [`${TLS_CRYPT_ERROR}: packet too short`] };
    const tag = packet.subarray(OFF_TAG, OFF_CT);
    const dec = createCipheriv('aes-256-ctr', this.keys.recv.cipher, tag.subarray(0, 16));
    const plain = new Uint8Array(dec.update(packet.subarray(OFF_CT)));
    dec.final();
    const check = createHmac('sha256', this.keys.recv.hmac).update(packet.subarray(0, OFF_TAG)).update(plain).digest();
    if (!timingSafeEqual(check, tag)) return { ok: false, lines: [`${TLS_CRYPT_ERROR}: packet authentication failed`] };
    if (replay) {
      const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
      const bad = replayCheck(this.window, this.replay, TLS_CRYPT_ERROR, view.getUint32(OFF_PID), view.getUint32(OFF_PID + 4), now);
      if (bad) return { ok: false, lines: [...bad, `${TLS_CRYPT_ERROR}: packet replay`] };
    }
    return { ok: true, plain };
  }
}
