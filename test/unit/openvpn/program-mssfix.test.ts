// --mssfix through a real pair of openvpn processes: a TCP connection across the tunnel is set up
// with the MSS 2.6.14 clamps SYNs to (1343 for a static key with AES-256-CBC + HMAC-SHA256, 1400 in
// TLS mode with AES-256-GCM), so a full segment, sealed, fits a 1492-byte packet and the link never
// fragments it.

import { describe, expect, it } from 'vitest';
import { defineProgram } from '../../../kernel/abi/program.js';
import { SIGINT, SIGTERM } from '../../../kernel/abi/signal.js';
import { AF_INET, IPPROTO_TCP, SOCK_STREAM, sockaddrIn } from '../../../kernel/abi/socket.js';
import { TCP_MAXSEG } from '../../../kernel/abi/tcp.js';
import { CLIENT, crypto, pairWorld, runFor, runOn, SERVER, startOn, stop, tlsWorld } from './program-helpers.js';

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

type World = ReturnType<typeof pairWorld>;

/** The MSS `mssd` on `listener` (at `addr`) gets for a connection from `connector`. */
async function mssAcross(w: World, listener: string, connector: string, addr: string): Promise<number> {
  const server = await startOn(w, listener, ['mssd', '7000']);
  await runFor(w, 0.1);
  const client = await runOn(w, connector, ['tcpsend', addr, '7000', '00']);
  expect(client.status).toBe(0);
  await w.run({ until: () => !server.proc.alive });
  return Number(server.output().trim());
}

async function mssThroughTunnel(extra: string[]): Promise<number> {
  const w = pairWorld();
  w.addProgram(mssd);
  const b = await startOn(w, 'b', ['openvpn', '--dev', 'tun', '--ifconfig', '10.8.0.1', '10.8.0.2', ...crypto('0'), ...extra]);
  const a = await startOn(w, 'a', ['openvpn', '--remote', '10.0.0.2', '--dev', 'tun', '--ifconfig', '10.8.0.2', '10.8.0.1', ...crypto('1'), ...extra]);
  await runFor(w, 1);
  const mss = await mssAcross(w, 'b', 'a', '10.8.0.1');
  await stop(w, a, SIGINT);
  await stop(w, b, SIGINT);
  return mss;
}

describe('--mssfix (on by default, 1492)', () => {
  it('clamps the MSS of a connection through the tunnel to 1343 (less the timestamps option)', async () => {
    // TCP_MAXSEG gives the MSS less the 12 bytes of timestamps both ends use, as Linux does.
    expect(await mssThroughTunnel([])).toBe(1343 - 12);
  });

  it('clamps to --tun-mtu less 40 when --tun-mtu is given', async () => {
    expect(await mssThroughTunnel(['--tun-mtu', '1400'])).toBe(1360 - 12);
  });
});

describe('--mssfix in TLS mode', () => {
  it('clamps to 1400 with AES-256-GCM and P_DATA_V2, the client’s SYNs and the server’s alike', async () => {
    const w = tlsWorld([mssd]);
    const b = await startOn(w, 'b', SERVER);
    await runFor(w, 1);
    const a = await startOn(w, 'a', CLIENT);
    await runFor(w, 3);
    // Client to server: the client clamps the SYN, the server the SYN-ACK; then the other way.
    expect(await mssAcross(w, 'b', 'a', '10.8.0.1')).toBe(1400 - 12);
    expect(await mssAcross(w, 'a', 'b', '10.8.0.2')).toBe(1400 - 12);
    await stop(w, a, SIGTERM);
    await stop(w, b, SIGTERM);
  });
});
