// Push and pull (push.c, options.c's pull filter): the server's PUSH_REPLY is a comma-separated
// list of options, each one written as in a config file; the client takes the ones a server may
// set (OPT_P_PULL_MODE) and logs what changed ("OPTIONS IMPORT: ..."). IPv6 options are accepted
// with a warning until the stack has IPv6; nothing fails because a peer sends them.

import { splitConfigLine } from './config-line.js';
import { atoi } from './option-spec.js';

export interface Pulled {
  ifconfig: { local: string; remote: string } | null;
  routeGateway: string | null;
  topology: 'net30' | 'p2p' | 'subnet' | null;
  routes: { network: string; netmask: string | null; gateway: string | null }[];
  ping: number | null;
  pingRestart: number | null;
  peerId: number | null;
  cipher: string | null;
  protocolFlags: string[];
  tunMtu: number | null;
  redirectGateway: string[] | null;
  dhcpOptions: [string, string][];
  /** Options 2.6 would take but tunlab leaves alone, each warned about once. */
  ignored: string[];
  /** Lines to log while importing (warnings). */
  warnings: string[];
}

const IPV6: ReadonlySet<string> = new Set(['ifconfig-ipv6', 'route-ipv6', 'tun-ipv6', 'redirect-gateway-ipv6']);
const QUIET: ReadonlySet<string> = new Set(['explicit-exit-notify', 'key-derivation', 'comp-lzo', 'compress', 'block-outside-dns', 'register-dns', 'dns']);

export function parsePushReply(text: string): Pulled {
  const p: Pulled = {
    ifconfig: null,
    routeGateway: null,
    topology: null,
    routes: [],
    ping: null,
    pingRestart: null,
    peerId: null,
    cipher: null,
    protocolFlags: [],
    tunMtu: null,
    redirectGateway: null,
    dhcpOptions: [],
    ignored: [],
    warnings: [],
  };
  const body = text.replace(/^PUSH_REPLY,?/, '');
  for (const item of body.split(',')) {
    const w = splitConfigLine(item);
    if (w.length === 0) continue;
    const [name, a, b, c] = w;
    switch (name) {
      case 'ifconfig':
        if (a && b) p.ifconfig = { local: a, remote: b };
        break;
      case 'route-gateway':
        if (a) p.routeGateway = a;
        break;
      case 'topology':
        if (a === 'net30' || a === 'p2p' || a === 'subnet') p.topology = a;
        break;
      case 'route':
        if (a) p.routes.push({ network: a, netmask: b && b !== 'default' ? b : null, gateway: c && c !== 'default' ? c : null });
        break;
      case 'ping':
        p.ping = atoi(a ?? '0');
        break;
      case 'ping-restart':
        p.pingRestart = atoi(a ?? '0');
        break;
      case 'peer-id':
        p.peerId = atoi(a ?? '0');
        break;
      case 'cipher':
        p.cipher = a ?? null;
        break;
      case 'protocol-flags':
        p.protocolFlags = w.slice(1);
        break;
      case 'tun-mtu':
        p.tunMtu = atoi(a ?? '1500');
        break;
      case 'redirect-gateway':
        p.redirectGateway = w.slice(1);
        break;
      case 'dhcp-option':
        if (a) p.dhcpOptions.push([a, b ?? '']);
        break;
      default:
        if (IPV6.has(name!)) p.warnings.push(`WARNING: Ignoring pushed option '${item}': tunlab has no IPv6 yet`);
        else if (!QUIET.has(name!)) p.ignored.push(item);
    }
  }
  return p;
}

/** What the server pushes to one client (send_push_reply), in 2.6's order. */
export function buildPushReply(o: {
  push: readonly string[];
  ifconfig: { local: string; remote: string } | null;
  peerId: number;
  cipher: string;
  ccExit: boolean;
  ekm: boolean;
  dynTlsCrypt: boolean;
  tunMtu: number;
}): string {
  const items = [...o.push];
  if (o.ifconfig) items.push(`ifconfig ${o.ifconfig.local} ${o.ifconfig.remote}`);
  items.push(`peer-id ${o.peerId}`, `cipher ${o.cipher}`);
  const flags = [o.ccExit ? 'cc-exit' : '', o.ekm ? 'tls-ekm' : '', o.dynTlsCrypt ? 'dyn-tls-crypt' : ''].filter((f) => f !== '');
  if (o.ccExit) items.push(`protocol-flags ${flags.join(' ')}`);
  else if (o.ekm) items.push('key-derivation tls-ekm');
  items.push(`tun-mtu ${o.tunMtu}`);
  return `PUSH_REPLY,${items.join(',')}`;
}
