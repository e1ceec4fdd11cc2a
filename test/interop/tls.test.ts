// TLS mode against a real OpenVPN 2.6, both ways, inside a network namespace this test creates
// (real tun devices, real Linux ping, loopback UDP only):
//   - tunlab client <-> real --server (tls-crypt, AES-256-GCM, push): Linux pings the tunlab client
//     through the server's tun, tunlab pings back; the same with CHACHA20-POLY1305 and tls-auth;
//   - real client <-> tunlab --server, pings both ways;
//   - --reneg-sec 10 on the real server while Linux pings once a second: two renegotiations,
//     no loss;
//   - --tls-crypt-v2 (the vectors' v2s.key/v2c.key) both ways, and a client key wrapped by another
//     server key refused by a tunlab server with 2.6's lines;
//   - failures at a tunlab server with a valid real client connected: a client of another CA, an
//     expired certificate, a wrong tls-crypt key, a replayed control packet and garbage are refused
//     with OpenVPN's lines, and the valid session keeps carrying pings.
// Needs root and `ip netns`; skipped, saying why, without them (failing under TUNLAB_REQUIRE_INTEROP=1).

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../bin/paths.js';
import { TUNLAB_COMMAND } from '../helpers/command.js';
import { cleanup, fileNetns, launch, OPENVPN, replyFrom, runTool, Scratch, skipUnlessAble, until, waitFile } from './helpers.js';

const VECTORS = path.join(PACKAGE_ROOT, 'test', 'unit', 'openvpn', 'vectors', 'tls');
const HERE = path.join(PACKAGE_ROOT, 'test', 'interop', 'tls');
const v = (f: string) => path.join(VECTORS, f);

const ns = fileNetns('tunlab-tls', [OPENVPN]);
const NS = ns.name;

afterEach(cleanup);

const needs = (ctx: { skip: (why: string) => void }) => skipUnlessAble(ctx, ns.why(), 'interop TLS test');

/** A scratch directory with the PKI and keys, shared into tunlab as /host. */
function pkiShare(): Scratch {
  const s = new Scratch();
  for (const f of ['ca.crt', 'server.crt', 'server.key', 'client.crt', 'client.key', 'tc.key', 'ta.key', 'wrongca.crt', 'client-wrongca.crt', 'v2s.key', 'v2c.key']) {
    fs.copyFileSync(v(f), s.path(f));
  }
  fs.copyFileSync(path.join(HERE, 'client-expired.crt'), s.path('client-expired.crt'));
  return s;
}

const realServer = (port: number, tun: string, extra: string[]) =>
  launch(
    `real server ${tun}`,
    [
      'openvpn', '--dev', tun, '--server', '10.8.0.0', '255.255.255.0', '--topology', 'subnet', '--dh', 'none',
      '--ca', v('ca.crt'), '--cert', v('server.crt'), '--key', v('server.key'), '--keepalive', '2', '10',
      '--local', '127.0.0.1', '--port', String(port), '--verb', '4', ...extra,
    ],
    { netns: NS },
  );

const realClient = (name: string, port: number, tun: string, o: { cert?: string; wrap?: string[]; share: Scratch }) =>
  launch(
    name,
    [
      'openvpn', '--client', '--dev', tun, '--proto', 'udp', '--remote', '127.0.0.1', String(port), '--nobind',
      '--ca', o.share.path('ca.crt'), '--cert', o.share.path(o.cert ?? 'client.crt'), '--key', o.share.path('client.key'),
      '--remote-cert-tls', 'server', '--verb', '3', ...(o.wrap ?? ['--tls-crypt', o.share.path('tc.key')]),
    ],
    { netns: NS },
  );

const tunlab = (name: string, share: Scratch, script: string, forward?: number) =>
  launch(
    name,
    [process.execPath, TUNLAB_COMMAND, '--clock', 'real', '--no-color', '--host', 'haiku', '--share', share.dir, ...(forward ? ['--forward', `udp:${forward}:haiku:1194`] : []), '-c', script],
    { netns: NS },
  );

const CLIENT = (port: number, wrap = '--tls-crypt /host/tc.key', ca = '/host/ca.crt') =>
  `openvpn --client --dev tun --remote 10.0.2.2 ${port} --nobind --ca ${ca} --cert /host/client.crt --key /host/client.key ${wrap} --remote-cert-tls server --verb 3`;

