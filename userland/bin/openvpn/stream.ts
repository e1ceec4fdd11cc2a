// OpenVPN's packets over TCP (socket.c's stream_buf): each packet goes on the stream behind its
// length, a 16-bit big-endian count of the bytes that follow. What the reader gets from the socket
// is cut anywhere, so it keeps a partial length or packet until the rest arrives, and one read may
// carry several packets. A length of 0, or over what a packet of this tunnel can be, means the
// stream is out of step (or attacked): 2.6 logs it and restarts the connection.

/** A packet with its length in front, as it goes on the stream. */
export function framePacket(packet: Uint8Array): Uint8Array {
  if (packet.length > 0xffff) throw new RangeError(`a packet of ${packet.length} bytes cannot be framed`);
  const out = new Uint8Array(2 + packet.length);
  out[0] = packet.length >> 8;
  out[1] = packet.length & 0xff;
  out.set(packet, 2);
  return out;
}

export class StreamReader {
  private buf = new Uint8Array(0);
  /** The length that was out of bounds; once set, the stream is unusable. */
  badLength: number | null = null;

  /** @param maxLength the largest packet the peer may send (2.6: the payload size, tun-mtu + 268). */
  constructor(readonly maxLength: number) {}

  /** Bytes as read from the socket: the whole packets they complete, in order. */
  push(bytes: Uint8Array): Uint8Array[] {
    if (this.badLength !== null) return [];
    const joined = new Uint8Array(this.buf.length + bytes.length);
    joined.set(this.buf);
    joined.set(bytes, this.buf.length);
    const packets: Uint8Array[] = [];
    let at = 0;
    while (joined.length - at >= 2) {
      const len = (joined[at]! << 8) | joined[at + 1]!;
      if (len < 1 || len > this.maxLength) {
        this.badLength = len;
        this.buf = new Uint8Array(0);
        return packets;
      }
      if (joined.length - at - 2 < len) break;
      packets.push(joined.slice(at + 2, at + 2 + len));
      at += 2 + len;
    }
    this.buf = joined.slice(at);
    return packets;
  }

  /** Bytes of a packet (or its length) still waiting for the rest. */
  get buffered(): number {
    return this.buf.length;
  }
}
