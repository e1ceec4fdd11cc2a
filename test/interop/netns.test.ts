// A real OpenVPN 2.6 with a real Linux tun, peered with tunlab's openvpn, both inside a network
// namespace this test creates (so they share its 127.0.0.1 and nothing of the machine's network is
// touched; reference §7, run_tun_pair.sh). Across the tunnel:
//   - Linux `ping 10.8.0.2` (the emulated haiku's tunnel address) is answered by tunlab's stack;
//   - tunlab's `ping 10.8.0.1` (the Linux tun0 address) is answered by the Linux kernel;
//   - both also with full-size packets (1500 bytes, the tun MTU), whose encrypted datagrams are
//     longer than the uplink's MTU: tunlab's stack fragments them and the uplink reassembles them
//     (and fragments the real peer's, the other way).
// It needs root and network namespaces; it is skipped, saying why, only when `id -u` is not 0 or
// `ip netns add` fails.

import { describe, expect, it } from 'vitest';
import { emulatedOpenvpn, fileNetns, launch, OPENVPN, realOpenvpn, replyFrom, Scratch, skipUnlessAble, tunlabArgv, waitFile } from './helpers.js';

const ns = fileNetns('tunlab-it', [OPENVPN, { command: 'ping', pkg: 'iputils-ping' }]);
const NS = ns.name;
// The namespace is fresh, so fixed ports cannot clash with anything.
const REAL_PORT = 11941;
const FWD_PORT = 11942;
const LINUX = '10.8.0.1';
const HAIKU = '10.8.0.2';


describe('a real OpenVPN with a real tun in a network namespace <-> tunlab', () => {
  it('Linux ping gets replies from tunlab\'s stack, and tunlab\'s ping from the Linux kernel', async (ctx) => {
    skipUnlessAble(ctx, ns.why(), 'interop netns test');
    const share = new Scratch();
    const real = launch('real openvpn (netns)', realOpenvpn({ lport: REAL_PORT, rport: FWD_PORT, dir: '1', tun: [LINUX, HAIKU] }), { netns: NS });
    const script = [
      `${emulatedOpenvpn({ rport: REAL_PORT, dir: '0', tun: [HAIKU, LINUX] })} &`,
      `${waitFile('go')}; ping -c 3 -i 0.2 ${LINUX}; ping -c 2 -i 0.2 -s 1472 ${LINUX}; netstat -s;`,
      `${waitFile('stop')}; kill %1; wait`,
    ].join(' ');
    const tl = launch('tunlab (netns)', tunlabArgv({ forward: FWD_PORT, share: share.dir, script }), { netns: NS });

    await real.waitFor('TUN/TAP device tun0 opened');
    await real.waitFor('Initialization Sequence Completed');
    await tl.waitFor('Initialization Sequence Completed');

    // Linux -> tunlab: 10.8.0.2 is not a local address in the namespace, only the tunnel leads there.
    const ping = launch('linux ping', ['ping', '-n', '-c', '3', '-i', '0.2', '-W', '5', HAIKU], { netns: NS });
    expect(await ping.exit(), ping.output).toBe(0);
    expect(ping.output).toMatch(/3 packets transmitted, 3 received, 0% packet loss/);
    expect(ping.lines(replyFrom(64, HAIKU))).toHaveLength(3);
    const big = launch('linux ping -s 1472', ['ping', '-n', '-c', '2', '-i', '0.2', '-W', '5', '-s', '1472', HAIKU], { netns: NS });
    expect(await big.exit(), big.output).toBe(0);
    expect(big.lines(replyFrom(1480, HAIKU))).toHaveLength(2);

    // tunlab -> Linux.
    share.touch('go');
    await tl.waitFor('packets received', 2);
    expect(tl.output).toContain('3 packets transmitted, 3 packets received, 0.0% packet loss');
    expect(tl.output).toContain('2 packets transmitted, 2 packets received, 0.0% packet loss');
    expect(tl.lines(replyFrom(64, LINUX))).toHaveLength(3);
    expect(tl.lines(replyFrom(1480, LINUX))).toHaveLength(2);
    // tunlab's own counters: it answered the five echo requests from Linux.
    await tl.waitFor('udp:');
    expect(tl.output).toMatch(/Output histogram:\n(\t\t.*\n)*\t\techo reply: 5\n/);

    share.touch('stop');
    expect(await tl.exit()).toBe(0);
    for (const side of [real, tl]) expect(side.count('Authenticate/Decrypt packet error'), side.name).toBe(0);
  }, 60_000);
});
