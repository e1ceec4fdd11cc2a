// The measured part of an iperf3 test: data streams sent or received between TEST_RUNNING and
// TEST_END, interval reports on the way (Retr and Cwnd from TCP_INFO), UDP pacing to the target
// bitrate and the receiver's jitter (RFC 1889's running estimate) and loss, and the result
// records both ends swap at EXCHANGE_RESULTS.

import { isSysError } from '../../../kernel/abi/errno.js';
import { F_GETFL, F_SETFL, O_NONBLOCK } from '../../../kernel/abi/fcntl.js';
import { POLLIN, POLLOUT } from '../../../kernel/abi/poll.js';
import { MSG_NOSIGNAL } from '../../../kernel/abi/socket.js';
import { CLOCK_MONOTONIC, CLOCK_REALTIME, type Sys } from '../../../kernel/abi/syscalls.js';
import { SOL_TCP, TCP_INFO } from '../../../kernel/abi/tcp.js';
import { IperfError, readState, TEST_END } from './protocol.js';
import * as R from './report.js';

export interface Params {
  udp: boolean;
  time: number;
  bytes: number;
  len: number;
  parallel: number;
  reverse: boolean;
  /** UDP target, bits per second. */
  bandwidth: number;
  interval: number;
}

export interface Stream {
  fd: number;
  id: number;
  bytes: number;
  packets: number;
  retransBase: number;
  retrans: number;
  // The UDP receiver's state (iperf_udp_recv).
  highest: number;
  lost: number;
  jitter: number;
  prevTransit: number;
  // The last interval's marks.
  markBytes: number;
  markPackets: number;
  markLost: number;
  markRetrans: number;
}

export function newStream(fd: number, id: number): Stream {
  return { fd, id, bytes: 0, packets: 0, retransBase: 0, retrans: 0, highest: 0, lost: 0, jitter: 0, prevTransit: 0, markBytes: 0, markPackets: 0, markLost: 0, markRetrans: 0 };
}

export interface IntervalRecord {
  start: number;
  end: number;
  streams: { id: number; fd: number; bytes: number; retr: number; cwnd: number; packets: number; lost: number; jitter: number }[];
}

export interface PhaseResult {
  seconds: number;
  intervals: IntervalRecord[];
}

interface Output {
  text: (s: string) => Promise<void>;
}

async function tcpInfo(sys: Sys, fd: number): Promise<Record<string, number>> {
  try {
    const v = await sys.getsockopt(fd, SOL_TCP, TCP_INFO);
    return typeof v === 'object' ? (v as Record<string, number>) : {};
  } catch {
    return {};
  }
}

/**
 * Runs the streams until the client's clock says the test is over (the client) or the control
 * connection carries TEST_END (the server). Returns the elapsed seconds and the intervals.
 */
