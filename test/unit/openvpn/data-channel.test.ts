import { createCipheriv, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AES_256_CBC, AUTHS, CIPHERS, SHA1, SHA256, type AuthSpec, type CipherSpec } from '../../../userland/bin/openvpn/algorithms.js';
import {
  DECRYPT_ERROR_PREFIX,
  PACKET_ID_MAX,
  PACKET_ID_ROLL_OVER,
  createDecryptState,
  createEncryptState,
  datagramLength,
  decryptErrorLine,
  decryptPacket,
  encryptPacket,
  formatTimeUtc,
  replayReason,
  rollOverPacketId,
  type DecryptResult,
} from '../../../userland/bin/openvpn/data-channel.js';
import { PING_MAGIC } from '../../../userland/bin/openvpn/messages.js';
import { ReplayWindow } from '../../../userland/bin/openvpn/replay.js';
import { isKeyFileError, keySlots, parseStaticKey } from '../../../userland/bin/openvpn/static-key.js';
import { isPcapError, readPcap } from '../../../userland/lib/pcap.js';
import { numRuns, udpFromEthernet, vector } from './helpers.js';

const KEY = (() => {
  const k = parseStaticKey(vector('static.key'));
  if (isKeyFileError(k)) throw new Error(k.message);
  return k;
})();
const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z

/** A dir-0 sender and the dir-1 receiver that matches it, with a counting IV source. */
function pair(cipher: CipherSpec = AES_256_CBC, auth: AuthSpec = SHA256, replay?: ReplayWindow) {
  let n = 0;
  const tx = createEncryptState({
    cipher,
    auth,
    keys: keySlots(KEY, 0, cipher, auth).encrypt,
    time: T0,
    randomIv: (len) => new Uint8Array(len).fill(++n),
  });
  const rx = createDecryptState({ cipher, auth, keys: keySlots(KEY, 1, cipher, auth).decrypt, ...(replay ? { replay } : {}) });
  return { tx, rx };
}

/** Build a datagram by hand: HMAC over whatever body we choose, with the dir-0 keys. */
function forge(body: Uint8Array, auth: AuthSpec = SHA256): Uint8Array {
  const hmacKey = keySlots(KEY, 0, AES_256_CBC, auth).encrypt.hmacKey;
  const mac = createHmac(auth.nodeName, hmacKey).update(body).digest();
  return new Uint8Array(Buffer.concat([mac, body]));
}
function sealRaw(plain: Uint8Array, padding: boolean): Uint8Array {
  const iv = new Uint8Array(16).fill(7);
  const c = createCipheriv('aes-256-cbc', keySlots(KEY, 0, AES_256_CBC, SHA256).encrypt.cipherKey, iv);
  c.setAutoPadding(padding);
  return forge(new Uint8Array(Buffer.concat([iv, c.update(plain), c.final()])));
}
function plainWith(id: number, time: number, payload: Uint8Array): Uint8Array {
  const b = new Uint8Array(8 + payload.length);
  new DataView(b.buffer).setUint32(0, id);
  new DataView(b.buffer).setUint32(4, time);
  b.set(payload, 8);
  return b;
}
function reason(r: DecryptResult): string {
  if (r.ok) throw new Error('expected a failure');
  return r.reason;
}

describe('datagramLength', () => {
  it('matches the sizes seen on the wire', () => {
    expect(datagramLength(16, AES_256_CBC, SHA256)).toBe(80); // ping, OCC_REQUEST is 17 -> also 80
    expect(datagramLength(17, AES_256_CBC, SHA256)).toBe(80);
    expect(datagramLength(16, AES_256_CBC, SHA1)).toBe(68);
    expect(datagramLength(84, AES_256_CBC, SHA256)).toBe(144); // ICMP echo
    expect(datagramLength(48, AES_256_CBC, SHA256)).toBe(112); // IPv6 router solicitation
    expect(datagramLength(135, AES_256_CBC, SHA256)).toBe(192); // the captured OCC_REPLY
    expect(datagramLength(8, AES_256_CBC, SHA256)).toBe(32 + 16 + 32); // 16 bytes of plaintext: a full pad block
  });
});

