// The receive side of a connection, as Linux's tcp_input.c does it once a segment is acceptable:
// its data in order to the reader or out of order to the reassembly queue (duplicates answered with
// a D-SACK), the FIN, the estimates the receiver keeps (the peer's MSS, the receive RTT), and when
// to acknowledge: at once (quick-ACK, every second full segment, a filled hole) or after the
// delayed-ACK timeout.

import { TCP_CLOSE_WAIT, TCP_CLOSING, TCP_ESTABLISHED, TCP_FIN_WAIT1, TCP_FIN_WAIT2, TCP_SYN_RECV, TCP_TIME_WAIT } from '../../abi/tcp.js';
import { TCP_FIN, TCP_PSH, TCP_SYN, TCP_URG, type TcpRepr } from '../../abi/wire/tcp.js';
import { ACK_NOW, ACK_PUSHED, ACK_PUSHED2, ACK_SCHED, sendAck, sendDelayedAck } from './output.js';
import type { InSegment } from './segment.js';
import { after, afterEq, before } from './seq.js';
import { dropSegment, type TcpSock } from './sock.js';
import { TCP_ATO_MIN_US, TCP_MAX_QUICKACKS, TCP_MIN_MSS, TCP_MSS_DEFAULT } from './sock.js';
import { RCV_SHUTDOWN, setState } from './state.js';
import { growWindow, selectWindowPreview } from './window.js';

const ECN_MASK = 3;
const ECN_CE = 3;

function incrQuickack(sk: TcpSock, max: number): void {
  let q = Math.floor(sk.rcvWnd / (2 * sk.rcvMss));
  if (q === 0) q = 2;
  q = Math.min(q, max);
  if (q > sk.ackQuick) sk.ackQuick = q;
}

export function enterQuickackMode(sk: TcpSock, max: number): void {
  incrQuickack(sk, max);
  sk.pingpong = 0;
  sk.atoUs = TCP_ATO_MIN_US;
}

function inQuickackMode(sk: TcpSock): boolean {
  return sk.ackQuick > 0 && sk.pingpong < sk.host.sysctl.tcp_pingpong_thresh;
}

export function scheduleAck(sk: TcpSock): void {
  sk.ackPending |= ACK_SCHED;
}

/** tcp_send_dupack: an unacceptable segment; data we already had earns a D-SACK. */
export function sendDupack(sk: TcpSock, ins: InSegment): void {
  const { seq } = ins.seg;
  if (ins.endSeq !== seq && before(seq, sk.rcvNxt)) {
    sk.mib.DelayedACKLost++;
    enterQuickackMode(sk, TCP_MAX_QUICKACKS);
    if (sk.sackOk && sk.host.sysctl.tcp_dsack) {
      const end = after(ins.endSeq, sk.rcvNxt) ? sk.rcvNxt : ins.endSeq;
      dsackSet(sk, seq, end);
    }
  }
  sendAck(sk);
}

function dsackSet(sk: TcpSock, seq: number, end: number): void {
  if (!sk.sackOk || !sk.host.sysctl.tcp_dsack) return;
  if (before(seq, sk.rcvNxt)) sk.mib.TCPDSACKOldSent++;
  else sk.mib.TCPDSACKOfoSent++;
  sk.rcv.setDsack(seq, end);
}

