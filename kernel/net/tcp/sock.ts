// One TCP endpoint's state: Linux's tcp_sock with its inet_connection_sock and the parts of struct
// sock TCP reads (buffers, errors, shutdown). The behaviour lives in the modules beside this one,
// each a group of functions over a TcpSock, so the state can be read in one place. Names follow
// Linux's fields (snd_una is sndUna) so that the kernel's logic can be checked against them.

import type { ErrnoName } from '../../abi/errno.js';
import { TCP_CA_Open, TCP_CLOSE } from '../../abi/tcp.js';
import type { TcpHost, TcpTimerHandle } from './host.js';
import type { TcpMib } from './mib.js';
import { RecvQueue } from './recvq.js';
import { SkbQueue, type TcpSkb } from './skb.js';

export const TCP_INFINITE_SSTHRESH = 0x7fffffff;

/**
 * The engine's µs clock (tcp_mstamp) starts one second after the host's: Linux uses 0 for "never"
 * in its stamps (retrans_stamp, skb_mstamp ...), and a virtual clock does start at 0.
 */
export const CLOCK_BASE_US = 1_000_000;

export function clockUs(host: { now(): number }): number {
  return Math.floor(host.now() / 1000) + CLOCK_BASE_US;
}

/** A TSval for a stamp of the µs clock, as the peer would echo it. */
export function tsOfUs(stampUs: number, tsOffset: number): number {
  return (Math.floor((stampUs - CLOCK_BASE_US) / 1000) + tsOffset) >>> 0;
}
export const TCP_INIT_CWND = 10;
/** TCP_MSS_DEFAULT: the MSS a peer that sends none is assumed to take (RFC 1122 / 9293). */
export const TCP_MSS_DEFAULT = 536;
export const TCP_MIN_MSS = 88;
export const MAX_TCP_WINDOW = 32767;
export const TCP_MAX_WSCALE = 14;
/** TCPOLEN_TSTAMP_ALIGNED: nop, nop, timestamp. */
export const TS_ALIGNED = 12;
/** Jiffies are milliseconds here (HZ=1000, as the kernels packetdrill's scripts were written on). */
export const HZ_MS = 1;
export const TCP_TIMEOUT_INIT_US = 1_000_000;
export const TCP_RTO_MAX_US = 120_000_000;
export const TCP_DELACK_MIN_US = 40_000;
export const TCP_DELACK_MAX_US = 200_000;
export const TCP_ATO_MIN_US = 40_000;
export const TCP_RESOURCE_PROBE_INTERVAL_US = 500_000;
export const TCP_TIMEWAIT_LEN_US = 60_000_000;
export const TCP_MAX_QUICKACKS = 16;
export const TCP_KEEPALIVE_INTVL_DEFAULT = 75;

/** Which job the one retransmission timer (icsk_retransmit_timer) is doing. */
export type XmitTimer = 'retrans' | 'probe0' | 'loss_probe' | 'reo_timeout';

/** What the socket file above an endpoint is told (to wake its waiters and pollers). */
export interface TcpEvents {
  /** Data, a FIN, an error or (on a listener) a connection to accept. */
  readable(): void;
  /** Send space, or a connect() that completed or failed. */
  writable(): void;
  /** The state changed (connect done, reset, closed). */
  stateChanged(): void;
}

/** The engine's services an endpoint calls back into (timer dispatch, table changes). */
export interface TcpOps {
  timerFired(sk: TcpSock, which: 'xmit' | 'delack' | 'keepalive'): void;
  /** The endpoint left the tables for good (closed, or its TIME_WAIT ended). */
  unhash(sk: TcpSock): void;
  /** The connection enters TIME_WAIT (or an orphan's FIN_WAIT2): the socket is done and a
   * time-wait record takes over its 4-tuple for `timeoutUs` (tcp_time_wait). */
  timeWait(sk: TcpSock, substate: number, timeoutUs: number): void;
  /** The connection ends well (TIME_WAIT, or LAST_ACK done): its measurements go to the metrics
   * cache (tcp_update_metrics). */
  saveMetrics(sk: TcpSock): void;
  /** The handshake completed: the metrics cache seeds it; whether the RTO came from there. */
  initMetrics(sk: TcpSock): boolean;
}

