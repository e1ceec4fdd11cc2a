// traceroute: FreeBSD's, as Haiku ships it. UDP probes to port 33434 and up, from a source port
// made of the process id, with TTL 1, 2, ... (IP_TTL); each router on the way answers with ICMP
// time-exceeded, the destination with port-unreachable, which ends the trace. A probe without an
// answer within -w seconds prints `*`; other unreachables print FreeBSD's !H, !N, !P ... marks.

import { isSysError } from '../../kernel/abi/errno.js';
import { POLLIN } from '../../kernel/abi/poll.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { AF_INET, IP_TTL, IPPROTO_ICMP, IPPROTO_IP, MSG_DONTWAIT, SOCK_DGRAM, SOCK_RAW, sockaddrIn } from '../../kernel/abi/socket.js';
import { CLOCK_MONOTONIC, type Sys } from '../../kernel/abi/syscalls.js';
import { formatIpv4, IcmpPacket, IcmpRepr, Ipv4Packet, isWireError, parseIpv4 } from '../../kernel/abi/wire/index.js';
import { guarded } from '../lib/guard.js';
import { command, parse } from '../lib/cli.js';
import { hostName, sysMessage } from '../lib/inet.js';
import { eprint, print } from '../lib/io.js';
import { resolveHost } from '../lib/resolve.js';

const IP_UDP_HEADERS = 28;
const MIN_PACKET = 40;
const MAX_PACKET = 32768;

// FreeBSD's marks for an ICMP unreachable code other than port unreachable.
const MARKS: ReadonlyMap<number, string> = new Map<number, string>([
  [0, ' !N'],
  [1, ' !H'],
  [2, ' !P'],
  [4, ' !F'],
  [5, ' !S'],
  [6, ' !U'],
  [7, ' !W'],
  [9, ' !Z'],
  [10, ' !Z'],
  [13, ' !X'],
]);

class Bad {
  constructor(readonly message: string) {}
}

/** FreeBSD's str2val: a number in a range, or its message. */
function str2val(s: string | undefined, what: string, min: number, max: number, dflt: number): number {
  if (s === undefined) return dflt;
  if (!/^\d+$/.test(s)) throw new Bad(`"${s}" bad value for ${what}`);
  const n = Number(s);
  if (n < min) throw new Bad(`${what} must be >= ${min}`);
  if (n > max) throw new Bad(`${what} must be <= ${max}`);
  return n;
}

interface Opts {
  numeric?: boolean;
  firstTtl?: string;
  maxTtl?: string;
  port?: string;
  queries?: string;
  wait?: string;
  source?: string;
}

interface Answer {
  from: string;
  kind: 'time-exceeded' | 'unreachable';
  code: number;
}

/** Waits for the ICMP error about the probe that went to dport from sport, until deadline. */
async function awaitAnswer(sys: Sys, icmp: number, sport: number, dport: number, deadline: number): Promise<Answer | null> {
  for (;;) {
    const left = Math.ceil((deadline - (await sys.clock_gettime(CLOCK_MONOTONIC))) / 1e6);
    if (left <= 0) return null;
    const p = [{ fd: icmp, events: POLLIN, revents: 0 }];
    if ((await sys.poll(p, left)) === 0) return null;
    let got;
    try {
      got = await sys.recvfrom(icmp, 65536, MSG_DONTWAIT);
    } catch (e) {
      if (isSysError(e, 'EAGAIN') || isSysError(e, 'EINTR')) continue;
      throw e;
    }
    const ip = Ipv4Packet.checked(got.data);
    if (isWireError(ip)) continue;
    const view = IcmpPacket.checked(ip.payload);
    if (isWireError(view)) continue;
    const repr = IcmpRepr.parse(view);
    if (isWireError(repr) || (repr.kind !== 'time-exceeded' && repr.kind !== 'dst-unreachable')) continue;
    const q = repr.original;
    if (q.length < 28) continue;
    const qip = new Ipv4Packet(q);
    const udp = q.subarray(qip.headerLen);
    if (qip.protocol !== 17 || udp.length < 4) continue;
    if (((udp[0]! << 8) | udp[1]!) !== sport || ((udp[2]! << 8) | udp[3]!) !== dport) continue;
    return { from: formatIpv4(ip.src), kind: repr.kind === 'time-exceeded' ? 'time-exceeded' : 'unreachable', code: repr.code };
  }
}

