// What a device sends (wireguard-go's device/send.go): handshake initiations (at most one per
// REKEY_TIMEOUT unless retrying), responses, cookie replies, and the packets from the tun: routed to
// a peer by allowed ips, staged until a session exists, then each padded to 16 bytes (not beyond
// the MTU), sealed with the next counter and sent. A keepalive is a packet with nothing in it.

import { buildWireGuardMessage, WG_TRANSPORT_DATA, WG_TRANSPORT_HEADER_LEN, WireGuardPacket } from '../../../kernel/abi/wire/wireguard.js';
import { KEEPALIVE_TIMEOUT, PADDING_MULTIPLE, REJECT_AFTER_MESSAGES, REJECT_AFTER_TIME, REKEY_AFTER_MESSAGES, REKEY_AFTER_TIME, REKEY_TIMEOUT } from './constants.js';
import { seal } from './crypto.js';
import type { Device } from './device.js';
import { Keypair } from './keypair.js';
import { createInitiation, createResponse, deriveTransportKeys, tai64n } from './noise.js';
import { type Endpoint, endpointText, type Peer } from './peer.js';

/** Send a datagram to the peer's endpoint, counting it; the reason when it could not go. */
export async function sendToPeer(dev: Device, peer: Peer, data: Uint8Array): Promise<string | null> {
  if (peer.endpoint === null) return 'no known endpoint for peer';
  const err = await dev.io.send(data, peer.endpoint);
  if (err !== null) return err;
  peer.txBytes += data.length;
  return null;
}

/** SendHandshakeInitiation: a retry keeps counting attempts; otherwise at most one per REKEY_TIMEOUT. */
export async function sendHandshakeInitiation(dev: Device, peer: Peer, isRetry: boolean): Promise<void> {
  if (!isRetry) peer.timers.handshakeAttempts = 0;
  if (dev.now - peer.lastSentHandshake < REKEY_TIMEOUT) return;
  peer.lastSentHandshake = dev.now;
  if (dev.privateKey === null || dev.publicKey === null) return;
  await dev.log.verbose(`${peer.name} - Sending handshake initiation`);
  if (peer.handshake.localIndex) dev.dropIndex(peer.handshake.localIndex);
  const index = dev.newIndex({ peer, keypair: null });
  const msg = createInitiation({ privateKey: dev.privateKey, publicKey: dev.publicKey }, peer, peer.handshake, dev.rand(32), tai64n(dev.wallNow), index);
  if (msg === null) {
    dev.dropIndex(index);
    await dev.log.error(`${peer.name} - Failed to create initiation message: invalid public key`);
    return;
  }
  const bytes = buildWireGuardMessage(msg);
  peer.cookies.addMacs(bytes, dev.now);
  peer.timers.anyAuthenticatedPacketTraversal(dev.now);
  peer.timers.anyAuthenticatedPacketSent();
  const err = await sendToPeer(dev, peer, bytes);
  if (err !== null) await dev.log.error(`${peer.name} - Failed to send handshake initiation: ${err}`);
  peer.timers.handshakeInitiated(dev.now);
}

/** Answer a consumed initiation, and begin the session as responder. */
export async function sendHandshakeResponse(dev: Device, peer: Peer): Promise<void> {
  await dev.log.verbose(`${peer.name} - Sending handshake response`);
  const index = dev.newIndex({ peer, keypair: null });
  const msg = createResponse(peer, peer.handshake, dev.rand(32), index);
  if (msg === null) {
    dev.dropIndex(index);
    await dev.log.error(`${peer.name} - Failed to create response message: invalid public key`);
    return;
  }
  const bytes = buildWireGuardMessage(msg);
  peer.cookies.addMacs(bytes, dev.now);
  beginSession(dev, peer);
  peer.timers.sessionDerived(dev.now);
  peer.timers.anyAuthenticatedPacketTraversal(dev.now);
  peer.timers.anyAuthenticatedPacketSent();
  const err = await sendToPeer(dev, peer, bytes);
  if (err !== null) await dev.log.error(`${peer.name} - Failed to send handshake response: ${err}`);
}

/** BeginSymmetricSession: the keys of the finished handshake become a session, rotated in. */
export function beginSession(dev: Device, peer: Peer): boolean {
  const hs = peer.handshake;
  const localIndex = hs.localIndex;
  const remoteIndex = hs.remoteIndex;
  const keys = deriveTransportKeys(hs);
  if (keys === null) return false;
  const k = new Keypair(keys.send, keys.receive, keys.initiator, dev.now, localIndex, remoteIndex);
  // The handshake's index now names the session.
  dev.index.set(localIndex, { peer, keypair: k });
  for (const old of peer.keypairs.install(k)) dev.dropIndex(old.localIndex);
  return true;
}

