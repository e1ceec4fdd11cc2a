// What a device receives (wireguard-go's device/receive.go). Handshake messages and cookie replies
// wait in a bounded queue and are taken in turn, each checked for mac1 (and, under load, mac2 and
// the rate limit) before any Diffie-Hellman. A transport message is opened with the session its
// index names, checked against the replay window, and only then changes anything: the peer's
// endpoint (roaming), its timers and counters, and the tun, if the inner packet's source is one
// of the peer's allowed ips. Whatever fails is dropped and counted, and nothing else changes.

import {
  WG_COOKIE_REPLY,
  WG_HANDSHAKE_INITIATION,
  WG_HANDSHAKE_RESPONSE,
  WG_TRANSPORT_DATA,
  WireGuardPacket,
  WireGuardRepr,
} from '../../../kernel/abi/wire/wireguard.js';
import { WireError } from '../../../kernel/abi/wire/error.js';
import { MIN_MESSAGE_SIZE, QUEUE_HANDSHAKE_SIZE, REJECT_AFTER_MESSAGES, HANDSHAKE_INITIATION_RATE } from './constants.js';
import { open } from './crypto.js';
import type { Device } from './device.js';
import { acceptInitiation, consumeInitiation, consumeResponse, timestampAfter } from './noise.js';
import { type Endpoint, endpointText, type Peer } from './peer.js';
import { beginSession, keepKeyFreshReceiving, sendCookieReply, sendHandshakeResponse, sendKeepalive, sendStaged } from './send.js';

/** The source as the cookie binds it: the address's bytes, then the port little-endian (Go's
 * netip.AddrPort.MarshalBinary, which wireguard-go's DstToBytes is). */
export function sourceBytes(e: Endpoint): Uint8Array {
  const a = e.addr.split('.').map(Number);
  return Uint8Array.of(a[0]!, a[1]!, a[2]!, a[3]!, e.port & 0xff, e.port >>> 8);
}

/** One datagram from the device's socket. */
export async function receiveDatagram(dev: Device, data: Uint8Array, from: Endpoint): Promise<void> {
  const packet = WireGuardPacket.checked(data);
  if (packet instanceof WireError) {
    dev.drops.malformed++;
    await dev.io.dropped('malformed');
    return;
  }
  if (packet.type === WG_TRANSPORT_DATA) {
    await receiveTransport(dev, packet, from);
    return;
  }
  if (dev.handshakes.length >= QUEUE_HANDSHAKE_SIZE) {
    dev.drops.handshakeQueueFull++;
    return;
  }
  dev.handshakes.push({ data: data.slice(), from });
}

/** Take every queued handshake message in turn (RoutineHandshake). */
export async function processHandshakes(dev: Device): Promise<void> {
  while (dev.handshakes.length > 0) {
    await dev.refillRandom();
    // Under load is judged with the message still counted in the queue, as the Go channel does.
    const underLoad = dev.underLoad();
    const { data, from } = dev.handshakes.shift()!;
    await handshakeMessage(dev, data, from, underLoad);
  }
}

async function handshakeMessage(dev: Device, data: Uint8Array, from: Endpoint, underLoad: boolean): Promise<void> {
  const packet = new WireGuardPacket(data);
  const repr = WireGuardRepr.parse(packet);
  if (repr instanceof WireError) {
    dev.drops.malformed++;
    return;
  }
  if (repr.type === WG_COOKIE_REPLY) {
    const entry = dev.index.get(repr.receiver);
    if (!entry) {
      dev.drops.badCookie++;
      return;
    }
    await dev.log.verbose(`Receiving cookie response from ${endpointText(from)}`);
    if (!entry.peer.cookies.consumeReply(repr, dev.now)) {
      dev.drops.badCookie++;
      await dev.log.verbose('Could not decrypt invalid cookie response');
    }
    return;
  }
  if (!dev.checker.checkMac1(data)) {
    dev.drops.badMac1++;
    await dev.log.verbose('Received packet with invalid mac1');
    return;
  }
  if (underLoad) {
    if (!dev.checker.checkMac2(data, sourceBytes(from), dev.now)) {
      dev.drops.underLoad++;
      await sendCookieReply(dev, data, from, sourceBytes(from));
      return;
    }
    if (!dev.allowHandshakeFrom(from.addr)) {
      dev.drops.underLoad++;
      return;
    }
  }
  if (repr.type === WG_HANDSHAKE_INITIATION) {
    const peer = consumeInitiationFor(dev, repr);
    if (peer === null) {
      dev.drops.badHandshake++;
      await dev.log.verbose(`Received invalid initiation message from ${endpointText(from)}`);
      return;
    }
    peer.timers.anyAuthenticatedPacketTraversal(dev.now);
    peer.timers.anyAuthenticatedPacketReceived();
    peer.endpoint = from;
    await dev.log.verbose(`${peer.name} - Received handshake initiation`);
    peer.rxBytes += data.length;
    await sendHandshakeResponse(dev, peer);
    return;
  }
  if (repr.type === WG_HANDSHAKE_RESPONSE) {
    const entry = dev.index.get(repr.receiver);
    const peer = entry && entry.keypair === null ? entry.peer : null;
    if (peer === null || dev.privateKey === null || dev.publicKey === null || !consumeResponse({ privateKey: dev.privateKey, publicKey: dev.publicKey }, peer, peer.handshake, repr)) {
      dev.drops.badHandshake++;
      await dev.log.verbose(`Received invalid response message from ${endpointText(from)}`);
      return;
    }
    peer.endpoint = from;
    await dev.log.verbose(`${peer.name} - Received handshake response`);
    peer.rxBytes += data.length;
    peer.timers.anyAuthenticatedPacketTraversal(dev.now);
    peer.timers.anyAuthenticatedPacketReceived();
    beginSession(dev, peer);
    peer.timers.sessionDerived(dev.now);
    peer.timers.handshakeComplete();
    peer.lastHandshakeWallNs = dev.wallNow;
    await sendKeepalive(dev, peer);
  }
}

