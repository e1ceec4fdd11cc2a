// Sending, as Linux's tcp_output.c does it: segments are built from the queues with the window and
// options of the moment (tcp_transmit_skb), new data leaves as cwnd, the peer's window and Nagle
// allow (tcp_write_xmit), a round of segments as one super-packet when the device takes them (TSO
// or GSO on) and one MSS at a time otherwise, and every send arms what must follow it: the RTO,
// the tail loss probe, the zero-window probe.

import type { ErrnoName } from '../../abi/errno.js';
import { TCP_CA_CWR, TCP_CA_Open, TCP_CA_Recovery, TCP_CLOSE, TCP_CLOSE_WAIT, TCP_ESTABLISHED, TCP_SYN_SENT } from '../../abi/tcp.js';
import { TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TcpPacket, TcpRepr, type TcpOption } from '../../abi/wire/tcp.js';
import { partialTcpChecksum } from '../iface/offload/gso.js';
import { chunkSegsAvailable, tsoAutosizeSegs, tsoShouldDefer } from './tso.js';
import { currentMss } from './mss.js';
import { establishedOptions, synOptions } from './options.js';
import { isCwndLimited } from './reno.js';
import { rtoMinUs, toJiffiesUs } from './rtt.js';
import { after, before, beforeEq } from './seq.js';
import { TcpSkb } from './skb.js';
import type { TcpHost, TcpOutputOptions } from './host.js';
import type { TcpMib } from './mib.js';
import type { TcpSock } from './sock.js';
import { TCP_DELACK_MAX_US, TCP_DELACK_MIN_US, TCP_TIMEOUT_INIT_US } from './sock.js';
import { clearDelackTimer, clearXmitTimer, resetDelackTimer, resetXmitTimer } from './timers.js';
import { selectWindow, sndbufExpand } from './window.js';

/** icsk_ack.pending bits. */
export const ACK_SCHED = 1;
export const ACK_TIMER = 2;
export const ACK_PUSHED = 4;
export const ACK_PUSHED2 = 8;
export const ACK_NOW = 16;

/** Nagle modes (tp->nonagle and the push modes of tcp_write_xmit). */
export const NAGLE_ON = 0;
export const NAGLE_OFF = 1;
export const NAGLE_CORK = 2;
export const NAGLE_PUSH = 4;

/** Linux's NET_XMIT_DROP: the segment was not sent because of local congestion (a qdisc drop). */
export const LOCAL_CONGESTION = 'ENOBUFS';

const ECT0 = 0x02;

export function wndEnd(sk: TcpSock): number {
  return (sk.sndUna + sk.sndWnd) >>> 0;
}

/** tcp_acceptable_seq: snd_nxt, unless the peer shrank its window below it. */
export function acceptableSeq(sk: TcpSock): number {
  return beforeEq(sk.sndNxt, wndEnd(sk)) || (sk.rcvWscale && sk.sndNxt === wndEnd(sk)) ? sk.sndNxt : wndEnd(sk);
}

export interface SegmentSpec {
  seq: number;
  flags: number;
  payload?: Uint8Array;
  /** Options as they are (SYN, SYN-ACK); otherwise timestamps and SACK blocks of the moment. */
  options?: TcpOption[];
  /** The window field as it is (a SYN's never scaled one); otherwise tcp_select_window. */
  window?: number;
  tsval?: number;
  /** The segment is new data (for ECT and CWR). */
  newData?: boolean;
  /** A super-packet: its payload is these pieces, to be cut into segments of gsoSize bytes. */
  parts?: readonly Uint8Array[];
  gsoSize?: number;
}

/** The payload of a super-packet and the size of the segments it stands for. */
export interface GsoPayload {
  parts: readonly Uint8Array[];
  len: number;
  size: number;
}

/**
 * tcp_transmit_skb: build one segment and hand it to IP. Linux accounts the ACK and data as sent
 * before the IP layer answers, so that is done whatever it says; the errno comes back.
 */
