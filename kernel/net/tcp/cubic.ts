// CUBIC (RFC 9438) as Linux's tcp_cubic.c runs it, HyStart included: after a loss the window
// follows W(t) = C (t - K)^3 + Wmax with beta 0.7 (717/1024), fast convergence, the Reno-friendly
// region, and at most one segment of growth per two ACKed; slow start ends early when HyStart sees
// the ACK train stretch past half the minimum delay or the RTT grow by an eighth (4..16 ms).
// Times are jiffies (ms); the cube root is exact where Linux uses a 0.2%-error approximation.

import type { CongestionControl, TcpSock } from './sock.js';
import { TCP_CA_Loss } from '../../abi/tcp.js';
import { congAvoidAi, inSlowStart, isCwndLimited, slowStart } from './reno.js';
import { after } from './seq.js';

const BICTCP_BETA_SCALE = 1024;
const BICTCP_HZ = 10;
const HZ = 1000;
const HYSTART_ACK_TRAIN = 1;
const HYSTART_DELAY = 2;
const HYSTART_MIN_SAMPLES = 8;
const HYSTART_DELAY_MIN = 4000;
const HYSTART_DELAY_MAX = 16000;
/** sk_gso_max_size: Linux's TCP always has (software) GSO of 64 KB. */
const GSO_MAX_SIZE = 65536;

interface CubicState {
  cnt: number;
  lastMaxCwnd: number;
  lastCwnd: number;
  lastTime: number;
  originPoint: number;
  K: number;
  delayMin: number;
  epochStart: number;
  ackCnt: number;
  tcpCwnd: number;
  sampleCnt: number;
  found: boolean;
  roundStart: number;
  endSeq: number;
  lastAck: number;
  currRtt: number;
}

function fresh(): CubicState {
  return {
    cnt: 0, lastMaxCwnd: 0, lastCwnd: 0, lastTime: 0, originPoint: 0, K: 0, delayMin: 0, epochStart: 0,
    ackCnt: 0, tcpCwnd: 0, sampleCnt: 0, found: false, roundStart: 0, endSeq: 0, lastAck: 0, currRtt: 0,
  };
}

function state(sk: TcpSock): CubicState {
  if (sk.caPriv === null) sk.caPriv = fresh();
  return sk.caPriv as CubicState;
}

/** tcp_jiffies32 */
function jiffies(sk: TcpSock): number {
  return Math.floor(sk.nowUs() / 1000) >>> 0;
}

function reset(ca: CubicState): void {
  Object.assign(ca, fresh());
}

function hystartReset(sk: TcpSock, ca: CubicState): void {
  ca.roundStart = ca.lastAck = sk.nowUs();
  ca.endSeq = sk.sndNxt;
  ca.currRtt = 0xffffffff;
  ca.sampleCnt = 0;
}

/** The integer cube root, exact (floor). */
export function cubeRoot(a: bigint): number {
  if (a <= 0n) return 0;
  let x = BigInt(Math.floor(Math.cbrt(Number(a))));
  while (x * x * x > a) x--;
  while ((x + 1n) * (x + 1n) * (x + 1n) <= a) x++;
  return Number(x);
}

function update(sk: TcpSock, ca: CubicState, cwnd: number, acked: number): void {
  const p = sk.host.sysctl.cubic;
  const now = jiffies(sk);
  ca.ackCnt += acked;
  if (ca.lastCwnd === cwnd && ((now - ca.lastTime) | 0) <= HZ / 32) return;
  if (!(ca.epochStart && now === ca.lastTime)) {
    ca.lastCwnd = cwnd;
    ca.lastTime = now;
    const cubeRttScale = p.bic_scale * 10;
    if (ca.epochStart === 0) {
      ca.epochStart = now;
      ca.ackCnt = acked;
      ca.tcpCwnd = cwnd;
      if (ca.lastMaxCwnd <= cwnd) {
        ca.K = 0;
        ca.originPoint = cwnd;
      } else {
        const cubeFactor = (1n << BigInt(10 + 3 * BICTCP_HZ)) / BigInt(cubeRttScale);
        ca.K = cubeRoot(cubeFactor * BigInt(ca.lastMaxCwnd - cwnd));
        ca.originPoint = ca.lastMaxCwnd;
      }
    }
    let t = ((now - ca.epochStart) | 0) + Math.ceil(ca.delayMin / 1000);
    t = Math.floor((t * 2 ** BICTCP_HZ) / HZ);
    const offs = BigInt(t < ca.K ? ca.K - t : t - ca.K);
    const delta = Number((BigInt(cubeRttScale) * offs * offs * offs) >> BigInt(10 + 3 * BICTCP_HZ));
    const target = t < ca.K ? ca.originPoint - delta : ca.originPoint + delta;
    ca.cnt = target > cwnd ? Math.floor(cwnd / (target - cwnd)) : 100 * cwnd;
    if (ca.lastMaxCwnd === 0 && ca.cnt > 20) ca.cnt = 20;
  }
  if (p.tcp_friendliness) {
    const beta = p.beta;
    const betaScale = Math.floor(Math.floor((8 * (BICTCP_BETA_SCALE + beta)) / 3) / (BICTCP_BETA_SCALE - beta));
    const delta = (cwnd * betaScale) >>> 3;
    while (delta > 0 && ca.ackCnt > delta) {
      ca.ackCnt -= delta;
      ca.tcpCwnd++;
    }
    if (ca.tcpCwnd > cwnd) {
      const maxCnt = Math.floor(cwnd / (ca.tcpCwnd - cwnd));
      if (ca.cnt > maxCnt) ca.cnt = maxCnt;
    }
  }
  ca.cnt = Math.max(ca.cnt, 2);
}

