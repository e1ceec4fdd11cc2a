// --mssfix through a real pair of openvpn processes: a TCP connection across the tunnel is set up
// with the MSS 2.6 clamps SYNs to (1359 for a static key with AES-256-CBC + HMAC-SHA256), so a full
// segment, sealed, fits a 1492-byte packet and the link never fragments it.

import { describe, expect, it } from 'vitest';
import { defineProgram } from '../../../kernel/abi/program.js';
import { SIGINT } from '../../../kernel/abi/signal.js';
import { AF_INET, IPPROTO_TCP, SOCK_STREAM, sockaddrIn } from '../../../kernel/abi/socket.js';
import { TCP_MAXSEG } from '../../../kernel/abi/tcp.js';
import { crypto, pairWorld, runFor, runOn, startOn, stop } from './program-helpers.js';

/** `mssd PORT`: accept one connection and print the MSS it was set up with (TCP_MAXSEG). */
const mssd = defineProgram({
  name: 'mssd',
  summary: 'print the MSS of the first accepted connection (tests only)',
  async main(argv, sys) {
    const ls = await sys.socket(AF_INET, SOCK_STREAM, 0);
    await sys.bind(ls, sockaddrIn('0.0.0.0', Number(argv[1])));
    await sys.listen(ls, 1);
    const { fd } = await sys.accept(ls);
    const mss = await sys.getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG);
    await sys.write(1, new TextEncoder().encode(`${mss}\n`));
    await sys.close(fd);
    return 0;
  },
});

async function mssThroughTunnel(extra: string[]): Promise<number> {
  const w = pairWorld();
  w.addProgram(mssd);
  const b = await startOn(w, 'b', ['openvpn', '--dev', 'tun', '--ifconfig', '10.8.0.1', '10.8.0.2', ...crypto('0'), ...extra]);
  const a = await startOn(w, 'a', ['openvpn', '--remote', '10.0.0.2', '--dev', 'tun', '--ifconfig', '10.8.0.2', '10.8.0.1', ...crypto('1'), ...extra]);
  await runFor(w, 1);
  const server = await startOn(w, 'b', ['mssd', '7000']);
  await runFor(w, 0.1);
  const client = await runOn(w, 'a', ['tcpsend', '10.8.0.1', '7000', '00']);
  expect(client.status).toBe(0);
  await w.run({ until: () => !server.proc.alive });
  await stop(w, a, SIGINT);
  await stop(w, b, SIGINT);
  return Number(server.output().trim());
}

describe('--mssfix (on by default, 1492)', () => {
  it('clamps the MSS of a connection through the tunnel to 1359 (less the timestamps option)', async () => {
    // TCP_MAXSEG gives the MSS less the 12 bytes of timestamps both ends use, as Linux does.
    expect(await mssThroughTunnel([])).toBe(1359 - 12);
  });

  it('clamps to --tun-mtu less 40 when --tun-mtu is given', async () => {
    expect(await mssThroughTunnel(['--tun-mtu', '1400'])).toBe(1360 - 12);
  });
});
