// The reference's captures (vectors/README.md): real wireguard-go pairs, and a handshake with a
// published ephemeral key that real wireguard-go accepted. The messages parse and re-emit byte for
// byte; every MAC and sealed field that the known keys allow is recomputed; the fixed-ephemeral
// initiation is rebuilt exactly, and its transport keys decrypt the pings that followed.

import { describe, expect, it } from 'vitest';
import {
  buildWireGuardMessage,
  looksLikeWireGuard,
  WG_HANDSHAKE_INITIATION,
  WG_HANDSHAKE_RESPONSE,
  WG_TRANSPORT_DATA,
  WireGuardPacket,
  WireGuardRepr,
  WireError,
} from '../../../kernel/abi/wire/index.js';
import { CookieChecker, CookieGenerator } from '../../../userland/bin/wireguard/cookie.js';
import { hash, kdf, open } from '../../../userland/bin/wireguard/crypto.js';
import {
  acceptInitiation,
  consumeInitiation,
  consumeResponse,
  createInitiation,
  deriveTransportKeys,
  Handshake,
  INITIAL_CHAIN_KEY,
  INITIAL_HASH,
  type Initiation,
  precomputeStaticStatic,
  type Response,
  tai64n,
} from '../../../userland/bin/wireguard/noise.js';
import { dh, publicKeyOf } from '../../../userland/lib/wireguard/keys.js';
import { capture, hex, toHex, vectorKey } from './helpers.js';

const A_PRIV = vectorKey('a.key');
const A_PUB = vectorKey('a.pub');
const B_PRIV = vectorKey('b.key');
const B_PUB = vectorKey('b.pub');
const A = { privateKey: A_PRIV, publicKey: A_PUB };
const B = { privateKey: B_PRIV, publicKey: B_PUB };
const PSK = new Uint8Array(32);

function parse(bytes: Uint8Array): WireGuardRepr {
  const p = WireGuardPacket.checked(bytes);
  if (p instanceof WireError) throw new Error(p.reason);
  const r = WireGuardRepr.parse(p);
  if (r instanceof WireError) throw new Error(r.reason);
  return r;
}

describe('the keys of the vectors', () => {
  it('are pairs: each public key is its private key times the base point', () => {
    expect(toHex(publicKeyOf(A_PRIV))).toBe(toHex(A_PUB));
    expect(toHex(publicKeyOf(B_PRIV))).toBe(toHex(B_PUB));
    expect(toHex(dh(A_PRIV, B_PUB)!)).toBe(toHex(dh(B_PRIV, A_PUB)!));
  });
});

