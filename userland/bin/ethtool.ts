// ethtool -k / -K: show and change an interface's offload features, as Linux's ethtool 6.1 does
// over netlink: the same feature names (the kernel's string set), the same grouping of -k's output
// (rx-checksumming, tx-checksumming, scatter-gather, tcp-segmentation-offload ... with their
// features indented under them), "[fixed]" for what the device cannot change and "[requested on]"
// where a dependency holds a wanted feature off; -K's "Actual changes:" report when the result is
// not what was asked, and ethtool's messages and exit statuses for a bad device, feature or value.

import { isSysError, type ErrnoName } from '../../kernel/abi/errno.js';
import { ETHTOOL_GFEATURES, ETHTOOL_SFEATURES, type EthtoolFeatures, NETDEV_FEATURES } from '../../kernel/abi/ethtool.js';
import { SIOCETHTOOL } from '../../kernel/abi/ioctl.js';
import { defineProgram } from '../../kernel/abi/program.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { command, parse } from '../lib/cli.js';
import { guarded } from '../lib/guard.js';
import { eprint, print } from '../lib/io.js';
import { netSocket } from '../lib/netconf.js';

/** ethtool's off_flag_def: the old short names, the long names -k shows, the kernel names they cover. */
const GROUPS: ReadonlyArray<{ short: string; long: string; pattern: RegExp }> = [
  { short: 'rx', long: 'rx-checksumming', pattern: /^rx-checksum$/ },
  { short: 'tx', long: 'tx-checksumming', pattern: /^tx-checksum-.*$/ },
  { short: 'sg', long: 'scatter-gather', pattern: /^tx-scatter-gather.*$/ },
  { short: 'tso', long: 'tcp-segmentation-offload', pattern: /^tx-tcp.*-segmentation$/ },
  { short: 'ufo', long: 'udp-fragmentation-offload', pattern: /^tx-udp-fragmentation$/ },
  { short: 'gso', long: 'generic-segmentation-offload', pattern: /^tx-generic-segmentation$/ },
  { short: 'gro', long: 'generic-receive-offload', pattern: /^rx-gro$/ },
  { short: 'lro', long: 'large-receive-offload', pattern: /^rx-lro$/ },
  { short: 'rxvlan', long: 'rx-vlan-offload', pattern: /^rx-vlan-hw-parse$/ },
  { short: 'txvlan', long: 'tx-vlan-offload', pattern: /^tx-vlan-hw-insert$/ },
  { short: 'ntuple', long: 'ntuple-filters', pattern: /^rx-ntuple-filter$/ },
  { short: 'rxhash', long: 'receive-hashing', pattern: /^rx-hashing$/ },
];

/** Exit status of a failed netlink request (ethtool passes on what its netlink layer returns). */
const EXIT_NETLINK = 92;

type Features = Required<Pick<EthtoolFeatures, 'available' | 'requested' | 'active' | 'neverChanged'>>;

/** The bits a group or a kernel name stands for, in bit order; empty for a name nobody knows. */
function bitsOf(name: string): number[] {
  const group = GROUPS.find((g) => g.short === name);
  const match = (n: string): boolean => (group ? group.pattern.test(n) : n === name);
  const out: number[] = [];
  NETDEV_FEATURES.forEach((n, i) => {
    if (n !== '' && match(n)) out.push(i);
  });
  return out;
}

const onOff = (v: boolean | undefined): string => (v ? 'on' : 'off');
const align4 = (n: number): number => (n + 3) & ~3;

async function getFeatures(sys: Sys, fd: number, dev: string): Promise<Features | ErrnoName> {
  const cmd: EthtoolFeatures = { cmd: ETHTOOL_GFEATURES };
  try {
    await sys.ioctl(fd, SIOCETHTOOL, { ifr_name: dev, ifr_data: cmd });
  } catch (e) {
    if (isSysError(e)) return e.errno;
    throw e;
  }
  return cmd as Features;
}

/** One feature's line of -k: on or off, and why it may not be what was asked. */
function featureLine(f: Features, i: number, name: string, indent: string): string {
  const active = f.active[i] === true;
  let note = '';
  if (!f.available[i] || f.neverChanged[i]) note = ' [fixed]';
  else if (f.requested[i] !== active) note = ` [requested ${onOff(f.requested[i])}]`;
  return `${indent}${name}: ${onOff(active)}${note}\n`;
}

function showFeatures(dev: string, f: Features): string {
  let out = `Features for ${dev}:\n`;
  const shown = new Set<number>();
  for (const g of GROUPS) {
    const bits = NETDEV_FEATURES.flatMap((n, i) => (n !== '' && g.pattern.test(n) ? [i] : []));
    if (bits.length === 0) continue;
    for (const i of bits) shown.add(i);
    if (bits.length === 1) {
      out += featureLine(f, bits[0]!, g.long, '');
      continue;
    }
    out += `${g.long}: ${onOff(bits.some((i) => f.active[i]))}\n`;
    for (const i of bits) out += featureLine(f, i, NETDEV_FEATURES[i]!, '\t');
  }
  NETDEV_FEATURES.forEach((n, i) => {
    if (n !== '' && !shown.has(i)) out += featureLine(f, i, n, '');
  });
  return out;
}

