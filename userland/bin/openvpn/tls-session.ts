// One peer of the control channel (OpenVPN's tls_multi with its tls_session and key states,
// ssl.c): the session ids, the hard or soft reset that starts each key, the reliability layer
// carrying a TLS session (tls-engine.ts), the key-method-2 exchange, the data-channel keys each
// key state derives, renegotiation (a new key_id, the old key kept as a lame duck) and the NUL
// terminated control messages (PUSH_REPLY, EXIT...) that travel as TLS application data.
//
// It does no I/O: input() takes an authenticated-or-not datagram, output() returns the datagrams
// to send, timeout() when to call again. Time is OpenVPN's `now`, whole seconds of the wall clock.
// Randomness (session ids, key-method randoms) comes from the caller's kernel-fed pool.

import {
  CONTROL_SEND_ACK_MAX,
  emitControlPlain,
  formatSid,
  header,
  isHardReset,
  keyIdOf,
  opcodeOf,
  P_ACK_V1,
  P_CONTROL_HARD_RESET_CLIENT_V2,
  P_CONTROL_HARD_RESET_CLIENT_V3,
  P_CONTROL_HARD_RESET_SERVER_V2,
  P_CONTROL_SOFT_RESET_V1,
  P_CONTROL_V1,
  P_CONTROL_WKC_V1,
  parseControlPlain,
  RELIABLE_ACK_SIZE,
  sameBytes,
  SID_SIZE,
} from './control-packet.js';
import { AeadChannel, aeadKeys, type AeadSpec } from './aead.js';
import {
  DYN_TLS_CRYPT_LABEL,
  EKM_LABEL,
  type KeyMethodMessage,
  KEY_EXPANSION_LENGTH,
  prfKeyExpansion,
  readKeyMethod2,
  writeKeyMethod2,
} from './key-method.js';
import { AckList, controlFrameOverhead, ReliableRecv, ReliableSend } from './reliable.js';
import { type TlsCredentials, TlsEngine } from './tls-engine.js';
import { type ReplayParams, TlsCryptWrap, type TlsWrap } from './tls-wrap.js';
import { verifyPeer, type VerifyOptions } from './verify.js';

export interface SessionConfig {
  readonly server: boolean;
  readonly creds: TlsCredentials;
  /**
   * The --tls-auth/--tls-crypt wrap (fresh state is taken per peer); a tls-crypt-v2 client's
   * carries its WKc. A tls-crypt-v2 server has none of its own: each peer brings its key.
   */
  readonly wrap: TlsWrap;
  /** The key of that wrap, for dynamic tls-crypt (null without one); a tls-crypt-v2 client's Kc. */
  readonly wrapKey: Uint8Array | null;
  readonly tlsTimeout: number;
  readonly handWindow: number;
  readonly renegSec: number;
  readonly renegBytes: number;
  readonly transWindow: number;
  readonly tlsMtu: number;
  readonly optionsString: string;
  /** What a client says of itself (push_peer_info); null for a server. */
  readonly peerInfo: string | null;
  readonly verify: VerifyOptions;
  readonly replay: ReplayParams;
}

export interface SessionIo {
  random(n: number): Uint8Array;
  log(level: number, line: string): Promise<void>;
  /** Seconds of the wall clock, for certificate dates. */
  wallNow(): number;
}

type KsState = 'pre-start' | 'start' | 'sent-key' | 'got-key' | 'active' | 'error';

/** One key_id's handshake and keys (struct key_state). */
class KeyState {
  state: KsState = 'pre-start';
  readonly send: ReliableSend;
  readonly recv = new ReliableRecv();
  readonly acks = new AckList();
  readonly engine: TlsEngine;
  ours: KeyMethodMessage | null = null;
  peer: KeyMethodMessage | null = null;
  plainIn: Uint8Array = new Uint8Array(0);
  /** The "Control Channel: ..." details, once verified. */
  channel = '';
  mustNegotiate: number;
  established = 0;
  authDeferredExpire: number;
  data: AeadChannel | null = null;
  nBytes = 0;
  nPackets = 0;
  verified = false;
  /** The server's reset asked (EARLY_NEG_FLAGS RESEND_WKC) for the WKc on message 1 (CO_RESEND_WKC). */
  resendWkc = false;