export async function dataPhase(sys: Sys, ctl: number, streams: Stream[], sending: boolean, p: Params, isClient: boolean, out: Output): Promise<PhaseResult> {
  const now = () => sys.clock_gettime(CLOCK_MONOTONIC);
  const t0 = await now();
  const intervalNs = p.interval > 0 ? p.interval * 1e9 : Infinity;
  const endNs = isClient && p.bytes === 0 ? t0 + p.time * 1e9 : Infinity;
  let nextReport = t0 + intervalNs;
  let lastReport = t0;
  const intervals: IntervalRecord[] = [];
  const block = new Uint8Array(p.len);
  for (let i = 0; i < block.length; i++) block[i] = (i * 7 + 13) & 0xff;
  for (const s of streams) {
    await sys.fcntl(s.fd, F_SETFL, (await sys.fcntl(s.fd, F_GETFL)) | O_NONBLOCK);
    if (!p.udp) s.retransBase = (await tcpInfo(sys, s.fd))['tcpi_total_retrans'] ?? 0;
  }
  const total = () => streams.reduce((a, s) => a + s.bytes, 0);
  const packetGapNs = p.udp && p.bandwidth > 0 ? (p.len * 8 * 1e9) / p.bandwidth : 0;
  let nextSend = t0;
  let header = false;

  const report = async (t: number) => {
    // iperf_print_intermediate's rule: an interval shorter than a tenth of -i that carried nothing
    // (the moment between the last report and the end) is left out, not printed as 0.00 Bytes.
    if (t - lastReport < p.interval * 1e8 && streams.every((s) => s.bytes === s.markBytes)) return;
    const rec: IntervalRecord = { start: (lastReport - t0) / 1e9, end: (t - t0) / 1e9, streams: [] };
    for (const s of streams) {
      let cwnd = 0;
      if (!p.udp && sending) {
        const info = await tcpInfo(sys, s.fd);
        s.retrans = (info['tcpi_total_retrans'] ?? 0) - s.retransBase;
        cwnd = (info['tcpi_snd_cwnd'] ?? 0) * (info['tcpi_snd_mss'] ?? 0);
      }
      rec.streams.push({ id: s.id, fd: s.fd, bytes: s.bytes - s.markBytes, retr: s.retrans - s.markRetrans, cwnd, packets: (sending ? s.packets : s.highest) - s.markPackets, lost: s.lost - s.markLost, jitter: s.jitter });
      s.markBytes = s.bytes;
      s.markRetrans = s.retrans;
      s.markPackets = sending ? s.packets : s.highest;
      s.markLost = s.lost;
    }
    intervals.push(rec);
    lastReport = t;
    if (!header) {
      header = true;
      if (p.udp) await out.text(sending ? R.HEAD_UDP_SENDER : R.HEAD_UDP);
      // The receiving end has no Retr or Cwnd to show, the client in -R mode included.
      else await out.text(sending ? R.HEAD_RETR_CWND : R.HEAD_BW);
    }
    let text = '';
    for (const s of rec.streams) {
      const l = { id: s.fd, start: rec.start, end: rec.end, bytes: s.bytes };
      if (p.udp) text += sending ? R.udpSenderLine(l, s.packets) : R.udpLine(l, s.jitter * 1000, s.lost, s.packets);
      else text += sending ? R.cwndLine(l, s.retr, s.cwnd) : R.bwLine(l);
    }
    if (streams.length > 1) {
      const sum = { id: 'SUM' as const, start: rec.start, end: rec.end, bytes: rec.streams.reduce((a, s) => a + s.bytes, 0) };
      const packets = rec.streams.reduce((a, s) => a + s.packets, 0);
      const lost = rec.streams.reduce((a, s) => a + s.lost, 0);
      if (p.udp) text += sending ? R.udpSenderLine(sum, packets) : R.udpLine(sum, (rec.streams.reduce((a, s) => a + s.jitter, 0) / streams.length) * 1000, lost, packets);
      else text += sending ? R.retrLine(sum, rec.streams.reduce((a, s) => a + s.retr, 0)) : R.bwLine(sum);
    }
    await out.text(text);
  };

  const sendUdp = async (s: Stream) => {
    const t = await sys.clock_gettime(CLOCK_REALTIME);
    s.packets++;
    const v = new DataView(block.buffer);
    v.setUint32(0, Math.floor(t / 1e9));
    v.setUint32(4, Math.floor((t % 1e9) / 1e3));
    v.setUint32(8, s.packets);
    try {
      await sys.sendto(s.fd, block, MSG_NOSIGNAL);
      s.bytes += block.length;
    } catch (e) {
      // A full queue or an ICMP error loses the datagram, as a real UDP sender's would.
      if (!isSysError(e)) throw e;
    }
  };

  const receiveUdp = async (s: Stream, d: Uint8Array) => {
    s.bytes += d.length;
    if (d.length < 12) return;
    const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
    const sent = v.getUint32(0) * 1e9 + v.getUint32(4) * 1e3;
    const pcount = v.getUint32(8);
    if (pcount >= s.highest + 1) {
      if (pcount > s.highest + 1) s.lost += pcount - 1 - s.highest;
      s.highest = pcount;
    } else if (s.lost > 0) s.lost--;
    const transit = ((await sys.clock_gettime(CLOCK_REALTIME)) - sent) / 1e9;
    const dd = Math.abs(transit - s.prevTransit);
    s.prevTransit = transit;
    s.jitter += (dd - s.jitter) / 16;
  };

  for (;;) {
    let t = await now();
    const doneByBytes = isClient && p.bytes > 0 && total() >= p.bytes;
    if (t >= endNs || doneByBytes) break;
    if (sending && p.udp)
      while (t >= nextSend && !(p.bytes > 0 && total() >= p.bytes)) {
        for (const s of streams) await sendUdp(s);
        nextSend += packetGapNs * streams.length || 1;
        t = await now();
      }
    // A sender that has sent its -n bytes only waits for the end (the server, for TEST_END).
    const sentAll = sending && p.bytes > 0 && total() >= p.bytes;
    const fds = [{ fd: ctl, events: POLLIN, revents: 0 }];
    if (!(sending && p.udp) && !sentAll) for (const s of streams) fds.push({ fd: s.fd, events: sending ? POLLOUT : POLLIN, revents: 0 });
    const wake = Math.min(nextReport, endNs, sending && p.udp ? nextSend : Infinity);
    const timeout = wake === Infinity ? -1 : Math.max(0, Math.ceil((wake - t) / 1e6));
    await sys.poll(fds, timeout);
    for (const f of fds) {
      if (!f.revents) continue;
      if (f.fd === ctl) {
        const st = await readState(sys, ctl);
        if (!isClient && st === TEST_END) {
          const end = await now();
          if (end > lastReport) await report(end);
          return { seconds: (end - t0) / 1e9, intervals };
        }
        throw new IperfError(st === 11 ? 'the server has terminated' : st === 12 ? 'the client has terminated' : `received an unknown control message (${st})`);
      }
      const s = streams.find((x) => x.fd === f.fd)!;
      try {
        if (sending) {
          const left = p.bytes > 0 ? p.bytes - total() : block.length;
          s.bytes += await sys.sendto(s.fd, left < block.length ? block.subarray(0, left) : block, MSG_NOSIGNAL);
        } else {
          const d = await sys.read(s.fd, p.udp ? 65536 : p.len);
          if (p.udp) await receiveUdp(s, d);
          else s.bytes += d.length;
        }
      } catch (e) {
        if (!isSysError(e)) throw e;
        if (e.errno !== 'EAGAIN') throw new IperfError(`unable to ${sending ? 'write to' : 'read from'} stream socket: ${e.message}`);
      }
    }
    t = await now();
    if (t >= nextReport) {
      await report(nextReport);
      nextReport += intervalNs;
    }
  }
  const end = await now();
  if (end > lastReport) await report(end);
  return { seconds: (end - t0) / 1e9, intervals };
}

/** This end's results record, as iperf_exchange_results sends it. */
export function resultsJson(streams: Stream[], seconds: number, sending: boolean, udp: boolean): Record<string, unknown> {
  return {
    cpu_util_total: 0,
    cpu_util_user: 0,
    cpu_util_system: 0,
    sender_has_retransmits: sending && !udp ? 1 : 0,
    congestion_used: 'cubic',
    streams: streams.map((s) => ({
      id: s.id,
      bytes: s.bytes,
      retransmits: sending && !udp ? s.retrans : -1,
      jitter: s.jitter,
      errors: s.lost,
      omitted_errors: 0,
      packets: sending ? s.packets : s.highest,
      omitted_packets: 0,
      start_time: 0,
      end_time: seconds,
    })),
  };
}
