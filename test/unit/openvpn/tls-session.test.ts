// Two control-channel peers (tls-session.ts) talking directly, with the vectors' PKI and tls-crypt
// key: the resets, a real TLS 1.3 handshake through the reliability layer, key method 2, the
// verification lines, data keys by TLS-EKM on both ends, control messages, and a renegotiation.

import { describe, expect, it } from 'vitest';
import { AES_256_GCM } from '../../../userland/bin/openvpn/aead.js';
import { peerInfo, tlsOptionsString } from '../../../userland/bin/openvpn/key-method.js';
import { type SessionConfig, TlsPeer } from '../../../userland/bin/openvpn/tls-session.js';
import { DEFAULT_REPLAY, TlsCryptWrap } from '../../../userland/bin/openvpn/tls-wrap.js';
import { SERVER_VERIFY_LINES, staticKey, tlsText } from './tls-helpers.js';

const tc = staticKey('tc.key');
let seed = 1;
const io = (logs: string[]) => ({
  random: (n: number) => Uint8Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff),
  log: async (_level: number, line: string) => void logs.push(line),
  wallNow: () => 1_800_000_000,
});

function config(server: boolean, over: Partial<SessionConfig> = {}): SessionConfig {
  return {
    server,
    creds: { ca: tlsText('ca.crt'), cert: tlsText(server ? 'server.crt' : 'client.crt'), key: tlsText(server ? 'server.key' : 'client.key') },
    wrap: TlsCryptWrap.fromKey(tc, server),
    wrapKey: tc,
    tlsTimeout: 2,
    handWindow: 60,
    renegSec: 0,
    renegBytes: -1,
    transWindow: 3600,
    tlsMtu: 1250,
    optionsString: tlsOptionsString({ devType: 'tun', tunMtu: 1500, tlsAuth: false, server }),
    peerInfo: server ? null : peerInfo('AES-256-GCM', 1500),
    verify: { remoteCertTls: server ? null : 'server', x509Name: null },
    replay: DEFAULT_REPLAY,
    ...over,
  };
}

async function exchange(a: TlsPeer, b: TlsPeer, now: number, rounds = 20): Promise<number[]> {
  const sizes: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const fromA = await a.output(now);
    for (const p of fromA) await b.input(p, now, '[AF_INET]10.0.0.1:1194');
    const fromB = await b.output(now);
    for (const p of fromB) await a.input(p, now, '[AF_INET]10.0.0.2:1194');
    sizes.push(...fromA.map((p) => p.length), ...fromB.map((p) => p.length));
    if (fromA.length === 0 && fromB.length === 0) break;
  }
  return sizes;
}

