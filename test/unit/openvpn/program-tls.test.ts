// tunlab's openvpn in TLS mode, server and client on two hosts of a routed world, in virtual time:
// the handshake, the push, the tun configured from it, a ping through, and the logs of both ends.

import { describe, expect, it } from 'vitest';
import { SIGTERM } from '../../../kernel/abi/signal.js';
import type { World } from '../../../kernel/world/world.js';
import { ROUTED_WORLD, routedWorld } from '../../helpers/net.js';
import { logLines, PROGRAMS, runFor, runOn, startOn, stop } from './program-helpers.js';
import { tlsText } from './tls-helpers.js';

function tlsWorld(): World {
  const spec = structuredClone(ROUTED_WORLD) as { hosts: Record<string, { files?: object }> };
  const files = (who: string) => ({
    '/etc/openvpn/ca.crt': { text: tlsText('ca.crt') },
    [`/etc/openvpn/${who}.crt`]: { text: tlsText(`${who}.crt`) },
    [`/etc/openvpn/${who}.key`]: { text: tlsText(`${who}.key`), mode: '0600' },
    '/etc/openvpn/tc.key': { text: tlsText('tc.key'), mode: '0600' },
    '/etc/openvpn/ta.key': { text: tlsText('ta.key'), mode: '0600' },
  });
  spec.hosts.a!.files = files('client');
  spec.hosts.b!.files = files('server');
  return routedWorld(PROGRAMS, spec).world;
}

const SERVER = [
  'openvpn', '--dev', 'tun', '--server', '10.8.0.0', '255.255.255.0', '--topology', 'subnet', '--dh', 'none',
  '--ca', '/etc/openvpn/ca.crt', '--cert', '/etc/openvpn/server.crt', '--key', '/etc/openvpn/server.key',
  '--tls-crypt', '/etc/openvpn/tc.key', '--keepalive', '2', '10', '--verb', '3',
];
const CLIENT = [
  'openvpn', '--client', '--dev', 'tun', '--remote', '10.0.0.2', '--nobind', '--ca', '/etc/openvpn/ca.crt',
  '--cert', '/etc/openvpn/client.crt', '--key', '/etc/openvpn/client.key', '--tls-crypt', '/etc/openvpn/tc.key',
  '--remote-cert-tls', 'server', '--verb', '3',
];

describe('TLS mode in a world', () => {
  it('a client gets its address pushed and pings the server through the tunnel', async () => {
    const w = tlsWorld();
    const b = await startOn(w, 'b', SERVER);
    await runFor(w, 1);
    const a = await startOn(w, 'a', CLIENT);
    await runFor(w, 3);
    const p = await runOn(w, 'a', ['ping', '-c', '2', '10.8.0.1']);
    await stop(w, a, SIGTERM);
    await stop(w, b, SIGTERM);
    const al = logLines(a.output());
    const bl = logLines(b.output());
    console.log(p.out + '\n' + al.join('\n') + '\n----\n' + bl.join('\n'));
    expect(p.out).toContain('2 packets transmitted, 2 packets received');
  });
});
