// THE interop test: every datagram two real OpenVPN 2.6.14 peers exchanged must authenticate,
// decrypt and classify with our code. Port 11941 ran `--secret static.key 0`, port 11942
// `--secret static.key 1`; both `--dev null --cipher AES-256-CBC --auth SHA256 --ping 1`.
import { describe, expect, it } from 'vitest';
import { AES_256_CBC, SHA256 } from '../../../userland/bin/openvpn/algorithms.js';
import { createDecryptState, datagramLength, decryptPacket } from '../../../userland/bin/openvpn/data-channel.js';
import { classifyPayload, occOptionsString, type OccMessage } from '../../../userland/bin/openvpn/messages.js';
import { isKeyFileError, keySlots, parseStaticKey } from '../../../userland/bin/openvpn/static-key.js';
import { LINKTYPE_ETHERNET, isPcapError, readPcap } from '../../../userland/lib/pcap.js';
import { udpFromEthernet, vector } from './helpers.js';

const PORT_DIR0 = 11941;
const PORT_DIR1 = 11942;

function loadKey(): Uint8Array {
  const key = parseStaticKey(vector('static.key'), 'static.key');
  if (isKeyFileError(key)) throw new Error(key.message);
  return key;
}

function loadCapture() {
  const file = readPcap(vector('real-openvpn-2.6.14-static.pcap'));
  if (isPcapError(file)) throw new Error(file.message);
  return file;
}

describe('real OpenVPN 2.6.14 static-key capture', () => {
  const key = loadKey();
  const capture = loadCapture();
  const datagrams = capture.packets.map((p) => {
    const udp = udpFromEthernet(p.data);
    if (!udp) throw new Error('capture holds a frame that is not Ethernet/IPv4/UDP');
    return { ...udp, tsSec: p.tsSec };
  });

  // Each sender is decrypted with the receive slot of its peer: the dir-1 peer receives what the
  // dir-0 peer sends (keys[0]) and vice versa.
  const receiverOf = {
    [PORT_DIR0]: createDecryptState({ cipher: AES_256_CBC, auth: SHA256, keys: keySlots(key, 1, AES_256_CBC, SHA256).decrypt }),
    [PORT_DIR1]: createDecryptState({ cipher: AES_256_CBC, auth: SHA256, keys: keySlots(key, 0, AES_256_CBC, SHA256).decrypt }),
  };

  it('is an Ethernet capture of UDP between the two ports on 127.0.0.1', () => {
    expect(capture.linkType).toBe(LINKTYPE_ETHERNET);
    expect(datagrams.length).toBeGreaterThan(20);
    for (const d of datagrams) {
      expect([PORT_DIR0, PORT_DIR1]).toContain(d.srcPort);
      expect(d.dstPort).toBe(d.srcPort === PORT_DIR0 ? PORT_DIR1 : PORT_DIR0);
    }
  });

  it('authenticates, decrypts and orders every datagram', () => {
    const ids: Record<number, number[]> = { [PORT_DIR0]: [], [PORT_DIR1]: [] };
    const times: Record<number, Set<number>> = { [PORT_DIR0]: new Set(), [PORT_DIR1]: new Set() };
    const kinds: Record<string, number> = {};
    const replies: string[] = [];

    for (const d of datagrams) {
      const state = receiverOf[d.srcPort as typeof PORT_DIR0]!;
      const result = decryptPacket(state, d.payload, d.tsSec);
      if (!result.ok) throw new Error(`datagram from ${d.srcPort} failed: ${result.reason}`);
      ids[d.srcPort]!.push(result.packetId);
      times[d.srcPort]!.add(result.time);
      expect(d.payload.length).toBe(datagramLength(result.payload.length, AES_256_CBC, SHA256));

      const c = classifyPayload(result.payload);
      const label = c.kind === 'occ' ? c.message.name : c.kind;
      kinds[label] = (kinds[label] ?? 0) + 1;
      if (c.kind === 'ping') expect(d.payload.length).toBe(80);
      if (c.kind === 'occ' && c.message.name === 'OCC_REQUEST') expect(d.payload.length).toBe(80);
      if (c.kind === 'occ' && c.message.name === 'OCC_REPLY') {
        const reply = c.message as Extract<OccMessage, { name: 'OCC_REPLY' }>;
        expect(reply.terminated).toBe(true);
        expect(d.payload.length).toBe(192);
        replies.push(`${d.srcPort} ${reply.options}`);
      }
    }

    for (const port of [PORT_DIR0, PORT_DIR1]) {
      const list = ids[port]!;
      expect(list).toEqual(list.map((_, i) => i + 1));
      expect(times[port]!.size).toBe(1);
    }
    // The two peers started a second apart, and each used its start time as the session time.
    expect([...times[PORT_DIR0]!]).toEqual([1795443056]);
    expect([...times[PORT_DIR1]!]).toEqual([1795443057]);

    expect(kinds.ping).toBeGreaterThanOrEqual(20);
    expect(kinds.OCC_REQUEST).toBe(2);
    expect(kinds.OCC_REPLY).toBe(2);
    expect(kinds.data ?? 0).toBe(0);
    for (const r of replies) expect(r).toMatch(/^\d+ V4,dev-type null,link-mtu 1572,tun-mtu 1500/);

    // Our own options string for each peer is exactly what that peer sent.
    expect(replies.sort()).toEqual([
      `${PORT_DIR0} ${occOptionsString({ devType: 'null', cipher: AES_256_CBC, auth: SHA256, keyDirection: 0 })}`,
      `${PORT_DIR1} ${occOptionsString({ devType: 'null', cipher: AES_256_CBC, auth: SHA256, keyDirection: 1 })}`,
    ]);
    expect(replies[0]).toBe(
      `${PORT_DIR0} V4,dev-type null,link-mtu 1572,tun-mtu 1500,proto UDPv4,keydir 0,cipher AES-256-CBC,auth SHA256,keysize 256,secret`,
    );
  });

  it('refuses every datagram when decrypted with the sender’s own slot (wrong direction)', () => {
    for (const d of datagrams) {
      const dir = d.srcPort === PORT_DIR0 ? 0 : 1;
      const wrong = createDecryptState({ cipher: AES_256_CBC, auth: SHA256, keys: keySlots(key, dir, AES_256_CBC, SHA256).decrypt });
      const result = decryptPacket(wrong, d.payload, d.tsSec);
      expect(result).toMatchObject({ ok: false, failure: 'hmac', reason: 'packet HMAC authentication failed' });
    }
  });

  it('rejects the whole capture replayed to the same receiver', () => {
    const fresh = createDecryptState({ cipher: AES_256_CBC, auth: SHA256, keys: keySlots(key, 1, AES_256_CBC, SHA256).decrypt });
    const fromDir0 = datagrams.filter((d) => d.srcPort === PORT_DIR0);
    for (const d of fromDir0) expect(decryptPacket(fresh, d.payload, d.tsSec).ok).toBe(true);
    for (const d of fromDir0) {
      const again = decryptPacket(fresh, d.payload, d.tsSec);
      expect(again.ok).toBe(false);
      if (!again.ok) {
        expect(again.failure).toBe('replay');
        expect(again.reason).toMatch(/^bad packet ID \(may be a replay\): \[ #\d+ \/ time = \(1795443056\) 2026-11-23 14:10:56 \] -- /);
      }
    }
  });
});