  constructor(
    readonly keyId: number,
    cfg: SessionConfig,
    now: number,
    opcode: number,
  ) {
    this.send = new ReliableSend(cfg.tlsTimeout);
    this.engine = new TlsEngine(cfg.server, cfg.creds);
    this.mustNegotiate = now + cfg.handWindow;
    const r2 = Math.floor(cfg.renegSec / 2);
    this.authDeferredExpire = now + (cfg.renegSec && r2 < cfg.handWindow ? r2 : cfg.handWindow);
    this.send.push(opcode, new Uint8Array(0));
  }
}

export type PeerEvent =
  | { readonly kind: 'active'; readonly keyId: number; readonly first: boolean }
  | { readonly kind: 'message'; readonly text: string }
  | { readonly kind: 'failed' };

const D_HANDSHAKE = 2;
const D_TLS_ERRORS = 1;
const D_TLS_DEBUG_LOW = 3;
const D_SHOW_PARMS = 4;
const TLV_TYPE_EARLY_NEG_FLAGS = 0x0001;
const EARLY_NEG_FLAG_RESEND_WKC = 0x0001;

/**
 * parse_early_negotiation_tlvs(): the TLVs of the server's reset; whether it asks for the WKc
 * again, or null for a malformed list.
 */
export function earlyNegResendWkc(payload: Uint8Array): boolean | null {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  let resend = false;
  for (let off = 0; off < payload.length; ) {
    if (payload.length - off < 4) return null;
    const type = view.getUint16(off);
    const len = view.getUint16(off + 2);
    off += 4;
    if (payload.length - off < len) return null;
    if (type === TLV_TYPE_EARLY_NEG_FLAGS) {
      if (len !== 2) return null;
      if (view.getUint16(off) & EARLY_NEG_FLAG_RESEND_WKC) resend = true;
    }
    off += len;
  }
  return resend;
}

/** A server peer's own wrap: a tls-crypt-v2 client's key, unwrapped from its WKc. */
export interface PeerWrap {
  readonly wrap: TlsWrap;
  readonly wrapKey: Uint8Array;
}

export class TlsPeer {
  readonly sid: Uint8Array;
  remoteSid: Uint8Array | null = null;
  primary: KeyState;
  lameDuck: KeyState | null = null;
  /** The peer's common name once verified. */
  commonName = '';
  /** Whether the data keys come from TLS-EKM (both sides announced it). */
  ekm = true;
  readonly events: PeerEvent[] = [];
  private readonly wrap: TlsWrap;
  private readonly wrapKey: Uint8Array | null;
  /** tls-crypt-v2: whether the first WKc of this peer was taken (later ones are resends). */
  private wkcSeen = false;
  private renegWrap: TlsWrap | null = null;
  private everActive = false;
  private burst = false;

  constructor(
    private readonly cfg: SessionConfig,
    private readonly io: SessionIo,
    now: number,
    /** The server side of a stateless reset: our session id was already sent, the peer's known. */
    accepted?: { sid: Uint8Array; remoteSid: Uint8Array; sentWrapIds: number; own?: PeerWrap },
  ) {
    this.wrap = (accepted?.own?.wrap ?? cfg.wrap).fresh(accepted?.sentWrapIds ?? 0);
    this.wrapKey = accepted?.own?.wrapKey ?? cfg.wrapKey;
    this.sid = accepted?.sid ?? io.random(SID_SIZE);
    // A tls-crypt-v2 client starts with HARD_RESET_CLIENT_V3, its WKc appended (tls_session_init).
    const clientReset = this.wrap instanceof TlsCryptWrap && this.wrap.wkc ? P_CONTROL_HARD_RESET_CLIENT_V3 : P_CONTROL_HARD_RESET_CLIENT_V2;
    this.primary = new KeyState(0, cfg, now, cfg.server ? P_CONTROL_HARD_RESET_SERVER_V2 : clientReset);
    if (accepted) {
      // The reset that the HMAC session id answered went out and was acknowledged, and the
      // client's reset (message 0) came in: both windows start at 1.
      this.remoteSid = accepted.remoteSid;
      this.primary.send.purge([0]);
      this.primary.recv.offer(0, P_CONTROL_HARD_RESET_CLIENT_V2, new Uint8Array(0));
      this.primary.recv.take();
      this.primary.state = 'start';
    }
  }

