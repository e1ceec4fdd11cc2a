// topology's wiring from what the topology syscall reports: tuns paired by their peer addresses,
// taps by their networks (a bridged tap by its bridge's), and what has no far end said so.

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
});
