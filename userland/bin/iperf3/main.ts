// iperf3 (also installed as iperf): the network throughput tester, wire-compatible with iperf 3.12
// so either end can be a real one. Client (-c) or server (-s, -1 for one test), TCP or UDP (-u,
// -b target bitrate), -t seconds or -n bytes, -l block length, -P parallel streams, -R reverse,
// -i report interval, -J JSON; reports in iperf3's layout.

import { defineProgram } from '../../../kernel/abi/program.js';
import { AF_INET, SO_REUSEADDR, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, sockaddrIn } from '../../../kernel/abi/socket.js';
import { CLOCK_REALTIME, type Sys } from '../../../kernel/abi/syscalls.js';
import { SOL_TCP, TCP_MAXSEG } from '../../../kernel/abi/tcp.js';
import { formatIpv4 } from '../../../kernel/abi/wire/index.js';
import { guarded } from '../../lib/guard.js';
import { command, parse } from '../../lib/cli.js';
import { sendAll, sysMessage } from '../../lib/inet.js';
import { eprint, print } from '../../lib/io.js';
import { resolveHost } from '../../lib/resolve.js';
import { strftime } from '../../lib/strftime.js';
import { dataPhase, newStream, type Params, type PhaseResult, resultsJson, type Stream } from './engine.js';
import * as P from './protocol.js';
import * as R from './report.js';

interface Opts {
  server?: boolean;
  oneOff?: boolean;
  client?: string;
  port: number;
  time?: string;
  bytes?: string;
  length?: string;
  udp?: boolean;
  bitrate?: string;
  reverse?: boolean;
  parallel: string;
  interval: string;
  json?: boolean;
}

/** iperf3's unit suffixes: K, M, G (1024-based for sizes, 1000-based for rates). */
function withUnit(text: string, base: number): number | null {
  const m = /^(\d+(?:\.\d+)?)([kKmMgGtT]?)$/.exec(text);
  if (!m) return null;
  const pow = ' kmgt'.indexOf((m[2] || ' ').toLowerCase());
  return Math.floor(Number(m[1]) * base ** pow);
}

interface Side {
  sys: Sys;
  json: boolean;
  log: Record<string, unknown>;
  text(s: string): Promise<void>;
}

function side(sys: Sys, json: boolean): Side {
  return { sys, json, log: {}, text: async (s) => (json ? undefined : print(sys, s)) };
}

async function connectedLine(s: Side, fd: number, list: unknown[]): Promise<void> {
  const l = await s.sys.getsockname(fd);
  const r = await s.sys.getpeername(fd);
  if (!('sin_addr' in l) || !('sin_addr' in r)) return;
  list.push({ socket: fd, local_host: l.sin_addr, local_port: l.sin_port, remote_host: r.sin_addr, remote_port: r.sin_port });
  await s.text(`[${String(fd).padStart(3)}] local ${l.sin_addr} port ${l.sin_port} connected to ${r.sin_addr} port ${r.sin_port}\n`);
}

interface Totals {
  id: number;
  fd: number;
  bytes: number;
  retrans: number;
  seconds: number;
  jitter: number;
  errors: number;
  packets: number;
}

function fromRecord(v: Record<string, unknown>, fd: number): Totals {
  const n = (k: string) => (typeof v[k] === 'number' ? (v[k] as number) : 0);
  return { id: n('id'), fd, bytes: n('bytes'), retrans: n('retransmits'), seconds: n('end_time') - n('start_time'), jitter: n('jitter'), errors: n('errors'), packets: n('packets') };
}

function ownTotals(s: Stream, seconds: number, sending: boolean): Totals {
  return { id: s.id, fd: s.fd, bytes: s.bytes, retrans: s.retrans, seconds, jitter: s.jitter, errors: s.lost, packets: sending ? s.packets : s.highest };
}

