// The options an endpoint sends, laid out as Linux's tcp_options_write lays them: a SYN carries
// `mss,sackOK,TS,nop,wscale` (SACK-permitted shares the timestamp's word; without timestamps it is
// `nop,nop,sackOK`), a SYN-ACK answers what the SYN offered, and later segments carry
// `nop,nop,TS` and `nop,nop,sack` with the D-SACK block first and as many blocks as fit in 40 bytes.

import type { TcpOption } from '../../abi/wire/tcp.js';
import type { SackBlock } from './recvq.js';
import type { TcpSock } from './sock.js';

const MAX_OPTION_SPACE = 40;

export interface SynOffer {
  mss: number;
  ts: { tsval: number; tsecr: number } | null;
  sack: boolean;
  /** The shift to announce, or null for no window scale option. */
  wscale: number | null;
}

/** The options of a SYN or SYN-ACK. */
export function synOptions(o: SynOffer): TcpOption[] {
  const out: TcpOption[] = [{ kind: 'mss', mss: o.mss }];
  if (o.ts) {
    if (o.sack) out.push({ kind: 'sackPermitted' });
    else out.push({ kind: 'nop' }, { kind: 'nop' });
    out.push({ kind: 'timestamp', tsval: o.ts.tsval, tsecr: o.ts.tsecr });
  } else if (o.sack) {
    out.push({ kind: 'nop' }, { kind: 'nop' }, { kind: 'sackPermitted' });
  }
  if (o.wscale !== null) out.push({ kind: 'nop' }, { kind: 'wscale', shift: o.wscale });
  return out;
}

/** How many SACK blocks (D-SACK included) the next segment carries (tcp_established_options). */
export function sackBlocksToSend(sk: TcpSock): number {
  if (!sk.sackOk) return 0;
  const eff = sk.rcv.sacks.length + (sk.rcv.dsack ? 1 : 0);
  if (eff === 0) return 0;
  const remaining = MAX_OPTION_SPACE - (sk.tsOk ? 12 : 0);
  if (remaining < 4 + 8) return 0;
  return Math.min(eff, Math.floor((remaining - 4) / 8));
}

/** The options of a segment on a synchronized connection; takes the D-SACK it sends. */
export function establishedOptions(sk: TcpSock, tsval: number): TcpOption[] {
  const out: TcpOption[] = [];
  if (sk.tsOk) out.push({ kind: 'nop' }, { kind: 'nop' }, { kind: 'timestamp', tsval, tsecr: sk.tsRecent });
  const n = sackBlocksToSend(sk);
  if (n > 0) {
    const blocks: SackBlock[] = sk.rcv.dsack ? [sk.rcv.dsack, ...sk.rcv.sacks] : [...sk.rcv.sacks];
    out.push({ kind: 'nop' }, { kind: 'nop' }, { kind: 'sack', blocks: blocks.slice(0, n).map((b) => [b.start, b.end]) });
    sk.rcv.dsack = null;
  }
  return out;
}
