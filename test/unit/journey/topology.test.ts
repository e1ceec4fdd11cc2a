// topology's wiring from what the topology syscall reports: tunnel ends paired by their programs'
// sockets (one end's flow reaching the other's local address and port), and where no socket says,
// tuns by their peer addresses, taps by their networks (a bridged tap by its bridge's); what has
// no far end said so.

import { describe, expect, it } from 'vitest';
import type { TopologyInterface, WorldTopology } from '../../../kernel/abi/topology.js';
import { topologyText, wiring } from '../../../userland/lib/topology.js';

const nic = (name: string, segment: string, addresses: string[], more: Partial<TopologyInterface> = {}): TopologyInterface => ({ name, kind: 'nic', running: true, addresses, segment, ...more });

describe('topology', () => {
  it('pairs a bridged tap with the tap on its network, and leaves a tun with no far end loose', () => {
    const world: WorldTopology = {
      hosts: [
        {
          name: 'switch',
          forwarding: false,
          interfaces: [
            nic('eth0', 'left', [], { bridge: 'bridge/0' }),
            { name: 'bridge/0', kind: 'bridge', running: true, addresses: ['192.168.50.1/24'] },
            { name: 'tap/0', kind: 'tap', running: true, addresses: [], bridge: 'bridge/0' },
            { name: 'tun/0', kind: 'tun', running: true, addresses: ['10.8.0.2/32'], peer: '10.8.0.1' },
          ],
        },
        { name: 'remote', forwarding: true, interfaces: [{ name: 'tap/0', kind: 'tap', running: true, addresses: ['192.168.50.30/24'] }, nic('eth0', 'left', ['192.168.50.9/24'])] },
      ],
    };
    expect(topologyText(wiring(world))).toBe(
      [
        'segment left',
        '  switch  eth0  (no address)',
        '  remote  eth0  192.168.50.9/24',
        'bridge switch bridge/0 192.168.50.1/24: eth0, tap/0',
        'tunnel (tap) switch tap/0 <=> remote tap/0 192.168.50.30/24',
        'tun switch tun/0 10.8.0.2/32 peer 10.8.0.1: no far end in this world',
        'forwarding: remote',
        '',
      ].join('\n'),
    );
  });

  it('pairs tuns whose peer address is the other one, and not a tun with a tap', () => {
    const t = (host: string, addr: string, peer: string, kind: 'tun' | 'tap' = 'tun') => ({
      name: host,
      forwarding: false,
      interfaces: [{ name: `${kind}/0`, kind, running: true, addresses: [`${addr}/32`], peer }],
    });
    // OpenVPN's topology subnet: no peer, one network.
    const subnet = (host: string, addr: string) => ({ name: host, forwarding: false, interfaces: [{ name: 'tun/1', kind: 'tun' as const, running: true, addresses: [`${addr}/24`] }] });
    const w = wiring({ hosts: [t('a', '10.8.0.2', '10.8.0.1'), t('b', '10.8.0.1', '10.8.0.2'), t('c', '10.8.0.1', '10.8.0.2', 'tap'), subnet('s', '10.9.0.1'), subnet('d', '10.9.0.6')] });
    expect(w.tunnels.map((x) => `${x.a.host}-${x.b.host}`)).toEqual(['a-b', 's-d']);
    expect(w.loose.map((x) => x.host)).toEqual(['c']);
  });

  const nics = (addr: string) => nic('/dev/net/virtio/0', 'internet', [`${addr}/24`]);
  const tun = (name: string, addr: string, peer: string, flows: Array<[string, string]>): TopologyInterface => ({
    name,
    kind: 'tun',
    running: true,
    addresses: [`${addr}/32`],
    peer,
    flows: flows.map(([local, remote]) => ({ proto: 'udp', local, remote })),
  });

  it('pairs two tunnels between the same hosts, with the same addresses, by the ports their programs use', () => {
    const w = wiring({
      hosts: [
        { name: 'a', forwarding: false, interfaces: [nics('64.233.160.2'), tun('tun/0', '10.8.0.2', '10.8.0.1', [['0.0.0.0:1194', '64.233.160.1:1194']]), tun('tun/1', '10.8.0.2', '10.8.0.1', [['0.0.0.0:40000', '64.233.160.1:1195']])] },
        // The server's sockets are unconnected and have not sent yet: the client's flow alone says.
        { name: 'b', forwarding: false, interfaces: [nics('64.233.160.1'), tun('tun/0', '10.8.0.1', '10.8.0.2', [['0.0.0.0:1195', '*:*']]), tun('tun/1', '10.8.0.1', '10.8.0.2', [['64.233.160.1:1194', '*:*']])] },
      ],
    });
    expect(topologyText(w).split('\n').filter((l) => l.startsWith('tunnel'))).toEqual([
      'tunnel (tun) a tun/0 10.8.0.2/32 <=> b tun/1 10.8.0.1/32 over udp 0.0.0.0:1194 > 64.233.160.1:1194',
      'tunnel (tun) a tun/1 10.8.0.2/32 <=> b tun/0 10.8.0.1/32 over udp 0.0.0.0:40000 > 64.233.160.1:1195',
    ]);
  });

  it('pairs through a NAT by the flow that reaches the server, and leaves an end whose peer is outside the world loose', () => {
    const w = wiring({
      hosts: [
        // Behind a NAT: the server sees the router's address, not this one's; the client's flow still reaches it.
        { name: 'home', forwarding: false, interfaces: [nic('eth0', 'lan', ['192.168.1.10/24']), tun('tun/0', '10.8.0.2', '10.8.0.1', [['0.0.0.0:1194', '64.233.160.1:1194']])] },
        { name: 'vpn', forwarding: false, interfaces: [nics('64.233.160.1'), tun('tun/0', '10.8.0.1', '10.8.0.2', [['0.0.0.0:1194', '64.233.160.254:61000']])] },
        // Its program talks to a real peer through the uplink: the same tunnel addresses are no tunnel to vpn.
        { name: 'road', forwarding: false, interfaces: [nic('eth0', 'uplink', ['10.0.2.15/24']), tun('tun/0', '10.8.0.2', '10.8.0.1', [['0.0.0.0:49152', '10.0.2.2:1194']])] },
      ],
    });
    expect(topologyText(w).split('\n').filter((l) => /^(tunnel|tun) /.test(l))).toEqual([
      'tunnel (tun) home tun/0 10.8.0.2/32 <=> vpn tun/0 10.8.0.1/32 over udp 0.0.0.0:1194 > 64.233.160.1:1194',
      'tun road tun/0 10.8.0.2/32 peer 10.8.0.1: no far end in this world (udp 0.0.0.0:49152 > 10.0.2.2:1194)',
    ]);
  });
});
