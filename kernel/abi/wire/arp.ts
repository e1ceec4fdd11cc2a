// ARP (RFC 826) for Ethernet and IPv4, the only pairing the stack speaks. The packet view reads the
// generic header (hardware/protocol type and lengths) and the addresses at their Ethernet/IPv4
// offsets; Repr.parse refuses any other pairing with a reason, so a packet that reaches the neighbour
// cache always has 6-byte and 4-byte addresses.

import { readIpv4, readMac, writeIpv4, writeMac } from './address.js';
import { readU16, writeU16 } from './bytes.js';
import { WireError } from './error.js';
import { ETHERTYPE_IPV4 } from './ethernet.js';

export const ARP_HEADER_LEN = 8;
/** The length of an Ethernet/IPv4 ARP packet. In a frame it is followed by 18 bytes of padding. */
export const ARP_PACKET_LEN = 28;

export const ARP_HTYPE_ETHERNET = 1;
export const ARPOP_REQUEST = 1;
export const ARPOP_REPLY = 2;

export class ArpPacket {
  constructor(readonly buffer: Uint8Array) {}

  static checked(buffer: Uint8Array): ArpPacket | WireError {
    const packet = new ArpPacket(buffer);
    return packet.checkLen() ?? packet;
  }

  checkLen(): WireError | undefined {
    const len = this.buffer.length;
    if (len < ARP_HEADER_LEN) return new WireError(`ARP: header truncated (${len} < ${ARP_HEADER_LEN} bytes)`);
    const needed = ARP_HEADER_LEN + 2 * (this.hardwareLen + this.protocolLen);
    if (len < needed) return new WireError(`ARP: packet truncated (${len} < ${needed} bytes)`);
    // A well-formed ARP for some other link or protocol can be shorter than the fixed offsets the
    // address getters use; say so rather than calling it truncated.
    if (len < ARP_PACKET_LEN) {
      return new WireError(`ARP: hardware length ${this.hardwareLen} / protocol length ${this.protocolLen} not supported`);
    }
    return undefined;
  }

  get hardwareType(): number {
    return readU16(this.buffer, 0);
  }
  set hardwareType(value: number) {
    writeU16(this.buffer, 0, value);
  }

  get protocolType(): number {
    return readU16(this.buffer, 2);
  }
  set protocolType(value: number) {
    writeU16(this.buffer, 2, value);
  }

  get hardwareLen(): number {
    return this.buffer[4]!;
  }
  set hardwareLen(value: number) {
    this.buffer[4] = value;
  }

  get protocolLen(): number {
    return this.buffer[5]!;
  }
  set protocolLen(value: number) {
    this.buffer[5] = value;
  }

  get operation(): number {
    return readU16(this.buffer, 6);
  }
  set operation(value: number) {
    writeU16(this.buffer, 6, value);
  }

  get senderMac(): number {
    return readMac(this.buffer, 8);
  }
  set senderMac(mac: number) {
    writeMac(this.buffer, 8, mac);
  }

  get senderIp(): number {
    return readIpv4(this.buffer, 14);
  }
  set senderIp(addr: number) {
    writeIpv4(this.buffer, 14, addr);
  }

  get targetMac(): number {
    return readMac(this.buffer, 18);
  }
  set targetMac(mac: number) {
    writeMac(this.buffer, 18, mac);
  }

  get targetIp(): number {
    return readIpv4(this.buffer, 24);
  }
  set targetIp(addr: number) {
    writeIpv4(this.buffer, 24, addr);
  }
}

export interface ArpRepr {
  operation: typeof ARPOP_REQUEST | typeof ARPOP_REPLY;
  senderMac: number;
  senderIp: number;
  /** Zero in a request: the address being asked for is unknown. */
  targetMac: number;
  targetIp: number;
}

export const ArpRepr = {
  parse(packet: ArpPacket): ArpRepr | WireError {
    const err = packet.checkLen();
    if (err !== undefined) return err;
    if (packet.hardwareType !== ARP_HTYPE_ETHERNET) {
      return new WireError(`ARP: hardware type ${packet.hardwareType} is not Ethernet (${ARP_HTYPE_ETHERNET})`);
    }
    if (packet.protocolType !== ETHERTYPE_IPV4) {
      return new WireError(`ARP: protocol type 0x${packet.protocolType.toString(16).padStart(4, '0')} is not IPv4 (0x0800)`);
    }
    if (packet.hardwareLen !== 6) return new WireError(`ARP: hardware length ${packet.hardwareLen} != 6`);
    if (packet.protocolLen !== 4) return new WireError(`ARP: protocol length ${packet.protocolLen} != 4`);
    const operation = packet.operation;
    if (operation !== ARPOP_REQUEST && operation !== ARPOP_REPLY) {
      return new WireError(`ARP: operation ${operation} is neither request (1) nor reply (2)`);
    }
    return {
      operation,
      senderMac: packet.senderMac,
      senderIp: packet.senderIp,
      targetMac: packet.targetMac,
      targetIp: packet.targetIp,
    };
  },

  emit(repr: ArpRepr, packet: ArpPacket): void {
    packet.hardwareType = ARP_HTYPE_ETHERNET;
    packet.protocolType = ETHERTYPE_IPV4;
    packet.hardwareLen = 6;
    packet.protocolLen = 4;
    packet.operation = repr.operation;
    packet.senderMac = repr.senderMac;
    packet.senderIp = repr.senderIp;
    packet.targetMac = repr.targetMac;
    packet.targetIp = repr.targetIp;
  },

  bufferLen(_repr: ArpRepr): number {
    return ARP_PACKET_LEN;
  },
};

export function buildArpPacket(repr: ArpRepr): Uint8Array {
  const buf = new Uint8Array(ARP_PACKET_LEN);
  ArpRepr.emit(repr, new ArpPacket(buf));
  return buf;
}
