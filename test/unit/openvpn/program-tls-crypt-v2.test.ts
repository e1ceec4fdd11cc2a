// --tls-crypt-v2 between tunlab's own server and client in a routed world (virtual time): the
// session with the vectors' keys, renegotiation on the dynamic key, keys made with --genkey, an
// inline <tls-crypt-v2> block, and a client key from another server refused with 2.6's lines.

import { describe, expect, it } from 'vitest';
import { defineProgram } from '../../../kernel/abi/program.js';
import { SIGTERM } from '../../../kernel/abi/signal.js';
import { AF_INET, SOCK_DGRAM, sockaddrIn } from '../../../kernel/abi/socket.js';
import { emitControlPlain, header, P_CONTROL_HARD_RESET_CLIENT_V3 } from '../../../userland/bin/openvpn/control-packet.js';
import { tlsCryptKeys, TlsCryptWrap } from '../../../userland/bin/openvpn/tls-wrap.js';
import { hex, toHex } from './helpers.js';
import { parseClientKey, parseServerKey, unwrapClientKey } from '../../../userland/bin/openvpn/tls-crypt-v2.js';
import { CLIENT, logLines, runFor, runOn, SERVER, startOn, stop, tlsWorld } from './program-helpers.js';
import { tlsText } from './tls-helpers.js';

/** SERVER/CLIENT with --tls-crypt-v2 KEY [MORE] in place of --tls-crypt. */
const v2 = (argv: readonly string[], key: string, more: readonly string[] = []) =>
  argv.flatMap((w) => (w === '--tls-crypt' ? ['--tls-crypt-v2'] : w === '/etc/openvpn/tc.key' ? [key, ...more] : [w]));
const V2_SERVER = v2(SERVER, '/etc/openvpn/v2s.key');
const V2_CLIENT = v2(CLIENT, '/etc/openvpn/v2c.key');

