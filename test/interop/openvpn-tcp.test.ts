// OpenVPN over TCP between tunlab and a real OpenVPN 2.6 with a real Linux tun, both inside a
// network namespace created here (so the host's network is never touched), in both roles:
//   - tunlab `--proto tcp-client` connects to 10.0.2.2:PORT, which the uplink joins to the real
//     `--proto tcp-server` on the namespace's 127.0.0.1:PORT;
//   - the real `--proto tcp-client` connects to 127.0.0.1:FWD, which `--forward tcp:FWD:haiku:1194`
//     hands to tunlab's `--proto tcp-server`.
//   - in TLS mode, tunlab's `--client --proto tcp-client` gets its address pushed by a real
//     `--server --proto tcp-server` (tls-crypt, AES-256-GCM).
// Each time a Linux `ping` crosses the tunnel and tunlab's stack answers it. Skipped with the reason
// when openvpn, ping or `ip netns` is missing (root needed); TUNLAB_REQUIRE_INTEROP=1 makes that a
// failure.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../../bin/paths.js';
import { describe, expect, it } from 'vitest';
import { CRYPTO, EMULATED_KEY, fileNetns, KEY_FILE, launch, OPENVPN, replyFrom, Scratch, skipUnlessAble, tunlabArgv, waitFile } from './helpers.js';

const ns = fileNetns('tunlab-tcp', [OPENVPN, { command: 'ping', pkg: 'iputils-ping' }]);
const NS = ns.name;
// The namespace is fresh, so fixed ports cannot clash with anything.
const REAL_PORT = 11951;
const FWD_PORT = 11952;
const LINUX = '10.8.0.1';
const HAIKU = '10.8.0.2';


/** The real OpenVPN with tun0 = 10.8.0.1, over TCP in the given role. */
function realTcp(role: string[]): string[] {
  return ['openvpn', '--dev', 'tun0', '--ifconfig', LINUX, HAIKU, ...role, '--secret', KEY_FILE, '1', ...CRYPTO, '--verb', '3'];
}

/** tunlab's openvpn on haiku with tun/0 = 10.8.0.2, over TCP in the given role. */
function emulatedTcp(role: string): string {
  return `openvpn --dev tun --ifconfig ${HAIKU} ${LINUX} ${role} --secret ${EMULATED_KEY} 0 ${CRYPTO.join(' ')} --verb 3`;
}

/** A Linux ping across the tunnel to tunlab's end: three replies from tunlab's stack. */
async function linuxPing(): Promise<void> {
  const ping = launch('linux ping', ['ping', '-n', '-c', '3', '-i', '0.2', '-W', '5', HAIKU], { netns: NS });
  expect(await ping.exit(), ping.output).toBe(0);
  expect(ping.output).toMatch(/3 packets transmitted, 3 received, 0% packet loss/);
  expect(ping.lines(replyFrom(64, HAIKU))).toHaveLength(3);
}

