// Shared by the WireGuard unit tests: the reference's captures and keys (vectors/README.md), each
// capture as its UDP payloads in order.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isPcapError, readPcap } from '../../../userland/lib/pcap.js';
import { keyFromBase64 } from '../../../userland/lib/wireguard/keys.js';
import { type UdpDatagram, udpFromEthernet } from '../openvpn/helpers.js';

export { hex, toHex } from '../openvpn/helpers.js';

export const numRuns = Number(process.env.FUZZ_RUNS ?? 2000);

export function vectorFile(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fileURLToPath(new URL(`./vectors/${name}`, import.meta.url))));
}

export function vectorKey(name: 'a.key' | 'a.pub' | 'b.key' | 'b.pub'): Uint8Array {
  const k = keyFromBase64(new TextDecoder().decode(vectorFile(name)).trim());
  if (!k) throw new Error(`${name} is not a key`);
  return k;
}

export interface CapturedDatagram extends UdpDatagram {
  /** Seconds since the first frame. */
  readonly t: number;
}

export function capture(name: string): CapturedDatagram[] {
  const file = readPcap(vectorFile(name));
  if (isPcapError(file)) throw new Error(file.message);
  const t0 = file.packets[0]!.tsSec + file.packets[0]!.tsNsec / 1e9;
  return file.packets.map((p) => {
    const udp = udpFromEthernet(p.data);
    if (!udp) throw new Error(`${name}: a frame that is not Ethernet/IPv4/UDP`);
    return { ...udp, t: p.tsSec + p.tsNsec / 1e9 - t0 };
  });
}
