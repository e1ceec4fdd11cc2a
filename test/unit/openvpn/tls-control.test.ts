// Every control packet of three real OpenVPN 2.6.14 TLS sessions (tls-crypt, tls-auth, and a
// tls-crypt session renegotiated twice) unwraps with our wrappers, parses with our codec into
// exactly the acks, session ids and message ids of the reference decoder's listing, and wraps back
// into the same bytes; the CONTROL_V1 payloads, in message-id order, are a TLS byte stream.

import { describe, expect, it } from 'vitest';
import { SHA1 } from '../../../userland/bin/openvpn/algorithms.js';
import {
  header,
  keyIdOf,
  opcodeName,
  opcodeOf,
  P_CONTROL_V1,
  P_DATA_V2,
  parseControlPlain,
  emitControlPlain,
} from '../../../userland/bin/openvpn/control-packet.js';
import { TlsAuthWrap, TlsCryptWrap, type TlsWrap } from '../../../userland/bin/openvpn/tls-wrap.js';
import { toHex } from './helpers.js';
import { capture, type Datagram, decoded, exporterSecrets, staticKey, tls13Exporter } from './tls-helpers.js';

type Wraps = { recvByServer: TlsCryptWrap | TlsAuthWrap; recvByClient: TlsCryptWrap | TlsAuthWrap };

function unwrapAll(name: string, wrapsFor: (keyId: number, packets: Datagram[]) => Wraps) {
  const packets = capture(`${name}.pcap`);
  const listing = new Map(decoded(`${name}.decoded.txt`).map((d) => [d.frame, d]));
  const streams = new Map<string, Map<number, Uint8Array>>();
  const wraps = new Map<number, Wraps>();
  let checked = 0;
  for (const p of packets) {
    const op = opcodeOf(p.payload[0]!);
    if (op === P_DATA_V2) continue;
    const keyId = keyIdOf(p.payload[0]!);
    if (!wraps.has(keyId)) wraps.set(keyId, wrapsFor(keyId, packets));
    const w = wraps.get(keyId)!;
    const wrap: TlsWrap = p.dir === 'c2s' ? w.recvByServer : w.recvByClient;
    const r = wrap.unwrap(p.payload, Math.floor(p.tsSec));
    expect(r.ok, `frame ${p.frame}`).toBe(true);
    if (!r.ok) continue;
    const plain = parseControlPlain(op, r.plain)!;
    expect(plain, `frame ${p.frame}`).not.toBeNull();
    const want = listing.get(p.frame)!;
    expect(opcodeName(op).replace(/^P_(CONTROL_(?=HARD|SOFT))?/, '')).toBe(want.op);
    expect(keyId).toBe(want.keyId);
    expect(`[${plain.acks.join(', ')}]`).toBe(want.fields.get('acks'));
    expect(plain.remoteSid ? toHex(plain.remoteSid) : 'None').toBe(want.fields.get('rsid'));
    expect(String(plain.msgId ?? 'None')).toBe(want.fields.get('mpid'));
    expect(String(plain.payload.length)).toBe(want.fields.get('payload'));
    expect(toHex(p.payload.subarray(1, 9))).toBe(want.fields.get('sid'));
    // The codec gives back the plaintext byte for byte.
    expect(toHex(emitControlPlain(plain))).toBe(toHex(r.plain));
    if (op === P_CONTROL_V1) {
      const key = `${p.dir}/${keyId}`;
      if (!streams.has(key)) streams.set(key, new Map());
      streams.get(key)!.set(plain.msgId!, plain.payload);
    }
    checked++;
  }
  const stream = (dir: string, keyId: number) => {
    const parts = streams.get(`${dir}/${keyId}`)!;
    const ids = [...parts.keys()].sort((a, b) => a - b);
    return Uint8Array.from(ids.flatMap((id) => [...parts.get(id)!]));
  };
  return { packets, checked, stream, wraps };
}

/** The wrap-pid and wrap-time of a wrapped packet, and whether sealing the plaintext again gives the same bytes. */
function rewraps(wrap: TlsCryptWrap | TlsAuthWrap, packet: Uint8Array, plain: Uint8Array, pidOffset: number): boolean {
  const view = new DataView(packet.buffer, packet.byteOffset);
  const again = wrap.seal(packet[0]!, packet.subarray(1, 9), plain, view.getUint32(pidOffset), view.getUint32(pidOffset + 4));
  return toHex(again) === toHex(packet);
}

const tc = staticKey('tc.key');