  /** A peer that came and went: no key state can make progress any more. */
  get failed(): boolean {
    return this.primary.state === 'error';
  }

  get active(): boolean {
    return this.everActive;
  }

  private wrapFor(keyId: number): TlsWrap {
    return keyId > 0 && this.renegWrap ? this.renegWrap : this.wrap;
  }

  /**
   * Dynamic tls-crypt (both sides support it): from now on key_id > 0 runs on EKM of the key_id 0
   * session XOR the configured wrap key (the EKM alone without one).
   */
  enableDynTlsCrypt(): void {
    if (this.renegWrap) return;
    const ekm = this.primary.keyId === 0 ? this.primary.engine.exportKeyingMaterial(DYN_TLS_CRYPT_LABEL, 256) : null;
    if (!ekm) return;
    const base = this.wrapKey;
    const key = base ? ekm.map((b, i) => b ^ base[i]!) : ekm;
    this.renegWrap = TlsCryptWrap.fromKey(key, this.cfg.server, this.cfg.replay);
  }

  private keyById(keyId: number): KeyState | null {
    if (this.primary.keyId === keyId) return this.primary;
    if (this.lameDuck?.keyId === keyId) return this.lameDuck;
    return null;
  }

  /**
   * A control packet from the peer. Returns the lines to log when it is refused (the caller adds
   * its address), or null. Data packets do not come here.
   */
  async input(packet: Uint8Array, now: number, from: string): Promise<void> {
    if (packet.length < 1 + SID_SIZE) return;
    const op = opcodeOf(packet[0]!);
    const keyId = keyIdOf(packet[0]!);
    const sid = packet.subarray(1, 1 + SID_SIZE);
    if (isHardReset(op) && (op === P_CONTROL_HARD_RESET_SERVER_V2) === this.cfg.server) {
      await this.io.log(D_TLS_ERRORS, `TLS Error: client->client or server->server connection attempted from ${from}`);
      return;
    }
    if (this.remoteSid && !sameBytes(sid, this.remoteSid)) return;
    if (op === P_CONTROL_SOFT_RESET_V1 && keyId !== this.primary.keyId && this.primary.state === 'active') {
      const r = this.wrapFor(keyId).unwrap(packet, now);
      if (!r.ok) return this.refused(r.lines, from);
      await this.softReset(now, keyId);
      return this.accept(this.primary, op, r.plain, now);
    }
    const ks = this.keyById(keyId);
    if (!ks) {
      await this.io.log(D_TLS_ERRORS, `TLS ERROR: local/remote key IDs out of sync (${this.primary.keyId}/${keyId})`);
      return;
    }
    if (this.cfg.server && (op === P_CONTROL_HARD_RESET_CLIENT_V3 || op === P_CONTROL_WKC_V1)) await this.wkcAgain();
    const r = this.wrapFor(keyId).unwrap(packet, now);
    if (!r.ok) return this.refused(r.lines, from);
    if (!this.remoteSid) {
      this.remoteSid = sid.slice();
      await this.io.log(D_TLS_DEBUG_LOW, `TLS: Initial packet from ${from}, sid=${formatSid(this.remoteSid)}`);
    }
    if (!this.burst && (isHardReset(op) || op === P_CONTROL_SOFT_RESET_V1)) {
      ks.send.scheduleNow(now);
      this.burst = true;
    }
    await this.accept(ks, op, r.plain, now);
  }