describe('two TLS peers', () => {
  it('shake hands through the reliability layer, verify, and agree on data keys by EKM', async () => {
    const clog: string[] = [];
    const slog: string[] = [];
    const client = new TlsPeer(config(false), io(clog), 100);
    const server = new TlsPeer(config(true), io(slog), 100);
    const sizes = await exchange(client, server, 100);
    expect(client.events.map((e) => e.kind)).toEqual(['active']);
    expect(server.events.map((e) => e.kind)).toEqual(['active']);
    expect(sizes[0]).toBe(54); // the tls-crypt client reset
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1206);
    expect(clog).toEqual([
      expect.stringMatching(/^TLS: Initial packet from \[AF_INET\]10\.0\.0\.2:1194, sid=[0-9a-f]{8} [0-9a-f]{8}$/),
      ...SERVER_VERIFY_LINES,
      expect.stringMatching(/^Control Channel: TLSv1\.3, cipher TLSv1\.3 TLS_AES_256_GCM_SHA384, peer certificate: 256 bits ECprime256v1, signature: ecdsa-with-SHA256, peer temporary key: 253 bits X25519$/),
    ]);
    expect(slog).toContain('VERIFY OK: depth=0, CN=client');
    expect(server.commonName).toBe('client');
    expect(server.peerKeyMethod?.peerInfo).toContain('IV_CIPHERS=AES-256-GCM');
    expect(client.installDataKeys(AES_256_GCM)).toBe(true);
    expect(server.installDataKeys(AES_256_GCM)).toBe(true);
    const sealed = client.encryptKey(100)!.seal(Uint8Array.of(1, 2, 3), 0);
    expect(sealed.length).toBe(8 + 16 + 3);
    const opened = server.decryptKey(0)!.open(sealed, 100);
    expect(opened).toEqual({ ok: true, packetId: 1, payload: Uint8Array.of(1, 2, 3) });
    const back = server.encryptKey(100)!.seal(Uint8Array.of(9), 0);
    expect(client.decryptKey(0)!.open(back, 100).ok).toBe(true);
    // Control messages ride the TLS session.
    server.sendMessage('PUSH_REPLY,ping 10');
    await exchange(client, server, 101);
    expect(client.events.at(-1)).toEqual({ kind: 'message', text: 'PUSH_REPLY,ping 10' });
  });

  it('asks to be called again at once only when output() has something to send', async () => {
    // The client's ClientHello is in its engine from the start, but goes out only once the server
    // has acknowledged the reset: until then the next thing to do is the reset's retransmission.
    const client = new TlsPeer(config(false), io([]), 100);
    const server = new TlsPeer(config(true), io([]), 100);
    const reset = await client.output(100);
    expect(reset).toHaveLength(1);
    expect(client.primary.engine.pendingCiphertext).toBeGreaterThan(0);
    expect(client.timeout(100)).toBe(2);
    // At every step of the handshake, a peer that has just sent what it could has nothing due now.
    let inFlight = reset;
    let [from, to] = [client, server];
    for (let step = 0; !(client.active && server.active); step++) {
      expect(step).toBeLessThan(20);
      for (const p of inFlight) await to.input(p, 100, '[AF_INET]10.0.0.1:1194');
      [from, to] = [to, from];
      inFlight = await from.output(100);
      expect(from.timeout(100)).toBeGreaterThan(0);
    }
  });

  it('renegotiates to key_id 1 on the dynamic tls-crypt key, keeping the old key as lame duck', async () => {
    const client = new TlsPeer(config(false), io([]), 0);
    const server = new TlsPeer(config(true, { renegSec: 10 }), io([]), 0);
    await exchange(client, server, 0);
    client.installDataKeys(AES_256_GCM);
    server.installDataKeys(AES_256_GCM);
    client.enableDynTlsCrypt();
    server.enableDynTlsCrypt();
    await exchange(client, server, 10);
    expect(server.primary.keyId).toBe(1);
    expect(client.primary.keyId).toBe(1);
    expect(client.events.filter((e) => e.kind === 'active')).toHaveLength(2);
    client.installDataKeys(AES_256_GCM, 1);
    server.installDataKeys(AES_256_GCM, 1);
    // The server keeps sending on key 0 for min(hand-window, reneg-sec / 2) = 5 s.
    expect(server.encryptKey(11)!.keyId).toBe(0);
    expect(server.encryptKey(15)!.keyId).toBe(1);
    const p = server.encryptKey(15)!.seal(Uint8Array.of(5), 0);
    expect(p[0]).toBe(0x49);
    expect(client.decryptKey(1)!.open(p, 15).ok).toBe(true);
  });

  it('refuses a server whose CA the client does not trust, with the lines OpenVPN logs', async () => {
    const clog: string[] = [];
    const client = new TlsPeer(config(false, { creds: { ca: tlsText('wrongca.crt'), cert: tlsText('client.crt'), key: tlsText('client.key') } }), io(clog), 0);
    const server = new TlsPeer(config(true), io([]), 0);
    await exchange(client, server, 0);
    expect(client.events).toEqual([{ kind: 'failed' }]);
    expect(clog.slice(1)).toEqual([
      expect.stringMatching(/^VERIFY ERROR: depth=1, error=self-signed certificate in certificate chain: CN=Test OpenVPN CA, serial=\d+$/),
      'Sent fatal SSL alert: unknown CA',
      'OpenSSL: error:0A000086:SSL routines::certificate verify failed:',
      'TLS_ERROR: BIO read tls_read_plaintext error',
      'TLS Error: TLS object -> incoming plaintext read error',
      'TLS Error: TLS handshake failed',
    ]);
  });
});