describe('wg-real-pair.pcap (two real wireguard-go)', () => {
  const frames = capture('wg-real-pair.pcap');

  it('has the measured sizes: 148, 92, then 128 per ping and 32 per keepalive', () => {
    expect(frames.map((f) => f.payload.length)).toEqual([148, 92, 128, 128, 128, 128, 128, 128, 32, 32, 32, 32]);
    for (const f of frames) expect(looksLikeWireGuard(f.payload)).toBe(true);
  });

  it('parses every message and emits it back byte for byte', () => {
    for (const f of frames) expect(toHex(buildWireGuardMessage(parse(f.payload)))).toBe(toHex(f.payload));
  });

  it('reads the indices and counters the README lists', () => {
    const [init, resp, ...rest] = frames.map((f) => parse(f.payload));
    expect(init).toMatchObject({ type: WG_HANDSHAKE_INITIATION, sender: 0x81cc5689 });
    expect(resp).toMatchObject({ type: WG_HANDSHAKE_RESPONSE, sender: 0x409dba73, receiver: 0x81cc5689 });
    const transport = rest.map((m) => (m.type === WG_TRANSPORT_DATA ? [m.receiver, m.counter] : null));
    expect(transport.slice(0, 7)).toEqual([
      [0x409dba73, 0n],
      [0x81cc5689, 0n],
      [0x409dba73, 1n],
      [0x81cc5689, 1n],
      [0x409dba73, 2n],
      [0x81cc5689, 2n],
      [0x409dba73, 3n],
    ]);
  });

  it("recomputes the initiation's mac1, and B opens it: A's static key and the TAI64N timestamp", () => {
    const msg = frames[0]!.payload;
    const checker = new CookieChecker();
    checker.init(B_PUB);
    expect(checker.checkMac1(msg)).toBe(true);
    const wrongKey = new CookieChecker();
    wrongKey.init(A_PUB);
    expect(wrongKey.checkMac1(msg)).toBe(false);

    const peerA = { remoteStatic: A_PUB, presharedKey: PSK, staticStatic: precomputeStaticStatic(B_PRIV, A_PUB), name: 'A' };
    const opened = consumeInitiation(B, parse(msg) as Initiation, (k) => (toHex(k) === toHex(A_PUB) ? peerA : undefined));
    expect(opened).not.toBeNull();
    expect(opened!.peer.name).toBe('A');
    expect(toHex(opened!.timestamp)).toBe('400000006b16b67106000000');
    // Unix 1796650599 + 2^62 + 10, 100663296 ns: the low 24 bits of the nanoseconds whitened.
    expect(toHex(tai64n(1796650599 * 1e9 + 107_577_776))).toBe('400000006b16b67106000000');
  });

  it("recomputes the response's mac1 (keyed by A's public key)", () => {
    const checker = new CookieChecker();
    checker.init(A_PUB);
    expect(checker.checkMac1(frames[1]!.payload)).toBe(true);
  });

  it('refuses the initiation for a peer B does not know', () => {
    expect(consumeInitiation(B, parse(frames[0]!.payload) as Initiation, () => undefined)).toBeNull();
  });
});