/** The congestion control ops of Linux's tcp_congestion_ops that tunlab's algorithms use. */
export interface CongestionControl {
  readonly name: string;
  init(sk: TcpSock): void;
  ssthresh(sk: TcpSock): number;
  congAvoid(sk: TcpSock, ack: number, acked: number): void;
  setState?(sk: TcpSock, state: number): void;
  cwndEvent?(sk: TcpSock, event: CaEvent): void;
  pktsAcked?(sk: TcpSock, sample: { pktsAcked: number; rttUs: number }): void;
  undoCwnd(sk: TcpSock): number;
  /** An ACK was processed (cong_control hooks such as CUBIC's hystart ACK train). */
  ackEvent?(sk: TcpSock, flags: number): void;
}

export type CaEvent = 'tx_start' | 'cwnd_restart' | 'complete_cwr' | 'loss' | 'ecn_no_ce' | 'ecn_is_ce';

/** A connection request a listener answered with a SYN-ACK (Linux's request_sock): no full
 * endpoint exists until the handshake's ACK arrives. */
export interface RequestSock {
  localAddr: number;
  localPort: number;
  remoteAddr: number;
  remotePort: number;
  iss: number;
  irs: number;
  /** The peer's MSS (capped by the listener's TCP_MAXSEG) and our advertised one. */
  mss: number;
  advmss: number;
  tsOk: boolean;
  sackOk: boolean;
  wscaleOk: boolean;
  sndWscale: number;
  rcvWscale: number;
  ecnOk: boolean;
  tsRecent: number;
  tsOffset: number;
  /** The window of the SYN (unscaled, as a SYN's window never is). */
  peerWindow: number;
  rcvWnd: number;
  windowClamp: number;
  /** SYN-ACKs sent again so far. */
  retransmits: number;
  timer: TcpTimerHandle | null;
  /** µs of the first SYN-ACK (for the RTT of the handshake). */
  synackUs: number;
  /** The handshake ACK came while the accept queue was full: ignored, SYN-ACKs go on. */
  ackedWhileFull: boolean;
}

/** A listener's queues: requests waiting for their ACK, and connections waiting for accept(). */
export class ListenQueue {
  readonly requests = new Map<string, RequestSock>();
  readonly accept: TcpSock[] = [];
  constructor(public backlog: number) {}
}

export class TcpSock {
  // ------------------------------------------------------------ identity
  state = TCP_CLOSE;
  localAddr = 0;
  localPort = 0;
  remoteAddr = 0;
  remotePort = 0;
  /** The listener this child came from, until accept() takes it. */
  parent: TcpSock | null = null;
  /** Listener: SYN_RECV children and the established ones waiting for accept(). */
  listen: ListenQueue | null = null;
  /** Segments this endpoint dropped (sk_drops: what `ss -m` and netstat show per socket). */
  drops = 0;

  // ------------------------------------------------------------ send sequence space
  iss = 0;
  sndUna = 0;
  sndNxt = 0;
  sndUp = 0;
  /** The end of the data queued by the user (write_seq). */
  writeSeq = 0;
  /** GSO packets sent so far: each multi-segment one numbers its segments (TcpSkb.gso). */
  gsoPackets = 0;
  /** The route's device takes super-packets (sk_can_gso): a round of segments leaves as one. */
  gsoOk = false;
  /** Where PSH was last set (pushed_seq), for the forced-push rule. */
  pushedSeq = 0;
  sndWnd = 0;
  sndWl1 = 0;
  maxWindow = 0;
  /** Sequence of the segment that last updated sndWnd (for the window update rule). */
  sndSml = 0;

