// tc's netem options (q_netem.c): `delay TIME [JITTER]`, `loss [random] PERCENT`, `duplicate`,
// `reorder PERCENT [gap N]`, `corrupt`, `rate RATE`, `limit PACKETS`, and the line `tc qdisc show`
// prints for them. tunlab's netem draws each event independently and its jitter is uniform, so the
// options that need more (correlations, distributions, loss models, slots, ECN) are refused by name.

import type { NetemOptions } from '../../../kernel/abi/if.js';
import { Fail, matches, nextArg, nextIsNumber } from './common.js';
import { formatPercent, formatRate, formatTimeUs, parsePercent, parseRate, parseSize, parseTimeUs, tickedNsToUs, UINT32_MAX, usToTickedNs } from './units.js';

export const NETEM_USAGE = `Usage: ... netem [ limit PACKETS ]
                 [ delay TIME [ JITTER [CORRELATION]]]
                 [ distribution {uniform|normal|pareto|paretonormal} ]
                 [ corrupt PERCENT [CORRELATION]]
                 [ duplicate PERCENT [CORRELATION]]
                 [ loss random PERCENT [CORRELATION]]
                 [ loss state P13 [P31 [P32 [P23 P14]]]
                 [ loss gemodel PERCENT [R [1-H [1-K]]]
                 [ seed SEED 
]                 [ ecn ]
                 [ reorder PERCENT [CORRELATION] [ gap DISTANCE ]]
                 [ rate RATE [PACKETOVERHEAD] [CELLSIZE] [CELLOVERHEAD]]
                 [ slot MIN_DELAY [MAX_DELAY] [packets MAX_PACKETS] [bytes MAX_BYTES]]
                 [ slot distribution {uniform|normal|pareto|paretonormal|custom}
                   DELAY JITTER [packets MAX_PACKETS] [bytes MAX_BYTES]]
`;

/** explain1(): Illegal "WHAT". */
function illegal(what: string): Fail {
  return new Fail(`Illegal "${what}"`, 1);
}

function unsupported(what: string): Fail {
  return new Fail(`netem: ${what} is not supported by tunlab's netem (its events are independent, its jitter uniform)`, 1);
}

/** A correlation after a value: tunlab has none to apply. */
function noCorrelation(args: readonly string[]): void {
  if (nextIsNumber(args)) throw unsupported('a correlation');
}

function percent(args: string[], what: string): number {
  const p = parsePercent(nextArg(args));
  if (p === null) throw illegal(what);
  noCorrelation(args);
  return p;
}

/** A time as netem keeps it (ns, whole psched ticks). */
function ticks(word: string): number {
  const us = parseTimeUs(word);
  if (us === null) throw illegal('latency');
  const ns = usToTickedNs(us);
  if (ns === null) throw new Fail(`Illegal ${us} time (too large)`, 1);
  return ns;
}

/** netem_parse_opt for tunlab's subset. */
export function parseNetem(args: string[]): NetemOptions {
  const o: NetemOptions = { kind: 'netem', limit: 1000, delayNs: 0, jitterNs: 0, loss: 0, duplicate: 0, reorder: 0, gap: 0, corrupt: 0, rate: 0 };
  let lossGiven = false;
  while (args.length) {
    const a = args.shift()!;
    if (matches(a, 'limit')) {
      const v = parseSize(nextArg(args));
      if (v === null) throw illegal('limit');
      o.limit = v;
    } else if (matches(a, 'latency') || matches(a, 'delay')) {
      o.delayNs = ticks(nextArg(args));
      if (nextIsNumber(args)) {
        o.jitterNs = ticks(args.shift()!);
        noCorrelation(args);
      }
    } else if (matches(a, 'loss') || matches(a, 'drop')) {
      if (lossGiven) throw illegal('duplicate loss argument\n');
      lossGiven = true;
      const kind = args[0];
      if (kind === 'random') args.shift();
      else if (kind === 'state' || kind === 'gemodel') throw unsupported(`loss ${kind}`);
      else if (kind !== undefined && !/^\d/.test(kind)) throw new Fail(`Unknown loss parameter: ${kind}`, 1);
      o.loss = percent(args, 'loss percent');
    } else if (matches(a, 'reorder')) o.reorder = percent(args, 'reorder');
    else if (matches(a, 'corrupt')) o.corrupt = percent(args, 'corrupt');
    else if (matches(a, 'gap')) {
      const v = nextArg(args);
      if (!/^\d+$/.test(v) || Number(v) > UINT32_MAX) throw illegal('gap');
      o.gap = Number(v);
    } else if (matches(a, 'duplicate')) o.duplicate = percent(args, 'duplicate');
    else if (matches(a, 'rate')) {
      const r = parseRate(nextArg(args));
      if (r === null) throw illegal('rate');
      if (nextIsNumber(args) || args[0]?.startsWith('-')) throw unsupported('a packet or cell overhead');
      o.rate = r;
    } else if (matches(a, 'distribution') || matches(a, 'slot') || matches(a, 'seed') || matches(a, 'ecn')) throw unsupported(`"${a}"`);
    else if (a === 'help') throw new Fail(NETEM_USAGE.trimEnd(), 1);
    else throw new Fail(`What is "${a}"?\n${NETEM_USAGE.trimEnd()}`, 1);
  }
  if (o.reorder) {
    if (o.delayNs === 0) throw new Fail(`reordering not possible without specifying some delay\n${NETEM_USAGE.trimEnd()}`, 1);
    if (o.gap === 0) o.gap = 1;
  } else if (o.gap > 0) throw new Fail(`gap specified without reorder probability\n${NETEM_USAGE.trimEnd()}`, 1);
  return o;
}

/** netem_print_opt. */
export function formatNetem(o: NetemOptions): string {
  let s = `limit ${o.limit}`;
  if (o.delayNs) {
    s += ` delay ${formatTimeUs(tickedNsToUs(o.delayNs))}`;
    if (o.jitterNs) s += `  ${formatTimeUs(tickedNsToUs(o.jitterNs))}`;
  }
  if (o.loss) s += ` loss ${formatPercent(o.loss)}`;
  if (o.duplicate) s += ` duplicate ${formatPercent(o.duplicate)}`;
  if (o.reorder) s += ` reorder ${formatPercent(o.reorder)}`;
  if (o.corrupt) s += ` corrupt ${formatPercent(o.corrupt)}`;
  if (o.rate) s += ` rate ${formatRate(o.rate)}`;
  if (o.gap) s += ` gap ${o.gap}`;
  return s;
}
