// TIME_WAIT (and an orphan's FIN_WAIT2) as Linux keeps them: not a socket any more but a small
// record of the 4-tuple, the sequence numbers and the timestamps, alive 60 s, answering old
// segments with an ACK, new data after a half-close with a RST, and letting a newer SYN reuse the
// 4-tuple (RFC 1122 4.2.2.13) with an ISN past the old connection's (tcp_timewait_state_process).

import { TCP_FIN_WAIT2, TCP_TIME_WAIT } from '../../abi/tcp.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type TcpOption } from '../../abi/wire/tcp.js';
import type { TcpHost, TcpTimerHandle } from './host.js';
import type { InSegment } from './segment.js';
import type { TcpMib } from './mib.js';
import { emitSegment } from './output.js';
import { after, before } from './seq.js';

export interface TimeWait {
  localAddr: number;
  localPort: number;
  remoteAddr: number;
  remotePort: number;
  substate: number;
  sndNxt: number;
  rcvNxt: number;
  rcvWnd: number;
  rcvWscale: number;
  tsOk: boolean;
  tsRecent: number;
  tsRecentStampS: number;
  tsOffset: number;
  /** SO_REUSEADDR of the socket it was (bind may then take the port). */
  reuse: boolean;
  tos: number;
  ttl: number;
  timer: TcpTimerHandle | null;
  lastOowAckMs: number;
}

export type TwVerdict = { kind: 'none' } | { kind: 'ack' } | { kind: 'rst' } | { kind: 'syn'; isn: number };

/** tcp_v4_timewait_ack. */
export function timewaitAck(host: TcpHost, mib: TcpMib, tw: TimeWait): void {
  const options: TcpOption[] = tw.tsOk
    ? [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'timestamp', tsval: (Math.floor(host.now() / 1e6) + tw.tsOffset) >>> 0, tsecr: tw.tsRecent }]
    : [];
  emitSegment(
    host,
    mib,
    { srcPort: tw.localPort, dstPort: tw.remotePort, seq: tw.sndNxt, ack: tw.rcvNxt, flags: TCP_ACK, window: Math.min(65535, Math.floor(tw.rcvWnd / 2 ** tw.rcvWscale)), urgent: 0, options, payload: new Uint8Array(0) },
    tw.localAddr,
    tw.remoteAddr,
    { tos: tw.tos & ~3, ttl: tw.ttl, df: true },
    `tcp ${tw.localPort} (TIME_WAIT)`,
  );
}

/** tcp_timewait_check_oow_rate_limit. */
function oowAck(host: TcpHost, mib: TcpMib, tw: TimeWait, ins: InSegment, counter: 'TCPACKSkippedFinWait2' | 'TCPACKSkippedTimeWait'): TwVerdict {
  const dataNoSyn = ins.endSeq !== ins.seg.seq && !(ins.seg.flags & TCP_SYN);
  if (!dataNoSyn) {
    const now = Math.floor(host.now() / 1e6);
    const elapsed = now - tw.lastOowAckMs;
    if (elapsed >= 0 && elapsed < host.sysctl.tcp_invalid_ratelimit) {
      mib[counter]++;
      return { kind: 'none' };
    }
    tw.lastOowAckMs = now;
  }
  return { kind: 'ack' };
}

/**
 * tcp_timewait_state_process. `reschedule` restarts the record's 60 s; `kill` ends it now.
 */
export function timewaitProcess(host: TcpHost, mib: TcpMib, tw: TimeWait, ins: InSegment, reschedule: () => void, kill: () => void): TwVerdict {
  const { seg } = ins;
  const rst = (seg.flags & TCP_RST) !== 0;
  const syn = (seg.flags & TCP_SYN) !== 0;
  const ack = (seg.flags & TCP_ACK) !== 0;
  const sawTs = ins.sawTs && tw.tsOk && tw.tsRecentStampS !== 0;
  const pawsReject = sawTs && ((tw.tsRecent - ins.tsval) | 0) > 1 && !rst;
  if (tw.substate === TCP_FIN_WAIT2) {
    const inWindow = !before(ins.endSeq, tw.rcvNxt) && !after(seg.seq, (tw.rcvNxt + tw.rcvWnd) >>> 0);
    if (pawsReject || !inWindow) return oowAck(host, mib, tw, ins, 'TCPACKSkippedFinWait2');
    if (rst) {
      kill();
      return { kind: 'none' };
    }
    if (syn && !before(seg.seq, tw.rcvNxt)) return { kind: 'rst' };
    if (!ack || !after(ins.endSeq, tw.rcvNxt) || ins.endSeq === seg.seq) return { kind: 'none' };
    if (!(seg.flags & TCP_FIN) || ins.endSeq !== ((tw.rcvNxt + 1) >>> 0)) return { kind: 'rst' };
    // The FIN: now the real TIME_WAIT.
    tw.substate = TCP_TIME_WAIT;
    tw.rcvNxt = ins.endSeq;
    if (ins.sawTs) {
      tw.tsRecentStampS = Math.floor(host.now() / 1e9);
      tw.tsRecent = ins.tsval;
    }
    reschedule();
    return { kind: 'ack' };
  }
  if (!pawsReject && seg.seq === tw.rcvNxt && (seg.seq === ins.endSeq || rst)) {
    if (rst) {
      if (!host.sysctl.tcp_rfc1337) {
        kill();
        return { kind: 'none' };
      }
    } else reschedule();
    if (ins.sawTs && tw.tsOk) {
      tw.tsRecent = ins.tsval;
      tw.tsRecentStampS = Math.floor(host.now() / 1e9);
    }
    return { kind: 'none' };
  }
  if (syn && !rst && !ack && !pawsReject && (after(seg.seq, tw.rcvNxt) || (ins.sawTs && tw.tsOk && ((tw.tsRecent - ins.tsval) | 0) < 0))) {
    let isn = (tw.sndNxt + 65535 + 2) >>> 0;
    if (isn === 0) isn++;
    return { kind: 'syn', isn };
  }
  if (pawsReject) mib.drop('tcp_rfc7323_tw_paws');
  if (!rst) {
    if (pawsReject || ack) reschedule();
    return oowAck(host, mib, tw, ins, 'TCPACKSkippedTimeWait');
  }
  return { kind: 'none' };
}
