import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checksumUpdate16, IcmpPacket, IcmpRepr, internetChecksum } from '../../../kernel/abi/wire/index.js';
import { checksumAccumulate, checksumFinish } from '../../../kernel/abi/wire/checksum.js';

// The echo reply is made from the request by changing one word and updating the checksum for it
// (RFC 1624); these check that it is byte for byte what summing the whole reply again gives.

function request(ident: number, seq: number, data: Uint8Array): Uint8Array {
  const b = new Uint8Array(IcmpRepr.bufferLen({ kind: 'echo-request', ident, seq, data }));
  IcmpRepr.emit({ kind: 'echo-request', ident, seq, data }, new IcmpPacket(b));
  return b;
}

function emittedReply(req: Uint8Array): Uint8Array {
  const r = IcmpRepr.parse(new IcmpPacket(req));
  if (!('ident' in r)) throw new Error('not an echo');
  const b = new Uint8Array(req.length);
  IcmpRepr.emit({ kind: 'echo-reply', ident: r.ident, seq: r.seq, data: r.data }, new IcmpPacket(b));
  return b;
}

function updatedReply(req: Uint8Array): Uint8Array {
  const out = new Uint8Array(req.length);
  new IcmpPacket(req).echoReplyInto(out);
  return out;
}

describe('echo reply by incremental checksum', () => {
  it('equals the reply emitted and summed whole, for any request', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 1500 }), (ident, seq, data) => {
        const req = request(ident, seq, data);
        const reply = updatedReply(req);
        expect(Buffer.from(reply).toString('hex')).toBe(Buffer.from(emittedReply(req)).toString('hex'));
        expect(internetChecksum(reply)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('gives 0xffff, as a full sum does, for a reply that is zeros but for its checksum', () => {
    const req = request(0, 0, new Uint8Array(10));
    const reply = updatedReply(req);
    expect(reply[2]! << 8 | reply[3]!).toBe(0xffff);
    expect(Buffer.from(reply).toString('hex')).toBe(Buffer.from(emittedReply(req)).toString('hex'));
  });

  it('updates any checksum for any one word as recomputing does (RFC 1624 eqn. 3)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 64 }), fc.integer({ min: 0, max: 0xffff }), (bytes, to) => {
        const even = bytes.length & ~1;
        const msg = bytes.slice(0, even);
        const before = checksumFinish(checksumAccumulate(msg));
        const from = (msg[0]! << 8) | msg[1]!;
        msg[0] = to >> 8;
        msg[1] = to & 0xff;
        const sum = checksumAccumulate(msg);
        // Apart from the all-zero message (checksumUpdate16's one exception), the same.
        if (sum !== 0) expect(checksumUpdate16(before, from, to)).toBe(checksumFinish(sum));
      }),
      { numRuns: 500 },
    );
  });
});
