// The data channel as the event loop sees it: seal a payload into a datagram, open a datagram into
// a payload, with the verb 9 dumps OpenVPN prints on the way (ENCRYPT IV/FROM/HMAC/TO, DECRYPT
// FROM/IV/TO). Two modes: static key (the tested core in data-channel.ts) and, without --secret,
// 2.6's cleartext mode where a datagram is the bare payload (no HMAC, IV or packet id).

import { type AuthSpec, type CipherSpec, keyInitLogLines } from './algorithms.js';
import {
  createDecryptState,
  createEncryptState,
  type DecryptFailure,
  type DecryptState,
  decryptErrorLine,
  decryptPacket,
  type EncryptState,
  encryptPacket,
  PACKET_ID_LONG_SIZE,
} from './data-channel.js';
import { D_CRYPT_ERRORS, D_PACKET_CONTENT, D_SHOW_KEYS, D_SHOW_PARMS, formatHex, type Logger } from './log.js';
import { ReplayWindow } from './replay.js';
import type { RandomPool } from '../../lib/random.js';
import { type KeyDirection, keySlots, type KeySlots } from './static-key.js';

/** A datagram opened, or refused (and why, when it got as far as the crypto). */
export type OpenResult = { ok: true; payload: Uint8Array } | { ok: false; failure?: DecryptFailure };

export interface Codec {
  /** For "Data Channel: cipher '...', auth '...'". */
  readonly cipherName: string;
  readonly authName: string;
  // `now` is OpenVPN's `now`: the wall clock's whole second, read once per turn of the event loop.
  /** Encrypt (or not) one payload; every call uses the next packet id. */
  seal(payload: Uint8Array, now: number): Promise<Uint8Array>;
  /** Authenticate and decrypt one datagram; failures are logged here and dropped by the caller. */
  open(datagram: Uint8Array, now: number): Promise<OpenResult>;
  /** A restart: a new sending session (new time, ids from 1) and a fresh replay window. */
  newSession(): void;
}

export interface StaticCodecInit {
  log: Logger;
  rng: RandomPool;
  key: Uint8Array;
  direction: KeyDirection;
  cipher: CipherSpec;
  auth: AuthSpec;
  replayWindow: number;
  replaySeconds: number;
  muteReplayWarnings: boolean;
}

export class StaticCodec implements Codec {
  readonly cipherName: string;
  readonly authName: string;
  private readonly slots: KeySlots;
  private enc: EncryptState | null = null;
  private dec: DecryptState;

  constructor(private readonly init: StaticCodecInit) {
    this.cipherName = init.cipher.name;
    this.authName = init.auth.name;
    this.slots = keySlots(init.key, init.direction, init.cipher, init.auth);
    this.dec = this.decryptState();
  }

  /** init_key_ctx()'s lines: verb 4 the summary, verb 7 the key bytes and sizes. */
  async logKeyInit(): Promise<void> {
    const { log, cipher, auth, replayWindow, replaySeconds } = this.init;
    await log.msg(D_SHOW_KEYS, `PID packet_id_init seq_backtrack=${replayWindow} time_backtrack=${replaySeconds}`);
    const lines = keyInitLogLines(cipher, auth);
    for (const [i, way] of (['Outgoing', 'Incoming'] as const).entries()) {
      const keys = way === 'Outgoing' ? this.slots.encrypt : this.slots.decrypt;
      const p = `${way} Static Key Encryption:`;
      await log.msg(D_SHOW_PARMS, lines[i * 2]!);
      await log.msg(D_SHOW_KEYS, `${p} CIPHER KEY: ${formatHex(keys.cipherKey)}`);
      await log.msg(D_SHOW_KEYS, `${p} CIPHER block_size=${cipher.blockSize} iv_size=${cipher.ivLength}`);
      await log.msg(D_SHOW_PARMS, lines[i * 2 + 1]!);
      await log.msg(D_SHOW_KEYS, `${p} HMAC KEY: ${formatHex(keys.hmacKey)}`);
      await log.msg(D_SHOW_KEYS, `${p} HMAC size=${auth.length} block_size=${auth.length}`);
    }
  }

