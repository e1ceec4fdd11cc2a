// The topology call: every host of the world and its interfaces that are up, as kernel/abi/
// topology.ts says. Like `hosts`, it lets a program see the whole world (a lab, not a network
// anyone must be kept out of).

import type { TopologyHost, TopologyInterface, WorldTopology } from '../abi/topology.js';
import { formatIpv4, prefixFromMask } from '../abi/wire/address.js';
import { Nic } from '../drivers/ethernet/nic.js';
import { TunDevice } from '../drivers/tun/tun-device.js';
import { BridgeDevice } from '../net/iface/bridge.js';
import type { NetInterface } from '../net/iface/interface.js';
import type { KernelServices } from './context.js';
import type { SyscallTable } from './table.js';

function describe(i: NetInterface): TopologyInterface {
  const d = i.device;
  const kind = d instanceof TunDevice ? d.kind : d instanceof BridgeDevice ? 'bridge' : 'nic';
  const t: TopologyInterface = {
    name: i.name,
    kind,
    running: i.running,
    addresses: i.addresses.filter((a) => a.addr !== 0).map((a) => `${formatIpv4(a.addr)}/${prefixFromMask(a.mask) ?? 32}`),
  };
  const peer = i.addresses.find((a) => a.peer !== null)?.peer;
  if (peer !== undefined && peer !== null) t.peer = formatIpv4(peer);
  if (d instanceof Nic && d.segment !== null) t.segment = d.segment;
  if (i.master instanceof BridgeDevice) t.bridge = i.master.iface.name;
  return t;
}

function host(k: KernelServices): TopologyHost {
  const stack = k.sockets.stack;
  const interfaces = [...stack.interfaces.values()].filter((i) => i !== stack.loop && i.up).map(describe);
  return { name: k.name, forwarding: stack.forwarding, interfaces };
}

export const topologySyscalls = {
  topology(c): WorldTopology {
    const w = c.k.world;
    if (!w) return { hosts: [host(c.k)] };
    return { hosts: w.hostNames().map((n) => host(w.host(n) ?? c.k)) };
  },
} satisfies SyscallTable<'topology'>;