/** tcp_measure_rcv_mss: how big the peer's segments are, for ACK and window decisions. */
function measureRcvMss(sk: TcpSock, ins: InSegment, len: number): void {
  const lss = sk.ackLastSegSize;
  sk.ackLastSegSize = 0;
  if (len >= sk.rcvMss) {
    sk.rcvMss = Math.min(len, sk.advmss);
    if (ins.seg.flags & TCP_PSH) sk.ackPending |= ACK_PUSHED;
  } else {
    let l = len + 20 + (ins.seg.options.length ? optionLen(ins.seg) : 0);
    const remnant = ins.seg.flags & (TCP_FIN | TCP_URG | TCP_SYN | TCP_PSH);
    if (l >= TCP_MSS_DEFAULT + 20 || (l >= TCP_MIN_MSS + 20 && !remnant)) {
      l -= 20 + sk.tcpHeaderOpts;
      sk.ackLastSegSize = l;
      if (l === lss) {
        sk.rcvMss = l;
        return;
      }
    }
    if (sk.ackPending & ACK_PUSHED) sk.ackPending |= ACK_PUSHED2;
    sk.ackPending |= ACK_PUSHED;
  }
}

function optionLen(seg: TcpRepr): number {
  let n = 0;
  for (const o of seg.options) {
    n += o.kind === 'eol' || o.kind === 'nop' ? 1 : o.kind === 'mss' ? 4 : o.kind === 'wscale' ? 3 : o.kind === 'sackPermitted' ? 2 : o.kind === 'timestamp' ? 10 : o.kind === 'sack' ? 2 + 8 * o.blocks.length : 2 + o.data.length;
  }
  return (n + 3) & ~3;
}

/** tcp_rcv_rtt_measure: the receiver's RTT estimate (one window's worth of data per RTT). */
function rcvRttMeasure(sk: TcpSock): void {
  const now = sk.nowUs();
  if (sk.rcvRttTimeUs && before(sk.rcvNxt, sk.rcvRttSeq)) return;
  if (sk.rcvRttTimeUs) rcvRttUpdate(sk, now - sk.rcvRttTimeUs, true);
  sk.rcvRttSeq = (sk.rcvNxt + sk.rcvWnd) >>> 0;
  sk.rcvRttTimeUs = now;
}

function rcvRttUpdate(sk: TcpSock, sampleUs: number, winDep: boolean): void {
  let m = sampleUs;
  const rtt = sk.rcvRttUs;
  if (rtt !== 0) {
    if (!winDep) {
      m -= rtt >> 3;
      m = rtt + m;
    } else if (m < rtt) m <<= 3;
    else return;
  } else m <<= 3;
  if (sk.rcvRttUs !== m) sk.rcvRttUs = m;
}

/** tcp_rcv_rtt_measure_ts: the same from a timestamp echo of data we sent. */
export function rcvRttMeasureTs(sk: TcpSock, ins: InSegment): void {
  if (!ins.sawTs || !ins.tsecr || !sk.tsOk) return;
  if (sk.rcvRttUs === 0 || afterEq(ins.endSeq, sk.rcvRttSeq)) {
    const delta = ((sk.tsNow() - ins.tsecr) >>> 0) * 1000;
    if (delta > 0 && delta < 0x7fffffff && ins.endSeq !== ins.seg.seq) rcvRttUpdate(sk, delta, false);
  }
}

/** tcp_event_data_recv: in-order data arrived; the delayed-ACK engine learns its pace. */
function eventDataRecv(sk: TcpSock, ins: InSegment, len: number): void {
  scheduleAck(sk);
  // A super-packet says how big its segments were (tcp_measure_rcv_mss reads gso_size).
  measureRcvMss(sk, ins, ins.gsoSize || len);
  rcvRttMeasure(sk);
  const now = sk.nowUs();
  if (!sk.atoUs) {
    incrQuickack(sk, TCP_MAX_QUICKACKS);
    sk.atoUs = TCP_ATO_MIN_US;
  } else {
    const m = Math.floor(now / 1000) * 1000 - Math.floor(sk.lrcvtimeUs / 1000) * 1000;
    if (m <= TCP_ATO_MIN_US / 2) sk.atoUs = (sk.atoUs >> 1) + TCP_ATO_MIN_US / 2;
    else if (m < sk.atoUs) {
      sk.atoUs = (sk.atoUs >> 1) + m;
      if (sk.atoUs > sk.rtoUs) sk.atoUs = sk.rtoUs;
    } else if (m > sk.rtoUs) incrQuickack(sk, TCP_MAX_QUICKACKS);
  }
  sk.lrcvtimeUs = now;
  dataEcnCheck(sk, ins);
  if (len >= 128) growWindow(sk, len);
}

