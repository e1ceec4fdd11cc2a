// Ethernet II frames as a TAP device reads and writes them: destination, source, EtherType, payload.
// No preamble and no FCS (the NIC strips them and so does Linux's TAP), and no minimum-size padding
// on emit: receivers must bound the payload by the inner protocol's own length (IPv4 total length,
// UDP length), because a frame that came off a real wire may carry up to 45 bytes of zero padding.

import { readMac, writeMac } from './address.js';
import { readU16, writeU16 } from './bytes.js';
import { WireError } from './error.js';

export const ETHERNET_HEADER_LEN = 14;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;

/** A view over a frame. `new EthernetFrame(buf)` is unchecked (for emitting into a fresh buffer);
 * use `EthernetFrame.checked` on received bytes. */
export class EthernetFrame {
  constructor(readonly buffer: Uint8Array) {}

  static checked(buffer: Uint8Array): EthernetFrame | WireError {
    const frame = new EthernetFrame(buffer);
    return frame.checkLen() ?? frame;
  }

  /** Undefined when every getter is safe to use. */
  checkLen(): WireError | undefined {
    const len = this.buffer.length;
    if (len < ETHERNET_HEADER_LEN) return new WireError(`Ethernet: header truncated (${len} < ${ETHERNET_HEADER_LEN} bytes)`);
    return undefined;
  }

  get dst(): number {
    return readMac(this.buffer, 0);
  }
  set dst(mac: number) {
    writeMac(this.buffer, 0, mac);
  }

  get src(): number {
    return readMac(this.buffer, 6);
  }
  set src(mac: number) {
    writeMac(this.buffer, 6, mac);
  }

  get ethertype(): number {
    return readU16(this.buffer, 12);
  }
  set ethertype(value: number) {
    writeU16(this.buffer, 12, value);
  }

  /** Everything after the header, padding included. */
  get payload(): Uint8Array {
    return this.buffer.subarray(ETHERNET_HEADER_LEN);
  }
}

export interface EthernetRepr {
  dst: number;
  src: number;
  ethertype: number;
}

export const EthernetRepr = {
  // Every EtherType is accepted (values below 0x0600 are 802.3 lengths): dispatching on it, and
  // dropping what nobody handles, is the interface's job.
  parse(frame: EthernetFrame): EthernetRepr | WireError {
    const err = frame.checkLen();
    if (err !== undefined) return err;
    return { dst: frame.dst, src: frame.src, ethertype: frame.ethertype };
  },

  /** Writes the 14-byte header; the payload, if any, goes at `frame.payload`. */
  emit(repr: EthernetRepr, frame: EthernetFrame): void {
    frame.dst = repr.dst;
    frame.src = repr.src;
    frame.ethertype = repr.ethertype;
  },

  bufferLen(_repr: EthernetRepr): number {
    return ETHERNET_HEADER_LEN;
  },
};

export function buildEthernetFrame(repr: EthernetRepr, payload: Uint8Array): Uint8Array {
  const buf = new Uint8Array(ETHERNET_HEADER_LEN + payload.length);
  EthernetRepr.emit(repr, new EthernetFrame(buf));
  buf.set(payload, ETHERNET_HEADER_LEN);
  return buf;
}
