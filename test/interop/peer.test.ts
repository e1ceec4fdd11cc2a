// tunlab's openvpn and a real OpenVPN 2.6 as each other's peer over 127.0.0.1, both with --dev
// null: the real one talks to tunlab's --forward port, tunlab's to 10.0.2.2 (the uplink, which is
// the real loopback port for port). Success is what OpenVPN itself calls success: "Peer Connection
// Initiated" and "Initialization Sequence Completed", which are printed only once an authenticated
// datagram has arrived from the peer (reference §6), on both sides.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, emulatedOpenvpn, freeUdpPorts, HMAC_FAILED, launch, missingTools, OPENVPN, realOpenvpn, Scratch, skipUnlessAble, tunlabArgv, untilStopped } from './helpers.js';

afterEach(cleanup);

const REJECTED = 'Incoming packet rejected';


// The real OpenVPN is the peer: without it there is nothing to test against.
beforeEach((ctx) => skipUnlessAble(ctx, missingTools(OPENVPN), 'real OpenVPN interop test'));

describe('tunlab openvpn <-> real OpenVPN 2.6 (--dev null, loopback UDP)', () => {
  it('both log "Peer Connection Initiated" and exchange authenticated pings; tunlab ends cleanly', async () => {
    const [realPort, fwdPort] = await freeUdpPorts(2);
    const share = new Scratch();
    const real = launch('real openvpn', realOpenvpn({ lport: realPort!, rport: fwdPort!, dir: '1', verb: 7 }));
    const tl = launch('tunlab', tunlabArgv({ forward: fwdPort!, share: share.dir, script: untilStopped(emulatedOpenvpn({ rport: realPort!, dir: '0', verb: 7 })) }));

    // The real peer sees tunlab at its --forward port; tunlab sees the real peer as 10.0.2.2.
    await real.waitFor(`Peer Connection Initiated with [AF_INET]127.0.0.1:${fwdPort}`);
    await tl.waitFor(`Peer Connection Initiated with [AF_INET]10.0.2.2:${realPort}`);
    await real.waitFor('Initialization Sequence Completed');
    await tl.waitFor('Initialization Sequence Completed');
    // Keepalives keep flowing both ways and authenticate (verb 7 logs each one received).
    await real.waitFor('RECEIVED PING PACKET', 2);
    await tl.waitFor('RECEIVED PING PACKET', 2);

    share.touch('stop');
    expect(await tl.exit()).toBe(0);
    expect(tl.output).toContain('SIGTERM[hard,] received, process exiting');
    for (const side of [real, tl]) {
      expect(side.count(HMAC_FAILED), side.name).toBe(0);
      expect(side.count(REJECTED), side.name).toBe(0);
      expect(side.count('Peer Connection Initiated'), side.name).toBe(1);
      expect(side.output, side.name).toContain("Data Channel: cipher 'AES-256-CBC', auth 'SHA256'");
    }
  }, 60_000);

  it('tunlab without --remote learns the real peer, and its answers leave from the forwarded port', async () => {
    // The real side has --remote, so it drops anything not from tunlab's --forward port (§6);
    // tunlab has none, so it sends nothing until the real peer's first datagram authenticates.
    const [realPort, fwdPort] = await freeUdpPorts(2);
    const share = new Scratch();
    const real = launch('real openvpn', realOpenvpn({ lport: realPort!, rport: fwdPort!, dir: '0', verb: 7 }));
    const tl = launch('tunlab', tunlabArgv({ forward: fwdPort!, share: share.dir, script: untilStopped(emulatedOpenvpn({ dir: '1', verb: 7 })) }));
    await tl.waitFor(`Peer Connection Initiated with [AF_INET]10.0.2.2:${realPort}`);
    await real.waitFor(`Peer Connection Initiated with [AF_INET]127.0.0.1:${fwdPort}`);
    await real.waitFor('RECEIVED PING PACKET', 2);
    await tl.waitFor('RECEIVED PING PACKET', 2);
    expect(tl.output).toContain('UDPv4 link remote: [AF_UNSPEC]');
    for (const side of [real, tl]) {
      expect(side.count(HMAC_FAILED), side.name).toBe(0);
      expect(side.count(REJECTED), side.name).toBe(0);
    }
    share.touch('stop');
    expect(await tl.exit()).toBe(0);
  }, 60_000);

  it("OCC: each side answers the other's OCC_REQUEST with the options string it expects (no warning)", async () => {
    // Static mode sends its first OCC_REQUEST 10 s after start (§5), so this one takes ~11 s.
    const [realPort, fwdPort] = await freeUdpPorts(2);
    const share = new Scratch();
    const real = launch('real openvpn', realOpenvpn({ lport: realPort!, rport: fwdPort!, dir: '1', verb: 9 }));
    const tl = launch('tunlab', tunlabArgv({ forward: fwdPort!, share: share.dir, script: untilStopped(emulatedOpenvpn({ rport: realPort!, dir: '0', verb: 9 })) }));
    await real.waitFor('RECEIVED OCC_REPLY', 1, 30_000);
    await tl.waitFor('RECEIVED OCC_REPLY', 1, 30_000);
    for (const side of [real, tl]) {
      expect(side.count('RECEIVED OCC_REQUEST'), side.name).toBeGreaterThanOrEqual(1);
      // A mismatch would read "WARNING: 'dev-type' is used inconsistently, local=..., remote=..." or
      // "WARNING: 'ifconfig' is present in remote config but missing in local config, ...".
      expect(side.lines(/WARNING: '[^']*' is (used inconsistently|present in)/), side.name).toEqual([]);
      expect(side.count(HMAC_FAILED), side.name).toBe(0);
    }
    share.touch('stop');
    expect(await tl.exit()).toBe(0);
  }, 60_000);
});