/** The end-of-test lines: sender and receiver per stream, then their sums. */
async function summary(out: Side, p: Params, sent: Totals[], received: Totals[], showSender: boolean, showReceiver: boolean): Promise<void> {
  let t = R.SEPARATOR + (p.udp ? R.HEAD_UDP : showSender ? R.HEAD_RETR : R.HEAD_BW);
  const sumOf = (list: Totals[]) => list.reduce((a, x) => ({ ...a, bytes: a.bytes + x.bytes, retrans: a.retrans + x.retrans, errors: a.errors + x.errors, packets: a.packets + x.packets, jitter: a.jitter + x.jitter / list.length, seconds: Math.max(a.seconds, x.seconds) }), { id: 0, fd: 0, bytes: 0, retrans: 0, seconds: 0, jitter: 0, errors: 0, packets: 0 });
  const line = (x: Totals, id: number | 'SUM', role: 'sender' | 'receiver') => {
    const l = { id, start: 0, end: x.seconds, bytes: x.bytes };
    if (p.udp) return role === 'sender' ? R.udpLine(l, 0, 0, x.packets, role) : R.udpLine(l, x.jitter * 1000, x.errors, x.packets, role);
    return role === 'sender' ? R.retrLine(l, x.retrans, role) : R.bwLine(l, role);
  };
  for (let i = 0; i < Math.max(sent.length, received.length); i++) {
    if (showSender && sent[i]) t += line(sent[i]!, sent[i]!.fd, 'sender');
    if (showReceiver && received[i]) t += line(received[i]!, received[i]!.fd, 'receiver');
  }
  if (Math.max(sent.length, received.length) > 1) {
    if (showSender) t += line(sumOf(sent), 'SUM', 'sender');
    if (showReceiver) t += line(sumOf(received), 'SUM', 'receiver');
  }
  await out.text(t);
  const sum = (list: Totals[], sender: boolean) => {
    const x = sumOf(list);
    return { start: 0, end: x.seconds, seconds: x.seconds, bytes: x.bytes, bits_per_second: x.seconds ? (x.bytes * 8) / x.seconds : 0, ...(p.udp ? { jitter_ms: x.jitter * 1000, lost_packets: x.errors, packets: x.packets } : sender ? { retransmits: x.retrans } : {}), sender };
  };
  out.log['end'] = {
    streams: sent.map((x, i) => ({ sender: { socket: x.fd, ...sum([x], true) }, receiver: received[i] ? { socket: received[i]!.fd, ...sum([received[i]!], false) } : undefined })),
    sum_sent: sum(sent, true),
    sum_received: sum(received, false),
    cpu_utilization_percent: { host_total: 0, host_user: 0, host_system: 0, remote_total: 0, remote_user: 0, remote_system: 0 },
    sender_tcp_congestion: 'cubic',
    receiver_tcp_congestion: 'cubic',
  };
}

function intervalsJson(r: PhaseResult, sending: boolean): unknown[] {
  return r.intervals.map((iv) => {
    const streams = iv.streams.map((s) => ({
      socket: s.fd,
      start: iv.start,
      end: iv.end,
      seconds: iv.end - iv.start,
      bytes: s.bytes,
      bits_per_second: iv.end > iv.start ? (s.bytes * 8) / (iv.end - iv.start) : 0,
      ...(sending ? { retransmits: s.retr, snd_cwnd: s.cwnd } : {}),
      omitted: false,
      sender: sending,
    }));
    const bytes = streams.reduce((a, s) => a + s.bytes, 0);
    return { streams, sum: { start: iv.start, end: iv.end, seconds: iv.end - iv.start, bytes, bits_per_second: iv.end > iv.start ? (bytes * 8) / (iv.end - iv.start) : 0, omitted: false, sender: sending } };
  });
}

async function startLog(s: Side, p: Params, cookie: string, mss: number): Promise<Record<string, unknown>> {
  const now = await s.sys.clock_gettime(CLOCK_REALTIME);
  const u = await s.sys.uname();
  const start = {
    connected: [] as unknown[],
    version: 'iperf 3.12',
    system_info: `${u.sysname} ${u.nodename} ${u.release} ${u.version} ${u.machine}`,
    timestamp: { time: strftime('%a, %d %b %Y %H:%M:%S GMT', now), timesecs: Math.floor(now / 1e9) },
    cookie,
    tcp_mss_default: mss,
    test_start: { protocol: p.udp ? 'UDP' : 'TCP', num_streams: p.parallel, blksize: p.len, omit: 0, duration: p.time, bytes: p.bytes, blocks: 0, reverse: p.reverse ? 1 : 0, tos: 0, target_bitrate: p.udp ? p.bandwidth : 0 },
  };
  s.log['start'] = start;
  return start;
}

