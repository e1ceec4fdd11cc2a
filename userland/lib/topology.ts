// The world's wiring as `topology` draws it, from what the topology syscall tells: segments with
// the cards plugged into them, bridges with their ports, and tunnels. A tunnel's two ends are
// found by what joins them: the sockets of the programs on them (as `ss` shows them), one end's
// connected socket reaching the other's local address and port (its address, or any of its
// host's when bound to 0.0.0.0). So two tunnels between the same hosts pair by port, and an end
// whose program talks to a peer outside the world (a real one, through the uplink) is no tunnel
// to an inside end that only shares its addresses. Where no socket says (both ends unconnected,
// as WireGuard's are), addresses do: a point-to-point tun's peer address is the far tun's own;
// two taps, or two tuns of a subnet, whose networks (or their bridges') are the same.
// Three drawings: text, Mermaid, DOT.

import type { TopologyFlow, TopologyHost, TopologyInterface, WorldTopology } from '../../kernel/abi/topology.js';
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
  /** `over`: the connected socket that joins them, when one does. */
  tunnels: Array<{ a: End; b: End; over?: TopologyFlow }>;
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
  const hostAddrs = new Map(t.hosts.map((h) => [h.name, new Set(h.interfaces.flatMap((i) => i.addresses.map((c) => c.split('/')[0]!)))]));
  const connected = (e: End) => (e.iface.flows ?? []).filter((f) => f.remote !== '*:*');
  /** A connected socket of one end whose remote is a local socket of the other end. */
  const reaching = (from: End, to: End): TopologyFlow | undefined =>
    connected(from).find((f) =>
      (to.iface.flows ?? []).some((g) => {
        if (g.proto !== f.proto) return false;
        const [ra, rp] = splitEndpoint(f.remote);
        const [la, lp] = splitEndpoint(g.local);
        return rp === lp && (la === ra || (la === '0.0.0.0' && hostAddrs.get(to.host)!.has(ra)));
      }),
    );
  for (const a of ends) {
    if (paired.has(a)) continue;
    for (const b of ends) {
      if (b === a || paired.has(b) || b.host === a.host || b.iface.kind !== a.iface.kind) continue;
      const ab = reaching(a, b);
      const ba = ab ? undefined : reaching(b, a);
      if (!ab && !ba) continue;
      paired.add(a).add(b);
      tunnels.push(ab ? { a, b, over: ab } : { a: b, b: a, over: ba! });
      break;
    }
  }
  // The network a tap is on: its own address, or its bridge's.
  const tapNet = (e: End): string | null => {
    const own = e.iface.addresses[0] ?? t.hosts.find((h) => h.name === e.host)?.interfaces.find((b) => b.name === e.iface.bridge)?.addresses[0];
    return own ? networkOf(own) : null;
  };
  // No socket says: by addresses, among the ends whose programs talk to no one else.
  for (const a of ends) {
    if (paired.has(a) || connected(a).length > 0) continue;
    const b = ends.find((x) => {
      if (x === a || paired.has(x) || connected(x).length > 0 || x.host === a.host || x.iface.kind !== a.iface.kind) return false;
      if (a.iface.kind === 'tun' && a.iface.peer !== undefined) return x.iface.addresses.some((c) => addrOf(c) === parseIpv4(a.iface.peer!));
      // A tap, or a tun of a subnet (OpenVPN's topology subnet): the ends share a network.
      const n = tapNet(a);
      return n !== null && n === tapNet(x);
    });
    if (!b) continue;
    paired.add(a).add(b);
    tunnels.push({ a, b });
  }
  // In the order of the hosts and their interfaces, however each pair was found.
  const first = (x: Wiring['tunnels'][number]) => Math.min(ends.indexOf(x.a), ends.indexOf(x.b));
  tunnels.sort((x, y) => first(x) - first(y));
  return { hosts: t.hosts, segments, bridges, tunnels, loose: ends.filter((e) => !paired.has(e)) };
}

/** "addr:port" as [addr, port]. */
function splitEndpoint(s: string): [string, string] {
  const at = s.lastIndexOf(':');
  return [s.slice(0, at), s.slice(at + 1)];
}

const describeEnd = (e: End) => [e.host, e.iface.name, ...e.iface.addresses].join(' ');
const describeFlow = (f: TopologyFlow) => `${f.proto} ${f.local} > ${f.remote}`;

export function topologyText(w: Wiring): string {
  const lines: string[] = [];
  const hostWidth = Math.max(4, ...w.hosts.map((h) => h.name.length));
  const ifWidth = Math.max(4, ...[...w.segments.values()].flat().map((e) => e.iface.name.length));
  for (const [name, list] of w.segments) {
    lines.push(`segment ${name}`);
    for (const e of list) lines.push(`  ${e.host.padEnd(hostWidth)}  ${e.iface.name.padEnd(ifWidth)}  ${e.iface.addresses.join(' ') || '(no address)'}`.trimEnd());
  }
  for (const b of w.bridges) lines.push(`bridge ${b.host} ${b.bridge.name}${b.bridge.addresses.length ? ` ${b.bridge.addresses.join(' ')}` : ''}: ${b.ports.join(', ') || '(no port)'}`);
  for (const t of w.tunnels) lines.push(`tunnel (${t.a.iface.kind}) ${describeEnd(t.a)} <=> ${describeEnd(t.b)}${t.over ? ` over ${describeFlow(t.over)}` : ''}`);
  for (const e of w.loose) {
    const out = (e.iface.flows ?? []).filter((f) => f.remote !== '*:*');
    lines.push(`${e.iface.kind} ${describeEnd(e)}${e.iface.peer ? ` peer ${e.iface.peer}` : ''}: no far end in this world${out.length ? ` (${out.map(describeFlow).join(', ')})` : ''}`);
  }
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
