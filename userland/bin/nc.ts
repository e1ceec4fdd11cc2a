// nc: OpenBSD netcat (Debian's 1.219, the one Linux users have). It connects to or listens on a
// TCP or UDP port and bridges the socket with stdin and stdout, so `nc -l 9000 > file` and
// `cat file | nc host 9000` copy a file. -z scans ports (ranges lo-hi), -v says what happened on
// stderr in nc's words, -w is the connect and idle timeout, -N shuts the socket's sending side at
// the end of stdin, -q quits that many seconds after it, -k keeps listening.

import { isSysError } from '../../kernel/abi/errno.js';
import { POLLIN } from '../../kernel/abi/poll.js';
import { defineProgram } from '../../kernel/abi/program.js';
import {
  AF_INET,
  MSG_NOSIGNAL,
  MSG_PEEK,
  SHUT_WR,
  SO_REUSEADDR,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  sockaddrIn,
} from '../../kernel/abi/socket.js';
import { CLOCK_MONOTONIC, type Sys } from '../../kernel/abi/syscalls.js';
import { formatIpv4, parseIpv4 } from '../../kernel/abi/wire/index.js';
import { guarded } from '../lib/guard.js';
import { command, parse } from '../lib/cli.js';
import { connectWithin, hostName, serviceName, sysMessage } from '../lib/inet.js';
import { eprint, writeAll } from '../lib/io.js';
import { resolveHost } from '../lib/resolve.js';

const USAGE = `usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]
\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]
\t  [-q seconds] [-s sourceaddr] [-T keyword] [-V rtable] [-W recvlimit]
\t  [-w timeout] [-X proxy_protocol] [-x proxy_address[:port]]
\t  [destination] [port]
`;

interface Opts {
  listen?: boolean;
  keep?: boolean;
  udp?: boolean;
  zero?: boolean;
  verbose?: boolean;
  numeric?: boolean;
  detach?: boolean;
  shutdown?: boolean;
  port?: string;
  source?: string;
  wait?: string;
  quit?: string;
}

class NcError {
  constructor(readonly message: string) {}
}

/** nc's strtonum checks, with its messages. */
function portNumber(s: string): number {
  if (!/^\d+$/.test(s)) throw new NcError(`port number invalid: ${s}`);
  const n = Number(s);
  if (n > 65535) throw new NcError(`port number too large: ${s}`);
  if (n < 1) throw new NcError(`port number too small: ${s}`);
  return n;
}

/** A port or an inclusive range lo-hi (build_ports). */
function portRange(s: string): number[] {
  const m = /^([^-]+)-([^-]+)$/.exec(s);
  if (!m) return [portNumber(s)];
  let lo = portNumber(m[1]!);
  let hi = portNumber(m[2]!);
  if (lo > hi) [lo, hi] = [hi, lo];
  const out: number[] = [];
  for (let p = lo; p <= hi; p++) out.push(p);
  return out;
}

function seconds(s: string | undefined, what: string, min: number): number | null {
  if (s === undefined) return null;
  if (!/^-?\d+$/.test(s) || Number(s) < min) throw new NcError(`${what} invalid: ${s}`);
  return Number(s);
}

