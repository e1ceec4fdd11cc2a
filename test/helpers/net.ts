// A small routed world for network tests: a --- lan --- r --- wan --- b, r forwarding.

import type { Program } from '../../kernel/abi/program.js';
import { buildWorld } from '../../kernel/world/build.js';
import { parseWorldFile } from '../../kernel/world/world-file.js';
import { programsOf } from './world.js';

export const ROUTED_WORLD = {
  segments: { lan: { delay: '0.5ms' }, wan: { delay: '5ms' } },
  hosts: {
    a: { nics: [{ segment: 'lan', address: '192.168.1.10/24', mac: '52:54:00:00:00:0a' }], routes: [{ to: 'default', via: '192.168.1.1' }] },
    r: {
      forwarding: true,
      nics: [
        { segment: 'lan', address: '192.168.1.1/24', mac: '52:54:00:00:00:01' },
        { segment: 'wan', address: '10.0.0.1/24', mac: '52:54:00:00:01:01' },
      ],
    },
    b: { nics: [{ segment: 'wan', address: '10.0.0.2/24', mac: '52:54:00:00:01:02' }], routes: [{ to: 'default', via: '10.0.0.1' }] },
  },
};

export function routedWorld(programs: readonly Program[], spec: object = ROUTED_WORLD, seed = 1) {
  return buildWorld(parseWorldFile(JSON.stringify(spec)), { programs: programsOf(programs), seed, checkErrno: true }, '.');
}

/** The event lines of `journey`'s list (not the headers), as "host layer event". */
export const journeySteps = (out: string): string[] =>
  out
    .split('\n')
    .filter((l) => /^\s+\d+\.\d{6} /.test(l))
    .map((l) => l.trim().split(/\s+/).slice(1, 4).join(' '));

/**
 * A packet's first trip from a to b in the routed world, as journey lists it from a's IP output to
 * b's IP input: ARP on each side (nothing is cached yet), forwarded by r.
 */
export const FIRST_TRIP_A_TO_B: readonly string[] = [
  'a ip output',
  'a arp miss',
  'a arp resolved',
  'a nic out',
  'lan segment switch',
  'r nic in',
  'r ip input',
  'r ip forward',
  'r arp miss',
  'r arp resolved',
  'r nic out',
  'wan segment switch',
  'b nic in',
  'b ip input',
];