async function client(sys: Sys, o: Opts, p: Params, out: Side): Promise<number> {
  const host = o.client!;
  const addr = await resolveHost(sys, host);
  if (addr === null) throw new P.IperfError(`unable to connect to server - server may have stopped running or use a different port, firewall issue, etc.: Name or service not known`);
  const ip = formatIpv4(addr);
  await out.text(`Connecting to host ${host}, port ${o.port}\n`);
  if (p.reverse) await out.text(`Reverse mode, remote host ${host} is sending\n`);
  const ctl = await sys.socket(AF_INET, SOCK_STREAM, 0);
  try {
    await sys.connect(ctl, sockaddrIn(ip, o.port));
  } catch (e) {
    throw new P.IperfError(`unable to connect to server - server may have stopped running or use a different port, firewall issue, etc.: ${sysMessage(e)}`);
  }
  const cookie = await P.makeCookie(sys);
  await sendAll(sys, ctl, cookie);
  const mss = Number(await sys.getsockopt(ctl, SOL_TCP, TCP_MAXSEG)) || 1448;
  if (p.udp && p.len === 0) p.len = mss;
  if (p.len === 0) p.len = P.DEFAULT_TCP_BLKSIZE;
  const start = await startLog(out, p, new TextDecoder().decode(cookie.subarray(0, 36)), mss);
  start['connecting_to'] = { host, port: o.port };
  const streams: Stream[] = [];
  let phase: PhaseResult | null = null;
  let remote: Record<string, unknown> = {};
  for (;;) {
    const st = await P.readState(sys, ctl);
    switch (st) {
      case P.PARAM_EXCHANGE:
        await P.sendJson(sys, ctl, {
          ...(p.udp ? { udp: true } : { tcp: true }),
          omit: 0,
          time: p.time,
          num: p.bytes,
          blockcount: 0,
          parallel: p.parallel,
          ...(p.reverse ? { reverse: true } : {}),
          len: p.len,
          ...(p.udp ? { bandwidth: p.bandwidth } : {}),
          pacing_timer: 1000,
          client_version: '3.12',
        });
        break;
      case P.CREATE_STREAMS:
        for (let i = 0; i < p.parallel; i++) {
          const fd = await sys.socket(AF_INET, p.udp ? SOCK_DGRAM : SOCK_STREAM, 0);
          try {
            await sys.connect(fd, sockaddrIn(ip, o.port));
            if (p.udp) {
              const msg = new Uint8Array(4);
              new DataView(msg.buffer).setUint32(0, P.UDP_CONNECT_MSG);
              await sys.write(fd, msg);
              const reply = await P.readExact(sys, fd, 4, 'unable to read from stream socket');
              const v = new DataView(reply.buffer).getUint32(0);
              if (v !== P.UDP_CONNECT_REPLY && v !== P.LEGACY_UDP_CONNECT_REPLY) throw new P.IperfError('unable to read from stream socket');
            } else await sendAll(sys, fd, cookie);
          } catch (e) {
            if (e instanceof P.IperfError) throw e;
            throw new P.IperfError(`unable to create a new stream: ${sysMessage(e)}`);
          }
          streams.push(newStream(fd, i + 1));
          await connectedLine(out, fd, start['connected'] as unknown[]);
        }
        break;
      case P.TEST_START:
        break;
      case P.TEST_RUNNING:
        phase = await dataPhase(sys, ctl, streams, !p.reverse, p, true, out);
        await P.sendState(sys, ctl, P.TEST_END);
        break;
      case P.EXCHANGE_RESULTS:
        await P.sendJson(sys, ctl, resultsJson(streams, phase?.seconds ?? 0, !p.reverse, p.udp));
        remote = await P.readJson(sys, ctl);
        break;
      case P.DISPLAY_RESULTS: {
        const seconds = phase?.seconds ?? 0;
        const records = Array.isArray(remote['streams']) ? (remote['streams'] as Record<string, unknown>[]) : [];
        const theirs = streams.map((s) => fromRecord(records.find((r) => r['id'] === s.id) ?? {}, s.fd));
        const mine = streams.map((s) => ownTotals(s, seconds, !p.reverse));
        out.log['intervals'] = phase ? intervalsJson(phase, !p.reverse) : [];
        await summary(out, p, p.reverse ? theirs : mine, p.reverse ? mine : theirs, true, true);
        await P.sendState(sys, ctl, P.IPERF_DONE);
        for (const s of streams) await sys.close(s.fd);
        await sys.close(ctl);
        await out.text('\niperf Done.\n');
        return 0;
      }
      case P.ACCESS_DENIED:
        throw new P.IperfError('the server is busy running a test. try again later');
      case P.SERVER_ERROR:
        throw new P.IperfError('the server has reported an error');
      case P.SERVER_TERMINATE:
        throw new P.IperfError('the server has terminated');
      default:
        throw new P.IperfError(`received an unknown control message (${st})`);
    }
  }
}

