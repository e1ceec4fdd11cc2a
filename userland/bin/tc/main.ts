// tc: show and change traffic control, as iproute2's tc does for the root qdisc of an interface:
// `tc qdisc { add | del | replace | change } dev DEV root KIND [ OPTIONS ]` and
// `tc [-s] qdisc [ show ] [ dev DEV ]`. tunlab has pfifo (a FIFO of LIMIT packets; `limit 0`
// drops everything, which senders see as local congestion), netem (netem.ts), tbf (tbf.ts) and
// noqueue, what an interface has until a qdisc is added. Messages and statuses are iproute2's:
// kernel refusals are "Error: ..." with status 2, command-line mistakes status 1.

import { strerror } from '../../../kernel/abi/errno.js';
import { IFF_UP, type Ifreq, type Qdisc, type QdiscOptions } from '../../../kernel/abi/if.js';
import { SIOCGIFFLAGS, SIOCGIFQDISC, SIOCGIFTXQLEN, SIOCSIFQDISC } from '../../../kernel/abi/ioctl.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { guarded } from '../../lib/guard.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { parse } from '../../lib/cli.js';
import { eprint, print } from '../../lib/io.js';
import { interfaceNames, netSocket, tryIoctl, wordCommand } from '../../lib/netconf.js';
import { Fail, matches, nextArg } from './common.js';
import { formatNetem, parseNetem } from './netem.js';
import { formatTbf, parseTbf } from './tbf.js';
import { formatSize } from './units.js';

const USAGE = `Usage: tc [ OPTIONS ] OBJECT { COMMAND | help }
where  OBJECT := { qdisc }
       OPTIONS := { -s[tatistics] | -h[elp] }
       tc qdisc [ add | del | replace | change | show ] dev STRING root [ QDISC_KIND [ qdisc specific parameters ] ]
       QDISC_KIND := { pfifo [ limit NUMBER ] | netem ... | tbf ... }
`;
const PFIFO_USAGE = 'Usage: ... [p|b]fifo [ limit NUMBER ]\n';

/** The root qdisc of DEV, or Fail for a device that is not there. */
async function qdiscOf(sys: Sys, fd: number, dev: string): Promise<Qdisc | null> {
  const r: Ifreq = { ifr_name: dev };
  const err = await tryIoctl(sys, fd, SIOCGIFQDISC, r);
  // A name too long for any interface is one tc cannot find either.
  if (err === 'ENODEV' || err === 'ENXIO' || err === 'ENAMETOOLONG') throw new Fail(`Cannot find device "${dev}"`, 1);
  if (err) throw new Fail(`Error: ${strerror(err)}`, 2);
  return r.ifr_qdisc ?? null;
}

/** One device's line(s): its qdisc, or noqueue (noop while down) when tc installed none. */
async function showDev(sys: Sys, fd: number, dev: string, label: string | null, stats: boolean): Promise<string> {
  const q = await qdiscOf(sys, fd, dev);
  const f: Ifreq = { ifr_name: dev };
  await tryIoctl(sys, fd, SIOCGIFFLAGS, f);
  return showOne(q, ((f.ifr_flags ?? 0) & IFF_UP) !== 0, label, stats);
}

/** What follows "root refcnt 2 " for each kind (print_qopt). */
function options(q: QdiscOptions): string {
  switch (q.kind) {
    case 'pfifo':
      return `limit ${q.limit}p`;
    case 'netem':
      return formatNetem(q);
    case 'tbf':
      return formatTbf(q);
  }
}

function showOne(q: Qdisc | null, up: boolean, dev: string | null, stats: boolean): string {
  const where = dev === null ? '' : `dev ${dev} `;
  let s = q ? `qdisc ${q.kind} ${q.handle.toString(16)}: ${where}root refcnt 2 ${options(q)}\n` : `qdisc ${up ? 'noqueue' : 'noop'} 0: ${where}root refcnt 2 \n`;
  if (stats) {
    const t = q?.stats;
    const requeues = t?.requeues ?? 0;
    s += ` Sent ${t?.sentBytes ?? 0} bytes ${t?.sentPackets ?? 0} pkt (dropped ${t?.drops ?? 0}, overlimits ${t?.overlimits ?? 0} requeues ${requeues}) \n`;
    s += ` backlog ${formatSize(t?.backlogBytes ?? 0)} ${t?.backlogPackets ?? 0}p requeues ${requeues}\n`;
  }
  return s;
}

async function show(sys: Sys, fd: number, args: string[], stats: boolean): Promise<string> {
  let dev: string | null = null;
  while (args.length) {
    const a = args.shift()!;
    if (a === 'dev') dev = nextArg(args);
    else if (a === 'root' || a === 'ingress' || a === 'invisible') continue;
    else throw new Fail(`What is "${a}"? Try "tc qdisc help".`, 1);
  }
  if (dev !== null) return showDev(sys, fd, dev, null, stats);
  let out = '';
  for (const name of await interfaceNames(sys, fd)) out += await showDev(sys, fd, name, name, stats);
  return out;
}