export function sendSegment(sk: TcpSock, spec: SegmentSpec): ErrnoName | null {
  const payload = spec.payload ?? new Uint8Array(0);
  let gso: GsoPayload | undefined;
  if (spec.parts && spec.gsoSize) {
    let len = 0;
    for (const p of spec.parts) len += p.length;
    gso = { parts: spec.parts, len, size: spec.gsoSize };
  }
  const dataLen = gso ? gso.len : payload.length;
  const segs = gso ? Math.ceil(gso.len / gso.size) : 1;
  let flags = spec.flags;
  const tsval = spec.tsval ?? sk.tsNow();
  const window = spec.window ?? selectWindow(sk);
  const options = spec.options ?? establishedOptions(sk, tsval);
  let tos = sk.tos & ~3;
  if (sk.ecnOk && !(flags & TCP_SYN)) {
    if (dataLen > 0 && spec.newData) {
      tos |= ECT0;
      if (sk.ecnQueueCwr) {
        sk.ecnQueueCwr = false;
        flags |= TCP_CWR;
      }
    }
    if (sk.ecnDemandCwr) flags |= TCP_ECE;
  }
  const repr: TcpRepr = {
    srcPort: sk.localPort,
    dstPort: sk.remotePort,
    seq: spec.seq,
    ack: flags & TCP_ACK ? sk.rcvNxt : 0,
    flags,
    window,
    urgent: 0,
    options,
    payload,
  };
  if (flags & TCP_ACK) ackSent(sk);
  if (dataLen > 0) dataSent(sk, dataLen, segs);
  sk.segsOut += segs;
  sk.wstampUs = Math.max(sk.wstampUs, sk.nowUs());
  return emitSegment(sk.host, sk.mib, repr, sk.localAddr, sk.remoteAddr, { tos, ttl: sk.ttl, df: sk.pmtudisc }, sk.host.tracing ? sk.describe() : undefined, undefined, gso);
}

/** Build a segment and hand it to IP, counted in the MIB; for endpoints and for segments sent
 * without one (SYN-ACKs of requests, resets, time-wait ACKs). */
export function emitSegment(host: TcpHost, mib: TcpMib, repr: TcpRepr, src: number, dst: number, opts: TcpOutputOptions, where = 'tcp', answers?: Uint8Array, gso?: GsoPayload): ErrnoName | null {
  if (gso) return emitSuperSegment(host, mib, repr, src, dst, opts, where, gso);
  const len = TcpRepr.bufferLen(repr);
  const bytes = host.segmentBuffer?.(len) ?? new Uint8Array(len);
  TcpRepr.emit(repr, new TcpPacket(bytes), src, dst);
  mib.OutSegs++;
  if (repr.flags & TCP_RST) mib.OutRsts++;
  if (host.tracing) {
    // A segment goes on with the identity of the send buffer its bytes are in (the write that
    // filled it; a retransmission is the same segment again).
    const from = repr.payload.length > 0 ? repr.payload : undefined;
    host.trace?.(where, 'out', bytes, { event: 'output', answers, from });
  }
  return host.output(bytes, src, dst, opts);
}

/**
 * A super-packet (a GSO skb): the header of its first segment, the payload of all of them, and in
 * the checksum field only the pseudo-header's sum, which the device (or software GSO) completes
 * per segment. Counted as the segments it stands for, as Linux counts tcp_skb_pcount.
 */
function emitSuperSegment(host: TcpHost, mib: TcpMib, repr: TcpRepr, src: number, dst: number, opts: TcpOutputOptions, where: string, gso: GsoPayload): ErrnoName | null {
  const hlen = TcpRepr.bufferLen(repr);
  const len = hlen + gso.len;
  const bytes = host.segmentBuffer?.(len) ?? new Uint8Array(len);
  TcpRepr.emit(repr, new TcpPacket(bytes.subarray(0, hlen)), src, dst);
  let at = hlen;
  for (const p of gso.parts) {
    bytes.set(p, at);
    at += p.length;
  }
  const partial = partialTcpChecksum(src, dst, len);
  bytes[16] = partial >> 8;
  bytes[17] = partial & 0xff;
  mib.OutSegs += Math.ceil(gso.len / gso.size);
  if (host.tracing) host.trace?.(where, 'out', bytes, { event: 'output', from: gso.parts[0] });
  return host.output(bytes, src, dst, { ...opts, gsoSize: gso.size });
}

