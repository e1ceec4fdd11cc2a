// ip tcp_metrics: TCP's per-destination metrics cache, as iproute2 shows and flushes it (its
// tcp_metrics.c): `show`/`list` [ [address] PREFIX ], `flush` [ [address] PREFIX | all ] and
// `delete [address] ADDRESS`, with iproute2's lines, errors and statuses. The kernel side is the
// SIOCGTCPMETRICS/SIOCDTCPMETRICS ioctls instead of generic netlink.

import type { ErrnoName } from '../../../kernel/abi/errno.js';
import { SIOCDTCPMETRICS, SIOCGTCPMETRICS } from '../../../kernel/abi/ioctl.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import type { TcpMetricsInfo } from '../../../kernel/abi/tcp.js';
import { formatIpv4, parseIpv4 } from '../../../kernel/abi/wire/index.js';
import { out } from '../../lib/guard.js';
import { tryIoctl } from '../../lib/netconf.js';
import { fail, type IpOptions, matches, parsePrefix, rtnl } from './common.js';

export const TCP_METRICS_USAGE = `Usage:\tip tcp_metrics/tcpmetrics { COMMAND | help }
\tip tcp_metrics { show | flush } SELECTOR
\tip tcp_metrics delete [ address ] ADDRESS
SELECTOR := [ [ address ] PREFIX ]
`;

type Cmd = 'list' | 'flush' | 'delete';

/** iproute2's table: the first whose name the word prefixes wins, in this order. */
const COMMANDS: ReadonlyArray<readonly [string, Cmd]> = [
  ['list', 'list'],
  ['lst', 'list'],
  ['show', 'list'],
  ['delete', 'delete'],
  ['remove', 'delete'],
  ['flush', 'flush'],
];

/** A selector: none (every entry), all/any/default (every entry), or a prefix; exact for a /32. */
interface Selector {
  net: number;
  len: number;
}

function entryLine(e: TcpMetricsInfo, deleted: boolean): string {
  let s = `${deleted ? 'Deleted ' : ''}${e.daddr} age ${Math.floor(e.ageMs / 1000)}.${String(e.ageMs % 1000).padStart(3, '0')}sec`;
  // The kernel reports only the values it has; iproute2 prints them in the metrics' order, the
  // RTT and its variance last, in µs.
  if (e.ssthresh) s += ` ssthresh ${e.ssthresh}`;
  if (e.cwnd) s += ` cwnd ${e.cwnd}`;
  if (e.reordering) s += ` reordering ${e.reordering}`;
  if (e.rttUs) s += ` rtt ${e.rttUs}us`;
  if (e.rttvarUs) s += ` rttvar ${e.rttvarUs}us`;
  return `${s} source ${e.saddr}\n`;
}

function inSelector(e: TcpMetricsInfo, sel: Selector | null): boolean {
  if (!sel || sel.len === 0) return true;
  const mask = sel.len === 32 ? 0xffff_ffff : (0xffff_ffff << (32 - sel.len)) >>> 0;
  return ((parseIpv4(e.daddr)! & mask) >>> 0) === ((sel.net & mask) >>> 0);
}

export async function tcpMetricsCommand(sys: Sys, fd: number, args: string[], o: IpOptions): Promise<number> {
  let cmd: Cmd = 'list';
  if (args.length > 0) {
    const word = args.shift()!;
    const hit = COMMANDS.find(([name]) => matches(word, name));
    if (hit) cmd = hit[1];
    else if (matches(word, 'help')) {
      await sys.write(2, TCP_METRICS_USAGE);
      return 255;
    } else return fail(sys, `Command "${word}" is unknown, try "ip tcp_metrics help".`, 255);
  }
  let sel: Selector | null = null;
  while (args.length > 0) {
    let who = 'address';
    if (args[0] === 'addr' || args[0] === 'address') {
      who = args.shift()!;
      if (args.length === 0) return fail(sys, 'Command line is not complete. Try option "help"', 255);
    }
    const word = args.shift()!;
    if (matches(word, 'help')) {
      await sys.write(2, TCP_METRICS_USAGE);
      return 255;
    }
    if (sel) return fail(sys, `Error: either "${who}" is duplicate, or "${word}" is a garbage.`, 255);
    if (word === 'all' || word === 'any' || word === 'default') sel = { net: 0, len: 0 };
    else {
      const p = parsePrefix(word);
      if (!p) return fail(sys, `Error: any valid prefix is expected rather than "${word}".`, 1);
      sel = { net: parseIpv4(p.addr)!, len: p.len };
    }
    if (cmd === 'delete' && sel.len !== 32) return fail(sys, `Error: a specific IP address is expected rather than "${word}"`, 1);
  }
  if (cmd === 'delete' && !sel) return fail(sys, 'Error: argument "address" is required', 255);
  const exact = sel !== null && sel.len === 32;

  // One address, or every entry at once (flush without a family or prefix): a single request.
  if (cmd === 'delete' || (cmd === 'flush' && (exact || (!o.family4 && (!sel || sel.len === 0))))) {
    const q: { daddr: string | null; deleted?: number } = { daddr: exact ? formatIpv4(sel!.net) : null };
    const err = await tryIoctl(sys, fd, SIOCDTCPMETRICS, q);
    if (err !== null) return rtnl(sys, err, 'tcp_metrics');
    if (exact && !q.deleted) return rtnl(sys, 'ESRCH' satisfies ErrnoName, 'tcp_metrics');
    return 0;
  }

  const t: { metrics: TcpMetricsInfo[] } = { metrics: [] };
  const err = await tryIoctl(sys, fd, SIOCGTCPMETRICS, t);
  if (err !== null) return rtnl(sys, err, 'tcp_metrics');
  const chosen = t.metrics.filter((e) => inSelector(e, sel));
  if (cmd === 'list') {
    if (exact && chosen.length === 0) return rtnl(sys, 'ESRCH', 'tcp_metrics');
    await out(sys, chosen.map((e) => entryLine(e, false)).join(''));
    return 0;
  }
  // A flush by family or prefix: the matching entries, one by one.
  if (chosen.length === 0) {
    await sys.write(2, 'Nothing to flush.\n');
    return 0;
  }
  for (const e of chosen) {
    const delErr = await tryIoctl(sys, fd, SIOCDTCPMETRICS, { daddr: e.daddr });
    if (delErr !== null) return rtnl(sys, delErr, 'tcp_metrics');
  }
  if (o.stats) await out(sys, `\n*** Round 1, deleting ${chosen.length} entries ***\n*** Flush is complete after 1 round ***\n`);
  return 0;
}