function dataEcnCheck(sk: TcpSock, ins: InSegment): void {
  if (!sk.ecnOk) return;
  const ecn = ins.tos & ECN_MASK;
  if (ecn === 0) {
    if (sk.ecnSeenCe) enterQuickackMode(sk, 2);
  } else {
    if (ecn === ECN_CE && !sk.ecnDemandCwr) {
      enterQuickackMode(sk, 2);
      sk.ecnDemandCwr = true;
    }
    sk.ecnSeenCe = true;
  }
}

/** tcp_fin: the peer finished sending. */
function tcpFin(sk: TcpSock): void {
  scheduleAck(sk);
  sk.shutdown |= RCV_SHUTDOWN;
  switch (sk.state) {
    case TCP_SYN_RECV:
    case TCP_ESTABLISHED:
      setState(sk, TCP_CLOSE_WAIT);
      sk.pingpong = sk.host.sysctl.tcp_pingpong_thresh;
      break;
    case TCP_FIN_WAIT1:
      sendAck(sk);
      setState(sk, TCP_CLOSING);
      break;
    case TCP_FIN_WAIT2:
      sendAck(sk);
      sk.ops.timeWait(sk, TCP_TIME_WAIT, 0);
      break;
    default:
      break;
  }
  sk.rcv.purgeOfo();
  sk.events?.readable();
}

/** tcp_data_queue. */
export function dataQueue(sk: TcpSock, ins: InSegment): void {
  const { seg } = ins;
  if (seg.seq === ins.endSeq) return;
  const fin = (seg.flags & TCP_FIN) !== 0;
  const len = seg.payload.length;
  sk.rcv.dsack = null;
  if (seg.seq === sk.rcvNxt) {
    if (sk.receiveWindow === 0 && !(len === 0 && fin)) {
      sk.mib.TCPZeroWindowDrop++;
      dropSegment(sk, 'tcp_zerowindow');
      enterQuickackMode(sk, TCP_MAX_QUICKACKS);
      scheduleAck(sk);
      return;
    }
    queueInOrder(sk, ins, 0);
    return;
  }
  if (!after(ins.endSeq, sk.rcvNxt)) {
    // All of it was here already: a retransmission. ACK at once, with a D-SACK.
    sk.mib.DelayedACKLost++;
    dsackSet(sk, seg.seq, ins.endSeq);
    dropSegment(sk, 'tcp_old_data');
    enterQuickackMode(sk, TCP_MAX_QUICKACKS);
    scheduleAck(sk);
    return;
  }
  if (!before(seg.seq, (sk.rcvNxt + sk.receiveWindow) >>> 0)) {
    dropSegment(sk, 'tcp_overwindow');
    enterQuickackMode(sk, TCP_MAX_QUICKACKS);
    scheduleAck(sk);
    return;
  }
  if (before(seg.seq, sk.rcvNxt)) {
    dsackSet(sk, seg.seq, sk.rcvNxt);
    if (!sk.receiveWindow) {
      sk.mib.TCPZeroWindowDrop++;
      dropSegment(sk, 'tcp_zerowindow');
      enterQuickackMode(sk, TCP_MAX_QUICKACKS);
      scheduleAck(sk);
      return;
    }
    queueInOrder(sk, ins, (sk.rcvNxt - seg.seq) >>> 0);
    return;
  }
  dataQueueOfo(sk, ins);
}

/** Bytes past the receive buffer are refused (tcp_try_rmem_schedule without pruning). */
function rmemOk(sk: TcpSock, len: number): boolean {
  return sk.rcv.bytes + sk.rcv.ofoBytes + len <= sk.rcvbuf;
}

