// The uplink towards an address --uplink-allow lets it reach (issue 12, item 8), in a network
// namespace this test creates with a veth pair, one end 192.0.2.1/24 (TEST-NET-1, nowhere else):
// tunlab's real socket for the guest's flow is bound to 192.0.2.1, the address the route needs,
// never 0.0.0.0, and connected to its peer, so a datagram from another sender never reaches the
// guest. It needs root and network namespaces; it is skipped, saying why, only when `id -u` is not
// 0 or `ip netns add` fails.

import { beforeAll, describe, expect, it } from 'vitest';
import { fileNetns, launch, runTool, skipUnlessAble } from './helpers.js';
import { ensureBuilt, TUNLAB_COMMAND } from '../helpers/command.js';

const PEER = '192.0.2.1';
const PORT = 7000;

beforeAll(ensureBuilt);

const ns = fileNetns('tunlab-ul', [], (name) => {
  for (const cmd of [
    ['link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1'],
    ['addr', 'add', `${PEER}/24`, 'dev', 'v0'],
    ['link', 'set', 'v0', 'up'],
    ['link', 'set', 'v1', 'up'],
  ]) {
    const r = runTool(['ip', '-n', name, ...cmd]);
    if (r.status !== 0) throw new Error(`ip -n ${name} ${cmd.join(' ')}: ${r.out}`);
  }
});
const NS = ns.name;

/**
 * The peer: on a datagram it prints how the real kernel sees tunlab's socket (ss), has a stranger
 * send to that socket first, then echoes.
 */
const SERVER = `
const dgram = require('node:dgram');
const { execFileSync } = require('node:child_process');
const s = dgram.createSocket('udp4');
const stranger = dgram.createSocket('udp4');
stranger.bind(0, '${PEER}');
s.on('message', (m, r) => {
  console.log('from ' + r.address + ':' + r.port);
  console.log('ss ' + execFileSync('ss', ['-uanH', 'sport = :' + r.port], { encoding: 'utf8' }).trim().replace(/\\s+/g, ' '));
  stranger.send('stranger', r.port, r.address, () => setTimeout(() => s.send('echo:' + m, r.port, r.address), 300));
});
s.bind(${PORT}, '${PEER}', () => console.log('listening'));
`;

describe('the uplink to an allowed address outside the loopback', () => {
  it('binds the address the route needs, not 0.0.0.0, and hears only the peer it sent to', async (ctx) => {
    skipUnlessAble(ctx, ns.why(), 'interop uplink-allow test');
    const server = launch('udp peer (netns)', [process.execPath, '-e', SERVER], { netns: NS });
    await server.waitFor('listening');
    const script = `route add /dev/net/virtio/0 192.0.2.0 netmask 255.255.255.0 gw 10.0.2.2 && udpclient -w 3 ${PEER} ${PORT} hi`;
    const tl = launch('tunlab (netns)', [process.execPath, TUNLAB_COMMAND, '--clock', 'real', '--no-color', '--uplink-allow', '192.0.2.0/24', '-c', script], { netns: NS });
    expect(await tl.exit(), tl.output).toBe(0);
    expect(tl.output).toBe(`reply from ${PEER}:${PORT}: echo:hi\n`);
    const port = /from 192\.0\.2\.1:(\d+)/.exec(server.output)?.[1];
    expect(port, server.output).toBeDefined();
    // Connected (ESTAB), from 192.0.2.1 to the peer: never 0.0.0.0:PORT.
    expect(server.output).toContain(`ss ESTAB 0 0 ${PEER}:${port} ${PEER}:${PORT}`);
  }, 60_000);
});