  /**
   * tls_crypt_v2_extract_client_key() in the instance: the first WKc sets the peer's key (the
   * server already unwrapped it to accept the peer), later ones are resends whose WKc is ignored.
   */
  private async wkcAgain(): Promise<void> {
    await this.io.log(D_HANDSHAKE, 'Control Channel: using tls-crypt-v2 key');
    if (this.wkcSeen) {
      await this.io.log(D_TLS_ERRORS, 'control channel security already setup ignoring wrapped key part of packet.');
      return;
    }
    this.wkcSeen = true;
    for (const line of controlChannelKeyLines()) await this.io.log(D_SHOW_PARMS, line);
  }

  private async refused(lines: readonly string[], from: string): Promise<void> {
    for (const l of lines) await this.io.log(1, l);
    const what = this.wrap.mode === 'crypt' ? 'tls-crypt unwrapping failed' : 'incoming packet authentication failed';
    await this.io.log(D_TLS_ERRORS, `TLS Error: ${what} from ${from}`);
  }

  private async accept(ks: KeyState, op: number, plain: Uint8Array, _now: number): Promise<void> {
    const p = parseControlPlain(op, plain);
    if (!p) {
      await this.io.log(D_TLS_ERRORS, 'TLS Error: reading acknowledgement record from packet');
      return;
    }
    if (p.acks.length > 0 && !sameBytes(p.remoteSid, this.sid)) return;
    ks.send.purge(p.acks);
    if (p.msgId === null) return;
    const offer = ks.recv.offer(p.msgId, op, p.payload);
    if (offer === 'stored' || offer === 'replay') ks.acks.acknowledge(p.msgId);
  }

  /** key_state_soft_reset(): the primary becomes the lame duck, a new key starts. */
  async softReset(now: number, keyId?: number): Promise<void> {
    const next = keyId ?? (this.primary.keyId % 7) + 1;
    this.lameDuck?.engine.destroy();
    this.lameDuck = this.primary;
    this.primary = new KeyState(next, this.cfg, now, P_CONTROL_SOFT_RESET_V1);
    this.burst = false;
  }

