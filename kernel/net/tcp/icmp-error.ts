// tcp_v4_err once the engine has found the connection an ICMP error quotes: fragmentation needed
// lowers the path MTU and resends at once; other errors end a connection still opening, and are
// kept as the soft error of an established one.

import type { ErrnoName } from '../../abi/errno.js';
import { TCP_CA_Loss, TCP_SYN_RECV, TCP_SYN_SENT } from '../../abi/tcp.js';
import { ICMP_DEST_UNREACH, ICMP_TIME_EXCEEDED } from '../../abi/wire/icmp.js';
import { syncMss } from './mss.js';
import { markSkbLost } from './rack.js';
import { currentSsthresh, setCaState } from './recovery.js';
import { xmitRetransmitQueue } from './retransmit.js';
import { LOST } from './skb.js';
import type { TcpSock } from './sock.js';
import { doneWithError } from './state.js';

/** ICMP destination-unreachable codes as errors (Linux's icmp_err_convert). */
const UNREACH_ERRNO: ReadonlyArray<ErrnoName> = [
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENOPROTOOPT',
  'ECONNREFUSED',
  'EMSGSIZE',
  'EOPNOTSUPP',
  'ENETUNREACH',
  'EHOSTDOWN',
  // HOST_ISOLATED is ENONET on Linux, which Haiku has no number for.
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EHOSTUNREACH',
  'EHOSTUNREACH',
  'EHOSTUNREACH',
];

/** An ICMP error of `type` and `code` (and the MTU a fragmentation-needed one gives) for `sk`. */
export function tcpIcmpError(sk: TcpSock, type: number, code: number, mtu: number): void {
  let err: ErrnoName;
  if (type === ICMP_DEST_UNREACH) {
    if (code === 4) {
      mtuReduced(sk, mtu);
      return;
    }
    if (code > 15) return;
    err = UNREACH_ERRNO[code]!;
  } else if (type === ICMP_TIME_EXCEEDED) err = 'EHOSTUNREACH';
  else return;
  if (sk.state === TCP_SYN_SENT || sk.state === TCP_SYN_RECV) {
    doneWithError(sk, err);
    return;
  }
  sk.errSoft = err;
}

/** tcp_v4_mtu_reduced + tcp_simple_retransmit: resend at the smaller size at once. */
function mtuReduced(sk: TcpSock, mtu: number): void {
  if (!sk.pmtudisc || mtu < 68 || mtu >= sk.pmtu) return;
  const oldMss = sk.mssCache;
  syncMss(sk, mtu);
  if (sk.mssCache >= oldMss) return;
  for (const skb of sk.rtx) {
    if (skb.len > sk.mssCache && !(skb.sacked & LOST)) markSkbLost(sk, skb);
  }
  if (!sk.lostOut) return;
  if (sk.caState !== TCP_CA_Loss) {
    sk.highSeq = sk.sndNxt;
    sk.sndSsthresh = currentSsthresh(sk);
    sk.priorSsthresh = 0;
    sk.undoMarker = 0;
    setCaState(sk, TCP_CA_Loss);
  }
  xmitRetransmitQueue(sk);
}