/** ConsumeMessageInitiation with its replay and flood checks; the peer, or null. */
function consumeInitiationFor(dev: Device, msg: Extract<WireGuardRepr, { type: typeof WG_HANDSHAKE_INITIATION }>): Peer | null {
  if (dev.privateKey === null || dev.publicKey === null) return null;
  const opened = consumeInitiation({ privateKey: dev.privateKey, publicKey: dev.publicKey }, msg, (k) => dev.peer(k));
  if (opened === null) return null;
  const hs = opened.peer.handshake;
  // A timestamp no later than one already seen is a replay; two initiations within 20 ms a flood.
  if (!timestampAfter(opened.timestamp, hs.lastTimestamp)) return null;
  if (dev.now - hs.lastInitiationConsumption < HANDSHAKE_INITIATION_RATE) return null;
  if (hs.localIndex) dev.dropIndex(hs.localIndex);
  acceptInitiation(hs, msg, opened, dev.now);
  hs.localIndex = 0;
  return opened.peer;
}

async function receiveTransport(dev: Device, packet: WireGuardPacket, from: Endpoint): Promise<void> {
  const entry = dev.index.get(packet.receiver);
  const k = entry?.keypair;
  // Transport drops are decided as the datagram arrives, so the kernel is told at once (a
  // handshake message is judged later, in a batch, when "the datagram received last" is another).
  if (!entry || !k || k.tooOld(dev.now)) {
    dev.drops.unknownSession++;
    await dev.io.dropped('decrypt');
    return;
  }
  const counter = packet.counter;
  if (counter >= REJECT_AFTER_MESSAGES) {
    dev.drops.replayed++;
    await dev.io.dropped('replay');
    return;
  }
  const plain = open(k.receive, counter, packet.encryptedPacket);
  if (plain === null) {
    dev.drops.badTransport++;
    await dev.io.dropped('decrypt');
    return;
  }
  if (!k.replay.validate(counter, REJECT_AFTER_MESSAGES)) {
    dev.drops.replayed++;
    await dev.io.dropped('replay');
    return;
  }
  const peer = entry.peer;
  peer.endpoint = from;
  const { confirmed, dropped } = peer.keypairs.receivedWith(k);
  for (const old of dropped) dev.dropIndex(old.localIndex);
  if (confirmed) {
    peer.timers.handshakeComplete();
    peer.lastHandshakeWallNs = dev.wallNow;
    await sendStaged(dev, peer);
  }
  await keepKeyFreshReceiving(dev, peer);
  peer.timers.anyAuthenticatedPacketTraversal(dev.now);
  peer.timers.anyAuthenticatedPacketReceived();
  peer.rxBytes += plain.length + MIN_MESSAGE_SIZE;
  if (plain.length === 0) {
    await dev.log.verbose(`${peer.name} - Receiving keepalive packet`);
    return;
  }
  peer.timers.dataReceived(dev.now);
  const inner = innerPacket(plain);
  if (inner === null || dev.allowed.lookup(inner.src) !== peer) {
    dev.drops.disallowedSource++;
    if (inner !== null) await dev.log.verbose(`${peer.name} - IPv4 packet with disallowed source address from ${endpointText(from)}`);
    return;
  }
  await dev.io.writeTun(inner.packet);
}

/** The IPv4 packet inside the padding (its total length says where it ends), with its source. */
function innerPacket(plain: Uint8Array): { packet: Uint8Array; src: Uint8Array } | null {
  if (plain.length < 20 || plain[0]! >> 4 !== 4) return null;
  const total = (plain[2]! << 8) | plain[3]!;
  if (total < 20 || total > plain.length) return null;
  return { packet: plain.subarray(0, total), src: plain.subarray(12, 16) };
}
