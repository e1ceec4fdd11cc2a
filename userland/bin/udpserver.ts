// udpserver: the seed's UDP test server. It prints every datagram it receives and, unless told
// not to, sends it back to where it came from.

import { isSysError } from '../../kernel/abi/errno.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { sysMessage } from '../lib/errors.js';
import { guarded } from '../lib/guard.js';
import { SIGINT, SIGTERM } from '../../kernel/abi/signal.js';
import { AF_INET, SO_RCVBUF, SOCK_DGRAM, SOL_SOCKET, sockaddrIn, type SockaddrIn } from '../../kernel/abi/socket.js';
import { command, intArg, parse } from '../lib/cli.js';
import { eprint, print } from '../lib/io.js';
import { resolveHost } from '../lib/resolve.js';
import { formatIpv4 } from '../../kernel/abi/wire/index.js';
import { printable } from '../lib/text.js';

export default defineProgram({
  name: 'udpserver',
  summary: 'receive (and echo) UDP datagrams',
  main: guarded('udpserver', async (argv, sys) => {
    const cmd = command('udpserver', 'receive UDP datagrams, print them, and echo them back')
      .option('-p, --port <port>', 'UDP port to listen on', intArg('port', 1, 65535), 7777)
      .option('-b, --bind <address>', 'local address to bind (default: all)')
      .option('-n, --count <n>', 'exit after n datagrams', intArg('count', 1, 1e9))
      .option('--no-echo', 'do not send datagrams back')
      .option('-q, --quiet', 'print nothing per datagram')
      .option('-r, --rcvbuf <bytes>', 'receive buffer size (SO_RCVBUF); datagrams beyond it are dropped', intArg('rcvbuf', 2048, 4 * 1024 * 1024));
    const r = await parse<{ port: number; bind?: string; count?: number; echo: boolean; quiet?: boolean; rcvbuf?: number }>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const o = r.opts;
    let addr = '0.0.0.0';
    if (o.bind !== undefined) {
      const a = await resolveHost(sys, o.bind);
      if (a === null) {
        await eprint(sys, `udpserver: cannot resolve ${o.bind}\n`);
        return 2;
      }
      addr = formatIpv4(a);
    }
    const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    if (o.rcvbuf !== undefined) await sys.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, o.rcvbuf);
    try {
      await sys.bind(fd, sockaddrIn(addr, o.port));
    } catch (e) {
      await eprint(sys, `udpserver: bind ${addr}:${o.port}: ${sysMessage(e)}\n`);
      return 1;
    }
    let stop = false;
    await sys.sigaction(SIGINT, () => (stop = true));
    await sys.sigaction(SIGTERM, () => (stop = true));
    if (!o.quiet) await print(sys, `udpserver: listening on ${addr}:${o.port}\n`);
    let n = 0;
    while (!stop && (o.count === undefined || n < o.count)) {
      let got;
      try {
        got = await sys.recvfrom(fd, 65536);
      } catch (e) {
        if (isSysError(e, 'EINTR')) continue;
        await eprint(sys, `udpserver: recvfrom: ${sysMessage(e)}\n`);
        return 1;
      }
      n++;
      const from = got.from as SockaddrIn;
      if (!o.quiet) await print(sys, `from ${from.sin_addr}:${from.sin_port} (${got.data.length} bytes): ${printable(got.data)}\n`);
      if (o.echo) await sys.sendto(fd, got.data, 0, from).catch(async (e) => eprint(sys, `udpserver: sendto: ${sysMessage(e)}\n`));
    }
    if (!o.quiet) await print(sys, `udpserver: ${n} datagram${n === 1 ? '' : 's'} received\n`);
    return 0;
  }),
});
