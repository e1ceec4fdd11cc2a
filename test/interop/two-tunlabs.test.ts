// Two tunlab processes, each an emulated haiku, peered over real loopback UDP: each one's uplink
// forwards a real port to its haiku:1194, and each openvpn's --remote is 10.0.2.2 at the other's
// forward port. Datagrams cross from one emulated world to the other only through real sockets, and
// each ping across the tunnel is answered by the other process's stack.

import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, emulatedOpenvpn, freeUdpPorts, launch, replyFrom, Scratch, tunlabArgv, waitFile } from './helpers.js';

afterEach(cleanup);

describe('two tunlab processes peered over loopback UDP', () => {
  it('ping across the tunnel both ways, each answered by the other emulated haiku', async () => {
    const [portA, portB] = await freeUdpPorts(2);
    const share = new Scratch();
    const side = (name: string, me: string, peer: string, fwd: number, rport: number, dir: '0' | '1') => {
      const script = [
        `${emulatedOpenvpn({ rport, dir, tun: [me, peer] })} &`,
        `${waitFile('go')}; ping -c 3 -i 0.2 ${peer}; ping -c 2 -i 0.2 -s 1472 ${peer};`,
        `${waitFile('stop')}; kill %1; wait`,
      ].join(' ');
      return launch(name, tunlabArgv({ forward: fwd, share: share.dir, script }));
    };
    const a = side('tunlab A (10.8.0.1)', '10.8.0.1', '10.8.0.2', portA!, portB!, '0');
    const b = side('tunlab B (10.8.0.2)', '10.8.0.2', '10.8.0.1', portB!, portA!, '1');

    // Each sees the other as 10.0.2.2 at the other's forward port.
    await a.waitFor(`Peer Connection Initiated with [AF_INET]10.0.2.2:${portB}`);
    await b.waitFor(`Peer Connection Initiated with [AF_INET]10.0.2.2:${portA}`);
    await a.waitFor('Initialization Sequence Completed');
    await b.waitFor('Initialization Sequence Completed');

    share.touch('go');
    await a.waitFor('packets received', 2);
    await b.waitFor('packets received', 2);
    for (const [s, peer] of [
      [a, '10.8.0.2'],
      [b, '10.8.0.1'],
    ] as const) {
      expect(s.output, s.name).toContain(`PING ${peer} (${peer}): 56 data bytes`);
      expect(s.output, s.name).toContain('3 packets transmitted, 3 packets received, 0.0% packet loss');
      expect(s.lines(replyFrom(64, peer)), s.name).toHaveLength(3);
      // Full-size packets (1500 bytes, the tun MTU): their datagrams are fragmented by the sender's
      // stack, reassembled by its uplink, sent as one real datagram and fragmented again on the way in.
      expect(s.output, s.name).toContain('2 packets transmitted, 2 packets received, 0.0% packet loss');
      expect(s.lines(replyFrom(1480, peer)), s.name).toHaveLength(2);
      expect(s.count('Authenticate/Decrypt packet error'), s.name).toBe(0);
    }

    share.touch('stop');
    expect(await a.exit()).toBe(0);
    expect(await b.exit()).toBe(0);
    for (const s of [a, b]) expect(s.output, s.name).toContain('SIGTERM[hard,] received, process exiting');
  }, 60_000);
});