  // ------------------------------------------------------------ receive sequence space
  irs = 0;
  rcvNxt = 0;
  rcvWup = 0;
  rcvWnd = 0;
  copiedSeq = 0;
  rcvSsthresh = 0;
  windowClamp = 0;
  /** Set by the peer's FIN: the next receive reports end of file. */
  finSeq: number | null = null;

  // ------------------------------------------------------------ options in use
  tsOk = false;
  sackOk = false;
  wscaleOk = false;
  sndWscale = 0;
  rcvWscale = 0;
  tsRecent = 0;
  /** Seconds clock of the latest ts_recent update (ts_recent_stamp). */
  tsRecentStampS = 0;
  /** Offset added to the ms clock for TSval (a per-4-tuple random). */
  tsOffset = 0;
  /** Bytes of options on every segment (tcp_header_len - 20): 12 with timestamps, else 0. */
  tcpHeaderOpts = 0;
  ecnOk = false;
  /** What our SYN offers (connect) or offered; null once the handshake settled the options. */
  synOffer: { ts: boolean; sack: boolean; wscale: boolean; ecn: boolean } | null = null;
  /** ECN: CWR to send on the next data segment, ECE to echo until the peer's CWR. */
  ecnDemandCwr = false;
  ecnQueueCwr = false;
  ecnSeenCe = false;

  // ------------------------------------------------------------ MSS
  /** Send MSS (mss_cache), options of every segment already taken off. */
  mssCache = TCP_MSS_DEFAULT;
  advmss = 0;
  /** The largest MSS the peer accepts (its option, capped by user_mss): mss_clamp. */
  mssClamp = TCP_MSS_DEFAULT;
  /** TCP_MAXSEG, 0 when unset. */
  userMss = 0;
  pmtu = 0;
  /** The MSS estimated for the peer's segments (icsk_ack.rcv_mss). */
  rcvMss = TCP_MSS_DEFAULT;

  // ------------------------------------------------------------ RTT and timers
  srttUs = 0; // << 3, as Linux keeps it
  mdevUs = 0; // << 2
  mdevMaxUs = 0;
  rttvarUs = 0;
  rttSeq = 0;
  rtoUs = TCP_TIMEOUT_INIT_US;
  minRttUs = 0xffffffff;
  minRttStampUs = 0;
  backoff = 0;
  /** Consecutive retransmission timeouts (icsk_retransmits). */
  retransmits = 0;
  probesOut = 0;
  /** The first retransmission's time of the oldest outstanding segment (retrans_stamp), µs. */
  retransStampUs = 0;
  totalRetrans = 0;
  totalRto = 0;
  totalRtoRecoveries = 0;
  totalRtoTimeMs = 0;
  rtoStampUs = 0;
  xmitTimerKind: XmitTimer | null = null;
  xmitTimerAtUs = 0;
  xmitTimer: TcpTimerHandle | null = null;
  delackTimer: TcpTimerHandle | null = null;
  delackAtUs = 0;
  keepaliveTimer: TcpTimerHandle | null = null;
  keepaliveAtUs = 0;

  // ------------------------------------------------------------ delayed ACK (icsk_ack)
  ackPending = 0;
  ackQuick = 0;
  pingpong = 0;
  atoUs = 0;
  lrcvtimeUs = 0;
  /** An ACK must go out (ICSK_ACK_SCHED) or the timer is armed (ICSK_ACK_TIMER). */
  ackLastSegSize = 0;
  /** Data came since the last ACK we sent: rcv_nxt of that ACK (for the every-2nd-segment rule). */
  lastAckSentUs = 0;
  /** µs of the last data sent, for pingpong and slow start after idle (lsndtime). */
  lsndtimeUs = 0;
  /** µs of the last segment handed to IP, whatever it carried (tcp_wstamp_ns). */
  wstampUs = 0;
  lrcvDataUs = 0;
  lastAckRecvUs = 0;
  rcvTstampUs = 0;

