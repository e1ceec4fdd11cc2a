// TCP through a real tunnel: a real OpenVPN 2.6 with a real Linux tun in a network namespace this
// test creates, peered over UDP with tunlab's openvpn (as netns.test.ts sets it up), and on each
// side of it the real programs and tunlab's:
//   - 10 MB each way between Linux nc and tunlab's nc, the same sha256 on both ends;
//   - tunlab's iperf3 client against a real iperf3 server, and a real iperf3 client against
//     tunlab's server: both report no error;
//   - a real curl fetches a file from tunlab's httpd.
// tunlab reads and writes the files through --share (/host). Skipped, saying why, only without root,
// network namespaces, openvpn, nc, iperf3 or curl; TUNLAB_REQUIRE_INTEROP=1 makes that a failure.

import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { emulatedOpenvpn, fileNetns, launch, OPENVPN, realOpenvpn, Scratch, skipUnlessAble, tunlabArgv, until, waitFile } from './helpers.js';

const ns = fileNetns('tunlab-apps', [OPENVPN, { command: 'nc', pkg: 'netcat-openbsd' }, { command: 'iperf3', pkg: 'iperf3' }, { command: 'curl', pkg: 'curl' }]);
const NS = ns.name;
const REAL_PORT = 11941;
const FWD_PORT = 11942;
const LINUX = '10.8.0.1';
const HAIKU = '10.8.0.2';
const SIZE = 10 * 1024 * 1024;


const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('tunlab nc, iperf3 and httpd <-> real nc, iperf3 and curl across a real OpenVPN tunnel', () => {
  it('moves 10 MB each way with nc, runs iperf3 both ways, and serves curl', async (ctx) => {
    skipUnlessAble(ctx, ns.why(), 'interop TCP programs test');
    const share = new Scratch();
    fs.writeFileSync(share.path('to-linux.bin'), randomBytes(SIZE));
    const fromLinux = randomBytes(SIZE);
    const fromLinuxFile = share.path('from-linux-src.bin');
    fs.writeFileSync(fromLinuxFile, fromLinux);
    fs.mkdirSync(share.path('www'));
    fs.writeFileSync(share.path('www/page.html'), '<h1>served by tunlab</h1>\n'.repeat(2000));

    const real = launch('real openvpn (netns)', realOpenvpn({ lport: REAL_PORT, rport: FWD_PORT, dir: '1', tun: [LINUX, HAIKU] }), { netns: NS, seconds: 240 });
    const script = [
      `${emulatedOpenvpn({ rport: REAL_PORT, dir: '0', tun: [HAIKU, LINUX] })} &`,
      'httpd -p 8080 -h /host/www;',
      `sh -c 'nc -lv 9000 > /host/from-linux.bin; echo > /host/got-from-linux' &`,
      `${waitFile('go-nc')}; nc -N ${LINUX} 9001 < /host/to-linux.bin; echo nc-sent;`,
      `${waitFile('go-iperf')}; iperf3 -c ${LINUX} -n 2M; iperf3 -s -1 -p 5202;`,
      `${waitFile('stop')}; kill %1; wait`,
    ].join(' ');
    const tl = launch('tunlab (netns)', tunlabArgv({ forward: FWD_PORT, share: share.dir, script }), { netns: NS, seconds: 240 });
    await real.waitFor('Initialization Sequence Completed');
    await tl.waitFor('Initialization Sequence Completed');

    // Linux -> tunlab: 10 MB into tunlab's nc -l, written to /host, once it listens.
    await tl.waitFor('Listening on 0.0.0.0 9000');
    const toTunlab = launch('linux nc -N', ['sh', '-c', `nc -N ${HAIKU} 9000 < ${fromLinuxFile}`], { netns: NS, seconds: 200 });
    expect(await toTunlab.exit(180_000), toTunlab.output).toBe(0);
    await until(() => fs.existsSync(share.path('got-from-linux')), 'tunlab nc -l to finish', 60_000);
    expect(sha(share.path('from-linux.bin'))).toBe(sha(fromLinuxFile));

    // tunlab -> Linux: 10 MB from tunlab's nc -N into Linux nc -l.
    const received = share.path('to-linux.got');
    const fromTunlab = launch('linux nc -l', ['sh', '-c', `nc -l 9001 > ${received}`], { netns: NS, seconds: 200 });
    await new Promise((r) => setTimeout(r, 300));
    share.touch('go-nc');
    expect(await fromTunlab.exit(180_000), fromTunlab.output).toBe(0);
    await tl.waitFor('nc-sent', 1, 60_000);
    expect(sha(received)).toBe(sha(share.path('to-linux.bin')));

    // iperf3: a real server for tunlab's client, then tunlab's server for a real client.
    const iperfServer = launch('linux iperf3 -s', ['iperf3', '-s', '-1', '--forceflush'], { netns: NS, seconds: 120 });
    await iperfServer.waitFor('Server listening on 5201');
    share.touch('go-iperf');
    expect(await iperfServer.exit(60_000), iperfServer.output).toBe(0);
    await tl.waitFor('iperf Done.', 1, 60_000);
    await tl.waitFor('Server listening on 5202', 1, 60_000);
    const iperfClient = launch('linux iperf3 -c', ['iperf3', '-c', HAIKU, '-p', '5202', '-n', '2M', '--forceflush'], { netns: NS, seconds: 120 });
    expect(await iperfClient.exit(60_000), iperfClient.output).toBe(0);
    expect(iperfClient.output).toContain('iperf Done.');
    for (const side of [iperfServer, iperfClient, tl]) expect(side.output, side.name).not.toMatch(/iperf3: error/);
    expect(tl.output).toMatch(/ 2\.00 MBytes .* sender\n/);
    expect(iperfClient.output).toMatch(/ 2\.00 MBytes .* sender\n/);

    // A real curl fetches a page from tunlab's httpd.
    const curl = launch('linux curl', ['curl', '-sS', '-o', '-', `http://${HAIKU}:8080/page.html`], { netns: NS, seconds: 60 });
    expect(await curl.exit(), curl.output).toBe(0);
    expect(curl.output).toBe(fs.readFileSync(share.path('www/page.html'), 'utf8'));

    share.touch('stop');
    expect(await tl.exit(30_000)).toBe(0);
    for (const side of [real, tl]) expect(side.count('Authenticate/Decrypt packet error'), side.name).toBe(0);
  }, 300_000);
});
