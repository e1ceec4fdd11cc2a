// The WireGuard message views (kernel/abi/wire/wireguard.ts): lengths by type, little-endian fields,
// errors as values for anything malformed, and Wireshark's heuristic. The real captures are checked
// in test/unit/wireguard/vectors.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildWireGuardMessage,
  looksLikeWireGuard,
  WG_COOKIE_REPLY,
  WG_TRANSPORT_DATA,
  WireGuardPacket,
  WireGuardRepr,
  WireError,
} from '../../../kernel/abi/wire/index.js';

const numRuns = Number(process.env.FUZZ_RUNS ?? 2000);

function reason(bytes: Uint8Array): string {
  const p = WireGuardPacket.checked(bytes);
  expect(p).toBeInstanceOf(WireError);
  return (p as WireError).reason;
}

describe('WireGuard messages', () => {
  it('refuses what is too short, of the wrong length for its type, or of an unknown type', () => {
    expect(reason(new Uint8Array(3))).toBe('WireGuard: message truncated (3 < 4 bytes)');
    expect(reason(Uint8Array.of(1, 0, 0, 0, ...new Uint8Array(143)))).toBe('WireGuard: Handshake Initiation of 147 bytes (not 148)');
    expect(reason(Uint8Array.of(2, 0, 0, 0, ...new Uint8Array(89)))).toBe('WireGuard: Handshake Response of 93 bytes (not 92)');
    expect(reason(Uint8Array.of(4, 0, 0, 0, ...new Uint8Array(27)))).toBe('WireGuard: transport message truncated (31 < 32 bytes)');
    expect(reason(Uint8Array.of(5, 0, 0, 0))).toBe('WireGuard: unknown message type 0x00000005');
    // The reserved bytes are part of the type word: non-zero, the type is unknown (wireguard-go).
    expect(reason(Uint8Array.of(4, 1, 0, 0, ...new Uint8Array(28)))).toBe('WireGuard: unknown message type 0x00000104');
  });

  it('writes indices and counters little-endian', () => {
    const bytes = buildWireGuardMessage({ type: WG_TRANSPORT_DATA, receiver: 0x11223344, counter: 0x0102030405060708n, encryptedPacket: new Uint8Array(16) });
    expect([...bytes.subarray(0, 16)]).toEqual([4, 0, 0, 0, 0x44, 0x33, 0x22, 0x11, 8, 7, 6, 5, 4, 3, 2, 1]);
    const c = buildWireGuardMessage({ type: WG_COOKIE_REPLY, receiver: 7, nonce: new Uint8Array(24).fill(9), encryptedCookie: new Uint8Array(32).fill(8) });
    expect(c.length).toBe(64);
    expect(WireGuardRepr.parse(new WireGuardPacket(c))).toMatchObject({ type: WG_COOKIE_REPLY, receiver: 7 });
  });

  it('will not emit a field of the wrong size', () => {
    expect(() => buildWireGuardMessage({ type: WG_COOKIE_REPLY, receiver: 7, nonce: new Uint8Array(12), encryptedCookie: new Uint8Array(32) })).toThrow(RangeError);
  });

  it("recognises WireGuard on any port as Wireshark's heuristic does", () => {
    expect(looksLikeWireGuard(Uint8Array.of(1, 9, 9, 9, ...new Uint8Array(144)))).toBe(true);
    expect(looksLikeWireGuard(Uint8Array.of(3, 9, 0, 0, ...new Uint8Array(60)))).toBe(false);
    expect(looksLikeWireGuard(Uint8Array.of(4, 0, 0, 0, ...new Uint8Array(28)))).toBe(true);
    expect(looksLikeWireGuard(Uint8Array.of(4, 0, 0, 0, ...new Uint8Array(27)))).toBe(false);
    expect(looksLikeWireGuard(Uint8Array.of(2, 0, 0, 0, ...new Uint8Array(87)))).toBe(false);
    expect(looksLikeWireGuard(new Uint8Array(0))).toBe(false);
  });

  it('parses any bytes to a message or an error, never a throw, and re-emits what it parses', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.constantFrom(148, 92, 64, 32, 100).chain((n) =>
            fc.uint8Array({ minLength: n - 4, maxLength: n - 4 }).map((b) => Uint8Array.of(n === 148 ? 1 : n === 92 ? 2 : n === 64 ? 3 : 4, 0, 0, 0, ...b)),
          ),
        ),
        (bytes) => {
          const p = WireGuardPacket.checked(bytes);
          if (p instanceof WireError) return;
          const r = WireGuardRepr.parse(p);
          expect(r).not.toBeInstanceOf(WireError);
          expect([...buildWireGuardMessage(r as WireGuardRepr)]).toEqual([...bytes]);
        },
      ),
      { numRuns },
    );
  });
});
