// The topology call: every host of the world and its interfaces that are up, as kernel/abi/
// topology.ts says. Like `hosts`, it lets a program see the whole world (a lab, not a network
// anyone must be kept out of).

import type { TopologyFlow, TopologyHost, TopologyInterface, WorldTopology } from '../abi/topology.js';
import { formatIpv4, prefixFromMask } from '../abi/wire/address.js';
import { Nic } from '../drivers/ethernet/nic.js';
import { TunDevice } from '../drivers/tun/tun-device.js';
import { TunFile } from '../drivers/tun/tun-file.js';
import { BridgeDevice } from '../net/iface/bridge.js';
import type { NetInterface } from '../net/iface/interface.js';
import { socketTable } from '../net/socket/ioctl.js';
import { UdpSocket } from '../net/socket/udp.js';
import { DeviceFile } from '../vfs/devfs.js';
import type { KernelServices } from './context.js';
import type { SyscallTable } from './table.js';

/**
 * For each tun/tap interface of a host, the UDP and TCP sockets of the processes that have it
 * open, as `ss` shows them (an unconnected UDP socket with where it last sent, as conntrack
 * knows it): what really joins a tunnel's two ends.
 */
function tunnelFlows(k: KernelServices): Map<string, TopologyFlow[]> {
  const byIno = new Map(socketTable(k.sockets).map((s) => [s.ino, s]));
  const udp = new Map(k.sockets.all().flatMap((s) => (s instanceof UdpSocket ? [[s.id, s] as const] : [])));
  const out = new Map<string, TopologyFlow[]>();
  for (const p of k.procs.byPid.values()) {
    const files = p.fds.entries().map(([, f]) => f);
    const ifaces = new Set<string>();
    for (const f of files) if (f instanceof DeviceFile && f.cookie instanceof TunFile && f.cookie.device) ifaces.add(f.cookie.device.iface.name);
    if (ifaces.size === 0) continue;
    const flows: TopologyFlow[] = [];
    for (const f of files) {
      if (f.kind !== 'sock') continue;
      const s = byIno.get(f.stat().st_ino);
      if (!s || (s.proto !== 'udp' && s.proto !== 'tcp')) continue;
      // An unconnected UDP socket's far end: where it sends (ss shows none).
      const remote = s.proto === 'udp' ? (udp.get(s.ino!)?.flowPeer() ?? s.remote) : s.remote;
      if (!flows.some((x) => x.proto === s.proto && x.local === s.local && x.remote === remote)) flows.push({ proto: s.proto, local: s.local, remote });
    }
    for (const name of ifaces) out.set(name, [...(out.get(name) ?? []), ...flows]);
  }
  return out;
}

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
  const flows = tunnelFlows(k);
  const interfaces = [...stack.interfaces.values()]
    .filter((i) => i !== stack.loop && i.up)
    .map((i) => {
      const t = describe(i);
      const f = flows.get(i.name);
      return f && f.length > 0 ? { ...t, flows: f } : t;
    });
  return { name: k.name, forwarding: stack.forwarding, interfaces };
}

export const topologySyscalls = {
  topology(c): WorldTopology {
    const w = c.k.world;
    if (!w) return { hosts: [host(c.k)] };
    return { hosts: w.hostNames().map((n) => host(w.host(n) ?? c.k)) };
  },
} satisfies SyscallTable<'topology'>;
