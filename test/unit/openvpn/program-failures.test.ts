// What must never reach the tun: datagrams under another key or direction, corrupted on the way,
// replayed, or from a source --remote does not allow. Each is dropped, logged in 2.6's words, and
// the tunnel carries nothing.

import { describe, expect, it } from 'vitest';
import { SIGINT } from '../../../kernel/abi/signal.js';
import type { World } from '../../../kernel/world/world.js';
import { crypto, logLines, pairWorld, runFor, runOn, startOn, stop } from './program-helpers.js';

const HMAC_FAILED = 'Authenticate/Decrypt packet error: packet HMAC authentication failed';

/** Both ends with --remote and --dev tun, ping from a to b's tunnel address; the logs and the ping. */
async function tunnel(w: World, aCrypto: string[], bCrypto: string[], bExtra: string[] = [], aRemote = '10.0.0.2') {
  const b = await startOn(w, 'b', [
    'openvpn', '--dev', 'tun', '--ifconfig', '10.8.0.1', '10.8.0.2', '--remote', '192.168.1.10', '--ping', '1', ...bCrypto, ...bExtra,
  ]);
  const a = await startOn(w, 'a', ['openvpn', '--dev', 'tun', '--ifconfig', '10.8.0.2', '10.8.0.1', '--remote', aRemote, '--ping', '1', ...aCrypto]);
  await runFor(w, 2);
  const ping = await runOn(w, 'a', ['ping', '-c', '2', '10.8.0.1']);
  await stop(w, a, SIGINT);
  await stop(w, b, SIGINT);
  return { a: logLines(a.output()), b: logLines(b.output()), ping: ping.out };
}

/** Packets b's tun handed to its stack (none, when everything was dropped). */
function tunReceived(w: World, host: string): number {
  return w.mustHost(host).net.byName('tun/0')?.counters.rxPackets ?? 0;
}

describe('datagrams that fail authentication', () => {
  it('under another key: both sides log the HMAC failure, nothing is delivered', async () => {
    const w = pairWorld();
    const r = await tunnel(w, crypto('1', '/etc/other.key'), crypto('0'));
    expect(r.a).toContain(HMAC_FAILED);
    expect(r.b).toContain(HMAC_FAILED);
    expect(r.a).not.toContain('Initialization Sequence Completed');
    expect(r.b.some((l) => l.startsWith('Peer Connection Initiated'))).toBe(false);
    expect(r.ping).toContain('2 packets transmitted, 0 packets received, 100.0% packet loss');
  });

  it('with the same key direction on both ends (0 and 0)', async () => {
    const w = pairWorld();
    const r = await tunnel(w, crypto('0'), crypto('0'));
    expect(r.a).toContain(HMAC_FAILED);
    expect(r.b).toContain(HMAC_FAILED);
    expect(r.ping).toContain('0 packets received');
  });

  it('with a different --auth on each end', async () => {
    const w = pairWorld();
    const r = await tunnel(w, ['--secret', '/etc/k', '1', '--cipher', 'AES-256-CBC', '--auth', 'SHA1'], crypto('0'));
    expect(r.b).toContain(HMAC_FAILED);
    expect(r.a).toContain(HMAC_FAILED);
  });

  it('with one bit flipped on the way, in both directions', async () => {
    const w = pairWorld();
    // b's openvpn listens on 1195 behind a relay on 1194 that flips the last bit of everything.
    const relay = await startOn(w, 'b', ['relay', '1194', '10.0.0.2', '1195', 'flip']);
    const b = await startOn(w, 'b', ['openvpn', '--dev', 'tun', '--ifconfig', '10.8.0.1', '10.8.0.2', '--lport', '1195', '--ping', '1', ...crypto('0')]);
    const a = await startOn(w, 'a', ['openvpn', '--dev', 'tun', '--ifconfig', '10.8.0.2', '10.8.0.1', '--remote', '10.0.0.2', '--ping', '1', ...crypto('1'), '--verb', '6']);
    await runFor(w, 2);
    const ping = await runOn(w, 'a', ['ping', '-c', '2', '10.8.0.1']);
    await stop(w, a, SIGINT);
    await stop(w, b, SIGINT);
    relay.proc.signal(SIGINT);
    expect(ping.out).toContain('0 packets received');
    expect(logLines(b.output()).filter((l) => l === HMAC_FAILED).length).toBeGreaterThanOrEqual(4);
    expect(tunReceived(w, 'b')).toBe(0);
    expect(tunReceived(w, 'a')).toBe(0);
    expect(logLines(a.output())).not.toContain('TUN WRITE [84]');
  });

  it('short of an HMAC: "missing authentication info"', async () => {
    const w = pairWorld();
    // A cleartext peer (no --secret) sends bare 16-byte pings to a static-key one.
    const b = await startOn(w, 'b', ['openvpn', '--dev', 'null', ...crypto('0')]);
    const a = await startOn(w, 'a', ['openvpn', '--dev', 'null', '--remote', '10.0.0.2', '--ping', '1']);
    await runFor(w, 1.5);
    await stop(w, a, SIGINT);
    await stop(w, b, SIGINT);
    expect(logLines(b.output()).filter((l) => l === 'Authenticate/Decrypt packet error: missing authentication info').length).toBe(2);
  });
});