const SERVER = '--dev tun --server 10.8.0.0 255.255.255.0 --topology subnet --dh none --ca /host/ca.crt --cert /host/server.crt --key /host/server.key --tls-crypt /host/tc.key --keepalive 2 10 --verb 3';

async function linuxPing(to: string, count: number, interval = '0.2'): Promise<string> {
  const p = launch(`linux ping ${to}`, ['ping', '-n', '-c', String(count), '-i', interval, '-W', '5', to], { netns: NS });
  await p.exit(60_000);
  return p.output;
}

/** tunlab client against a real server set up with `extra`; Linux and tunlab ping each other. */
async function clientAgainstRealServer(port: number, tun: string, extra: string[], wrap?: string) {
  const share = pkiShare();
  const real = realServer(port, tun, extra);
  await real.waitFor('Initialization Sequence Completed');
  const tl = tunlab('tunlab client', share, `${CLIENT(port, wrap)} & ${waitFile('go')}; ping -c 3 -i 0.2 10.8.0.1; ${waitFile('stop')}; kill %1; wait`);
  await tl.waitFor('Initialization Sequence Completed');
  const out = await linuxPing('10.8.0.2', 3);
  expect(out).toMatch(/3 packets transmitted, 3 received, 0% packet loss/);
  share.touch('go');
  await tl.waitFor('packets received');
  expect(tl.output).toContain('3 packets transmitted, 3 packets received, 0.0% packet loss');
  expect(tl.lines(replyFrom(64, '10.8.0.1'))).toHaveLength(3);
  share.touch('stop');
  expect(await tl.exit()).toBe(0);
  return { real, tl };
}

describe('tunlab client <-> real OpenVPN 2.6 server', () => {
  it('tls-crypt, AES-256-GCM, --server with push: Linux ping crosses both ways', async (ctx) => {
    needs(ctx);
    const { real, tl } = await clientAgainstRealServer(11961, 'tun10', ['--tls-crypt', v('tc.key')]);
    expect(tl.output).toContain("PUSH: Received control message: 'PUSH_REPLY,route-gateway 10.8.0.1,topology subnet,ping 2,ping-restart 10,ifconfig 10.8.0.2 255.255.255.0,peer-id 0,cipher AES-256-GCM,protocol-flags cc-exit tls-ekm dyn-tls-crypt,tun-mtu 1500'");
    expect(tl.output).toContain("Data Channel: cipher 'AES-256-GCM', peer-id: 0");
    expect(tl.output).toContain('/bin/ifconfig tun/0 inet 10.8.0.2 netmask 255.255.255.0 mtu 1500 up');
    expect(real.output).toMatch(/VERIFY OK: depth=0, CN=client/);
    expect(real.output).toMatch(/\[client\] Peer Connection Initiated with \[AF_INET\]127\.0\.0\.1:\d+/);
    for (const side of [real, tl]) expect(side.count(/error|Error/), side.name).toBe(0);
  }, 90_000);

  it('CHACHA20-POLY1305 when the server prefers it', async (ctx) => {
    needs(ctx);
    const { tl } = await clientAgainstRealServer(11962, 'tun11', ['--tls-crypt', v('tc.key'), '--data-ciphers', 'CHACHA20-POLY1305:AES-256-GCM']);
    expect(tl.output).toContain("Data Channel: cipher 'CHACHA20-POLY1305', peer-id: 0");
  }, 90_000);

  it('tls-auth (HMAC-SHA1, key directions 0 and 1)', async (ctx) => {
    needs(ctx);
    const { real } = await clientAgainstRealServer(11963, 'tun12', ['--tls-auth', v('ta.key'), '0'], '--tls-auth /host/ta.key 1');
    expect(real.count('packet HMAC authentication failed')).toBe(0);
  }, 90_000);

  it('--reneg-sec 10 on the server: two renegotiations while Linux pings once a second, nothing lost', async (ctx) => {
    needs(ctx);
    const share = pkiShare();
    const real = realServer(11964, 'tun13', ['--tls-crypt', v('tc.key'), '--reneg-sec', '10']);
    await real.waitFor('Initialization Sequence Completed');
    const tl = tunlab('tunlab client', share, `${CLIENT(11964)} & ${waitFile('stop')}; kill %1; wait`);
    await tl.waitFor('Initialization Sequence Completed');
    const out = await linuxPing('10.8.0.2', 24, '1');
    expect(out).toMatch(/24 packets transmitted, 24 received, 0% packet loss/);
    expect(real.count('TLS: soft reset')).toBeGreaterThanOrEqual(2);
    // The client verified the server again on each new key.
    expect(tl.count(/^\S+ \S+ Control Channel: TLSv1\.3/)).toBeGreaterThanOrEqual(3);
    share.touch('stop');
    expect(await tl.exit()).toBe(0);
  }, 120_000);

  it('a server of a CA the client does not trust: VERIFY ERROR and a tls-error restart', async (ctx) => {
    needs(ctx);
    const share = pkiShare();
    const real = realServer(11965, 'tun14', ['--tls-crypt', v('tc.key')]);
    await real.waitFor('Initialization Sequence Completed');
    const tl = tunlab('tunlab client', share, `${CLIENT(11965, '--tls-crypt /host/tc.key', '/host/wrongca.crt')} & ${waitFile('stop')}; kill %1; wait`);
    await tl.waitFor('SIGUSR1[soft,tls-error] received, process restarting');
    expect(tl.output).toMatch(/VERIFY ERROR: depth=1, error=self-signed certificate in certificate chain: CN=Test OpenVPN CA, serial=\d+\n.*Sent fatal SSL alert: unknown CA\n.*OpenSSL: error:0A000086:SSL routines::certificate verify failed:\n.*TLS_ERROR: BIO read tls_read_plaintext error\n.*TLS Error: TLS object -> incoming plaintext read error\n.*TLS Error: TLS handshake failed\n/);
    await tl.waitFor('Restart pause, 1 second(s)');
    share.touch('stop');
    expect(await tl.exit()).toBe(0);
  }, 90_000);
});