  // ------------------------------------------------------------ congestion control and recovery
  sndCwnd = TCP_INIT_CWND;
  sndSsthresh = TCP_INFINITE_SSTHRESH;
  sndCwndCnt = 0;
  sndCwndClamp = 0xffffffff;
  sndCwndStampUs = 0;
  caState = TCP_CA_Open;
  ca!: CongestionControl;
  /** Per-algorithm state (CUBIC's epoch, HyStart), owned by the algorithm. */
  caPriv: unknown = null;
  priorSsthresh = 0;
  priorCwnd = 0;
  highSeq = 0;
  undoMarker = 0;
  undoRetrans = -1;
  packetsOut = 0;
  sackedOut = 0;
  lostOut = 0;
  retransOut = 0;
  reordering = 3;
  reordSeen = 0;
  dsackDups = 0;
  tlpHighSeq = 0;
  tlpRetrans = false;
  prrDelivered = 0;
  prrOut = 0;
  /** F-RTO: the RTO may have been spurious until proven otherwise. */
  frto = false;
  isCwndLimited = false;
  sndCwndUsed = 0;
  /** The pacing rate Linux computes for every flow (sk_pacing_rate), bytes per second. */
  pacingRate = 0;
  maxPacketsOut = 0;
  cwndUsageSeq = 0;
  delivered = 0;
  deliveredCe = 0;
  deliveredUs = 0;
  firstTxUs = 0;
  appLimited = 0;
  /** RACK state (RFC 8985). */
  rack = { mstampUs: 0, rttUs: 0, endSeq: 0, advanced: false, reoWndSteps: 1, dsackSeen: false, lastDelivered: 0, reoWndPersist: 0 };
  /** Times for tcp_info's *_limited (chrono). */
  chronoType: 'busy' | 'rwnd' | 'sndbuf' | null = null;
  chronoStartUs = 0;
  chronoUs = { busy: 0, rwnd: 0, sndbuf: 0 };

  // ------------------------------------------------------------ queues and buffers
  /** Sent and not yet acknowledged, oldest first (the retransmit queue). */
  readonly rtx = new SkbQueue();
  /** Queued by the user, not yet sent. */
  readonly writeQueue = new SkbQueue();
  /** Sent segments in the order of their latest transmission (RACK's tsorted_sent_queue); a
   * Set keeps insertion order, and delete-then-add moves a retransmitted one to the end. */
  readonly tsorted = new Set<TcpSkb>();
  /** The end of the highest SACKed segment (tcp_highest_sack_seq), or snd_una. */
  highestSack = 0;
  /** The blocks the previous ACK's SACK applied, in order (recv_sack_cache): what a later ACK
   * repeats of them is not walked again. */
  recvSackCache: ReadonlyArray<{ readonly start: number; readonly end: number }> = [];
  isSackReneg = false;
  /** Segments marked lost over the connection's life (tp->lost). */
  lost = 0;
  readonly rcv = new RecvQueue();
  sndbuf = 0;
  rcvbuf = 0;
  sndbufLocked = false;
  /** A writer found no room (SOCK_NOSPACE): it is told when some frees up. */
  nospace = false;
  rcvbufLocked = false;
  /** Bytes the user queued and the peer has not acknowledged (sk_wmem_queued, payload only). */
  wmemQueued = 0;
  /** rcvq_space: bytes read per RTT, for receive buffer autotuning. */
  rcvqSpace = { space: 0, seq: 0, timeUs: 0 };
  rcvRttUs = 0;
  rcvRttSeq = 0;
  rcvRttTimeUs = 0;
  bytesAcked = 0;
  bytesReceived = 0;
  bytesSent = 0;
  bytesRetrans = 0;
  segsOut = 0;
  segsIn = 0;
  dataSegsIn = 0;
  dataSegsOut = 0;
  rcvOooPack = 0;
  /** The rate limit of out-of-window ACKs and challenge ACKs (tcp_oow_rate_limited), ms. */
  lastOowAckMs = -1_000_000;