/** A cookie reply for a handshake message turned away under load. */
export async function sendCookieReply(dev: Device, msg: Uint8Array, from: Endpoint, source: Uint8Array): Promise<void> {
  await dev.log.verbose(`Sending cookie response for denied handshake message for ${endpointText(from)}`);
  const sender = new WireGuardPacket(msg).sender;
  const reply = dev.checker.createReply(msg, sender, source, dev.now, (n) => dev.rand(n));
  if (reply === null) return;
  const err = await dev.io.send(buildWireGuardMessage(reply), from);
  if (err !== null) await dev.log.error(`Failed to send cookie reply: ${err}`);
}

/** calculatePaddingSize: up to a multiple of 16, but never past the MTU. */
export function paddedLength(len: number, mtu: number): number {
  let last = len;
  if (mtu === 0) return (last + PADDING_MULTIPLE - 1) & ~(PADDING_MULTIPLE - 1);
  if (last > mtu) last %= mtu;
  const padded = Math.min((last + PADDING_MULTIPLE - 1) & ~(PADDING_MULTIPLE - 1), mtu);
  return len + (padded - last);
}

/** One transport message: the packet padded and sealed with the keypair's next counter. */
export function sealTransport(k: Keypair, packet: Uint8Array, mtu: number): Uint8Array {
  const counter = k.sendNonce++;
  const plain = new Uint8Array(paddedLength(packet.length, mtu));
  plain.set(packet);
  const sealed = seal(k.send, counter, plain);
  const out = new Uint8Array(WG_TRANSPORT_HEADER_LEN + sealed.length);
  const view = new WireGuardPacket(out);
  view.type = WG_TRANSPORT_DATA;
  view.receiver = k.remoteIndex;
  view.counter = counter;
  out.set(sealed, WG_TRANSPORT_HEADER_LEN);
  return out;
}

/** SendStagedPackets: with a usable session, send what waits; without, ask for a handshake. */
export async function sendStaged(dev: Device, peer: Peer): Promise<void> {
  if (peer.staged.length === 0) return;
  const k = peer.keypairs.current;
  if (k === null || k.spent(dev.now)) {
    await sendHandshakeInitiation(dev, peer, false);
    return;
  }
  let sent = false;
  let sentData = false;
  while (peer.staged.length > 0) {
    if (k.sendNonce >= REJECT_AFTER_MESSAGES) {
      await sendHandshakeInitiation(dev, peer, false);
      break;
    }
    const packet = peer.staged.shift()!;
    const err = await sendToPeer(dev, peer, sealTransport(k, packet, dev.mtu));
    if (err !== null) {
      await dev.log.verbose(`${peer.name} - Failed to send data packet: ${err}`);
      continue;
    }
    sent = true;
    if (packet.length > 0) sentData = true;
  }
  if (!sent) return;
  peer.timers.anyAuthenticatedPacketTraversal(dev.now);
  peer.timers.anyAuthenticatedPacketSent();
  if (sentData) peer.timers.dataSent(dev.now);
  await keepKeyFreshSending(dev, peer);
}

/** SendKeepalive: an empty packet, unless something else is about to go anyway. */
export async function sendKeepalive(dev: Device, peer: Peer): Promise<void> {
  if (peer.staged.length === 0) {
    peer.stage(new Uint8Array(0));
    await dev.log.verbose(`${peer.name} - Sending keepalive packet`);
  }
  await sendStaged(dev, peer);
}

/** The initiator rekeys after REKEY_AFTER_TIME, either side after REKEY_AFTER_MESSAGES. */
async function keepKeyFreshSending(dev: Device, peer: Peer): Promise<void> {
  const k = peer.keypairs.current;
  if (k === null) return;
  if (k.sendNonce > REKEY_AFTER_MESSAGES || (k.initiator && dev.now - k.created > REKEY_AFTER_TIME)) await sendHandshakeInitiation(dev, peer, false);
}

/** An initiator still receiving on an old session asks for a new one in the last minute of it. */
export async function keepKeyFreshReceiving(dev: Device, peer: Peer): Promise<void> {
  if (peer.timers.sentLastMinuteHandshake) return;
  const k = peer.keypairs.current;
  if (k === null || !k.initiator) return;
  if (dev.now - k.created > REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT) {
    peer.timers.sentLastMinuteHandshake = true;
    await sendHandshakeInitiation(dev, peer, false);
  }
}

/** An IP packet the stack put into the tun: to the peer whose allowed ips hold its destination. */
export async function fromTun(dev: Device, packet: Uint8Array): Promise<void> {
  let dst: Uint8Array;
  const version = packet.length > 0 ? packet[0]! >> 4 : 0;
  if (version === 4 && packet.length >= 20) dst = packet.subarray(16, 20);
  else if (version === 6 && packet.length >= 40) dst = packet.subarray(24, 40);
  else return;
  const peer = dev.allowed.lookup(dst);
  if (peer === undefined) {
    dev.drops.noPeer++;
    return;
  }
  peer.stage(packet);
  await sendStaged(dev, peer);
}