describe('real OpenVPN 2.6 client <-> tunlab server', () => {
  it('pushes the address and routes; Linux pings the tunlab server and back', async (ctx) => {
    needs(ctx);
    const share = pkiShare();
    const tl = tunlab('tunlab server', share, `openvpn ${SERVER} & ${waitFile('go')}; ping -c 3 -i 0.2 10.8.0.2; ${waitFile('stop')}; kill %1; wait`, 11971);
    await tl.waitFor('Initialization Sequence Completed');
    const real = realClient('real client', 11971, 'tun20', { share });
    await real.waitFor('Initialization Sequence Completed');
    expect(real.output).toContain("PUSH: Received control message: 'PUSH_REPLY,route-gateway 10.8.0.1,topology subnet,ping 2,ping-restart 10,ifconfig 10.8.0.2 255.255.255.0,peer-id 0,cipher AES-256-GCM,protocol-flags cc-exit tls-ekm dyn-tls-crypt,tun-mtu 1500'");
    expect(real.output).not.toContain('PUSH_REQUEST');
    const out = await linuxPing('10.8.0.1', 3);
    expect(out).toMatch(/3 packets transmitted, 3 received, 0% packet loss/);
    share.touch('go');
    await tl.waitFor('packets received');
    expect(tl.output).toContain('3 packets transmitted, 3 packets received, 0.0% packet loss');
    share.touch('stop');
    expect(await tl.exit()).toBe(0);
  }, 90_000);

  it('refuses a foreign CA, an expired certificate, a wrong tls-crypt key, a replay and garbage; the valid client keeps pinging', async (ctx) => {
    needs(ctx);
    const share = pkiShare();
    const tl = tunlab('tunlab server', share, `openvpn ${SERVER} & ${waitFile('stop')}; kill %1; wait`, 11972);
    await tl.waitFor('Initialization Sequence Completed');
    // The valid client goes through a relay that can replay one of its datagrams.
    const relay = await Replayer.open(11972);
    const good = realClient('valid client', relay.port, 'tun21', { share });
    await good.waitFor('Initialization Sequence Completed');

    const foreign = realClient('foreign-CA client', 11972, 'tun22', { share, cert: 'client-wrongca.crt' });
    await tl.waitFor(/VERIFY ERROR: depth=0, error=unable to get local issuer certificate: CN=client, serial=\d+/);
    await foreign.kill();
    const expired = realClient('expired client', 11972, 'tun23', { share, cert: 'client-expired.crt' });
    await tl.waitFor(/VERIFY ERROR: depth=0, error=certificate has expired: CN=expired, serial=\d+/);
    await expired.kill();
    fs.writeFileSync(share.path('other-tc.key'), fs.readFileSync(v('ta.key')));
    const wrongKey = realClient('wrong-key client', 11972, 'tun24', { share, wrap: ['--tls-crypt', share.path('other-tc.key')] });
    await tl.waitFor('TLS Error: tls-crypt unwrapping failed from');
    expect(tl.output).toMatch(/tls-crypt unwrap error: packet authentication failed\n.*TLS Error: tls-crypt unwrapping failed from \[AF_INET\]10\.0\.2\.2:\d+/);
    await wrongKey.kill();
    // A control packet of the valid client's session, sent again.
    relay.replay(2);
    await tl.waitFor('tls-crypt unwrap error: packet replay');
    expect(tl.output).toMatch(/tls-crypt unwrap error: bad packet ID \(may be a replay\): \[ #\d+ \/ time = .*\n.*tls-crypt unwrap error: packet replay\n.*TLS Error: tls-crypt unwrapping failed from/);
    // Garbage: a reset-looking datagram of random bytes, and one too short for anything.
    await sendUdp(11972, Buffer.concat([Buffer.from([0x38]), randomBytes(60)]));
    await sendUdp(11972, Buffer.from([0x01, 0x02]));
    const before = tl.count('tls-crypt unwrap error: packet authentication failed');
    await tl.waitFor('tls-crypt unwrap error: packet authentication failed', before + 1);

    const out = await linuxPing('10.8.0.1', 3);
    expect(out).toMatch(/3 packets transmitted, 3 received, 0% packet loss/);
    expect(tl.output).not.toMatch(/Segmentation fault|internal error|at .*\.js:\d+/);
    share.touch('stop');
    expect(await tl.exit()).toBe(0);
  }, 120_000);
});

describe('--tls-crypt-v2 with a real OpenVPN 2.6', () => {
  it('tunlab client <-> real server: V3 reset, RESEND_WKC, CONTROL_WKC_V1; Linux ping crosses both ways', async (ctx) => {
    needs(ctx);
    const { real, tl } = await clientAgainstRealServer(11966, 'tun15', ['--tls-crypt-v2', v('v2s.key')], '--tls-crypt-v2 /host/v2c.key');
    expect(real.output).toMatch(/Connection Attempt Control Channel: using tls-crypt-v2 key/);
    expect(real.output).toMatch(/\[client\] Peer Connection Initiated with/);
    expect(real.output).toContain('protocol-flags cc-exit tls-ekm dyn-tls-crypt');
    for (const side of [real, tl]) expect(side.count(/error|Error/), side.name).toBe(0);
  }, 90_000);

  it('--reneg-sec 10 on the real server: key_id 1 and 2 run on the dynamic key from the client key Kc, nothing lost', async (ctx) => {
    needs(ctx);
    const share = pkiShare();
    const real = realServer(11967, 'tun16', ['--tls-crypt-v2', v('v2s.key'), '--reneg-sec', '10']);
    await real.waitFor('Initialization Sequence Completed');
    const tl = tunlab('tunlab client', share, `${CLIENT(11967, '--tls-crypt-v2 /host/v2c.key')} & ${waitFile('stop')}; kill %1; wait`);
    await tl.waitFor('Initialization Sequence Completed');
    const out = await linuxPing('10.8.0.2', 24, '1');
    expect(out).toMatch(/24 packets transmitted, 24 received, 0% packet loss/);
    expect(real.count('TLS: soft reset')).toBeGreaterThanOrEqual(2);
    expect(real.count(/tls-crypt unwrap error|can not extract/)).toBe(0);
    expect(tl.count(/^\S+ \S+ Control Channel: TLSv1\.3/)).toBeGreaterThanOrEqual(3);
    share.touch('stop');
    expect(await tl.exit()).toBe(0);
  }, 120_000);

  it('real client <-> tunlab server: Linux pings the tunlab server and back', async (ctx) => {
    needs(ctx);
    const share = pkiShare();
    const server = SERVER.replace('--tls-crypt /host/tc.key', '--tls-crypt-v2 /host/v2s.key');
    const tl = tunlab('tunlab server', share, `openvpn ${server} & ${waitFile('go')}; ping -c 3 -i 0.2 10.8.0.2; ${waitFile('stop')}; kill %1; wait`, 11973);
    await tl.waitFor('Initialization Sequence Completed');
    const real = realClient('real client', 11973, 'tun25', { share, wrap: ['--tls-crypt-v2', share.path('v2c.key')] });
    await real.waitFor('Initialization Sequence Completed');
    expect(real.output).toContain('protocol-flags cc-exit tls-ekm dyn-tls-crypt');
    expect(await linuxPing('10.8.0.1', 3)).toMatch(/3 packets transmitted, 3 received, 0% packet loss/);
    share.touch('go');
    await tl.waitFor('packets received');
    expect(tl.output).toContain('3 packets transmitted, 3 packets received, 0.0% packet loss');
    expect(tl.output).toMatch(/Connection Attempt Control Channel: using tls-crypt-v2 key/);
    expect(tl.count(/can not extract|unwrap/)).toBe(0);
    share.touch('stop');
    expect(await tl.exit()).toBe(0);
  }, 90_000);

  it('a server key made by tunlab --genkey serves the real --genkey; a tunlab server refuses that client key with 2.6\'s lines', async (ctx) => {
    needs(ctx);
    const share = pkiShare();
    const gen = tunlab('tunlab genkey', share, 'openvpn --genkey tls-crypt-v2-server /host/other-v2s.key');
    expect(await gen.exit()).toBe(0);
    // The real openvpn reads tunlab's key, wraps a client key with it and unwraps it again (its own check).
    const made = runTool(['openvpn', '--tls-crypt-v2', share.path('other-v2s.key'), '--genkey', 'tls-crypt-v2-client', share.path('other-v2c.key')]);
    expect(made.status, made.out).toBe(0);
    const server = SERVER.replace('--tls-crypt /host/tc.key', '--tls-crypt-v2 /host/v2s.key');
    const tl = tunlab('tunlab server', share, `openvpn ${server} & ${waitFile('stop')}; kill %1; wait`, 11974);
    await tl.waitFor('Initialization Sequence Completed');
    const real = realClient('foreign-key client', 11974, 'tun26', { share, wrap: ['--tls-crypt-v2', share.path('other-v2c.key')] });
    await tl.waitFor('TLS Error: can not extract tls-crypt-v2 client key from');
    expect(tl.output).toMatch(
      /Control Channel: using tls-crypt-v2 key\n.*tls_crypt_v2_unwrap_client_key: client key authentication error\n.*Can not unwrap tls-crypt-v2 client key\n.*TLS Error: can not extract tls-crypt-v2 client key from \[AF_INET\]10\.0\.2\.2:\d+/,
    );
    await real.kill();
    share.touch('stop');
    expect(await tl.exit()).toBe(0);
  }, 90_000);
});

/** One datagram to 127.0.0.1:port inside the namespace (its loopback is not the test's). */
async function sendUdp(port: number, data: Buffer): Promise<void> {
  const script = `const s = require('node:dgram').createSocket('udp4'); s.send(Buffer.from('${data.toString('hex')}', 'hex'), ${port}, '127.0.0.1', () => s.close());`;
  const r = runTool(['ip', 'netns', 'exec', NS, process.execPath, '-e', script]);
  if (r.status !== 0) throw new Error(r.out);
}

/**
 * A relay between the valid client and the tunlab server, run as a small node script inside the
 * namespace and told through a file what to do: it forwards both ways and, when asked, sends the
 * client's Nth datagram again.
 */
class Replayer {
  private constructor(
    readonly port: number,
    private readonly control: string,
  ) {}

  static async open(target: number): Promise<Replayer> {
    const share = new Scratch();
    const control = share.path('replay');
    const port = 11980 + (target % 10);
    const script = `
      const dgram = require('node:dgram'); const fs = require('node:fs');
      const s = dgram.createSocket('udp4'); const up = dgram.createSocket('udp4');
      let client = null; const seen = []; let done = false;
      s.on('message', (m, r) => { client = r; seen.push(Buffer.from(m)); up.send(m, ${target}, '127.0.0.1'); });
      up.on('message', (m) => { if (client) s.send(m, client.port, client.address); });
      setInterval(() => { if (done || !fs.existsSync(${JSON.stringify(control)})) return; done = true;
        const n = Number(fs.readFileSync(${JSON.stringify(control)}, 'utf8')); up.send(seen[n], ${target}, '127.0.0.1'); }, 100);
      s.bind(${port}, '127.0.0.1'); up.bind(0, '127.0.0.1');`;
    launch('replay relay', [process.execPath, '-e', script], { netns: NS });
    await until(() => runTool(['ip', 'netns', 'exec', NS, 'ss', '-lun']).out.includes(`:${port}`), `relay on ${port}`);
    return new Replayer(port, control);
  }

  replay(n: number): void {
    fs.writeFileSync(this.control, String(n));
  }
}
