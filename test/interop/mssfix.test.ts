// --mssfix against a real OpenVPN 2.6 server, inside a network namespace this test creates: a
// tunlab client (AES-256-GCM pushed, P_DATA_V2) opens a TCP connection to Linux through the tunnel,
// tshark on the real server's tun reads the MSS of its SYN, and that must be the value a real
// client with the same options works out against the same server ("Data Channel MTU parms [
// mss_fix:N ..." at --verb 4). The server runs with --mssfix 0: it clamps too when on, and would
// then hide what tunlab did.
// Needs root, `ip netns`, openvpn and tshark; skipped, saying why, without them (failing under
// TUNLAB_REQUIRE_INTEROP=1).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../bin/paths.js';
import { TUNLAB_COMMAND } from '../helpers/command.js';
import { cleanup, fileNetns, launch, OPENVPN, Scratch, skipUnlessAble, TSHARK, until, waitFile } from './helpers.js';

const VECTORS = path.join(PACKAGE_ROOT, 'test', 'unit', 'openvpn', 'vectors', 'tls');
const v = (f: string) => path.join(VECTORS, f);

const ns = fileNetns('tunlab-mss', [OPENVPN, TSHARK]);
const NS = ns.name;
const PORT = 11981;
const TUN = 'tun30';

afterEach(cleanup);

describe('--mssfix against real OpenVPN 2.6', () => {
  it('a tunlab client clamps its SYN to the MSS a real client computes with the same options (AES-256-GCM)', async (ctx) => {
    skipUnlessAble(ctx, ns.why(), 'interop mssfix test');
    const share = new Scratch();
    for (const f of ['ca.crt', 'client.crt', 'client.key', 'tc.key']) fs.copyFileSync(v(f), share.path(f));
    const real = launch(
      'real server',
      [
        'openvpn', '--dev', TUN, '--server', '10.8.0.0', '255.255.255.0', '--topology', 'subnet', '--dh', 'none',
        '--ca', v('ca.crt'), '--cert', v('server.crt'), '--key', v('server.key'), '--tls-crypt', v('tc.key'),
        '--local', '127.0.0.1', '--port', String(PORT), '--verb', '4', '--mssfix', '0',
      ],
      { netns: NS },
    );
    await real.waitFor('Initialization Sequence Completed');
    // The SYN alone (not the SYN-ACK Linux answers with), its source and MSS option.
    const shark = launch(
      'tshark',
      ['tshark', '-l', '-n', '-i', TUN, '-f', 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn', '-T', 'fields', '-e', 'ip.src', '-e', 'tcp.options.mss_val'],
      { netns: NS },
    );
    await shark.waitFor(`Capturing on '${TUN}'`);
    const listener = launch('linux nc', ['nc', '-l', '10.8.0.1', '5001'], { netns: NS });
    const client = `openvpn --client --dev tun --remote 10.0.2.2 ${PORT} --nobind --ca /host/ca.crt --cert /host/client.crt --key /host/client.key --tls-crypt /host/tc.key --remote-cert-tls server --verb 3`;
    const tl = launch(
      'tunlab client',
      [process.execPath, TUNLAB_COMMAND, '--clock', 'real', '--no-color', '--host', 'haiku', '--share', share.dir, '-c', `${client} & sleep 3; echo hi | nc -N -w 2 10.8.0.1 5001; ${waitFile('stop')}; kill %1; wait`],
      { netns: NS },
    );
    await tl.waitFor('Initialization Sequence Completed');
    await until(() => shark.lines(/^10\.8\.0\.2\t\d+$/).length > 0, () => `no SYN from 10.8.0.2 on ${TUN}:\n${shark.output}\n${tl.output}`);
    const ours = Number(shark.lines(/^10\.8\.0\.2\t\d+$/)[0]!.split('\t')[1]);
    // A real client with the same options, its tun left unconfigured (the namespace has one 10.8.0.0/24).
    const realClient = launch(
      'real client',
      [
        'openvpn', '--client', '--dev', 'tun31', '--proto', 'udp', '--remote', '127.0.0.1', String(PORT), '--nobind',
        '--ca', v('ca.crt'), '--cert', v('client.crt'), '--key', v('client.key'), '--tls-crypt', v('tc.key'),
        '--remote-cert-tls', 'server', '--ifconfig-noexec', '--route-noexec', '--verb', '4',
      ],
      { netns: NS },
    );
    await realClient.waitFor('Initialization Sequence Completed');
    const theirs = realClient.lines(/Data Channel MTU parms \[ mss_fix:[1-9]/).map((l) => Number(/mss_fix:(\d+)/.exec(l)![1]));
    expect(theirs).toEqual([1400]);
    expect(ours).toBe(theirs[0]);
    share.touch('stop');
    expect(await tl.exit()).toBe(0);
    await listener.kill();
    await realClient.kill();
  }, 90_000);
});
