// tls-crypt-v2 against a real OpenVPN 2.6.14 session (tls-crypt-v2.pcap, v2s.key, v2c.key): the
// client key's WKc unwraps with the server key to the client's Kc; every control packet of the
// capture unwraps with Kc (the V3 reset and the CONTROL_WKC_V1 once their WKc is cut off), the
// early-negotiation pids and the server's RESEND_WKC TLV are where the reference says, and the data
// packets decrypt with keys exported from the key log.

import { describe, expect, it } from 'vitest';
import { AeadChannel, aeadKeys, AES_256_GCM } from '../../../userland/bin/openvpn/aead.js';
import {
  header,
  keyIdOf,
  opcodeOf,
  P_ACK_V1,
  P_CONTROL_HARD_RESET_CLIENT_V3,
  P_CONTROL_HARD_RESET_SERVER_V2,
  P_CONTROL_V1,
  P_CONTROL_WKC_V1,
  P_DATA_V2,
  parseControlPlain,
} from '../../../userland/bin/openvpn/control-packet.js';
import { EKM_LABEL } from '../../../userland/bin/openvpn/key-method.js';
import { isPing } from '../../../userland/bin/openvpn/messages.js';
import {
  CLIENT_PEM_NAME,
  clientMetadata,
  parseClientKey,
  parseServerKey,
  pemEncode,
  SERVER_PEM_NAME,
  unwrapClientKey,
  wrapClientKey,
} from '../../../userland/bin/openvpn/tls-crypt-v2.js';
import { earlyNegResendWkc } from '../../../userland/bin/openvpn/tls-session.js';
import { EARLY_NEG_START, locateWkc, tlsCryptKeys, TlsCryptWrap } from '../../../userland/bin/openvpn/tls-wrap.js';
import { toHex } from './helpers.js';
import { capture, exporterSecrets, tls13Exporter, tlsText } from './tls-helpers.js';

function ok<T>(r: { ok: true; value: T } | { ok: false; lines: string[] }): T {
  if (!r.ok) throw new Error(r.lines.join('\n'));
  return r.value;
}

const server = ok(parseServerKey(tlsText('v2s.key')));
const client = ok(parseClientKey(tlsText('v2c.key')));
const packets = capture('tls-crypt-v2.pcap');
const u32 = (b: Uint8Array, off: number) => new DataView(b.buffer, b.byteOffset).getUint32(off);

describe('tls-crypt-v2 keys (v2s.key, v2c.key)', () => {
  it('unwrapping the WKc of v2c.key with v2s.key gives its Kc, and a timestamp as metadata', () => {
    expect(client.key.length).toBe(256);
    expect(client.wkc.length).toBe(299);
    const u = ok(unwrapClientKey(server, client.wkc));
    expect(toHex(u.key)).toBe(toHex(client.key));
    expect(u.metadata.length).toBe(9);
    expect(u.metadata[0]).toBe(0x01);
    // Made the day of the capture (2026-12-07).
    const t = Number(new DataView(u.metadata.buffer, u.metadata.byteOffset).getBigUint64(1));
    expect(new Date(t * 1000).toISOString().slice(0, 10)).toBe('2026-12-07');
  });

  it('wrapping Kc with that metadata again gives the same WKc, and the files round-trip', () => {
    const u = ok(unwrapClientKey(server, client.wkc));
    expect(toHex(wrapClientKey(server, u.key, u.metadata))).toBe(toHex(client.wkc));
    const body = new Uint8Array([...client.key, ...client.wkc]);
    expect(pemEncode(CLIENT_PEM_NAME, body)).toBe(tlsText('v2c.key'));
  });

  it('refuses a WKc from another server key, a bent length, a flipped bit, with 2.6 lines', () => {
    const other = { cipher: new Uint8Array(32).fill(1), hmac: new Uint8Array(32).fill(2) };
    expect(unwrapClientKey(other, client.wkc)).toEqual({ ok: false, lines: ['tls_crypt_v2_unwrap_client_key: client key authentication error'] });
    const bent = client.wkc.slice();
    bent[bent.length - 1]! ^= 1;
    expect(unwrapClientKey(server, bent)).toEqual({ ok: false, lines: ['tls_crypt_v2_unwrap_client_key: invalid length'] });
    const flipped = client.wkc.slice();
    flipped[100]! ^= 1;
    expect(unwrapClientKey(server, flipped).ok).toBe(false);
    expect(unwrapClientKey(server, new Uint8Array(1100)).ok).toBe(false);
  });

  it('refuses the wrong PEM, a truncated key and garbage as 2.6 does', () => {
    expect(parseClientKey(tlsText('v2s.key'))).toEqual({
      ok: false,
      lines: [
        "crypto_pem_decode: unexpected PEM name (got 'OpenVPN tls-crypt-v2 server key', expected 'OpenVPN tls-crypt-v2 client key')",
        'ERROR: OpenVPN tls-crypt-v2 client key pem decode failed',
        'ERROR: invalid tls-crypt-v2 client key format',
      ],
    });
    expect(parseServerKey('hello').ok).toBe(false);
    expect(parseClientKey(pemEncode(CLIENT_PEM_NAME, new Uint8Array(100)))).toEqual({ ok: false, lines: ['ERROR: not enough data in tls-crypt-v2 client key'] });
    expect(parseServerKey(pemEncode(SERVER_PEM_NAME, new Uint8Array(129))).ok).toBe(false);
  });

  it('metadata: a timestamp by default, else type 0 and the base64-decoded bytes, bounded', () => {
    expect(toHex(ok(clientMetadata(null, 0x6b16b759)))).toBe('01000000006b16b759');
    expect(toHex(ok(clientMetadata('aGVsbG8=', 0)))).toBe('0068656c6c6f');
    expect(toHex(ok(clientMetadata('!!!', 0)))).toBe('00');
    expect(clientMetadata(Buffer.alloc(800).toString('base64'), 0)).toEqual({ ok: false, lines: ['ERROR: metadata too long (800 bytes, max 733 bytes)'] });
  });
});