describe('replay protection', () => {
  it('drops a captured datagram sent again, with the packet id and time in the message', async () => {
    const w = pairWorld();
    const relay = await startOn(w, 'b', ['relay', '1194', '10.0.0.2', '1195', 'replay']);
    const b = await startOn(w, 'b', ['openvpn', '--dev', 'null', '--lport', '1195', '--ping', '1', ...crypto('0'), '--verb', '7']);
    const a = await startOn(w, 'a', ['openvpn', '--dev', 'null', '--remote', '10.0.0.2', '--ping', '1', ...crypto('1'), '--verb', '7']);
    await runFor(w, 4.5);
    await stop(w, a, SIGINT);
    await stop(w, b, SIGINT);
    relay.proc.signal(SIGINT);
    const sent = logLines(a.output()).filter((l) => l === 'SENT PING').length;
    expect(sent).toBeGreaterThanOrEqual(3);
    const lines = logLines(b.output());
    expect(lines).toContain(
      'Authenticate/Decrypt packet error: bad packet ID (may be a replay): [ #1 / time = (1767225600) 2026-01-01 00:00:00 ] -- see the man page entry for --no-replay and --replay-window for more info or silence this warning with --mute-replay-warnings',
    );
    // Every ping but the replayed copy was accepted.
    expect(lines.filter((l) => l === 'RECEIVED PING PACKET').length).toBe(sent);
  });

  it('says nothing about replays with --mute-replay-warnings', async () => {
    const w = pairWorld();
    await startOn(w, 'b', ['relay', '1194', '10.0.0.2', '1195', 'replay']);
    const b = await startOn(w, 'b', ['openvpn', '--dev', 'null', '--lport', '1195', ...crypto('0'), '--mute-replay-warnings']);
    const a = await startOn(w, 'a', ['openvpn', '--dev', 'null', '--remote', '10.0.0.2', '--ping', '1', ...crypto('1')]);
    await runFor(w, 4);
    await stop(w, a, SIGINT);
    await stop(w, b, SIGINT);
    expect(b.output()).not.toContain('replay');
  });
});

