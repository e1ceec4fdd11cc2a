// What only openvpn can see, it reports: a datagram that fails its HMAC (a peer with another key)
// ends its journey in openvpn with the reason, through journey_drop; while nothing records, the
// same failure costs nothing and reports nothing.

import { describe, expect, it } from 'vitest';
import { SIGTERM } from '../../../kernel/abi/signal.js';
import type { PacketEvent } from '../../../kernel/obs/events.js';
import { crypto, pairWorld, runFor, startOn, stop } from './program-helpers.js';

describe('openvpn and packet journeys', () => {
  it('ends the journey of a datagram that fails its HMAC in openvpn, with the reason', async () => {
    const w = pairWorld();
    const events: PacketEvent[] = [];
    w.events.on('packet', (e) => void events.push(e));
    const b = await startOn(w, 'b', ['openvpn', '--dev', 'null', '--ping', '1', ...crypto('0'), '--verb', '3']);
    const a = await startOn(w, 'a', ['openvpn', '--dev', 'null', '--remote', '10.0.0.2', '--ping', '1', ...crypto('1', '/etc/other.key'), '--verb', '3']);
    await runFor(w, 2.5);
    await stop(w, a, SIGTERM);
    await stop(w, b, SIGTERM);
    const drops = events.filter((e) => e.reason === 'hmac');
    expect(drops.length).toBeGreaterThan(0);
    const d = drops[0]!;
    expect({ host: d.host, layer: d.layer, event: d.event, command: d.command, counter: d.counter }).toEqual({
      host: 'b',
      layer: 'syscall',
      event: 'journey_drop',
      command: 'openvpn',
      counter: 'openvpn: HMAC authentication failed (reported by the program)',
    });
    // The same datagram openvpn received on b, sent by a's openvpn.
    const path = events.filter((e) => e.id === d.id).map((e) => `${e.host} ${e.layer} ${e.event}`);
    expect(path[0]).toBe('a syscall sendto');
    expect(path.slice(-2)).toEqual(['b syscall recvfrom', 'b syscall journey_drop']);
  });
});