describe('wg-fixed-ephemeral.pcap (the whole handshake recomputed)', () => {
  const frames = capture('wg-fixed-ephemeral.pcap');
  const ephemeral = hex('9a4cd112fc640f5c7a89606306d18cf47b64e6aa00880d77c329a383b9d4cba2');
  const peerB = { remoteStatic: B_PUB, presharedKey: PSK, staticStatic: precomputeStaticStatic(A_PRIV, B_PUB) };

  function initiate() {
    const hs = new Handshake();
    const msg = createInitiation(A, peerB, hs, ephemeral, hex('400000006b16b6ab13000000'), 0x11223344)!;
    const bytes = buildWireGuardMessage(msg);
    const gen = new CookieGenerator();
    gen.init(B_PUB);
    gen.addMacs(bytes, 0);
    return { hs, bytes };
  }

  it('starts from the construction and identifier hashes the README gives', () => {
    expect(toHex(INITIAL_CHAIN_KEY)).toBe('60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36');
    expect(toHex(hash(INITIAL_HASH, B_PUB))).toBe('f6f91c95fa1eef7b4239e09a95be613267aa677de958b682bacf25d7a4aa2f6c');
    expect(toHex(dh(ephemeral, B_PUB)!)).toBe('507455d6b899f5e1d4109943a7cd98e924802dba27f3ef0e25b9c95e56162119');
    expect(toHex(peerB.staticStatic!)).toBe('feb8b0b246a538e8504e63caf4587234b6470d0566836771cf13adaabb2a1b4d');
    expect(toHex(hash('mac1----', B_PUB))).toBe('f34f78989b8d7b5e737127559ed13d4ec6dab2d568ce072941996cc98c5d9d77');
  });

  it('rebuilds the initiation exactly, mac1 included, with C and H as listed', () => {
    const { hs, bytes } = initiate();
    expect(toHex(bytes)).toBe(toHex(frames[0]!.payload));
    expect(toHex(bytes.subarray(116, 132))).toBe('120bef989f7ee03e6a969f654693c5ac');
    expect(toHex(hs.chainKey)).toBe('075e58d6ce655e0b96f42a2fa62f852a9ffd5204d5608baf3fdc4f85a8748343');
    expect(toHex(hs.hash)).toBe('4dcaff701c1a24976e0040b58cd1fc18af7077b5000ee70b77294d5c1c649f27');
  });

  it("consumes wireguard-go's response and derives the listed transport keys", () => {
    const { hs } = initiate();
    const resp = parse(frames[1]!.payload) as Response;
    expect(resp.sender).toBe(0x0e868f25);
    expect(toHex(dh(ephemeral, resp.ephemeral)!)).toBe('db56c05a82712a57bb4ae3ae131ce4e98f89188a298464e42e3c698f09021d1b');
    expect(toHex(dh(A_PRIV, resp.ephemeral)!)).toBe('e30817d07c8b29b5eb51d6d20964b1956489c2c8b9536f1ccfe71da068ab1f1d');
    expect(consumeResponse(A, peerB, hs, resp)).toBe(true);
    expect(toHex(hs.chainKey)).toBe('8aca000896b6d8939d0c19961b98618b178e1555bb7c638c595435aec6753272');
    expect(toHex(hs.hash)).toBe('4e9df9535b4d0063675a5770e49f81f697e3f6037eee52ecef048b3d27df63a7');
    expect(hs.remoteIndex).toBe(0x0e868f25);
    const keys = deriveTransportKeys(hs)!;
    expect(keys.initiator).toBe(true);
    expect(toHex(keys.send)).toBe('b3ee7a46576818cd31746db28fd94d06435312bc89c7f75086242a716860f7b5');
    expect(toHex(keys.receive)).toBe('b3d27b98b09fb91807ce1bcba2d9ae3f2dfd59838923fdc2ab15f195379155ff');
    expect(hs.stage).toBe('zeroed');
    expect(toHex(kdf(2, hex('8aca000896b6d8939d0c19961b98618b178e1555bb7c638c595435aec6753272'))[0]!)).toBe(toHex(keys.send));
  });

  it('decrypts the pings both ways and the final keepalive, padded as listed', () => {
    const send = hex('b3ee7a46576818cd31746db28fd94d06435312bc89c7f75086242a716860f7b5');
    const receive = hex('b3d27b98b09fb91807ce1bcba2d9ae3f2dfd59838923fdc2ab15f195379155ff');
    const sealed = frames.slice(2).map((f) => parse(f.payload));
    const plain = sealed.map((m, i) => {
      if (m.type !== WG_TRANSPORT_DATA) throw new Error('not transport');
      // Frames 3, 5, 7 are A's (sent with `send`), 4 and 6 B's.
      return open(i % 2 === 0 ? send : receive, m.counter, m.encryptedPacket);
    });
    expect(plain.every((p) => p !== null)).toBe(true);
    const tail = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425' + '00'.repeat(13);
    expect(toHex(plain[0]!)).toBe('4500005300010000400166950a0900010a0900020800e62c4242000157472d544553542d564543544f522d3031' + tail);
    expect(toHex(plain[1]!)).toBe('4500005390c900004001d5cc0a0900020a0900010000ee2c4242000157472d544553542d564543544f522d3031' + tail);
    expect(plain.map((p) => p!.length)).toEqual([96, 96, 96, 96, 0]);
    expect(sealed.map((m) => (m.type === WG_TRANSPORT_DATA ? m.counter : -1n))).toEqual([0n, 0n, 1n, 1n, 2n]);
  });

  it('is answered by a tunlab responder with the same transport keys, swapped', () => {
    const peerA = { remoteStatic: A_PUB, presharedKey: PSK, staticStatic: precomputeStaticStatic(B_PRIV, A_PUB) };
    const init = parse(frames[0]!.payload) as Initiation;
    const opened = consumeInitiation(B, init, () => peerA)!;
    expect(toHex(opened.timestamp)).toBe('400000006b16b6ab13000000');
    const hs = new Handshake();
    acceptInitiation(hs, init, opened, 0);
    expect(toHex(hs.chainKey)).toBe('075e58d6ce655e0b96f42a2fa62f852a9ffd5204d5608baf3fdc4f85a8748343');
  });
});