/** tcp_event_ack_sent: an ACK of rcv_nxt left, so no delayed ACK is owed any more. */
function ackSent(sk: TcpSock): void {
  if (sk.ackQuick) {
    const pkts = sk.ackPending & ACK_SCHED ? 1 : 0;
    if (pkts >= sk.ackQuick) {
      sk.ackQuick = 0;
      sk.atoUs = TCP_DELACK_MIN_US;
    } else sk.ackQuick -= pkts;
  }
  sk.ackPending = 0;
  clearDelackTimer(sk);
}

/** tcp_event_data_sent: restart of the CA epoch after idle, and the pingpong (interactive) count. */
function dataSent(sk: TcpSock, len: number, segs: number): void {
  const now = sk.nowUs();
  if (sk.inFlight === 0) sk.ca.cwndEvent?.(sk, 'tx_start');
  sk.lsndtimeUs = now;
  if (now - sk.lrcvtimeUs < sk.atoUs && sk.pingpong < 0xff) sk.pingpong++;
  sk.dataSegsOut += segs;
  sk.bytesSent += len;
}

/** Send a segment of the queues, stamping it as transmitted. */
export function transmitSkb(sk: TcpSock, skb: TcpSkb, newData: boolean, extraFlags = 0): ErrnoName | null {
  const flags = (skb.flags & TCP_SYN && sk.state === TCP_SYN_SENT ? skb.flags : skb.flags | TCP_ACK) | extraFlags;
  const now = sk.nowUs();
  let options: TcpOption[] | undefined;
  let window: number | undefined;
  if (skb.flags & TCP_SYN) {
    const offer = sk.synOffer ?? { ts: sk.tsOk, sack: sk.sackOk, wscale: sk.wscaleOk, ecn: false };
    options = synOptions({
      mss: sk.advmss,
      ts: offer.ts ? { tsval: sk.tsNow(), tsecr: sk.tsRecent } : null,
      sack: offer.sack,
      wscale: offer.wscale ? sk.rcvWscale : null,
    });
    window = Math.min(sk.rcvWnd, 65535);
  }
  stamp(sk, skb, now);
  return sendSegment(sk, { seq: skb.seq, flags, payload: skb.payload, options, window, newData });
}

/** A segment goes out now: its transmission time, count and rate-sampling marks. */
function stamp(sk: TcpSock, skb: TcpSkb, now: number): void {
  skb.txUs = now;
  if (!skb.firstTxUs) skb.firstTxUs = now;
  skb.txCount++;
  rateSkbSent(sk, skb);
  sk.tsorted.delete(skb);
  sk.tsorted.add(skb);
}

/**
 * The segments of one round (new data, in sequence, each a whole MSS but perhaps the last) go out
 * as one super-packet, as tcp_write_xmit hands the device one GSO skb: its flags are the first
 * one's with the last one's FIN and PSH, and `psh` when the round ends there.
 */
function transmitRound(sk: TcpSock, skbs: readonly TcpSkb[], mss: number, psh: number): ErrnoName | null {
  const first = skbs[0]!;
  const last = skbs[skbs.length - 1]!;
  const now = sk.nowUs();
  for (const skb of skbs) stamp(sk, skb, now);
  if (skbs.length === 1) return sendSegment(sk, { seq: first.seq, flags: first.flags | TCP_ACK | psh, payload: first.payload, newData: true });
  const flags = (first.flags & ~(TCP_FIN | TCP_PSH)) | (last.flags & (TCP_FIN | TCP_PSH)) | TCP_ACK | psh;
  return sendSegment(sk, { seq: first.seq, flags, parts: skbs.map((s) => s.payload), gsoSize: mss, newData: true });
}

/** A first transmission that IP refused: the segment is as unsent as before. */
function unstamp(sk: TcpSock, skb: TcpSkb): void {
  sk.tsorted.delete(skb);
  skb.txCount--;
  if (skb.txCount === 0) skb.firstTxUs = skb.txUs = 0;
}