/** Copies between stdin/stdout and the socket until nc's readwrite() would return. */
async function readwrite(sys: Sys, sock: number, o: Opts, listening: boolean, idleMs: number | null, quitS: number | null): Promise<void> {
  let stdinOpen = !o.detach;
  let netIn = true;
  let netOut = true;
  let quitAt: number | null = null;
  for (;;) {
    if (!stdinOpen && !netIn) return;
    if (!netOut && !netIn) return;
    if (listening && !netIn) return;
    const fds = [];
    if (stdinOpen) fds.push({ fd: 0, events: POLLIN, revents: 0 });
    if (netIn) fds.push({ fd: sock, events: POLLIN, revents: 0 });
    let timeout = idleMs ?? -1;
    if (quitAt !== null) {
      const left = Math.max(0, Math.ceil((quitAt - (await sys.clock_gettime(CLOCK_MONOTONIC))) / 1e6));
      timeout = timeout < 0 ? left : Math.min(timeout, left);
    }
    if ((await sys.poll(fds, timeout)) === 0) return;
    for (const p of fds) {
      if (!p.revents) continue;
      if (p.fd === 0) {
        const d = await sys.read(0, 65536);
        if (d.length === 0) {
          stdinOpen = false;
          if (netOut && o.shutdown) await sys.shutdown(sock, SHUT_WR).catch(() => 0);
          netOut = false;
          if (quitS !== null) {
            if (quitS === 0) return;
            quitAt = (await sys.clock_gettime(CLOCK_MONOTONIC)) + quitS * 1e9;
          }
          continue;
        }
        if (!netOut) continue;
        try {
          let off = 0;
          while (off < d.length) off += await sys.sendto(sock, d.subarray(off), MSG_NOSIGNAL);
        } catch (e) {
          if (!isSysError(e)) throw e;
          netOut = false;
        }
      } else {
        let d: Uint8Array;
        try {
          d = await sys.read(sock, 65536);
        } catch (e) {
          if (!isSysError(e)) throw e;
          d = new Uint8Array(0);
        }
        if (d.length === 0) netIn = false;
        else await writeAll(sys, 1, d);
      }
    }
  }
}

async function listenMode(sys: Sys, o: Opts, addr: string | null, port: number, idleMs: number | null, quitS: number | null): Promise<number> {
  const bindAddr = addr ?? '0.0.0.0';
  let s = -1;
  for (;;) {
    // A TCP listener stays open across -k's connections; a UDP socket is bound anew each time,
    // as the previous one was connected to its peer.
    if (s < 0) {
      s = await sys.socket(AF_INET, o.udp ? SOCK_DGRAM : SOCK_STREAM, 0);
      await sys.setsockopt(s, SOL_SOCKET, SO_REUSEADDR, 1);
      try {
        await sys.bind(s, sockaddrIn(bindAddr, port));
        if (!o.udp) await sys.listen(s, 1);
      } catch (e) {
        await eprint(sys, `nc: ${sysMessage(e)}\n`);
        return 1;
      }
      const shown = o.numeric ? bindAddr : await hostName(sys, bindAddr);
      if (o.verbose) await eprint(sys, `${o.udp ? 'Bound' : 'Listening'} on ${shown} ${port}\n`);
    }
    let conn: number;
    let peer: { sin_addr: string; sin_port: number };
    if (o.udp) {
      // The first datagram names the peer; the socket is then connected to it and bridged.
      const p = [{ fd: s, events: POLLIN, revents: 0 }];
      await sys.poll(p, -1);
      const got = await sys.recvfrom(s, 65536, MSG_PEEK);
      const from = got.from && 'sin_addr' in got.from ? got.from : { sin_addr: '0.0.0.0', sin_port: 0 };
      await sys.connect(s, sockaddrIn(from.sin_addr, from.sin_port));
      conn = s;
      s = -1;
      peer = from;
    } else {
      const a = await sys.accept(s);
      if (!o.keep) {
        await sys.close(s);
        s = -1;
      }
      conn = a.fd;
      peer = 'sin_addr' in a.addr ? a.addr : { sin_addr: '?', sin_port: 0 };
    }
    if (o.verbose) await eprint(sys, `Connection received on ${o.numeric ? peer.sin_addr : await hostName(sys, peer.sin_addr)} ${peer.sin_port}\n`);
    await readwrite(sys, conn, o, true, idleMs, quitS);
    await sys.close(conn);
    if (!o.keep) return 0;
  }
}