describe('--tls-crypt-v2 in a world', () => {
  it('a client with v2c.key connects to a server with v2s.key, pings through, renegotiates', async () => {
    const w = tlsWorld();
    const b = await startOn(w, 'b', [...V2_SERVER, '--reneg-sec', '10']);
    await runFor(w, 1);
    const a = await startOn(w, 'a', V2_CLIENT);
    await runFor(w, 3);
    expect((await runOn(w, 'a', ['ping', '-c', '2', '10.8.0.1'])).out).toContain('2 packets transmitted, 2 packets received');
    await runFor(w, 10);
    expect((await runOn(w, 'a', ['ping', '-c', '2', '10.8.0.1'])).out).toContain('2 packets transmitted, 2 packets received');
    await stop(w, a, SIGTERM);
    await stop(w, b, SIGTERM);
    const al = logLines(a.output());
    expect(al).toContain('Initialization Sequence Completed');
    expect(al.some((l) => l.includes('protocol-flags cc-exit tls-ekm dyn-tls-crypt'))).toBe(true);
    expect(al.filter((l) => l.startsWith('Control Channel: TLSv1.3')).length).toBe(2);
    const bl = logLines(b.output());
    expect(bl.filter((l) => l === 'Control Channel: using tls-crypt-v2 key').length).toBe(1);
    expect(bl).toContain('Connection Attempt Control Channel: using tls-crypt-v2 key');
    expect(bl).toContain('192.168.1.10:49152 Control Channel: using tls-crypt-v2 key');
    expect(bl.some((l) => l.includes('TLS Error') || l.includes('unwrap'))).toBe(false);
  });

  it('a client key wrapped by another server key is refused with 2.6\'s lines; the client retries', async () => {
    const w = tlsWorld();
    const gen = await runOn(w, 'b', ['openvpn', '--genkey', 'tls-crypt-v2-server', '/etc/openvpn/other.key']);
    expect(gen).toEqual({ out: '', status: 0 });
    const b = await startOn(w, 'b', v2(SERVER, '/etc/openvpn/other.key'));
    await runFor(w, 1);
    const a = await startOn(w, 'a', V2_CLIENT);
    await runFor(w, 4);
    await stop(w, a, SIGTERM);
    await stop(w, b, SIGTERM);
    const refusal = [
      'Control Channel: using tls-crypt-v2 key',
      'tls_crypt_v2_unwrap_client_key: client key authentication error',
      'Can not unwrap tls-crypt-v2 client key',
      'TLS Error: can not extract tls-crypt-v2 client key from [AF_INET]192.168.1.10:49152',
    ];
    const bl = logLines(b.output());
    const at = bl.indexOf(refusal[0]!);
    expect(bl.slice(at, at + 4)).toEqual(refusal);
    // The client sends its reset again (tls-timeout backoff): refused again.
    expect(bl.filter((l) => l === refusal[1]).length).toBeGreaterThanOrEqual(2);
    expect(logLines(a.output())).not.toContain('Initialization Sequence Completed');
  });

  it('--genkey makes a server key and client keys (with metadata) that it can unwrap, and they work', async () => {
    const w = tlsWorld();
    expect(await runOn(w, 'b', ['openvpn', '--genkey', 'tls-crypt-v2-server', '/etc/openvpn/s.key'])).toEqual({ out: '', status: 0 });
    expect(w.mustHost('b').root.stat('etc/openvpn/s.key', true).st_mode & 0o777).toBe(0o600);
    const c = await runOn(w, 'b', ['openvpn', '--tls-crypt-v2', '/etc/openvpn/s.key', '--genkey', 'tls-crypt-v2-client', '/etc/openvpn/c.key', 'aGVsbG8=']);
    expect(c).toEqual({ out: '', status: 0 });
    const cat = async (f: string) => (await runOn(w, 'b', ['cat', f])).out;
    const server = parseServerKey(await cat('/etc/openvpn/s.key'));
    const client = parseClientKey(await cat('/etc/openvpn/c.key'));
    if (!server.ok || !client.ok) throw new Error('key files');
    const u = unwrapClientKey(server.value, client.value.wkc);
    expect(u.ok && new TextDecoder().decode(u.value.metadata)).toBe('\0hello');
    // To standard output: the server key as is, the client key followed by a blank line.
    const so = await runOn(w, 'b', ['openvpn', '--genkey', 'tls-crypt-v2-server']);
    expect(so.out).toMatch(/^-----BEGIN OpenVPN tls-crypt-v2 server key-----\n([A-Za-z0-9+/=]{64}\n){2}[A-Za-z0-9+/=]{44}\n-----END OpenVPN tls-crypt-v2 server key-----\n$/);
    const co = await runOn(w, 'b', ['openvpn', '--tls-crypt-v2', '/etc/openvpn/s.key', '--genkey', 'tls-crypt-v2-client', '--verb', '4']);
    expect(co.out).toMatch(/-----END OpenVPN tls-crypt-v2 client key-----\n\n/);
    expect(logLines(co.out).filter((l) => l.startsWith('Testing'))).toEqual(['Testing client-side key loading...', 'Testing server-side key loading...']);
    w.mustHost('a').root.install('etc/openvpn/c.key', await cat('/etc/openvpn/c.key'));
    const b = await startOn(w, 'b', v2(SERVER, '/etc/openvpn/s.key'));
    await runFor(w, 1);
    const a = await startOn(w, 'a', v2(CLIENT, '/etc/openvpn/c.key'));
    await runFor(w, 3);
    expect((await runOn(w, 'a', ['ping', '-c', '1', '10.8.0.1'])).out).toContain('1 packets transmitted, 1 packets received');
    await stop(w, a, SIGTERM);
    await stop(w, b, SIGTERM);
  });

  it('--genkey errors are 2.6\'s', async () => {
    const w = tlsWorld();
    expect(await runOn(w, 'b', ['openvpn', '--genkey', 'tls-crypt-v2-client', '/tmp/x'])).toEqual({
      out: 'Options error: --genkey tls-crypt-v2-client requires a server key to be set via --tls-crypt-v2 to create a client key\nUse --help for more information.\n',
      status: 1,
    });
    const wrongPem = await runOn(w, 'b', ['openvpn', '--tls-crypt-v2', '/etc/openvpn/v2c.key', '--genkey', 'tls-crypt-v2-client', '/tmp/x']);
    expect(logLines(wrongPem.out)).toEqual([
      "crypto_pem_decode: unexpected PEM name (got 'OpenVPN tls-crypt-v2 client key', expected 'OpenVPN tls-crypt-v2 server key')",
      'ERROR: OpenVPN tls-crypt-v2 server key pem decode failed',
      'ERROR: invalid tls-crypt-v2 server key format',
      'Exiting due to fatal error',
    ]);
    expect(wrongPem.status).toBe(1);
    expect(logLines((await runOn(w, 'b', ['openvpn', '--tls-crypt-v2', '/nonexist', '--genkey', 'tls-crypt-v2-client', '/tmp/x'])).out)).toEqual([
      'ERROR: failed to read OpenVPN tls-crypt-v2 server key file (/nonexist)',
      'ERROR: invalid tls-crypt-v2 server key format',
      'Exiting due to fatal error',
    ]);
    expect(logLines((await runOn(w, 'b', ['openvpn', '--tls-crypt-v2', '/etc/openvpn/v2s.key', '--genkey', 'tls-crypt-v2-client', '/nonexist/x'])).out)).toEqual([
      "Cannot open file '/nonexist/x' for write: No such file or directory (errno=-2147459069)",
      'ERROR: could not write client key file',
      'Exiting due to fatal error',
    ]);
  });

  it('an inline <tls-crypt-v2> block in a client config file', async () => {
    const w = tlsWorld();
    const conf = [
      'client',
      'dev tun',
      'remote 10.0.0.2',
      'nobind',
      'ca /etc/openvpn/ca.crt',
      'cert /etc/openvpn/client.crt',
      'key /etc/openvpn/client.key',
      'remote-cert-tls server',
      'verb 3',
      '<tls-crypt-v2>',
      tlsText('v2c.key').trimEnd(),
      '</tls-crypt-v2>',
      '',
    ].join('\n');
    w.mustHost('a').root.install('etc/openvpn/v2.ovpn', conf);
    const b = await startOn(w, 'b', V2_SERVER);
    await runFor(w, 1);
    const a = await startOn(w, 'a', ['openvpn', '--config', '/etc/openvpn/v2.ovpn']);
    await runFor(w, 3);
    expect((await runOn(w, 'a', ['ping', '-c', '1', '10.8.0.1'])).out).toContain('1 packets transmitted, 1 packets received');
    await stop(w, a, SIGTERM);
    await stop(w, b, SIGTERM);
  });

  it('options: a bad second word, and tls-crypt-v2 with tls-crypt on a client', async () => {
    const w = tlsWorld();
    const bad = await runOn(w, 'a', [...V2_CLIENT.slice(0, -2), '--tls-crypt-v2', '/etc/openvpn/v2c.key', 'sometimes']);
    expect(bad.out).toContain('Options error: Unsupported tls-crypt-v2 argument: sometimes');
    const both = await runOn(w, 'a', [...V2_CLIENT, '--tls-crypt', '/etc/openvpn/tc.key']);
    expect(both.out).toContain('Options error: --tls-crypt-v2, --tls-auth and --tls-crypt are mutually exclusive in client mode');
    // Without TLS mode, as 2.6: the deprecation note, then the refusal.
    const staticMode = await runOn(w, 'b', ['openvpn', '--dev', 'null', '--tls-crypt-v2', '/etc/openvpn/v2s.key']);
    expect(staticMode.out.split('\n').slice(1).join('\n')).toBe(
      'Options error: Parameter tls_crypt_v2_file can only be specified in TLS-mode, i.e. where --tls-server or --tls-client is also specified.\nUse --help for more information.\n',
    );
    expect(logLines(staticMode.out)[0]).toMatch(/^DEPRECATION: No tls-client or tls-server option/);
    expect((await runOn(w, 'b', ['openvpn', '--dev', 'null', '--tls-crypt', '/etc/openvpn/tc.key'])).out).toContain('Options error: Parameter tls_crypt_file can only be specified in TLS-mode');
    const p2p = await runOn(w, 'b', ['openvpn', '--tls-server', '--dev', 'tun', '--dh', 'none', '--ca', '/etc/openvpn/ca.crt', '--cert', '/etc/openvpn/server.crt', '--key', '/etc/openvpn/server.key', '--tls-crypt-v2', '/etc/openvpn/v2s.key']);
    expect(p2p).toEqual({
      out: "Options error: --tls-crypt-v2 on a point-to-point --tls-server is not supported by tunlab's openvpn (only with --server or --mode server)\nUse --help for more information.\n",
      status: 1,
    });
  });

  it('a v2 client at a tls-crypt server, and a tls-crypt client at a v2 server: refused with 2.6\'s lines', async () => {
    const w = tlsWorld();
    const b = await startOn(w, 'b', SERVER);
    await runFor(w, 1);
    const a = await startOn(w, 'a', V2_CLIENT);
    await runFor(w, 2);
    await stop(w, a, SIGTERM);
    await stop(w, b, SIGTERM);
    const bl = logLines(b.output());
    const at = bl.indexOf('Client wants tls-crypt-v2, but no server key present.');
    expect(bl.slice(at, at + 2)).toEqual(['Client wants tls-crypt-v2, but no server key present.', 'TLS Error: can not extract tls-crypt-v2 client key from [AF_INET]192.168.1.10:49152']);
    const w2 = tlsWorld();
    const b2 = await startOn(w2, 'b', V2_SERVER);
    await runFor(w2, 1);
    const a2 = await startOn(w2, 'a', CLIENT);
    await runFor(w2, 2);
    await stop(w2, a2, SIGTERM);
    await stop(w2, b2, SIGTERM);
    expect(logLines(b2.output())).toContain('TLS Error: could not determine wrapping from [AF_INET]192.168.1.10:49152');
  });

  it('a V3 reset without early negotiation (a client before 2.6) is ignored, saying so', async () => {
    // sendhex HOST PORT HEX: one datagram.
    const sendhex = defineProgram({
      name: 'sendhex',
      summary: 'send one UDP datagram (tests only)',
      async main(argv, sys) {
        const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
        await sys.sendto(fd, hex(argv[3]!), 0, sockaddrIn(argv[1]!, Number(argv[2])));
        return 0;
      },
    });
    const client = parseClientKey(tlsText('v2c.key'));
    if (!client.ok) throw new Error('v2c.key');
    const plain = emitControlPlain({ acks: [], remoteSid: null, msgId: 0, payload: new Uint8Array(0) });
    // Wrap-pid 1, as 2.5 sends it: no 0x0f high byte.
    const reset = new TlsCryptWrap(tlsCryptKeys(client.value.key, false)).seal(header(P_CONTROL_HARD_RESET_CLIENT_V3, 0), new Uint8Array(8).fill(7), plain, 1, 1_800_000_000);
    const datagram = toHex(reset) + toHex(client.value.wkc);
    for (const [extra, verb, line] of [
      [[], '3', "tls-crypt-v2: a client without early negotiation (before 2.6) is not supported by tunlab's openvpn, ignoring connection attempt from [AF_INET]192.168.1.10:"],
      [['force-cookie'], '7', 'tls-crypt-v2 force-cookie is enabled, ignoring connection attempt from old client ([AF_INET]192.168.1.10:'],
    ] as const) {
      const w = tlsWorld([sendhex]);
      const b = await startOn(w, 'b', [...v2(SERVER, '/etc/openvpn/v2s.key', extra), '--verb', verb]);
      await runFor(w, 1);
      expect((await runOn(w, 'a', ['sendhex', '10.0.0.2', '1194', datagram])).status).toBe(0);
      await runFor(w, 1);
      await stop(w, b, SIGTERM);
      const bl = logLines(b.output());
      expect(bl.some((l) => l.startsWith(line)), bl.join('\n')).toBe(true);
      expect(bl).toContain('Control Channel: using tls-crypt-v2 key');
      expect(bl.some((l) => l.includes('Peer Connection') || l.includes('multi_create_instance'))).toBe(false);
    }
  });
});