/** A round IP refused: its segments go back to the head of the write queue, unsent. */
function unsendRound(sk: TcpSock, skbs: readonly TcpSkb[]): void {
  for (let i = skbs.length - 1; i >= 0; i--) {
    const skb = skbs[i]!;
    sk.rtx.pop();
    sk.writeQueue.unshift(skb);
    sk.packetsOut--;
    sk.mib.TCPOrigDataSent--;
    unstamp(sk, skb);
  }
  sk.sndNxt = skbs[0]!.seq;
  if (!sk.packetsOut) clearXmitTimer(sk);
}

/** tcp_rate_skb_sent: what a later ACK of this segment needs for a delivery-rate sample. */
function rateSkbSent(sk: TcpSock, skb: TcpSkb): void {
  if (sk.packetsOut === 0) {
    sk.firstTxUs = skb.txUs;
    sk.deliveredUs = skb.txUs;
  }
  skb.firstTxOfFlightUs = sk.firstTxUs;
  skb.deliveredUsAtTx = sk.deliveredUs;
  skb.deliveredAtTx = sk.delivered;
  skb.appLimitedAtTx = sk.appLimited !== 0;
}

/** tcp_send_ack: a bare ACK of everything received. */
export function sendAck(sk: TcpSock): void {
  if (sk.state === TCP_CLOSE) return;
  sendSegment(sk, { seq: acceptableSeq(sk), flags: TCP_ACK });
}

/** tcp_send_delayed_ack: ACK within ato, bounded by the RTT and 200 ms (500 ms when not interactive). */
export function sendDelayedAck(sk: TcpSock): void {
  let ato = sk.atoUs;
  const nowMs = Math.floor(sk.nowUs() / 1000) * 1000;
  if (ato > TCP_DELACK_MIN_US) {
    let maxAto = sk.pingpong >= sk.host.sysctl.tcp_pingpong_thresh || sk.ackPending & ACK_PUSHED ? TCP_DELACK_MAX_US : 500_000;
    if (sk.srttUs) {
      const rtt = Math.max(toJiffiesUs(sk.srttUs >> 3), TCP_DELACK_MIN_US);
      if (rtt < maxAto) maxAto = rtt;
    }
    ato = Math.min(ato, maxAto);
  }
  ato = Math.min(ato, TCP_DELACK_MAX_US);
  let timeout = nowMs + ato;
  if (sk.ackPending & ACK_TIMER) {
    if (sk.delackAtUs <= nowMs + (ato >> 2)) {
      sendAck(sk);
      return;
    }
    if (timeout >= sk.delackAtUs) timeout = sk.delackAtUs;
  }
  sk.ackPending |= ACK_SCHED | ACK_TIMER;
  resetDelackTimer(sk, timeout);
}

/** tcp_send_active_reset: RST|ACK at snd_nxt (close with unread data, SO_LINGER 0, aborts). */
export function sendActiveReset(sk: TcpSock): void {
  sendSegment(sk, { seq: acceptableSeq(sk), flags: TCP_RST | TCP_ACK });
}

// ------------------------------------------------------------------ the write queue

/** skb_entail: a new segment at the tail of the write queue (slow start restart checked first). */
export function entail(sk: TcpSock, skb: TcpSkb): void {
  slowStartAfterIdleCheck(sk);
  sk.writeQueue.push(skb);
  if (sk.writeQueue.length === 1) chronoStart(sk, 'busy');
}

function currentSsthresh(sk: TcpSock): number {
  if (inCwndReduction(sk)) return sk.sndSsthresh;
  return Math.max(sk.sndSsthresh, (sk.sndCwnd >>> 1) + (sk.sndCwnd >>> 2));
}

export function inCwndReduction(sk: TcpSock): boolean {
  return sk.caState === TCP_CA_CWR || sk.caState === TCP_CA_Recovery;
}

/** tcp_slow_start_after_idle_check / tcp_cwnd_restart: an idle connection restarts from IW. */
export function slowStartAfterIdleCheck(sk: TcpSock): void {
  if (!sk.host.sysctl.tcp_slow_start_after_idle || sk.packetsOut) return;
  let delta = Math.floor(sk.nowUs() / 1000) - Math.floor(sk.lsndtimeUs / 1000);
  const rtoMs = sk.rtoUs / 1000;
  if (delta <= rtoMs) return;
  const restart = Math.min(10, sk.sndCwnd);
  sk.ca.cwndEvent?.(sk, 'cwnd_restart');
  sk.sndSsthresh = currentSsthresh(sk);
  let cwnd = sk.sndCwnd;
  while ((delta -= rtoMs) > 0 && cwnd > restart) cwnd >>>= 1;
  sk.sndCwnd = Math.max(cwnd, restart);
  sk.sndCwndStampUs = sk.nowUs();
  sk.sndCwndUsed = 0;
}