/** One test on an accepted control connection. */
async function serveTest(sys: Sys, listener: number, ctl: number, o: Opts, out: Side, cookie: Uint8Array): Promise<void> {
  await P.sendState(sys, ctl, P.PARAM_EXCHANGE);
  const j = await P.readJson(sys, ctl);
  const num = (k: string, d: number) => (typeof j[k] === 'number' ? (j[k] as number) : d);
  const p: Params = {
    udp: 'udp' in j,
    time: num('time', 10),
    bytes: num('num', 0),
    len: num('len', P.DEFAULT_TCP_BLKSIZE),
    parallel: Math.max(1, Math.min(128, num('parallel', 1))),
    reverse: 'reverse' in j,
    bandwidth: num('bandwidth', P.DEFAULT_UDP_RATE),
    interval: Number(o.interval),
  };
  if (p.len <= 0 || p.len > 1 << 24) throw new P.IperfError('block size invalid');
  const start = await startLog(out, p, new TextDecoder().decode(cookie.subarray(0, 36)), 0);
  const streams: Stream[] = [];
  let udpSock = -1;
  if (p.udp) {
    udpSock = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    await sys.setsockopt(udpSock, SOL_SOCKET, SO_REUSEADDR, 1);
    await sys.bind(udpSock, sockaddrIn('0.0.0.0', o.port));
  }
  await P.sendState(sys, ctl, P.CREATE_STREAMS);
  for (let i = 0; i < p.parallel; i++) {
    let fd: number;
    if (p.udp) {
      if (i > 0) throw new P.IperfError('tunlab serves one UDP stream per test');
      const got = await sys.recvfrom(udpSock, 65536);
      const from = got.from && 'sin_addr' in got.from ? got.from : null;
      if (!from) throw new P.IperfError('unable to receive from stream socket');
      await sys.connect(udpSock, sockaddrIn(from.sin_addr, from.sin_port));
      const reply = new Uint8Array(4);
      new DataView(reply.buffer).setUint32(0, P.UDP_CONNECT_REPLY);
      await sys.write(udpSock, reply);
      fd = udpSock;
    } else {
      fd = (await sys.accept(listener)).fd;
      const c = await P.readExact(sys, fd, P.COOKIE_SIZE, 'unable to read from stream socket');
      if (c.some((b, k) => b !== cookie[k])) {
        await sys.close(fd);
        i--;
        continue;
      }
    }
    streams.push(newStream(fd, i + 1));
    await connectedLine(out, fd, start['connected'] as unknown[]);
  }
  await P.sendState(sys, ctl, P.TEST_START);
  await P.sendState(sys, ctl, P.TEST_RUNNING);
  const phase = await dataPhase(sys, ctl, streams, p.reverse, p, false, out);
  await P.sendState(sys, ctl, P.EXCHANGE_RESULTS);
  await P.readJson(sys, ctl);
  await P.sendJson(sys, ctl, resultsJson(streams, phase.seconds, p.reverse, p.udp));
  await P.sendState(sys, ctl, P.DISPLAY_RESULTS);
  out.log['intervals'] = intervalsJson(phase, p.reverse);
  const mine = streams.map((s) => ownTotals(s, phase.seconds, p.reverse));
  await summary(out, p, p.reverse ? mine : [], p.reverse ? [] : mine, p.reverse, !p.reverse);
  // The client's IPERF_DONE, or its close, ends the test.
  await P.readState(sys, ctl).catch(() => P.IPERF_DONE);
  for (const s of streams) await sys.close(s.fd);
}

async function server(sys: Sys, o: Opts, json: boolean): Promise<number> {
  const ls = await sys.socket(AF_INET, SOCK_STREAM, 0);
  await sys.setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, 1);
  try {
    await sys.bind(ls, sockaddrIn('0.0.0.0', o.port));
    await sys.listen(ls, 5);
  } catch (e) {
    await eprint(sys, `iperf3: error - unable to start listener for connections: ${sysMessage(e)}\niperf3: exiting\n`);
    return 1;
  }
  for (let test = 1; ; test++) {
    const out = side(sys, json);
    const bar = '-----------------------------------------------------------\n';
    await out.text(`${bar}Server listening on ${o.port} (test #${test})\n${bar}`);
    const a = await sys.accept(ls);
    const peer = 'sin_addr' in a.addr ? a.addr : { sin_addr: '?', sin_port: 0 };
    await out.text(`Accepted connection from ${peer.sin_addr}, port ${peer.sin_port}\n`);
    try {
      const cookie = await P.readExact(sys, a.fd, P.COOKIE_SIZE);
      await serveTest(sys, ls, a.fd, o, out, cookie);
      if (json) await print(sys, `${JSON.stringify(out.log, null, '\t')}\n`);
    } catch (e) {
      if (!(e instanceof P.IperfError)) throw e;
      await eprint(sys, `iperf3: error - ${e.message}\n`);
    }
    await sys.close(a.fd).catch(() => 0);
    if (o.oneOff) return 0;
  }
}