  /** Drive the key states; the datagrams to send now. */
  async output(now: number): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    const ks = this.primary;
    if (ks.state === 'active' && this.shouldRenegotiate(ks, now)) {
      await this.io.log(
        D_TLS_DEBUG_LOW,
        `TLS: soft reset sec=${now - ks.established}/${this.cfg.renegSec} bytes=${ks.nBytes}/${this.cfg.renegBytes} pkts=${ks.nPackets}/0`,
      );
      await this.softReset(now);
    }
    if (this.lameDuck && now >= this.lameDuck.established + this.cfg.transWindow) {
      this.lameDuck.engine.destroy();
      this.lameDuck = null;
      await this.io.log(D_TLS_DEBUG_LOW, 'TLS: tls_process: killed expiring key');
    }
    for (const k of [this.primary, this.lameDuck]) {
      if (!k || k.state === 'error') continue;
      await this.process(k, now, out);
    }
    return out;
  }

  private shouldRenegotiate(ks: KeyState, now: number): boolean {
    if (this.cfg.renegSec > 0 && now >= ks.established + this.cfg.renegSec) return true;
    return this.cfg.renegBytes > 0 && ks.nBytes >= this.cfg.renegBytes;
  }

  private async process(ks: KeyState, now: number, out: Uint8Array[]): Promise<void> {
    if (ks.state !== 'active' && now >= ks.mustNegotiate) {
      await this.io.log(D_TLS_ERRORS, `TLS Error: TLS key negotiation failed to occur within ${this.cfg.handWindow} seconds (check your network connectivity)`);
      return this.fail(ks);
    }
    for (let changed = true; changed && ks.state !== 'error'; ) {
      changed = false;
      if (ks.state === 'pre-start' && ks.send.empty()) {
        ks.state = 'start';
        changed = true;
      }
      const done = this.cfg.server ? ks.state === 'sent-key' : ks.state === 'got-key';
      if (done && ks.send.empty()) {
        await this.moveActive(ks, now);
        changed = true;
      }
      for (let m = ks.recv.take(); m; m = ks.recv.take()) {
        if (m.id === 0 && isHardReset(m.opcode) && !this.cfg.server) {
          const resend = earlyNegResendWkc(m.payload);
          if (resend === null) return this.fail(ks);
          ks.resendWkc = resend;
        }
        if (m.id === 0 && (isHardReset(m.opcode) || m.opcode === P_CONTROL_SOFT_RESET_V1)) continue;
        ks.engine.feed(m.payload);
        changed = true;
      }
      await ks.engine.settled();
      if (ks.engine.state === 'failed') {
        await this.io.log(D_TLS_ERRORS, `OpenSSL: ${ks.engine.failure ?? 'error'}`);
        await this.io.log(D_TLS_ERRORS, 'TLS_ERROR: BIO read tls_read_plaintext error');
        await this.io.log(D_TLS_ERRORS, 'TLS Error: TLS object -> incoming plaintext read error');
        return this.fail(ks);
      }
      if (ks.engine.state === 'established' && !ks.verified) {
        if (!(await this.verify(ks))) return this.fail(ks);
        changed = true;
      }
      if (ks.verified) {
        const more = ks.engine.takePlaintext();
        if (more.length > 0) {
          ks.plainIn = concat(ks.plainIn, more);
          changed = true;
        }
      }
      if (!ks.ours && ((ks.state === 'start' && !this.cfg.server) || (ks.state === 'got-key' && this.cfg.server))) {
        ks.ours = this.keySource();
        ks.engine.write(writeKeyMethod2(ks.ours));
        ks.state = 'sent-key';
        changed = true;
        await ks.engine.settled();
      }
      if (!ks.peer && ks.plainIn.length > 0 && ((ks.state === 'sent-key' && !this.cfg.server) || (ks.state === 'start' && this.cfg.server))) {
        const r = readKeyMethod2(ks.plainIn, this.cfg.server);
        if (!r.ok) {
          await this.io.log(D_TLS_ERRORS, r.line);
          return this.fail(ks);
        }
        ks.peer = r.message;
        ks.plainIn = new Uint8Array(0);
        ks.state = 'got-key';
        changed = true;
        if (this.cfg.server && !this.everActive) {
          // The server trusts the session once the client's key method is in (tls_multi_process).
          for (const line of (r.message.peerInfo ?? '').split('\n')) if (line) await this.io.log(D_HANDSHAKE, `peer info: ${line}`);
          await this.io.log(D_TLS_DEBUG_LOW, 'TLS: move_session: dest=TM_ACTIVE src=TM_INITIAL reinit_src=1');
          await this.io.log(D_TLS_DEBUG_LOW, 'TLS: tls_multi_process: initial untrusted session promoted to trusted');
        }
      }
      for (let nul = ks.plainIn.indexOf(0); ks.state === 'active' && nul >= 0; nul = ks.plainIn.indexOf(0)) {
        const text = new TextDecoder().decode(ks.plainIn.subarray(0, nul));
        ks.plainIn = ks.plainIn.slice(nul + 1);
        if (text) this.events.push({ kind: 'message', text });
      }
      if (this.queueCiphertext(ks)) changed = true;
    }
    if (ks.acks.outstanding > 0 && this.remoteSid && this.needsWkc(ks)) {
      // No TLS bytes yet: the ack rides on an empty CONTROL_WKC_V1, retransmitted until the server has the WKc.
      ks.send.push(P_CONTROL_WKC_V1, new Uint8Array(0));
    }
    for (let m = ks.send.send(now); m; m = ks.send.send(now)) {
      const acks = ks.acks.take(CONTROL_SEND_ACK_MAX);
      out.push(this.wrapFor(ks.keyId).wrap(header(m.opcode, ks.keyId), this.sid, emitControlPlain({ acks, remoteSid: acks.length ? this.remoteSid : null, msgId: m.id, payload: m.payload }), now));
    }
    if (ks.acks.outstanding > 0 && this.remoteSid) {
      const acks = ks.acks.take(RELIABLE_ACK_SIZE);
      out.push(this.wrapFor(ks.keyId).wrap(header(P_ACK_V1, ks.keyId), this.sid, emitControlPlain({ acks, remoteSid: this.remoteSid, msgId: null, payload: new Uint8Array(0) }), now));
    }
  }

  /** write_outgoing_tls_ciphertext(): TLS bytes cut into packets of what --tls-mtu leaves. */
  private queueCiphertext(ks: KeyState): boolean {
    if (!ciphertextMovable(ks)) return false;
    const max = Math.max(16, this.cfg.tlsMtu - controlFrameOverhead(ks.acks.toSend, this.wrapFor(ks.keyId).frameOverhead));
    const bytes = ks.engine.takeCiphertext();
    let off = 0;
    while (off < bytes.length && ks.send.available() > 0) {
      // Message 1 after RESEND_WKC is a CONTROL_WKC_V1 and leaves room for the WKc.
      const wkc = this.needsWkc(ks) ? (this.wrap as TlsCryptWrap).wkc!.length : 0;
      const n = Math.max(16, max - wkc);
      ks.send.push(wkc ? P_CONTROL_WKC_V1 : P_CONTROL_V1, bytes.slice(off, off + n));
      off += n;
    }
    // What did not fit waits for the window to open (OpenSSL keeps it in its BIO).
    if (off < bytes.length) ks.engine.unread(bytes.subarray(off));
    return true;
  }

  /** control_packet_needs_wkc(): the next message is number 1 and the server asked for the WKc. */
  private needsWkc(ks: KeyState): boolean {
    return ks.resendWkc && ks.send.nextId === 1;
  }

  private keySource(): KeyMethodMessage {
    const preMaster = this.cfg.server ? null : this.io.random(48);
    return {
      preMaster,
      random1: this.io.random(32),
      random2: this.io.random(32),
      options: this.cfg.optionsString,
      username: null,
      password: null,
      peerInfo: this.cfg.peerInfo,
    };
  }

  private async verify(ks: KeyState): Promise<boolean> {
    const s = ks.engine.summary();
    const outcome = verifyPeer(s.chain, s.verifyError, this.cfg.verify, this.io.wallNow());
    for (const l of outcome.lines) await this.io.log(outcome.ok || l.startsWith('VERIFY OK') ? D_HANDSHAKE : D_TLS_ERRORS, l);
    if (!outcome.ok) {
      if (outcome.alert) await this.io.log(D_TLS_ERRORS, `Sent fatal SSL alert: ${outcome.alert}`);
      await this.io.log(D_TLS_ERRORS, 'OpenSSL: error:0A000086:SSL routines::certificate verify failed:');
      await this.io.log(D_TLS_ERRORS, 'TLS_ERROR: BIO read tls_read_plaintext error');
      await this.io.log(D_TLS_ERRORS, 'TLS Error: TLS object -> incoming plaintext read error');
      return false;
    }
    ks.verified = true;
    this.commonName = outcome.commonName;
    ks.channel = s.channel;
    return true;
  }

  private async fail(ks: KeyState): Promise<void> {
    ks.state = 'error';
    ks.engine.destroy();
    await this.io.log(D_TLS_ERRORS, 'TLS Error: TLS handshake failed');
    if (ks === this.primary) this.events.push({ kind: 'failed' });
  }

  private async moveActive(ks: KeyState, now: number): Promise<void> {
    ks.established = now;
    ks.state = 'active';
    await this.io.log(D_HANDSHAKE, `Control Channel: ${ks.channel}`);
    const first = !this.everActive;
    this.everActive = true;
    this.events.push({ kind: 'active', keyId: ks.keyId, first });
  }

  /**
   * The data-channel keys of a key state, once the cipher is known: TLS-EKM when both sides can,
   * else the PRF over both key sources and session ids.
   */
  installDataKeys(cipher: AeadSpec, keyId = this.primary.keyId): boolean {
    const ks = this.keyById(keyId);
    if (!ks || ks.state !== 'active' || !ks.ours || !ks.peer || !this.remoteSid) return false;
    let key2: Uint8Array | null = null;
    if (this.ekm) key2 = ks.engine.exportKeyingMaterial(EKM_LABEL, KEY_EXPANSION_LENGTH);
    if (!key2) {
      const [client, server] = this.cfg.server ? [ks.peer, ks.ours] : [ks.ours, ks.peer];
      const [cSid, sSid] = this.cfg.server ? [this.remoteSid, this.sid] : [this.sid, this.remoteSid];
      key2 = prfKeyExpansion(client, server, cSid, sSid);
    }
    ks.data = new AeadChannel(cipher, ks.keyId, aeadKeys(key2, cipher, this.cfg.server), this.cfg.replay.window, this.cfg.replay.seconds);
    return true;
  }

  /** The key to encrypt with (tls_select_encryption_key): the newest once its deferral has passed. */
  encryptKey(now: number): AeadChannel | null {
    let pick: KeyState | null = null;
    for (const ks of [this.primary, this.lameDuck]) {
      if (!ks || ks.state !== 'active' || !ks.data) continue;
      if (!pick) pick = ks;
      if (now >= ks.authDeferredExpire) {
        pick = ks;
        break;
      }
    }
    return pick?.data ?? null;
  }

  decryptKey(keyId: number): AeadChannel | null {
    return this.keyById(keyId)?.data ?? null;
  }

  /** Count traffic for --reneg-bytes. */
  countBytes(keyId: number, n: number): void {
    const ks = this.keyById(keyId);
    if (ks) {
      ks.nBytes += n;
      ks.nPackets++;
    }
  }

  /** send_control_channel_string(): a NUL-terminated message on the current key. */
  sendMessage(text: string): boolean {
    const ks = this.primary.state === 'active' ? this.primary : this.lameDuck?.state === 'active' ? this.lameDuck : null;
    if (!ks) return false;
    ks.engine.write(new TextEncoder().encode(`${text}\0`));
    return true;
  }

  /** The peer's key-method message of the first key (options string, peer info). */
  get peerKeyMethod(): KeyMethodMessage | null {
    return this.primary.peer ?? this.lameDuck?.peer ?? null;
  }

  /** Seconds until output() has something to do (a retransmission, a deadline, a renegotiation). */
  timeout(now: number): number {
    let t = Infinity;
    for (const ks of [this.primary, this.lameDuck]) {
      if (!ks || ks.state === 'error') continue;
      t = Math.min(t, ks.send.timeout(now));
      if (ks.acks.outstanding > 0 || ks.recv.peek() || ciphertextMovable(ks)) t = 0;
      if (ks.state !== 'active') t = Math.min(t, ks.mustNegotiate - now);
      else if (ks === this.primary && this.cfg.renegSec > 0) t = Math.min(t, ks.established + this.cfg.renegSec - now);
    }
    if (this.lameDuck) t = Math.min(t, this.lameDuck.established + this.cfg.transWindow - now);
    return Math.max(0, t);
  }

  close(): void {
    this.primary.engine.destroy();
    this.lameDuck?.engine.destroy();
  }
}

/** What init_key_ctx_bi() logs at verb 4 for a tls-crypt key (tls-crypt, or a tls-crypt-v2 client key). */
export function controlChannelKeyLines(): string[] {
  return ['Outgoing', 'Incoming'].flatMap((way) => [
    `${way} Control Channel Encryption: Cipher 'AES-256-CTR' initialized with 256 bit key`,
    `${way} Control Channel Encryption: Using 256 bit message hash 'SHA256' for HMAC authentication`,
  ]);
}

/**
 * The engine has TLS bytes, the reliability layer room for them, and the key state may send them:
 * only once its reset is acknowledged (tls_process_state() reads ciphertext from S_START on). A
 * client's ClientHello waits in the engine for that round trip; output() cannot move it, so
 * timeout() must not count it as work to do now (the client would spin in poll(fd, 0) meanwhile).
 */
function ciphertextMovable(ks: KeyState): boolean {
  return ks.state !== 'pre-start' && ks.engine.pendingCiphertext > 0 && ks.send.available() > 0;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