/** tcp_snd_wnd_test: the first MSS of the segment fits in the peer's window. */
function sndWndTest(sk: TcpSock, skb: TcpSkb, mss: number): boolean {
  const end = skb.len > mss ? (skb.seq + mss) >>> 0 : skb.endSeq;
  return beforeEq(end, wndEnd(sk));
}

/** tcp_cwnd_test: how many segments cwnd lets go now. */
function cwndQuota(sk: TcpSock): number {
  const inFlight = sk.inFlight;
  if (inFlight >= sk.sndCwnd) return 0;
  // tcp_cwnd_test: at most half the window per GSO packet, so at least two are in flight.
  return Math.min(Math.max(sk.sndCwnd >>> 1, 1), sk.sndCwnd - inFlight);
}

/** tcp_minshall_check: a small segment sent earlier is not acknowledged yet. */
function minshallCheck(sk: TcpSock): boolean {
  return after(sk.sndSml, sk.sndUna) && beforeEq(sk.sndSml, sk.sndNxt);
}

/** tcp_nagle_check: true when a partial segment must wait. */
function nagleHolds(partial: boolean, sk: TcpSock, nonagle: number): boolean {
  return partial && ((nonagle & NAGLE_CORK) !== 0 || (!nonagle && sk.packetsOut > 0 && minshallCheck(sk)));
}

/** tcp_nagle_test: may this (at most one MSS) segment go now? */
function nagleTest(sk: TcpSock, skb: TcpSkb, mss: number, nonagle: number): boolean {
  if (nonagle & NAGLE_PUSH) return true;
  if (skb.flags & TCP_FIN) return true;
  return !nagleHolds(skb.len < mss, sk, nonagle);
}

/**
 * tcp_grow_skb: the head of the write queue is smaller than the packet about to go; move data
 * forward from the segment after it (unless an EOR mark or FIN ends the head), taking the next
 * one's flags when it is used up.
 */
function growHead(sk: TcpSock, skb: TcpSkb, missing: number): void {
  while (missing > 0 && !skb.eor && !(skb.flags & TCP_FIN)) {
    const next = sk.writeQueue.at(1);
    if (!next || next.flags & TCP_SYN) return;
    const moved = skb.pullFrom(next, missing);
    if (!moved) return;
    missing -= moved;
    if (next.len === 0) sk.writeQueue.removeAt(1);
    else return;
  }
}

/** Split the head of the write queue so that it is at most `len` bytes. */
function fragmentHead(sk: TcpSock, skb: TcpSkb, len: number): void {
  if (skb.len <= len) return;
  sk.writeQueue.insertAfter(0, skb.splitAt(len));
}

/** tcp_event_new_data_sent: the segment moves to the retransmit queue. */
function newDataSent(sk: TcpSock, skb: TcpSkb): void {
  const prior = sk.packetsOut;
  sk.sndNxt = skb.endSeq;
  sk.writeQueue.shift();
  sk.rtx.push(skb);
  sk.packetsOut++;
  if (!prior || sk.xmitTimerKind === 'loss_probe') rearmRto(sk);
  sk.mib.TCPOrigDataSent++;
  checkSpace(sk);
}

/** tcp_check_space / tcp_new_space: a writer that ran out of buffer hears of room again, and the
 * send buffer grows with the window unless SO_SNDBUF fixed it. */
export function checkSpace(sk: TcpSock): void {
  if (!sk.nospace) return;
  if (!sk.sndbufLocked && sk.inFlight < sk.sndCwnd) {
    sndbufExpand(sk);
    sk.sndCwndStampUs = sk.nowUs();
  }
  if (sk.sndbuf - sk.wmemQueued >= sk.wmemQueued >> 1 && sk.notsentBytes * 2 < (sk.notsentLowat || sk.host.sysctl.tcp_notsent_lowat) && sk.wmemQueued < sk.sndbuf) {
    sk.nospace = false;
    chronoStop(sk, 'sndbuf');
    sk.events?.writable();
  }
}

