// What each expired timer does (wireguard-go's expiredRetransmitHandshake ... in device/timers.go).

import { MAX_TIMER_HANDSHAKES, REJECT_AFTER_TIME, KEEPALIVE_TIMEOUT, REKEY_TIMEOUT } from './constants.js';
import type { Device } from './device.js';
import type { Peer } from './peer.js';
import { sendHandshakeInitiation, sendKeepalive } from './send.js';

/** Run the handlers of every peer's expired timers. */
export async function runTimers(dev: Device): Promise<void> {
  for (const peer of [...dev.peers.values()]) {
    for (const t of peer.timers.expired(dev.now)) {
      await dev.refillRandom();
      switch (t) {
        case 'retransmitHandshake':
          await retransmitHandshake(dev, peer);
          break;
        case 'sendKeepalive':
          await sendKeepalive(dev, peer);
          if (peer.timers.needAnotherKeepalive) {
            peer.timers.needAnotherKeepalive = false;
            peer.timers.mod('sendKeepalive', dev.now + KEEPALIVE_TIMEOUT);
          }
          break;
        case 'newHandshake':
          await dev.log.verbose(`${peer.name} - Retrying handshake because we stopped hearing back after ${(KEEPALIVE_TIMEOUT + REKEY_TIMEOUT) / 1e9} seconds`);
          await sendHandshakeInitiation(dev, peer, false);
          break;
        case 'zeroKeyMaterial':
          await dev.log.verbose(`${peer.name} - Removing all keys, since we haven't received a new one in ${(REJECT_AFTER_TIME * 3) / 1e9} seconds`);
          peer.staged.length = 0;
          dev.expireSessions(peer);
          break;
        case 'persistentKeepalive':
          if (peer.timers.persistentKeepaliveInterval > 0) await sendKeepalive(dev, peer);
          break;
      }
    }
  }
}

async function retransmitHandshake(dev: Device, peer: Peer): Promise<void> {
  if (peer.timers.handshakeAttempts > MAX_TIMER_HANDSHAKES) {
    await dev.log.verbose(`${peer.name} - Handshake did not complete after ${MAX_TIMER_HANDSHAKES + 2} attempts, giving up`);
    peer.timers.del('sendKeepalive');
    peer.staged.length = 0;
    if (!peer.timers.pending('zeroKeyMaterial')) peer.timers.mod('zeroKeyMaterial', dev.now + REJECT_AFTER_TIME * 3);
    return;
  }
  peer.timers.handshakeAttempts++;
  await dev.log.verbose(`${peer.name} - Handshake did not complete after ${REKEY_TIMEOUT / 1e9} seconds, retrying (try ${peer.timers.handshakeAttempts + 1})`);
  await sendHandshakeInitiation(dev, peer, true);
}
