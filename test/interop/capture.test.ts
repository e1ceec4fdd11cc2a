// The capture of two real OpenVPN 2.6.14 peers (vectors/openvpn-static, copied in
// test/unit/openvpn/vectors/), replayed as real UDP datagrams into tunlab's openvpn program through
// the uplink's --forward port: every datagram must go through the program's whole receive path
// (recvfrom, HMAC, CBC, replay window, classification) and be accepted. vector.test.ts checks the
// same datagrams against the data-channel functions directly; this is the program end to end.
//
// The 11941 peer ran `--secret static.key 0` and the 11942 peer `--secret static.key 1`, so what
// 11941 sent is opened by a direction-1 receiver and vice versa.

import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { isPcapError, readPcap } from '../../userland/lib/pcap.js';
import { udpFromEthernet, vector } from '../unit/openvpn/helpers.js';
import { CRYPTO, cleanup, freeUdpPorts, launch, Scratch, tunlabArgv, until, untilStopped } from './helpers.js';

afterEach(cleanup);

function captured(): { srcPort: number; payload: Uint8Array }[] {
  const file = readPcap(vector('real-openvpn-2.6.14-static.pcap'));
  if (isPcapError(file)) throw new Error(file.message);
  return file.packets.map((p) => {
    const udp = udpFromEthernet(p.data);
    if (!udp) throw new Error('the capture holds a frame that is not Ethernet/IPv4/UDP');
    return udp;
  });
}

describe('the real OpenVPN 2.6.14 capture, replayed into tunlab over real UDP', () => {
  const datagrams = captured();

  it.each([
    { sender: 11941, receiverDir: '1' },
    { sender: 11942, receiverDir: '0' },
  ])('every datagram the $sender peer sent authenticates and decrypts (receiver --secret key $receiverDir)', async ({ sender, receiverDir }) => {
    const sent = datagrams.filter((d) => d.srcPort === sender).map((d) => d.payload);
    expect(sent.length).toBeGreaterThan(10);
    const share = new Scratch();
    fs.writeFileSync(share.path('static.key'), vector('static.key'), { mode: 0o600 });
    const [fwdPort] = await freeUdpPorts(1);
    // No --remote: the program learns its peer (this test's socket) from the first datagram. Verb 9
    // logs "DECRYPT TO:" for every datagram accepted and the message each one carried.
    const ovpn = `openvpn --dev null --lport 1194 --secret /host/static.key ${receiverDir} ${CRYPTO.join(' ')} --verb 9`;
    const tl = launch('tunlab', tunlabArgv({ forward: fwdPort!, share: share.dir, script: untilStopped(ovpn) }));
    await tl.waitFor('UDPv4 link local (bound)');

    const sock = dgram.createSocket('udp4');
    let from = 0;
    try {
      await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
      from = sock.address().port;
      for (const d of sent) await new Promise<void>((r, j) => sock.send(d, fwdPort!, '127.0.0.1', (e) => (e ? j(e) : r())));
      // Every datagram ends as "DECRYPT TO:" (accepted) or as an error line (dropped).
      const done = () => tl.count('DECRYPT TO:') + tl.count('Authenticate/Decrypt packet error');
      await until(() => done() >= sent.length, `${sent.length} datagrams processed by tunlab`);
    } finally {
      sock.close();
    }

    expect(tl.count('Authenticate/Decrypt packet error')).toBe(0);
    expect(tl.count('DECRYPT TO:')).toBe(sent.length);
    expect(tl.lines('Peer Connection Initiated')).toHaveLength(1);
    expect(tl.output).toContain(`Peer Connection Initiated with [AF_INET]10.0.2.2:${from}`);
    // Each peer sent one OCC_REQUEST, one OCC_REPLY (matching what this receiver expects, so no
    // warning) and keepalive pings for the rest.
    expect(tl.count('RECEIVED OCC_REQUEST')).toBe(1);
    expect(tl.count('RECEIVED OCC_REPLY')).toBe(1);
    expect(tl.count('RECEIVED PING PACKET')).toBe(sent.length - 2);
    expect(tl.lines(/WARNING: '[^']*' is (used inconsistently|present in)/)).toEqual([]);

    share.touch('stop');
    expect(await tl.exit()).toBe(0);
  }, 60_000);
});