/**
 * tcp_write_xmit: send what cwnd, the window and Nagle allow. pushOne: 1 sends at most one
 * segment, 2 forces one out for a loss probe. Returns true when nothing is in flight but data
 * waits (the caller arms the zero-window probe).
 */
export function writeXmit(sk: TcpSock, mss: number, nonagle: number, pushOne = 0): boolean {
  let sent = 0;
  let cwndLimited = false;
  let rwndLimited = false;
  const maxSegs = tsoAutosizeSegs(sk, mss);
  // Linux hands the device one GSO packet per round: up to max_segs segments (and what cwnd
  // allows) of the head skb. Its header carries PSH, which GSO leaves on the last segment; the
  // wire here is segment by segment, so the PSH goes on the chunk's last one, as it is sent (the
  // segment itself keeps its flags: resent alone, it has no PSH of its own).
  let chunkLeft = 0;
  let chunkSegs = 0;
  // With a device that takes super-packets, the round's segments are held here and leave as one.
  const round: TcpSkb[] | null = sk.gsoOk ? [] : null;
  let roundPsh = 0;
  const sendRound = (): boolean => {
    const err = transmitRound(sk, round!, mss, roundPsh);
    if (err) {
      sent -= round!.length;
      unsendRound(sk, round!);
    }
    round!.length = 0;
    return err === null;
  };
  for (;;) {
    const skb = sk.writeQueue.first;
    if (!skb) break;
    let quota = cwndQuota(sk);
    if (!quota) {
      if (pushOne === 2) quota = 1;
      else {
        cwndLimited = true;
        break;
      }
    }
    if (!sndWndTest(sk, skb, mss)) {
      rwndLimited = true;
      break;
    }
    if (chunkLeft === 0) {
      chunkSegs = Math.min(quota, maxSegs, chunkSegsAvailable(sk, mss));
      chunkLeft = chunkSegs;
      if (chunkSegs >= 2) sk.gsoPackets++;
      growHead(sk, skb, Math.min(quota, maxSegs) * mss - skb.len);
    }
    const last = sk.writeQueue.length === 1;
    if (skb.len <= mss) {
      if (!nagleTest(sk, skb, mss, last ? nonagle : NAGLE_PUSH)) break;
    } else {
      if (!pushOne && chunkLeft === chunkSegs) {
        const defer = tsoShouldDefer(sk, skb, maxSegs);
        if (defer) {
          if (defer === 'cwnd') cwndLimited = true;
          else if (defer === 'rwnd') rwndLimited = true;
          break;
        }
      }
      // The part past the last whole MSS may have to wait, as tcp_mss_split_point decides.
      fragmentHead(sk, skb, mss);
    }
    if (skb.endSeq === skb.seq) break;
    if (chunkSegs >= 2) skb.gso = sk.gsoPackets;
    const psh = chunkSegs >= 2 && chunkLeft === 1 ? TCP_PSH : 0;
    if (round) {
      // It takes its place in the queues now, as it would sent alone; the bytes leave with the round.
      stamp(sk, skb, sk.nowUs());
      newDataSent(sk, skb);
      if (skb.len < mss) sk.sndSml = skb.endSeq;
      round.push(skb);
      roundPsh = psh;
      sent++;
      chunkLeft--;
      // A super-packet's segments are whole MSS but its last: a short one or a FIN ends it.
      if ((chunkLeft <= 0 || skb.len < mss || skb.flags & TCP_FIN) && !sendRound()) break;
      if (pushOne && chunkLeft <= 0) break;
      continue;
    }
    const err = transmitSkb(sk, skb, true, psh);
    if (err) {
      // Not sent: it stays queued; local congestion is retried by the probe timer.
      unstamp(sk, skb);
      break;
    }
    newDataSent(sk, skb);
    if (skb.len < mss) sk.sndSml = skb.endSeq;
    sent++;
    chunkLeft--;
    if (pushOne && chunkLeft <= 0) break;
  }
  if (round?.length) sendRound();
  if (rwndLimited) chronoStart(sk, 'rwnd');
  else chronoStop(sk, 'rwnd');
  cwndLimited ||= sk.inFlight >= sk.sndCwnd;
  if (sent || cwndLimited) cwndValidate(sk, cwndLimited);
  if (sent) {
    if (inCwndReduction(sk)) sk.prrOut += sent;
    if (pushOne !== 2) scheduleLossProbe(sk, false);
    return false;
  }
  return !sk.packetsOut && sk.writeQueue.length > 0;
}

