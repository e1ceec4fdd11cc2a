// The UAPI text protocol of the daemon (userland/bin/wireguard/uapi.ts) against what the reference
// measured on wireguard-go (wireguard-uapi.md §2): the get layout and key order, the set keys and
// what `wg` writes, errno values for bad keys and values, the trailing byte after get=1, an unknown
// operation closing the connection, and the error lines the log gets.
import { describe, expect, it } from 'vitest';
import { UapiSession } from '../../../userland/bin/wireguard/uapi.js';
import { keyToHex } from '../../../userland/lib/wireguard/keys.js';
import { pair } from './pair.js';
import { vectorKey } from './helpers.js';

const enc = (s: string) => new TextEncoder().encode(s);
const A_KEY = keyToHex(vectorKey('a.key'));
const B_PUB = keyToHex(vectorKey('b.pub'));

async function session(text: string, opts: { fresh?: boolean } = {}) {
  const { a } = pair();
  if (opts.fresh) for (const k of [...a.dev.peers.keys()]) a.dev.removePeer(k);
  await a.sync();
  const s = new UapiSession(a.dev);
  await s.input(enc(text));
  return { s, dev: a.dev, log: a.log };
}

describe('UAPI get', () => {
  it('lists the device, then each peer, in wireguard-go order', async () => {
    const { s } = await session('get=1\n\n');
    expect(s.out).toBe(
      [
        `private_key=${A_KEY}`,
        `public_key=${B_PUB}`,
        `preshared_key=${'0'.repeat(64)}`,
        'protocol_version=1',
        'endpoint=192.0.2.2:51821',
        'last_handshake_time_sec=0',
        'last_handshake_time_nsec=0',
        'tx_bytes=0',
        'rx_bytes=0',
        'persistent_keepalive_interval=0',
        'allowed_ip=10.9.0.2/32',
        'errno=0',
        '',
        '',
      ].join('\n'),
    );
    expect(s.closing).toBe(false);
  });

  it("answers a byte other than the empty line after get=1 with -22, as 'x' in the log", async () => {
    const { s, log } = await session('get=1\nx\n');
    expect(s.out).toBe('errno=-22\n\n');
    expect(log).toContain("ERROR: (A) 2026/01/01 00:00:00 IPC error -22: trailing character in UAPI get: 'x'\n");
    // The newline after the x is then read as an operation of its own, which closes the connection.
    expect(s.closing).toBe(true);
  });

  it('closes the connection on an unknown operation, with no answer', async () => {
    const { s, log } = await session('\n');
    expect(s.out).toBe('');
    expect(s.closing).toBe(true);
    expect(log.at(-1)).toMatch(/ERROR: .* invalid UAPI operation: \n$/);
  });
});

describe('UAPI set', () => {
  it("takes what `wg set` writes, and get shows it back", async () => {
    const { s, dev } = await session(
      `set=1\nprivate_key=${A_KEY}\nlisten_port=51820\nfwmark=4660\npublic_key=${B_PUB}\npreshared_key=${'78'.repeat(32)}\nendpoint=127.0.0.1:51821\npersistent_keepalive_interval=25\nreplace_allowed_ips=true\nallowed_ip=10.9.0.2/32\nallowed_ip=10.10.0.5/16\n\nget=1\n\n`,
    );
    expect(s.out.startsWith('errno=0\n\n')).toBe(true);
    expect(s.out).toContain(`listen_port=51820\nfwmark=4660\npublic_key=${B_PUB}\npreshared_key=${'78'.repeat(32)}\nprotocol_version=1\nendpoint=127.0.0.1:51821\n`);
    // The prefix is kept masked, as wireguard-go's trie keeps it.
    expect(s.out).toContain('persistent_keepalive_interval=25\nallowed_ip=10.9.0.2/32\nallowed_ip=10.10.0.0/16\nerrno=0\n\n');
    expect(dev.boundPort).toBe(51820);
  });

  it('answers -22 for the bad keys and values the reference tried, -71 for a line without =', async () => {
    for (const line of ['bogus_key=1', 'listen_port=notanumber', 'private_key=zz', `public_key=${B_PUB}\nendpoint=1.2.3`, `public_key=${B_PUB}\nprotocol_version=2`, 'replace_peers=yes']) {
      const { s } = await session(`set=1\n${line}\n\n`);
      expect(s.out, line).toBe('errno=-22\n\n');
    }
    const { s, log } = await session('set=1\nnoequals\n\n');
    expect(s.out).toBe('errno=-71\n\n');
    // IpcSetOperation logs the error, then IpcHandle logs the status it answers with.
    expect(log.filter((l) => l.includes('IPC error -71: failed to parse line "noequals"')).length).toBe(2);
  });

  it('leaves what follows a failed line to be read as the next operation (which closes)', async () => {
    const { s } = await session('set=1\nbogus_key=1\nlisten_port=1\n\n');
    expect(s.out).toBe('errno=-22\n\n');
    expect(s.closing).toBe(true);
  });

  it('removes a peer, replaces all peers, and ignores a peer with the device\'s own key', async () => {
    const { s, dev, log } = await session(`set=1\npublic_key=${B_PUB}\nremove=true\n\n`);
    expect(s.out).toBe('errno=0\n\n');
    expect(dev.peers.size).toBe(0);
    expect(log.slice(-2).map((l) => l.slice(l.indexOf('peer(')))).toEqual(['peer(fGca…Q6zw) - UAPI: Removing\n', 'peer(fGca…Q6zw) - Stopping\n']);
    const own = keyToHex(vectorKey('a.pub'));
    const r = await session(`set=1\nreplace_peers=true\npublic_key=${own}\nallowed_ip=10.0.0.0/8\n\n`);
    expect(r.s.out).toBe('errno=0\n\n');
    expect(r.dev.peers.size).toBe(0);
  });

  it('sends a keepalive at once when persistent keepalive goes from off to on (a handshake with no session)', async () => {
    const { a } = pair();
    await a.sync();
    await new UapiSession(a.dev).input(enc(`set=1\npublic_key=${B_PUB}\npersistent_keepalive_interval=25\n\n`));
    expect(a.sent.map((w) => w.data.length)).toEqual([148]);
  });

  it('applies a set cut short by the end of the connection, and answers it', async () => {
    const { a } = pair();
    await a.sync();
    const s = new UapiSession(a.dev);
    await s.input(enc(`set=1\nlisten_port=4242\n`));
    expect(s.out).toBe('');
    await s.end();
    expect(s.out).toBe('errno=0\n\n');
    expect(a.dev.boundPort).toBe(4242);
  });
});

describe('UAPI on garbage', () => {
  it('answers or closes, never throws, whatever bytes a client sends', async () => {
    const fc = (await import('fast-check')).default;
    const words = ['get=1', 'set=1', '', 'listen_port=1', `public_key=${B_PUB}`, 'allowed_ip=10.0.0.0/8', 'remove=true', 'x', '=', 'endpoint=1.2.3.4:5'];
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.array(fc.constantFrom(...words), { maxLength: 12 }).map((l) => enc(l.join('\n')))), async (bytes) => {
        const { a } = pair();
        await a.sync();
        const s = new UapiSession(a.dev);
        await s.input(bytes);
        await s.end();
        expect(s.closing).toBe(true);
        expect(s.out).toMatch(/^([a-z_]+=[^\n]*\n)*(errno=-?\d+\n\n([a-z_]+=[^\n]*\n)*)*$/);
      }),
      { numRuns: 300 },
    );
  });
});
