// The world's wiring as `topology` draws it, from what the topology syscall tells: segments with
// the cards plugged into them, bridges with their ports, and tunnels, found from addresses (a
// point-to-point tun's peer address is the far tun's own; two taps, or two tuns of a subnet,
// whose networks, or their bridges' networks, are the same are the two ends of one tunnel).
// Three drawings: text, Mermaid, DOT.

import type { TopologyHost, TopologyInterface, WorldTopology } from '../../kernel/abi/topology.js';
import { parseIpv4 } from '../../kernel/abi/wire/index.js';

interface End {
  host: string;
  iface: TopologyInterface;
}

export interface Wiring {
  hosts: TopologyHost[];
  /** Segment name -> the cards on it, in host order. */
  segments: Map<string, End[]>;
  bridges: Array<{ host: string; bridge: TopologyInterface; ports: string[] }>;
  tunnels: Array<{ a: End; b: End }>;
  /** Tuns and taps up with no far end found (a reader that is not a tunnel, or a peer outside). */
  loose: End[];
}

const addrOf = (cidr: string) => parseIpv4(cidr.split('/')[0]!);
const networkOf = (cidr: string) => {
  const [a, p] = cidr.split('/');
  const addr = parseIpv4(a!) ?? 0;
  const prefix = Number(p);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return `${(addr & mask) >>> 0}/${prefix}`;
};

export function wiring(t: WorldTopology): Wiring {
  const segments = new Map<string, End[]>();
  const bridges: Wiring['bridges'] = [];
  const tunnels: Wiring['tunnels'] = [];
  const ends: End[] = [];
  for (const h of t.hosts) {
    for (const i of h.interfaces) {
      if (i.segment !== undefined) {
        let list = segments.get(i.segment);
        if (!list) segments.set(i.segment, (list = []));
        list.push({ host: h.name, iface: i });
      }
      if (i.kind === 'bridge') bridges.push({ host: h.name, bridge: i, ports: h.interfaces.filter((m) => m.bridge === i.name).map((m) => m.name) });
      if ((i.kind === 'tun' || i.kind === 'tap') && i.running) ends.push({ host: h.name, iface: i });
    }
  }
  const paired = new Set<End>();
  // The network a tap is on: its own address, or its bridge's.
  const tapNet = (e: End): string | null => {
    const own = e.iface.addresses[0] ?? t.hosts.find((h) => h.name === e.host)?.interfaces.find((b) => b.name === e.iface.bridge)?.addresses[0];
    return own ? networkOf(own) : null;
  };
  for (const a of ends) {
    if (paired.has(a)) continue;
    const b = ends.find((x) => {
      if (x === a || paired.has(x) || x.host === a.host || x.iface.kind !== a.iface.kind) return false;
      if (a.iface.kind === 'tun' && a.iface.peer !== undefined) return x.iface.addresses.some((c) => addrOf(c) === parseIpv4(a.iface.peer!));
      // A tap, or a tun of a subnet (OpenVPN's topology subnet): the ends share a network.
      const n = tapNet(a);
      return n !== null && n === tapNet(x);
    });
    if (!b) continue;
    paired.add(a).add(b);
    tunnels.push({ a, b });
  }
  return { hosts: t.hosts, segments, bridges, tunnels, loose: ends.filter((e) => !paired.has(e)) };
}

const describeEnd = (e: End) => [e.host, e.iface.name, ...e.iface.addresses].join(' ');

export function topologyText(w: Wiring): string {
  const lines: string[] = [];
  const hostWidth = Math.max(4, ...w.hosts.map((h) => h.name.length));
  const ifWidth = Math.max(4, ...[...w.segments.values()].flat().map((e) => e.iface.name.length));
  for (const [name, list] of w.segments) {
    lines.push(`segment ${name}`);
    for (const e of list) lines.push(`  ${e.host.padEnd(hostWidth)}  ${e.iface.name.padEnd(ifWidth)}  ${e.iface.addresses.join(' ') || '(no address)'}`.trimEnd());
  }
  for (const b of w.bridges) lines.push(`bridge ${b.host} ${b.bridge.name}${b.bridge.addresses.length ? ` ${b.bridge.addresses.join(' ')}` : ''}: ${b.ports.join(', ') || '(no port)'}`);
  for (const t of w.tunnels) lines.push(`tunnel (${t.a.iface.kind}) ${describeEnd(t.a)} <=> ${describeEnd(t.b)}`);
  for (const e of w.loose) lines.push(`${e.iface.kind} ${describeEnd(e)}${e.iface.peer ? ` peer ${e.iface.peer}` : ''}: no far end in this world`);
  const routers = w.hosts.filter((h) => h.forwarding).map((h) => h.name);
  if (routers.length) lines.push(`forwarding: ${routers.join(', ')}`);
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** A DOT string: quotes and backslashes escaped, a line break as DOT's \\n. */
const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** Mermaid's flowchart: hosts as boxes, segments as circles, tunnels as dotted links. */
export function topologyMermaid(w: Wiring): string {
  const id = new Map<string, string>();
  const node = (key: string) => {
    let n = id.get(key);
    if (!n) id.set(key, (n = `n${id.size}`));
    return n;
  };
  const text = (s: string) => s.replace(/"/g, '#quot;');
  const lines = ['graph LR'];
  for (const h of w.hosts) lines.push(`  ${node(`host:${h.name}`)}["${text(h.name)}"]`);
  for (const name of w.segments.keys()) lines.push(`  ${node(`segment:${name}`)}(("${text(name)}"))`);
  for (const [name, list] of w.segments)
    for (const e of list) lines.push(`  ${node(`host:${e.host}`)} ---|"${text([e.iface.name, ...e.iface.addresses].join(' '))}"| ${node(`segment:${name}`)}`);
  for (const t of w.tunnels)
    lines.push(`  ${node(`host:${t.a.host}`)} -.-|"${text(`${t.a.iface.name} - ${t.b.iface.name} (${t.a.iface.kind} tunnel)`)}"| ${node(`host:${t.b.host}`)}`);
  return `${lines.join('\n')}\n`;
}

/** Graphviz DOT: an undirected graph, hosts as boxes, segments as ellipses, tunnels dashed. */
export function topologyDot(w: Wiring): string {
  const lines = ['graph world {', '  node [fontname="sans-serif"];'];
  for (const h of w.hosts) lines.push(`  ${quote(`host ${h.name}`)} [label=${quote(h.name)}, shape=box];`);
  for (const name of w.segments.keys()) lines.push(`  ${quote(`segment ${name}`)} [label=${quote(name)}, shape=ellipse];`);
  for (const [name, list] of w.segments)
    for (const e of list) lines.push(`  ${quote(`host ${e.host}`)} -- ${quote(`segment ${name}`)} [label=${quote([e.iface.name, ...e.iface.addresses].join('\n'))}];`);
  for (const t of w.tunnels)
    lines.push(`  ${quote(`host ${t.a.host}`)} -- ${quote(`host ${t.b.host}`)} [style=dashed, label=${quote(`${t.a.iface.kind} tunnel\n${t.a.iface.name} - ${t.b.iface.name}`)}];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
