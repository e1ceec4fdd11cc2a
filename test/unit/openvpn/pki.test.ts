// The pki program (easy-rsa's verbs) makes a PKI that openvpn's TLS mode takes: a CA, a server, two
// clients, one of them revoked and listed in the CRL. The server verifies the good client and refuses
// the revoked one (--crl-verify) with OpenSSL's words, as 2.6 logs them. Dates are the kernel clock's;
// the long --days keep the certificates and the CRL valid for OpenSSL, which checks against real time.

import { describe, expect, it } from 'vitest';
import { SIGTERM } from '../../../kernel/abi/signal.js';
import pki from '../../../userland/bin/pki.js';
import { ROUTED_WORLD, routedWorld } from '../../helpers/net.js';
import { logLines, PROGRAMS, runFor, runOn, startOn, stop } from './program-helpers.js';

const DAYS = ['--days', '36500'];

describe('pki', () => {
  it('builds a CA, a server and clients, revokes one; openvpn verifies with them and refuses the revoked client', async () => {
    const w = routedWorld([...PROGRAMS, pki], structuredClone(ROUTED_WORLD)).world;
    const steps = [
      ['pki', 'init-pki'],
      ['pki', ...DAYS, '--req-cn', 'Lab CA', 'build-ca', 'nopass'],
      ['pki', ...DAYS, 'build-server-full', 'server', 'nopass'],
      ['pki', ...DAYS, 'build-client-full', 'alice', 'nopass'],
      ['pki', ...DAYS, 'build-client-full', 'bob', 'nopass'],
      ['pki', 'revoke', 'bob'],
      ['pki', ...DAYS, 'gen-crl'],
    ];
    for (const argv of steps) {
      const r = await runOn(w, 'b', argv);
      expect(r.status, `${argv.join(' ')}: ${r.out}`).toBe(0);
    }
    const index = await runOn(w, 'b', ['cat', 'pki/index.txt']);
    expect(index.out).toMatch(/^V\t\d{12}Z\t\t02\tunknown\t\/CN=server\nV\t\d{12}Z\t\t03\tunknown\t\/CN=alice\nR\t\d{12}Z\t260101000000Z\t04\tunknown\t\/CN=bob\n$/);
    expect((await runOn(w, 'b', ['pki', 'build-ca'])).status).toBe(1);
    expect((await runOn(w, 'b', ['pki', 'build-client-full'])).status).toBe(2);
    expect((await runOn(w, 'b', ['pki', 'build-client-full', '../x'])).status).toBe(2);

    const server = await startOn(w, 'b', [
      'openvpn', '--dev', 'tun', '--server', '10.8.0.0', '255.255.255.0', '--topology', 'subnet', '--dh', 'none',
      '--ca', 'pki/ca.crt', '--cert', 'pki/issued/server.crt', '--key', 'pki/private/server.key', '--crl-verify', 'pki/crl.pem', '--verb', '3',
    ]);
    await runFor(w, 1);
    const client = (who: string, cert: string) =>
      startOn(w, 'b', [
        'openvpn', '--client', '--dev', 'null', '--remote', '127.0.0.1', '--nobind', '--ca', 'pki/ca.crt',
        '--cert', cert, '--key', `pki/private/${who}.key`, '--remote-cert-tls', 'server', '--verify-x509-name', 'server', 'name', '--verb', '3',
      ]);
    const alice = await client('alice', 'pki/issued/alice.crt');
    await runFor(w, 3);
    expect(logLines(alice.output())).toContain('Initialization Sequence Completed');
    expect(logLines(alice.output())).toContain('VERIFY X509NAME OK: CN=server');
    const bob = await client('bob', 'pki/revoked/04.crt');
    await runFor(w, 3);
    const sl = logLines(server.output());
    expect(sl).toContain('127.0.0.1:49153 VERIFY ERROR: depth=0, error=certificate revoked: CN=bob, serial=4');
    expect(sl).toContain('127.0.0.1:49153 SIGUSR1[soft,tls-error] received, client-instance restarting');
    expect(logLines(bob.output())).not.toContain('Initialization Sequence Completed');
    for (const p of [alice, bob, server]) await stop(w, p, SIGTERM);
    // A CRL OpenSSL cannot read is a fatal error at start, not a crash at the first client.
    const bad = await runOn(w, 'b', [
      'openvpn', '--dev', 'null', '--mode', 'server', '--tls-server', '--dh', 'none', '--ca', 'pki/ca.crt', '--cert', 'pki/issued/server.crt',
      '--key', 'pki/private/server.key', '--crl-verify', 'pki/index.txt',
    ]);
    expect(logLines(bad.out).slice(-2)).toEqual(['Cannot load the CA, certificate, private key or CRL (see the OpenSSL line above)', 'Exiting due to fatal error']);
    expect(bad.status).toBe(1);
  });
});