describe('encryptPacket / decryptPacket', () => {
  it('round-trips every cipher and auth, counting ids from 1 with a fixed time', () => {
    for (const cipher of CIPHERS) {
      for (const auth of AUTHS) {
        const { tx, rx } = pair(cipher, auth);
        for (const size of [0, 1, 7, 8, 15, 16, 17, 84, 1500]) {
          const payload = Uint8Array.from({ length: size }, (_, i) => (i * 7 + size) & 0xff);
          const wire = encryptPacket(tx, payload);
          expect(wire.length).toBe(datagramLength(size, cipher, auth));
          const r = decryptPacket(rx, wire, T0);
          expect(r).toEqual({ ok: true, packetId: tx.packetId, time: T0, payload });
        }
        expect(tx.packetId).toBe(9);
      }
    }
  });

  it('reproduces captured datagrams bit for bit given the same id, time and IV', () => {
    const file = readPcap(vector('real-openvpn-2.6.14-static.pcap'));
    if (isPcapError(file)) throw new Error(file.message);
    const rx = createDecryptState({ cipher: AES_256_CBC, auth: SHA256, keys: keySlots(KEY, 1, AES_256_CBC, SHA256).decrypt });
    let checked = 0;
    for (const p of file.packets) {
      const udp = udpFromEthernet(p.data)!;
      if (udp.srcPort !== 11941) continue;
      const r = decryptPacket(rx, udp.payload, p.tsSec);
      if (!r.ok) throw new Error(r.reason);
      const tx = createEncryptState({
        cipher: AES_256_CBC,
        auth: SHA256,
        keys: keySlots(KEY, 0, AES_256_CBC, SHA256).encrypt,
        time: r.time,
        randomIv: () => udp.payload.slice(32, 48),
      });
      tx.packetId = r.packetId - 1;
      expect(encryptPacket(tx, r.payload)).toEqual(udp.payload);
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('fails the HMAC with the wrong direction, the wrong --auth or a flipped bit', () => {
    const { tx } = pair();
    const wire = encryptPacket(tx, PING_MAGIC);
    const sameDir = createDecryptState({ cipher: AES_256_CBC, auth: SHA256, keys: keySlots(KEY, 0, AES_256_CBC, SHA256).decrypt });
    expect(reason(decryptPacket(sameDir, wire, T0))).toBe('packet HMAC authentication failed');
    const sha1 = createDecryptState({ cipher: AES_256_CBC, auth: SHA1, keys: keySlots(KEY, 1, AES_256_CBC, SHA1).decrypt });
    expect(reason(decryptPacket(sha1, wire, T0))).toBe('packet HMAC authentication failed');

    fc.assert(
      fc.property(fc.integer({ min: 0, max: wire.length * 8 - 1 }), (bit) => {
        const { rx } = pair();
        const bad = wire.slice();
        bad[bit >> 3]! ^= 1 << (bit & 7);
        const r = decryptPacket(rx, bad, T0);
        expect(r).toEqual({ ok: false, failure: 'hmac', reason: 'packet HMAC authentication failed' });
        expect(decryptErrorLine(r as { reason: string })).toBe(
          'Authenticate/Decrypt packet error: packet HMAC authentication failed',
        );
      }),
      { numRuns: Math.min(numRuns, wire.length * 8) },
    );
  });

  // The order and wording of openvpn_decrypt_v1(); each reason was provoked in a real 2.6.14.
  it('reports malformed datagrams in OpenVPN’s order and words', () => {
    const { rx } = pair();
    expect(reason(decryptPacket(rx, new Uint8Array(10).fill(1), T0))).toBe('missing authentication info');
    expect(reason(decryptPacket(rx, new Uint8Array(31), T0))).toBe('missing authentication info');
    expect(reason(decryptPacket(rx, new Uint8Array(32), T0))).toBe('packet HMAC authentication failed');
    expect(reason(decryptPacket(rx, forge(new Uint8Array(0)), T0))).toBe('missing IV info');
    expect(reason(decryptPacket(rx, forge(new Uint8Array(5)), T0))).toBe('missing IV info');
    expect(reason(decryptPacket(rx, forge(new Uint8Array(16)), T0))).toBe('missing payload');
    expect(reason(decryptPacket(rx, forge(new Uint8Array(36).fill(0x11)), T0))).toBe('cipher final failed');
    expect(reason(decryptPacket(rx, sealRaw(new Uint8Array(16), false), T0))).toBe('cipher final failed');
    expect(reason(decryptPacket(rx, sealRaw(new Uint8Array(3), true), T0))).toBe('error reading CBC packet-id');
    expect(decryptPacket(rx, sealRaw(plainWith(5, T0, new Uint8Array(0)), true), T0)).toEqual({
      ok: true,
      packetId: 5,
      time: T0,
      payload: new Uint8Array(0),
    });
  });

  it('rejects replays, id 0 and older sessions with OpenVPN’s message', () => {
    const { tx, rx } = pair();
    const first = encryptPacket(tx, PING_MAGIC);
    const second = encryptPacket(tx, PING_MAGIC);
    expect(decryptPacket(rx, second, T0).ok).toBe(true);
    expect(decryptPacket(rx, first, T0).ok).toBe(true); // re-ordered by one: fine
    const again = decryptPacket(rx, first, T0);
    expect(again).toEqual({
      ok: false,
      failure: 'replay',
      packetId: 1,
      time: T0,
      reason:
        'bad packet ID (may be a replay): [ #1 / time = (1767225600) 2026-01-01 00:00:00 ] -- see the man page entry ' +
        'for --no-replay and --replay-window for more info or silence this warning with --mute-replay-warnings',
    });
    expect(decryptErrorLine(again as { reason: string })).toMatch(/^Authenticate\/Decrypt packet error: bad packet ID/);
    expect(reason(decryptPacket(rx, sealRaw(plainWith(0, T0, PING_MAGIC), true), T0))).toMatch(/^bad packet ID \(may be a replay\): \[ #0 \/ time/);
    expect(reason(decryptPacket(rx, sealRaw(plainWith(9, T0 - 1, PING_MAGIC), true), T0))).toMatch(/\[ #9 \/ time = \(1767225599\) 2025-12-31 23:59:59 \]/);
    expect(reason(decryptPacket(rx, sealRaw(plainWith(5, 0, PING_MAGIC), true), T0))).toMatch(/^bad packet ID \(may be a replay\): \[ #5 \] -- see/);
    // A restarted sender with a later time is a new session.
    expect(decryptPacket(rx, sealRaw(plainWith(1, T0 + 1, PING_MAGIC), true), T0)).toMatchObject({ ok: true, packetId: 1 });
  });

  it('leaves the window alone when asked not to commit', () => {
    const { tx, rx } = pair();
    const wire = encryptPacket(tx, PING_MAGIC);
    expect(decryptPacket(rx, wire, T0, { commit: false }).ok).toBe(true);
    expect(decryptPacket(rx, wire, T0, { commit: false }).ok).toBe(true);
    expect(decryptPacket(rx, wire, T0).ok).toBe(true);
    expect(decryptPacket(rx, wire, T0).ok).toBe(false);
  });

  it('never throws on random datagrams, authenticated or not', () => {
    const { rx } = pair(AES_256_CBC, SHA256, new ReplayWindow(64, 15));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, sign) => {
        const r = decryptPacket(rx, sign ? forge(bytes) : bytes, T0);
        if (!sign) expect(r.ok).toBe(false);
        if (!r.ok) expect(decryptErrorLine(r)).toMatch(new RegExp(`^${DECRYPT_ERROR_PREFIX.replace('/', '\\/')}: `));
      }),
      { numRuns },
    );
  });

  it('stops at the 32-bit id limit unless the clock has moved on', () => {
    const { tx, rx } = pair();
    tx.packetId = PACKET_ID_MAX - 1;
    const last = encryptPacket(tx, PING_MAGIC);
    expect(decryptPacket(rx, last, T0)).toMatchObject({ ok: true, packetId: PACKET_ID_MAX });
    expect(() => encryptPacket(tx, PING_MAGIC)).toThrow(PACKET_ID_ROLL_OVER);
    expect(rollOverPacketId(tx, T0)).toBe(false);
    expect(rollOverPacketId(tx, T0 + 3)).toBe(true);
    expect(decryptPacket(rx, encryptPacket(tx, PING_MAGIC), T0 + 3)).toMatchObject({ ok: true, packetId: 1, time: T0 + 3 });
  });

  it('refuses keys of the wrong length', () => {
    expect(() =>
      createEncryptState({ cipher: AES_256_CBC, auth: SHA256, keys: keySlots(KEY, 0, CIPHERS[0]!, SHA256).encrypt, time: 1 }),
    ).toThrow(RangeError);
  });
});

describe('replay message formatting', () => {
  it('formats time like OpenVPN 2.6 time_string(), in UTC', () => {
    // Seen in a real 2.6.14 log (TZ=UTC): "[ #1 / time = (1795443056) 2026-11-23 14:10:56 ]".
    expect(formatTimeUtc(1795443056)).toBe('2026-11-23 14:10:56');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (t) => {
        expect(formatTimeUtc(t)).toBe(new Date(t * 1000).toISOString().slice(0, 19).replace('T', ' '));
      }),
      { numRuns },
    );
  });

  it('uses a caller-supplied clock format', () => {
    expect(replayReason(18, 1795443056, () => 'LOCAL')).toBe(
      'bad packet ID (may be a replay): [ #18 / time = (1795443056) LOCAL ] -- see the man page entry for --no-replay ' +
        'and --replay-window for more info or silence this warning with --mute-replay-warnings',
    );
  });
});
