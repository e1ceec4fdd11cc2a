// WireGuard inside UDP, which tcpdump 4.99 does not decode: shown in the words of Wireshark's
// WireGuard dissector (packet-wireguard.c), whose Info column is the summary ("Handshake
// Initiation, sender=0x81CC5689", "Transport Data, receiver=0x409DBA73, counter=0, datalen=96",
// "Keepalive, receiver=..., counter=3") and whose field names are the -v details (Reserved,
// Ephemeral, mac1, mac2, Nonce, Encrypted Cookie). A datagram is WireGuard on port 51820, or on
// any port when its bytes pass Wireshark's heuristic (looksLikeWireGuard); anything else stays UDP.

import { keyToBase64 } from '../wireguard/keys.js';
import {
  looksLikeWireGuard,
  WG_COOKIE_REPLY,
  WG_DEFAULT_PORT,
  WG_HANDSHAKE_INITIATION,
  WG_HANDSHAKE_RESPONSE,
  WG_TAG_LEN,
  WG_TRANSPORT_HEADER_LEN,
  WG_TYPE_NAMES,
  WireGuardPacket,
} from '../../../kernel/abi/wire/wireguard.js';
import type { Printer } from './printer.js';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
/** Wireshark's Info column writes indices as 0x and eight uppercase digits. */
const index = (n: number) => `0x${n.toString(16).toUpperCase().padStart(8, '0')}`;

/**
 * The summary of a WireGuard message at `off` (`len` bytes of UDP payload, all captured), or null
 * when the datagram is not one: the caller prints it as plain UDP.
 */
export function wireguardSummary(p: Printer, off: number, len: number, sport: number, dport: number): string | null {
  if (!p.has(off, len)) return null;
  const bytes = p.b.subarray(off, off + len);
  if (!looksLikeWireGuard(bytes)) {
    // On its own port a datagram is WireGuard whatever it holds, as Wireshark decodes it there.
    if (sport !== WG_DEFAULT_PORT && dport !== WG_DEFAULT_PORT) return null;
    const m = WireGuardPacket.checked(bytes);
    const why = m instanceof WireGuardPacket ? 'reserved bytes not zero' : m.reason.replace(/^WireGuard: /, '');
    return `WireGuard, invalid: ${why}, length ${len}`;
  }
  const msg = new WireGuardPacket(bytes);
  const type = bytes[0]!;
  const u32 = (at: number) => new DataView(bytes.buffer, bytes.byteOffset).getUint32(at, true);
  let info: string;
  // Wireshark's fields: the -v details, and the details pane's.
  const fields: Array<[string, string]> = [['Type', `${WG_TYPE_NAMES[type]} (${type})`], ['Reserved', hex(bytes.subarray(1, 4))]];
  /** Where the fields -v shows begin (after Reserved, which it shows too): past the Info column's. */
  let details = 2;
  switch (type) {
    case WG_HANDSHAKE_INITIATION:
      info = `${WG_TYPE_NAMES[type]}, sender=${index(msg.sender)}`;
      fields.push(['Sender', index(msg.sender)]);
      details = fields.length;
      fields.push(['Ephemeral', keyToBase64(bytes.subarray(8, 40))], ['mac1', hex(msg.mac1)], ['mac2', hex(msg.mac2)]);
      break;
    case WG_HANDSHAKE_RESPONSE:
      info = `${WG_TYPE_NAMES[type]}, sender=${index(msg.sender)}, receiver=${index(u32(8))}`;
      fields.push(['Sender', index(msg.sender)], ['Receiver', index(u32(8))]);
      details = fields.length;
      fields.push(['Ephemeral', keyToBase64(bytes.subarray(12, 44))], ['mac1', hex(msg.mac1)], ['mac2', hex(msg.mac2)]);
      break;
    case WG_COOKIE_REPLY:
      info = `${WG_TYPE_NAMES[type]}, receiver=${index(u32(4))}`;
      fields.push(['Receiver', index(u32(4))]);
      details = fields.length;
      fields.push(['Nonce', hex(msg.nonce)], ['Encrypted Cookie', hex(msg.encryptedCookie)]);
      break;
    default: {
      const receiver = index(u32(4));
      const datalen = len - WG_TRANSPORT_HEADER_LEN - WG_TAG_LEN;
      info = datalen === 0 ? `Keepalive, receiver=${receiver}, counter=${msg.counter}` : `${WG_TYPE_NAMES[type]}, receiver=${receiver}, counter=${msg.counter}, datalen=${datalen}`;
      fields.push(['Receiver', receiver], ['Counter', String(msg.counter)], ['Encrypted Packet', `${datalen + WG_TAG_LEN} bytes`]);
      details = fields.length;
      break;
    }
  }
  p.layer('WireGuard', off, len, () => fields);
  // -v shows the fields the Info column leaves out: Reserved, then the keys, macs, nonce and cookie.
  const shown = [fields[1]!, ...fields.slice(details)];
  return p.verbose > 0 ? `WireGuard ${info} [${shown.map(([k, v]) => `${k}: ${v}`).join(', ')}], length ${len}` : `WireGuard ${info}, length ${len}`;
}