  // ------------------------------------------------------------ user settings
  /** tp->nonagle: NAGLE_OFF (TCP_NODELAY), NAGLE_CORK (TCP_CORK), NAGLE_PUSH (send now). */
  nonagle = 0;
  keepaliveOn = false;
  keepIdleS = 0;
  keepIntvlS = 0;
  keepCnt = 0;
  synCnt = 0;
  linger2S: number | null = null;
  lingerOn = false;
  lingerS = 0;
  userTimeoutMs = 0;
  notsentLowat = 0;
  inq = false;
  quickackSetting = false;
  deferAcceptS = 0;
  reuseAddr = false;
  /** bind() gave it its address and port (not connect()'s or listen()'s autobind). */
  boundByUser = false;
  /** bind() named the port (SOCK_BINDPORT_LOCK): it is kept until close(), not at disconnect. */
  bindPortLocked = false;
  tos = 0;
  ttl = 64;
  /** IP_MTU_DISCOVER: false for IP_PMTUDISC_DONT (no DF). */
  pmtudisc = true;

  // ------------------------------------------------------------ socket state
  /** RCV_SHUTDOWN (1) and SEND_SHUTDOWN (2). */
  shutdown = 0;
  /** The pending error a call reports next (sk_err). */
  err: ErrnoName | null = null;
  /** A soft error (ICMP) kept for a connect that times out (sk_err_soft). */
  errSoft: ErrnoName | null = null;
  /** close() was called: no file refers to it any more (SOCK_DEAD / orphan). */
  orphan = false;
  /** The inode of the socket file holding this endpoint (ss -p finds its process by it). */
  fileIno = 0;
  /** A RST reset it (for poll's POLLHUP and the first-call ECONNRESET rule). */
  resetSeen = false;
  /** connect() failed with an error that later connect()s turn into ECONNABORTED. */
  connectFailed = false;
  events: TcpEvents | null = null;
  /** Listener: the SYN flood message was logged; the last time a SYN cookie was sent (µs). */
  synFloodWarned = false;
  lastSynqOverflowUs = -1_000_000_000;
  /** A zero-window or resource probe is outstanding (for user-timeout accounting). */
  probeStampUs = 0;

  constructor(
    readonly host: TcpHost,
    readonly mib: TcpMib,
    readonly ops: TcpOps,
    readonly id: number,
  ) {
    const s = host.sysctl;
    this.sndbuf = s.tcp_wmem[1];
    this.rcvbuf = s.tcp_rmem[1];
    this.reordering = s.tcp_reordering;
  }

  /** The engine's clock in µs (tcp_mstamp). */
  nowUs(): number {
    return clockUs(this.host);
  }

  /** The TSval clock: ms plus the connection's offset. */
  tsNow(): number {
    return (Math.floor(this.host.now() / 1_000_000) + this.tsOffset) >>> 0;
  }

  get isSack(): boolean {
    return this.sackOk;
  }

  /** Segments in flight (tcp_packets_in_flight): out, less SACKed and lost, plus retransmitted. */
  get inFlight(): number {
    return this.packetsOut - (this.sackedOut + this.lostOut) + this.retransOut;
  }

  /** The first unsent segment (tcp_send_head). */
  get sendHead(): TcpSkb | undefined {
    return this.writeQueue.first;
  }

  /** Bytes queued and not yet sent (tcpi_notsent_bytes). */
  get notsentBytes(): number {
    return Math.max(0, (this.writeSeq - this.sndNxt) | 0);
  }

  /** The receive window the peer was last told of, still open (tcp_receive_window). */
  get receiveWindow(): number {
    const w = (this.rcvWup + this.rcvWnd - this.rcvNxt) | 0;
    return w < 0 ? 0 : w;
  }

  describe(): string {
    const ip = (a: number) => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
    return `tcp ${ip(this.localAddr)}:${this.localPort}${this.remotePort ? ` -> ${ip(this.remoteAddr)}:${this.remotePort}` : ''}`;
  }
}

/** A segment an endpoint drops: counted on it (sk_drops_add) and host-wide by its reason. */
export function dropSegment(sk: TcpSock, reason: string): void {
  sk.drops++;
  sk.mib.drop(reason);
}
