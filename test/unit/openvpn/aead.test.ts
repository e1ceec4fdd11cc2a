// Every DATA_V2 packet of the real 2.6.14 captures decrypts with our AEAD channel and the keys
// TLS-EKM gives (computed here from the key log), including key_id 1 and 2 after renegotiation;
// sealing with the same key and packet id gives the captured bytes back.

import { describe, expect, it } from 'vitest';
import { AeadChannel, aeadKeys, AES_256_GCM } from '../../../userland/bin/openvpn/aead.js';
import { keyIdOf, opcodeOf, P_CONTROL_V1, P_DATA_V2, parseControlPlain } from '../../../userland/bin/openvpn/control-packet.js';
import { EKM_LABEL } from '../../../userland/bin/openvpn/key-method.js';
import { PING_MAGIC } from '../../../userland/bin/openvpn/messages.js';
import { TlsCryptWrap } from '../../../userland/bin/openvpn/tls-wrap.js';
import { hex, toHex } from './helpers.js';
import { capture, exporterSecrets, staticKey, tls13Exporter } from './tls-helpers.js';

const tc = staticKey('tc.key');

/** key2 of each key_id: found by the ClientHello random of that key's first client CONTROL_V1. */
function dataKeys(name: string, dyn: (keyId: number) => Uint8Array): Map<number, Uint8Array> {
  const secrets = exporterSecrets(`${name}.keylog`);
  const out = new Map<number, Uint8Array>();
  for (const p of capture(`${name}.pcap`)) {
    const keyId = keyIdOf(p.payload[0]!);
    if (p.dir !== 'c2s' || opcodeOf(p.payload[0]!) !== P_CONTROL_V1 || out.has(keyId)) continue;
    const r = TlsCryptWrap.fromKey(dyn(keyId), true).unwrap(p.payload, 0, false);
    if (!r.ok) throw new Error('unwrap');
    const hello = parseControlPlain(P_CONTROL_V1, r.plain)!.payload;
    if (hello[5] !== 1) continue;
    out.set(keyId, tls13Exporter(secrets.get(toHex(hello.subarray(11, 43)))!, EKM_LABEL, 256));
  }
  return out;
}

describe('AEAD data channel against real captures', () => {
  it('the worked example: key2 of tls-crypt-gcm.pcap', () => {
    const key2 = dataKeys('tls-crypt-gcm', () => tc).get(0)!;
    expect(toHex(key2.subarray(0, 32))).toBe('1ad50fc9ed00f0e1eaacb3a23f9f27f3887e03e284e792d66c38fc59c1754f58');
    expect(toHex(key2.subarray(64, 72))).toBe('9d95105552314377');
    expect(toHex(key2.subarray(192, 200))).toBe('6069b9960a4ae0dc');
  });

  it('decrypts every data packet of tls-crypt-gcm.pcap, pings and echo requests included', () => {
    const key2 = dataKeys('tls-crypt-gcm', () => tc).get(0)!;
    const server = new AeadChannel(AES_256_GCM, 0, aeadKeys(key2, AES_256_GCM, true));
    const client = new AeadChannel(AES_256_GCM, 0, aeadKeys(key2, AES_256_GCM, false));
    let n = 0;
    for (const p of capture('tls-crypt-gcm.pcap')) {
      if (opcodeOf(p.payload[0]!) !== P_DATA_V2) continue;
      const r = (p.dir === 'c2s' ? server : client).open(p.payload, p.tsSec);
      expect(r.ok, `frame ${p.frame}`).toBe(true);
      if (r.ok && p.frame === 22) expect(r.payload).toEqual(PING_MAGIC);
      if (r.ok && p.frame === 16) expect(toHex(r.payload.subarray(0, 20))).toBe('45000054260c40004001008b0a0800020a080001');
      n++;
    }
    expect(n).toBe(16);
  });

  it('seals the worked example frame 22 byte for byte', () => {
    const key2 = dataKeys('tls-crypt-gcm', () => tc).get(0)!;
    const server = new AeadChannel(AES_256_GCM, 0, aeadKeys(key2, AES_256_GCM, true));
    server.sentId = 3;
    expect(toHex(server.seal(PING_MAGIC, 0))).toBe(toHex(hex('4800000000000004 b4b9bd02b20258702e3b197b61c5d186 896514e19210c728f28a79da6f874ea9')));
  });

  it('decrypts the renegotiated keys (key_id 1 and 2) of reneg.pcap, and refuses a replay', () => {
    const secrets = exporterSecrets('reneg.keylog');
    const first = capture('reneg.pcap').find((p) => p.dir === 'c2s' && opcodeOf(p.payload[0]!) === P_CONTROL_V1)!;
    const plain = TlsCryptWrap.fromKey(tc, true).unwrap(first.payload, 0, false);
    if (!plain.ok) throw new Error('unwrap');
    const random = toHex(parseControlPlain(P_CONTROL_V1, plain.plain)!.payload.subarray(11, 43));
    const dynKey = tls13Exporter(secrets.get(random)!, 'EXPORTER-OpenVPN-dynamic-tls-crypt', 256).map((b, i) => b ^ tc[i]!);
    const keys = dataKeys('reneg', (keyId) => (keyId === 0 ? tc : dynKey));
    expect([...keys.keys()]).toEqual([0, 1, 2]);
    const channels = new Map([...keys].map(([k, key2]) => [k, { c2s: new AeadChannel(AES_256_GCM, k, aeadKeys(key2, AES_256_GCM, true)), s2c: new AeadChannel(AES_256_GCM, k, aeadKeys(key2, AES_256_GCM, false)) }]));
    const seen = new Map<number, number>();
    for (const p of capture('reneg.pcap')) {
      if (opcodeOf(p.payload[0]!) !== P_DATA_V2) continue;
      const k = keyIdOf(p.payload[0]!);
      const r = channels.get(k)![p.dir].open(p.payload, p.tsSec);
      expect(r.ok, `frame ${p.frame}`).toBe(true);
      seen.set(k, (seen.get(k) ?? 0) + 1);
      if (p.frame > 100 && k === 2) {
        expect(channels.get(k)![p.dir].open(p.payload, p.tsSec)).toEqual({
          ok: false,
          reason: expect.stringMatching(/^AEAD Decrypt error: bad packet ID \(may be a replay\): \[ #\d+ \] -- see the man page/),
        });
      }
    }
    expect([...seen.keys()].sort()).toEqual([0, 1, 2]);
  });
});
