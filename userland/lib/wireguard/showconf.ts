// `wg showconf`'s text (showconf.c): a device as a configuration file `wg setconf` takes back. wg and
// wg-quick (its `save`) both write it.

import { keyToBase64 } from './keys.js';
import { formatPrefix } from './prefix.js';
import type { WgDevice } from './uapi-client.js';

const b64 = keyToBase64;

/** showconf: the device as a configuration file setconf would take back. */
export function showconf(dev: WgDevice): string {
  let s = '[Interface]\n';
  if (dev.listenPort) s += `ListenPort = ${dev.listenPort}\n`;
  if (dev.fwmark) s += `FwMark = 0x${dev.fwmark.toString(16)}\n`;
  if (dev.privateKey) s += `PrivateKey = ${b64(dev.privateKey)}\n`;
  s += '\n';
  dev.peers.forEach((p, i) => {
    s += `[Peer]\nPublicKey = ${b64(p.publicKey)}\n`;
    if (p.presharedKey) s += `PresharedKey = ${b64(p.presharedKey)}\n`;
    if (p.allowedIps.length) s += `AllowedIPs = ${p.allowedIps.map(formatPrefix).join(', ')}\n`;
    if (p.endpoint) s += `Endpoint = ${p.endpoint}\n`;
    if (p.persistentKeepalive) s += `PersistentKeepalive = ${p.persistentKeepalive}\n`;
    if (i < dev.peers.length - 1) s += '\n';
  });
  return s;
}