describe('the peer address', () => {
  it('with --remote, rejects another source before decrypting; --float accepts it', async () => {
    const w = pairWorld();
    // b answers from port 1195, while a expects its peer at 10.0.0.2:1194.
    const b = await startOn(w, 'b', ['openvpn', '--dev', 'null', '--lport', '1195', '--remote', '192.168.1.10', '--ping', '1', ...crypto('0')]);
    const a = await startOn(w, 'a', ['openvpn', '--dev', 'null', '--remote', '10.0.0.2', ...crypto('1')]);
    await runFor(w, 1.5);
    await stop(w, a, SIGINT);
    expect(logLines(a.output())).toContain(
      'TCP/UDP: Incoming packet rejected from [AF_INET]10.0.0.2:1195[1], expected peer address: [AF_INET]10.0.0.2:1194 (allow this incoming source address/port by removing --remote or adding --float)',
    );
    expect(a.output()).not.toContain('Peer Connection Initiated');
    const f = await startOn(w, 'a', ['openvpn', '--dev', 'null', '--remote', '10.0.0.2', '--float', ...crypto('1')]);
    await runFor(w, 1.5);
    await stop(w, f, SIGINT);
    await stop(w, b, SIGINT);
    expect(logLines(f.output())).toContain('Peer Connection Initiated with [AF_INET]10.0.0.2:1195');
  });

  it('without --remote, learns the peer from the first authenticated packet and follows it', async () => {
    const w = pairWorld();
    const b = await startOn(w, 'b', ['openvpn', '--dev', 'null', ...crypto('0')]);
    const a1 = await startOn(w, 'a', ['openvpn', '--dev', 'null', '--remote', '10.0.0.2', '--ping', '1', ...crypto('1')]);
    await runFor(w, 1.5);
    await stop(w, a1, SIGINT);
    const a2 = await startOn(w, 'a', ['openvpn', '--dev', 'null', '--remote', '10.0.0.2', '--lport', '2000', '--ping', '1', ...crypto('1')]);
    await runFor(w, 1.5);
    await stop(w, a2, SIGINT);
    await stop(w, b, SIGINT);
    const peers = logLines(b.output()).filter((l) => l.startsWith('Peer Connection Initiated'));
    expect(peers).toEqual(['Peer Connection Initiated with [AF_INET]192.168.1.10:1194', 'Peer Connection Initiated with [AF_INET]192.168.1.10:2000']);
    // a2 started a second later than a1: a later session time, so no replay error.
    expect(b.output()).not.toContain('packet error');
  });
});

describe('the tun going away', () => {
  it('logs each failed read as 2.6 does, once a second here instead of in a tight loop', async () => {
    const w = pairWorld();
    const a = await startOn(w, 'a', ['openvpn', '--dev', 'tun', '--ifconfig', '10.8.0.2', '10.8.0.1', '--remote', '10.0.0.2', ...crypto('1')]);
    await runFor(w, 1);
    await runOn(w, 'a', ['ifconfig', '--delete', 'tun/0']);
    await runFor(w, 2.5);
    expect(a.proc.alive).toBe(true);
    await stop(w, a, SIGINT);
    const errors = logLines(a.output()).filter((l) => l.startsWith('read from TUN/TAP : '));
    expect(errors.length).toBe(3);
    expect(errors[0]).toMatch(/^read from TUN\/TAP : File descriptor in bad state \(fd=-1,code=-?\d+\)$/);
  });
});

describe('the link', () => {
  it('cannot share a bound port: the second one stops with the bind error', async () => {
    const w = pairWorld();
    const first = await startOn(w, 'b', ['openvpn', '--dev', 'null', ...crypto('0')]);
    const second = await runOn(w, 'b', ['openvpn', '--dev', 'null', ...crypto('0')]);
    expect(logLines(second.out).slice(-2)).toEqual([
      'TCP/UDP: Socket bind failed on local address [AF_INET][undef]:1194: Address already in use (errno=-2147454954)',
      'Exiting due to fatal error',
    ]);
    expect(second.status).toBe(1);
    await stop(w, first, SIGINT);
  });

  it('keeps trying to resolve an unknown --remote, as 2.6 does, until stopped', async () => {
    const w = pairWorld();
    const a = await startOn(w, 'a', ['openvpn', '--dev', 'null', '--remote', 'nosuchhost', ...crypto('1'), '--verb', '3']);
    await runFor(w, 1.5);
    await stop(w, a, SIGINT);
    const lines = logLines(a.output());
    const first = lines.indexOf('RESOLVE: Cannot resolve host address: nosuchhost:1194 (Name or service not known)');
    expect(lines.slice(first, first + 6)).toEqual([
      'RESOLVE: Cannot resolve host address: nosuchhost:1194 (Name or service not known)',
      'RESOLVE: Cannot resolve host address: nosuchhost:1194 (Name or service not known)',
      'Could not determine IPv4/IPv6 protocol',
      'Closing TUN/TAP interface',
      'SIGUSR1[soft,Could not determine IPv4/IPv6 protocol] received, process restarting',
      'Restart pause, 1 second(s)',
    ]);
    expect(lines.filter((l) => l === 'Could not determine IPv4/IPv6 protocol').length).toBe(2);
    expect(lines.at(-1)).toBe('SIGINT[hard,init_instance] received, process exiting');
  });
});
