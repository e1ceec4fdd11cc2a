// Two devices face to face (pair.ts), in hand-advanced time: the first handshake and its queued
// packet, the counters UAPI reports, keepalives, rekeying, retries, roaming and replays, with
// wireguard-go's timings and log lines.
import { describe, expect, it } from 'vitest';
import { WireGuardPacket } from '../../../kernel/abi/wire/wireguard.js';
import { A_ADDR, pair } from './pair.js';

const S = 1e9;

describe('two devices', () => {
  it('shake hands on the first packet, then send it: 148, 92, 128 and the counters of the reference', async () => {
    const { a, b, deliver } = pair();
    await a.send('10.9.0.1', '10.9.0.2', 64);
    expect(a.sent.map((w) => w.data.length)).toEqual([148]);
    await deliver();
    // B answered (92) and A sent the staged ping (128 = 84 padded to 96, +32).
    expect(b.tun.map((p) => p.length)).toEqual([84]);
    const pa = b.dev.peer(a.dev.publicKey!)!;
    const pb = a.dev.peer(b.dev.publicKey!)!;
    expect([pb.txBytes, pb.rxBytes]).toEqual([148 + 128, 92]);
    expect([pa.txBytes, pa.rxBytes]).toEqual([92, 148 + 128]);
    // B learned A's endpoint from the initiation, and the session is confirmed on both sides.
    expect(pa.endpoint).toEqual(A_ADDR);
    expect(pa.keypairs.current).not.toBeNull();
    expect(pa.keypairs.next).toBeNull();
    expect(a.log.some((l) => l.includes('Sending handshake initiation'))).toBe(true);
    expect(b.log.some((l) => l.includes('Received handshake initiation'))).toBe(true);
    expect(b.log.some((l) => l.includes('Sending handshake response'))).toBe(true);
    expect(a.log.some((l) => l.includes('Received handshake response'))).toBe(true);
  });

  it('sends a passive keepalive 10 s after receiving data, and none to a peer that answered', async () => {
    const { a, b, clock, deliver } = pair();
    await a.send('10.9.0.1', '10.9.0.2');
    await deliver();
    await b.send('10.9.0.2', '10.9.0.1');
    await deliver();
    clock.advance(10 * S - 1);
    await a.timers();
    await b.timers();
    expect(a.sent.length + b.sent.length).toBe(0);
    clock.advance(1);
    await a.timers();
    await b.timers();
    // A received B's reply and sent nothing after it: A keeps the session alive. B had sent.
    expect(a.sent.map((w) => w.data.length)).toEqual([32]);
    expect(b.sent).toEqual([]);
    expect(a.log.at(-1)).toContain('Sending keepalive packet');
    await deliver();
    expect(b.log.at(-1)).toContain('Receiving keepalive packet');
  });

  it('rekeys: the initiator sends a new initiation with the first packet after 120 s', async () => {
    const { a, b, clock, deliver } = pair();
    await a.send('10.9.0.1', '10.9.0.2');
    await deliver();
    const first = a.dev.peer(b.dev.publicKey!)!.keypairs.current!;
    clock.advance(120 * S + 1);
    await a.send('10.9.0.1', '10.9.0.2', 64);
    // The packet goes on the old session, then the initiation follows it.
    expect(a.sent.map((w) => w.data.length)).toEqual([128, 148]);
    await deliver();
    const pb = a.dev.peer(b.dev.publicKey!)!;
    expect(pb.keypairs.current).not.toBe(first);
    expect(pb.keypairs.previous).toBe(first);
    expect(b.tun.length).toBe(2);
  });

  it('retries an unanswered initiation every 5 s plus jitter, 20 tries in all, then gives up', async () => {
    const { a, clock } = pair();
    await a.send('10.9.0.1', '10.9.0.2');
    for (let i = 0; i < 30; i++) {
      clock.advance(5.334 * S);
      await a.timers();
    }
    const inits = a.sent.filter((w) => w.data.length === 148);
    expect(inits.length).toBe(20);
    expect(a.log.filter((l) => l.includes('retrying (try ')).length).toBe(19);
    expect(a.log.some((l) => l.includes('Handshake did not complete after 20 attempts, giving up'))).toBe(true);
  });

  it('follows the peer to its new address (roaming) once a packet from there authenticates', async () => {
    const { a, b, deliver } = pair();
    await a.send('10.9.0.1', '10.9.0.2');
    await deliver();
    await a.send('10.9.0.1', '10.9.0.2');
    const w = a.sent.shift()!;
    const moved = { addr: '198.51.100.7', port: 40000 };
    await b.receive({ ...w, from: moved });
    expect(b.dev.peer(a.dev.publicKey!)!.endpoint).toEqual(moved);
    // A forged copy from elsewhere does not move it back: it is a replay.
    await b.receive({ ...w, from: A_ADDR });
    expect(b.dev.peer(a.dev.publicKey!)!.endpoint).toEqual(moved);
    expect(b.dev.drops.replayed).toBe(1);
  });

  it('sends a keepalive at once when persistent keepalive is set, then every interval', async () => {
    const { a, clock, deliver } = pair({ keepalive: 2 });
    await a.send('10.9.0.1', '10.9.0.2');
    await deliver();
    const before = a.sent.length;
    clock.advance(2 * S);
    await a.timers();
    expect(a.sent.length - before).toBe(1);
    expect(a.sent.at(-1)!.data.length).toBe(32);
    expect(new WireGuardPacket(a.sent.at(-1)!.data).counter).toBe(1n);
  });
});

describe('under load', () => {
  it('answers initiations without mac2 with cookie replies, and accepts the next one that carries the cookie', async () => {
    const { a, b, clock } = pair();
    await a.send('10.9.0.1', '10.9.0.2', 64);
    const init = a.sent.shift()!;
    // 200 copies at once fill an eighth of the handshake queue: B is under load before it opens any.
    await b.sync();
    const { receiveDatagram, processHandshakes } = await import('../../../userland/bin/wireguard/receive.js');
    for (let i = 0; i < 200; i++) await receiveDatagram(b.dev, init.data, init.from);
    await processHandshakes(b.dev);
    const replies = b.sent.filter((w) => w.data.length === 64);
    expect(replies.length).toBeGreaterThan(0);
    expect(b.sent.some((w) => w.data.length === 92)).toBe(false);
    expect(b.log.some((l) => l.includes('Sending cookie response for denied handshake message for 192.0.2.1:51820'))).toBe(true);
    // A takes the cookie; its retry (after REKEY_TIMEOUT) carries mac2 and B, still under load, answers.
    await a.receive(replies[0]!);
    expect(a.log.some((l) => l.includes('Receiving cookie response from 192.0.2.2:51821'))).toBe(true);
    b.sent.length = 0;
    clock.advance(0.5 * S);
    await b.sync();
    b.dev.underLoadUntil = b.dev.now + S;
    clock.advance(5 * S);
    await a.timers();
    const retry = a.sent.find((w) => w.data.length === 148)!;
    expect([...retry.data.subarray(132)].some((x) => x !== 0)).toBe(true);
    await b.receive(retry);
    expect(b.sent.map((w) => w.data.length)).toContain(92);
  });
});