function queueInOrder(sk: TcpSock, ins: InSegment, skip: number): void {
  const { seg } = ins;
  const data = seg.payload.subarray(Math.min(skip, seg.payload.length));
  if (data.length && !rmemOk(sk, data.length)) {
    sk.ackPending |= ACK_NOW | ACK_SCHED;
    if (sk.rcv.bytes > 0) {
      sk.mib.TCPRcvQDrop++;
      dropSegment(sk, 'proto_mem');
      sk.events?.readable();
      return;
    }
  }
  sk.rcv.push(keep(sk, data, ins.gsoSize));
  sk.rcvNxt = ins.endSeq;
  sk.bytesReceived += data.length;
  if (seg.payload.length) eventDataRecv(sk, ins, seg.payload.length);
  if (seg.flags & TCP_FIN) {
    sk.finSeq = (ins.endSeq - 1) >>> 0;
    tcpFin(sk);
  }
  if (sk.rcv.ofo.length > 0) {
    const r = sk.rcv.drainOfo(sk.rcvNxt);
    sk.rcvNxt = r.rcvNxt;
    if (r.fin) {
      sk.finSeq = (r.rcvNxt - 1) >>> 0;
      tcpFin(sk);
    }
    if (sk.rcv.ofo.length === 0) sk.ackPending |= ACK_NOW;
  }
  if (sk.rcv.sacks.length) sk.rcv.removeCoveredSacks(sk.rcvNxt);
  sk.events?.readable();
}

function dataQueueOfo(sk: TcpSock, ins: InSegment): void {
  const { seg } = ins;
  dataEcnCheck(sk, ins);
  if (!rmemOk(sk, seg.payload.length)) {
    sk.mib.TCPOFODrop++;
    dropSegment(sk, 'tcp_ofo_drop');
    sk.events?.readable();
    return;
  }
  sk.mib.TCPOFOQueue++;
  scheduleAck(sk);
  sk.rcvOooPack++;
  const r = sk.rcv.insertOfo({ seq: seg.seq, end: ins.endSeq, data: keep(sk, seg.payload, ins.gsoSize), fin: (seg.flags & TCP_FIN) !== 0 }, sk.sackOk);
  sk.mib.TCPOFOMerge += r.merged;
  if (!r.kept) dropSegment(sk, 'tcp_ofomerge');
  if (r.kept && sk.sackOk) growWindow(sk, seg.payload.length);
}

/** __tcp_ack_snd_check: ACK now, or arm the delayed ACK. */
export function ackSndCheck(sk: TcpSock): void {
  if (!(sk.ackPending & ACK_SCHED)) return;
  const fullFrames = ((sk.rcvNxt - sk.rcvWup) >>> 0) > sk.rcvMss;
  if ((fullFrames && windowWouldGrow(sk)) || inQuickackMode(sk) || sk.ackPending & ACK_NOW) {
    sendAck(sk);
    return;
  }
  if (sk.rcv.ofo.length === 0) {
    sendDelayedAck(sk);
    return;
  }
  sendAck(sk);
}

/** Nothing unread (below SO_RCVLOWAT), or the next ACK's window is at least the one offered. */
function windowWouldGrow(sk: TcpSock): boolean {
  return sk.rcvNxt === sk.copiedSeq || selectWindowPreview(sk) >= sk.rcvWnd;
}

/**
 * The receive queue's own copy of a segment's bytes, which a read's journey continues from. A
 * super-packet's buffer is its own already (made by GRO, by a router's forwarding copy, or by the
 * sender's TCP for it alone, which nothing writes again): its bytes are kept where they are.
 */
function keep(sk: TcpSock, data: Uint8Array, gsoSize = 0): Uint8Array {
  if (gsoSize) return data;
  const copy = data.slice();
  if (sk.host.tracing) sk.host.carry?.(data, copy);
  return copy;
}
