// The control channel's packets (ssl_pkt.h, reliable.c): the first byte (opcode << 3 | key id),
// the sender's 8-byte session id, and, once unwrapped (tls-wrap.ts), the plaintext
//
//   [ack count u8][ack ids u32 BE x count][remote session id 8, only when count > 0]
//   [message id u32 BE, absent in P_ACK_V1][payload: TLS bytes, or a TLV in a reset]
//
// A Repr with parse/emit, smoltcp-style: parse never throws, it answers null for what OpenVPN's
// reliable_ack_parse() would refuse (a short buffer, more than 8 acks).

export const P_CONTROL_HARD_RESET_CLIENT_V1 = 1;
export const P_CONTROL_HARD_RESET_SERVER_V1 = 2;
export const P_CONTROL_SOFT_RESET_V1 = 3;
export const P_CONTROL_V1 = 4;
export const P_ACK_V1 = 5;
export const P_DATA_V1 = 6;
export const P_CONTROL_HARD_RESET_CLIENT_V2 = 7;
export const P_CONTROL_HARD_RESET_SERVER_V2 = 8;
export const P_DATA_V2 = 9;
export const P_CONTROL_HARD_RESET_CLIENT_V3 = 10;
export const P_CONTROL_WKC_V1 = 11;
export const P_FIRST_OPCODE = 3;
export const P_LAST_OPCODE = 11;

export const P_OPCODE_SHIFT = 3;
export const P_KEY_ID_MASK = 0x07;
export const SID_SIZE = 8;
/** Acks a packet may carry (RELIABLE_ACK_SIZE), and how many a CONTROL_V1 piggybacks (CONTROL_SEND_ACK_MAX). */
export const RELIABLE_ACK_SIZE = 8;
export const CONTROL_SEND_ACK_MAX = 4;

const NAMES: ReadonlyMap<number, string> = new Map<number, string>([
  [P_CONTROL_HARD_RESET_CLIENT_V1, 'P_CONTROL_HARD_RESET_CLIENT_V1'],
  [P_CONTROL_HARD_RESET_SERVER_V1, 'P_CONTROL_HARD_RESET_SERVER_V1'],
  [P_CONTROL_SOFT_RESET_V1, 'P_CONTROL_SOFT_RESET_V1'],
  [P_CONTROL_V1, 'P_CONTROL_V1'],
  [P_ACK_V1, 'P_ACK_V1'],
  [P_DATA_V1, 'P_DATA_V1'],
  [P_CONTROL_HARD_RESET_CLIENT_V2, 'P_CONTROL_HARD_RESET_CLIENT_V2'],
  [P_CONTROL_HARD_RESET_SERVER_V2, 'P_CONTROL_HARD_RESET_SERVER_V2'],
  [P_DATA_V2, 'P_DATA_V2'],
  [P_CONTROL_HARD_RESET_CLIENT_V3, 'P_CONTROL_HARD_RESET_CLIENT_V3'],
  [P_CONTROL_WKC_V1, 'P_CONTROL_WKC_V1'],
]);

/** packet_opcode_name(). */
export function opcodeName(op: number): string {
  return NAMES.get(op) ?? '???';
}

export const isHardReset = (op: number): boolean =>
  op === P_CONTROL_HARD_RESET_CLIENT_V2 || op === P_CONTROL_HARD_RESET_SERVER_V2 || op === P_CONTROL_HARD_RESET_CLIENT_V3;

/** Whether the plaintext of this opcode carries a message id (everything but P_ACK_V1). */
export const hasMessageId = (op: number): boolean => op !== P_ACK_V1;

export interface ControlPlain {
  /** Message ids acknowledged, newest first as OpenVPN writes them. */
  readonly acks: readonly number[];
  /** The receiver's own session id, echoed; present exactly when acks is not empty. */
  readonly remoteSid: Uint8Array | null;
  /** null for P_ACK_V1. */
  readonly msgId: number | null;
  readonly payload: Uint8Array;
}

/** ACK_SIZE(n): the bytes an ack block of n ids takes. */
export const ackSize = (n: number): number => 1 + 4 * n + (n > 0 ? SID_SIZE : 0);

export function emitControlPlain(p: ControlPlain): Uint8Array {
  if (p.acks.length > RELIABLE_ACK_SIZE) throw new RangeError(`${p.acks.length} acks, at most ${RELIABLE_ACK_SIZE}`);
  if ((p.acks.length > 0) !== (p.remoteSid !== null)) throw new RangeError('a remote session id goes with acks, and only with them');
  const out = new Uint8Array(ackSize(p.acks.length) + (p.msgId !== null ? 4 : 0) + p.payload.length);
  const view = new DataView(out.buffer);
  out[0] = p.acks.length;
  let off = 1;
  for (const id of p.acks) {
    view.setUint32(off, id);
    off += 4;
  }
  if (p.remoteSid) {
    out.set(p.remoteSid, off);
    off += SID_SIZE;
  }
  if (p.msgId !== null) {
    view.setUint32(off, p.msgId);
    off += 4;
  }
  out.set(p.payload, off);
  return out;
}

export function parseControlPlain(op: number, plain: Uint8Array): ControlPlain | null {
  if (plain.length < 1) return null;
  const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
  const count = plain[0]!;
  if (count > RELIABLE_ACK_SIZE) return null;
  let off = 1;
  if (plain.length < off + 4 * count + (count > 0 ? SID_SIZE : 0)) return null;
  const acks: number[] = [];
  for (let i = 0; i < count; i++, off += 4) acks.push(view.getUint32(off));
  let remoteSid: Uint8Array | null = null;
  if (count > 0) {
    remoteSid = plain.slice(off, off + SID_SIZE);
    off += SID_SIZE;
  }
  let msgId: number | null = null;
  if (hasMessageId(op)) {
    if (plain.length < off + 4) return null;
    msgId = view.getUint32(off);
    off += 4;
  }
  return { acks, remoteSid, msgId, payload: plain.slice(off) };
}

/** The first byte of any packet. */
export const header = (op: number, keyId: number): number => ((op << P_OPCODE_SHIFT) | (keyId & P_KEY_ID_MASK)) & 0xff;
export const opcodeOf = (byte0: number): number => byte0 >> P_OPCODE_SHIFT;
export const keyIdOf = (byte0: number): number => byte0 & P_KEY_ID_MASK;

/** "bf8b7f1b 30f8943d", as session_id_print() shows a session id. */
export function formatSid(sid: Uint8Array): string {
  const hex = Array.from(sid, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)} ${hex.slice(8)}`;
}

export const sameBytes = (a: Uint8Array | null, b: Uint8Array | null): boolean => {
  if (a === null || b === null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};