function parsePfifo(args: string[]): number | null {
  let limit: number | null = null;
  while (args.length) {
    const a = args.shift()!;
    if (a !== 'limit') throw new Fail(`What is "${a}"?\n${PFIFO_USAGE.trimEnd()}`, 1);
    const v = args.shift();
    if (v === undefined || !/^\d+$/.test(v) || Number(v) > 0xffff_ffff) throw new Fail(`Illegal "limit"\n${PFIFO_USAGE.trimEnd()}`, 1);
    limit = Number(v);
  }
  return limit;
}

async function change(sys: Sys, fd: number, verb: 'add' | 'del' | 'replace' | 'change', args: string[]): Promise<void> {
  let dev: string | null = null;
  let root = false;
  let kind: string | null = null;
  // As tc_qdisc_modify: the words after the kind are the qdisc's own.
  while (args.length && kind === null) {
    const a = args.shift()!;
    if (a === 'dev') dev = nextArg(args);
    else if (a === 'root') root = true;
    else if (a === 'handle' || a === 'parent') throw new Fail(`"${a}" is not supported: tunlab's tc knows only the root qdisc`, 1);
    else kind = a;
  }
  let parsed: QdiscOptions | null = null;
  let pfifoLimit: number | null = null;
  if (kind === 'pfifo') pfifoLimit = parsePfifo(args);
  else if (kind === 'netem') parsed = parseNetem(args);
  else if (kind === 'tbf') parsed = parseTbf(args);
  if (dev === null) throw new Fail('Cannot find device "(null)"', 1);
  if (!root) throw new Fail('Error: Only the root qdisc can be changed on tunlab (give "root").', 2);
  const cur = await qdiscOf(sys, fd, dev);
  if (verb === 'del') {
    if (!cur) throw new Fail('Error: Cannot delete qdisc with handle of zero.', 2);
    const err = await tryIoctl(sys, fd, SIOCSIFQDISC, { ifr_name: dev, ifr_qdisc: null });
    if (err) throw new Fail(`RTNETLINK answers: ${strerror(err)}`, 2);
    return;
  }
  if (kind === null) throw new Fail('Error: Qdisc kind is missing.', 2);
  if (kind !== 'pfifo' && parsed === null) throw new Fail('Error: Specified qdisc kind is unknown.', 2);
  if (verb === 'add' && cur) throw new Fail('Error: Exclusivity flag on, cannot modify.', 2);
  if (verb === 'change' && !cur) throw new Fail('Error: Specified qdisc not found.', 2);
  if (parsed === null) {
    if (pfifoLimit === null) {
      if (verb === 'change' && cur?.kind === 'pfifo') pfifoLimit = cur.limit;
      else {
        const q: Ifreq = { ifr_name: dev };
        await tryIoctl(sys, fd, SIOCGIFTXQLEN, q);
        pfifoLimit = Math.max(1, q.ifr_qlen ?? 1);
      }
    }
    parsed = { kind: 'pfifo', limit: pfifoLimit };
  }
  // change and replace keep the handle, so the kernel changes the qdisc in place when the kind is the same.
  const handle = verb === 'change' || (verb === 'replace' && cur) ? cur!.handle : 0;
  const err = await tryIoctl(sys, fd, SIOCSIFQDISC, { ifr_name: dev, ifr_qdisc: { ...parsed, handle } });
  if (err) throw new Fail(`RTNETLINK answers: ${strerror(err)}`, 2);
}

export default defineProgram({
  name: 'tc',
  summary: 'show and change traffic control (root qdiscs)',
  main: guarded('tc', async (argv, sys) => {
    const r = await parse<Record<string, never>>(sys, wordCommand('tc', 'show and change traffic control', USAGE), argv);
    if ('status' in r) return r.status;
    const args = [...r.args];
    let stats = false;
    while (args[0]?.startsWith('-')) {
      const given = args.shift()!;
      const o = given.replace(/^--/, '-').slice(1);
      if (matches(o, 'statistics') || o === 's') stats = true;
      else if (matches(o, 'help')) {
        await print(sys, USAGE);
        return 0;
      } else {
        await eprint(sys, `Option "${given}" is unknown, try "tc -help".\n`);
        return 255;
      }
    }
    const object = args.shift();
    if (object === undefined) {
      await eprint(sys, USAGE);
      return 255;
    }
    if (!matches(object, 'qdisc')) {
      await eprint(sys, `Object "${object}" is unknown, try "tc help".\n`);
      return 1;
    }
    const fd = await netSocket(sys);
    if (fd === null) {
      await eprint(sys, 'Cannot open netlink socket: Address family not supported by protocol\n');
      return 1;
    }
    try {
      const verb = args.shift() ?? 'show';
      if (matches(verb, 'show') || matches(verb, 'list') || verb === 'ls') await print(sys, await show(sys, fd, args, stats));
      else if (matches(verb, 'add')) await change(sys, fd, 'add', args);
      else if (matches(verb, 'delete')) await change(sys, fd, 'del', args);
      else if (matches(verb, 'replace')) await change(sys, fd, 'replace', args);
      else if (matches(verb, 'change')) await change(sys, fd, 'change', args);
      else if (verb === 'help') await eprint(sys, USAGE);
      else {
        await eprint(sys, `Command "${verb}" is unknown, try "tc qdisc help".\n`);
        return 1;
      }
      return 0;
    } catch (e) {
      if (!(e instanceof Fail)) throw e;
      await eprint(sys, `${e.message}\n`);
      return e.status;
    } finally {
      await sys.close(fd);
    }
  }),
});