async function noDevice(sys: Sys, err: ErrnoName): Promise<void> {
  // The netlink request carries the name at offset 24 of the message (after its headers); a name
  // too long for any device matches none.
  if (err === 'ENODEV' || err === 'ENAMETOOLONG') await eprint(sys, 'netlink error: no device matches name (offset 24)\nnetlink error: No such device\n');
  else await eprint(sys, `netlink error: ${err === 'EPERM' ? 'Operation not permitted' : err}\n`);
}

/** -K: the pairs, the request, and what changed. */
async function setFeatures(sys: Sys, fd: number, dev: string, args: string[]): Promise<number> {
  const valid = NETDEV_FEATURES.map(() => false);
  const requested = NETDEV_FEATURES.map(() => false);
  const pairs: Array<{ name: string; on: boolean }> = [];
  for (let i = 0; i < args.length; i += 2) {
    const value = args[i + 1];
    if (value !== 'on' && value !== 'off') {
      await eprint(sys, `ethtool (-K): flag '${value ?? '(null)'}' for parameter '(null)' is not followed by 'on' or 'off'\n`);
      return 1;
    }
    pairs.push({ name: args[i]!, on: value === 'on' });
  }
  const before = await getFeatures(sys, fd, dev);
  if (typeof before === 'string') {
    await noDevice(sys, before);
    return EXIT_NETLINK;
  }
  // The request names each bit in a nest of its own after the device's name: where an unknown
  // name sits in it is what the kernel's error points at.
  let offset = 48 + align4(dev.length + 1);
  for (const p of pairs) {
    const bits = bitsOf(p.name);
    if (bits.length === 0) {
      await eprint(sys, `netlink error: bit name not found (offset ${offset})\nnetlink error: Operation not supported\n`);
      return EXIT_NETLINK;
    }
    for (const b of bits) {
      valid[b] = true;
      requested[b] = p.on;
      offset += 8 + align4(NETDEV_FEATURES[b]!.length + 1) + (p.on ? 4 : 0);
    }
  }
  try {
    await sys.ioctl(fd, SIOCETHTOOL, { ifr_name: dev, ifr_data: { cmd: ETHTOOL_SFEATURES, valid, requested } });
  } catch (e) {
    if (!isSysError(e)) throw e;
    await noDevice(sys, e.errno);
    return EXIT_NETLINK;
  }
  const after = await getFeatures(sys, fd, dev);
  if (typeof after === 'string') {
    await noDevice(sys, after);
    return EXIT_NETLINK;
  }
  let report = '';
  let changed = false;
  let differs = false;
  NETDEV_FEATURES.forEach((n, i) => {
    const was = before.active[i] === true;
    const now = after.active[i] === true;
    if (was !== now) changed = true;
    if (valid[i] && now !== requested[i]) {
      differs = true;
      report += `${n}: ${onOff(now)} [requested ${onOff(requested[i])}]\n`;
    } else if (was !== now) {
      if (!valid[i]) differs = true;
      report += `${n}: ${onOff(now)}${valid[i] ? '' : ' [not requested]'}\n`;
    }
  });
  if (differs) await print(sys, `Actual changes:\n${report}`);
  if (!changed && (differs || pairs.length === 0)) {
    await eprint(sys, 'Could not change any device features\n');
    return 1;
  }
  return 0;
}

export default defineProgram({
  name: 'ethtool',
  summary: 'show or change the offload features of a network interface',
  main: guarded('ethtool', async (argv, sys) => {
    // ethtool's other spellings of the two modes.
    const args = argv.map((a, i) => (i === 0 ? a : a === '--show-offload' ? '--show-features' : a === '--offload' ? '--features' : a));
    const cmd = command('ethtool', "show (-k) or change (-K) an interface's offload features, as Linux's ethtool does")
      .option('-k, --show-features [devname]', 'get state of protocol offload and other features')
      .option('-K, --features [devname]', 'set protocol offload and other features: FEATURE on|off ...')
      .argument('[feature...]', 'FEATURE on|off pairs for -K')
      .allowExcessArguments(true)
      // ethtool answers an option it does not know as any other bad command line (below).
      .allowUnknownOption(true);
    const r = await parse<{ showFeatures?: string | true; features?: string | true }>(sys, cmd, args);
    if ('status' in r) return r.status;
    const { showFeatures: show, features: set } = r.opts;
    const dev = typeof show === 'string' ? show : typeof set === 'string' ? set : null;
    if (dev === null || (show !== undefined && set !== undefined) || r.args.some((a) => a.startsWith('-'))) {
      await eprint(sys, 'ethtool: bad command line argument(s)\nFor more information run ethtool -h\n');
      return 1;
    }
    if (show !== undefined && r.args.length > 0) {
      await eprint(sys, `ethtool: unexpected parameter '${r.args[0]}'\n`);
      return 1;
    }
    const fd = await netSocket(sys);
    if (fd === null) {
      await eprint(sys, 'Cannot get control socket\n');
      return 70;
    }
    if (set !== undefined) return setFeatures(sys, fd, dev, r.args);
    const f = await getFeatures(sys, fd, dev);
    if (typeof f === 'string') {
      await noDevice(sys, f);
      return 1;
    }
    await print(sys, showFeatures(dev, f));
    return 0;
  }),
});