/** The Nagle mode of the socket (tp->nonagle). */
export function nonagleOf(sk: TcpSock): number {
  return sk.nonagle;
}

/** __tcp_push_pending_frames. */
export function pushPendingFrames(sk: TcpSock, nonagle = nonagleOf(sk)): void {
  if (sk.state === TCP_CLOSE) return;
  if (writeXmit(sk, currentMss(sk), nonagle)) checkProbeTimer(sk);
}

/** tcp_data_snd_check's tcp_push_one: the head segment alone, if it may go. */
export function pushOne(sk: TcpSock): void {
  writeXmit(sk, currentMss(sk), nonagleOf(sk), 1);
}

/** tcp_check_probe_timer: nothing in flight, data waiting, no timer: probe the window. */
export function checkProbeTimer(sk: TcpSock): void {
  if (!sk.packetsOut && sk.xmitTimerKind === null) resetXmitTimer(sk, 'probe0', probe0Base(sk));
}

export function probe0Base(sk: TcpSock): number {
  return Math.max(sk.rtoUs, rtoMinUs(sk));
}

/** tcp_cwnd_validate: remember whether cwnd was the limit, shrink an unused window after idle. */
function cwndValidate(sk: TcpSock, cwndLimited: boolean): void {
  if (!before(sk.sndUna, sk.cwndUsageSeq) || cwndLimited || (!sk.isCwndLimited && sk.packetsOut > sk.maxPacketsOut)) {
    sk.isCwndLimited = cwndLimited;
    sk.maxPacketsOut = sk.packetsOut;
    sk.cwndUsageSeq = sk.sndNxt;
  }
  if (isCwndLimited(sk)) {
    sk.sndCwndUsed = 0;
    sk.sndCwndStampUs = sk.nowUs();
  } else {
    if (sk.packetsOut > sk.sndCwndUsed) sk.sndCwndUsed = sk.packetsOut;
    if (sk.host.sysctl.tcp_slow_start_after_idle && sk.nowUs() - sk.sndCwndStampUs >= sk.rtoUs) {
      // tcp_cwnd_application_limited
      if (sk.caState === TCP_CA_Open) {
        const used = Math.max(sk.sndCwndUsed, 10);
        if (used < sk.sndCwnd) {
          sk.sndSsthresh = currentSsthresh(sk);
          sk.sndCwnd = (sk.sndCwnd + used) >>> 1;
        }
        sk.sndCwndUsed = 0;
      }
      sk.sndCwndStampUs = sk.nowUs();
    }
    if (sk.writeQueue.length === 0 && sk.nospace && (sk.state === TCP_ESTABLISHED || sk.state === TCP_CLOSE_WAIT)) chronoStart(sk, 'sndbuf');
  }
}

// ------------------------------------------------------------------ tcp_info's busy / limited times

export function chronoStart(sk: TcpSock, type: 'busy' | 'rwnd' | 'sndbuf'): void {
  const order = { busy: 1, rwnd: 2, sndbuf: 3 } as const;
  if (sk.chronoType !== null && order[sk.chronoType] >= order[type]) return;
  chronoSwitch(sk, type);
}

export function chronoStop(sk: TcpSock, type: 'busy' | 'rwnd' | 'sndbuf'): void {
  if (sk.rtx.length === 0 && sk.writeQueue.length === 0) {
    chronoSwitch(sk, null);
    return;
  }
  if (sk.chronoType === type) chronoSwitch(sk, 'busy');
}