export default defineProgram({
  name: 'traceroute',
  summary: 'print the route packets take to network host',
  main: guarded('traceroute', async (argv, sys) => {
    const cmd = command('traceroute', 'print the route packets take to network host')
      .argument('<host>')
      .argument('[packetlen]')
      .option('-n, --numeric', 'print hop addresses numerically')
      .option('-f, --first-ttl <ttl>', 'initial time-to-live')
      .option('-m, --max-ttl <ttl>', 'maximum time-to-live (max number of hops)')
      .option('-p, --port <port>', 'base UDP port number used in probes')
      .option('-q, --queries <n>', 'number of probes per hop')
      .option('-w, --wait <seconds>', 'time to wait for a response to a probe')
      .option('-s, --source <addr>', 'source address of outgoing probes');
    const r = await parse<Opts>(sys, cmd, argv);
    if ('status' in r) return r.status === 2 ? 1 : r.status;
    const o = r.opts;
    const [host, lenText] = r.args as [string, string | undefined];
    let udp = -1;
    let icmp = -1;
    try {
      const first = str2val(o.firstTtl, 'first ttl', 1, 255, 1);
      const max = str2val(o.maxTtl, 'max ttl', 1, 255, 64);
      if (first > max) throw new Bad(`first ttl (${first}) may not be greater than max ttl (${max})`);
      const base = str2val(o.port, 'port', 1, 65535, 33434);
      const nprobes = str2val(o.queries, 'nprobes', 1, 255, 3);
      const wait = str2val(o.wait, 'wait time', 1, 86400, 5);
      let packetlen = MIN_PACKET;
      if (lenText !== undefined) {
        if (!/^\d+$/.test(lenText) || Number(lenText) < MIN_PACKET || Number(lenText) > MAX_PACKET) throw new Bad(`packet length must be ${MIN_PACKET} <= x <= ${MAX_PACKET}`);
        packetlen = Number(lenText);
      }
      if (o.source !== undefined && parseIpv4(o.source) === null) throw new Bad(`unknown host ${o.source}`);
      const dst = await resolveHost(sys, host);
      if (dst === null) throw new Bad(`unknown host ${host}`);
      const dstText = formatIpv4(dst);
      try {
        icmp = await sys.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
      } catch (e) {
        throw new Bad(`icmp socket: ${sysMessage(e)}`);
      }
      udp = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      // The source port names this traceroute's probes in the errors that quote them.
      const sport = (sys.pid & 0xffff) | 0x8000;
      await sys.bind(udp, sockaddrIn(o.source ?? '0.0.0.0', sport));
      await eprint(sys, `traceroute to ${host} (${dstText}), ${max} hops max, ${packetlen} byte packets\n`);
      const payload = new Uint8Array(packetlen - IP_UDP_HEADERS);
      let seq = 0;
      for (let ttl = first; ttl <= max; ttl++) {
        await sys.setsockopt(udp, IPPROTO_IP, IP_TTL, ttl);
        let line = `${String(ttl).padStart(2)} `;
        let last: string | null = null;
        let gotThere = false;
        let unreachable = 0;
        for (let probe = 0; probe < nprobes; probe++) {
          const dport = (base + seq++) & 0xffff;
          if (payload.length >= 2) {
            payload[0] = seq & 0xff;
            payload[1] = ttl;
          }
          const t0 = await sys.clock_gettime(CLOCK_MONOTONIC);
          try {
            await sys.sendto(udp, payload, 0, sockaddrIn(dstText, dport));
          } catch (e) {
            await print(sys, `${line}\n`);
            throw new Bad(`wrote ${host} ${packetlen} chars, ret=-1: ${sysMessage(e)}`);
          }
          const a = await awaitAnswer(sys, icmp, sport, dport, t0 + wait * 1e9);
          if (a === null) {
            line += ' *';
            continue;
          }
          const rtt = ((await sys.clock_gettime(CLOCK_MONOTONIC)) - t0) / 1e6;
          if (a.from !== last) {
            line += o.numeric ? ` ${a.from}` : ` ${await hostName(sys, a.from)} (${a.from})`;
            last = a.from;
          }
          line += `  ${rtt.toFixed(3)} ms`;
          if (a.kind === 'unreachable') {
            if (a.code === 3) gotThere = true;
            else {
              line += MARKS.get(a.code) ?? ` !<${a.code}>`;
              unreachable++;
            }
          }
        }
        await print(sys, `${line}\n`);
        if (gotThere || (unreachable > 0 && unreachable >= nprobes - 1)) break;
      }
      return 0;
    } catch (e) {
      if (e instanceof Bad) {
        await eprint(sys, `traceroute: ${e.message}\n`);
        return 1;
      }
      throw e;
    } finally {
      if (udp >= 0) await sys.close(udp);
      if (icmp >= 0) await sys.close(icmp);
    }
  }),
});