describe('OpenVPN over TCP: tunlab <-> a real OpenVPN 2.6 in a network namespace', () => {
  it('tunlab --proto tcp-client to a real --proto tcp-server: Linux ping crosses, and tunlab pings back', async (ctx) => {
    skipUnlessAble(ctx, ns.why(), 'interop OpenVPN-over-TCP test');
    const share = new Scratch();
    const real = launch('real openvpn tcp-server (netns)', realTcp(['--proto', 'tcp-server', '--local', '127.0.0.1', '--lport', String(REAL_PORT)]), { netns: NS });
    await real.waitFor('Listening for incoming TCP connection');
    const script = [
      `${emulatedTcp(`--proto tcp-client --remote 10.0.2.2 --rport ${REAL_PORT}`)} &`,
      `${waitFile('go')}; ping -c 2 -i 0.2 ${LINUX};`,
      `${waitFile('stop')}; kill %1; wait`,
    ].join(' ');
    const tl = launch('tunlab tcp-client (netns)', tunlabArgv({ forward: FWD_PORT, share: share.dir, script }), { netns: NS });
    await tl.waitFor('TCP connection established with [AF_INET]10.0.2.2:11951');
    await real.waitFor(/TCP connection established with \[AF_INET\]127\.0\.0\.1:\d+/);
    // Static key: the first data packet authenticates the peer; Linux's ping is that packet.
    await linuxPing();
    await real.waitFor('Initialization Sequence Completed');
    share.touch('go');
    await tl.waitFor('packets received');
    expect(tl.output).toContain('2 packets transmitted, 2 packets received, 0.0% packet loss');
    share.touch('stop');
    expect(await tl.exit()).toBe(0);
    // tunlab's client went: the real server saw its stream end, as over a real network.
    await real.waitFor('Connection reset, restarting [0]');
    for (const side of [real, tl]) expect(side.count('Authenticate/Decrypt packet error'), side.name).toBe(0);
    // The next test's real OpenVPN needs tun0.
    await real.kill();
  }, 60_000);

  it('a real --proto tcp-client to tunlab --proto tcp-server through --forward tcp: Linux ping crosses', async (ctx) => {
    skipUnlessAble(ctx, ns.why(), 'interop OpenVPN-over-TCP test');
    const share = new Scratch();
    const script = [`${emulatedTcp('--proto tcp-server --lport 1194')} &`, `${waitFile('stop')}; kill %1; wait`].join(' ');
    const tl = launch('tunlab tcp-server (netns)', tunlabArgv({ forward: FWD_PORT, share: share.dir, script, proto: 'tcp' }), { netns: NS });
    await tl.waitFor('Listening for incoming TCP connection on [AF_INET][undef]:1194');
    const real = launch(
      'real openvpn tcp-client (netns)',
      realTcp(['--proto', 'tcp-client', '--remote', '127.0.0.1', '--rport', String(FWD_PORT), '--connect-retry', '1']),
      { netns: NS },
    );
    await real.waitFor(`TCP connection established with [AF_INET]127.0.0.1:${FWD_PORT}`);
    // The real client reaches haiku from the uplink's gateway.
    await tl.waitFor(/TCP connection established with \[AF_INET\]10\.0\.2\.2:\d+/);
    await linuxPing();
    await real.waitFor('Initialization Sequence Completed');
    share.touch('stop');
    expect(await tl.exit()).toBe(0);
    // tunlab's server went: the real client sees the reset and tries again, as 2.6 does.
    await real.waitFor('SIGUSR1[soft,connection-reset] received, process restarting');
    for (const side of [real, tl]) expect(side.count('Authenticate/Decrypt packet error'), side.name).toBe(0);
    await real.kill();
  }, 60_000);

  it('TLS mode: tunlab --client --proto tcp-client gets its push from a real --server --proto tcp-server', async (ctx) => {
    skipUnlessAble(ctx, ns.why(), 'interop OpenVPN-over-TCP test');
    const pki = (f: string) => path.join(PACKAGE_ROOT, 'test', 'unit', 'openvpn', 'vectors', 'tls', f);
    const share = new Scratch();
    for (const f of ['ca.crt', 'client.crt', 'client.key', 'tc.key']) fs.copyFileSync(pki(f), share.path(f));
    const real = launch(
      'real TLS server tcp-server (netns)',
      [
        'openvpn', '--dev', 'tun11', '--server', '10.8.0.0', '255.255.255.0', '--topology', 'subnet', '--dh', 'none', '--proto', 'tcp-server',
        '--local', '127.0.0.1', '--port', '11953', '--ca', pki('ca.crt'), '--cert', pki('server.crt'), '--key', pki('server.key'),
        '--tls-crypt', pki('tc.key'), '--keepalive', '2', '10', '--verb', '3',
      ],
      { netns: NS },
    );
    await real.waitFor('Initialization Sequence Completed');
    const client =
      'openvpn --client --dev tun --proto tcp-client --remote 10.0.2.2 11953 --ca /host/ca.crt --cert /host/client.crt --key /host/client.key --tls-crypt /host/tc.key --remote-cert-tls server --verb 3';
    const tl = launch('tunlab TLS tcp-client (netns)', tunlabArgv({ forward: FWD_PORT, share: share.dir, script: `${client} & ${waitFile('stop')}; kill %1; wait` }), { netns: NS });
    await tl.waitFor('Initialization Sequence Completed');
    // As 2.6 does, the client says which data channel it uses just after that line, not before.
    await tl.waitFor("Data Channel: cipher 'AES-256-GCM', peer-id: 0");
    expect(tl.output).toContain('TCP connection established with [AF_INET]10.0.2.2:11953');
    await linuxPing();
    share.touch('stop');
    expect(await tl.exit()).toBe(0);
    for (const side of [real, tl]) expect(side.count('Authenticate/Decrypt packet error'), side.name).toBe(0);
    await real.kill();
  }, 60_000);
});
