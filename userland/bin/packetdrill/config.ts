// packetdrill's configuration (config.c): defaults, the --name=value options a command line or a
// script's first lines may give (the command line wins), and the addresses they come to.

import { maskFromPrefix, parseIpv4, prefixFromMask } from '../../../kernel/abi/wire/address.js';
import { DEFAULT_MTU } from './netdev.js';

export interface Config {
  scriptPath: string;
  toleranceUsecs: number;
  tolerancePercent: number;
  bindPort: number;
  connectPort: number;
  localIp: string;
  remoteIp: string;
  gatewayIp: string;
  netmaskIp: string;
  mtu: number;
  mss: number;
  initScripts: string | null;
  tcpTsTickUsecs: number;
  tcpTsEcrScaled: boolean;
  strictSegments: boolean;
  nonFatal: { packet: boolean; syscall: boolean };
  dryRun: boolean;
  verbose: boolean;
  codeCommand: string;
  defines: Map<string, string>;
}

export function defaultConfig(): Config {
  return {
    scriptPath: '',
    toleranceUsecs: 4000,
    tolerancePercent: 12.5,
    bindPort: 8080,
    connectPort: 8080,
    localIp: '',
    remoteIp: '',
    gatewayIp: '',
    netmaskIp: '',
    mtu: DEFAULT_MTU,
    mss: 0,
    initScripts: null,
    tcpTsTickUsecs: 0,
    tcpTsEcrScaled: false,
    strictSegments: false,
    nonFatal: { packet: false, syscall: false },
    dryRun: false,
    verbose: false,
    codeCommand: 'python3',
    defines: new Map(),
  };
}

/** Options that take a value (the rest are flags). */
const WITH_VALUE: ReadonlySet<string> = new Set([
  'ip_version', 'bind_port', 'code_command', 'code_format', 'code_sockopt', 'connect_port', 'remote_ip', 'local_ip',
  'gateway_ip', 'netmask_ip', 'init_scripts', 'speed', 'mss', 'mtu', 'tolerance_usecs', 'tolerance_percent',
  'tcp_ts_tick_usecs', 'non_fatal', 'define', 'wire_server_ip', 'wire_server_at', 'wire_server_port', 'wire_client_dev',
  'wire_server_dev', 'so_filename', 'so_flags', 'psp_udp_port',
]);
const FLAGS: ReadonlySet<string> = new Set(['tcp_ts_ecr_scaled', 'strict_segments', 'dry_run', 'is_anyip', 'send_omit_free', 'debug', 'verbose', 'wire_client', 'wire_server']);

export function isOption(name: string): boolean {
  return WITH_VALUE.has(name) || FLAGS.has(name);
}

export function takesValue(name: string): boolean {
  return WITH_VALUE.has(name);
}