function hystartAckDelay(sk: TcpSock): number {
  const rate = sk.pacingRate;
  if (!rate) return 0;
  return Math.min(1000, Math.floor((GSO_MAX_SIZE * 4 * 1_000_000) / rate));
}

function hystartUpdate(sk: TcpSock, ca: CubicState, delay: number): void {
  const p = sk.host.sysctl.cubic;
  if (after(sk.sndUna, ca.endSeq)) hystartReset(sk, ca);
  if (sk.sndCwnd < p.hystart_low_window) return;
  if (p.hystart_detect & HYSTART_ACK_TRAIN) {
    const now = sk.nowUs();
    if (now - ca.lastAck <= p.hystart_ack_delta_us) {
      ca.lastAck = now;
      // No pacing qdisc: the train may be no more than half the minimum delay.
      const threshold = (ca.delayMin + hystartAckDelay(sk)) >>> 1;
      if (now - ca.roundStart > threshold) {
        ca.found = true;
        sk.mib.TCPHystartTrainDetect++;
        sk.mib.TCPHystartTrainCwnd += sk.sndCwnd;
        sk.sndSsthresh = sk.sndCwnd;
      }
    }
  }
  if (p.hystart_detect & HYSTART_DELAY) {
    if (ca.currRtt > delay) ca.currRtt = delay;
    if (ca.sampleCnt < HYSTART_MIN_SAMPLES) ca.sampleCnt++;
    else {
      const thresh = Math.min(Math.max(ca.delayMin >>> 3, HYSTART_DELAY_MIN), HYSTART_DELAY_MAX);
      if (ca.currRtt > ca.delayMin + thresh) {
        ca.found = true;
        sk.mib.TCPHystartDelayDetect++;
        sk.mib.TCPHystartDelayCwnd += sk.sndCwnd;
        sk.sndSsthresh = sk.sndCwnd;
      }
    }
  }
}

export const cubic: CongestionControl = {
  name: 'cubic',
  init(sk) {
    const ca = state(sk);
    reset(ca);
    const p = sk.host.sysctl.cubic;
    if (p.hystart) hystartReset(sk, ca);
    if (!p.hystart && p.initial_ssthresh) sk.sndSsthresh = p.initial_ssthresh;
  },
  ssthresh(sk) {
    const ca = state(sk);
    const p = sk.host.sysctl.cubic;
    ca.epochStart = 0;
    if (sk.sndCwnd < ca.lastMaxCwnd && p.fast_convergence) {
      ca.lastMaxCwnd = Math.floor((sk.sndCwnd * (BICTCP_BETA_SCALE + p.beta)) / (2 * BICTCP_BETA_SCALE));
    } else ca.lastMaxCwnd = sk.sndCwnd;
    return Math.max(Math.floor((sk.sndCwnd * p.beta) / BICTCP_BETA_SCALE), 2);
  },
  congAvoid(sk, _ack, acked) {
    if (!isCwndLimited(sk)) return;
    let left = acked;
    if (inSlowStart(sk)) {
      left = slowStart(sk, acked);
      if (!left) return;
    }
    const ca = state(sk);
    update(sk, ca, sk.sndCwnd, left);
    congAvoidAi(sk, ca.cnt, left);
  },
  setState(sk, newState) {
    if (newState === TCP_CA_Loss) {
      const ca = state(sk);
      reset(ca);
      hystartReset(sk, ca);
    }
  },
  cwndEvent(sk, event) {
    if (event !== 'tx_start') return;
    const ca = state(sk);
    const now = jiffies(sk);
    const delta = (now - Math.floor(sk.lsndtimeUs / 1000)) | 0;
    if (ca.epochStart && delta > 0) {
      ca.epochStart = (ca.epochStart + delta) >>> 0;
      if (((ca.epochStart - now) | 0) > 0) ca.epochStart = now;
    }
  },
  pktsAcked(sk, sample) {
    if (sample.rttUs < 0) return;
    const ca = state(sk);
    if (ca.epochStart && ((jiffies(sk) - ca.epochStart) | 0) < HZ) return;
    const delay = sample.rttUs === 0 ? 1 : sample.rttUs;
    if (ca.delayMin === 0 || ca.delayMin > delay) ca.delayMin = delay;
    if (!ca.found && inSlowStart(sk) && sk.host.sysctl.cubic.hystart) hystartUpdate(sk, ca, delay);
  },
  undoCwnd(sk) {
    return Math.max(sk.sndCwnd, sk.priorCwnd);
  },
};