export default defineProgram({
  name: 'iperf3',
  summary: 'perform network throughput tests',
  main: guarded('iperf3', async (argv, sys) => {
    const name = argv[0]?.split('/').pop() === 'iperf' ? 'iperf' : 'iperf3';
    const cmd = command(name, 'perform network throughput tests')
      .option('-s, --server', 'run in server mode')
      .option('-1, --one-off', 'handle one client connection then exit')
      .option('-c, --client <host>', 'run in client mode, connecting to <host>')
      .option('-p, --port <n>', 'server port to listen on/connect to', (v) => {
        if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535) throw new P.IperfError('bad port number');
        return Number(v);
      }, P.DEFAULT_PORT)
      .option('-t, --time <sec>', 'time in seconds to transmit for (default 10 secs)')
      .option('-n, --bytes <n>[KMG]', 'number of bytes to transmit (instead of -t)')
      .option('-l, --length <n>[KMG]', 'length of buffer to read or write')
      .option('-u, --udp', 'use UDP rather than TCP')
      .option('-b, --bitrate <n>[KMG]', 'target bitrate in bits/sec (UDP default 1 Mbit/sec)')
      .option('-R, --reverse', 'run in reverse mode (server sends, client receives)')
      .option('-P, --parallel <n>', 'number of parallel client streams to run', '1')
      .option('-i, --interval <sec>', 'seconds between periodic throughput reports', '1')
      .option('-J, --json', 'output in JSON format');
    let r;
    try {
      r = await parse<Opts>(sys, cmd, argv);
    } catch (e) {
      if (!(e instanceof P.IperfError)) throw e;
      await eprint(sys, `${name}: parameter error - ${e.message}\n`);
      return 1;
    }
    if ('status' in r) return r.status === 2 ? 1 : r.status;
    const o = r.opts;
    const bad = async (m: string) => {
      await eprint(sys, `${name}: parameter error - ${m}\n`);
      return 1;
    };
    if (!!o.server === (o.client !== undefined)) return bad(o.server ? 'cannot be both server and client' : 'must either be a client (-c) or server (-s)');
    const time = o.time === undefined ? 10 : Number(o.time);
    if (!Number.isFinite(time) || time < 0 || time > 86400) return bad('test duration valid values are 0 to 86400 seconds');
    const bytes = o.bytes === undefined ? 0 : withUnit(o.bytes, 1024);
    if (bytes === null) return bad(`invalid number of bytes: ${o.bytes}`);
    const len = o.length === undefined ? 0 : withUnit(o.length, 1024);
    if (len === null || (o.length !== undefined && (len < 1 || len > 1 << 24))) return bad('block size too large (maximum = 16777216 bytes)');
    const bw = o.bitrate === undefined ? P.DEFAULT_UDP_RATE : withUnit(o.bitrate, 1000);
    if (bw === null) return bad(`invalid bitrate: ${o.bitrate}`);
    const parallel = Number(o.parallel);
    if (!/^\d+$/.test(o.parallel) || parallel < 1 || parallel > 128) return bad('number of parallel streams too large (maximum = 128)');
    const interval = Number(o.interval);
    if (!/^\d+(\.\d+)?$/.test(o.interval) || (interval !== 0 && (interval < 0.1 || interval > 60))) return bad('invalid report interval (min = 0.1, max = 60 seconds)');
    if (o.server) return server(sys, o, !!o.json);
    const p: Params = { udp: !!o.udp, time, bytes, len, parallel, reverse: !!o.reverse, bandwidth: bw, interval };
    const out = side(sys, !!o.json);
    try {
      const status = await client(sys, o, p, out);
      if (o.json) await print(sys, `${JSON.stringify(out.log, null, '\t')}\n`);
      return status;
    } catch (e) {
      if (!(e instanceof P.IperfError)) throw e;
      if (o.json) {
        out.log['error'] = e.message;
        await print(sys, `${JSON.stringify(out.log, null, '\t')}\n`);
      } else await eprint(sys, `${name}: error - ${e.message}\n`);
      return 1;
    }
  }),
});
