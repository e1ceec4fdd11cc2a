// tunrelay: the smallest userland tunnel. It creates a tun, then carries every packet the stack
// sends into it to a peer as one UDP datagram, and writes every datagram from the peer into the
// tun: what a VPN does, without the cryptography, so the packet path can be watched plainly.

import { isSysError } from '../../kernel/abi/errno.js';
import { O_RDWR } from '../../kernel/abi/fcntl.js';
import type { Ifreq } from '../../kernel/abi/if.js';
import { IFF_NO_PI, IFF_TAP, IFF_TUN, TUNSETIFF } from '../../kernel/abi/ioctl.js';
import { formatIpv4 } from '../../kernel/abi/wire/index.js';
import { POLLIN } from '../../kernel/abi/poll.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { guarded } from '../lib/guard.js';
import { SIGINT, SIGTERM } from '../../kernel/abi/signal.js';
import { AF_INET, SOCK_DGRAM, type SockaddrIn, sockaddrIn } from '../../kernel/abi/socket.js';
import { command, intArg, parse } from '../lib/cli.js';
import { eprint, print } from '../lib/io.js';
import { resolveHost } from '../lib/resolve.js';

interface Options {
  dev: string;
  tap?: boolean;
  port: number;
  verbose?: boolean;
}

export default defineProgram({
  name: 'tunrelay',
  summary: 'carry a tun over UDP to a peer, without encryption',
  main: guarded('tunrelay', async (argv, sys) => {
    const cmd = command('tunrelay', 'carry the packets of a tun (or tap) to a peer over UDP, and back')
      .argument('<peer>', 'the other relay: HOST or HOST:PORT')
      .option('-d, --dev <name>', 'interface to create', 'tun/%d')
      .option('-t, --tap', 'a TAP interface (Ethernet frames) instead of a TUN')
      .option('-p, --port <port>', 'local UDP port (and the peer\'s, unless given)', intArg('port', 1, 65535), 5555)
      .option('-v, --verbose', 'print a line per packet');
    const r = await parse<Options>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const o = r.opts;
    const [host, portText] = r.args[0]!.split(':');
    const peerIp = await resolveHost(sys, host!);
    const peerPort = portText === undefined ? o.port : Number(portText);
    if (peerIp === null || !Number.isInteger(peerPort) || peerPort < 1 || peerPort > 65535) {
      await eprint(sys, `tunrelay: bad peer ${r.args[0]}\n`);
      return 2;
    }
    const peer: SockaddrIn = sockaddrIn(formatIpv4(peerIp), peerPort);
    let tun: number;
    let sock: number;
    const ifr: Ifreq = { ifr_name: o.dev, ifr_flags: (o.tap ? IFF_TAP : IFF_TUN) | IFF_NO_PI };
    try {
      tun = await sys.open('/dev/misc/tun', O_RDWR);
      await sys.ioctl(tun, TUNSETIFF, ifr);
      sock = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.bind(sock, sockaddrIn('0.0.0.0', o.port));
    } catch (e) {
      if (!isSysError(e)) throw e;
      await eprint(sys, `tunrelay: ${e.message}\n`);
      return 1;
    }
    await print(sys, `tunrelay: ${ifr.ifr_name} <-> udp ${peer.sin_addr}:${peer.sin_port} (local port ${o.port})\n`);
    let stop = false;
    await sys.sigaction(SIGINT, () => (stop = true));
    await sys.sigaction(SIGTERM, () => (stop = true));
    let out = 0;
    let inn = 0;
    while (!stop) {
      const fds = [
        { fd: tun, events: POLLIN, revents: 0 },
        { fd: sock, events: POLLIN, revents: 0 },
      ];
      try {
        await sys.poll(fds, -1);
        if (fds[0]!.revents & POLLIN) {
          const pkt = await sys.read(tun, 65536);
          await sys.sendto(sock, pkt, 0, peer);
          out++;
          if (o.verbose) await print(sys, `tun -> udp ${pkt.length} bytes\n`);
        }
        if (fds[1]!.revents & POLLIN) {
          const got = await sys.recvfrom(sock, 65536);
          await sys.write(tun, got.data).catch(async (e) => {
            if (o.verbose) await print(sys, `udp -> tun dropped: ${isSysError(e) ? e.errno : e}\n`);
          });
          inn++;
          if (o.verbose) await print(sys, `udp -> tun ${got.data.length} bytes\n`);
        }
      } catch (e) {
        if (isSysError(e, 'EINTR')) continue;
        if (!isSysError(e)) throw e;
        await eprint(sys, `tunrelay: ${e.message}\n`);
        return 1;
      }
    }
    await print(sys, `tunrelay: ${out} packets sent, ${inn} received\n`);
    return 0;
  }),
});
