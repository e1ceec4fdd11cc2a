// tc's tbf options (q_tbf.c): `rate RATE burst BYTES (limit BYTES | latency TIME)`, with its
// messages, and the line `tc qdisc show` prints: the bucket and the latency as tc computes them
// back from the kernel's psched ticks (1gbit with burst 100k shows "burst 102375b").

import type { TbfOptions } from '../../../kernel/abi/if.js';
import { Fail, matches, nextArg } from './common.js';
import { formatRate, formatSize, formatTimeUs, parseRate, parseSize, parseTimeUs, tickedNsToUs } from './units.js';

export const TBF_USAGE = `Usage: ... tbf limit BYTES burst BYTES[/BYTES] rate KBPS [ mtu BYTES[/BYTES] ]
	[ peakrate KBPS ] [ latency TIME ] [ overhead BYTES ] [ linklayer TYPE ]
`;

function illegal(what: string, value: string): Fail {
  return new Fail(`tbf: illegal value for "${what}": "${value}"`, 1);
}

/** tbf_parse_opt for rate, burst, limit and latency. */
export function parseTbf(args: string[]): TbfOptions {
  let limit = 0;
  let latencyUs = 0;
  let burst = 0;
  let rate = 0;
  while (args.length) {
    const a = args.shift()!;
    if (matches(a, 'limit')) {
      const v = nextArg(args);
      if (latencyUs) throw new Fail('tbf: specifying both "latency" and "limit" is not allowed', 1);
      const n = parseSize(v);
      if (n === null) throw illegal('limit', v);
      limit = n;
    } else if (matches(a, 'latency')) {
      const v = nextArg(args);
      if (limit) throw new Fail('tbf: specifying both "limit" and "/latency" is not allowed', 1);
      const n = parseTimeUs(v);
      if (n === null) throw illegal('latency', v);
      latencyUs = n;
    } else if (matches(a, 'burst') || a === 'buffer' || a === 'maxburst') {
      const v = nextArg(args);
      if (burst) throw new Fail('tbf: duplicate "buffer/burst/maxburst" specification', 1);
      const n = parseSize(v);
      if (n === null) throw illegal(a, v);
      burst = n;
    } else if (a === 'rate') {
      const v = nextArg(args);
      if (rate) throw new Fail('tbf: duplicate "rate" specification', 1);
      const n = parseRate(v);
      if (n === null) throw illegal('rate', v);
      rate = n;
    } else if (a === 'mtu' || a === 'minburst' || a === 'mpu' || matches(a, 'peakrate') || matches(a, 'overhead') || matches(a, 'linklayer')) {
      throw new Fail(`tbf: "${a}" is not supported by tunlab's tbf (one bucket, no peak rate)`, 1);
    } else if (a === 'help') throw new Fail(TBF_USAGE.trimEnd(), 1);
    else throw new Fail(`tbf: unknown parameter "${a}"\n${TBF_USAGE.trimEnd()}`, 1);
  }
  // tc names every missing parameter at once, then the usage.
  const missing: string[] = [];
  if (!rate) missing.push('tbf: the "rate" parameter is mandatory.');
  if (!burst) missing.push('tbf: the "burst" parameter is mandatory.');
  if (!limit && !latencyUs) missing.push('tbf: either "limit" or "latency" is required.');
  if (missing.length) throw new Fail(`${missing.join('\n')}\n${TBF_USAGE.trimEnd()}`, 1);
  if (!limit) limit = Math.floor((rate * latencyUs) / 1e6 + burst);
  return { kind: 'tbf', rate, burst, limit };
}

/** The bucket as the kernel keeps it, in whole psched ticks and then whole microseconds. */
function bucketUs(o: TbfOptions): number {
  return tickedNsToUs(Math.floor((o.burst * 1e9) / o.rate));
}

/** tbf_print_opt: each part followed by a space, as tc prints them. */
export function formatTbf(o: TbfOptions): string {
  const us = bucketUs(o);
  let s = `rate ${formatRate(o.rate)} burst ${formatSize(Math.floor((o.rate * us) / 1e6))} `;
  const latency = (1e6 * o.limit) / o.rate - us;
  if (latency >= 0) s += `lat ${formatTimeUs(Math.floor(latency))} `;
  else s += `limit ${formatSize(o.limit)} `;
  return s;
}