/** One option, from either place (config.c's process_option); an error message, or null. */
export function applyOption(c: Config, name: string, value: string | null, where: string): string | null {
  const int = (min: number, max: number): number | string => {
    const v = value ?? '';
    if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) return `${where}: bad --${name}: ${v}\n`;
    return Number(v);
  };
  const set = <K extends keyof Config>(k: K, v: Config[K] | string): string | null => {
    if (typeof v === 'string' && typeof c[k] !== 'string') return v;
    c[k] = v as Config[K];
    return null;
  };
  if (!isOption(name)) return `${where}: unrecognized option '--${name}'\n`;
  if (takesValue(name) && value === null) return `${where}: option '--${name}' requires an argument\n`;
  switch (name) {
    case 'ip_version':
      return value === 'ipv4' ? null : `${where}: bad --ip_version: ${value} (tunlab's stack is IPv4 only)\n`;
    case 'bind_port':
      return set('bindPort', int(0, 65535));
    case 'connect_port':
      return set('connectPort', int(0, 65535));
    case 'remote_ip':
      return set('remoteIp', value!);
    case 'local_ip':
      return set('localIp', value!);
    case 'gateway_ip':
      return set('gatewayIp', value!);
    case 'netmask_ip':
      return set('netmaskIp', value!);
    case 'mtu':
      return set('mtu', int(68, 65535));
    case 'mss':
      return set('mss', int(0, 65535));
    case 'init_scripts':
      return set('initScripts', value!);
    case 'tolerance_usecs':
      return set('toleranceUsecs', int(0, 2 ** 31 - 1));
    case 'tolerance_percent': {
      const v = Number(value);
      if (!(v >= 0 && v <= 100)) return `${where}: bad --tolerance_percent: ${value}\n`;
      c.tolerancePercent = v;
      return null;
    }
    case 'tcp_ts_tick_usecs':
      return set('tcpTsTickUsecs', int(0, 1_000_000));
    case 'tcp_ts_ecr_scaled':
      c.tcpTsEcrScaled = true;
      return null;
    case 'strict_segments':
      c.strictSegments = true;
      return null;
    case 'non_fatal':
      for (const t of value!.split(',')) {
        if (t === 'packet') c.nonFatal.packet = true;
        else if (t === 'syscall') c.nonFatal.syscall = true;
        else return `${where}: bad --non_fatal: ${value}\n`;
      }
      return null;
    case 'dry_run':
      c.dryRun = true;
      return null;
    case 'verbose':
      c.verbose = true;
      return null;
    case 'define': {
      const eq = value!.indexOf('=');
      if (eq <= 0) return `${where}: bad --define: ${value}\n`;
      c.defines.set(value!.slice(0, eq), value!.slice(eq + 1));
      return null;
    }
    case 'code_command':
      c.codeCommand = value!;
      return null;
    case 'code_format':
      return value === 'python' ? null : `unsupported --code_format '${value}'\n`;
    case 'code_sockopt':
      return value === '' || value === 'TCP_INFO' ? null : `unsupported --code_sockopt '${value}'\n`;
    case 'speed':
    case 'debug':
    case 'send_omit_free':
    case 'psp_udp_port':
      return null;
    default:
      return `${where}: --${name} is not supported by tunlab's packetdrill (no wire mode, no shared-object mode)\n`;
  }
}

export interface Addresses {
  localIp: number;
  remoteIp: number;
  remotePrefix: number;
  gatewayIp: number;
  prefixLen: number;
}

/**
 * finalize_config for IPv4: the remote address and its prefix, the netmask, the gateway, and the
 * local address, random in the local prefix unless given (generate_random_ipv4_addr: never .0,
 * .1, which is the gateway, nor the broadcast address).
 */
export function finalizeAddresses(c: Config, random32: number): Addresses | string {
  const [remote, plen] = (c.remoteIp || '192.0.2.1/24').split('/');
  const remoteIp = parseIpv4(remote!);
  const remotePrefix = plen === undefined ? 32 : Number(plen);
  if (remoteIp === null || !(remotePrefix >= 0 && remotePrefix <= 32)) return `bad remote IP: ${c.remoteIp}\n`;
  const mask = parseIpv4(c.netmaskIp || '255.255.0.0');
  const prefixLen = mask === null ? null : prefixFromMask(mask);
  if (prefixLen === null) return `bad netmask: ${c.netmaskIp}\n`;
  const gatewayIp = parseIpv4(c.gatewayIp || '192.168.0.1');
  if (gatewayIp === null) return `bad gateway IP: ${c.gatewayIp}\n`;
  let localIp: number | null;
  if (c.localIp) localIp = parseIpv4(c.localIp);
  else {
    localIp = parseIpv4('192.168.0.0')!;
    if (prefixLen < 31) {
      const hostMask = prefixLen === 0 ? 0xffff_ffff : ~maskFromPrefix(prefixLen) >>> 0;
      let rnd = random32 & hostMask;
      if (rnd < 2) rnd = 2;
      if (rnd === hostMask) rnd--;
      localIp = (localIp | rnd) >>> 0;
    }
  }
  if (localIp === null) return `bad local IP: ${c.localIp}\n`;
  return { localIp, remoteIp, remotePrefix, gatewayIp, prefixLen };
}