function chronoSwitch(sk: TcpSock, type: 'busy' | 'rwnd' | 'sndbuf' | null): void {
  const now = sk.nowUs();
  if (sk.chronoType !== null) sk.chronoUs[sk.chronoType] += now - sk.chronoStartUs;
  sk.chronoStartUs = now;
  sk.chronoType = type;
}

// ------------------------------------------------------------------ timers armed by sending

/** How far ahead the RTO of the oldest outstanding segment is (tcp_rto_delta_us). */
export function rtoDeltaUs(sk: TcpSock): number {
  const head = sk.rtx.first;
  if (!head) return sk.rtoUs;
  return head.txUs + sk.rtoUs - sk.nowUs();
}

/** tcp_rearm_rto. */
export function rearmRto(sk: TcpSock): void {
  if (!sk.packetsOut) {
    clearXmitTimer(sk);
    return;
  }
  let rto = sk.rtoUs;
  if (sk.xmitTimerKind === 'reo_timeout' || sk.xmitTimerKind === 'loss_probe') rto = toJiffiesUs(Math.max(rtoDeltaUs(sk), 1));
  resetXmitTimer(sk, 'retrans', rto);
}

/** tcp_schedule_loss_probe: a TLP in about 2 RTTs, unless the RTO comes first (RFC 8985). */
export function scheduleLossProbe(sk: TcpSock, advancingRto: boolean): boolean {
  const er = sk.host.sysctl.tcp_early_retrans;
  if ((er !== 3 && er !== 4) || !sk.packetsOut || !sk.sackOk || (sk.caState !== TCP_CA_Open && sk.caState !== TCP_CA_CWR)) return false;
  let timeout: number;
  if (sk.srttUs) {
    let us = sk.srttUs >> 2;
    us += sk.packetsOut === 1 ? rtoMinUs(sk) : 2000;
    timeout = toJiffiesUs(us);
  } else timeout = TCP_TIMEOUT_INIT_US;
  const delta = advancingRto ? sk.rtoUs : rtoDeltaUs(sk);
  if (delta > 0) timeout = Math.min(timeout, toJiffiesUs(delta));
  resetXmitTimer(sk, 'loss_probe', timeout);
  return true;
}

/**
 * tcp_write_wakeup: a zero-window or keepalive probe. New data that fits the window goes out (one
 * MSS at most, with PSH); otherwise an ACK with seq snd_una - 1, which the peer must answer.
 * Returns the send error (LOCAL_CONGESTION when a qdisc dropped it), 'EAGAIN' when closed.
 */
export function writeWakeup(sk: TcpSock, mib: 'TCPWinProbe' | 'TCPKeepAlive'): ErrnoName | 'EAGAIN' | null {
  if (sk.state === TCP_CLOSE) return 'EAGAIN';
  const skb = sk.writeQueue.first;
  if (skb && before(skb.seq, wndEnd(sk))) {
    const mss = currentMss(sk);
    let seg = (wndEnd(sk) - skb.seq) >>> 0;
    if (after(skb.endSeq, wndEnd(sk))) seg = Math.min(seg, mss);
    else seg = Math.min(skb.len, mss);
    if (after((sk.sndUna + sk.sndWnd) >>> 0, sk.pushedSeq)) sk.pushedSeq = skb.endSeq;
    skb.flags |= TCP_PSH;
    if (skb.len > seg && seg > 0) fragmentHead(sk, skb, seg);
    const err = transmitSkb(sk, skb, true);
    if (err) {
      unstamp(sk, skb);
      return err;
    }
    newDataSent(sk, skb);
    return null;
  }
  // An ACK the peer must answer: a sequence number it has already seen.
  sk.mib[mib]++;
  return sendSegment(sk, { seq: (sk.sndUna - 1) >>> 0, flags: TCP_ACK });
}

/** tcp_send_fin: FIN on the last queued segment, or a segment of its own. */
export function sendFin(sk: TcpSock): void {
  const tail = sk.writeQueue.last;
  if (tail) {
    tail.flags |= TCP_FIN;
  } else {
    const skb = new TcpSkb(sk.writeSeq, 0, TCP_ACK | TCP_FIN);
    entail(sk, skb);
  }
  sk.writeSeq = (sk.writeSeq + 1) >>> 0;
  pushPendingFrames(sk, NAGLE_OFF);
}
