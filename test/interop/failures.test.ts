// What must never be delivered, between tunlab's openvpn and a real OpenVPN 2.6 over 127.0.0.1:
// datagrams under another key, under the same key direction on both ends, or with one bit flipped
// on the way. Both sides drop them and log it in the same words (reference §4):
// "Authenticate/Decrypt packet error: packet HMAC authentication failed".

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, emulatedOpenvpn, FlipRelay, freeUdpPorts, HMAC_FAILED, launch, missingTools, OPENVPN, realOpenvpn, runTool, Scratch, skipUnlessAble, tunlabArgv, until, untilStopped } from './helpers.js';

afterEach(cleanup);

/** Markers of an authenticated datagram: none may appear when every datagram fails. */
const DELIVERED = ['Peer Connection Initiated', 'Initialization Sequence Completed', 'RECEIVED PING PACKET'];

/** A real and a tunlab peer talking directly; each must log the HMAC failure three times. */
async function mismatched(real: { dir: '0' | '1' }, emulated: { dir: '0' | '1'; key?: string }, share: Scratch) {
  const [realPort, fwdPort] = await freeUdpPorts(2);
  const r = launch('real openvpn', realOpenvpn({ lport: realPort!, rport: fwdPort!, dir: real.dir, verb: 7 }));
  const t = launch('tunlab', tunlabArgv({ forward: fwdPort!, share: share.dir, script: untilStopped(emulatedOpenvpn({ rport: realPort!, verb: 7, ...emulated })) }));
  await r.waitFor(HMAC_FAILED, 3);
  await t.waitFor(HMAC_FAILED, 3);
  share.touch('stop');
  expect(await t.exit()).toBe(0);
  for (const side of [r, t]) {
    for (const marker of DELIVERED) expect(side.lines(marker), `${side.name}: ${marker}`).toEqual([]);
    // Every failure is an HMAC failure, never a later check (the HMAC is checked first).
    expect(side.lines('Authenticate/Decrypt packet error').every((l) => l.endsWith(HMAC_FAILED)), side.name).toBe(true);
  }
}


// The real OpenVPN is the peer: without it there is nothing to test against.
beforeEach((ctx) => skipUnlessAble(ctx, missingTools(OPENVPN), 'real OpenVPN interop test'));

describe('datagrams that must not be delivered (tunlab <-> real OpenVPN 2.6)', () => {
  it('another key: both sides log the HMAC failure and accept nothing', async () => {
    const share = new Scratch();
    // A key made by the real openvpn, read by tunlab's through --share.
    const gen = runTool(['openvpn', '--genkey', 'secret', share.path('other.key')]);
    expect(gen.status, gen.out).toBe(0);
    await mismatched({ dir: '1' }, { dir: '0', key: '/host/other.key' }, share);
  }, 60_000);

  it('the same key direction on both ends (0 and 0): both sides log the HMAC failure', async () => {
    await mismatched({ dir: '0' }, { dir: '0' }, new Scratch());
  }, 60_000);

  it('one bit flipped in one datagram of three, each way: exactly the flipped ones are refused', async () => {
    const [realPort, fwdPort] = await freeUdpPorts(2);
    const relay = await FlipRelay.open(realPort!, fwdPort!, 3);
    const share = new Scratch();
    // Verb 9: "DECRYPT TO:" for every datagram accepted, on both implementations.
    const real = launch('real openvpn', realOpenvpn({ lport: realPort!, rport: relay.portForA, dir: '1', verb: 9 }));
    const tl = launch('tunlab', tunlabArgv({ forward: fwdPort!, share: share.dir, script: untilStopped(emulatedOpenvpn({ rport: relay.portForB, dir: '0', verb: 9 })) }));
    await real.waitFor('UDPv4 link local (bound)');
    await tl.waitFor('UDPv4 link local (bound)');
    relay.pass();
    // The intact datagrams connect them; the flipped ones fail.
    await real.waitFor('Peer Connection Initiated');
    await tl.waitFor('Peer Connection Initiated');
    await real.waitFor(HMAC_FAILED, 2);
    await tl.waitFor(HMAC_FAILED, 2);

    // Stop the traffic, then let each side finish with what it was sent.
    relay.hold();
    const processed = (side: typeof real) => side.count('DECRYPT TO:') + side.count('Authenticate/Decrypt packet error');
    const total = (d: { intact: number; flipped: number }) => d.intact + d.flipped;
    await until(() => processed(real) >= total(relay.toA) && processed(tl) >= total(relay.toB), () =>
      `both sides to process every relayed datagram: relayed ${JSON.stringify({ toReal: relay.toA, toTunlab: relay.toB })}, ` +
      `real accepted ${real.count('DECRYPT TO:')} refused ${real.count(HMAC_FAILED)}, tunlab accepted ${tl.count('DECRYPT TO:')} refused ${tl.count(HMAC_FAILED)}`);

    expect({ accepted: real.count('DECRYPT TO:'), refused: real.count(HMAC_FAILED) }).toEqual({ accepted: relay.toA.intact, refused: relay.toA.flipped });
    expect({ accepted: tl.count('DECRYPT TO:'), refused: tl.count(HMAC_FAILED) }).toEqual({ accepted: relay.toB.intact, refused: relay.toB.flipped });
    expect(relay.toA.flipped).toBeGreaterThanOrEqual(2);
    expect(relay.toB.flipped).toBeGreaterThanOrEqual(2);

    share.touch('stop');
    expect(await tl.exit()).toBe(0);
  }, 60_000);
});