describe('tls-crypt capture (tls-crypt-gcm.pcap)', () => {
  const { checked, stream, packets } = unwrapAll('tls-crypt-gcm', () => ({
    recvByServer: TlsCryptWrap.fromKey(tc, true),
    recvByClient: TlsCryptWrap.fromKey(tc, false),
  }));

  it('unwraps and parses every control packet as the reference listing has it', () => {
    expect(checked).toBe(decoded('tls-crypt-gcm.decoded.txt').filter((d) => d.op !== 'DATA_V2').length);
  });

  it('carries a TLS stream in CONTROL_V1 payloads, a ClientHello first', () => {
    const c = stream('c2s', 0);
    expect(c[0]).toBe(0x16); // handshake record
    expect(c[5]).toBe(0x01); // ClientHello
    expect(toHex(c.subarray(11, 15))).toBe('4bda5311');
    expect(stream('s2c', 0)[5]).toBe(0x02); // ServerHello
  });

  it('wraps the same plaintext into the same bytes, in both directions', () => {
    const sender = { c2s: TlsCryptWrap.fromKey(tc, false), s2c: TlsCryptWrap.fromKey(tc, true) };
    const receiver = { c2s: TlsCryptWrap.fromKey(tc, true), s2c: TlsCryptWrap.fromKey(tc, false) };
    for (const p of packets.filter((d) => opcodeOf(d.payload[0]!) !== P_DATA_V2)) {
      const r = receiver[p.dir].unwrap(p.payload, 0, false);
      if (!r.ok) throw new Error('unwrap');
      expect(rewraps(sender[p.dir], p.payload, r.plain, 9), `frame ${p.frame}`).toBe(true);
    }
  });

  it('frame 1 is the client reset of the worked example', () => {
    const first = packets[0]!;
    expect(first.payload.length).toBe(54);
    expect(toHex(first.payload.subarray(0, 17))).toBe('382134b709ea429956000000016b16b72a');
  });

  it('refuses a flipped bit, a short packet and a replay with OpenVPN words', () => {
    const wrap = TlsCryptWrap.fromKey(tc, true);
    const p = packets[0]!.payload;
    const flipped = p.slice();
    flipped[30]! ^= 1;
    expect(wrap.unwrap(flipped, 0)).toEqual({ ok: false, lines: ['tls-crypt unwrap error: packet authentication failed'] });
    expect(wrap.unwrap(p.subarray(0, 40), 0)).toEqual({ ok: false, lines: ['tls-crypt unwrap error: packet too short'] });
    expect(wrap.unwrap(p, 1796650794).ok).toBe(true);
    expect(wrap.unwrap(p, 1796650794)).toEqual({
      ok: false,
      lines: [
        'tls-crypt unwrap error: bad packet ID (may be a replay): [ #1 / time = (1796650794) 2026-12-07 13:39:54 ] -- see the man page entry for --no-replay and --replay-window for more info or silence this warning with --mute-replay-warnings',
        'tls-crypt unwrap error: packet replay',
      ],
    });
  });
});

describe('tls-auth capture (tls-auth.pcap)', () => {
  const ta = staticKey('ta.key');
  const { checked, stream, packets } = unwrapAll('tls-auth', () => ({
    // The server runs --tls-auth ta.key 0 and receives what the client (direction 1) sends.
    recvByServer: TlsAuthWrap.fromKey(ta, 0, SHA1),
    recvByClient: TlsAuthWrap.fromKey(ta, 1, SHA1),
  }));

  it('authenticates and parses every control packet', () => {
    expect(checked).toBeGreaterThan(10);
    expect(stream('c2s', 0)[5]).toBe(0x01);
  });

  it('the client reset is 42 bytes, and sealing again gives the same bytes', () => {
    expect(packets[0]!.payload.length).toBe(42);
    const sender = { c2s: TlsAuthWrap.fromKey(ta, 1, SHA1), s2c: TlsAuthWrap.fromKey(ta, 0, SHA1) };
    const receiver = { c2s: TlsAuthWrap.fromKey(ta, 0, SHA1), s2c: TlsAuthWrap.fromKey(ta, 1, SHA1) };
    for (const p of packets.filter((d) => opcodeOf(d.payload[0]!) !== P_DATA_V2)) {
      const r = receiver[p.dir].unwrap(p.payload, 0, false);
      if (!r.ok) throw new Error('unwrap');
      expect(rewraps(sender[p.dir], p.payload, r.plain, 9 + 20), `frame ${p.frame}`).toBe(true);
    }
  });

  it('refuses the wrong direction with the HMAC line', () => {
    const wrong = TlsAuthWrap.fromKey(ta, 1, SHA1);
    expect(wrong.unwrap(packets[0]!.payload, 0)).toEqual({ ok: false, lines: ['Authenticate/Decrypt packet error: packet HMAC authentication failed'] });
  });
});

describe('renegotiation capture (reneg.pcap)', () => {
  // key_id > 0 runs on the dynamic tls-crypt key: EKM of the key_id 0 session XOR tc.key.
  const secrets = exporterSecrets('reneg.keylog');
  const dynamic = (packets: Datagram[]) => {
    const hello = packets.find((p) => p.dir === 'c2s' && opcodeOf(p.payload[0]!) === P_CONTROL_V1 && keyIdOf(p.payload[0]!) === 0)!;
    const plain = TlsCryptWrap.fromKey(tc, true).unwrap(hello.payload, 0, false);
    if (!plain.ok) throw new Error('unwrap');
    const random = toHex(parseControlPlain(P_CONTROL_V1, plain.plain)!.payload.subarray(11, 43));
    const ekm = tls13Exporter(secrets.get(random)!, 'EXPORTER-OpenVPN-dynamic-tls-crypt', 256);
    return ekm.map((b, i) => b ^ tc[i]!);
  };
  const { checked, wraps } = unwrapAll('reneg', (keyId, packets) => {
    const key = keyId === 0 ? tc : dynamic(packets);
    return { recvByServer: TlsCryptWrap.fromKey(key, true), recvByClient: TlsCryptWrap.fromKey(key, false) };
  });

  it('unwraps key_id 0, 1 and 2 (the last two with the dynamic key) as listed', () => {
    expect([...wraps.keys()].sort()).toEqual([0, 1, 2]);
    expect(checked).toBe(decoded('reneg.decoded.txt').filter((d) => d.op !== 'DATA_V2').length);
  });

  it('the soft reset byte is 0x19 on key_id 1', () => {
    expect(header(3, 1)).toBe(0x19);
  });
});