describe('tls-crypt-v2 capture (tls-crypt-v2.pcap)', () => {
  it('frame 1 is HARD_RESET_CLIENT_V3 with wrap-pid 0x0f000001 and the WKc of v2c.key appended', () => {
    const p = packets[0]!.payload;
    expect(opcodeOf(p[0]!)).toBe(P_CONTROL_HARD_RESET_CLIENT_V3);
    expect(p.length).toBe(54 + 299);
    expect(u32(p, 9)).toBe(EARLY_NEG_START + 1);
    expect(toHex(p.subarray(54))).toBe(toHex(client.wkc));
    expect(locateWkc(p)).toEqual({ ok: true, at: 54 });
    const r = TlsCryptWrap.fromKey(client.key, true).unwrap(p, 0, false);
    expect(r.ok && toHex(r.plain)).toBe('0000000000');
  });

  it('the server answers with the EARLY_NEG_FLAGS TLV asking for RESEND_WKC, and the client with CONTROL_WKC_V1', () => {
    const reset = packets[1]!.payload;
    expect(opcodeOf(reset[0]!)).toBe(P_CONTROL_HARD_RESET_SERVER_V2);
    const r = TlsCryptWrap.fromKey(client.key, false).unwrap(reset, 0, false);
    if (!r.ok) throw new Error('unwrap');
    const plain = parseControlPlain(P_CONTROL_HARD_RESET_SERVER_V2, r.plain)!;
    expect(plain.acks).toEqual([0]);
    expect(toHex(plain.payload)).toBe('000100020001');
    const wkc = packets[2]!.payload;
    expect(opcodeOf(wkc[0]!)).toBe(P_CONTROL_WKC_V1);
    expect(toHex(wkc.subarray(wkc.length - 299))).toBe(toHex(client.wkc));
    const w = TlsCryptWrap.fromKey(client.key, true).unwrap(wkc, 0, false);
    if (!w.ok) throw new Error('unwrap');
    const first = parseControlPlain(P_CONTROL_WKC_V1, w.plain)!;
    expect(first.msgId).toBe(1);
    expect(first.acks).toEqual([0]);
    expect(first.payload[0]).toBe(0x16);
    expect(first.payload[5]).toBe(0x01); // ClientHello
  });

  it('reads the early-negotiation TLVs as parse_early_negotiation_tlvs() does', () => {
    const t = (h: string) => earlyNegResendWkc(Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16)));
    expect(t('')).toBe(false);
    expect(t('000100020001')).toBe(true);
    expect(t('000100020000')).toBe(false);
    // Unknown types are skipped; a bad length or a short list is an error.
    expect(t('00090003aabbcc000100020001')).toBe(true);
    expect(t('000100030001ff')).toBeNull();
    expect(t('00010002')).toBeNull();
    expect(t('000100')).toBeNull();
  });

  it('unwraps every control packet with Kc, replay-checked; the client pids keep the 0x0f high byte', () => {
    const byServer = TlsCryptWrap.fromKey(client.key, true);
    const byClient = TlsCryptWrap.fromKey(client.key, false);
    let n = 0;
    for (const p of packets) {
      const op = opcodeOf(p.payload[0]!);
      if (op === P_DATA_V2) continue;
      const r = (p.dir === 'c2s' ? byServer : byClient).unwrap(p.payload, Math.floor(p.tsSec));
      expect(r.ok, `frame ${p.frame}`).toBe(true);
      if (r.ok) expect(parseControlPlain(op, r.plain), `frame ${p.frame}`).not.toBeNull();
      expect(u32(p.payload, 9) >>> 24, `frame ${p.frame}`).toBe(p.dir === 'c2s' ? 0x0f : 0);
      expect([P_CONTROL_HARD_RESET_CLIENT_V3, P_CONTROL_HARD_RESET_SERVER_V2, P_CONTROL_WKC_V1, P_CONTROL_V1, P_ACK_V1]).toContain(op);
      n++;
    }
    expect(n).toBe(16);
  });

  it('wraps as the real client did: the same plaintext gives the same bytes, the WKc appended', () => {
    const sender = TlsCryptWrap.fromKey(client.key, false);
    const p = packets[2]!.payload;
    const r = TlsCryptWrap.fromKey(client.key, true).unwrap(p, 0, false);
    if (!r.ok) throw new Error('unwrap');
    const sealed = sender.seal(p[0]!, p.subarray(1, 9), r.plain, u32(p, 9), u32(p, 13));
    expect(toHex(sealed) + toHex(client.wkc)).toBe(toHex(p));
    const live = new TlsCryptWrap(tlsCryptKeys(client.key, false), undefined, client.wkc).fresh();
    const reset = live.wrap(header(P_CONTROL_HARD_RESET_CLIENT_V3, 0), p.subarray(1, 9), new Uint8Array(5), 0x6b16b759);
    expect(u32(reset, 9)).toBe(EARLY_NEG_START + 1);
    expect(toHex(reset.subarray(reset.length - 299))).toBe(toHex(client.wkc));
  });

  it('decrypts the data packets with keys exported from the key log', () => {
    const hello = TlsCryptWrap.fromKey(client.key, true).unwrap(packets[2]!.payload, 0, false);
    if (!hello.ok) throw new Error('unwrap');
    const random = toHex(parseControlPlain(P_CONTROL_WKC_V1, hello.plain)!.payload.subarray(11, 43));
    const key2 = tls13Exporter(exporterSecrets('tls-crypt-v2.keylog').get(random)!, EKM_LABEL, 256);
    const channel = { c2s: new AeadChannel(AES_256_GCM, 0, aeadKeys(key2, AES_256_GCM, true)), s2c: new AeadChannel(AES_256_GCM, 0, aeadKeys(key2, AES_256_GCM, false)) };
    const kinds: string[] = [];
    for (const p of packets) {
      if (opcodeOf(p.payload[0]!) !== P_DATA_V2) continue;
      expect(keyIdOf(p.payload[0]!)).toBe(0);
      const r = channel[p.dir].open(p.payload, p.tsSec);
      expect(r.ok, `frame ${p.frame}`).toBe(true);
      if (!r.ok) continue;
      // The client's kernel sends an IPv6 router solicitation as the tun comes up.
      const ip = r.payload[0]! >> 4;
      kinds.push(isPing(r.payload) ? 'ping' : ip === 6 ? 'ipv6' : r.payload[20] === 8 ? 'echo' : r.payload[20] === 0 ? 'reply' : 'other');
    }
    expect(kinds).toEqual(['ipv6', 'echo', 'reply', 'ping']);
  });
});