  private decryptState(): DecryptState {
    const { cipher, auth, replayWindow, replaySeconds } = this.init;
    return createDecryptState({ cipher, auth, keys: this.slots.decrypt, replay: new ReplayWindow(replayWindow, replaySeconds) });
  }

  newSession(): void {
    this.enc = null;
    this.dec = this.decryptState();
  }

  async seal(payload: Uint8Array, now: number): Promise<Uint8Array> {
    const { log, rng, cipher, auth } = this.init;
    // The session time is the clock at the first packet sent (packet_id_send_update).
    this.enc ??= createEncryptState({ cipher, auth, keys: this.slots.encrypt, time: now, randomIv: (n) => rng.take(n) });
    await rng.ensure(cipher.ivLength);
    const out = encryptPacket(this.enc, payload);
    if (log.enabled(D_PACKET_CONTENT)) {
      const plain = new Uint8Array(PACKET_ID_LONG_SIZE + payload.length);
      const view = new DataView(plain.buffer);
      view.setUint32(0, this.enc.packetId);
      view.setUint32(4, this.enc.time);
      plain.set(payload, PACKET_ID_LONG_SIZE);
      await log.msg(D_PACKET_CONTENT, `ENCRYPT IV: ${formatHex(out.subarray(auth.length, auth.length + cipher.ivLength))}`);
      await log.msg(D_PACKET_CONTENT, `ENCRYPT FROM: ${formatHex(plain)}`);
      await log.msg(D_PACKET_CONTENT, `ENCRYPT HMAC: ${formatHex(out.subarray(0, auth.length))}`);
      await log.msg(D_PACKET_CONTENT, `ENCRYPT TO: ${formatHex(out)}`);
    }
    return out;
  }

  async open(datagram: Uint8Array, now: number): Promise<OpenResult> {
    const { log, cipher, auth } = this.init;
    if (log.enabled(D_PACKET_CONTENT)) await log.msg(D_PACKET_CONTENT, `DECRYPT FROM: ${formatHex(datagram)}`);
    const r = decryptPacket(this.dec, datagram, now);
    if (!r.ok) {
      if (!(r.failure === 'replay' && this.init.muteReplayWarnings)) await log.msg(D_CRYPT_ERRORS, decryptErrorLine(r));
      return { ok: false, failure: r.failure };
    }
    if (log.enabled(D_PACKET_CONTENT)) {
      const plain = new Uint8Array(PACKET_ID_LONG_SIZE + r.payload.length);
      const view = new DataView(plain.buffer);
      view.setUint32(0, r.packetId);
      view.setUint32(4, r.time);
      plain.set(r.payload, PACKET_ID_LONG_SIZE);
      await log.msg(D_PACKET_CONTENT, `DECRYPT IV: ${formatHex(datagram.subarray(auth.length, auth.length + cipher.ivLength))}`);
      await log.msg(D_PACKET_CONTENT, `DECRYPT TO: ${formatHex(plain)}`);
    }
    return { ok: true, payload: r.payload };
  }
}

/** No --secret and no TLS: 2.6 runs "--cipher none --auth none" and sends payloads as they are. */
export class CleartextCodec implements Codec {
  readonly cipherName = '(null)';

  constructor(
    private readonly log: Logger,
    readonly authName: string,
  ) {}

  newSession(): void {}

  async seal(payload: Uint8Array, _now: number): Promise<Uint8Array> {
    if (this.log.enabled(D_PACKET_CONTENT)) await this.log.msg(D_PACKET_CONTENT, `ENCRYPT TO: ${formatHex(payload)}`);
    return payload;
  }

  async open(datagram: Uint8Array): Promise<OpenResult> {
    return { ok: true, payload: datagram };
  }
}