export default defineProgram({
  name: 'nc',
  summary: 'arbitrary TCP and UDP connections and listens',
  main: guarded('nc', async (argv, sys) => {
    const cmd = command('nc', 'arbitrary TCP and UDP connections and listens')
      .argument('[destination]')
      .argument('[port]')
      .option('-4', 'use IPv4')
      .option('-d, --detach', 'detach from stdin')
      .option('-k, --keep', 'keep inbound sockets open for multiple connects')
      .option('-l, --listen', 'listen mode, for inbound connects')
      .option('-N, --shutdown', 'shutdown the network socket after EOF on stdin')
      .option('-n, --numeric', 'suppress name/port resolutions')
      .option('-p, --port <port>', 'specify local port for remote connects')
      .option('-q, --quit <seconds>', 'quit after EOF on stdin and delay of secs')
      .option('-s, --source <sourceaddr>', 'local source address')
      .option('-u, --udp', 'UDP mode')
      .option('-v, --verbose', 'verbose')
      .option('-w, --wait <timeout>', 'timeout for connects and final net reads')
      .option('-z, --zero', 'zero-I/O mode [used for scanning]');
    const r = await parse<Opts>(sys, cmd, argv);
    // nc's own usage errors exit 1, not 2.
    if ('status' in r) return r.status === 2 ? 1 : r.status;
    const o = r.opts;
    const words = r.args;
    try {
      const idle = seconds(o.wait, 'timeout', 0);
      const idleMs = idle === null ? null : idle * 1000;
      const quitS = seconds(o.quit, 'quit timer', -1e9);
      if (o.source !== undefined && parseIpv4(o.source) === null) throw new NcError(`getaddrinfo: Name or service not known`);
      if (o.listen) {
        if (o.zero) throw new NcError('cannot use -z and -l');
        let addr: string | null = o.source ?? null;
        let portWord = o.port;
        if (words.length === 2) [addr, portWord] = [words[0]!, words[1]!];
        else if (words.length === 1) portWord = words[0];
        if (portWord === undefined) throw new NcError('missing port number');
        if (addr !== null && addr !== o.source) {
          const a = await resolveHost(sys, addr);
          if (a === null) throw new NcError(`getaddrinfo for host "${addr}" port ${portWord}: Name or service not known`);
          addr = formatIpv4(a);
        }
        return await listenMode(sys, o, addr, portNumber(portWord), idleMs, quitS === null || quitS < 0 ? null : quitS);
      }
      if (o.keep) throw new NcError('must use -l with -k');
      if (words.length === 0) {
        await writeAll(sys, 2, USAGE);
        return 1;
      }
      if (words.length < 2) throw new NcError('missing port number');
      const ports = portRange(words[1]!);
      const host = words[0]!;
      const dst = await resolveHost(sys, host);
      if (dst === null) throw new NcError(`getaddrinfo for host "${host}" port ${words[1]}: Name or service not known`);
      const dstText = formatIpv4(dst);
      const proto = o.udp ? 'udp' : 'tcp';
      let status = 1;
      for (const port of ports) {
        const s = await sys.socket(AF_INET, o.udp ? SOCK_DGRAM : SOCK_STREAM, 0);
        try {
          if (o.source !== undefined || o.port !== undefined) {
            await sys.setsockopt(s, SOL_SOCKET, SO_REUSEADDR, 1);
            await sys.bind(s, sockaddrIn(o.source ?? '0.0.0.0', o.port === undefined ? 0 : portNumber(o.port)));
          }
          await connectWithin(sys, s, dstText, port, idleMs);
        } catch (e) {
          if (e instanceof NcError) throw e;
          const how = isSysError(e, 'EINPROGRESS') ? 'timed out' : 'failed';
          if (o.verbose || !o.zero) await eprint(sys, `nc: connect to ${dstText} port ${port} (${proto}) ${how}: ${sysMessage(e)}\n`);
          await sys.close(s);
          continue;
        }
        status = 0;
        if (o.verbose) await eprint(sys, `Connection to ${host} ${port} port [${proto}/${(!o.numeric && serviceName(proto, port)) || '*'}] succeeded!\n`);
        if (!o.zero) await readwrite(sys, s, o, false, idleMs, quitS === null || quitS < 0 ? null : quitS);
        await sys.close(s);
        if (!o.zero) break;
      }
      return status;
    } catch (e) {
      if (e instanceof NcError) {
        await eprint(sys, `nc: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
  }),
});
