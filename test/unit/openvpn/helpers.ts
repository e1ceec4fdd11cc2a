// Shared by the OpenVPN unit tests: the captured vectors and a minimal Ethernet/IPv4/UDP unwrapper
// that is independent of the kernel's wire code.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const numRuns = Number(process.env.FUZZ_RUNS ?? 2000);

export function vector(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fileURLToPath(new URL(`./vectors/${name}`, import.meta.url))));
}

export function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(clean)) throw new Error(`bad hex: ${s}`);
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => parseInt(b, 16));
}

export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export interface UdpDatagram {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload: Uint8Array;
}

/** The UDP datagram inside an Ethernet II / IPv4 frame, or null for anything else. */
export function udpFromEthernet(frame: Uint8Array): UdpDatagram | null {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (frame.length < 14 + 20 || view.getUint16(12) !== 0x0800) return null;
  const ip = 14;
  const version = frame[ip]! >> 4;
  const ihl = (frame[ip]! & 0x0f) * 4;
  const totalLength = view.getUint16(ip + 2);
  if (version !== 4 || ihl < 20 || frame[ip + 9] !== 17) return null;
  const udp = ip + ihl;
  const udpLength = view.getUint16(udp + 4);
  if (udpLength < 8 || udp + udpLength > frame.length || ihl + udpLength !== totalLength) return null;
  return {
    srcPort: view.getUint16(udp),
    dstPort: view.getUint16(udp + 2),
    payload: frame.slice(udp + 8, udp + udpLength),
  };
}
